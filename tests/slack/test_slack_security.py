"""Forged and replayed requests are refused and counted in the log; no secret ever reaches a log.

The second half runs whole Slack flows with every Slack secret set to a distinctive value -
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode beside HTTP), then
SLACK_CLIENT_SECRET with an OAuth install - while capturing *every* log record of the process at
DEBUG: the root logger and every logger that does not propagate (uvicorn's), including
slack_bolt's, slack_sdk's, SQLAlchemy's and ours. Not one record may contain a secret, in any
form we could think of (verbatim, the distinctive part alone, the Basic-auth base64 of the
OAuth client credentials), nor the bot token Slack hands out at install time.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Iterator

import pytest

from liumai.services import nominations as nom
from liumai.services.org import set_team
from liumai.slack import security as S
from tests.slack import payloads as P
from tests.slack.harness import SECRET, STORIES, nominations

BOT = "xoxb-7777-8888-DISTINCTbottoken4b1d"
SIGNING = "f00dfacecafebabe1234567890abcdef"
APP = "xapp-1-A0APP-9999-DISTINCTapptoken7c3e"
CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "DISTINCT-client-secret-5ea7f1"


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: transport-level behaviour, the same on either database."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


# ------------------------------------------------------------------ refused and counted
def test_forged_stale_and_malformed_requests_are_refused_and_counted(slack, caplog):
    caplog.set_level(logging.INFO)
    body = P.slash_command("/nominate", "<@U0BOB> " + STORIES["en"], "U0ANN", slack.new_hook())
    now = int(time.time())
    good = P.sign(SECRET, body, now)
    cases = [
        ({}, S.MISSING),
        ({"X-Slack-Request-Timestamp": str(now)}, S.MISSING),
        (P.sign("0" * 32, body, now), S.FORGED),
        (P.sign(SECRET, body, now - 6 * 60), S.STALE),
        (P.sign(SECRET, body, now + 6 * 60), S.FUTURE),
        ({**good, "X-Slack-Request-Timestamp": "abc"}, S.MALFORMED),
        ({**good, "X-Slack-Request-Timestamp": "1e9"}, S.MALFORMED),
        ({**good, "X-Slack-Request-Timestamp": "9" * 40}, S.MALFORMED),
        ({**good, "X-Slack-Signature": "v0=" + "0" * 64}, S.FORGED),
        ({**good, "X-Slack-Signature": b"v0=\xe9\xff"}, S.FORGED),  # not even ASCII
        ({**P.sign(SECRET, body, now - 6 * 60), "X-Slack-Retry-Num": "1"}, S.STALE),  # a replay, not a retry
    ]
    for headers, reason in cases:
        r = slack.http.post(
            "/slack/events", content=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}
        )
        assert r.status_code == 401, (headers, r.status_code)
        assert r.json() == {"error": "invalid request"}
        last = [rec for rec in caplog.records if "refused a request" in rec.getMessage()][-1]
        assert last.levelno == logging.WARNING and reason in last.getMessage()
    bad_utf8 = b"command=%2Fnominate&text=\xff\xfe"
    r = slack.http.post(
        "/slack/events",
        content=bad_utf8,
        headers={"Content-Type": "application/x-www-form-urlencoded", **P.sign(SECRET, bad_utf8)},
    )
    assert r.status_code == 401  # signed with our secret, but not a body Slack would send
    refused = [rec.getMessage() for rec in caplog.records if "refused a request" in rec.getMessage()]
    assert len(refused) == len(cases) + 1
    assert refused[-1].startswith("slack: refused a request to /slack/events from 127.0.0.1: body is not UTF-8")
    assert f"(refused so far: {len(cases)}, of them stale timestamp: 2)" in refused[-2]
    assert slack.integration.guard.refused[S.STALE] == 2 and slack.integration.guard.refused[S.FORGED] == 3
    assert "[X-Slack-Retry-Num 1]" in refused[-2]
    text = "\n".join(refused)
    assert SECRET not in text and STORIES["en"] not in text and "v0=" not in text  # nothing of the request
    slack.settle()
    assert nominations(slack.ctx) == []
    assert slack.post(body).status_code == 200
    slack.settle()
    assert len(nominations(slack.ctx)) == 1


# ------------------------------------------------------------------ secrets never logged
class CaptureAll(logging.Handler):
    """Every record, from the root logger and from loggers that do not propagate."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record still gets scanned, raw
            message = f"{record.msg!r} {record.args!r}"
        exc = record.exc_text or (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        self.texts.append(f"{record.name} {record.levelname} {message} {exc} {record.args!r} {record.__dict__!r}")


@pytest.fixture
def everything() -> Iterator[CaptureAll]:
    handler = CaptureAll()
    names = ["", "slack_bolt", "slack_sdk", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "liumai"]
    names += [n for n, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)]
    loggers = {n: logging.getLogger(n) for n in names}
    saved = {n: lg.level for n, lg in loggers.items()}
    for lg in loggers.values():
        lg.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    extra = [lg for n, lg in loggers.items() if n and not lg.propagate]
    for lg in extra:
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for lg in extra:
            lg.removeHandler(handler)
        for n, lg in loggers.items():
            lg.setLevel(saved[n])


def _forms(secret: str) -> list[str]:
    """The secret and its distinctive tail (a partial leak is a leak)."""
    return [secret, secret.split("-")[-1]]


