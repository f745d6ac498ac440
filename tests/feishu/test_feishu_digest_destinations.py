"""Digests are per destination (security review, item 3): a team with a Slack channel AND a Feishu
group gets one post in each, whichever path posts first, and never a second one.

Before, the once-only claim was per (team, week): posting the week to Feishu made Slack's post of
the same week answer "already posted" and post nothing. Every path is driven for real: `/values
digest` as signed HTTP into the served app (Slack's fake Web API, Feishu's fake open platform),
the scheduler's weekly job as `serve` builds it, and `liumai digest --post` as a subprocess. Two
processes claiming the same destination at once (barrier-released, poster without its platform
check) still post once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from liumai.services import digest as dg
from liumai.services import nominations as nom
from liumai.services.org import set_team
from liumai.services.scheduler import start_digest_scheduler
from liumai.slack import build_slack
from liumai.storage.db import session_scope
from liumai.storage.models import DigestRun
from liumai.web import create_app
from tests.fakes.feishu_api import APP_ID, APP_SECRET
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, serve_in_thread, stop_server
from tests.feishu.driver import converse
from tests.race_workers import Racer
from tests.slack.harness import SECRET, SLACK_ENV, SlackHarness, slack_ctx

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2026-W47"  # the fixed clock's week; the tests run on the Monday after, when it is "last week"
CHANNEL, CHAT = "C0ALPHA", "oc_alpha_values"
STORY = "Ann walked the whole team through the new incident process and answered every question."


@pytest.fixture
def slack(app, monkeypatch) -> Iterator[SlackHarness]:
    """Slack served over real HTTP beside the Feishu `app`, on the same database and clock."""
    for var in SLACK_ENV:  # a developer's own Slack variables must not leak in
        monkeypatch.delenv(var, raising=False)
    with FakeSlackAPI() as fake:
        ctx = slack_ctx(app.ctx, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.base_url)
        integration = build_slack(ctx, settle_s=0)
        server, thread, port = serve_in_thread(create_app(ctx, [integration]))
        harness = SlackHarness(ctx, fake, integration, port)
        try:
            yield harness
        finally:
            integration.wait_idle(10)
            harness.close()
            stop_server(server, thread)
            integration.close()


@pytest.fixture
def both(slack, app):
    """One database; Slack and Feishu each served over HTTP; alpha has a Slack channel and a Feishu group."""
    set_team(slack.ctx, "alpha", slack_channel_id=CHANNEL, feishu_chat_id=CHAT)
    r = nom.nominate(slack.ctx, "bob@example.com", "ann@example.com", STORY, tag=False)
    nom.confirm(slack.ctx, r.nomination.id, "bob@example.com", "teamwork.3")
    slack.ctx.clock.now += timedelta(days=7)
    return slack, app


def counts(both) -> tuple[int, int]:
    """Digest posts in alpha's Slack channel and in its Feishu group."""
    sl, fs = both
    slack_posts = [m for m in sl.fake.messages(CHANNEL) if (m.get("metadata") or {}).get("event_type")]
    feishu_posts = [c for c in fs.fake.sent(CHAT) if c.body["msg_type"] == "interactive"]
    return len(slack_posts), len(feishu_posts)


def via_slack_command(both) -> str:
    sl, _ = both
    sl.command(f"digest alpha {WEEK}", user="U0MGR", command="/values")
    sl.settle()
    [reply] = sl.wait_hook()
    return reply.params["text"]


def via_feishu_command(both) -> str:
    _, fs = both
    [reply] = converse(fs, "ou_mgr", f"/values digest alpha {WEEK}")
    return reply.text


def via_scheduler(both) -> str:
    """The weekly job exactly as `serve` schedules it, with both platforms' posters."""
    sl, fs = both
    posters = [sl.integration.digest_poster(), fs.integration.digest_poster()]
    scheduler = start_digest_scheduler(sl.ctx, posters)
    try:
        job = scheduler.get_job("weekly-digest")
        outcomes = job.func(*job.args)
    finally:
        scheduler.shutdown(wait=False)
    [alpha] = [o for o in outcomes if o.team == "alpha"]
    return alpha.status


