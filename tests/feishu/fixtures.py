"""Feishu fixtures (the fake open platform, one per session; the app served over real HTTP on loopback).

Registered for the whole suite by `pytest_plugins` in tests/conftest.py, so the cross-platform tests use
them without importing fixtures from another module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from liumai.config import load_settings
from liumai.feishu import FeishuIntegration, build_feishu
from liumai.services.context import AppContext
from liumai.web import create_app
from tests.fakes.feishu_api import APP_ID, APP_SECRET, FakeFeishu, LoopbackServer
from tests.feishu.helpers import ENCRYPT_KEY, VERIFICATION_TOKEN, FeishuClient


@pytest.fixture(scope="session")
def fake_feishu() -> Iterator[FakeFeishu]:
    fake = FakeFeishu().start()
    yield fake
    fake.stop()


def feishu_settings(db_url: str, domain: str, **extra: str):
    return load_settings(
        LIUMAI_DATABASE_URL=db_url,
        FEISHU_APP_ID=APP_ID,
        FEISHU_APP_SECRET=APP_SECRET,
        FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN,
        FEISHU_ENCRYPT_KEY=ENCRYPT_KEY,
        FEISHU_DOMAIN=domain,
        **extra,
    )


@pytest.fixture
def feishu_ctx(org: AppContext, fake_feishu: FakeFeishu) -> AppContext:
    """The `org` context with Feishu configured against the fake (HTTP callback mode)."""
    fake_feishu.reset()
    return dataclasses.replace(org, settings=feishu_settings(org.settings.database_url, fake_feishu.url))


@dataclasses.dataclass
class App:
    ctx: AppContext
    integration: FeishuIntegration
    fake: FakeFeishu
    client: FeishuClient

    def __repr__(self) -> str:  # hypothesis prints fixtures of failing examples; the context is huge
        return f"App({self.ctx.settings.database_url})"

    @property
    def bot(self):
        return self.integration.bot

    def idle(self) -> None:
        assert self.bot.wait_idle(15), "background work did not finish"


class Mounted:
    """An ASGI app whose target is set per test: one loopback server for the whole session.

    Starting and stopping uvicorn costs ~0.25 s; with hundreds of tests (the authorization matrix,
    the fuzzing) that was a third of the suite. Each test still gets its own database, adapter
    and worker pool; only the socket is shared.
    """

    def __init__(self) -> None:
        self.target: Any = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        target = self.target
        if target is None:  # between tests: nothing is mounted
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b"no app mounted"})
            return
        await target(scope, receive, send)


@pytest.fixture(scope="session")
def app_server() -> Iterator[tuple[Mounted, LoopbackServer]]:
    mounted = Mounted()
    server = LoopbackServer(mounted).start()
    yield mounted, server
    server.stop()


@pytest.fixture
def app(feishu_ctx: AppContext, fake_feishu: FakeFeishu, app_server: tuple[Mounted, LoopbackServer]) -> Iterator[App]:
    mounted, server = app_server
    integration = build_feishu(feishu_ctx)
    mounted.target = create_app(feishu_ctx, [integration])
    client = FeishuClient(server.url, feishu_ctx)
    try:
        yield App(feishu_ctx, integration, fake_feishu, client)
    finally:
        integration.bot.wait_idle(15)
        client.close()
        mounted.target = None
        integration.bot.shutdown()


class PlainClient(FeishuClient):
    """Token-only mode: Feishu posts plaintext bodies (its signature headers are not checked)."""

    def post(self, payload: dict, **kw: Any):  # type: ignore[override]
        kw.setdefault("encrypted", False)
        return super().post(payload, **kw)


@pytest.fixture
def token_only_app(
    org: AppContext, fake_feishu: FakeFeishu, app_server: tuple[Mounted, LoopbackServer]
) -> Iterator[App]:
    """The app in token-only HTTP mode: a verification token and no encrypt key."""
    fake_feishu.reset()
    settings = load_settings(
        LIUMAI_DATABASE_URL=org.settings.database_url,
        FEISHU_APP_ID=APP_ID,
        FEISHU_APP_SECRET=APP_SECRET,
        FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN,
        FEISHU_DOMAIN=fake_feishu.url,
    )
    ctx = dataclasses.replace(org, settings=settings)
    mounted, server = app_server
    integration = build_feishu(ctx)
    assert integration.use_http and integration.http.encrypt_key is None
    mounted.target = create_app(ctx, [integration])
    client = PlainClient(server.url, ctx)
    try:
        yield App(ctx, integration, fake_feishu, client)
    finally:
        integration.bot.wait_idle(15)
        client.close()
        mounted.target = None
        integration.bot.shutdown()
