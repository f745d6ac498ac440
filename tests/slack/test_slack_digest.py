"""Weekly digests in Slack: the integration's DigestPoster through the fake, and `/values digest`.

Once per team and week, a crash between Slack accepting the post and the database recording it
recovered from the channel's own history (message metadata), posts to one channel spaced, the
team's language, inert stories - and `/values digest` for managers and admins only.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from liumai.services import digest as dg
from liumai.services import nominations as nom
from liumai.services.org import set_team
from liumai.slack.digest import EVENT_TYPE, SlackDigestPoster, team_lang
from tests.slack.harness import STORIES

WEEK = "2026-W47"  # the fixed clock (2026-11-16) is in it
EVIL = "<!channel> <@U0BOSS> @here *bold* shipped the fix at 3am"


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: claiming and recording runs on both databases in tests/test_digest.py."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


@pytest.fixture
def week(slack):
    """Recognitions this week in alpha (one story full of markup); alpha and beta have channels."""
    ctx = slack.ctx
    for frm, to, crit, story in (
        ("bob@example.com", "ann@example.com", "teamwork.3", STORIES["en"]),
        ("ann@example.com", "bob@example.com", "customer_first.2", EVIL),
        ("mgr2@example.com", "cat@example.com", "passion.1", "Cat kept the beta release on track all week."),
    ):
        r = nom.nominate(ctx, frm, to, story, tag=False)
        nom.confirm(ctx, r.nomination.id, frm, crit)
    set_team(ctx, "alpha", slack_channel_id="C0ALPHA")
    set_team(ctx, "beta", slack_channel_id="C0BETA")
    return slack


def _posts(slack, channel: str | None = None) -> list:
    return [c for c in slack.fake.calls_to("chat.postMessage") if channel in (None, c.params.get("channel"))]


def test_posted_once_per_team_and_week_with_metadata(week):
    slack = week
    poster = slack.integration.digest_poster()
    first = dg.post_digest(slack.ctx, "alpha", WEEK, [poster])
    assert first.status == "posted" and first.posted["slack"].startswith(str(int(slack.fake.clock()))[:5])
    [call] = _posts(slack, "C0ALPHA")
    assert call.params["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"key": f"liumai-digest:alpha:{WEEK}"},
    }
    assert call.token == slack.ctx.settings.slack_bot_token
    again = dg.post_digest(slack.ctx, "alpha", WEEK, [poster])
    assert again.status == "already_posted" and len(slack.fake.messages("C0ALPHA")) == 1
    # the posted digest is inert: stories are plain_text, nothing can ping
    text = json.dumps(call.params["blocks"], ensure_ascii=False) + call.params["text"]
    assert "<!channel>" not in text and "<@U0BOSS>" not in text and "@here" not in text
    stories = [b for b in call.params["blocks"] if b["type"] == "section" and "shipped the fix" in json.dumps(b)]
    assert stories and all(b["text"]["type"] == "plain_text" for b in stories)


def test_a_crash_between_posting_and_recording_is_recovered_from_the_channel(week):
    slack = week

    class CrashAfterSend(SlackDigestPoster):
        crashed = False

        def post(self, target, digest):
            ts = super().post(target, digest)
            if not self.crashed:
                self.crashed = True
                raise ConnectionError("the process died right after Slack accepted the post")
            return ts

    poster = CrashAfterSend(slack.ctx, slack.integration._digest_client)
    out = dg.post_digest(slack.ctx, "alpha", WEEK, [poster], owner="server-a")
    assert out.status == "failed" and len(slack.fake.messages("C0ALPHA")) == 1
    slack.ctx.clock.now += timedelta(seconds=dg.CLAIM_LEASE_S + 1)  # the crashed claim expires
    out = dg.post_digest(slack.ctx, "alpha", WEEK, [slack.integration.digest_poster()], owner="server-b")
    assert out.status == "posted" and out.posted == {"slack": "existing"}
    assert len(_posts(slack, "C0ALPHA")) == 1 and len(slack.fake.messages("C0ALPHA")) == 1
    history = slack.fake.calls_to("conversations.history")
    assert history and all(c.params["include_all_metadata"] in (True, "true", "1") for c in history)
    assert dg.post_digest(slack.ctx, "alpha", WEEK, [poster]).status == "already_posted"


def test_another_apps_lookalike_message_does_not_block_the_digest(week):
    slack = week
    key = f"liumai-digest:alpha:{WEEK}"
    slack.fake.tokens["xoxb-other-app-token"] = {
        "team_id": "T0TEST",
        "team": "t",
        "user_id": "U0OTHER",
        "bot_id": "B0OTHER",
    }
    import httpx

    httpx.post(
        slack.fake.base_url + "chat.postMessage",
        headers={"Authorization": "Bearer xoxb-other-app-token"},
        json={
            "channel": "C0ALPHA",
            "text": "hi",
            "metadata": {"event_type": EVENT_TYPE, "event_payload": {"key": key}},
        },
    )
    out = dg.post_digest(slack.ctx, "alpha", WEEK, [slack.integration.digest_poster()])
    assert out.status == "posted" and out.posted["slack"] != "existing"


def test_unreadable_history_is_logged_and_the_digest_still_posted(week, caplog):
    slack = week
    slack.fake.fail_once("conversations.history", "missing_scope")
    out = dg.post_digest(slack.ctx, "alpha", WEEK, [slack.integration.digest_poster()])
    assert out.status == "posted" and len(_posts(slack, "C0ALPHA")) == 1
    [warning] = [r for r in caplog.records if "cannot read the history" in r.getMessage()]
    assert warning.levelno == logging.WARNING and "channels:history" in warning.getMessage()


def test_posts_to_one_channel_are_spaced(week):
    slack = week
    set_team(slack.ctx, "beta", slack_channel_id="C0ALPHA")  # two teams share one channel
    poster = slack.integration.digest_poster()
    # an injected clock: the Spacer asks to sleep exactly the rest of the spacing
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    spacer = dg.Spacer(1.1, clock=lambda: now[0], sleep=sleep)
    outcomes = dg.post_all(slack.ctx, WEEK, [poster], spacer=spacer)
    assert [o.status for o in outcomes if o.team in ("alpha", "beta")] == ["posted", "posted"]
    assert slept == [pytest.approx(1.1)]
    # and on the real clock, the recorded calls really are apart
    slack.fake.reset()
    slack.ctx.clock.now += timedelta(days=7)
    outcomes = dg.post_all(slack.ctx, "2026-W48", [poster], spacer=dg.Spacer(0.3))
    calls = _posts(slack, "C0ALPHA")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.25


def test_team_language_is_the_majority_of_its_members(week):
    ctx = week.ctx
    assert team_lang(ctx, "alpha") == "zh"  # two read Chinese, two English: a tie goes to Chinese
    assert team_lang(ctx, "beta") == "en"
    assert team_lang(ctx, "nobody") == "zh"
    dg.post_all(ctx, WEEK, [week.integration.digest_poster()], spacer=dg.Spacer(0))
    assert "价值观周报" in json.dumps(_posts(week, "C0ALPHA")[0].params["blocks"], ensure_ascii=False)
    assert "Values digest" in json.dumps(_posts(week, "C0BETA")[0].params["blocks"], ensure_ascii=False)


def _reply(slack) -> dict:
    slack.settle()
    [reply] = slack.wait_hook()
    return reply.params


@pytest.mark.parametrize(("manager", "lang"), [("U0MGR", "zh"), ("U0MGR2", "en")])
def test_values_digest_preview_then_post(week, manager, lang):
    slack = week
    team, channel = {"U0MGR": ("alpha", "C0ALPHA"), "U0MGR2": ("beta", "C0BETA")}[manager]
    slack.command("digest preview", user=manager, command="/values")
    preview = _reply(slack)
    assert preview["response_type"] == "ephemeral"
    text = json.dumps(preview["blocks"], ensure_ascii=False)
    assert ("仅为预览" if lang == "zh" else "Preview only") in text and WEEK in text
    assert _posts(slack) == []
    # Posting without a week posts last week's digest (what Monday's schedule posts): a week later.
    from datetime import timedelta

    slack.ctx.clock.now += timedelta(days=7)
    slack.command("digest", user=manager, command="/values")
    posted = _reply(slack)["text"]
    assert f"<#{channel}>" in posted and WEEK in posted
    assert len(_posts(slack, channel)) == 1
    slack.command(f"digest {team} {WEEK}", user=manager, command="/values")
    assert ("已经发布过了" if lang == "zh" else "already posted") in _reply(slack)["text"]
    assert len(_posts(slack, channel)) == 1


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        ("U0ANN", "digest alpha", "Only managers can do this"),
        ("U0WANG", "digest", "只有主管可以执行此操作"),
        ("U0MGR2", "digest alpha", "Only alpha's managers (or an admin)"),
        ("U0MGR2", "digest alpha preview", "Only alpha's managers (or an admin)"),
        ("U0BOSS", "digest", "请指定团队"),  # their people are in three teams
        ("U0HR", "digest", "Team `people` has no Slack channel"),  # nobody reports to HR: HR's own team
        ("U0HR", "digest gamma", "There is no team `gamma`"),
        ("U0MGR", "digest 2026-W99", "不是有效的周"),
        ("U0HR", "digest lead", "has no Slack channel"),
    ],
)
def test_values_digest_refusals(week, user, text, expected):
    slack = week
    slack.command(text, user=user, command="/values")
    assert expected in _reply(slack)["text"]
    assert _posts(slack) == []


def test_admin_posts_any_teams_digest_and_a_missing_invite_is_explained(week):
    slack = week
    slack.fake.fail_once("chat.postMessage", "not_in_channel")
    slack.command("digest beta", user="U0HR", command="/values")
    told = _reply(slack)["text"]
    assert "`not_in_channel`" in told and "/invite" in told
    slack.ctx.clock.now += timedelta(seconds=dg.CLAIM_LEASE_S + 1)
    slack.command("digest beta", user="U0HR", command="/values")
    assert "<#C0BETA>" in _reply(slack)["text"]
    assert len(slack.fake.messages("C0BETA")) == 1
