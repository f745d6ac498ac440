"""Writing a validated org chart to the database in bulk: the steps of `liumai.services.org.apply_org`.

Why bulk: a 10,000-person org is imported in a few statements, not one round trip per person. The
stored people are read once; every look-up is a dictionary (by e-mail, by platform id); new people
are one multi-row INSERT ... RETURNING, manager links one executemany UPDATE, and every audit row
of the import one executemany INSERT. Changes to people already stored go through the ORM (a
real re-import changes few of them). Each step still writes one audit row per real change, so
the log reads as it did when the import was done row by row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from liumai.services.org_csv import OrgRow
from liumai.storage.models import AuditLog, Person, Team, utcnow

PERSON = Person.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__ type
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]
TEAM = Team.__table__  # type: ignore[attr-defined]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    # e-mail -> field -> [old, new], for every updated or re-activated person
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    active_before: int = 0  # active people before the import
    deactivate_limit: int = 0  # how many it may deactivate without `allow_deactivate`
    dry_run: bool = False

    @property
    def over_limit(self) -> bool:
        return len(self.deactivated) > self.deactivate_limit

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "over_limit": self.over_limit}


@dataclass
class _Step:
    """What every step of one import writes with: its session, report, actor and time; which list
    of the report each e-mail is in (a dictionary, so no step ever scans a list); and the audit
    rows, written together at the end."""

    session: Session
    report: ImportReport
    actor: str
    now: datetime
    outcome: dict[str, str] = field(default_factory=dict)  # e-mail -> created | updated | unchanged | reactivated
    audits: list[dict[str, Any]] = field(default_factory=list)

    def mark(self, email: str, outcome: str) -> None:
        self.outcome[email] = outcome
        if outcome != "reactivated":  # re-activations are listed by `_update_person` itself
            getattr(self.report, outcome).append(email)

    def mark_updated(self, email: str) -> None:
        """A person a later step changed is updated, unless they were created or already updated."""
        outcome = self.outcome.get(email)
        if outcome == "unchanged":
            self.report.unchanged.remove(email)  # rare: a renamed person, or one whose manager changed
        if outcome in ("unchanged", "reactivated"):
            self.mark(email, "updated")

    def audit(self, action: str, entity: str, entity_id: object, **detail: object) -> None:
        self.audits.append(
            {
                "at": self.now,
                "actor_id": None,
                "actor": self.actor or "system",
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            }
        )


def apply_rows(
    session: Session,
    rows: list[OrgRow],
    report: ImportReport,
    actor: str,
    match_open_id: bool,
    keep_missing: Callable[[Person], bool] | None,
) -> None:
    """Make the stored org match `rows` (validated already) inside the caller's transaction."""
    step = _Step(session, report, actor, utcnow())
    teams = _ensure_teams(step, rows)
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    report.active_before = sum(1 for p in existing.values() if p.active)
    renamed = _follow_email_changes(step, rows, existing) if match_open_id else set()
    email_of = {p.id: p.email for p in existing.values()}
    _release_ids(step, rows, existing)
    session.flush()
    new_rows = _update_people(step, rows, existing, teams)
    ids = {email: p.id for email, p in existing.items()}
    ids.update(_insert_people(step, new_rows, teams))
    email_of.update({pid: email for email, pid in ids.items()})
    _set_managers(step, rows, ids, {email: p.manager_id for email, p in existing.items()}, email_of)
    for email in renamed:
        if step.outcome.get(email) == "unchanged":
            step.mark_updated(email)
    _deactivate_missing(step, existing, {r.email for r in rows}, keep_missing)
    session.flush()
    if step.audits:
        session.connection().execute(insert(AUDIT), step.audits)


