"""No N+1: a team summary, a subtree summary and a week's digests issue the same number of SQL
statements for a team of 3 as for a team of 30 (and for 2 teams as for 12), on SQLite and
PostgreSQL. Counting statements is the deterministic stand-in for the timings of bench/scale.py:
a per-person or per-team query would make the count grow with the org.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from liumai.services.digest import build_digests
from liumai.services.summaries import team_summary
from liumai.storage.models import Evidence, Nomination, Person, Team

WEEK = "2026-W46"  # Monday 9 November 2026
IN_WEEK = datetime(2026, 11, 10, 9, tzinfo=UTC)
CRITERIA = ("customer_first.1", "teamwork.2", "integrity.3", "embrace_change.1", "passion.2", "dedication.1")


def seed(engine, teams: int, size: int) -> None:
    """`teams` teams of `size` people under one head, each with stories this week and earlier."""
    people, noms, evs = [], [], []
    people.append(
        {
            "id": 1,
            "email": "head@example.com",
            "display_name": "Head",
            "locale": "en-US",
            "team_id": None,
            "manager_id": None,
            "is_admin": True,
            "active": True,
        }
    )
    pid = 1
    for t in range(teams):
        lead = None
        for _ in range(size):
            pid += 1
            lead = lead or pid
            people.append(
                {
                    "id": pid,
                    "email": f"p{pid}@example.com",
                    "display_name": f"P{pid}",
                    "locale": "en-US",
                    "team_id": t + 1,
                    "manager_id": 1 if pid == lead else lead,
                    "is_admin": False,
                    "active": True,
                }
            )
    n = 0
    for p in people[1:]:
        for k, when in enumerate((IN_WEEK, IN_WEEK - timedelta(days=40))):
            n += 1
            noms.append(
                {
                    "id": n,
                    "nominator_id": 1,
                    "nominee_id": p["id"],
                    "story": f"Story {n}",
                    "source": "cli",
                    "private": False,
                    "status": "confirmed",
                    "idempotency_key": f"k{n}",
                    "created_at": when,
                }
            )
            evs.append(
                {
                    "id": n,
                    "subject_id": p["id"],
                    "criterion": CRITERIA[(n + k) % 6],
                    "polarity": "conforming",
                    "mitigated": False,
                    "status": "accepted",
                    "nominator_id": 1,
                    "nomination_id": n,
                    "period": "2026Q4" if when.month >= 10 else "2026Q3",
                    "occurred_at": when,
                    "rubric_version": "test",
                    "created_at": when,
                }
            )
    with engine.begin() as conn:
        conn.execute(
            insert(Team),
            [{"id": t + 1, "key": f"team{t}", "name_zh": f"团队{t}", "name_en": f"Team {t}"} for t in range(teams)],
        )
        conn.execute(insert(Person), people)
        conn.execute(insert(Nomination), noms)
        conn.execute(insert(Evidence), evs)


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


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
