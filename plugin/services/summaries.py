"""Quarterly review summaries for a person or a team, built only from cited evidence.

Scores come from the rules engine; this module gathers the evidence behind them (story,
nominator, date, link) for the quarter and the three before it in one query per team, so a
50-person summary with its four-quarter trend costs one round trip plus the engine, and decides
who may see what: summaries are for a person's managers (direct or indirect) and admins; concerns
appear only in those views. Why each value scored what it did is read once from the engine's
trace here (`liumai.services.summary_why`) and carried in the read model for every surface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import literal
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from liumai.periods import Quarter, parse_quarter
from liumai.rubric.engine import EvidenceItem, PersonScore, ScoreResult, score
from liumai.rubric.model import Polarity
from liumai.services.context import AppContext
from liumai.services.errors import InvalidInput, PermissionDenied
from liumai.services.org import TEAM_RE
from liumai.services.people import can_manage, get_person, reports_of
from liumai.services.quarters import resolve_quarter
from liumai.services.summary_why import ValueWhy, value_whys
from liumai.services.text import clean_text
from liumai.services.uow import unit_of_work
from liumai.storage.models import Concern, Evidence, Nomination, Person, Team


@dataclass(frozen=True)
class EvidenceLine:
    id: int
    criterion: str
    polarity: str
    mitigated: bool
    status: str
    text: str  # the story, or the concern's note
    nominator: str  # display name of the nominator, or of the manager who recorded the concern
    occurred_at: datetime
    link: str | None

    @property
    def is_concern(self) -> bool:
        return self.polarity == Polarity.NON_CONFORMING.value


TREND_QUARTERS = 4  # the quarter and the three before it: a year of trend on the team page


@dataclass(frozen=True)
class QuarterScore:
    """One quarter's accepted scores of a person (the trend and the quarter-over-quarter change)."""

    quarter: str
    values: dict[str, float]
    total: float


@dataclass(frozen=True)
class PersonSummary:
    email: str
    name: str
    locale: str
    quarter: str
    result: ScoreResult
    evidence: list[EvidenceLine]  # accepted and pending conforming evidence, oldest first
    concerns: list[EvidenceLine]  # accepted non-conforming cases (managers and admins only)
    rubric_version: str
    why: dict[str, ValueWhy] = field(default_factory=dict)  # per value, in rubric order
    history: tuple[QuarterScore, ...] = ()  # the last TREND_QUARTERS quarters, oldest first, this one last

    @property
    def previous(self) -> QuarterScore | None:
        return self.history[-2] if len(self.history) > 1 else None

    @property
    def all_default(self) -> bool:
        """No evidence at all this quarter: every point comes from levels met by default."""
        return not self.evidence and not self.concerns

    @property
    def accepted(self) -> PersonScore:
        return self.result.accepted

    @property
    def total(self) -> float:
        return self.result.accepted.total

    def evidence_for(self, value_key: str) -> list[EvidenceLine]:
        return [e for e in self.evidence if e.criterion.split(".", 1)[0] == value_key]

    def concerns_for(self, value_key: str) -> list[EvidenceLine]:
        return [e for e in self.concerns if e.criterion.split(".", 1)[0] == value_key]

    @property
    def recognised(self) -> bool:
        return any(e.status in ("accepted", "pending") for e in self.evidence)


@dataclass(frozen=True)
class TeamSummary:
    title: str
    quarter: str
    people: list[PersonSummary]
    rubric_version: str
    values_without_evidence: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)  # e-mails
    quarters: tuple[str, ...] = ()  # the trend's quarters, oldest first, this one last


# What the engine reads of an item (and whose it is): the first columns of every row `load_rows` gives.
_ENGINE_COLUMNS = (
    Evidence.id,
    Evidence.subject_id,
    Evidence.criterion,
    Evidence.polarity,
    Evidence.mitigated,
    Evidence.status,
    Evidence.nominator_id,
)


