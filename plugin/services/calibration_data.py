"""What calibration reads from the database, in a few set-based queries and one streamed pass.

- the org chart (people and teams: small, read whole, as plain rows, never ORM objects);
- the quarter's evidence, streamed ordered by subject (server-side cursor on PostgreSQL,
  `yield_per`), scored person by person with the engine and then dropped, so memory grows with
  the number of people, not of evidence items;
- GROUP BY aggregates for the managers' decisions and the nomination pairs (fairness signals);
  the times of the few pairs that nominated each other often enough are picked up in the stream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy import case, func, or_, select, text
from sqlmodel import Session, col

from liumai.rubric.engine import EvidenceItem, Reason, score
from liumai.rubric.model import Polarity, Rubric
from liumai.services.fairness import Pair
from liumai.storage.models import Evidence, Person, Team

STREAM_BATCH = 20_000
MAX_IN_LIST = 1000
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
    """One pass over a person's rows; only accepted evidence goes to the engine (the accepted score
    is all calibration shows, and without pending items the engine scores one view, not two)."""
    items = []
    shown: set[str] = set()
    concerns = 0
    for _s, crit, polarity, nominator, status, eid, mitigated, concern_id, _at in rows:
        if status == "accepted":
            who = None if nominator is None else str(nominator)
            items.append(EvidenceItem(eid, crit, polarity, who, status, mitigated))
        if polarity != _CONFORMING:
            concerns += status == "accepted"
        elif concern_id is None and status != "rejected":
            shown.add(crit)
    acc = score(rubric, items).accepted
    return PersonTally(
        values={k: v.score for k, v in acc.values.items()},
        total=acc.total,
        recognised=bool(shown),
        concerns=concerns,
        shown=frozenset(shown),
        too_few_nominators=any(
            v.stop is not None and Reason.TOO_FEW_NOMINATORS in v.stop.reasons for v in acc.values.values()
        ),
    )


def empty_tally(rubric: Rubric) -> PersonTally:
    return _tally(rubric, [])


def _in_scope(column, scope: frozenset[int], whole_org: bool) -> list:
    """A SQL filter on `column` for a small scope; a large one is filtered in Python while streaming
    (a 5,000-id IN list costs the planner more than the rows it saves)."""
    return [] if whole_org or len(scope) > MAX_IN_LIST else [col(column).in_(sorted(scope))]


def stream_tallies(
    session: Session,
    rubric: Rubric,
    quarter: str,
    scope: frozenset[int],
    *,
    whole_org: bool,
    times_of: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    times: dict[tuple[int, int], list[datetime]] | None = None,
) -> Iterator[tuple[int, PersonTally]]:
    """(person id, tally) for everyone in `scope` with evidence this quarter, streamed by subject.

    In the same pass, the nomination times of the (nominator, nominee) pairs in `times_of` are
    collected into `times` (the reciprocal check needs them; nothing else does).
    """
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
            col(Evidence.occurred_at),
        )
        .where(col(Evidence.period) == quarter, *_in_scope(Evidence.subject_id, scope, whole_org))
        .order_by(col(Evidence.subject_id))
    )
    # On the statement, not the connection: a connection's options would stream every later query too.
    result = session.connection().execute(stmt.execution_options(yield_per=STREAM_BATCH))
    for subject, group in groupby(result, key=lambda r: r[0]):
        if subject not in scope:
            continue
        rows: list[tuple] = [tuple(r) for r in group]
        if times is not None and times_of:
            for r in rows:
                key = (r[3], subject)
                if key in times_of and r[7] is None:
                    times.setdefault(key, []).append(r[8])
        yield subject, _tally(rubric, rows)


def decisions(session: Session, quarter: str, scope: frozenset[int], *, whole_org: bool) -> dict[int, tuple[int, int]]:
    """Decider id -> (accepted, rejected) of recognition about people in scope, one GROUP BY."""
    status = col(Evidence.status)
    rows = session.execute(
        select(col(Evidence.decided_by_id), col(Evidence.subject_id), status, func.count())
        .where(
            col(Evidence.period) == quarter,
            col(Evidence.concern_id).is_(None),
            col(Evidence.decided_by_id).is_not(None),
            status.in_(("accepted", "rejected")),
            *_in_scope(Evidence.subject_id, scope, whole_org),
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


def nomination_pairs(session: Session, quarter: str, scope: frozenset[int], *, whole_org: bool) -> list[Pair]:
    """Nominations of the quarter per (nominator, nominee) touching the scope, one GROUP BY."""
    accepted = func.sum(case((col(Evidence.status) == "accepted", 1), else_=0))
    touching = _in_scope(Evidence.subject_id, scope, whole_org)
    if touching:
        touching = [or_(touching[0], *_in_scope(Evidence.nominator_id, scope, whole_org))]
    rows = session.execute(
        select(col(Evidence.nominator_id), col(Evidence.subject_id), func.count(), accepted)
        .where(*_recognition(quarter), *touching)
        .group_by(col(Evidence.nominator_id), col(Evidence.subject_id))
    ).all()
    return [Pair(a, b, n, int(acc or 0)) for a, b, n, acc in rows if a in scope or b in scope]


def pair_times(session: Session, quarter: str, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[datetime]]:
    """When each of a few `pairs` nominated (one person's signals; calibration reads them in its stream)."""
    if not pairs:
        return {}
    givers, takers = sorted({a for a, _ in pairs}), sorted({b for _, b in pairs})
    rows = session.execute(
        select(col(Evidence.nominator_id), col(Evidence.subject_id), col(Evidence.occurred_at)).where(
            *_recognition(quarter), col(Evidence.nominator_id).in_(givers), col(Evidence.subject_id).in_(takers)
        )
    ).all()
    out: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for a, b, at in rows:
        if (a, b) in pairs:
            out[(a, b)].append(at)
    return dict(out)


def tune(session: Session) -> None:
    """PostgreSQL, this transaction only: memory for the GROUP BYs of a large org to hash in memory,
    and no JIT (measured in bench/calibration.py: compiling these one-off queries took over a
    second, more than it saved)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))


__all__ = ["Org", "OrgRow", "PersonTally", "decisions", "load_org", "nomination_pairs", "stream_tallies"]