def _assert_clean(everything: CaptureAll, secrets: list[str]) -> None:
    assert len(everything.records) > 50, "the flow should have logged plenty at DEBUG"
    text = "\n".join(everything.texts)
    for secret in secrets:
        for form in _forms(secret):
            assert form not in text, f"{form!r} leaked into the log"


def test_a_full_flow_with_every_secret_set_logs_none_of_them(slack_factory, fake, everything):
    fake.tokens[BOT] = {"team_id": "T0TEST", "team": "Liumai Test", "user_id": "U0LIUMAIBOT", "bot_id": "B0LIUMAI"}
    fake.app_tokens.add(APP)
    slack = slack_factory(SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SIGNING, SLACK_APP_TOKEN=APP)
    stop = threading.Event()
    thread = slack.integration.start_background(stop)  # Socket Mode beside HTTP events
    try:
        fake.wait_for("socket.hello")

        def post(body: bytes, ctype: str = "application/x-www-form-urlencoded") -> None:
            r = slack.http.post("/slack/events", content=body, headers={"Content-Type": ctype, **P.sign(SIGNING, body)})
            assert r.status_code == 200, r.text

        # one-line nomination, the pick, the nominee's DM
        slack.last_hook = slack.new_hook()
        post(P.slash_command("/nominate", "<@U0BOB|bob> " + STORIES["en"], "U0ANN", slack.last_hook))
        [reply] = slack.wait_hook()
        pick = reply.params["blocks"][-1]["elements"][0]
        post(
            P.form_payload(
                P.block_actions("U0ANN", P.button(pick["action_id"], pick["value"]), response_url=slack.last_hook)
            )
        )
        fake.wait_for("chat.postMessage")
        # the same over Socket Mode
        hook = slack.new_hook()
        fields = P.command_fields("/nominate", "<@U0CAT> " + STORIES["zh"], "U0WANG", hook)
        fake.send_envelope(
            {"envelope_id": "env-s", "type": "slash_commands", "accepts_response_payload": True, "payload": fields}
        )
        slack.wait_hook(hook=hook)
        # a manager's summary with files, the Home tab, a digest, a refused forgery, a crash
        slack.last_hook = slack.new_hook()
        post(P.slash_command("/values", "summary <@U0BOB|bob>", "U0MGR", slack.last_hook))
        slack.wait_hook(count=2)
        post(
            P.event_callback({"type": "app_home_opened", "user": "U0MGR", "tab": "home", "event_ts": "1.1"}),
            "application/json",
        )
        fake.wait_for("views.publish")
        set_team(slack.ctx, "alpha", slack_channel_id="C0ALPHA")
        slack.last_hook = slack.new_hook()
        post(P.slash_command("/values", "digest", "U0MGR", slack.last_hook))
        slack.wait_hook()
        forged = P.slash_command("/values", "me", "U0ANN", slack.new_hook())
        assert slack.http.post("/slack/events", content=forged, headers=P.sign(SECRET, forged)).status_code == 401
        slack.last_hook = slack.new_hook()
        post(P.slash_command("/values", "review", "U0MGR", slack.last_hook))
        slack.wait_hook()
        slack.settle()
    finally:
        stop.set()
        thread.join(10)
    assert fake.calls_to("files.completeUploadExternal") and fake.messages("C0ALPHA")
    assert any(c.token == BOT for c in fake.calls_to("chat.postMessage"))  # the secrets were really in play
    assert any(c.token == APP for c in fake.calls_to("apps.connections.open"))
    assert any(r.name.startswith("slack_sdk") or "Sending a request" in r.getMessage() for r in everything.records)
    _assert_clean(everything, [BOT, SIGNING, APP])


def test_an_oauth_install_logs_neither_the_client_secret_nor_the_installed_token(slack_factory, fake, everything):
    slack = slack_factory(
        SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_SIGNING_SECRET=SIGNING
    )
    page = slack.http.get("/slack/install")
    url = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "files:write" in url and "channels:history" in url and "groups:history" in url
    state = re.search(r"state=([^&]+)", url).group(1)
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    done = slack.http.get(
        "/slack/oauth_redirect", params={"code": "c0de-9", "state": state}, headers={"Cookie": cookie}
    )
    assert done.status_code == 200, done.text
    installed = next(t for t, who in fake.tokens.items() if who["team_id"] == "T0OAUTH")
    [exchange] = fake.calls_to("oauth.v2.access")
    assert exchange.headers["authorization"].startswith("Basic ")  # the client secret was really sent
    hook = slack.new_hook()
    body = P.slash_command("/nominate", "<@U0BOB> " + STORIES["en"], "U0ANN", hook, team="T0OAUTH")
    assert slack.http.post("/slack/events", content=body, headers=P.sign(SIGNING, body)).status_code == 200
    slack.wait_hook(hook=hook)
    # the digest poster of an OAuth install posts with the installed workspace's token
    nom.confirm(slack.ctx, nominations(slack.ctx)[0].id, "ann@example.com", "teamwork.3")
    set_team(slack.ctx, "alpha", slack_channel_id="C0ALPHA")
    from liumai.services import digest as dg

    assert dg.post_digest(slack.ctx, "alpha", "2026-W47", [slack.integration.digest_poster()]).status == "posted"
    assert fake.calls_to("chat.postMessage")[-1].token == installed
    slack.settle()
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    _assert_clean(everything, [CLIENT_SECRET, SIGNING, installed, basic])