def load_rows(
    session: Session, people: list[Person], quarters: Sequence[str], *, join_names: bool = True
) -> dict[int, list[tuple]]:
    """The evidence of `people` a summary needs, in two queries, as plain rows (Core, not ORM).

    The summary's quarter (`quarters[-1]`) with everything a reader sees (story, link, note, the
    nominator's name), rejected items left out; the earlier quarters only feed the trend's accepted
    scores, so only their accepted items and the columns the engine reads (the rest `None`) - three
    quarters of the rows, without the join to every nomination's story. Every row has the same 13
    columns; the last is the quarter.

    Without `join_names` the nominator's name column is empty and `build_team(names=)` fills it from
    a map (an org summary reads the org chart once): the join hashes the whole person table once
    per query, which an org summary would pay per team.
    """
    ids = [p.id for p in people]
    nominator = aliased(Person)
    name = nominator.display_name if join_names else literal(None)
    current = (
        sa_select(  # type: ignore[call-overload]  # sqlmodel's columns are typed as their values
            *_ENGINE_COLUMNS, Evidence.occurred_at, Nomination.story, Nomination.source_link, Concern.note, name
        )
        .add_columns(Evidence.period)
        .outerjoin(Nomination, col(Evidence.nomination_id) == col(Nomination.id))
        .outerjoin(Concern, col(Evidence.concern_id) == col(Concern.id))
        .where(
            col(Evidence.subject_id).in_(ids), col(Evidence.period) == quarters[-1], col(Evidence.status) != "rejected"
        )
        .order_by(col(Evidence.occurred_at), col(Evidence.id))
    )
    if join_names:
        current = current.outerjoin(nominator, col(Evidence.nominator_id) == nominator.id)
    out: dict[int, list[tuple]] = {i: [] for i in ids}
    for r in session.connection().execute(current).all():
        out[r[1]].append(r)
    if len(quarters) > 1:
        none = literal(None)
        earlier = sa_select(
            *_ENGINE_COLUMNS, none, none, none, none, none, Evidence.period
        ).where(  # type: ignore[call-overload]
            col(Evidence.subject_id).in_(ids),
            col(Evidence.period).in_(list(quarters[:-1])),
            col(Evidence.status) == "accepted",
        )
        for r in session.connection().execute(earlier).all():
            out[r[1]].append(r)
    return out


def _items(rows: list[tuple]) -> list[EvidenceItem]:
    return [
        EvidenceItem(
            id=r[0],
            criterion=r[2],
            polarity=r[3],
            nominator=str(r[6]) if r[6] is not None else None,
            status=r[5],
            mitigated=r[4],
        )
        for r in rows
    ]


def _lines(rows: list[tuple], names: Mapping[int, str] | None = None) -> tuple[list[EvidenceLine], list[EvidenceLine]]:
    """The quarter's non-rejected rows as read-model lines: (conforming evidence, concerns)."""
    evidence: list[EvidenceLine] = []
    concerns: list[EvidenceLine] = []
    for r in rows:
        if r[5] == "rejected":
            continue
        line = EvidenceLine(
            id=r[0],
            criterion=r[2],
            polarity=r[3],
            mitigated=r[4],
            status=r[5],
            text=r[8] if r[8] is not None else (r[10] or ""),
            nominator=r[11] or ((names or {}).get(r[6]) if r[6] is not None else None) or "",
            occurred_at=r[7],
            link=r[9],
        )
        (concerns if line.is_concern else evidence).append(line)
    return evidence, concerns


def trend_quarters(ctx: AppContext, quarter: str) -> list[str]:
    """`quarter` and the TREND_QUARTERS - 1 before it, oldest first."""
    start = ctx.settings.fiscal_year_start_month
    q = parse_quarter(quarter, start)
    out = [q]
    for _ in range(TREND_QUARTERS - 1):
        q = Quarter(q.year - (q.q == 1), (q.q - 2) % 4 + 1, start)
        out.append(q)
    return [str(x) for x in reversed(out)]