def _release_ids(step: _Step, rows: list[OrgRow], existing: dict[str, Person]) -> None:
    """Free platform ids held by people who are not the row's person (e.g. a re-hire)."""
    for attr in ("slack_user_id", "feishu_open_id"):
        holder = {getattr(p, attr): p for p in existing.values() if getattr(p, attr)}
        for r in rows:
            val = getattr(r, attr)
            p = holder.get(val) if val and attr in r.columns else None
            if p is None or p.email == r.email:
                continue
            _note(step.report, p.email, attr, val, None)
            setattr(p, attr, None)
            del holder[val]
            step.session.add(p)
            step.audit("person.release_id", "person", p.id, field=attr, value=val)


def _update_people(
    step: _Step, rows: list[OrgRow], existing: dict[str, Person], teams: dict[str, Team]
) -> list[OrgRow]:
    """Update the stored people the rows list; returns the rows of people to create."""
    team_keys_by_id = {t.id: key for key, t in teams.items()}
    new_rows = []
    for r in rows:
        person = existing.get(r.email)
        if person is None:
            new_rows.append(r)
            step.mark(r.email, "created")
        else:
            _update_person(step, r, person, teams, team_keys_by_id)
    step.session.flush()
    return new_rows


def _insert_people(step: _Step, rows: list[OrgRow], teams: dict[str, Team]) -> dict[str, int]:
    """Create the new people in one multi-row INSERT; their e-mail -> id."""
    if not rows:
        return {}
    values = [
        {
            "email": r.email,
            "active": True,
            "manager_id": None,
            "created_at": step.now,
            "updated_at": step.now,
            **_row_fields(r, teams),
        }
        for r in rows
    ]
    result = step.session.connection().execute(insert(PERSON).returning(PERSON.c.id, PERSON.c.email), values)
    ids = {email: pid for pid, email in result}
    for r in rows:
        step.audit("person.create", "person", ids[r.email], email=r.email)
    return ids


def _update_person(step: _Step, r: OrgRow, p: Person, teams: dict[str, Team], team_keys_by_id: dict[int, str]) -> None:
    """Update (and re-activate) a stored person in the row's columns only."""
    report = step.report
    present = {k: v for k, v in _row_fields(r, teams).items() if _COLUMN_OF[k] in r.columns}
    changes = {k: v for k, v in present.items() if getattr(p, k) != v}
    if not p.active:
        changes["active"] = True
        report.reactivated.append(r.email)
    for k, val in changes.items():
        old, new = getattr(p, k), val
        if k == "team_id":
            old, new = team_keys_by_id.get(old), team_keys_by_id.get(new)
        _note(report, r.email, _COLUMN_OF.get(k, k), old, new)
        setattr(p, k, val)
    if not changes:
        step.mark(r.email, "unchanged")
        return
    p.updated_at = step.now
    step.session.add(p)
    step.mark(r.email, "updated" if "active" not in changes or len(changes) > 1 else "reactivated")
    step.audit("person.update", "person", p.id, changes=sorted(changes))


def _set_managers(
    step: _Step, rows: list[OrgRow], ids: dict[str, int], manager_of: dict[str, int | None], email_of: dict[int, str]
) -> None:
    """Point each row's person at the row's manager (one executemany UPDATE), counting it as an
    update of that person. Rows from a source without a manager column keep the stored chain."""
    links = []
    for r in rows:
        if "manager_email" not in r.columns:
            continue
        old, new = manager_of.get(r.email), ids[r.manager_email] if r.manager_email else None
        if old == new:
            continue
        if step.outcome.get(r.email) != "created":
            step.mark_updated(r.email)
            _note(step.report, r.email, "manager_email", email_of.get(old) if old else None, r.manager_email)
        step.audit("person.set_manager", "person", ids[r.email], old=old, new=new)
        links.append({"pid": ids[r.email], "mid": new, "now": step.now})
    if links:
        set_manager = (
            update(PERSON)
            .where(PERSON.c.id == bindparam("pid"))
            .values(manager_id=bindparam("mid"), updated_at=bindparam("now"))
        )
        step.session.connection().execute(set_manager, links)


