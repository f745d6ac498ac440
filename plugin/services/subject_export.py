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


def export_row(obj) -> dict:
    """A stored row as JSON-ready data, as both export scopes (this one and the full one) give it."""
    return json.loads(obj.model_dump_json())


def ordered_rows(session: Session, table: type, *where) -> list:
    """The rows of `table` matching `where`, oldest first (exports list rows in the order they were made)."""
    return list(session.exec(select(table).where(*where).order_by(col(table.id))).all())  # type: ignore[attr-defined]


def nominations_of(session: Session, p: Person) -> tuple[list[Nomination], list[Nomination]]:
    """The stories `p` wrote and the stories about `p`: in both export scopes, theirs to see."""
    given = ordered_rows(session, Nomination, col(Nomination.nominator_id) == p.id)
    return given, ordered_rows(session, Nomination, col(Nomination.nominee_id) == p.id)


def suggestions_for(session: Session, nominations: list[Nomination], *where) -> list[Suggestion]:
    """The tagger's suggestions for `nominations` (and `where`), oldest first."""
    ids = [n.id for n in nominations]
    return ordered_rows(session, Suggestion, col(Suggestion.nomination_id).in_(ids), *where) if ids else []


def _count(session: Session, table: type, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def _audit(session: Session, p: Person) -> list[AuditLog]:
    """Their own actions (not their decisions about others) and what was done to their profile."""
    own = and_(col(AuditLog.actor_id) == p.id, *(~col(AuditLog.action).startswith(a) for a in MANAGER_ACTIONS))
    about = and_(col(AuditLog.entity) == "person", col(AuditLog.entity_id) == str(p.id))
    return list(session.exec(select(AuditLog).where(or_(own, about)).order_by(col(AuditLog.id))).all())


def subject_export(ctx: AppContext, session: Session, p: Person) -> dict:
    """The subject-scope export of `p`, as JSON-ready data (the caller audits it)."""
    given, received = nominations_of(session, p)
    # The tagger's readings of those stories; only conforming ones, since a peer's story can only
    # become recognition (a non-conforming reading is never evidence and is nobody's judgement).
    suggestions = suggestions_for(session, [*given, *received], col(Suggestion.polarity) == Polarity.CONFORMING.value)
    recognition = ordered_rows(session, Evidence, col(Evidence.subject_id) == p.id, subject_visible())
    n_concerns = _count(session, Concern, Concern.subject_id == p.id)
    decided_by_them = (Evidence.decided_by_id == p.id, Evidence.subject_id != p.id)
    n_decided = _count(session, Evidence, *decided_by_them, Evidence.concern_id.is_(None))  # type: ignore[union-attr]
    n_recorded = _count(session, Concern, Concern.manager_id == p.id)
    return {
        "scope": Scope.SUBJECT.value,
        "person": export_row(p),
        "nominations_given": [export_row(n) for n in given],
        "nominations_received": [export_row(n) for n in received],
        "suggestions": [export_row(s) for s in suggestions],
        "recognition": [{k: v for k, v in export_row(e).items() if k in SUBJECT_EVIDENCE_COLUMNS} for e in recognition],
        "concerns": {
            "records": n_concerns,
            "explanation": {lang: t("export.concerns_held", lang, n=n_concerns) for lang in ("en", "zh")},
        },
        "records_about_others": {
            "evidence_decided": n_decided,
            "concerns_recorded": n_recorded,
            "explanation": {lang: t("export.records_about_others", lang) for lang in ("en", "zh")},
        },
        "audit_log": [export_row(a) for a in _audit(session, p)],
        "exported_at": ctx.now().isoformat(),
        "rubric_version": ctx.rubric.version,
    }