def _summarise(
    ctx: AppContext, person: Person, rows: list[tuple], quarters: list[str], names: Mapping[int, str] | None = None
) -> PersonSummary:
    """`rows` span `quarters` (oldest first, the summary's quarter last); the engine scores each quarter."""
    quarter = quarters[-1]
    by_quarter: dict[str, list[tuple]] = {q: [] for q in quarters}
    for r in rows:
        by_quarter.setdefault(r[12], []).append(r)
    history = []
    for q in quarters[:-1]:  # the accepted score only: pending items would only add a view nobody reads
        acc = score(ctx.rubric, _items([r for r in by_quarter[q] if r[5] == "accepted"])).accepted
        history.append(QuarterScore(q, {k: v.score for k, v in acc.values.items()}, acc.total))
    result = score(ctx.rubric, _items(by_quarter[quarter]))
    history.append(
        QuarterScore(quarter, {k: v.score for k, v in result.accepted.values.items()}, result.accepted.total)
    )
    evidence, concerns = _lines(by_quarter[quarter], names)
    previous = history[-2].values if len(history) > 1 else None
    return PersonSummary(
        person.email,
        person.display_name,
        person.locale,
        quarter,
        result,
        evidence,
        concerns,
        ctx.rubric.version,
        why=value_whys(ctx.rubric, result, [*evidence, *concerns], previous),
        history=tuple(history),
    )


def person_summary(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> PersonSummary:
    """`viewer=None` is the operator (CLI); otherwise only the person's managers or an admin."""
    quarters = trend_quarters(ctx, resolve_quarter(ctx, quarter))
    with unit_of_work(ctx.engine) as session:
        subject = get_person(session, person, active=False)
        if viewer is not None:
            actor = get_person(session, viewer)
            if not can_manage(session, actor, subject):
                raise PermissionDenied("permission.not_manager", subject=subject.display_name)
        rows = load_rows(session, [subject], quarters)
        return _summarise(ctx, subject, rows[subject.id], quarters)


def _team_people(session: Session, team: str) -> tuple[list[Person], str]:
    """A team's active members by key, and the team's title in both languages."""
    key = clean_text(team).strip().lower()
    t = session.exec(select(Team).where(Team.key == key)).first() if TEAM_RE.match(key) else None
    if t is None:
        raise InvalidInput("team.unknown", team=repr(team))
    people = list(
        session.exec(
            select(Person).where(col(Person.team_id) == t.id, col(Person.active)).order_by(col(Person.id))
        ).all()
    )
    return people, (f"{t.name_zh} / {t.name_en}" if t.name_zh != t.name_en else t.name_en)


def _visible_to(session: Session, actor: Person | None, people: list[Person], title: str) -> list[Person]:
    """The people `actor` reviews: their own row left out (nobody reviews themselves); anyone else refuses."""
    if actor is None:
        return people
    people = [p for p in people if p.id != actor.id]
    denied = [p for p in people if not can_manage(session, actor, p)]
    if denied or (not people and not actor.is_admin):
        raise PermissionDenied("permission.not_manager", subject=(denied[0].display_name if denied else title))
    return people


def team_summary(
    ctx: AppContext,
    *,
    team: str | None = None,
    manager: str | int | None = None,
    subtree: bool = False,
    quarter: str | None = None,
    viewer: str | int | None = None,
) -> TeamSummary:
    """A team's roll-up: a team by key, or a manager's direct reports (or whole subtree)."""
    q = resolve_quarter(ctx, quarter)
    quarters = trend_quarters(ctx, q)
    with unit_of_work(ctx.engine) as session:
        actor = get_person(session, viewer) if viewer is not None else None
        if team is not None:
            people, title = _team_people(session, team)
        elif manager is not None:
            boss = get_person(session, manager)
            people, title = reports_of(session, boss, subtree=subtree), boss.display_name
        else:
            raise InvalidInput("team.need_target")
        people = _visible_to(session, actor, people, title)
        rows = load_rows(session, people, quarters) if people else {}
        return build_team(ctx, title, q, people, rows, quarters)


def build_team(
    ctx: AppContext,
    title: str,
    quarter: str,
    people: list[Person],
    rows: dict[int, list[tuple]],
    quarters: list[str],
    names: Mapping[int, str] | None = None,
) -> TeamSummary:
    """A team's read model from its people and their rows (`load_rows`; `names` when they were
    read without the nominators' names); shared with the org summary."""
    summaries = [_summarise(ctx, p, rows[p.id], quarters, names) for p in people]
    covered = {e.criterion.split(".", 1)[0] for s in summaries for e in s.evidence}
    return TeamSummary(
        title=title,
        quarter=quarter,
        people=summaries,
        rubric_version=ctx.rubric.version,
        values_without_evidence=[k for k in ctx.rubric.value_keys if k not in covered],
        unrecognised=[s.email for s in summaries if not s.recognised],
        quarters=tuple(quarters),
    )
