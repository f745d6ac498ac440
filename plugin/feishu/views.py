"""Interactive cards (Feishu card JSON 2.0) and callback answers (toasts).

User text - stories, tagger quotes, notes, people's names, team titles - only ever goes into
`plain_text` (a `div`), never into `markdown`/`lark_md`, and passes `escape.feishu_text` on the way:
a story like `**bold**`, `[link](javascript:...)` or `<at user_id="all"></at>` is shown as typed and
can neither format the card, link anywhere nor mention anyone. Markdown is kept for our own fixed
wording (headings, behaviour labels from the rubric).

Each button or select carries a small `value` object, echoed back in the card action callback:
`{"a": action, "n": nomination id, "e": evidence id, "c": criterion}`. The value is not trusted:
every action is re-authorised by the services (only the nominator confirms, only a manager
decides), so a forwarded or forged card can do nothing its clicker may not do anyway.
"""

from __future__ import annotations

import json
from typing import Any

from liumai.feishu.texts import behaviour_label, clip, status_name, tr
from liumai.reports import escape as esc
from liumai.reports import summary_render
from liumai.rubric.model import Rubric
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition, NominationView
from liumai.services.summaries import TeamSummary

Card = dict[str, Any]
STORY_PREVIEW = 600
REVIEW_PAGE = 8  # a card must stay under Feishu's size limit (30 KB); eight items with selects fit
FORM_STORY_MAX = 1000  # the card input's maximum; `/nominate` in a message takes up to 3,000
FORM_CANDIDATES = 300  # people offered by the form's picker (about 15 KB of the card)
CARD_MAX_BYTES = 28_000  # Feishu refuses cards over 30 KB; keep a margin for the request envelope
TEAM_ROWS = 60  # people listed on a team card; the CSV and HTML report have everyone
EVIDENCE_ROWS = 15


def _md(content: str) -> dict:
    return {"tag": "markdown", "content": content}


def _note(content: str) -> dict:
    return {"tag": "markdown", "content": content, "text_size": "notation"}


def _plain(content: str, *, small: bool = False) -> dict:
    """User text: shown exactly as typed (made inert), never interpreted as Markdown."""
    text: dict[str, Any] = {"tag": "plain_text", "content": esc.feishu_text(content)}
    if small:
        text["text_size"] = "notation"
    return {"tag": "div", "text": text}


def _button(label: str, value: dict, kind: str = "default") -> dict:
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": label},
        "type": kind,
        "behaviors": [{"type": "callback", "value": value}],
    }


def _card(title: str, elements: list[dict], template: str = "blue") -> Card:
    return {
        "schema": "2.0",
        "config": {"update_multi": True},
        "header": {"title": {"tag": "plain_text", "content": title}, "template": template},
        "body": {"elements": elements},
    }


def _story(text: str, limit: int = STORY_PREVIEW) -> dict:
    """A story as plain text, cut to a preview length."""
    return _plain(clip(text, limit).replace("\r", ""))


def behaviour_menu(
    rubric: Rubric, lang: str, value: dict, placeholder: str, *, exclude: set[str] | frozenset[str] = frozenset()
) -> dict:
    """A select of every behaviour of the rubric (30 for 六脉神剑), grouped by value in rubric order."""
    options = [
        {"text": {"tag": "plain_text", "content": behaviour_label(rubric, b.id, lang, short=34)}, "value": b.id}
        for b in rubric.behaviours()
        if b.id not in exclude
    ]
    return {
        "tag": "select_static",
        "placeholder": {"tag": "plain_text", "content": placeholder},
        "options": options,
        "width": "fill",
        "behaviors": [{"type": "callback", "value": value}],
    }


