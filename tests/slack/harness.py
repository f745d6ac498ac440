"""Helpers for the Slack tests: the signed-request harness, test data, database reads.

Kept out of conftest.py so test modules import them as an ordinary module.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
from sqlmodel import select

from liumai.config import load_settings
from liumai.services.context import AppContext
from liumai.slack import SlackIntegration
from liumai.storage.db import session_scope
from liumai.storage.models import Evidence, Nomination
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack import payloads as P

SECRET = "8f742231b10e8888abcd12345678ef90"
SLACK_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "SLACK_NOMINATE_COMMAND",
    "SLACK_VALUES_COMMAND",
    "LIUMAI_NOTIFY_NOMINEE",
)


def slack_ctx(ctx: AppContext, **env: Any) -> AppContext:
    """`ctx` with Slack settings added (as `load_settings` would read them from the environment)."""
    settings = load_settings(LIUMAI_DATABASE_URL=ctx.settings.database_url, **env)
    return dataclasses.replace(ctx, settings=settings)


class SlackHarness:
    """Sends Slack-shaped, signed requests to the served app and reads what it told Slack."""

    def __init__(self, ctx: AppContext, fake: FakeSlackAPI, integration: SlackIntegration, port: int) -> None:
        self.ctx = ctx
        self.fake = fake
        self.integration = integration
        self.base_url = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.base_url, timeout=15)
        self._hooks = 0

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------ sending
    def post(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        ts: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        h = {"Content-Type": content_type, **(P.sign(secret, body, ts) if signed else {}), **(headers or {})}
        return self.http.post("/slack/events", content=body, headers=h)

    def new_hook(self) -> str:
        self._hooks += 1
        return self.fake.hook_url(f"commands/T0TEST/{self._hooks}/hook{self._hooks}")

    def command(self, text: str, user: str = "U0ANN", command: str = "/nominate", **kw: Any) -> httpx.Response:
        self.last_hook = self.new_hook()
        return self.post(P.slash_command(command, text, user, self.last_hook), **kw)

    def interact(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(P.form_payload(payload), **kw)

    def event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> httpx.Response:
        return self.post(P.event_callback(event, event_id), "application/json", **kw)

    # ------------------------------------------------------------ waiting and reading
    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every lazy listener has finished."""
        assert self.integration.wait_idle(timeout), "lazy listeners did not finish"

    def hook_calls(self, hook: str | None = None) -> list:
        hook = hook or self.last_hook
        path = hook.split("/hooks/", 1)[1]
        return [c for c in self.fake.calls_to("response_url") if c.params.get("_path") == path]

    def wait_hook(self, count: int = 1, hook: str | None = None, timeout: float = 10.0) -> list:
        hook = hook or self.last_hook
        path = hook.split("/hooks/", 1)[1]
        return self.fake.wait_for("response_url", count, where=lambda c: c.params.get("_path") == path, timeout=timeout)

    def opened_view(self, index: int = -1, method: str = "views.open") -> dict[str, Any]:
        call = self.fake.calls_to(method)[index]
        view = call.json("view")
        return view


def nominations(ctx: AppContext) -> list:
    with session_scope(ctx.engine) as s:
        return list(s.exec(select(Nomination).order_by(Nomination.id)).all())


def evidence_rows(ctx: AppContext) -> list:
    with session_scope(ctx.engine) as s:
        return list(s.exec(select(Evidence).order_by(Evidence.id)).all())


STORIES = {
    "en": "Bob stayed late to walk the new hire through on-call and wrote the runbook up for the whole team.",
    "zh": "王芳主动把排障经验写成文档分享给全组，还手把手带新同事处理了第一次值班告警。",
}


def ack_text(response: Any) -> str:
    """A slash command acknowledgement: Bolt sends plain text, or JSON when it has more than text."""
    try:
        return response.json().get("text", "")
    except ValueError:
        return response.text
