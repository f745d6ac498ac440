"""Feishu card primitives (card JSON 2.0), the sizes Feishu allows, and callback answers (toasts).

User text - stories, tagger quotes, notes, people's names, team titles - only ever goes into
`plain_text` (a `div`, built by `plain`), never into `markdown`/`lark_md`, and passes
`escape.feishu_text` on the way: a story like `**bold**`, `[link](javascript:...)` or
`<at user_id="all"></at>` is shown as typed and can neither format the card, link anywhere nor
mention anyone. Markdown is kept for our own fixed wording (headings, behaviour labels from the rubric).

Each button or select carries a small `value` object, echoed back in the card action callback:
`{"a": action, "n": nomination id, "e": evidence id, "c": criterion}`. The value is not trusted:
every action is re-authorised by the services (only the nominator confirms, only a manager
decides), so a forwarded or forged card can do nothing its clicker may not do anyway.

The cards built from these are in `nomination_views` (nominating) and `review_views` (review,
my recognition, team, evidence, erase); report cards in `report_cards`, as on Slack.
"""

from __future__ import annotations

import json
from typing import Any

from liumai.feishu.texts import behaviour_label, clip, tr
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric

Card = dict[str, Any]
STORY_PREVIEW = 600
REVIEW_PAGE = 8  # at most; review_card adds fewer when the card would pass Feishu's size limit (zh: about 4)
FORM_STORY_MAX = 1000  # the card input's maximum; `/nominate` in a message takes up to 3,000
FORM_CANDIDATES = 300  # people offered by the form's picker (about 15 KB of the card)
CARD_MAX_BYTES = 28_000  # Feishu refuses cards over 30 KB; keep a margin for the request envelope
TEAM_ROWS = 60  # people listed on a team card; the CSV and HTML report have everyone
EVIDENCE_ROWS = 15


def md(content: str) -> dict:
    return {"tag": "markdown", "content": content}


def note(content: str) -> dict:
    return {"tag": "markdown", "content": content, "text_size": "notation"}


def plain(content: str, *, small: bool = False) -> dict:
    """User text: shown exactly as typed (made inert), never interpreted as Markdown."""
    text: dict[str, Any] = {"tag": "plain_text", "content": esc.feishu_text(content)}
    if small:
        text["text_size"] = "notation"
    return {"tag": "div", "text": text}


def button(label: str, value: dict, kind: str = "default") -> dict:
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": label},
        "type": kind,
        "behaviors": [{"type": "callback", "value": value}],
    }


def make_card(title: str, elements: list[dict], template: str = "blue") -> Card:
    return {
        "schema": "2.0",
        "config": {"update_multi": True},
        "header": {"title": {"tag": "plain_text", "content": title}, "template": template},
        "body": {"elements": elements},
    }


def story_div(text: str, limit: int = STORY_PREVIEW) -> dict:
    """A story as plain text, cut to a preview length."""
    return plain(clip(text, limit).replace("\r", ""))


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


def toast(kind: str, content: str) -> dict:
    """kind: success | error | info | warning."""
    return {"type": kind, "content": content}


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
    shortened = tr("card.shortened", lang)
    elements.append(
        note(shortened)
        if "body" in card
        else {"tag": "note", "elements": [{"tag": "plain_text", "content": shortened}]}
    )
    return card
