"""A small org built in bulk for the statement-count and query-plan tests: teams of people under
one head, each person with a story this week and one from the previous quarter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

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
