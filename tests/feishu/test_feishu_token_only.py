"""Token-only HTTP mode (no FEISHU_ENCRYPT_KEY): a captured card click cannot be replayed.

Nothing is signed in this mode - the verification token travels in the plaintext body - so before
the fix a request without `X-Lark-Request-Timestamp` skipped the replay window and the replay cache
altogether, and a captured "reject" could be sent again and again, each time undoing the manager's
later change of mind. Now the timestamp and nonce are required, the cache keys on the body alone
(the headers could be rewritten) and the body's own `create_time` must be within the window.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence
from tests.feishu.conftest import App
from tests.feishu.driver import FeishuDriver
from tests.feishu.helpers import card_action

STORY = "Bob proactively shared his business knowledge and experience with the new hires and helped colleagues."


def status(app: App, evidence_id: int) -> str:
    with session_scope(app.ctx.engine) as s:
        return s.get(Evidence, evidence_id).status


def rejections(app: App, evidence_id: int) -> int:
    with session_scope(app.ctx.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == "evidence.reject")).all()
        return sum(1 for r in rows if str(r.entity_id) == str(evidence_id))


def pending_evidence(app: App) -> int:
    d = FeishuDriver(app)
    n = d.nominate("ann@example.com", "bob@example.com", STORY)
    d.confirm("ann@example.com", n, "teamwork.3")
    [e] = d.review("mgr@example.com")
    return e


def headers(app: App, ts: int | None = None, nonce: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": str(app.client.now() if ts is None else ts),
        "X-Lark-Request-Nonce": nonce or uuid.uuid4().hex[:16],
        "X-Lark-Signature": "0" * 64,  # what Feishu signs with no encrypt key is not checked here
    }


def refused(caplog, reason: str) -> int:
    return sum(1 for r in caplog.records if f"reason={reason} " in r.getMessage() and r.levelno == logging.WARNING)


def test_a_captured_reject_sent_three_times_changes_the_state_once(token_only_app: App, caplog):
    app = token_only_app
    caplog.set_level(logging.WARNING)
    e = pending_evidence(app)
    url = app.client.url + "/feishu/card"
    captured = json.dumps(card_action("ou_mgr", {"a": "reject", "e": e})).encode()
    captured_headers = headers(app)
    first = app.client.http.post(url, content=captured, headers=captured_headers)
    assert first.status_code == 200 and status(app, e) == "rejected"
    FeishuDriver(app).decide("mgr@example.com", e, "accepted")  # the manager changes their mind
    assert status(app, e) == "accepted"
    # The same bytes again, twice; then with fresh (unsigned) headers; then with none at all.
    for _ in range(2):
        assert app.client.http.post(url, content=captured, headers=captured_headers).status_code == 401
    assert app.client.http.post(url, content=captured, headers=headers(app)).status_code == 401
    assert refused(caplog, "replayed_request") == 3
    bare = app.client.http.post(url, content=captured, headers={"Content-Type": "application/json"})
    assert bare.status_code == 401 and "Timestamp" in bare.json()["msg"]
    assert refused(caplog, "missing_timestamp") == 1
    assert status(app, e) == "accepted" and rejections(app, e) == 1


def test_without_the_timestamp_header_a_click_is_refused(token_only_app: App, caplog):
    app = token_only_app
    caplog.set_level(logging.WARNING)
    e = pending_evidence(app)
    body = json.dumps(card_action("ou_mgr", {"a": "reject", "e": e})).encode()
    url = app.client.url + "/feishu/card"
    no_ts = {k: v for k, v in headers(app).items() if k != "X-Lark-Request-Timestamp"}
    no_nonce = {k: v for k, v in headers(app).items() if k != "X-Lark-Request-Nonce"}
    for h in (no_ts, no_nonce, {"Content-Type": "application/json"}):
        r = app.client.http.post(url, content=body, headers=h)
        assert r.status_code == 401, r.text
    assert refused(caplog, "missing_timestamp") == 3
    assert status(app, e) == "pending" and rejections(app, e) == 0
    # Events are held to the same rule, and a URL check from the console still needs none.
    event = app.client.http.post(app.client.url + "/feishu/events", content=b'{"schema": "2.0"}')
    assert event.status_code == 401 and refused(caplog, "missing_timestamp") == 4
    challenge = {"challenge": "c-123", "token": app.client.token, "type": "url_verification"}
    r = app.client.http.post(app.client.url + "/feishu/events", content=json.dumps(challenge).encode())
    assert r.status_code == 200 and r.json() == {"challenge": "c-123"}


def test_a_captured_body_is_stale_after_the_window_whatever_its_headers(token_only_app: App, caplog):
    app = token_only_app
    caplog.set_level(logging.WARNING)
    e = pending_evidence(app)
    url = app.client.url + "/feishu/card"
    captured = json.dumps(card_action("ou_mgr", {"a": "reject", "e": e})).encode()
    assert app.client.http.post(url, content=captured, headers=headers(app)).status_code == 200
    FeishuDriver(app).decide("mgr@example.com", e, "accepted")
    app.ctx.clock.now += timedelta(minutes=30)  # the replay cache has long forgotten it
    r = app.client.http.post(url, content=captured, headers=headers(app))  # a current timestamp
    assert r.status_code == 401 and refused(caplog, "stale_timestamp") == 1
    assert status(app, e) == "accepted" and rejections(app, e) == 1
    # A fresh click made now is fine.
    fresh = card_action("ou_mgr", {"a": "reject", "e": e})
    fresh["header"]["create_time"] = str(int(app.ctx.now().timestamp() * 1000))
    r = app.client.http.post(url, content=json.dumps(fresh).encode(), headers=headers(app))
    assert r.status_code == 200 and status(app, e) == "rejected"


def test_token_only_mode_says_so_at_start(org, fake_feishu, caplog):
    import dataclasses

    from liumai.config import load_settings
    from liumai.feishu import build_feishu
    from tests.fakes.feishu_api import APP_ID, APP_SECRET

    caplog.set_level(logging.WARNING)
    settings = load_settings(
        LIUMAI_DATABASE_URL=org.settings.database_url,
        FEISHU_APP_ID=APP_ID,
        FEISHU_APP_SECRET=APP_SECRET,
        FEISHU_VERIFICATION_TOKEN="tok-" + "x" * 12,
        FEISHU_DOMAIN=fake_feishu.url,
    )
    integration = build_feishu(dataclasses.replace(org, settings=settings))
    try:
        lines = [r.getMessage() for r in caplog.records if "FEISHU_ENCRYPT_KEY is not set" in r.getMessage()]
        assert len(lines) == 1 and "\n" not in lines[0] and "tok-" not in lines[0]
    finally:
        integration.bot.shutdown()
