"""Scores for a person and quarter: stored evidence through the pure rules engine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from plugin.periods import parse_quarter
from plugin.services.context import AppContext
from plugin.services.errors import InvalidInput, PermissionDenied
from plugin.services.people import can_manage, get_person
from plugin.services.uow import unit_of_work
from rubric.engine import EvidenceItem, ScoreResult, score
from storage.models import Evidence, Person


@dataclass(frozen=True)
class PersonQuarterScore:
    person_email: str
    person_name: str
    quarter: str
    result: ScoreResult


def evidence_items(session: Session, person_id: int, quarter: str) -> list[EvidenceItem]:
    rows = session.exec(select(Evidence).where(Evidence.subject_id == person_id, Evidence.period == quarter)).all()
    return [
        EvidenceItem(
            id=e.id,
            criterion=e.criterion,
            polarity=e.polarity,
            nominator=str(e.nominator_id) if e.nominator_id is not None else None,
            status=e.status,
            mitigated=e.mitigated,
        )
        for e in rows
    ]


def resolve_quarter(ctx: AppContext, quarter: str | None) -> str:
    if quarter is None:
        return str(ctx.current_quarter())
    try:
        return str(parse_quarter(quarter, ctx.settings.fiscal_year_start_month))
    except ValueError as exc:
        raise InvalidInput("error.detail", detail=str(exc)) from None


def score_person(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> PersonQuarterScore:
    """Scores are for managers and admins (they include concerns); `viewer=None` is the operator CLI."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        subject: Person = get_person(session, person, active=False)
        if viewer is not None:
            actor = get_person(session, viewer)
            if not can_manage(session, actor, subject):
                raise PermissionDenied("permission.not_manager", subject=subject.display_name)
        items = evidence_items(session, subject.id, q)
    return PersonQuarterScore(subject.email, subject.display_name, q, score(ctx.rubric, items))


def team_members(session: Session, team_key: str) -> list[Person]:
    from storage.models import Team

    team = session.exec(select(Team).where(Team.key == team_key)).first()
    if team is None:
        raise InvalidInput("error.detail", detail=f"unknown team {team_key!r}")
    return list(
        session.exec(
            select(Person).where(Person.team_id == team.id, Person.active == True).order_by(Person.id)  # noqa: E712
        ).all()
    )


def score_team(ctx: AppContext, team_key: str, quarter: str | None = None) -> list[PersonQuarterScore]:
    """Every active member's score for the quarter (operator/admin view)."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        members = team_members(session, team_key)
        items = {p.id: evidence_items(session, p.id, q) for p in members}
    return [PersonQuarterScore(p.email, p.display_name, q, score(ctx.rubric, items[p.id])) for p in members]
