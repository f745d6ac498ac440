"""Every identity a person has had, for erasure: the person rows and the identifiers to scrub.

One human can leave more than one person row and more than one address behind:
- a CSV re-import with a changed e-mail creates a new row for the new address; the Slack and
  Feishu ids move to it and the old row, deactivated, keeps the history (audited `person.release_id`);
- the Feishu sync follows a changed e-mail on the same row (audited `person.update`, `old`/`new`).

The rows are linked by what only one human ever holds: the platform ids (Slack user id, Feishu
open_id), found on the rows and in the audit trail of each row. The same human is active under
one row at a time, so a second active row holding a released id is another, current colleague
(a typo in an old CSV, say) and is not followed (`collect`). Past e-mails are
identifiers to scrub but link no rows: an address can be given to a new hire later. An identifier
someone else holds now is scrubbed from the person's own audit rows and from rows older than that
someone's row, never from the rows about them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from liumai.storage.models import AuditLog, Person


@dataclass
class Identities:
    people: dict[int, Person] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)
    platform_ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    # An identifier now held by someone outside `people` (a reassigned address, an id an old row
    # held by mistake) -> when that row was created: later audit rows with it are about them.
    reused: dict[str, datetime] = field(default_factory=dict)

    @property
    def identifiers(self) -> set[str]:
        return self.emails | self.platform_ids


def _detail(row: AuditLog) -> dict:
    try:
        d = json.loads(row.detail or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _trail_identifiers(session: Session, ids: list[int]) -> tuple[set[str], set[str]]:
    """(e-mails, platform ids) the audit trail of these person rows records them holding."""
    emails: set[str] = set()
    platform: set[str] = set()
    rows = session.exec(
        select(AuditLog).where(AuditLog.entity == "person", AuditLog.entity_id.in_([str(i) for i in ids]))  # type: ignore[attr-defined]
    ).all()
    for row in rows:
        d = _detail(row)
        if row.action == "person.create" and isinstance(d.get("email"), str):
            emails.add(d["email"])
        elif row.action == "person.update" and "email" in (d.get("changes") or []):
            emails |= {v for v in (d.get("old"), d.get("new")) if isinstance(v, str)}
        elif row.action == "person.release_id" and isinstance(d.get("value"), str):
            platform.add(d["value"])
    return emails, platform


def _released_from(session: Session, platform_ids: set[str]) -> set[int]:
    """Person rows that once held one of these platform ids and gave it up on an import."""
    out: set[int] = set()
    for row in session.exec(select(AuditLog).where(AuditLog.action == "person.release_id")).all():
        if _detail(row).get("value") in platform_ids and row.entity_id.isdigit():
            out.add(int(row.entity_id))
    return out


def find_by_past_email(session: Session, email: str) -> Person | None:
    """The row that was renamed away from `email` (the Feishu sync follows changed addresses)."""
    email = email.strip().lower()
    for row in session.exec(
        select(AuditLog)
        .where(
            AuditLog.action == "person.update",
            AuditLog.entity == "person",
            col(AuditLog.detail).contains(email, autoescape=True),
        )
        .order_by(col(AuditLog.id).desc())
    ).all():
        if _detail(row).get("old") == email and row.entity_id.isdigit():
            return session.get(Person, int(row.entity_id))
    return None


def collect(session: Session, start: Person) -> Identities:
    """`start` and the rows linked to it by platform ids, with every identifier they had.

    Inactive linked rows are followed. An active one only when `start` is inactive and it is the
    one active row linked: the person's current row, found from an old one. Two active rows are
    two people, so from an active `start` no other active row is followed.
    """
    found = Identities()
    has_active = start.active
    active_links: set[int] = set()
    frontier = [start]
    while frontier:
        candidates = _absorb(session, found, frontier)
        frontier = []
        for pid in sorted(candidates - set(found.people)):
            linked = session.get(Person, pid)
            if linked is not None and not linked.active:
                frontier.append(linked)
            elif linked is not None:
                active_links.add(pid)
        current = active_links - set(found.people)
        if not frontier and not has_active and len(current) == 1:
            has_active = True
            frontier = [session.get_one(Person, current.pop())]
    _mark_reused(session, found)
    return found


def _absorb(session: Session, found: Identities, frontier: list[Person]) -> set[int]:
    """Add `frontier` and every identifier it had to `found`; the ids of the person rows that hold
    (or held) a platform id seen here for the first time - the next rows to look at."""
    for p in frontier:
        found.people[p.id] = p
    emails, platform = _trail_identifiers(session, [p.id for p in frontier])
    emails |= {p.email for p in frontier}
    platform |= {i for p in frontier for i in (p.slack_user_id, p.feishu_open_id) if i}
    found.names |= {p.display_name for p in frontier if p.display_name}
    new_platform = platform - found.platform_ids
    found.emails |= emails
    found.platform_ids |= platform
    if not new_platform:
        return set()
    holders = select(Person.id).where(
        or_(Person.slack_user_id.in_(new_platform), Person.feishu_open_id.in_(new_platform))  # type: ignore[union-attr]
    )
    return _released_from(session, new_platform) | set(session.exec(holders).all())


def _mark_reused(session: Session, found: Identities) -> None:
    """Identifiers of the person now held by someone else, with when that row was made (`reused`)."""
    platform_ids = list(found.platform_ids)
    for p in session.exec(
        select(Person).where(
            or_(
                Person.email.in_(found.emails),  # type: ignore[attr-defined]
                Person.slack_user_id.in_(platform_ids),  # type: ignore[union-attr]
                Person.feishu_open_id.in_(platform_ids),  # type: ignore[union-attr]
            )
        )
    ).all():
        if p.id not in found.people:
            for ident in found.identifiers & {p.email, p.slack_user_id, p.feishu_open_id}:
                found.reused[ident] = p.created_at


def _pattern(identifiers: set[str]) -> re.Pattern[str] | None:
    """Whole identifiers only: `ann@x.io` is not scrubbed out of `joann@x.io`."""
    if not identifiers:
        return None
    alts = "|".join(re.escape(i) for i in sorted(identifiers, key=len, reverse=True))
    return re.compile(rf"(?<![\w.+-])(?:{alts})(?![\w@-]|\.\w)", re.IGNORECASE)


def scrub_audit(session: Session, who: Identities, label: str, name_label: str, deleted: dict[str, set[int]]) -> int:
    """Replace the person's identifiers in every audit row that holds one; returns rows changed.

    `deleted`: entity -> ids of the records the erasure deleted; their rows lose free text a
    tagger wrote about the story (`abstain`). The rows stay, so the log still shows who did what.
    """
    ids = set(who.people)
    person_ids = [str(i) for i in ids]
    names = {json.dumps(n, ensure_ascii=False): json.dumps(name_label) for n in who.names}
    patterns: dict[frozenset[str], re.Pattern[str] | None] = {}
    gone = {str(i) for i in deleted.get("nomination", ())}
    changed = 0
    for row in session.exec(select(AuditLog).where(or_(*_audit_rows_of(who, person_ids, deleted)))).all():
        owned = row.actor_id in ids or (row.entity == "person" and row.entity_id in person_ids)
        keep = frozenset(e for e, since in who.reused.items() if not owned and row.at >= since)
        if keep not in patterns:
            patterns[keep] = _pattern(who.identifiers - keep)
        actor, detail = _scrubbed(row, patterns[keep], label, names, gone)
        if (actor, detail) != (row.actor, row.detail):
            row.actor, row.detail = actor, detail
            session.add(row)
            changed += 1
    return changed


def _audit_rows_of(who: Identities, person_ids: list[str], deleted: dict[str, set[int]]) -> list:
    """Conditions for the audit rows an erasure may change: by or about the person, about a
    deleted record, or holding one of their identifiers anywhere."""
    conditions: list[Any] = [
        col(AuditLog.actor_id).in_(set(who.people)),
        (col(AuditLog.entity) == "person") & col(AuditLog.entity_id).in_(person_ids),
    ]
    for entity, entity_ids in deleted.items():
        if entity_ids:
            conditions.append((AuditLog.entity == entity) & AuditLog.entity_id.in_([str(i) for i in entity_ids]))  # type: ignore[attr-defined]
    for ident in who.identifiers:
        conditions.append(AuditLog.actor.contains(ident, autoescape=True))  # type: ignore[attr-defined]
        conditions.append(col(AuditLog.detail).contains(ident, autoescape=True))
    return conditions


def _scrubbed(
    row: AuditLog, pattern: re.Pattern[str] | None, label: str, names: dict[str, str], gone: set[str]
) -> tuple[str, str]:
    """The row's actor and detail without the person: identifiers -> `label`, quoted names ->
    the anonymous name, and no tagger text about a deleted story."""
    actor, detail = row.actor, row.detail
    if row.entity == "nomination" and row.entity_id in gone and _detail(row).get("abstain"):
        detail = json.dumps({**_detail(row), "abstain": None}, ensure_ascii=False, sort_keys=True)
    if pattern is not None:
        actor, detail = pattern.sub(label, actor), pattern.sub(label, detail)
    for quoted, anon in names.items():
        detail = detail.replace(quoted, anon)
    return actor, detail
