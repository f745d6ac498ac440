"""Feishu cards for nominating: the suggestions, "processing", confirmed and cancelled cards, the
menu's nomination form, and the nominee's notification (as Slack's `nomination_views`)."""

from __future__ import annotations

from liumai.feishu.texts import behaviour_label, clip, tr
from liumai.feishu.views import (
    FORM_STORY_MAX,
    Card,
    behaviour_menu,
    button,
    make_card,
    md,
    note,
    plain,
    story_div,
)
from liumai.rubric.model import Rubric
from liumai.services.recognition import NominationView


def suggestions_card(rubric: Rubric, n: NominationView, lang: str) -> Card:
    """The nominator's card: suggested behaviours with buttons, the full list, and cancel."""
    elements: list[dict] = [story_div(n.story)]
    if n.suggestions:
        elements.append(md(tr("sugg.intro", lang)))
        for s in n.suggestions:
            line = (
                f"**{behaviour_label(rubric, s.criterion, lang)}**  ({tr('sugg.confidence', lang)} {s.confidence:.0%})"
            )
            elements.append(md(line))
            if s.quote:  # the tagger's quote is the user's words
                elements.append(plain(tr("quote", lang, text=clip(s.quote, 120))))
            elements.append(
                button(
                    f"{tr('sugg.confirm', lang)} {s.criterion}",
                    {"a": "confirm", "n": n.id, "c": s.criterion},
                    "primary_filled" if s.rank == 1 else "default",
                )
            )
    elif n.status == "pending_tag":
        elements.append(md(tr("sugg.pending", lang)))
    else:
        elements.append(plain(tr("sugg.none", lang, reason=clip(n.abstain_reason or "-", 200))))
    elements.append(behaviour_menu(rubric, lang, {"a": "confirm", "n": n.id}, tr("sugg.other", lang)))
    elements.append({"tag": "hr"})
    elements.append(button(tr("sugg.cancel", lang), {"a": "cancel", "n": n.id}, "danger"))
    elements.append(plain(tr("sugg.note", lang, name=n.nominee_name), small=True))
    return make_card(tr("sugg.title", lang, name=n.nominee_name), elements)


def processing_card(nominee_name: str, lang: str) -> Card:
    return make_card(tr("processing.title", lang), [plain(tr("processing.body", lang, name=nominee_name))], "wathet")


def confirmed_card(rubric: Rubric, nominee_name: str, criterion: str, story: str, lang: str) -> Card:
    body = tr("confirmed.body", lang, name=nominee_name, behaviour=behaviour_label(rubric, criterion, lang))
    return make_card(tr("confirmed.title", lang), [story_div(story), plain(body)], "green")


def cancelled_card(nominee_name: str, lang: str) -> Card:
    return make_card(tr("cancelled.title", lang), [plain(tr("cancelled.body", lang, name=nominee_name))], "grey")


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
    return make_card(tr("form.title", lang), [form, note(tr("form.hint", lang))], "blue")


def notify_card(rubric: Rubric, nominator: str, criterion: str, story: str, lang: str) -> Card:
    """The nominee's notification: a card, so the story stays plain text (a text message renders markup)."""
    body = tr("notify.body", lang, behaviour=behaviour_label(rubric, criterion, lang))
    return make_card(tr("notify.title", lang, nominator=nominator), [md(body), story_div(story, 500)], "green")