def _deactivate_missing(
    step: _Step, existing: dict[str, Person], listed: set[str], keep_missing: Callable[[Person], bool] | None
) -> None:
    """Deactivate active people the import does not list (unless `keep_missing` keeps them)."""
    for email, p in existing.items():
        if email not in listed and p.active and not (keep_missing is not None and keep_missing(p)):
            p.active = False
            p.updated_at = step.now
            step.session.add(p)
            step.report.deactivated.append(email)
            step.audit("person.deactivate", "person", p.id, reason="missing from import")


# Person attribute -> the file column it comes from (what a report names).
_COLUMN_OF = {
    "display_name": "name",
    "locale": "locale",
    "is_admin": "is_admin",
    "slack_user_id": "slack_user_id",
    "feishu_open_id": "feishu_open_id",
    "team_id": "team",
}


def _row_fields(r: OrgRow, teams: dict[str, Team]) -> dict[str, Any]:
    """A row's person attributes; an absent column reads as an empty cell (the defaults)."""
    return {
        "display_name": r.name,
        "locale": r.locale,
        "is_admin": r.is_admin,
        "slack_user_id": r.slack_user_id,
        "feishu_open_id": r.feishu_open_id,
        "team_id": teams[r.team].id if r.team else None,
    }


def _note(report: ImportReport, email: str, column: str, old: Any, new: Any) -> None:
    """Record a change for the report; a second change of the same value keeps the first old value."""
    entry = report.changes.setdefault(email, {})
    entry[column] = [entry[column][0] if column in entry else old, new]


def _follow_email_changes(step: _Step, rows: list[OrgRow], existing: dict[str, Person]) -> set[str]:
    """Re-key people found by open_id under a new e-mail (see `apply_org`); returns the new e-mails."""
    by_open_id = {p.feishu_open_id: p for p in existing.values() if p.feishu_open_id}
    renamed: set[str] = set()
    for r in rows:
        p = by_open_id.get(r.feishu_open_id) if r.feishu_open_id else None
        if p is None or p.email == r.email or r.email in existing:
            continue  # unknown, unchanged, or the new e-mail belongs to someone else (e-mail wins)
        old = p.email
        del existing[old]
        p.email = r.email
        p.updated_at = step.now
        existing[r.email] = p
        step.session.add(p)
        renamed.add(r.email)
        _note(step.report, r.email, "email", old, r.email)
        step.audit("person.update", "person", p.id, changes=["email"], old=old, new=r.email)
    step.session.flush()
    return renamed


_TEAM_COLUMNS = (
    ("name_zh", "team_name_zh"),
    ("name_en", "team_name_en"),
    ("slack_channel_id", "team_slack_channel"),
    ("feishu_chat_id", "team_feishu_chat"),
)


def _ensure_teams(step: _Step, rows: list[OrgRow]) -> dict[str, Team]:
    """Create the teams the rows name (one multi-row INSERT) and update the names and channels the
    rows give (one audit row per team and kind of change)."""
    session = step.session
    known = set(session.exec(select(Team.key)).all())
    new: dict[str, dict[str, str]] = {}
    for r in rows:
        if r.team and r.team not in known and r.team not in new:
            new[r.team] = {"key": r.team, "name_zh": r.team_name_zh or r.team, "name_en": r.team_name_en or r.team}
    if new:
        session.connection().execute(insert(TEAM), list(new.values()))
        step.report.teams_created.extend(new)
    teams = {t.key: t for t in session.exec(select(Team)).all()}
    for key in new:
        step.audit("team.create", "team", teams[key].id, key=key)
    _update_teams(step, rows, teams)
    return teams


def _update_teams(step: _Step, rows: list[OrgRow], teams: dict[str, Team]) -> None:
    changed: dict[str, set[str]] = {}
    for r in rows:
        team = teams.get(r.team) if r.team else None
        if team is None:
            continue
        for attr, column in _TEAM_COLUMNS:
            val = getattr(r, column)
            if val and getattr(team, attr) != val:
                setattr(team, attr, val)
                changed.setdefault(team.key, set()).add(attr)
    for key, attrs in changed.items():
        step.session.add(teams[key])
        step.audit("team.update", "team", teams[key].id, changes=sorted(attrs))
    step.session.flush()