def suggestions_card(rubric: Rubric, n: NominationView, lang: str) -> Card:
    """The nominator's card: suggested behaviours with buttons, the full list, and cancel."""
    elements: list[dict] = [_story(n.story)]
    if n.suggestions:
        elements.append(_md(tr("sugg.intro", lang)))
        for s in n.suggestions:
            line = (
                f"**{behaviour_label(rubric, s.criterion, lang)}**  ({tr('sugg.confidence', lang)} {s.confidence:.0%})"
            )
            elements.append(_md(line))
            if s.quote:  # the tagger's quote is the user's words
                elements.append(_plain(f"「{clip(s.quote, 120)}」" if lang == "zh" else f"“{clip(s.quote, 120)}”"))
            elements.append(
                _button(
                    f"{tr('sugg.confirm', lang)} {s.criterion}",
                    {"a": "confirm", "n": n.id, "c": s.criterion},
                    "primary_filled" if s.rank == 1 else "default",
                )
            )
    elif n.status == "pending_tag":
        elements.append(_md(tr("sugg.pending", lang)))
    else:
        elements.append(_plain(tr("sugg.none", lang, reason=clip(n.abstain_reason or "-", 200))))
    elements.append(behaviour_menu(rubric, lang, {"a": "confirm", "n": n.id}, tr("sugg.other", lang)))
    elements.append({"tag": "hr"})
    elements.append(_button(tr("sugg.cancel", lang), {"a": "cancel", "n": n.id}, "danger"))
    elements.append(_plain(tr("sugg.note", lang, name=n.nominee_name), small=True))
    return _card(tr("sugg.title", lang, name=n.nominee_name), elements)


def processing_card(nominee_name: str, lang: str) -> Card:
    return _card(tr("processing.title", lang), [_plain(tr("processing.body", lang, name=nominee_name))], "wathet")


def confirmed_card(rubric: Rubric, nominee_name: str, criterion: str, story: str, lang: str) -> Card:
    body = tr("confirmed.body", lang, name=nominee_name, behaviour=behaviour_label(rubric, criterion, lang))
    return _card(tr("confirmed.title", lang), [_story(story), _plain(body)], "green")


def cancelled_card(nominee_name: str, lang: str) -> Card:
    return _card(tr("cancelled.title", lang), [_plain(tr("cancelled.body", lang, name=nominee_name))], "grey")


def nomination_form_card(lang: str, candidates: list[str]) -> Card:
    """The bot menu's form: a person picker and the story, submitted in one callback.

    `candidates` (open_ids) must be given: without options the picker offers the members of the
    chat, which in the bot's direct chat is only the user and the bot.
    """
    form = {
        "tag": "form",
        "name": "nominate_form",
        "elements": [
            {
                "tag": "select_person",
                "name": "nominee",
                "required": True,
                "width": "fill",
                "placeholder": {"tag": "plain_text", "content": tr("form.person", lang)},
                "options": [{"value": open_id} for open_id in candidates],
            },
            {
                "tag": "input",
                "name": "story",
                "required": True,
                "input_type": "multiline_text",
                "rows": 5,
                "max_length": FORM_STORY_MAX,
                "width": "fill",
                "placeholder": {"tag": "plain_text", "content": tr("form.story", lang)},
            },
            {
                "tag": "button",
                "name": "submit",
                "text": {"tag": "plain_text", "content": tr("form.submit", lang)},
                "type": "primary_filled",
                "form_action_type": "submit",
                "behaviors": [{"type": "callback", "value": {"a": "nominate_form"}}],
            },
        ],
    }
    return _card(tr("form.title", lang), [form, _note(tr("form.hint", lang))], "blue")


