"""HTTP callback mode over real HTTP: decryption, signatures, replay window, tokens, event de-duplication."""

from __future__ import annotations

import json
import uuid

from sqlmodel import func, select

from liumai.storage.db import session_scope
from liumai.storage.models import Nomination, ProcessedEvent
from tests.feishu.helpers import (
    ENCRYPT_KEY,
    VERIFICATION_TOKEN,
    encrypt,
    legacy_card_action,
    message_event,
    sign,
)

STORY_EN = (
    "Bob proactively shared his business knowledge and experience with the new hires "
    "and helped colleagues without being asked."
)


def count(ctx, model) -> int:
    with session_scope(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def nominate_event(**kw):
    return message_event("ou_ann", f"/nominate @_user_1 {STORY_EN}", [("@_user_1", "ou_bob", "Bob")], **kw)


def test_url_verification_is_answered_with_the_challenge(app):
    challenge = {"challenge": "ajls384kdjx98XX", "token": VERIFICATION_TOKEN, "type": "url_verification"}
    for path in ("/feishu/events", "/feishu/card"):
        r = app.client.post(challenge, path=path)
        assert r.status_code == 200 and r.json() == {"challenge": "ajls384kdjx98XX"}
    r = app.client.post({**challenge, "token": "someone-else"})
    assert r.status_code == 401


def test_bad_signature_is_rejected_and_changes_nothing(app):
    r = app.client.post(nominate_event(), signature="0" * 64)
    assert r.status_code == 401 and "signature" in r.json()["msg"]
    # A body signed with another key is just as bad.
    body = json.dumps({"encrypt": encrypt(json.dumps(nominate_event()))}).encode()
    ts = str(app.client.now())
    r = app.client.http.post(
        app.client.url + "/feishu/events",
        content=body,
        headers={
            "X-Lark-Request-Timestamp": ts,
            "X-Lark-Request-Nonce": "n",
            "X-Lark-Signature": sign(ts, "n", body, key="not-" + ENCRYPT_KEY),
        },
    )
    assert r.status_code == 401
    app.idle()
    assert count(app.ctx, Nomination) == 0 and count(app.ctx, ProcessedEvent) == 0
    assert app.fake.sent() == []


def test_stale_timestamp_is_rejected(app):
    r = app.client.post(nominate_event(), timestamp=app.client.now() - 3600)
    assert r.status_code == 401 and "stale" in r.json()["msg"]
    r = app.client.post(nominate_event(), timestamp=app.client.now() + 3600)
    assert r.status_code == 401
    app.idle()
    assert count(app.ctx, Nomination) == 0 and app.fake.sent() == []


def test_wrong_verification_token_plaintext_and_garbage_are_rejected(app):
    event = nominate_event()
    event["header"]["token"] = "forged"
    assert app.client.post(event).status_code == 401
    assert app.client.post(nominate_event(), encrypted=False).status_code == 400  # encrypt key set: must be encrypted
    r = app.client.http.post(app.client.url + "/feishu/events", content=b'{"encrypt": "bm90IGFlcw=="}')
    assert r.status_code == 400
    app.idle()
    assert count(app.ctx, Nomination) == 0


def test_a_repushed_event_does_nothing_twice(app):
    event = nominate_event(event_id="ev-dup-1")
    first = app.client.post(event)
    assert first.status_code == 200 and first.json() == {"msg": "success"}
    app.fake.wait_message("ou_ann", "Bob")
    # Feishu re-pushes with the same event_id (new timestamp, new nonce, new encryption).
    again = app.client.post(event)
    assert again.status_code == 200 and again.json() == {"msg": "duplicate"}
    app.idle()
    assert count(app.ctx, Nomination) == 1
    assert len(app.fake.sent("ou_ann")) == 1


def test_a_re_sent_message_with_a_new_event_id_is_still_one_nomination(app):
    message_id = "om_" + uuid.uuid4().hex[:20]
    app.client.post(nominate_event(message_id=message_id))
    app.client.post(nominate_event(message_id=message_id))
    app.idle()
    assert count(app.ctx, Nomination) == 1
    assert len(app.fake.sent("ou_ann")) == 1  # the second card send is de-duplicated by its uuid


def test_unknown_user_is_told_in_chinese_and_nothing_is_stored(app):
    r = app.client.post(message_event("ou_stranger", f"/nominate @_user_1 {STORY_EN}", [("@_user_1", "ou_bob", "Bob")]))
    assert r.status_code == 200
    reply = app.fake.wait_message("ou_stranger")
    assert "组织架构" in reply.text
    app.idle()
    assert count(app.ctx, Nomination) == 0


def test_unknown_nominee_is_named(app):
    app.client.post(message_event("ou_ann", f"/nominate @_user_1 {STORY_EN}", [("@_user_1", "ou_ghost", "Ghost")]))
    reply = app.fake.wait_message("ou_ann")
    assert "Ghost" in reply.text and "org chart" in reply.text
    app.idle()
    assert count(app.ctx, Nomination) == 0


def test_bot_mentioned_in_a_group_without_a_command_gets_help(app):
    mentions = [("@_user_1", "ou_liumai_bot", "Liumai")]
    r = app.client.post(message_event("ou_bob", "@_user_1 hello", mentions, chat_type="group"))
    assert r.status_code == 200
    reply = app.fake.wait_message("ou_bob", "/nominate")
    assert "/values review" in reply.text  # Bob's locale is English
    assert "Liumai" in reply.text


def test_group_messages_not_mentioning_the_bot_are_ignored(app):
    app.client.post(message_event("ou_bob", "@_user_1 lunch?", [("@_user_1", "ou_ann", "Ann")], chat_type="group"))
    app.client.post(message_event("ou_bob", "no mentions at all", chat_type="group"))
    app.idle()
    assert app.fake.sent() == []


def test_group_nomination_links_back_to_the_chat(app):
    mentions = [("@_user_1", "ou_liumai_bot", "Liumai"), ("@_user_2", "ou_bob", "Bob")]
    app.client.post(message_event("ou_ann", f"@_user_1 /nominate @_user_2 {STORY_EN}", mentions, chat_type="group"))
    card = app.fake.wait_message("ou_ann", "Nomination for Bob")
    assert "teamwork.3" in card.text
    with session_scope(app.ctx.engine) as s:
        n = s.exec(select(Nomination)).one()
    assert n.source == "feishu" and n.story == STORY_EN
    assert n.source_link and "openChatId=oc_group_alpha" in n.source_link


def test_messages_from_other_bots_are_ignored(app):
    app.client.post(message_event("ou_ann", "/values me", sender_type="app"))
    app.idle()
    assert app.fake.sent() == []


def test_legacy_card_callback_needs_its_sha1_signature(app):
    payload = legacy_card_action("ou_ann", {"a": "confirm", "n": 999, "c": "teamwork.3"})
    ok = app.client.card(payload, encrypted=False, legacy=True)
    assert ok.status_code == 200
    assert ok.json()["toast"]["type"] == "error"  # nomination 999 does not exist: a toast, not a crash
    bad = app.client.card(payload, encrypted=False, signature="f" * 40)
    assert bad.status_code == 401
    stale = app.client.card(payload, encrypted=False, legacy=True, timestamp=app.client.now() - 3600)
    assert stale.status_code == 401


def test_old_event_ids_are_pruned(app, monkeypatch):
    from datetime import timedelta

    import liumai.feishu.dispatch as bot_module

    monkeypatch.setattr(bot_module, "PRUNE_EVERY", 1)
    with session_scope(app.ctx.engine) as s:
        s.add(ProcessedEvent(platform="feishu", event_id="ancient", received_at=app.ctx.now() - timedelta(days=30)))
        s.add(ProcessedEvent(platform="slack", event_id="ancient", received_at=app.ctx.now() - timedelta(days=30)))
    app.client.post(message_event("ou_ann", "/values help", event_id="ev-new"))
    app.idle()
    with session_scope(app.ctx.engine) as s:
        rows = {(e.platform, e.event_id) for e in s.exec(select(ProcessedEvent)).all()}
    assert rows == {("feishu", "ev-new"), ("slack", "ancient")}
