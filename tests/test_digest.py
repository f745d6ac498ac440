"""Weekly digests: content (never scores, concerns or private stories), escaping, idempotent posting."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from liumai.feishu.report_cards import digest_feishu_card
from liumai.reports.digest_render import digest_text
from liumai.services import digest as dg
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.slack.report_blocks import digest_slack_blocks
from tests.fakes.digest_poster import FakePoster

WEEK = "2026-W47"  # the fixed clock (2026-11-16) is in it
EVIL = '<!channel> @here @all <@U0BOSS> <at user_id="all"></at> *bold* shipped the fix'


@pytest.fixture
def week(org):
    def confirmed(frm, to, crit, story, **kw):
        r = nom.nominate(org, frm, to, story, **kw)
        return nom.confirm(org, r.nomination.id, frm, crit)

    a = confirmed("bob@example.com", "ann@example.com", "teamwork.3", "Ann documented the on-call runbook for all.")
    ev.decide(org, a.id, "mgr@example.com", "accepted")
    confirmed("ann@example.com", "bob@example.com", "customer_first.2", EVIL)
    confirmed("wang@example.com", "bob@example.com", "passion.3", "SECRET private thanks", private=True)
    r = confirmed("ann@example.com", "wang@example.com", "integrity.4", "Rejected story about integrity")
    ev.decide(org, r.id, "mgr@example.com", "rejected")
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.1", "CONCERN NOTE never shown")
    return org


def test_digest_content(week):
    d = dg.build_digest(week, "alpha", WEEK)
    assert d.total == 2 and d.quarter == "2026Q4"
    assert d.by_value["teamwork"] == 1 and d.by_value["customer_first"] == 1 and d.by_value["passion"] == 0
    assert {s.nominee for s in d.highlights} == {"Ann", "Bob"}
    assert {s.nominee for s in d.first_recognitions} == {"Ann", "Bob"}
    assert set(d.values_missing_this_quarter) == {"embrace_change", "integrity", "passion", "dedication"}
    assert dg.build_digest(week, "alpha", "2026-W46").total == 0
    assert dg.build_digest(week, "beta", WEEK).total == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_digest_renderings_never_leak_and_never_ping(week, lang):
    d = dg.build_digest(week, "alpha", WEEK)
    r = week.rubric
    text = digest_text(d, r, lang)
    assert "\\<at user" in text and "\\*bold\\*" in text  # Markdown: escaped, so inert
    for out in (
        text,
        json.dumps(digest_slack_blocks(d, r, lang), ensure_ascii=False),
        json.dumps(digest_feishu_card(d, r, lang), ensure_ascii=False),
    ):
        assert "SECRET" not in out and "CONCERN" not in out and "Rejected story" not in out
        assert "<!channel>" not in out and "<@U0BOSS>" not in out
        if out is not text:
            assert "<at " not in out
        assert "@here" not in out and "@all" not in out
        for word in ("score", "分数", "/30", "0.5"):
            assert word not in out
    blocks = digest_slack_blocks(d, r, lang)
    story_blocks = [b for b in blocks if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    assert story_blocks, "stories must be plain_text so Slack formats and parses nothing in them"
    assert ("价值观周报" if lang == "zh" else "Values digest") in json.dumps(blocks, ensure_ascii=False)


def test_posting_is_once_per_team_and_week(week):
    poster = FakePoster()
    first = dg.post_digest(week, "alpha", WEEK, [poster])
    assert first.status == "posted" and first.posted == {"slack": "ts-1"}
    again = dg.post_digest(week, "alpha", WEEK, [poster])
    assert again.status == "already_posted" and poster.sent == [f"liumai-digest:alpha:{WEEK}"]


def test_a_second_server_during_posting_backs_off(week):
    poster = FakePoster()
    assert dg._claim(week, _team_id(week, "alpha"), WEEK, "slack:C0ALPHA", "server-a") == "claimed"
    out = dg.post_digest(week, "alpha", WEEK, [poster], owner="server-b")
    assert out.status == "in_progress" and poster.sent == []


def test_crash_between_sending_and_recording_never_doubles(week):
    poster = FakePoster(fail_after_send=True)
    out = dg.post_digest(week, "alpha", WEEK, [poster], owner="server-a")
    assert out.status == "failed" and len(poster.sent) == 1
    assert dg.post_digest(week, "alpha", WEEK, [poster], owner="server-b").status == "in_progress"
    week.clock.now += timedelta(seconds=dg.CLAIM_LEASE_S + 1)  # the crashed claim expires
    out = dg.post_digest(week, "alpha", WEEK, [poster], owner="server-b")
    assert out.status == "posted" and out.posted == {"slack": "existing"}
    assert len(poster.sent) == 1


def test_team_without_channel_is_skipped(week):
    class NoTarget(FakePoster):
        def target(self, team):
            return None

    assert dg.post_digest(week, "alpha", WEEK, [NoTarget()]).status == "no_target"


def test_spacer_keeps_posts_to_one_channel_apart():
    now = [0.0]
    slept: list[float] = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    sp = dg.Spacer(1.1, clock=lambda: now[0], sleep=sleep)
    sp.wait("slack:C1")
    sp.wait("slack:C2")
    now[0] += 0.3
    sp.wait("slack:C1")
    assert slept == [pytest.approx(0.8)]


def test_bad_week_is_a_clear_error(week):
    from liumai.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="ISO week"):
        dg.build_digest(week, "alpha", "2026-48")
    with pytest.raises(InvalidInput, match="unknown team"):
        dg.build_digest(week, "nope", WEEK)


def _team_id(ctx, key):
    from sqlmodel import Session, select

    from liumai.storage.models import Team

    with Session(ctx.engine) as s:
        return s.exec(select(Team).where(Team.key == key)).one().id


def test_a_week_straddling_two_quarters_counts_both_sides(org):
    from datetime import UTC, datetime

    for day, story in (
        (29, "Ann closed the quarter's books two days early for finance."),
        (2, "Ann onboarded the two new analysts in her first week of the quarter."),
    ):
        month = 9 if day == 29 else 10
        org.clock.now = datetime(2026, month, day, 10, tzinfo=UTC)
        r = nom.nominate(org, "bob@example.com", "ann@example.com", story)
        nom.confirm(org, r.nomination.id, "bob@example.com", "teamwork.3")
    d = dg.build_digest(org, "alpha", "2026-W40")  # Mon 28 Sep - Sun 4 Oct: Q3 and Q4
    assert d.total == 2 and d.quarter == "2026Q3"
    assert [x.team_key for x in dg.build_digests(org, "2026-W40")] == ["lead", "people", "alpha", "beta"]


def test_a_digest_preview_is_for_the_teams_managers_and_admins(org):
    from liumai.services.errors import InvalidInput, NotFound, PermissionDenied

    dg.authorize_digest_preview(org, "alpha", "mgr@example.com")
    dg.authorize_digest_preview(org, "alpha", "feishu:ou_boss")  # indirect manager
    dg.authorize_digest_preview(org, "beta", "hr@example.com")  # admin
    with pytest.raises(PermissionDenied):
        dg.authorize_digest_preview(org, "alpha", "ann@example.com")
    with pytest.raises(PermissionDenied):
        dg.authorize_digest_preview(org, "beta", "mgr@example.com")
    for key in ("nosuchteam", "Alpha"):  # matched exactly
        with pytest.raises(InvalidInput):
            dg.authorize_digest_preview(org, key, "hr@example.com")
    with pytest.raises(NotFound):
        dg.authorize_digest_preview(org, "alpha", "nobody@example.com")
