"""The digest schedule: cron in the configured zone, a bad cron named, and a run posts each team once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from liumai.config import ConfigError
from liumai.services import nominations as nom
from liumai.services.scheduler import digest_trigger, run_weekly_digests
from tests.fakes.digest_poster import FakePoster


def test_trigger_uses_cron_and_time_zone():
    from zoneinfo import ZoneInfo

    trig = digest_trigger("0 9 * * MON", ZoneInfo("Asia/Shanghai"))
    nxt = trig.get_next_fire_time(None, datetime(2026, 11, 27, 12, tzinfo=UTC))
    assert nxt.isoformat() == "2026-11-30T09:00:00+08:00"
    with pytest.raises(ConfigError, match="LIUMAI_DIGEST_CRON"):
        digest_trigger("every monday", ZoneInfo("UTC"))


def test_weekly_run_posts_last_week_once_per_team(org):
    from datetime import timedelta

    r = nom.nominate(org, "bob@example.com", "ann@example.com", "Ann ran the incident review calmly and fairly.")
    nom.confirm(org, r.nomination.id, "bob@example.com", "teamwork.4")
    org.clock.now += timedelta(days=7)  # the Monday after
    poster = FakePoster()
    first = run_weekly_digests(org, [poster], owner="a")
    assert {o.team: o.status for o in first}["alpha"] == "posted"
    assert all(o.week == "2026-W47" for o in first)
    second = run_weekly_digests(org, [poster], owner="b")  # a second replica
    assert {o.status for o in second} == {"already_posted"}
    assert len(poster.sent) == len(first)
