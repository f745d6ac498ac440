"""A data-subject export: what a person receives when they ask for their own data.

The full export (`data_rights.export_person` for an admin or the operator) is everything stored
about someone, for HR. A person asking for their own data gets the subject scope of
`liumai.services.visibility`: their profile, the stories they wrote and the stories about them,
the recognition they may see, their own actions in the audit log - and, for what their managers
hold about them, only how many concerns exist and that HR gives their content on request (no
note, no behaviour, no manager). Records they made as a manager belong to other people's records,
so only their number is given.
"""

from __future__ import annotations

import json

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from liumai.i18n import t
from liumai.rubric.model import Polarity
from liumai.services.context import AppContext
from liumai.services.visibility import SUBJECT_EVIDENCE_COLUMNS, Scope, subject_visible
from liumai.storage.models import AuditLog, Concern, Evidence, Nomination, Person, Suggestion

# Audit actions that record a manager's decision or note about someone else: not the actor's own data.
MANAGER_ACTIONS = ("evidence.", "concern.")


def _row(obj) -> dict:
    return json.loads(obj.model_dump_json())


def _count(session: Session, table: type, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def _audit(session: Session, p: Person) -> list[AuditLog]:
    """Their own actions (not their decisions about others) and what was done to their profile."""
    own = and_(col(AuditLog.actor_id) == p.id, *(~col(AuditLog.action).startswith(a) for a in MANAGER_ACTIONS))
    about = and_(col(AuditLog.entity) == "person", col(AuditLog.entity_id) == str(p.id))
    return list(session.exec(select(AuditLog).where(or_(own, about)).order_by(col(AuditLog.id))).all())


def subject_export(ctx: AppContext, session: Session, p: Person) -> dict:
    """The subject-scope export of `p`, as JSON-ready data (the caller audits it)."""
    given = session.exec(
        select(Nomination).where(col(Nomination.nominator_id) == p.id).order_by(col(Nomination.id))
    ).all()
    received = session.exec(
        select(Nomination).where(col(Nomination.nominee_id) == p.id).order_by(col(Nomination.id))
    ).all()
    nom_ids = [n.id for n in [*given, *received]]
    # The tagger's readings of those stories; only conforming ones, since a peer's story can only
    # become recognition (a non-conforming reading is never evidence and is nobody's judgement).
    suggestions = (
        session.exec(
            select(Suggestion)
            .where(col(Suggestion.nomination_id).in_(nom_ids), col(Suggestion.polarity) == Polarity.CONFORMING.value)
            .order_by(col(Suggestion.id))
        ).all()
        if nom_ids
        else []
    )
    recognition = session.exec(
        select(Evidence).where(col(Evidence.subject_id) == p.id, subject_visible()).order_by(col(Evidence.id))
    ).all()
    n_concerns = _count(session, Concern, Concern.subject_id == p.id)
    decided_by_them = (Evidence.decided_by_id == p.id, Evidence.subject_id != p.id)
    n_decided = _count(session, Evidence, *decided_by_them, Evidence.concern_id.is_(None))  # type: ignore[union-attr]
    n_recorded = _count(session, Concern, Concern.manager_id == p.id)
    return {
        "scope": Scope.SUBJECT.value,
        "person": _row(p),
        "nominations_given": [_row(n) for n in given],
        "nominations_received": [_row(n) for n in received],
        "suggestions": [_row(s) for s in suggestions],
        "recognition": [{k: v for k, v in _row(e).items() if k in SUBJECT_EVIDENCE_COLUMNS} for e in recognition],
        "concerns": {
            "records": n_concerns,
            "explanation": {lang: t("export.concerns_held", lang, n=n_concerns) for lang in ("en", "zh")},
        },
        "records_about_others": {
            "evidence_decided": n_decided,
            "concerns_recorded": n_recorded,
            "explanation": {lang: t("export.records_about_others", lang) for lang in ("en", "zh")},
        },
        "audit_log": [_row(a) for a in _audit(session, p)],
        "exported_at": ctx.now().isoformat(),
        "rubric_version": ctx.rubric.version,
    }
