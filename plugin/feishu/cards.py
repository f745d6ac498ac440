"""Interactive cards (Feishu card JSON 2.0) and callback answers (toasts).

Each button or select carries a small `value` object, echoed back in the card action callback:
`{"a": action, "n": nomination id, "e": evidence id, "c": criterion}`. The value is not trusted:
every action is re-authorised by the services (only the nominator confirms, only a manager
decides), so a forwarded or forged card can do nothing its clicker may not do anyway.
"""

from __future__ import annotations

from typing import Any

from plugin.feishu.texts import behaviour_label, clip, status_name, tr
from plugin.services.evidence import EvidenceView
from plugin.services.recognition import MyRecognition, NominationView
from rubric.model import Rubric

Card = dict[str, Any]
STORY_PREVIEW = 600
REVIEW_PAGE = 8  # a card must stay under Feishu's size limit (30 KB); eight items with selects fit
FORM_STORY_MAX = 1000  # the card input's maximum; `/nominate` in a message takes up to 3,000
FORM_CANDIDATES = 300  # people offered by the form's picker (about 15 KB of the card)


def _md(content: str) -> dict:
    return {"tag": "markdown", "content": content}


def _note(content: str) -> dict:
    return {"tag": "markdown", "content": content, "text_size": "notation"}


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


def _quote(text: str) -> str:
    """A story as a Markdown quote; card Markdown would otherwise interpret a user's * and #."""
    safe = clip(text, STORY_PREVIEW).replace("\r", "")
    return "\n".join("> " + line if line.strip() else ">" for line in safe.split("\n"))


def behaviour_select(
    rubric: Rubric, lang: str, value: dict, placeholder: str, *, exclude: set[str] = frozenset()
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
    elements: list[dict] = [_md(_quote(n.story))]
    if n.suggestions:
        elements.append(_md(tr("sugg.intro", lang)))
        for s in n.suggestions:
            line = (
                f"**{behaviour_label(rubric, s.criterion, lang)}**  ({tr('sugg.confidence', lang)} {s.confidence:.0%})"
            )
            if s.quote:
                line += f"\n「{clip(s.quote, 120)}」" if lang == "zh" else f"\n“{clip(s.quote, 120)}”"
            elements.append(_md(line))
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
        elements.append(_md(tr("sugg.none", lang, reason=n.abstain_reason or "-")))
    elements.append(behaviour_select(rubric, lang, {"a": "confirm", "n": n.id}, tr("sugg.other", lang)))
    elements.append({"tag": "hr"})
    elements.append(_button(tr("sugg.cancel", lang), {"a": "cancel", "n": n.id}, "danger"))
    elements.append(_note(tr("sugg.note", lang, name=n.nominee_name)))
    return _card(tr("sugg.title", lang, name=n.nominee_name), elements)


def processing_card(nominee_name: str, lang: str) -> Card:
    return _card(tr("processing.title", lang), [_md(tr("processing.body", lang, name=nominee_name))], "wathet")


def confirmed_card(rubric: Rubric, nominee_name: str, criterion: str, story: str, lang: str) -> Card:
    body = tr("confirmed.body", lang, name=nominee_name, behaviour=behaviour_label(rubric, criterion, lang))
    return _card(tr("confirmed.title", lang), [_md(_quote(story)), _md(body)], "green")


def cancelled_card(nominee_name: str, lang: str) -> Card:
    return _card(tr("cancelled.title", lang), [_md(tr("cancelled.body", lang, name=nominee_name))], "grey")


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
        head = f"**#{e.id} {e.subject_name}** · {behaviour_label(rubric, e.criterion, lang, short=60)}"
        lines = [head]
        if e.story:
            lines.append(_quote(clip(e.story, 300)))
        if e.nominator_name:
            lines.append(tr("review.from", lang, name=e.nominator_name))
        elements.append(_md("\n".join(lines)))
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
                            behaviour_select(
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
            lines = [f"**{title}**"]
            if not stories:
                lines.append(tr("me.none", lang))
            for s in stories:
                label = behaviour_label(rubric, s.criterion, lang, short=30) if s.criterion else "-"
                lines.append(
                    f"- {label} · {status_name(s.status, lang)} · {tr(who, lang, name=s.other_name)}\n"
                    f"  {clip(s.story, 80)}"
                )
            elements.append(_md("\n".join(lines)))
    if pending_reviews:
        elements.append(_note(tr("me.review_hint", lang, n=pending_reviews)))
    if not detailed:
        elements.append(_note(tr("me.commands", lang)))
    return _card(tr("me.title", lang, quarter=me.quarter), elements, "turquoise")


def toast(kind: str, content: str) -> dict:
    """kind: success | error | info | warning."""
    return {"type": kind, "content": content}
