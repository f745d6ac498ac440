"""What calibration reads from the database, in a few set-based queries and one streamed pass.

- the org chart (people and teams: small, read whole, as plain rows, never ORM objects);
- the quarter's evidence, streamed ordered by subject (server-side cursor on PostgreSQL,
  `yield_per`), scored person by person with the engine and then dropped, so memory grows with
  the number of people, not of evidence items;
- GROUP BY aggregates for the managers' decisions and the nomination pairs (fairness signals);
- nomination times only for the few pairs that nominated each other often enough.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from liumai.rubric.engine import EvidenceItem, Reason, score
from liumai.rubric.model import Polarity, Rubric
from liumai.services.fairness import Pair
from liumai.storage.models import Evidence, Person, Team

STREAM_BATCH = 5000
_CONFORMING = Polarity.CONFORMING.value


@dataclass(frozen=True)
class OrgRow:
    id: int
    email: str
    name: str
    manager_id: int | None
    team_id: int | None
    active: bool
    is_admin: bool


@dataclass
class Org:
    people: dict[int, OrgRow]
    teams: dict[int, tuple[str, str, str]]  # id -> (key, name_zh, name_en)
    children: dict[int, list[int]] = field(default_factory=dict)

    def subtree(self, root: int) -> set[int]:
        """Everyone below `root` (not `root`), inactive people's reports included; cycle-safe."""
        seen, frontier = {root}, [root]
        while frontier:
            frontier = [c for m in frontier for c in self.children.get(m, ()) if c not in seen]
            seen.update(frontier)
        seen.discard(root)
        return seen

    def is_above(self, manager: int, person: int) -> bool:
        return person in self.subtree(manager)


def load_org(session: Session) -> Org:
    people = {
        r[0]: OrgRow(*r)
        for r in session.execute(
            select(
                col(Person.id),
                col(Person.email),
                col(Person.display_name),
                col(Person.manager_id),
                col(Person.team_id),
                col(Person.active),
                col(Person.is_admin),
            )
        ).all()
    }
    teams = {
        r[0]: (r[1], r[2], r[3])
        for r in session.execute(select(col(Team.id), col(Team.key), col(Team.name_zh), col(Team.name_en))).all()
    }
    children: dict[int, list[int]] = defaultdict(list)
    for p in people.values():
        if p.manager_id is not None:
            children[p.manager_id].append(p.id)
    return Org(people, teams, dict(children))


@dataclass
class PersonTally:
    """What calibration keeps of one person after the engine has scored them."""

    values: dict[str, float]
    total: float
    recognised: bool  # any conforming recognition, pending or accepted
    concerns: int  # accepted non-conforming cases
    shown: frozenset[str]  # behaviours with conforming recognition (pending or accepted)
    too_few_nominators: bool  # a level stopped because of min_distinct_nominators


def _tally(rubric: Rubric, rows: list[tuple]) -> PersonTally:
    items = [
        EvidenceItem(
            id=r[5],
            criterion=r[1],
            polarity=r[2],
            nominator=None if r[3] is None else str(r[3]),
            status=r[4],
            mitigated=r[6],
        )
        for r in rows
    ]
    acc = score(rubric, items).accepted
    recognition = [r for r in rows if r[2] == _CONFORMING and r[7] is None and r[4] in ("accepted", "pending")]
    return PersonTally(
        values={k: v.score for k, v in acc.values.items()},
        total=acc.total,
        recognised=bool(recognition),
        concerns=sum(1 for r in rows if r[2] != _CONFORMING and r[4] == "accepted"),
        shown=frozenset(r[1] for r in recognition),
        too_few_nominators=any(Reason.TOO_FEW_NOMINATORS in t.reasons for v in acc.values.values() for t in v.levels),
    )


def empty_tally(rubric: Rubric) -> PersonTally:
    return _tally(rubric, [])


def stream_tallies(
    session: Session, rubric: Rubric, quarter: str, scope: frozenset[int], *, whole_org: bool
) -> Iterator[tuple[int, PersonTally]]:
    """(person id, tally) for everyone in `scope` with evidence this quarter, streamed by subject."""
    stmt = (
        select(
            col(Evidence.subject_id),
            col(Evidence.criterion),
            col(Evidence.polarity),
            col(Evidence.nominator_id),
            col(Evidence.status),
            col(Evidence.id),
            col(Evidence.mitigated),
            col(Evidence.concern_id),
        )
        .where(col(Evidence.period) == quarter)
        .order_by(col(Evidence.subject_id))
    )
    if not whole_org and len(scope) <= 1000:
        stmt = stmt.where(col(Evidence.subject_id).in_(sorted(scope)))
    result = session.connection().execution_options(yield_per=STREAM_BATCH).execute(stmt)
    for subject, rows in groupby(result, key=lambda r: r[0]):
        if subject in scope:
            yield subject, _tally(rubric, list(rows))


def decisions(session: Session, quarter: str, scope: frozenset[int]) -> dict[int, tuple[int, int]]:
    """Decider id -> (accepted, rejected) of recognition about people in scope, one GROUP BY."""
    status = col(Evidence.status)
    rows = session.execute(
        select(col(Evidence.decided_by_id), col(Evidence.subject_id), status, func.count())
        .where(
            col(Evidence.period) == quarter,
            col(Evidence.concern_id).is_(None),
            col(Evidence.decided_by_id).is_not(None),
            status.in_(("accepted", "rejected")),
        )
        .group_by(col(Evidence.decided_by_id), col(Evidence.subject_id), status)
    ).all()
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for decider, subject, st, n in rows:
        if subject in scope:
            out[decider][0 if st == "accepted" else 1] += n
    return {k: (a, r) for k, (a, r) in out.items()}


def _recognition(quarter: str) -> list:
    return [
        col(Evidence.period) == quarter,
        col(Evidence.nomination_id).is_not(None),
        col(Evidence.nominator_id).is_not(None),
        col(Evidence.polarity) == _CONFORMING,
    ]


def nomination_pairs(session: Session, quarter: str, scope: frozenset[int]) -> list[Pair]:
    """Nominations of the quarter per (nominator, nominee) touching the scope, one GROUP BY."""
    accepted = func.sum(case((col(Evidence.status) == "accepted", 1), else_=0))
    rows = session.execute(
        select(col(Evidence.nominator_id), col(Evidence.subject_id), func.count(), accepted)
        .where(*_recognition(quarter))
        .group_by(col(Evidence.nominator_id), col(Evidence.subject_id))
    ).all()
    return [Pair(a, b, n, int(acc or 0)) for a, b, n, acc in rows if a in scope or b in scope]


def pair_times(session: Session, quarter: str, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[datetime]]:
    """When each of `pairs` nominated: read only for the reciprocal candidates."""
    if not pairs:
        return {}
    givers = sorted({a for a, _ in pairs})
    rows = session.execute(
        select(col(Evidence.nominator_id), col(Evidence.subject_id), col(Evidence.occurred_at)).where(
            *_recognition(quarter), col(Evidence.nominator_id).in_(givers)
        )
    ).all()
    out: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for a, b, at in rows:
        if (a, b) in pairs:
            out[(a, b)].append(at)
    return dict(out)


__all__ = ["Org", "OrgRow", "PersonTally", "decisions", "load_org", "nomination_pairs", "pair_times", "stream_tallies"]
