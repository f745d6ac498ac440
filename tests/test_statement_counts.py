"""No N+1: a team summary, a subtree summary and a week's digests issue the same number of SQL
statements for a team of 3 as for a team of 30 (and for 2 teams as for 12), on SQLite and
PostgreSQL. Counting statements is the deterministic stand-in for the timings of bench/scale.py:
a per-person or per-team query would make the count grow with the org.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from liumai.services.digest import build_digests
from liumai.services.summaries import team_summary
from tests.org_seed import WEEK, seed
from tests.statement_counter import counted


def statements_for(ctx, fn) -> int:
    with counted(ctx.engine) as seen:
        fn()
    return len(seen)


def test_team_summary_statements_do_not_grow_with_the_team(ctx, engine):
    seed(engine, teams=2, size=30)
    big = statements_for(ctx, lambda: team_summary(ctx, team="team0", quarter="2026Q4"))
    summary = team_summary(ctx, team="team0", quarter="2026Q4")
    assert len(summary.people) == 30
    with engine.begin() as conn:  # the same team shrunk to 3 active people
        conn.exec_driver_sql("UPDATE person SET active = false WHERE team_id = 1 AND id > 4")
    small = statements_for(ctx, lambda: team_summary(ctx, team="team0", quarter="2026Q4"))
    assert len(team_summary(ctx, team="team0", quarter="2026Q4").people) == 3
    assert big == small, (small, big)


def test_subtree_summary_statements_do_not_grow_with_the_subtree(ctx, engine):
    seed(engine, teams=6, size=5)
    whole = statements_for(ctx, lambda: team_summary(ctx, manager=1, subtree=True, quarter="2026Q4"))
    assert len(team_summary(ctx, manager=1, subtree=True, quarter="2026Q4").people) == 30
    with engine.begin() as conn:  # the same two-level subtree with 2 teams instead of 6
        conn.exec_driver_sql("UPDATE person SET active = false WHERE team_id > 2")
    narrow = statements_for(ctx, lambda: team_summary(ctx, manager=1, subtree=True, quarter="2026Q4"))
    assert len(team_summary(ctx, manager=1, subtree=True, quarter="2026Q4").people) == 10
    assert whole == narrow, (narrow, whole)  # one query per level of the chain at most, never per person


def test_a_weeks_digests_cost_the_same_statements_for_2_teams_or_12(ctx, engine):
    seed(engine, teams=12, size=4)
    two = statements_for(ctx, lambda: build_digests(ctx, WEEK, ["team0", "team1"]))
    twelve = statements_for(ctx, lambda: build_digests(ctx, WEEK))
    digests = build_digests(ctx, WEEK)
    assert len(digests) == 12 and all(sum(d.by_value.values()) == 4 for d in digests)
    assert twelve <= two + 1, (two, twelve)  # naming teams reads each by key; "all" reads them at once


def test_many_nominees_are_named_by_team_with_the_same_digests(ctx, engine, monkeypatch):
    """Past MAX_IN_LIST nominees the digests read names and first-timers by team, not by a list
    of thousands of ids; what they say is the same."""
    from liumai.services import digest, digest_queries

    seed(engine, teams=3, size=4)
    with engine.begin() as conn:  # half the people were first recognised this week
        conn.execute(
            text("DELETE FROM evidence WHERE subject_id IN (2, 4, 6, 8, 10, 12) AND occurred_at < :monday"),
            {"monday": datetime(2026, 11, 9, tzinfo=UTC)},
        )
    by_list = build_digests(ctx, WEEK)
    assert any(d.first_recognitions for d in by_list)
    monkeypatch.setattr(digest, "MAX_IN_LIST", 0)
    monkeypatch.setattr(digest_queries, "MAX_IN_LIST", 0)
    with counted(ctx.engine) as seen:
        by_team = build_digests(ctx, WEEK)
    assert by_team == by_list
    assert not any("person.id IN" in s for s in seen)  # neither list was sent
