"""Refused requests are counted in the logs, and no configured secret is ever logged.

Forged signatures, stale timestamps and replays are refused (tests/feishu/test_feishu_http.py shows
that nothing changes); here each refusal must also leave a WARNING line with its reason code and a
running count. The secret scan runs a whole Feishu flow with distinctive credentials, every logger
at DEBUG - ours, lark-oapi's ("Lark"), uvicorn's (access log on), urllib3, httpx, SQLAlchemy - plus
whatever reaches stdout/stderr, and looks for every configured secret in all of it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid

import pytest

from liumai.config import load_settings
from liumai.feishu import build_feishu
from liumai.feishu.logs import LARK_LOGGER, redact
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.org import set_team
from liumai.web import create_app
from tests.fakes.feishu_api import LoopbackServer
from tests.feishu.driver import FeishuDriver, converse
from tests.feishu.fixtures import App
from tests.feishu.helpers import FeishuClient, card_action, encrypt, message_event, sign

STORY = "Bob proactively shared his business knowledge and experience with the new hires and helped colleagues."


def refusals(caplog, reason: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "refused" in r.getMessage() and f"reason={reason} " in r.getMessage()
    ]


def nominate_event(**kw) -> dict:
    return message_event("ou_ann", f"/nominate @_user_1 {STORY}", [("@_user_1", "ou_bob", "Bob")], **kw)


def test_forged_signatures_are_refused_and_counted(app, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(2):
        assert app.client.post(nominate_event(), signature="0" * 64).status_code == 401
    lines = refusals(caplog, "bad_signature")
    assert [line.getMessage().rsplit("count=", 1)[1] for line in lines] == ["1", "2"]
    assert "path=/feishu/events" in lines[0].getMessage() and "status=401" in lines[0].getMessage()
    assert app.integration.http.refused["bad_signature"] == 2
    app.idle()
    assert app.fake.sent() == []


def test_stale_and_future_timestamps_are_refused_and_counted(app, caplog):
    caplog.set_level(logging.WARNING)
    assert app.client.post(nominate_event(), timestamp=app.client.now() - 3600).status_code == 401
    assert (
        app.client.card(card_action("ou_ann", {"a": "cancel", "n": 1}), timestamp=app.client.now() + 3600).status_code
        == 401
    )
    assert len(refusals(caplog, "stale_timestamp")) == 2
    assert app.integration.http.refused["stale_timestamp"] == 2


def test_a_byte_for_byte_replay_is_refused_and_counted(app, caplog):
    caplog.set_level(logging.WARNING)
    body = json.dumps({"encrypt": encrypt(json.dumps(nominate_event()))}).encode()
    ts, nonce = str(app.client.now()), uuid.uuid4().hex[:16]
    headers = {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": sign(ts, nonce, body),
    }
    url = app.client.url + "/feishu/events"
    assert app.client.http.post(url, content=body, headers=headers).status_code == 200
    replay = app.client.http.post(url, content=body, headers=headers)
    assert replay.status_code == 401 and "replay" in replay.json()["msg"]
    assert len(refusals(caplog, "replayed_request")) == 1
    app.idle()
    assert len(app.fake.sent("ou_ann")) == 1


def test_a_replayed_card_click_is_refused(app, caplog):
    caplog.set_level(logging.WARNING)
    n = FeishuDriver(app).nominate("ann@example.com", "bob@example.com", STORY)
    body = json.dumps({"encrypt": encrypt(json.dumps(card_action("ou_ann", {"a": "cancel", "n": n})))}).encode()
    ts, nonce = str(app.client.now()), "fixed-nonce"
    headers = {"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": sign(ts, nonce, body)}
    url = app.client.url + "/feishu/card"
    assert app.client.http.post(url, content=body, headers=headers).json()["toast"]["content"] == "Cancelled"
    assert app.client.http.post(url, content=body, headers=headers).status_code == 401
    assert len(refusals(caplog, "replayed_request")) == 1


def test_a_re_delivered_event_is_refused_and_counted(app, caplog):
    caplog.set_level(logging.WARNING)
    event = nominate_event(event_id="ev-replayed-1")
    assert app.client.post(event).json() == {"msg": "success"}
    for _ in range(2):  # re-signed each time, as Feishu re-pushes (or someone replays with the key)
        assert app.client.post(event).json() == {"msg": "duplicate"}
    lines = [r.getMessage() for r in caplog.records if "reason=duplicate_event" in r.getMessage()]
    assert len(lines) == 2 and lines[-1].endswith("count=2") and "ev-replayed-1" in lines[0]
    assert app.bot.duplicates == 2


def test_other_refusals_have_reason_codes_too(app, caplog):
    caplog.set_level(logging.WARNING)
    event = nominate_event()
    event["header"]["token"] = "forged"
    assert app.client.post(event).status_code == 401
    assert app.client.post(nominate_event(), encrypted=False).status_code == 400
    r = app.client.http.post(app.client.url + "/feishu/events", content=b"not json")
    assert r.status_code == 400
    for reason in ("bad_token", "not_encrypted", "not_json"):
        assert len(refusals(caplog, reason)) == 1, reason
    text = caplog.text
    assert "forged" not in text and "v-token-for-tests" not in text  # the lines name reasons, not values


# ---------------------------------------------------------------------- secrets never logged
APP_ID = "cli_secret_probe"
SECRETS = {
    "FEISHU_APP_SECRET": "SECRET-app-7f3a9c51e2d8",
    "FEISHU_ENCRYPT_KEY": "SECRET-encrypt-4b6d8f0a2c",
    "FEISHU_VERIFICATION_TOKEN": "SECRET-vtoken-9e1c3a5b7d",
    "tenant access token": "t-SECRETtenant0c2e4a6b8d0f1357",
}
WATCHED = ("", "liumai", LARK_LOGGER, "uvicorn", "uvicorn.error", "uvicorn.access", "urllib3", "httpx", "httpcore")


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # includes the formatted exception, if any


@pytest.fixture
def probe(org, fake_feishu):
    """An app with distinctive secrets, every logger at DEBUG and captured, uvicorn's access log on."""
    fake_feishu.reset()
    fake_feishu.register_app(APP_ID, SECRETS["FEISHU_APP_SECRET"], tenant_token=SECRETS["tenant access token"])
    settings = load_settings(
        LIUMAI_DATABASE_URL=org.settings.database_url,
        FEISHU_APP_ID=APP_ID,
        FEISHU_DOMAIN=fake_feishu.url,
        **{k: v for k, v in SECRETS.items() if k.startswith("FEISHU_")},
    )
    ctx = dataclasses.replace(org, settings=settings)
    integration = build_feishu(ctx)
    server = LoopbackServer(create_app(ctx, [integration]), log_level="debug", access_log=True)
    handler = Everything()
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in WATCHED}
    for name in WATCHED:  # after uvicorn configured its loggers (which do not all propagate)
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        if name in ("", "uvicorn", "uvicorn.access"):
            logger.addHandler(handler)
    server.start()
    client = FeishuClient(
        server.url, ctx, encrypt_key=SECRETS["FEISHU_ENCRYPT_KEY"], token=SECRETS["FEISHU_VERIFICATION_TOKEN"]
    )
    app = App(ctx, integration, fake_feishu, client)
    try:
        yield app, handler
    finally:
        integration.bot.wait_idle(15)
        client.close()
        server.stop()
        integration.bot.shutdown()
        for name, (level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.removeHandler(handler)


def test_secrets_never_appear_in_any_log(probe, capfd):
    app, logs = probe
    ctx = app.ctx
    set_team(ctx, "alpha", feishu_chat_id="oc_alpha_values")
    d = FeishuDriver(app)
    # A whole day of Feishu traffic: messages, card clicks, reports with files, a digest, an export...
    n = d.nominate("ann@example.com", "bob@example.com", STORY)
    d.confirm("ann@example.com", n, "teamwork.3")
    [e] = d.review("mgr@example.com")
    d.decide("mgr@example.com", e, "accepted")
    assert len(converse(app, "ou_mgr", "/values summary @_user_1", [("@_user_1", "ou_bob", "Bob")])) == 4
    assert "已将 alpha" in converse(app, "ou_mgr", "/values digest")[0].text
    assert converse(app, "ou_hr", "/values export @_user_1", [("@_user_1", "ou_bob", "Bob")])
    # ... and the failures that log the most: refused requests, a platform error, a crashed command.
    app.client.post(message_event("ou_ann", "/values me"), signature="0" * 64)
    app.client.post(message_event("ou_ann", "/values me"), timestamp=app.client.now() - 3600)
    app.client.post({"challenge": "c", "token": SECRETS["FEISHU_VERIFICATION_TOKEN"], "type": "url_verification"})
    app.fake.fail_next("/im/v1/messages", 500, {"code": 99991663, "msg": "internal error"}, times=1)
    app.client.post(message_event("ou_ann", "/values me"))
    app.idle()
    r = nom.nominate(ctx, "wang@example.com", "ann@example.com", STORY)
    ev_id = nom.confirm(ctx, r.nomination.id, "wang@example.com", "teamwork.2").id
    ev.decide(ctx, ev_id, "mgr@example.com", "rejected")

    out, err = capfd.readouterr()
    everything = "\n".join([*logs.lines, out, err])
    # The capture really saw the libraries' own DEBUG lines, not just ours.
    assert "feishu request refused: reason=bad_signature" in everything
    assert "request completed with status" in everything  # lark-oapi's transport, at DEBUG
    assert "POST /feishu/events" in everything  # uvicorn's access log
    assert len(logs.lines) > 50
    for what, secret in SECRETS.items():
        assert secret not in everything, f"{what} appears in the logs"
    # The tenant token really was in use (sent on every API call), so its absence means something.
    assert any(
        c.headers.get("authorization") == f"Bearer {SECRETS['tenant access token']}" for c in app.fake.snapshot()
    )


def test_lark_oapi_logs_through_the_application_and_is_redacted(app, caplog):
    lark = logging.getLogger(LARK_LOGGER)
    from lark_oapi.core.log import handler as lark_stdout

    assert lark_stdout not in lark.handlers  # no private stdout handler bypassing our logging set-up
    caplog.set_level(logging.INFO, logger=LARK_LOGGER)
    previous = lark.level
    lark.setLevel(logging.INFO)
    try:
        lark.info(
            "connected to wss://msg-frontier.feishu.cn/ws/v2?device_id=1&access_key=AK123456789&service_id=2"
            "&ticket=TK-abcdef123456 with Bearer t-g1044abcdefghijklmnopq key encrypt-key-for-tests"
        )
    finally:
        lark.setLevel(previous)
    text = caplog.text
    assert "AK123456789" not in text and "TK-abcdef123456" not in text
    assert "t-g1044abcdefghijklmnopq" not in text and "encrypt-key-for-tests" not in text
    assert "access_key=[redacted]" in text


def test_redact_by_value_and_by_shape():
    assert redact("secret=abcdefgh here", ["abcdefgh"]) == "secret=[redacted] here"
    assert redact("tenant t-g104abcdefghijklmnop0123 ok") == "tenant t-[redacted] ok"
    assert redact("ok short t-abc and u-short") == "ok short t-abc and u-short"