def via_cli(both, platforms: tuple[str, ...] = ("slack", "feishu")) -> str:
    """`liumai digest --post` in its own process, configured for `platforms`."""
    sl, fs = both
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
    env.update(LIUMAI_DATABASE_URL=sl.ctx.settings.database_url, LIUMAI_LANG="en", PYTHONPATH=str(ROOT))
    if "slack" in platforms:
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=sl.fake.base_url)
    if "feishu" in platforms:
        env.update(FEISHU_APP_ID=APP_ID, FEISHU_APP_SECRET=APP_SECRET, FEISHU_DOMAIN=fs.fake.url)
    res = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", "digest", "--post", "--team", "alpha", "--week", WEEK, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    [alpha] = json.loads(res.stdout)
    return alpha["status"]


def runs(both) -> list[tuple[str, str]]:
    with session_scope(both[0].ctx.engine) as s:
        return sorted((r.destination, r.status) for r in s.exec(select(DigestRun).where(DigestRun.week == WEEK)))


def repost_everywhere(both, *, cli: bool = True) -> None:
    """Every path again: each answers "already posted", and nothing more is posted anywhere."""
    assert "已经发布过了" in via_slack_command(both)  # Li reads Chinese
    assert "已经发布过了" in via_feishu_command(both)
    assert via_scheduler(both) == "already_posted"
    if cli:
        assert via_cli(both) == "already_posted"
    assert counts(both) == (1, 1)
    assert runs(both) == [(f"feishu:{CHAT}", "posted"), (f"slack:{CHANNEL}", "posted")]


def test_values_digest_in_feishu_then_in_slack_posts_in_both(both):
    assert via_feishu_command(both) == f"已将 alpha 的 {WEEK} 价值观周报发布到团队的飞书群。"
    assert counts(both) == (0, 1)
    told = via_slack_command(both)
    assert f"<#{CHANNEL}>" in told and "already" not in told
    assert counts(both) == (1, 1)
    repost_everywhere(both)


def test_the_scheduled_job_posts_to_slack_after_a_feishu_post(both):
    via_feishu_command(both)
    assert via_scheduler(both) == "posted"
    assert counts(both) == (1, 1)
    repost_everywhere(both, cli=False)  # the CLI re-posts in the other two tests


def test_the_cli_posts_to_feishu_after_posting_to_slack(both):
    assert via_cli(both, ("slack",)) == "posted"
    assert counts(both) == (1, 0)
    assert via_cli(both, ("feishu",)) == "posted"
    assert counts(both) == (1, 1)
    repost_everywhere(both)


def test_a_failure_at_one_destination_does_not_stop_the_other(both):
    sl, fs = both
    sl.fake.fail_once("chat.postMessage", "not_in_channel")
    out = dg.post_digest(sl.ctx, "alpha", WEEK, [sl.integration.digest_poster(), fs.integration.digest_poster()])
    assert out.status == "failed" and "not_in_channel" in (out.error or "")
    assert out.destinations == {f"slack:{CHANNEL}": "failed", f"feishu:{CHAT}": "posted"}
    assert counts(both) == (0, 1)
    sl.ctx.clock.now += timedelta(seconds=dg.CLAIM_LEASE_S + 1)  # the failed claim expires
    assert via_slack_command(both).startswith(":white_check_mark:")
    assert counts(both) == (1, 1)


def test_two_processes_claiming_one_destination_post_once(org):
    """The database claim alone (the poster's channel check is off) keeps racing replicas to one post."""
    set_team(org, "alpha", slack_channel_id=CHANNEL)
    weeks = [f"2026-W{w}" for w in range(30, 40)]
    with FakeSlackAPI() as fake_api, Racer(org.settings.database_url, 2) as racer:
        for week in weeks:
            task = ("post_digest", ("alpha", week, fake_api.base_url, BOT_TOKEN))
            answers = racer.round(task, task)
            assert sorted(v for _, v in answers) in (["in_progress", "posted"], ["already_posted", "posted"]), answers
        keys = [m["metadata"]["event_payload"]["key"] for m in fake_api.messages(CHANNEL)]
    assert sorted(keys) == [f"liumai-digest:alpha:{w}" for w in weeks]
