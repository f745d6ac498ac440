"""The reads of a week's digests that must cost what a week costs, not what the history costs
(bench/scale.py, tests/test_query_plans.py): which values each team was recognised for this
quarter, and who among the week's nominees is recognised for the first time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import col, select

from liumai.rubric.model import Polarity
from liumai.storage.models import Evidence, Nomination, Person

CONFORMING = Polarity.CONFORMING.value


def quarter_values_by_team(
    session, team_ids: list[int], quarter: str, q_start: datetime, end: datetime
) -> dict[int, set[str]]:
    """Values recognised this quarter so far, per team; a private nomination does not show here either.

    Counted twice rather than joined: every recognition of the quarter per (team, behaviour) from
    evidence and people alone, then the few from private nominations (found from the private side,
    through its partial index), and a pair counts where some recognition is not private. Joining
    the quarter's evidence to its nominations only to read `private` cost most of all the digests."""

    def counts(*extra: Any) -> Any:
        query = (
            select(Person.team_id, Evidence.criterion, func.count())
            .join(Person, col(Evidence.subject_id) == col(Person.id))
            .where(
                col(Person.team_id).in_(team_ids),
                col(Evidence.polarity) == CONFORMING,
                col(Evidence.status) != "rejected",
                col(Evidence.nomination_id).is_not(None),
                col(Evidence.period) == quarter,
                col(Evidence.occurred_at) >= q_start,
                col(Evidence.occurred_at) < end,
                *extra,
            )
            .group_by(col(Person.team_id), col(Evidence.criterion))
        )
        return {(team, criterion): n for team, criterion, n in session.exec(query).all()}

    private_ids = select(Nomination.id).where(
        col(Nomination.private) == True,  # noqa: E712
        col(Nomination.created_at) >= q_start,
        col(Nomination.created_at) < end,
    )
    everything = counts()
    private = counts(col(Evidence.nomination_id).in_(private_ids)) if everything else {}
    values: dict[int, set[str]] = {t: set() for t in team_ids}
    for (team, criterion), n in everything.items():
        if n > private.get((team, criterion), 0):
            values[team].add(criterion.split(".", 1)[0])
    return values


MAX_IN_LIST = 1000  # ids; past this a statement's parameters cost more to send than the rows they save


def newcomers(session, subjects: set[int], start: datetime, end: datetime, team_ids: list[int]) -> set[int]:
    """The people among `subjects` (the week's nominees, members of `team_ids`) whose first
    recognition ever falls in [start, end): some in the week and none before it. Two EXISTS probes
    per person on (subject_id, occurred_at), each stopping at its first row, so the cost follows
    the week's nominees, not their history. Thousands of nominees are named by their teams instead
    (a few hundred parameters, not thousands) and the answer is cut to them here."""
    if not subjects:
        return set()

    def recognised(*when: Any) -> Any:
        return exists().where(
            col(Evidence.subject_id) == col(Person.id),
            col(Evidence.polarity) == CONFORMING,
            col(Evidence.status) != "rejected",
            *when,
        )

    earlier = recognised(col(Evidence.occurred_at) < start)
    in_week = recognised(col(Evidence.occurred_at) >= start, col(Evidence.occurred_at) < end)
    who = col(Person.id).in_(subjects) if len(subjects) <= MAX_IN_LIST else col(Person.team_id).in_(team_ids)
    query = select(Person.id).where(who, ~earlier, in_week)
    return set(session.exec(query).all()) & subjects
