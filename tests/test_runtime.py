"""liumai.runtime: the app `serve` runs, built from settings in one place (Slack and Feishu together)."""

from __future__ import annotations

import dataclasses
import json
import urllib.request

import pytest

from liumai.config import ConfigError
from liumai.runtime import build_runtime, digest_posters
from liumai.services.context import AppContext
from liumai.web import Integration
from tests.fakes.feishu_api import FakeFeishu
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, serve_in_thread, stop_server
from tests.feishu.fixtures import feishu_settings
from tests.slack.harness import SECRET


@pytest.fixture
def both(org: AppContext, fake_feishu: FakeFeishu):
    """A context whose settings configure Slack (HTTP, one workspace) and Feishu (HTTP callbacks)."""
    fake_feishu.reset()
    with FakeSlackAPI() as slack:
        settings = feishu_settings(
            org.settings.database_url,
            fake_feishu.url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.base_url,
        )
        yield dataclasses.replace(org, settings=settings)


def test_runtime_wires_both_platforms_and_stops_cleanly(both):
    rt = build_runtime(both)
    assert rt.names == ["slack", "feishu"]
    assert all(isinstance(i, Integration) for i in rt.integrations)  # the whole protocol, no getattr
    assert {p.platform for p in digest_posters(rt.integrations)} == {"slack", "feishu"}
    paths = {getattr(r, "path", None) for r in rt.app.routes}
    assert {"/healthz", "/slack/events", "/feishu/events"} <= paths
    server, thread, port = serve_in_thread(rt.app)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert json.loads(r.read())["integrations"] == ["slack", "feishu"]
    finally:
        stop_server(server, thread)
    rt.start(worker=True)
    try:
        assert rt.scheduler is not None and rt.scheduler.running
        worker = next(t for t in rt.threads if t.name == "tag-worker")
        assert worker.is_alive()
    finally:
        rt.close()
    assert rt.stop.is_set() and rt.scheduler is None
    worker.join(timeout=60)
    assert not worker.is_alive()


def test_a_bad_scheduler_setting_stops_what_had_started(both):
    ctx = dataclasses.replace(both, settings=both.settings.model_copy(update={"digest_cron": "every monday"}))
    rt = build_runtime(ctx)
    with pytest.raises(ConfigError, match="LIUMAI_DIGEST_CRON"):
        rt.start(worker=True)
    assert rt.stop.is_set()
    worker = next(t for t in rt.threads if t.name == "tag-worker")
    worker.join(timeout=60)
    assert not worker.is_alive()
    rt.close()
