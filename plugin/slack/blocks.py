"""Block Kit builders: messages, modals and the App Home, within Slack's documented limits.

Builders are pure functions of service read models and a language, so tests can check every
surface against the limits without a Slack connection (plain_text option texts <= 75 chars,
section texts <= 3000, header texts <= 150, modal titles and button labels <= 24 / 75, <= 50
blocks in a message, <= 100 in a modal or the Home tab, private_metadata <= 3000 chars).
Action and callback ids live here too, so handlers and views cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from liumai.rubric.model import Rubric
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition, StoryView
from liumai.slack.texts import TEXTS, tx

Block = dict[str, Any]

# callback ids (views, shortcuts)
NOMINATE_VIEW = "liumai_nominate"
PROGRESS_VIEW = "liumai_progress"
CONFIRM_VIEW = "liumai_confirm"
CONCERN_VIEW = "liumai_concern"
INFO_VIEW = "liumai_info"
MESSAGE_SHORTCUT = "liumai_nominate_message"
# action ids
A_PICK = "liumai_pick"  # + _<rank>: action ids must be unique within a block
A_OTHER = "liumai_other"
A_CANCEL = "liumai_cancel"
A_ACCEPT = "liumai_accept"
A_REJECT = "liumai_reject"
A_RETAG = "liumai_retag"
A_HOME_NOMINATE = "liumai_home_nominate"
A_HOME_SUMMARY = "liumai_home_summary"
# block ids of modal inputs (view_submission errors are keyed by these)
B_NOMINEE, B_STORY, B_VALUE, B_PRIVATE = "nominee", "story", "value", "private"
B_CHOICE, B_OTHER = "choice", "other"
B_SUBJECT, B_CRITERION, B_NOTE, B_MITIGATED = "subject", "criterion", "note", "mitigated"
REVIEW_BLOCK_PREFIX = "liumai_review:"  # + evidence id, read back by the re-tag select

MAX_STORY = 3000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
REVIEW_LIMIT = 15  # 3 blocks each: stays well inside a message's 50 blocks


def cut(text: str, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis (Slack rejects over-long fields outright)."""
    text = text or ""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def plain(text: str, limit: int = 3000) -> dict:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def md(text: str, limit: int = 3000) -> dict:
    return {"type": "mrkdwn", "text": cut(text, limit)}


def section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": md(text), **extra}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [md(t, 2000) for t in texts[:10] if t]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def quote(text: str, limit: int = 600) -> str:
    """A story as a mrkdwn block quote (each line prefixed), shortened for lists."""
    body = cut(" ".join((text or "").split()), limit)
    return "> " + body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Slack's three mrkdwn control characters; everything else is literal."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def metadata(**values: Any) -> str:
    out = json.dumps({k: v for k, v in values.items() if v is not None}, separators=(",", ":"), ensure_ascii=False)
    if len(out) > 3000:
        raise ValueError("private_metadata over Slack's 3000 characters")
    return out


def read_metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def value_name(rubric: Rubric, criterion: str, lang: str) -> str:
    try:
        return rubric.value(criterion.split(".", 1)[0]).names.get(lang)
    except KeyError:
        return criterion


def statement(rubric: Rubric, criterion: str, lang: str) -> str:
    try:
        return rubric.behaviour(criterion).statement.get(lang)
    except KeyError:
        return criterion


def _date(moment: datetime) -> str:
    return moment.date().isoformat()


# ------------------------------------------------------------------ options
def behaviour_option(rubric: Rubric, criterion: str, lang: str) -> dict:
    return {
        "text": plain(f"{criterion} {statement(rubric, criterion, lang)}", 75),
        "value": criterion,
    }


def behaviour_option_groups(rubric: Rubric, lang: str) -> list[dict]:
    """All behaviours grouped by value (6 groups x 5): Slack allows 100 groups of 100 options."""
    return [
        {
            "label": plain(f"{v.names.get(lang)} · {v.key}", 75),
            "options": [behaviour_option(rubric, b.id, lang) for b in v.behaviours],
        }
        for v in rubric.values
    ]


def behaviour_menu(rubric: Rubric, lang: str, action_id: str, placeholder: str) -> dict:
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, 150),
        "option_groups": behaviour_option_groups(rubric, lang),
    }


def value_options(rubric: Rubric, lang: str) -> list[dict]:
    return [{"text": plain(f"{v.names.get(lang)} · {v.motto.get(lang)}", 75), "value": v.key} for v in rubric.values]


