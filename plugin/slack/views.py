"""Block Kit primitives: ids, Slack's limits, text helpers, option lists and the modal shell.

Builders are pure functions of service read models and a language, so tests can check every
surface against the limits without a Slack connection (plain_text option texts <= 75 chars,
section texts <= 3000, header texts <= 150, modal titles and button labels <= 24 / 75, <= 50
blocks in a message, <= 100 in a modal or the Home tab, private_metadata <= 3000 chars).
Action and callback ids live here too, so handlers and views cannot drift apart. The views built
from these are in `nomination_views` (nominating) and `review_views` (review, concerns, me, Home).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from liumai.rubric.model import Rubric
from liumai.slack.texts import tx

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


def day(moment: datetime) -> str:
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


def info_view(lang: str, title: str, text: str) -> dict:
    """A closing screen (thanks, recorded, apology): one section and a close button."""
    return modal(INFO_VIEW, title, [section(text)], submit=None, close=tx("close", lang))


def text_message(text: str) -> tuple[str, list[Block]]:
    return text, [section(text)]
