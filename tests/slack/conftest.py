"""The Slack test harness: Liumai served by uvicorn on loopback, the fake Web API beside it.

`slack` gives a `SlackHarness` wired to the `org` fixture's database: requests are signed like
Slack's and sent over real HTTP to `create_app(ctx, [build_slack(ctx)])`; the app talks to the
fake Slack API (`SLACK_API_URL`). Lazy listeners run in-process on the integration's pool; tests
wait for them with `slack.settle()` (the pool's idle condition) or `fake.wait_for(...)` (the
fake's condition variable) - both block with a timeout, neither sleeps a fixed time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from liumai.services.context import AppContext
from liumai.slack import SlackIntegration, build_slack
from liumai.web import create_app
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, serve_in_thread, stop_server
from tests.slack.harness import SECRET, SLACK_ENV, SlackHarness, slack_ctx


@pytest.fixture(autouse=True)
def _clean_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own Slack variables must not leak into the tests."""
    for var in SLACK_ENV:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as f:
        yield f


@pytest.fixture
def fake(_fake_server: FakeSlackAPI) -> FakeSlackAPI:
    """The fake Slack API with no calls recorded yet (one server for the whole session)."""
    _fake_server.reset()
    return _fake_server


@pytest.fixture
def slack_factory(org: AppContext, fake: FakeSlackAPI) -> Iterator:
    """Start the app with given Slack settings (defaults: one workspace, HTTP mode)."""
    started: list[tuple[Any, Any, SlackIntegration, SlackHarness]] = []

    def start(**env: Any) -> SlackHarness:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            **env,
        }
        env = {k: v for k, v in env.items() if v is not None}
        ctx = slack_ctx(org, **env)
        integration = build_slack(ctx, settle_s=0)
        server, thread, port = serve_in_thread(create_app(ctx, [integration]))
        harness = SlackHarness(ctx, fake, integration, port)
        started.append((server, thread, integration, harness))
        return harness

    yield start
    for server, thread, integration, harness in started:
        integration.wait_idle(10)
        harness.close()
        stop_server(server, thread, wait=False)
        integration.close()


@pytest.fixture
def slack(slack_factory) -> SlackHarness:
    return slack_factory()
