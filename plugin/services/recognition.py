"""Read models for people and managers: my recognition, the review queue, who has none yet.

Shared by Slack (`/values me`, App Home), Feishu (`/values me`, cards) and reports, so every
surface shows the same thing. Recognition views never include concerns or scores: a person's
own recognition is read in the subject scope of `liumai.services.visibility`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from liumai.rubric.model import Polarity
from liumai.services.context import AppContext
from liumai.services.errors import NotFound, PermissionDenied
from liumai.services.evidence import EvidenceView, evidence_view
from liumai.services.people import can_manage, get_person, reports_of
from liumai.services.quarters import resolve_quarter
from liumai.services.uow import unit_of_work
from liumai.services.visibility import subject_visible
from liumai.storage.models import Evidence, Nomination, Person, Suggestion

CONFORMING = Polarity.CONFORMING.value


@dataclass(frozen=True)
class StoryView:
    nomination_id: int
    evidence_id: int | None
    criterion: str | None
    status: str  # evidence status, or the nomination's when not confirmed yet
    story: str
    other_email: str  # the nominator (received) or the nominee (given)
    other_name: str
    created_at: datetime
    source_link: str | None


@dataclass(frozen=True)
class MyRecognition:
    person_email: str
    person_name: str
    quarter: str
    by_value: dict[str, int]  # conforming evidence (pending or accepted) per value key
    received: list[StoryView] = field(default_factory=list)
    given: list[StoryView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_value.values())


def _story(session: Session, n: Nomination, e: Evidence | None, other_id: int) -> StoryView:
    other = session.get_one(Person, other_id)
    return StoryView(
        nomination_id=n.id,
        evidence_id=e.id if e else None,
        criterion=e.criterion if e else None,
        status=e.status if e else n.status,
        story=n.story,
        other_email=other.email,
        other_name=other.display_name,
        created_at=n.created_at,
        source_link=n.source_link,
    )


def my_recognition(ctx: AppContext, person: str | int, quarter: str | None = None, *, recent: int = 5) -> MyRecognition:
    """A person's own view: the recognition they may see (`subject_visible`) and the stories they told."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, person)
        rows = session.exec(
            select(Evidence, Nomination)
            .join(Nomination, col(Evidence.nomination_id) == col(Nomination.id))
            .where(Evidence.subject_id == me.id, Evidence.period == q, subject_visible())
            .order_by(col(Nomination.created_at).desc(), col(Nomination.id).desc())
        ).all()
        by_value = {k: 0 for k in ctx.rubric.value_keys}
        for e, _n in rows:
            key = e.criterion.split(".", 1)[0]
            if key in by_value:
                by_value[key] += 1
        received = [_story(session, n, e, n.nominator_id) for e, n in rows[:recent]]
        given_rows = session.exec(
            select(Nomination)
            .where(Nomination.nominator_id == me.id, Nomination.status != "cancelled")
            .order_by(col(Nomination.created_at).desc(), col(Nomination.id).desc())
            .limit(recent)
        ).all()
        given = []
        for n in given_rows:
            ev = session.exec(select(Evidence).where(Evidence.nomination_id == n.id)).first()
            given.append(_story(session, n, ev, n.nominee_id))
        return MyRecognition(me.email, me.display_name, q, by_value, received, given)


def is_manager(ctx: AppContext, person: str | int) -> bool:
    """Admins, and anyone with at least one active report."""
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, person)
        return me.is_admin or bool(reports_of(session, me, subtree=False))


def review_queue(ctx: AppContext, manager: str | int, *, limit: int = 20) -> list[EvidenceView]:
    """Pending evidence a manager may decide: people below them (everyone for an admin), oldest first."""
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, manager)
        stmt = select(Evidence).where(Evidence.status == "pending")
        if not me.is_admin:
            ids = [p.id for p in reports_of(session, me)]
            if not ids:
                raise PermissionDenied("permission.not_manager", subject="…")
            stmt = stmt.where(col(Evidence.subject_id).in_(ids))
        stmt = (
            stmt.where(col(Evidence.subject_id) != me.id)
            .order_by(col(Evidence.occurred_at), col(Evidence.id))
            .limit(limit)
        )
        return [evidence_view(session, e) for e in session.exec(stmt).all()]


def unrecognised(ctx: AppContext, manager: str | int, quarter: str | None = None) -> list[Person]:
    """The manager's people (whole subtree) with no conforming evidence this quarter."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, manager)
        people = reports_of(session, me)
        if not people:
            return []
        seen = set(
            session.exec(
                select(Evidence.subject_id).where(
                    col(Evidence.subject_id).in_([p.id for p in people]),
                    Evidence.period == q,
                    Evidence.polarity == CONFORMING,
                    Evidence.status != "rejected",
                )
            ).all()
        )
        return [p for p in people if p.id not in seen]


@dataclass(frozen=True)
class NominationView:
    id: int
    nominator_email: str
    nominee_email: str
    nominee_name: str
    story: str
    status: str
    suggestions: list[Suggestion]
    abstain_reason: str | None
    evidence_id: int | None
    criterion: str | None


def get_nomination(ctx: AppContext, nomination_id: int, viewer: str | int | None = None) -> NominationView:
    """A nomination with its suggestions; only its nominator, the nominee's managers or an admin may read it."""
    with unit_of_work(ctx.engine) as session:
        n = session.get(Nomination, nomination_id)
        if n is None:
            raise NotFound("nomination.unknown", id=nomination_id)
        nominee = session.get_one(Person, n.nominee_id)
        nominator = session.get_one(Person, n.nominator_id)
        if viewer is not None:
            actor = get_person(session, viewer, active=False)
            if actor.id not in (n.nominator_id, n.nominee_id) and not can_manage(session, actor, nominee):
                raise PermissionDenied("permission.view", subject=nominee.display_name)
        sugg = list(
            session.exec(
                select(Suggestion).where(col(Suggestion.nomination_id) == n.id).order_by(col(Suggestion.rank))
            ).all()
        )
        e = session.exec(select(Evidence).where(Evidence.nomination_id == n.id)).first()
        return NominationView(
            n.id,
            nominator.email,
            nominee.email,
            nominee.display_name,
            n.story,
            n.status,
            sugg,
            n.abstain_reason,
            e.id if e else None,
            e.criterion if e else None,
        )
