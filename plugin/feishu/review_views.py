"""Feishu cards for managers and the reader: the review queue, my recognition, a team's roll-up,
the evidence about a person and the erase confirmation (as Slack's `review_views`)."""

from __future__ import annotations

from liumai.feishu.texts import behaviour_label, clip, status_name, tr
from liumai.feishu.views import (
    EVIDENCE_ROWS,
    REVIEW_PAGE,
    TEAM_ROWS,
    Card,
    behaviour_menu,
    button,
    make_card,
    md,
    note,
    plain,
)
from liumai.reports import summary_render
from liumai.rubric.model import Rubric
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition
from liumai.services.summaries import TeamSummary


def review_card(rubric: Rubric, items: list[EvidenceView], lang: str, *, notice: str | None = None) -> Card:
    """A manager's pending evidence, each with accept, reject and re-tag (which accepts)."""
    elements: list[dict] = []
    if notice:
        elements.append(note(notice))
    if not items:
        elements.append(md(tr("review.empty", lang)))
        return make_card(tr("review.title", lang, n=0), elements, "green")
    for e in items[:REVIEW_PAGE]:
        elements.append(md(f"**#{e.id}** · {behaviour_label(rubric, e.criterion, lang, short=60)}"))
        lines = [e.subject_name]
        if e.story:
            lines.append(clip(e.story, 300))
        if e.nominator_name:
            lines.append(tr("review.from", lang, name=e.nominator_name))
        elements.append(plain("\n".join(lines)))
        elements.append(
            {
                "tag": "column_set",
                "columns": [
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
                            behaviour_menu(
                                rubric, lang, {"a": "retag", "e": e.id}, tr("review.retag", lang), exclude={e.criterion}
                            )
                        ],
                    },
                ],
            }
        )
        elements.append({"tag": "hr"})
    if len(items) > REVIEW_PAGE:
        elements.append(note(tr("review.more", lang, n=REVIEW_PAGE)))
    return make_card(tr("review.title", lang, n=len(items)), elements, "orange")


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
