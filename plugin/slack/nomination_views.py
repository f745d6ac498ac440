"""Block Kit for nominating: the form, the progress and confirm steps, the one-line reply, the nominee's DM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liumai.rubric.model import Rubric
from liumai.services.recognition import NominationView
from liumai.slack.texts import tx
from liumai.slack.views import (
    A_CANCEL,
    A_OTHER,
    A_PICK,
    B_CHOICE,
    B_NOMINEE,
    B_OTHER,
    B_PRIVATE,
    B_STORY,
    B_VALUE,
    CONFIRM_VIEW,
    MAX_STORY,
    NOMINATE_VIEW,
    PROGRESS_VIEW,
    Block,
    behaviour_menu,
    context,
    cut,
    escape,
    metadata,
    modal,
    plain,
    quote,
    section,
    statement,
    value_name,
    value_options,
)


def nominate_modal(
    rubric: Rubric,
    lang: str,
    *,
    user: str | None = None,
    story: str | None = None,
    link: str | None = None,
    channel: str | None = None,
) -> dict:
    """Step 1: who, what they did (<= 3000 chars), an optional value hint and digest opt-out."""
    picker: dict[str, Any] = {"type": "users_select", "action_id": "user", "placeholder": plain(tx("modal.who", lang))}
    if user:
        picker["initial_user"] = user
    story_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "text",
        "multiline": True,
        "max_length": MAX_STORY,
    }
    if story:
        story_input["initial_value"] = cut(story, MAX_STORY)
    blocks: list[Block] = [
        {"type": "input", "block_id": B_NOMINEE, "label": plain(tx("modal.who", lang), 2000), "element": picker},
        {
            "type": "input",
            "block_id": B_STORY,
            "label": plain(tx("modal.story", lang), 2000),
            "hint": plain(tx("modal.story_hint", lang), 2000),
            "element": story_input,
        },
        {
            "type": "input",
            "block_id": B_VALUE,
            "optional": True,
            "label": plain(tx("modal.value", lang), 2000),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "placeholder": plain(tx("modal.value_placeholder", lang), 150),
                "options": value_options(rubric, lang),
            },
        },
        {
            "type": "input",
            "block_id": B_PRIVATE,
            "optional": True,
            "label": plain(tx("modal.options", lang), 2000),
            "element": {
                "type": "checkboxes",
                "action_id": "private",
                "options": [{"text": plain(tx("modal.private", lang), 75), "value": "private"}],
            },
        },
    ]
    if link:
        blocks.append(context(tx("from_link", lang, url=link)))
    return modal(
        NOMINATE_VIEW,
        tx("modal.nominate_title", lang),
        blocks,
        submit=tx("modal.next", lang),
        close=tx("cancel", lang),
        private_metadata=metadata(link=link, channel=channel),
    )


def progress_view(lang: str, nomination_id: int, nominee: str) -> dict:
    """Shown while tagging runs; closing it cancels the unconfirmed nomination."""
    return modal(
        PROGRESS_VIEW,
        tx("modal.progress_title", lang),
        [section(tx("modal.progress", lang, nominee=escape(nominee)))],
        submit=None,
        close=tx("cancel", lang),
        notify_on_close=True,
        private_metadata=metadata(n=nomination_id),
    )


def suggestion_lines(rubric: Rubric, lang: str, suggestions: Sequence[Any]) -> list[Block]:
    """One section per suggestion: value and id, the statement, the quoted words, the confidence."""
    out: list[Block] = []
    quoted: set[str] = set()
    for s in suggestions:
        pct = round(float(s.confidence) * 100)
        words = (s.quote or "").strip()
        show_quote = bool(words) and words not in quoted  # the same words twice add nothing
        quoted.add(words)
        text = (
            f"*{escape(value_name(rubric, s.criterion, lang))} · {s.criterion}*\n"
            f"{escape(statement(rubric, s.criterion, lang))}\n"
            + (quote(words, 400) + "\n" if show_quote else "")
            + f"_{tx('confidence', lang, pct=pct)}_"
        )
        out.append(section(text))
    return out


def confirm_view(
    rubric: Rubric,
    lang: str,
    *,
    nomination_id: int,
    nominee: str,
    story: str,
    suggestions: Sequence[Any],
    abstain_reason: str | None = None,
    response_url: str | None = None,
    cancel_on_close: bool = True,
    empty_note: bool = True,
) -> dict:
    """Step 2: the top suggestions to choose from, plus a select of every behaviour."""
    blocks: list[Block] = [
        section(tx("nominate.pick", lang, nominee=escape(nominee))),
        context(quote(story, 300)),
    ]
    if suggestions:
        blocks.append({"type": "divider"})
        blocks.extend(suggestion_lines(rubric, lang, suggestions))
        options = [
            {
                "text": plain(f"{s.criterion} · {value_name(rubric, s.criterion, lang)}", 75),
                "description": plain(statement(rubric, s.criterion, lang), 75),
                "value": s.criterion,
            }
            for s in suggestions
        ]
        blocks.append(
            {
                "type": "input",
                "block_id": B_CHOICE,
                "optional": True,
                "label": plain(tx("modal.suggested", lang), 2000),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "choice",
                    "options": options,
                    "initial_option": options[0],
                },
            }
        )
    elif abstain_reason:
        blocks.append(context(escape(tx("nominate.abstain", lang, reason=abstain_reason))))
    elif empty_note:
        blocks.append(context(tx("nominate.no_suggestions", lang)))
    blocks.append(
        {
            "type": "input",
            "block_id": B_OTHER,
            "optional": bool(suggestions),
            "label": plain(tx("modal.other" if suggestions else "modal.other_required", lang), 2000),
            "element": behaviour_menu(rubric, lang, "other", tx("modal.other_placeholder", lang)),
        }
    )
    return modal(
        CONFIRM_VIEW,
        tx("modal.confirm_title", lang),
        blocks,
        submit=tx("modal.confirm", lang),
        close=tx("cancel", lang),
        notify_on_close=cancel_on_close,
        private_metadata=metadata(n=nomination_id, ru=response_url, cc=1 if cancel_on_close else None),
    )


def confirm_view_of(rubric: Rubric, lang: str, nv: NominationView, **options: Any) -> dict:
    """Step 2 for a stored nomination: its suggestions (unless `options` replace them) and story."""
    fields: dict[str, Any] = {"suggestions": nv.suggestions, "abstain_reason": nv.abstain_reason, **options}
    return confirm_view(rubric, lang, nomination_id=nv.id, nominee=nv.nominee_name, story=nv.story, **fields)


def suggestion_message(
    rubric: Rubric,
    lang: str,
    *,
    nomination_id: int,
    nominee: str,
    suggestions: Sequence[Any],
    abstain_reason: str | None,
    already: bool = False,
) -> tuple[str, list[Block]]:
    """The one-line flow's ephemeral reply: suggestions as buttons, 'choose another', cancel."""
    intro = tx("nominate.pick", lang, nominee=escape(nominee))
    blocks: list[Block] = []
    if already:
        blocks.append(context(tx("nominate.already", lang, id=nomination_id)))
    blocks.append(section(intro))
    if suggestions:
        blocks.extend(suggestion_lines(rubric, lang, suggestions))
    elif abstain_reason:
        blocks.append(context(escape(tx("nominate.abstain", lang, reason=abstain_reason))))
    else:
        blocks.append(context(tx("nominate.no_suggestions", lang)))
    buttons: list[dict] = [
        {
            "type": "button",
            "action_id": f"{A_PICK}_{i}",
            "text": plain(f"{s.criterion} · {value_name(rubric, s.criterion, lang)}", 75),
            "value": f"{nomination_id}|{s.criterion}",
            **({"style": "primary"} if i == 0 else {}),
        }
        for i, s in enumerate(suggestions[:3])
    ]
    buttons.append(
        {
            "type": "button",
            "action_id": A_OTHER,
            "text": plain(tx("nominate.choose_another", lang), 75),
            "value": str(nomination_id),
        }
    )
    buttons.append(
        {"type": "button", "action_id": A_CANCEL, "text": plain(tx("cancel", lang), 75), "value": str(nomination_id)}
    )
    blocks.append({"type": "actions", "block_id": f"liumai_pick:{nomination_id}", "elements": buttons})
    return intro, blocks


def nominee_dm(
    rubric: Rubric, lang: str, *, nominator: str, criterion: str, story: str, command: str
) -> tuple[str, list[Block]]:
    """What the nominee reads: who recognised them, for which behaviour, and the story."""
    text = tx(
        "nominate.dm",
        lang,
        nominator=nominator,
        value=escape(value_name(rubric, criterion, lang)),
        criterion=criterion,
        statement=escape(statement(rubric, criterion, lang)),
    )
    return text, [section(text), section(quote(story, 2500)), context(tx("nominate.dm_footer", lang, cmd=command))]