# ------------------------------------------------------------------ modals
def modal(callback_id: str, title: str, blocks: list[Block], *, submit: str | None, close: str, **extra: Any) -> dict:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain(close, 24),
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }
    if submit:
        view["submit"] = plain(submit, 24)
    view.update(extra)
    return view


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


def info_view(lang: str, title: str, text: str) -> dict:
    """A closing screen (thanks, recorded, apology): one section and a close button."""
    return modal(INFO_VIEW, title, [section(text)], submit=None, close=tx("close", lang))


def concern_modal(rubric: Rubric, lang: str, *, subject: str | None = None) -> dict:
    """A manager's private form: about whom, which behaviour, what happened, mitigated or not."""
    picker: dict[str, Any] = {"type": "users_select", "action_id": "user"}
    if subject:
        picker["initial_user"] = subject
    blocks: list[Block] = [
        context(tx("concern.privacy", lang)),
        {"type": "input", "block_id": B_SUBJECT, "label": plain(tx("concern.who", lang), 2000), "element": picker},
        {
            "type": "input",
            "block_id": B_CRITERION,
            "label": plain(tx("concern.behaviour", lang), 2000),
            "element": behaviour_menu(rubric, lang, "criterion", tx("modal.other_placeholder", lang)),
        },
        {
            "type": "input",
            "block_id": B_NOTE,
            "label": plain(tx("concern.note", lang), 2000),
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": MAX_STORY},
        },
        {
            "type": "input",
            "block_id": B_MITIGATED,
            "optional": True,
            "label": plain(tx("modal.options", lang), 2000),
            "element": {
                "type": "checkboxes",
                "action_id": "mitigated",
                "options": [{"text": plain(tx("concern.mitigated", lang), 75), "value": "mitigated"}],
            },
        },
    ]
    return modal(
        CONCERN_VIEW, tx("concern.title", lang), blocks, submit=tx("concern.save", lang), close=tx("cancel", lang)
    )


# ------------------------------------------------------------------ messages
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


def text_message(text: str) -> tuple[str, list[Block]]:
    return text, [section(text)]


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


def _story_line(rubric: Rubric, lang: str, s: StoryView, received: bool) -> str:
    key = f"status.{s.status}"
    status = tx(key, lang) if key in TEXTS else s.status
    meta = tx(
        "story.received" if received else "story.given",
        lang,
        name=escape(s.other_name),
        date=_date(s.created_at),
        status=status,
    )
    crit = f"*{s.criterion}* {escape(value_name(rubric, s.criterion, lang))} · " if s.criterion else ""
    link = f" · {tx('source_link', lang, url=s.source_link)}" if s.source_link else ""
    return f"{crit}_{meta}_{link}\n{quote(s.story, 300)}"


def by_value_fields(rubric: Rubric, lang: str, by_value: dict[str, int]) -> Block:
    fields = [
        md(f"*{escape(v.names.get(lang))}*\n{'●' * min(by_value.get(v.key, 0), 10) or '○'} {by_value.get(v.key, 0)}")
        for v in rubric.values
    ]
    return {"type": "section", "fields": fields[:10]}


def my_recognition_blocks(rubric: Rubric, lang: str, me: MyRecognition, *, nominate_cmd: str) -> list[Block]:
    """`/values me`: this quarter by value, recent stories received and given (never concerns)."""
    blocks: list[Block] = [header(tx("me.header", lang, quarter=me.quarter))]
    if me.total:
        blocks.append(section(tx("me.total", lang, total=me.total)))
        blocks.append(by_value_fields(rubric, lang, me.by_value))
    else:
        blocks.append(section(tx("me.none", lang)))
    if me.received:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{tx('me.received', lang)}*"))
        blocks.extend(section(_story_line(rubric, lang, s, True)) for s in me.received)
    blocks.append({"type": "divider"})
    blocks.append(section(f"*{tx('me.given', lang)}*"))
    if me.given:
        blocks.extend(section(_story_line(rubric, lang, s, False)) for s in me.given)
    else:
        blocks.append(context(tx("me.none_given", lang, ncmd=nominate_cmd)))
    return blocks[:MAX_MESSAGE_BLOCKS]


