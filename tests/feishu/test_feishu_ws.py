"""Long-connection mode: lark-oapi's ws client against the fake's WebSocket endpoint."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlmodel import select

from liumai.config import load_settings
from liumai.feishu import build_feishu
from liumai.storage.db import session_scope
from liumai.storage.models import Evidence
from tests.fakes.feishu_api import APP_ID, APP_SECRET
from tests.feishu.driver import card_values
from tests.feishu.helpers import card_action, message_event

STORY = "王芳主动分享业务知识和经验，主动帮助同事解决问题。"


@pytest.fixture
def ws_app(org, fake_feishu):
    fake_feishu.reset()
    settings = load_settings(
        LIUMAI_DATABASE_URL=org.settings.database_url,
        FEISHU_APP_ID=APP_ID,
        FEISHU_APP_SECRET=APP_SECRET,
        FEISHU_DOMAIN=fake_feishu.url,
    )
    ctx = dataclasses.replace(org, settings=settings)
    integration = build_feishu(ctx)
    stop = threading.Event()
    thread = integration.start_background(stop)
    try:
        yield ctx, integration, fake_feishu
    finally:
        integration.bot.wait_idle(15)
        stop.set()
        if thread is not None:
            thread.join(10)
        integration.bot.shutdown()


def test_without_webhook_secrets_the_long_connection_is_used(ws_app):
    ctx, integration, fake = ws_app
    assert integration.use_ws and not integration.use_http and list(integration.routes()) == []
    fake.wait_ws_connected()

    answer = fake.push_ws(
        message_event("ou_mgr", f"/nominate @_user_1 {STORY}", [("@_user_1", "ou_wang", "王芳")], event_id="ws-1")
    )
    assert answer["code"] == 200
    card = fake.wait_message("ou_mgr", "提名 王芳")
    n = next(v["n"] for v in card_values(card.content) if "n" in v)
    # A re-push over the long connection is de-duplicated like an HTTP one.
    fake.push_ws(message_event("ou_mgr", "/nominate again", event_id="ws-1"))
    integration.bot.wait_idle(10)
    assert len(fake.sent("ou_mgr")) == 1

    # Card callbacks come down the same connection and are answered on it.
    answer = fake.push_ws(card_action("ou_mgr", {"a": "confirm", "n": n, "c": "teamwork.3"}))
    assert answer["data"]["toast"] == {"type": "success", "content": "已确认：teamwork.3"}
    assert answer["data"]["card"]["data"]["header"]["title"]["content"] == "已确认提名"
    with session_scope(ctx.engine) as s:
        assert s.exec(select(Evidence)).one().criterion == "teamwork.3"
    fake.wait_message("ou_wang", "认可了你")