def review_card(rubric: Rubric, items: list[EvidenceView], lang: str, *, notice: str | None = None) -> Card:
    """A manager's pending evidence, each with accept, reject and re-tag (which accepts)."""
    elements: list[dict] = []
    if notice:
        elements.append(_note(notice))
    if not items:
        elements.append(_md(tr("review.empty", lang)))
        return _card(tr("review.title", lang, n=0), elements, "green")
    for e in items[:REVIEW_PAGE]:
        elements.append(_md(f"**#{e.id}** · {behaviour_label(rubric, e.criterion, lang, short=60)}"))
        lines = [e.subject_name]
        if e.story:
            lines.append(clip(e.story, 300))
        if e.nominator_name:
            lines.append(tr("review.from", lang, name=e.nominator_name))
        elements.append(_plain("\n".join(lines)))
        elements.append(
            {
                "tag": "column_set",
                "columns": [
                    {
                        "tag": "column",
                        "width": "auto",
                        "elements": [_button(tr("review.accept", lang), {"a": "accept", "e": e.id}, "primary")],
                    },
                    {
                        "tag": "column",
                        "width": "auto",
                        "elements": [_button(tr("review.reject", lang), {"a": "reject", "e": e.id}, "danger")],
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
        elements.append(_note(tr("review.more", lang)))
    return _card(tr("review.title", lang, n=len(items)), elements, "orange")


def recognition_card(
    rubric: Rubric, me: MyRecognition, lang: str, *, pending_reviews: int | None = None, detailed: bool = True
) -> Card:
    """`/values me` (detailed) and `/values` (overview): counts per value, recent stories, no scores."""
    counts = "\n".join(
        f"- {rubric.value(k).names.get(lang)}：{n}" if lang == "zh" else f"- {rubric.value(k).names.get(lang)}: {n}"
        for k, n in me.by_value.items()
    )
    elements: list[dict] = [_md(f"{tr('me.by_value', lang)}\n{counts}")]
    if detailed:
        for title, stories, who in (
            (tr("me.received", lang), me.received, "me.from"),
            (tr("me.given", lang), me.given, "me.to"),
        ):
            elements.append(_md(f"**{title}**"))
            lines = []
            if not stories:
                lines.append(tr("me.none", lang))
            for s in stories:
                label = behaviour_label(rubric, s.criterion, lang, short=30) if s.criterion else "-"
                lines.append(
                    f"• {label} · {status_name(s.status, lang)} · {tr(who, lang, name=s.other_name)}\n"
                    f"  {clip(s.story, 80)}"
                )
            elements.append(_plain("\n".join(lines)))
    if pending_reviews:
        elements.append(_note(tr("me.review_hint", lang, n=pending_reviews)))
    if not detailed:
        elements.append(_note(tr("me.commands", lang)))
    return _card(tr("me.title", lang, quarter=me.quarter), elements, "turquoise")


def toast(kind: str, content: str) -> dict:
    """kind: success | error | info | warning."""
    return {"type": kind, "content": content}


def notify_card(rubric: Rubric, nominator: str, criterion: str, story: str, lang: str) -> Card:
    """The nominee's notification: a card, so the story stays plain text (a text message renders markup)."""
    body = tr("notify.body", lang, behaviour=behaviour_label(rubric, criterion, lang))
    return _card(tr("notify.title", lang, nominator=nominator), [_md(body), _story(story, 500)], "green")


def team_card(s: TeamSummary, rubric: Rubric, lang: str, *, rows: int = TEAM_ROWS) -> Card:
    """A team roll-up: each person's six scores and total, values no one has evidence for, and
    people with no recognition this quarter. Scores only; stories are in the HTML report."""
    str_ = summary_render.tr
    names = {v.key: v.names.get(lang) for v in rubric.values}
    sep = "：" if lang == "zh" else ": "
    elements: list[dict] = []
    if not s.people:
        elements.append(_plain(tr("team.empty", lang)))
    for p in s.people[:rows]:
        acc = p.result.accepted
        scores = " · ".join(f"{names[v.key]} {acc.values[v.key].score:g}" for v in rubric.values)
        elements.append(_plain(f"{p.name}{sep}{scores} · {str_('total', lang)} {acc.total:g}/{acc.max_total}"))
    if len(s.people) > rows:
        elements.append(_note(tr("team.more", lang, n=len(s.people) - rows)))
    elements.append({"tag": "hr"})
    none = str_("none", lang)
    missing = ", ".join(names[k] for k in s.values_without_evidence) or none
    unrecognised = ", ".join(p.name for p in s.people if p.email in s.unrecognised) or none
    elements.append(_md(f"**{str_('no_evidence_values', lang)}**"))
    elements.append(_plain(missing))
    elements.append(_md(f"**{str_('unrecognised', lang)}**"))
    elements.append(_plain(unrecognised))
    elements.append(_note(f"{str_('rubric', lang)}: {s.rubric_version}"))
    return _card(f"{str_('summary', lang)} · {s.title} · {s.quarter}", elements, "indigo")


def evidence_card(
    rubric: Rubric, name: str, items: list[EvidenceView], lang: str, *, rows: int = EVIDENCE_ROWS
) -> Card:
    """`/values evidence`: the latest evidence about one person (concerns only in managers' views)."""
    elements: list[dict] = []
    if not items:
        elements.append(_md(tr("evidence.empty", lang)))
    shown = items[-rows:]
    for e in reversed(shown):
        kind = f" · ⚠ {tr('evidence.concern', lang)}" if e.is_concern else ""
        elements.append(
            _md(
                f"**#{e.id}** · {behaviour_label(rubric, e.criterion, lang, short=50)} · "
                f"{status_name(e.status, lang)}{kind} · {e.occurred_at.date().isoformat()}"
            )
        )
        who = tr("review.from", lang, name=e.nominator_name) if e.nominator_name else ""
        text = clip(e.story or e.note or "", 300)
        elements.append(_plain("\n".join(x for x in (text, who) if x) or "-"))
    if len(items) > rows:
        elements.append(_note(tr("evidence.more", lang, shown=rows, n=len(items))))
    return _card(tr("evidence.title", lang, name=name), elements, "turquoise")


def erase_confirm_card(name: str, email: str, person_id: int, lang: str) -> Card:
    """Erasure asks first: the button carries only the person id and is re-authorised on click."""
    buttons = {
        "tag": "column_set",
        "columns": [
            {
                "tag": "column",
                "width": "auto",
                "elements": [_button(tr("erase.confirm", lang), {"a": "erase", "p": person_id}, "danger_filled")],
            },
            {
                "tag": "column",
                "width": "auto",
                "elements": [_button(tr("erase.cancel", lang), {"a": "erase_cancel", "p": person_id})],
            },
        ],
    }
    body = _plain(tr("erase.body", lang, name=name, email=email))
    return _card(tr("erase.title", lang, name=name), [body, buttons], "red")


def erased_card(report: dict, lang: str) -> Card:
    return _card(tr("erase.done.title", lang), [_plain(tr("erase.done.body", lang, **report))], "grey")


def erase_cancelled_card(lang: str) -> Card:
    return _card(tr("erase.cancel", lang), [_plain(tr("erase.cancelled", lang))], "grey")


def card_bytes(card: dict) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def fit_card(card: Card, lang: str, *, limit: int = CARD_MAX_BYTES) -> Card:
    """A card under Feishu's size limit: the longest plain texts are halved until it fits, and a
    note says so. Summary cards grow with evidence; a refused send would leave the reader with nothing."""
    if card_bytes(card) <= limit:
        return card
    card = json.loads(json.dumps(card))
    texts: list[dict] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("tag") == "plain_text" and isinstance(node.get("content"), str):
                texts.append(node)
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(card.get("body", card).get("elements", []))
    for _ in range(200):
        if card_bytes(card) <= limit or not texts:
            break
        longest = max(texts, key=lambda t: len(t["content"]))
        if len(longest["content"]) <= 40:
            break
        longest["content"] = clip(longest["content"], len(longest["content"]) // 2)
    elements = card["body"]["elements"] if "body" in card else card["elements"]
    while card_bytes(card) > limit and len(elements) > 1:
        elements.pop()  # last resort: drop trailing elements
    note = tr("card.shortened", lang)
    elements.append(
        _note(note) if "body" in card else {"tag": "note", "elements": [{"tag": "plain_text", "content": note}]}
    )
    return card