def review_item_blocks(rubric: Rubric, lang: str, e: EvidenceView) -> list[Block]:
    """One piece of evidence with accept / reject / re-tag; the block id carries the evidence id."""
    story = quote(e.story or e.note or "", 500)
    link = f" · {tx('source_link', lang, url=e.source_link)}" if e.source_link else ""
    text = tx(
        "review.item",
        lang,
        subject=escape(e.subject_name),
        criterion=e.criterion,
        statement=escape(cut(statement(rubric, e.criterion, lang), 200)),
        story=story,
        nominator=escape(e.nominator_name or "?"),
        date=_date(e.occurred_at),
    )
    return [
        section(text + link),
        {
            "type": "actions",
            "block_id": f"{REVIEW_BLOCK_PREFIX}{e.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": A_ACCEPT,
                    "style": "primary",
                    "text": plain(tx("review.accept", lang), 75),
                    "value": str(e.id),
                },
                {
                    "type": "button",
                    "action_id": A_REJECT,
                    "style": "danger",
                    "text": plain(tx("review.reject", lang), 75),
                    "value": str(e.id),
                    "confirm": {
                        "title": plain(tx("review.reject_confirm_title", lang), 100),
                        "text": plain(tx("review.reject_confirm", lang), 300),
                        "confirm": plain(tx("review.reject", lang), 30),
                        "deny": plain(tx("cancel", lang), 30),
                        "style": "danger",
                    },
                },
                behaviour_menu(rubric, lang, A_RETAG, tx("review.retag", lang)),
            ],
        },
    ]


def review_blocks(
    rubric: Rubric, lang: str, queue: Sequence[EvidenceView], *, notice: str | None = None, limit: int = REVIEW_LIMIT
) -> list[Block]:
    """`/values review` and the Home tab's manager section."""
    blocks: list[Block] = []
    if notice:
        blocks.append(context(notice))
    count = f"{limit}+" if len(queue) > limit else str(len(queue))  # callers fetch limit + 1 to know
    blocks.append(header(tx("review.header", lang, n=count)))
    if not queue:
        blocks.append(section(tx("review.empty", lang)))
    for e in list(queue)[:limit]:
        blocks.extend(review_item_blocks(rubric, lang, e))
    if len(queue) > limit:
        blocks.append(context(tx("review.more", lang, n=limit)))
    return blocks


# ------------------------------------------------------------------ App Home
def home_view(
    rubric: Rubric,
    lang: str,
    *,
    me: MyRecognition | None,
    queue: Sequence[EvidenceView] | None = None,
    unrecognised: Iterable[str] | None = None,
    notice: str | None = None,
    nominate_cmd: str = "/nominate",
    values_cmd: str = "/values",
    not_in_org: bool = False,
) -> dict:
    """The Home tab: my recognition; for managers this quarter's summary, the review queue and who
    has none yet."""
    blocks: list[Block] = [header(tx("home.title", lang)), context(tx("home.intro", lang))]
    if notice:
        blocks.append(section(notice))
    blocks.append(
        {
            "type": "actions",
            "block_id": "liumai_home",
            "elements": [
                {
                    "type": "button",
                    "action_id": A_HOME_NOMINATE,
                    "style": "primary",
                    "text": plain(tx("home.nominate", lang), 75),
                    "value": "nominate",
                }
            ],
        }
    )
    if not_in_org or me is None:
        blocks.append(section(tx("not_in_org", lang)))
        return {"type": "home", "blocks": blocks}
    blocks.append({"type": "divider"})
    blocks.append(section(f"*{tx('home.by_value', lang, quarter=me.quarter)}*"))
    blocks.append(by_value_fields(rubric, lang, me.by_value))
    if me.received:
        blocks.append(section(f"*{tx('me.received', lang)}*"))
        blocks.extend(section(_story_line(rubric, lang, s, True)) for s in me.received)
    blocks.append(section(f"*{tx('me.given', lang)}*"))
    if me.given:
        blocks.extend(section(_story_line(rubric, lang, s, False)) for s in me.given)
    else:
        blocks.append(context(tx("me.none_given", lang, ncmd=nominate_cmd)))
    if queue is not None:
        blocks.append({"type": "divider"})
        blocks.append(header(tx("home.manager", lang)))
        blocks.append(
            {
                "type": "actions",
                "block_id": "liumai_home_manager",
                "elements": [
                    {
                        "type": "button",
                        "action_id": A_HOME_SUMMARY,
                        "text": plain(tx("home.summary", lang), 75),
                        "value": me.quarter,
                    }
                ],
            }
        )
        blocks.append(context(tx("home.summary_hint", lang, cmd=values_cmd)))
        blocks.extend(review_blocks(rubric, lang, queue, limit=10))
        names = list(unrecognised or [])
        blocks.append(section(f"*{tx('home.unrecognised', lang, quarter=me.quarter)}*"))
        blocks.append(
            section(", ".join(escape(n) for n in names)) if names else context(tx("home.everyone_recognised", lang))
        )
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
