"""Managers' decisions on evidence, and concerns (non-conforming cases).

Evidence from a nomination is pending until a manager (direct or indirect) or an admin accepts
it; a concern is accepted at once because the manager recording it is the one who decides.
Concerns are visible to managers and admins only - never to peers, never in digests, and not
in a person's own view (they are discussed in the review interview; `visibility` holds that rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from liumai.rubric.model import Polarity
from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from liumai.services.notices import Notice
from liumai.services.people import get_person, reports_of, require_manager
from liumai.services.text import clean_text
from liumai.services.uow import unit_of_work
from liumai.services.visibility import redact, scope_for, subject_visible
from liumai.storage.models import Concern, Evidence, Nomination, Person, utcnow

STATUSES = ("pending", "accepted", "rejected")


@dataclass(frozen=True)
class EvidenceView:
    """Evidence with what a reader needs to judge it (story, nominator, link)."""

    id: int
    subject_email: str
    subject_name: str
    criterion: str
    polarity: str
    mitigated: bool
    status: str
    period: str
    occurred_at: datetime
    nominator_email: str | None
    nominator_name: str | None
    story: str | None
    source_link: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None
    private: bool = False
    notices: tuple[Notice, ...] = ()  # what the person who just acted should know (e.g. mitigation has no effect)
    # Set by a decision: False when it found the evidence already so (a repeat click; nothing audited).
    changed: bool = field(default=True, compare=False)

    @property
    def is_concern(self) -> bool:
        return self.polarity == Polarity.NON_CONFORMING.value

    def to_dict(self, lang: str = "en") -> dict:
        d = dict(self.__dict__)
        d.pop("changed")
        d["occurred_at"] = self.occurred_at.isoformat()
        d["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        notices = d.pop("notices")
        if notices:
            d["notices"] = [n.to_dict(lang) for n in notices]
        return d


def _view(session: Session, e: Evidence, *, changed: bool = True) -> EvidenceView:
    subject = session.get_one(Person, e.subject_id)
    nominator = session.get(Person, e.nominator_id) if e.nominator_id else None
    decider = session.get(Person, e.decided_by_id) if e.decided_by_id else None
    story = link = note = None
    private = False
    if e.nomination_id:
        n = session.get(Nomination, e.nomination_id)
        if n:
            story, link, private = n.story, n.source_link, n.private
    if e.concern_id:
        c = session.get(Concern, e.concern_id)
        note = c.note if c else None
    return EvidenceView(
        id=e.id,
        subject_email=subject.email,
        subject_name=subject.display_name,
        criterion=e.criterion,
        polarity=e.polarity,
        mitigated=e.mitigated,
        status=e.status,
        period=e.period,
        occurred_at=e.occurred_at,
        nominator_email=nominator.email if nominator else None,
        nominator_name=nominator.display_name if nominator else None,
        story=story,
        source_link=link,
        note=note,
        decided_by=decider.email if decider else None,
        decided_at=e.decided_at,
        private=private,
        changed=changed,
    )


def list_evidence(
    ctx: AppContext,
    viewer: str | int | None,
    *,
    person: str | int | None = None,
    status: str | None = None,
    period: str | None = None,
) -> list[EvidenceView]:
    """Evidence the viewer may see: their own recognition, their reports' evidence, or all (admin).

    `viewer=None` is the operator at the command line, who sees everything. The viewer's own rows
    are read in the subject scope (`visibility`), admins included: recognition only, no concern,
    no declined recognition, no decider.
    """
    if status is not None and status not in STATUSES:
        raise InvalidInput("status.bad", status=status)
    with unit_of_work(ctx.engine) as session:
        actor = get_person(session, viewer) if viewer is not None else None
        if person is not None:
            subject = get_person(session, person, active=False)
            scope_for(session, actor, subject)  # refuses a peer
            subjects = [subject]
        elif actor is None or actor.is_admin:
            subjects = None
        else:
            subjects = [actor, *reports_of(session, actor)]
        stmt = select(Evidence)
        if subjects is not None:
            stmt = stmt.where(col(Evidence.subject_id).in_([s.id for s in subjects]))
        if status:
            stmt = stmt.where(Evidence.status == status)
        if period:
            stmt = stmt.where(Evidence.period == period)
        if actor is not None:
            stmt = stmt.where(or_(col(Evidence.subject_id) != actor.id, subject_visible()))
        rows = session.exec(stmt.order_by(col(Evidence.occurred_at), col(Evidence.id))).all()
        out = []
        for e in rows:
            own = actor is not None and e.subject_id == actor.id  # the subject scope (`scope_for`)
            out.append(redact(_view(session, e)) if own else _view(session, e))
        return out


def _load(session: Session, evidence_id: int) -> Evidence:
    e = session.get(Evidence, evidence_id)
    if e is None:
        raise NotFound("evidence.unknown", id=evidence_id)
    return e


def _require_decider(session: Session, actor: Person, subject: Person) -> None:
    """Only a manager above `subject` or an admin decides about them, never the subject themselves
    (that refusal gets its own message)."""
    if actor.id == subject.id:
        raise PermissionDenied("evidence.own")
    require_manager(session, actor, subject)


def _change(session: Session, e: Evidence, expected: dict[str, object], values: dict[str, object]) -> bool:
    """Apply `values` to `e` only if it still holds `expected`, in one conditional UPDATE.

    True if this call changed the row (and so may audit it); `e` is re-read either way. Of twenty
    concurrent clicks the database lets exactly one through; the others see what it wrote.
    """
    res = session.exec(
        update(Evidence)
        .where(col(Evidence.id) == e.id, *(col(getattr(Evidence, k)) == v for k, v in expected.items()))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(e)
    return res.rowcount == 1


def decide(ctx: AppContext, evidence_id: int, by: str | int, decision: str) -> EvidenceView:
    """Accept or reject; managers may change their minds, and every change is audited once.

    Deciding what is already decided changes nothing and writes no audit row (the view says
    `changed=False`: "already accepted"). A decision that raced another one to a different outcome
    is refused, so nobody overrides a colleague's decision they have not seen.
    """
    if decision not in ("accepted", "rejected", "pending"):
        raise InvalidInput("status.bad", status=decision)
    with unit_of_work(ctx.engine) as session:
        e = _load(session, evidence_id)
        actor = get_person(session, by)
        _require_decider(session, actor, session.get_one(Person, e.subject_id))
        old = e.status
        if old == decision:
            return _view(session, e, changed=False)
        values = {"status": decision, "decided_by_id": actor.id, "decided_at": ctx.now()}
        if not _change(session, e, {"status": old}, values):
            if e.status == decision:
                return _view(session, e, changed=False)
            raise Conflict("evidence.changed", id=e.id, status=e.status)
        audit.record(session, actor, f"evidence.{decision.removesuffix('ed')}", "evidence", e.id, old=old, new=decision)
        return _view(session, e)


def retag(ctx: AppContext, evidence_id: int, by: str | int, criterion: str, *, accept: bool = True) -> EvidenceView:
    """A manager re-tags evidence to another behaviour; re-tagging is a decision, so it accepts.

    Like `decide`: one conditional UPDATE, an audit row only when something changed.
    """
    if criterion not in ctx.rubric.criterion_ids:
        raise InvalidInput("criterion.unknown", criterion=criterion)
    with unit_of_work(ctx.engine) as session:
        e = _load(session, evidence_id)
        actor = get_person(session, by)
        _require_decider(session, actor, session.get_one(Person, e.subject_id))
        old_criterion, old_status = e.criterion, e.status
        new_status = "accepted" if accept else old_status

        def done() -> bool:
            return e.criterion == criterion and e.status == new_status

        if done():
            return _view(session, e, changed=False)
        values = {
            "criterion": criterion,
            "status": new_status,
            "decided_by_id": actor.id,
            "decided_at": ctx.now(),
            "rubric_version": ctx.rubric.version,
        }
        if not _change(session, e, {"criterion": old_criterion, "status": old_status}, values):
            if done():
                return _view(session, e, changed=False)
            raise Conflict("evidence.changed", id=e.id, status=e.status)
        audit.record(
            session,
            actor,
            "evidence.retag",
            "evidence",
            e.id,
            old_criterion=old_criterion,
            new_criterion=criterion,
            old_status=old_status,
            new_status=new_status,
        )
        return _view(session, e)


def mitigation_notice(ctx: AppContext, criterion: str, mitigated: bool) -> Notice | None:
    """Mitigation (情有可原) only changes a score where the behaviour has a half point; say so otherwise.

    The flag is still stored, as the manager's note of fact; this only makes its (lack of) effect plain.
    """
    if mitigated and criterion in ctx.rubric.criterion_ids and not ctx.rubric.behaviour(criterion).half_point:
        return Notice.of("concern.mitigation_no_effect", criterion=criterion)
    return None


def add_concern(
    ctx: AppContext,
    by: str | int,
    person: str | int,
    criterion: str,
    note: str,
    *,
    mitigated: bool = False,
    at: datetime | None = None,
) -> EvidenceView:
    """Record a non-conforming case; accepted at once, visible to managers and admins only.

    The view returned carries a notice when `mitigated` cannot change the score (`mitigation_notice`).
    """
    if criterion not in ctx.rubric.criterion_ids:
        raise InvalidInput("criterion.unknown", criterion=criterion)
    with unit_of_work(ctx.engine) as session:
        actor = get_person(session, by)
        subject = get_person(session, person, active=False)
        _require_decider(session, actor, subject)
        text = clean_text(note or "").strip()
        if not text:
            raise InvalidInput("concern.note_empty")
        when = at or ctx.now()
        concern = Concern(
            subject_id=subject.id,
            manager_id=actor.id,
            criterion=criterion,
            mitigated=mitigated,
            note=text,
            created_at=when,
        )
        session.add(concern)
        session.flush()
        e = Evidence(
            subject_id=subject.id,
            criterion=criterion,
            polarity=Polarity.NON_CONFORMING.value,
            mitigated=mitigated,
            status="accepted",
            nominator_id=actor.id,
            concern_id=concern.id,
            period=str(ctx.quarter_of(when)),
            occurred_at=when,
            rubric_version=ctx.rubric.version,
            decided_by_id=actor.id,
            decided_at=utcnow(),
        )
        session.add(e)
        session.flush()
        audit.record(
            session,
            actor,
            "concern.create",
            "concern",
            concern.id,
            subject=subject.email,
            criterion=criterion,
            mitigated=mitigated,
            evidence=e.id,
        )
        notice = mitigation_notice(ctx, criterion, mitigated)
        return replace(_view(session, e), notices=(notice,) if notice else ())


def evidence_view(session: Session, e: Evidence) -> EvidenceView:
    """The read model of one evidence row, for other services (recognition lists evidence too).

    Visibility is the caller's to decide, as in this module: this builds the full view.
    """
    return _view(session, e)
