"""OAuth install into several workspaces, with slack-sdk's SQLAlchemy stores on Liumai's database."""

from __future__ import annotations

import logging
import re

from sqlalchemy import text

from tests.slack import payloads as P
from tests.slack.harness import SECRET

CLIENT_ID = "1234567890.0987654321"
CLIENT_SECRET = "0a1b2c3d4e5f-client-secret"


def _install(slack) -> str:
    page = slack.http.get("/slack/install")
    assert page.status_code == 200
    url = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert f"client_id={CLIENT_ID}" in url and "scope=commands,chat:write,im:write,users:read" in url
    state = re.search(r"state=([^&]+)", url).group(1)
    cookie = page.headers["set-cookie"].split(";", 1)[0]  # Secure cookie: httpx would not resend it over http
    done = slack.http.get(
        "/slack/oauth_redirect", params={"code": "c0de-123", "state": state}, headers={"Cookie": cookie}
    )
    assert done.status_code == 200, done.text
    return state


def test_oauth_install_then_requests_use_the_installed_token(slack_factory, caplog):
    caplog.set_level(logging.DEBUG)
    slack = slack_factory(
        SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_SIGNING_SECRET=SECRET
    )
    # The app pins slack-sdk's logging at INFO; turned back to DEBUG on purpose (the worst case).
    caplog.set_level(logging.DEBUG, logger="liumai.slack")
    _install(slack)
    [exchange] = slack.fake.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "c0de-123" and exchange.params["client_id"] == CLIENT_ID
    installed = next(t for t, who in slack.fake.tokens.items() if who["team_id"] == "T0OAUTH")
    with slack.ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT team_id, bot_token FROM slack_installations")).all()
    assert [r.team_id for r in rows] == ["T0OAUTH"] and rows[0].bot_token == installed

    hook = slack.new_hook()
    slack.post(P.slash_command("/nominate", "", "U0ANN", hook, team="T0OAUTH"))
    slack.fake.wait_for("views.open")
    assert slack.fake.calls_to("views.open")[0].token == installed

    # a workspace that never installed the app is told so, and nothing runs for it
    stranger = slack.new_hook()
    assert slack.post(P.slash_command("/nominate", "", "U0ANN", stranger, team="T0NEVER")).status_code == 200
    [told] = slack.wait_hook(hook=stranger)
    assert "not installed" in told.params["text"]
    slack.settle()
    assert len(slack.fake.calls_to("views.open")) == 1

    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "oauth.v2.access" in logged
    assert installed not in logged and CLIENT_SECRET not in logged and SECRET not in logged


def test_a_forged_or_replayed_state_is_refused(slack_factory):
    slack = slack_factory(
        SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_SIGNING_SECRET=SECRET
    )
    r = slack.http.get(
        "/slack/oauth_redirect",
        params={"code": "x", "state": "forged"},
        headers={"Cookie": "slack-app-oauth-state=forged"},
    )
    assert r.status_code in (400, 401)
    state = _install(slack)
    r = slack.http.get(
        "/slack/oauth_redirect",
        params={"code": "x", "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    )
    assert r.status_code in (400, 401)  # a state is good for one install only
    assert len(slack.fake.calls_to("oauth.v2.access")) == 1


def test_uninstall_removes_the_installation(slack_factory):
    slack = slack_factory(
        SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_SIGNING_SECRET=SECRET
    )
    _install(slack)
    body = P.event_callback({"type": "app_uninstalled", "event_ts": "1763285400.2"}).replace(
        b'"team_id": "T0TEST"', b'"team_id": "T0OAUTH"'
    )
    assert slack.post(body, "application/json").status_code == 200
    slack.settle()
    with slack.ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slack_installations")).scalar() == 0
