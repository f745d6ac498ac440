"""A person's data rights and the retention policy: export, erase, purge; and SQLite backups.

Erasure removes what is about the person (recognition and evidence about them, concerns about
them, their identity) and anonymises what must stay because it belongs to other people's records:
a story they wrote about a colleague is that colleague's evidence, so it stays, attributed to an
anonymous person; a concern they recorded as a manager stays with the same anonymity. Erasure
covers every identity the person had (earlier person rows, past addresses, platform ids; see
`liumai.services.identities`). The audit log is append-only but for erasure: its rows stay, with
the person's identifiers replaced by the anonymous label, and a row recording the erasure itself
holds only row ids and counts. After an erasure or a purge the SQLite files are scrubbed
(`liumai.storage.db.scrub_deleted`), so no deleted byte stays in the database file, its WAL or free pages.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from liumai.files import create_private, private_dir
from liumai.services import audit, identities
from liumai.services.context import AppContext
from liumai.services.errors import InvalidInput, PermissionDenied
from liumai.services.people import Profile, find_person, get_person, to_profile
from liumai.services.subject_export import export_row, nominations_of, ordered_rows, subject_export, suggestions_for
from liumai.services.uow import unit_of_work
from liumai.services.visibility import Scope, scope_for
from liumai.storage.db import scrub_deleted
from liumai.storage.models import (
    AuditLog,
    Concern,
    Evidence,
    Nomination,
    Person,
    Suggestion,
    TagCache,
    TagJob,
)

# The full export's lists of rows naming the person in one column: key -> (table, column).
FULL_SECTIONS: tuple[tuple[str, type, object], ...] = (
    ("evidence_about", Evidence, Evidence.subject_id),
    ("evidence_decided", Evidence, Evidence.decided_by_id),
    ("concerns_about", Concern, Concern.subject_id),
    ("concerns_recorded", Concern, Concern.manager_id),
)


def export_person(ctx: AppContext, person: str | int, actor: str = "cli", *, viewer: str | int | None = None) -> dict:
    """A person's data as JSON-ready data (and an audit row saying it was exported, and in which scope).

    `viewer=None` is the operator; otherwise the person themselves or an admin. The scope comes from
    who the viewer is (`visibility.scope_for`): an admin or the operator gets the full export, for
    HR; the person themselves - an admin included - gets the data-subject export, which says how
    many concerns their managers hold but not what they say (`subject_export`).
    """
    with unit_of_work(ctx.engine) as session:
        p = get_person(session, person, active=False)
        who = get_person(session, viewer) if viewer is not None else None
        if who is not None and who.id != p.id and not who.is_admin:
            raise PermissionDenied("permission.view", subject=p.display_name)
        if scope_for(session, who, p) is Scope.SUBJECT:
            data = subject_export(ctx, session, p)
            audit.record(session, actor, "person.export", "person", p.id, scope=Scope.SUBJECT.value)
            return data
        data = _full_export(ctx, session, p)
        audit.record(session, actor, "person.export", "person", p.id, scope=Scope.FULL.value)
        return data


def _full_export(ctx: AppContext, session: Session, p: Person) -> dict:
    """Everything stored about `p` (the full scope, for HR), as JSON-ready data."""
    given, received = nominations_of(session, p)
    trail = ordered_rows(
        session,
        AuditLog,
        or_(
            col(AuditLog.actor_id) == p.id,
            (col(AuditLog.entity) == "person") & (col(AuditLog.entity_id) == str(p.id)),
        ),
    )
    return {
        "scope": Scope.FULL.value,
        "person": export_row(p),
        "nominations_given": [export_row(n) for n in given],
        "nominations_received": [export_row(n) for n in received],
        "suggestions": [export_row(s) for s in suggestions_for(session, [*given, *received])],
        **{
            key: [export_row(r) for r in ordered_rows(session, table, col(column) == p.id)]
            for key, table, column in FULL_SECTIONS
        },
        "audit_log": [export_row(a) for a in trail],
        "exported_at": ctx.now().isoformat(),
        "rubric_version": ctx.rubric.version,
    }


@dataclass
class EraseReport:
    person_id: int
    label: str
    nominations_deleted: int
    evidence_deleted: int
    concerns_deleted: int
    audit_rows_anonymised: int
    people_erased: int = 1  # person rows: the one named and the other rows of the same person
    person_ids: list[int] = field(default_factory=list)
    files_scrubbed: bool = True  # False: a reader kept SQLite's WAL busy (see storage.db.scrub_deleted)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def erase_target(ctx: AppContext, viewer: str | int, subject: str | int | None) -> Profile | None:
    """Check, before offering an erase button, that `viewer` may erase `subject`.

    The same rule `erase_person` applies on the click (only an admin, never themselves), so a
    refusal comes at once rather than after a confirmation. Raises `PermissionDenied` when the
    viewer may not erase at all or names themselves; returns the subject, or None when no subject
    was given or it is unknown (the caller names whom it could not find, in its own words).
    """
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, viewer)
        target = find_person(session, subject) if subject is not None else None
        if not me.is_admin or (target is not None and target.id == me.id):
            raise PermissionDenied("permission.admin")
        return to_profile(target) if target is not None else None


def _erasable(session: Session, person: str | int) -> Person:
    """The person named by a current reference or, failing that, by an address they had before."""
    p = find_person(session, person)
    if p is None and isinstance(person, str) and "@" in person:
        p = identities.find_by_past_email(session, person)
    return p if p is not None else get_person(session, person, active=False)


def erase_preview(ctx: AppContext, person: str | int) -> list[Profile]:
    """The person rows `erase_person` would erase (the named one first), to confirm before erasing."""
    with unit_of_work(ctx.engine) as session:
        who = identities.collect(session, _erasable(session, person))
        return [to_profile(p) for p in who.people.values()]


def erase_person(
    ctx: AppContext, person: str | int, actor: str = "cli", *, viewer: str | int | None = None
) -> EraseReport:
    """Erase a person under every identity they have had (see `liumai.services.identities`).

    `viewer=None` is the operator; otherwise only an admin (HR handles erasure requests), and not
    for any of their own identities. Afterwards the database files keep no erased byte.
    """
    with unit_of_work(ctx.engine) as session:
        p = _erasable(session, person)
        me = get_person(session, viewer) if viewer is not None else None
        if me is not None and (not me.is_admin or me.id == p.id):
            raise PermissionDenied("permission.admin")
        pid = p.id
        label = f"erased-{pid}@invalid"
        if p.email == label:
            raise InvalidInput("erase.already", id=pid)
        who = identities.collect(session, p)
        if me is not None and me.id in who.people:  # an earlier identity of their own
            raise PermissionDenied("permission.admin")
        ids = list(who.people)
        received = list(session.exec(select(Nomination.id).where(Nomination.nominee_id.in_(ids))).all())  # type: ignore[attr-defined]
        concern_ids = list(session.exec(select(Concern.id).where(Concern.subject_id.in_(ids))).all())  # type: ignore[attr-defined]
        evidence_ids = list(session.exec(select(Evidence.id).where(Evidence.subject_id.in_(ids))).all())  # type: ignore[attr-defined]
        # What is about them goes: evidence, concerns, and the stories they received.
        if evidence_ids:
            session.exec(delete(Evidence).where(col(Evidence.id).in_(evidence_ids)))
        if concern_ids:
            session.exec(delete(Concern).where(col(Concern.id).in_(concern_ids)))
        if received:
            session.exec(delete(Suggestion).where(col(Suggestion.nomination_id).in_(received)))
            session.exec(delete(TagJob).where(col(TagJob.nomination_id).in_(received)))
            session.exec(delete(Nomination).where(col(Nomination.id).in_(received)))
        # Cached tagger answers quote stories; the cache is only a cache, so it is cleared.
        session.exec(delete(TagCache))
        # Their identities are replaced; rows others' records point to stay, anonymous.
        for row in who.people.values():
            row.email = f"erased-{row.id}@invalid"
            row.display_name = f"Erased person #{row.id}"
            row.slack_user_id = None
            row.feishu_open_id = None
            row.active = False
            row.is_admin = False
            row.updated_at = ctx.now()
            session.add(row)
        session.flush()
        # The audit log is append-only except for this: it must not keep who they were.
        deleted = {"nomination": set(received), "evidence": set(evidence_ids), "concern": set(concern_ids)}
        n_audit = identities.scrub_audit(session, who, label, f"Erased person #{pid}", deleted)
        session.flush()
        audit.record(
            session,
            actor,
            "person.erase",
            "person",
            pid,
            people=sorted(ids),
            nominations=len(received),
            evidence=len(evidence_ids),
            concerns=len(concern_ids),
            audit_rows=n_audit,
        )
    scrubbed = scrub_deleted(ctx.engine)
    return EraseReport(
        pid, label, len(received), len(evidence_ids), len(concern_ids), n_audit, len(ids), sorted(ids), scrubbed
    )


def purge_older_than(ctx: AppContext, days: int, actor: str = "retention") -> dict[str, int]:
    """Retention: delete nominations, evidence and concerns older than `days` (audit rows stay)."""
    if days < 1:
        raise InvalidInput("purge.min_days")
    cutoff: datetime = ctx.now() - timedelta(days=days)
    with unit_of_work(ctx.engine) as session:
        old_noms = list(session.exec(select(Nomination.id).where(Nomination.created_at < cutoff)).all())
        old_concerns = list(session.exec(select(Concern.id).where(Concern.created_at < cutoff)).all())
        n_ev = 0
        if old_noms:
            n_ev += session.exec(delete(Evidence).where(Evidence.nomination_id.in_(old_noms))).rowcount  # type: ignore[union-attr]
            session.exec(delete(Suggestion).where(col(Suggestion.nomination_id).in_(old_noms)))
            session.exec(delete(TagJob).where(col(TagJob.nomination_id).in_(old_noms)))
            session.exec(delete(Nomination).where(col(Nomination.id).in_(old_noms)))
        if old_concerns:
            n_ev += session.exec(delete(Evidence).where(Evidence.concern_id.in_(old_concerns))).rowcount  # type: ignore[union-attr]
            session.exec(delete(Concern).where(col(Concern.id).in_(old_concerns)))
        if old_noms or old_concerns:
            session.exec(delete(TagCache))
        out = {"nominations": len(old_noms), "concerns": len(old_concerns), "evidence": n_ev}
        audit.record(session, actor, "retention.purge", "database", "-", days=days, cutoff=cutoff, **out)
    if old_noms or old_concerns:
        scrub_deleted(ctx.engine)
    return out


def backup_sqlite(ctx: AppContext, dest: Path) -> Path:
    """A consistent copy of a live SQLite database (sqlite3's online backup, safe with WAL writers),
    readable by its owner only."""
    url = ctx.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise InvalidInput("backup.sqlite_only")
    dest = Path(dest)
    private_dir(dest.parent)
    try:
        create_private(dest)  # 0600 before SQLite writes a byte, whatever the umask
    except FileExistsError:
        raise InvalidInput("backup.exists", dest=dest) from None
    try:
        src = sqlite3.connect(url.database, timeout=30)
        try:
            dst = sqlite3.connect(str(dest))
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except BaseException:
        dest.unlink(missing_ok=True)  # no half copy left to be mistaken for a backup
        raise
    return dest
