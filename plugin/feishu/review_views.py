"""Feishu cards for managers and the reader: the review queue, my recognition, a team's roll-up,
the evidence about a person and the erase confirmation (as Slack's `review_views`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from liumai.feishu.texts import behaviour_label, clip, status_name, tr
from liumai.feishu.views import (
    CARD_MAX_BYTES,
    EVIDENCE_ROWS,
    REVIEW_PAGE,
    TEAM_ROWS,
    Card,
    behaviour_menu,
    button,
    card_bytes,
    make_card,
    md,
    note,
    plain,
)
from liumai.reports import summary_render
from liumai.reports.calibration_render import signal_text
from liumai.rubric.model import Rubric
from liumai.services.calibration import SignalView
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition
from liumai.services.summaries import TeamSummary

MAX_SIGNALS = 3  # per person shown beside their evidence; calibration lists them all


def _signal_note(lang: str, e: EvidenceView, signals: Sequence[SignalView]) -> dict:
    """The fairness signals about the person, in plain words (shown to the deciding manager only)."""
    lines = [tr("review.signals", lang, name=e.subject_name, quarter=e.period)]
    lines += [f"• {clip(signal_text(x, lang), 400)}" for x in signals[:MAX_SIGNALS]]
    if len(signals) > MAX_SIGNALS:
        lines.append("• …")
    return plain("⚖ " + "\n".join(lines), small=True)  # names are user text: never Markdown


def review_card(
    rubric: Rubric,
    items: list[EvidenceView],
    lang: str,
    *,
    notice: str | None = None,
    signals: Mapping[int, Sequence[SignalView]] | None = None,
) -> Card:
    """A manager's pending evidence, each with accept, reject and re-tag (which accepts); `signals`
    by evidence id (`ReviewRoom`) are shown under the item they concern.

    Items are added oldest first while the card stays under Feishu's size limit: each carries a
    select of the rubric's behaviours (about 5.5 KB in Chinese), so a page holds fewer items in
    Chinese than `REVIEW_PAGE`, and a note says more are waiting."""
    head: list[dict] = [note(notice)] if notice else []
    if not items:
        return make_card(tr("review.title", lang, n=0), [*head, md(tr("review.empty", lang))], "green")
    title = tr("review.title", lang, n=f"{REVIEW_PAGE}+" if len(items) > REVIEW_PAGE else len(items))
    elements = list(head)
    shown = 0
    for e in items[:REVIEW_PAGE]:
        part = _review_item(rubric, lang, e, (signals or {}).get(e.id, ()))
        if shown and card_bytes(make_card(title, [*elements, *part], "orange")) > CARD_MAX_BYTES - NOTE_RESERVE:
            break
        elements.extend(part)
        shown += 1
    if len(items) > shown:
        elements.append(note(tr("review.more", lang, n=shown)))
    return make_card(title, elements, "orange")


NOTE_RESERVE = 600  # bytes kept free for the "showing the oldest n" note


def _review_item(rubric: Rubric, lang: str, e: EvidenceView, signals: Sequence[SignalView]) -> list[dict]:
    lines = [e.subject_name]
    if e.story:
        lines.append(clip(e.story, 300))
    if e.nominator_name:
        lines.append(tr("review.from", lang, name=e.nominator_name))
    out = [md(f"**#{e.id}** · {behaviour_label(rubric, e.criterion, lang, short=60)}"), plain("\n".join(lines))]
    if signals:
        out.append(_signal_note(lang, e, signals))
    buttons = [
        {
            "tag": "column",
            "width": "auto",
            "elements": [button(tr("review.accept", lang), {"a": "accept", "e": e.id}, "primary")],
        },
        {
            "tag": "column",
            "width": "auto",
            "elements": [button(tr("review.reject", lang), {"a": "reject", "e": e.id}, "danger")],
        },
        {
            "tag": "column",
            "width": "weighted",
            "weight": 1,
            "elements": [
                behaviour_menu(rubric, lang, {"a": "retag", "e": e.id}, tr("review.retag", lang), exclude={e.criterion})
            ],
        },
    ]
    return [*out, {"tag": "column_set", "columns": buttons}, {"tag": "hr"}]


def recognition_card(
    rubric: Rubric, me: MyRecognition, lang: str, *, pending_reviews: int | None = None, detailed: bool = True
) -> Card:
    """`/values me` (detailed) and `/values` (overview): counts per value, recent stories, no scores."""
    counts = "\n".join(tr("me.count", lang, value=rubric.value(k).names.get(lang), n=n) for k, n in me.by_value.items())
    elements: list[dict] = [md(f"{tr('me.by_value', lang)}\n{counts}")]
    if detailed:
        for title, stories, who in (
            (tr("me.received", lang), me.received, "me.from"),
            (tr("me.given", lang), me.given, "me.to"),
        ):
            elements.append(md(f"**{title}**"))
            lines = []
            if not stories:
                lines.append(tr("me.none", lang))
            for s in stories:
                label = behaviour_label(rubric, s.criterion, lang, short=30) if s.criterion else "-"
                lines.append(
                    f"• {label} · {status_name(s.status, lang)} · {tr(who, lang, name=s.other_name)}\n"
                    f"  {clip(s.story, 80)}"
                )
            elements.append(plain("\n".join(lines)))
    if pending_reviews:
        elements.append(note(tr("me.review_hint", lang, n=pending_reviews)))
    if not detailed:
        elements.append(note(tr("me.commands", lang)))
    return make_card(tr("me.title", lang, quarter=me.quarter), elements, "turquoise")


def team_card(s: TeamSummary, rubric: Rubric, lang: str, *, rows: int = TEAM_ROWS) -> Card:
    """A team roll-up: each person's six scores and total, values no one has evidence for, and
    people with no recognition this quarter. Scores only; stories are in the HTML report."""
    str_ = summary_render.tr
    names = {v.key: v.names.get(lang) for v in rubric.values}
    elements: list[dict] = []
    if not s.people:
        elements.append(plain(tr("team.empty", lang)))
    for p in s.people[:rows]:
        acc = p.result.accepted
        scores = " · ".join(f"{names[v.key]} {acc.values[v.key].score:g}" for v in rubric.values)
        total = str_("total", lang)
        row = tr("team.row", lang, name=p.name, scores=scores, total=total, score=f"{acc.total:g}", max=acc.max_total)
        elements.append(plain(row))
    if len(s.people) > rows:
        elements.append(note(tr("team.more", lang, n=len(s.people) - rows)))
    elements.append({"tag": "hr"})
    none = str_("none", lang)
    missing = ", ".join(names[k] for k in s.values_without_evidence) or none
    unrecognised = ", ".join(p.name for p in s.people if p.email in s.unrecognised) or none
    elements.append(md(f"**{str_('no_evidence_values', lang)}**"))
    elements.append(plain(missing))
    elements.append(md(f"**{str_('unrecognised', lang)}**"))
    elements.append(plain(unrecognised))
    elements.append(note(tr("team.rubric", lang, rubric=str_("rubric", lang), version=s.rubric_version)))
    return make_card(f"{str_('summary', lang)} · {s.title} · {s.quarter}", elements, "indigo")


def evidence_card(
    rubric: Rubric, name: str, items: list[EvidenceView], lang: str, *, rows: int = EVIDENCE_ROWS
) -> Card:
    """`/values evidence`: the latest evidence about one person (concerns only in managers' views)."""
    elements: list[dict] = []
    if not items:
        elements.append(md(tr("evidence.empty", lang)))
    shown = items[-rows:]
    for e in reversed(shown):
        kind = f" · ⚠ {tr('evidence.concern', lang)}" if e.is_concern else ""
        elements.append(
            md(
                f"**#{e.id}** · {behaviour_label(rubric, e.criterion, lang, short=50)} · "
                f"{status_name(e.status, lang)}{kind} · {e.occurred_at.date().isoformat()}"
            )
        )
        who = tr("review.from", lang, name=e.nominator_name) if e.nominator_name else ""
        text = clip(e.story or e.note or "", 300)
        elements.append(plain("\n".join(x for x in (text, who) if x) or "-"))
    if len(items) > rows:
        elements.append(note(tr("evidence.more", lang, shown=rows, n=len(items))))
    return make_card(tr("evidence.title", lang, name=name), elements, "turquoise")


def erase_confirm_card(name: str, email: str, person_id: int, lang: str) -> Card:
    """Erasure asks first: the button carries only the person id and is re-authorised on click."""
    buttons = {
        "tag": "column_set",
        "columns": [
            {
                "tag": "column",
                "width": "auto",
                "elements": [button(tr("erase.confirm", lang), {"a": "erase", "p": person_id}, "danger_filled")],
            },
            {
                "tag": "column",
                "width": "auto",
                "elements": [button(tr("erase.cancel", lang), {"a": "erase_cancel", "p": person_id})],
            },
        ],
    }
    body = plain(tr("erase.body", lang, name=name, email=email))
    return make_card(tr("erase.title", lang, name=name), [body, buttons], "red")


def erased_card(report: dict, lang: str) -> Card:
    return make_card(tr("erase.done.title", lang), [plain(tr("erase.done.body", lang, **report))], "grey")


def erase_cancelled_card(lang: str) -> Card:
    return make_card(tr("erase.cancel", lang), [plain(tr("erase.cancelled", lang))], "grey")
