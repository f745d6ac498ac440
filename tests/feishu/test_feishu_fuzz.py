"""Hostile message content, fuzzed through the real HTTP path (encrypted, signed im.message.receive_v1).

Whatever the content - any Unicode, control characters, 100k-character strings, mentions lists
that are missing, not lists, or whose keys match nothing, content that is not JSON or not an
object, message types the bot does not read - the app answers 200, nothing fails in the background
workers (their errors are captured from the log), and the sender gets a clear reply that Feishu
accepts. Stories that look like SQL or markup are stored verbatim and shown inert in every card:
only in plain_text, never in Markdown.

Hypothesis runs derandomized (the same examples every run) with bounded example counts, so the
module stays well under 40 s.
"""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from liumai.feishu.texts import tr
from liumai.services import evidence as ev
from liumai.services.digest import build_digest
from liumai.services.org import set_team
from liumai.storage.db import session_scope
from liumai.storage.models import Nomination
from tests.fakes.feishu_api import Call, _strings
from tests.feishu.driver import card_values, converse
from tests.feishu.helpers import card_action, message_event

FUZZ = settings(
    max_examples=250,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
SENDERS = ("ou_ann", "ou_wang")  # English and Chinese; neither manages anyone, so nothing slow is rendered
PREFIXES = (
    "",
    "/nominate @_user_1 ",
    "/提名 @_user_1 ",
    "/values ",
    "/values concern @_user_1 teamwork.1 ",
    "/values summary @_user_1 ",
    "/values team ",
    "/values digest ",
    "/values evidence ",
    "/values export ",
    "/values erase @_user_1 ",
    "@_user_1 ",
    "/",
)
GOOD_MENTIONS = [{"key": "@_user_1", "id": {"open_id": "ou_bob"}, "name": "Bob"}]
BOT_MENTION = {"key": "@_user_0", "id": {"open_id": "ou_liumai_bot"}, "name": "Liumai"}


class Failures(logging.Handler):
    """Collects ERROR records of the adapter: background work that failed, commands that crashed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def failures():
    handler = Failures()
    logger = logging.getLogger("liumai")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def deliver(app, failures: Failures, sender: str, message: dict) -> list[Call]:
    """Post one raw message event; check the HTTP answer, the workers and the reply."""
    app.idle()
    mark = app.fake.mark()
    event = message_event(sender, "", event_id=uuid.uuid4().hex)
    event["event"]["message"].update(message)
    r = app.client.post(event)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    app.idle()
    assert not failures.records, [f.getMessage() + "\n" + (f.exc_text or "") for f in failures.records]
    later = app.fake.snapshot()[mark:]
    refused = [c for c in later if c.path == "/open-apis/im/v1/messages" and c.response.get("code") != 0]
    assert not refused, [c.response for c in refused]  # e.g. a reply over Feishu's size limits
    replies = [c for c in app.fake.sent(sender) if any(x is c for x in later)]
    assert replies, f"no reply to {str(message)[:200]!r}"
    for c in replies:
        if c.body["msg_type"] == "text":
            assert c.text.strip()
            assert not re.search(r"<\s*at", c.text, re.IGNORECASE), c.text[:200]
    return replies


def text_content(text: str) -> str:
    return json.dumps({"text": text}, ensure_ascii=False)


any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
control_heavy = st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=200)


@FUZZ
@example(sender="ou_ann", prefix="/values team ", body="\x0f\x9e\x00\x1b2x", group=False)  # NUL: PostgreSQL
@example(sender="ou_wang", prefix="/values digest ", body="\x00", group=False)
@given(
    sender=st.sampled_from(SENDERS),
    prefix=st.sampled_from(PREFIXES),
    body=st.one_of(any_text, control_heavy),
    group=st.booleans(),
)
def test_any_unicode_and_control_characters(app, failures, sender, prefix, body, group):
    if group:  # in a group the bot only answers when mentioned; the answer still goes to the direct chat
        message = {
            "content": text_content("@_user_0 " + prefix + body),
            "mentions": [BOT_MENTION, *GOOD_MENTIONS],
            "chat_type": "group",
            "chat_id": "oc_group_alpha",
        }
    else:
        message = {"content": text_content(prefix + body), "mentions": GOOD_MENTIONS}
    deliver(app, failures, sender, message)


@settings(FUZZ, max_examples=30)
@example(sender="ou_wang", prefix="/nominate @_user_1 ", unit="长", length=100_000)
@example(sender="ou_ann", prefix="", unit="\x00\u202e", length=100_000)
@given(
    sender=st.sampled_from(SENDERS),
    prefix=st.sampled_from(("/nominate @_user_1 ", "/values concern @_user_1 teamwork.1 ", "", "@_user_1 ")),
    unit=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8),
    length=st.integers(min_value=3_001, max_value=100_000),
)
def test_huge_strings(app, failures, sender, prefix, unit, length):
    body = (unit * (length // len(unit) + 1))[:length]
    mentions = [{"key": "@_user_1", "id": {"open_id": "ou_bob"}, "name": body}]  # a huge name, too
    replies = deliver(app, failures, sender, {"content": text_content(prefix + body), "mentions": mentions})
    assert all(len(c.body["content"]) < 40_000 for c in replies)


mention_item = st.one_of(
    st.fixed_dictionaries({"key": st.sampled_from(["@_user_1", "@_user_2", "@_user_9", "@_all", ""])}),
    st.fixed_dictionaries(
        {
            "key": st.one_of(st.sampled_from(["@_user_1", "@_user_2"]), st.integers(), st.none()),
            "id": st.one_of(
                st.fixed_dictionaries({"open_id": st.sampled_from(["ou_bob", "ou_ann", "ou_ghost", "", "ou_wang"])}),
                st.fixed_dictionaries({"open_id": st.one_of(st.integers(), st.none(), st.lists(st.integers()))}),
                st.text(max_size=5),
                st.none(),
            ),
            "name": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        }
    ),
    st.text(max_size=10),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
mentions_field = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.integers(),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.lists(mention_item, max_size=4),
)


@FUZZ
@given(
    sender=st.sampled_from(SENDERS),
    text=st.sampled_from(
        (
            "/nominate @_user_1 fixed the build",
            "/nominate @_user_2 @_user_1 helped @_user_9 ship",
            "/nominate fixed the build",
            "/values concern @_user_1 integrity.2 late",
            "/values summary @_user_1",
            "/values export @_user_1",
            "/values erase @_user_1",
            "/values evidence @_user_2",
            "@_user_1 @_user_2 /nominate @_all story",
            "@_all",
        )
    ),
    mentions=mentions_field,
)
def test_broken_and_mismatched_mentions(app, failures, sender, text, mentions):
    deliver(app, failures, sender, {"content": text_content(text), "mentions": mentions})


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10,
)
malformed_content = st.one_of(
    st.text(max_size=60),  # mostly not JSON at all
    st.sampled_from(['{"text": ', "[" * 3000 + "]" * 3000, '{"text": "\\ud800 lone"}', "null", "{}", '""']),
    json_values.map(json.dumps),
    st.fixed_dictionaries({"text": json_values}).map(json.dumps),
    st.fixed_dictionaries({"title": json_values, "content": json_values}).map(json.dumps),
    st.fixed_dictionaries(
        {
            "content": st.lists(
                st.lists(
                    st.one_of(
                        json_values,
                        st.fixed_dictionaries(
                            {
                                "tag": st.sampled_from(["text", "at", "a", "img"]),
                                "text": json_values,
                                "user_id": json_values,
                            }
                        ),
                    ),
                    max_size=3,
                ),
                max_size=3,
            )
        }
    ).map(json.dumps),
    st.one_of(
        st.integers(),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),  # not even a string
)


@FUZZ
@given(
    sender=st.sampled_from(SENDERS),
    message_type=st.one_of(
        st.sampled_from(["text", "post", "image", "file", "audio", "sticker", "interactive", "share_chat", "", "💥"]),
        st.none(),
        st.integers(),
    ),
    content=malformed_content,
)
def test_malformed_content_and_wrong_message_types(app, failures, sender, message_type, content):
    replies = deliver(app, failures, sender, {"message_type": message_type, "content": content, "mentions": None})
    help_text = tr("help", "en" if sender == "ou_ann" else "zh")
    if message_type not in ("text", "post"):
        assert any(help_text in c.text for c in replies)


ids = st.one_of(st.text(max_size=40), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2))


@settings(FUZZ, max_examples=150)
@given(
    sender=ids, event_id=ids, message_id=ids, chat_id=ids, mention_id=ids, chat_type=st.sampled_from(["p2p", "group"])
)
def test_forged_ids_in_the_envelope(app, failures, sender, event_id, message_id, chat_id, mention_id, chat_type):
    """Ids are looked up and stored: whatever they hold, nothing fails (a NUL would on PostgreSQL)."""
    app.idle()
    event = message_event("ou_ann", "", chat_type=chat_type)
    event["header"]["event_id"] = event_id
    event["event"]["sender"]["sender_id"]["open_id"] = sender
    message = event["event"]["message"]
    message.update({"message_id": message_id, "chat_id": chat_id})
    message["content"] = text_content("@_user_0 /nominate @_user_1 fixed the build for all of us")
    message["mentions"] = [BOT_MENTION, {"key": "@_user_1", "id": {"open_id": mention_id}, "name": "X"}]
    r = app.client.post(event)
    assert r.status_code == 200, r.text[:300]
    app.idle()
    assert not failures.records, [f.getMessage() + "\n" + (f.exc_text or "") for f in failures.records]


def test_a_lone_surrogate_in_a_story_is_stored_as_a_replacement(app, failures):
    replies = deliver(
        app,
        failures,
        "ou_ann",
        {"content": '{"text": "/nominate @_user_1 fixed \\ud800 the build"}', "mentions": GOOD_MENTIONS},
    )
    assert "Nomination for Bob" in replies[0].text
    with session_scope(app.ctx.engine) as s:
        assert s.exec(select(Nomination.story)).one() == "fixed ? the build"


# ---------------------------------------------------------------------- inert rendering
HOSTILE = (
    "'; DROP TABLE person; --",
    '<at user_id="all"></at> 全体注意',
    "@all please look",
    "**bold** and ~~strike~~",
    "[link](javascript:alert(1))",
)
DANGEROUS = ("DROP TABLE", "<at", "@all", "**bold**", "~~strike~~", "javascript:", "](")


def markdown_texts(card: object) -> list[str]:
    """Every string of a card that Feishu would interpret as Markdown."""
    out: list[str] = []
    if isinstance(card, dict):
        if card.get("tag") in ("markdown", "lark_md") and isinstance(card.get("content"), str):
            out.append(card["content"])
        for v in card.values():
            out += markdown_texts(v)
    elif isinstance(card, list):
        for v in card:
            out += markdown_texts(v)
    return out


def plain_texts(card: object) -> list[str]:
    out: list[str] = []
    if isinstance(card, dict):
        if card.get("tag") == "plain_text" and isinstance(card.get("content"), str):
            out.append(card["content"])
        for v in card.values():
            out += plain_texts(v)
    elif isinstance(card, list):
        for v in card:
            out += plain_texts(v)
    return out


def assert_inert(card: dict, story: str) -> None:
    for md in markdown_texts(card):
        for bad in DANGEROUS:
            assert bad not in md, (bad, md)
    shown = "\n".join(plain_texts(card))
    # plain_text shows Markdown and SQL literally (that is what makes it inert); tags and
    # broadcast mentions are defused as well, in case a client ever parsed them.
    for literal in ("DROP TABLE person; --", "**bold** and ~~strike~~", "[link](javascript:alert(1))"):
        assert literal in shown or literal not in story
    assert "<at" not in shown and "@all" not in shown


@pytest.mark.parametrize("story", HOSTILE, ids=["sql", "at-all-tag", "at-all", "bold", "js-link"])
def test_sql_and_markup_stories_are_stored_verbatim_and_shown_inert(app, failures, story):
    full = f"Bob helped everyone: {story}"
    replies = deliver(
        app, failures, "ou_ann", {"content": text_content(f"/nominate @_user_1 {full}"), "mentions": GOOD_MENTIONS}
    )
    with session_scope(app.ctx.engine) as s:
        nomination = s.exec(select(Nomination)).one()
    assert nomination.story == full  # verbatim, whatever it looks like
    cards_seen = [c.content for c in replies if c.body["msg_type"] == "interactive"]
    # Through every card that shows the story: suggestions, confirmation, the nominee's note,
    # the manager's review queue, my recognition, the evidence list, the summary and the digest.
    n = nomination.id
    body = app.client.card(card_action("ou_ann", {"a": "confirm", "n": n, "c": "teamwork.3"})).json()
    cards_seen.append(body["card"]["data"])
    app.idle()
    cards_seen += [c.content for c in app.fake.sent("ou_bob")]
    for who, text in (("ou_mgr", "/values review"), ("ou_bob", "/values me"), ("ou_mgr", "/values evidence @_user_1")):
        replies = converse(app, who, text, [("@_user_1", "ou_bob", "Bob")])
        cards_seen.append(replies[0].content)
    [e] = [v["e"] for v in card_values(cards_seen[-3]) if v.get("a") == "accept"]
    ev.decide(app.ctx, e, "mgr@example.com", "accepted")
    cards_seen.append(converse(app, "ou_mgr", "/values summary @_user_1", [("@_user_1", "ou_bob", "Bob")])[0].content)
    set_team(app.ctx, "alpha", feishu_chat_id="oc_alpha_values")
    app.integration.digest_poster().post("oc_alpha_values", build_digest(app.ctx, "alpha", "2026-W47"))
    cards_seen.append(app.fake.sent("oc_alpha_values")[0].content)
    assert len(cards_seen) >= 8
    for card in cards_seen:
        assert "Bob helped everyone" in _strings(card)
        assert_inert(card, story)
    assert not failures.records
