"""Org chart import: people, teams and the manager chain from a CSV file or a directory sync.

The whole file is validated before anything is written (`org_csv`: all or nothing), re-importing
updates in place, and people missing from a new import are deactivated rather than deleted, so
their past evidence keeps its meaning. A wrong file cannot silently switch everyone off:
- a column the file does not have is never cleared (only the columns it has are updated);
- an import that would deactivate more than LIUMAI_ORG_MAX_DEACTIVATE_SHARE of the active people
  (and more than `DEACTIVATE_FLOOR`) is refused, unless the caller passes `allow_deactivate`;
- a dry run goes through exactly the same steps in a transaction that is rolled back, so what it
  reports is what the import would do.

It also answers the org questions adapters ask - which teams exist, who is in one, which team a
manager means - as plain values, so the rules are the same on every platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import Conflict, InvalidInput
from liumai.services.org_csv import CHANNEL_RE, CHAT_RE, TEAM_RE, OrgImportError, OrgRow, check_rows, parse_org_csv
from liumai.services.org_csv import EMAIL_RE as EMAIL_RE  # re-exported: the Feishu sync checks e-mails with it
from liumai.services.people import get_person, reports_of
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person, Team, utcnow

# Deactivating up to this many people never needs allowing, whatever the share: a small org
# records its leavers without a flag (1 leaver of 4 people is already 25%), while a file that
# lost most of its rows - the mistake this guards against - is far above it.
DEACTIVATE_FLOOR = 2


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


def deactivate_limit(active: int, share: float) -> int:
    """The most people an import may deactivate without being allowed to: a share of the active
    people, but never fewer than `DEACTIVATE_FLOOR`."""
    return max(DEACTIVATE_FLOOR, int(active * share + 1e-9))


class DeactivationRefused(Conflict):
    """The import would deactivate more people than allowed; it was rolled back (`report` says what it
    would have done)."""

    def __init__(self, report: ImportReport, share: float) -> None:
        self.report = report
        count, active = len(report.deactivated), report.active_before
        super().__init__(
            "org.too_many_deactivations",
            count=count,
            active=active,
            percent=round(100 * count / max(active, 1)),
            limit=f"{share * 100:g}",
            floor=DEACTIVATE_FLOOR,
        )


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


def import_org(
    ctx: AppContext, text: str, actor: str = "cli", *, dry_run: bool = False, allow_deactivate: bool = False
) -> ImportReport:
    """Import a CSV org chart (all or nothing; see the module docstring for the guards)."""
    return apply_org(ctx, parse_org_csv(text), actor, dry_run=dry_run, allow_deactivate=allow_deactivate)


def apply_org(
    ctx: AppContext,
    rows: list[OrgRow],
    actor: str = "cli",
    *,
    match_open_id: bool = False,
    keep_missing: Callable[[Person], bool] | None = None,
    dry_run: bool = False,
    allow_deactivate: bool = False,
) -> ImportReport:
    """Make the stored org match `rows`: create, update, re-activate; deactivate everyone else.

    Only the columns a row has (`OrgRow.columns`) are compared and written; the others keep their
    stored values (a new person gets the defaults). Refuses with `DeactivationRefused`, changing
    nothing, when more people would be deactivated than `deactivate_limit` allows and
    `allow_deactivate` is False. With `dry_run` nothing is written and the report says what would be.

    Sources other than the CSV file may ask for more (the CSV import uses neither):
    - `match_open_id`: a stored person whose Feishu open_id is on a row with another e-mail is
      the same person whose e-mail changed - their e-mail is updated, so history stays theirs,
      instead of deactivating them and creating a stranger;
    - `keep_missing`: people missing from `rows` for whom it returns True stay as they are
      (the Feishu contact sync leaves people who are not in Feishu alone).
    """
    problems = check_rows(rows)
    if problems:
        raise OrgImportError(problems)
    report = ImportReport(dry_run=dry_run)
    share = ctx.settings.org_max_deactivate_share
    try:
        with unit_of_work(ctx.engine) as session:
            _apply(session, rows, report, actor, match_open_id, keep_missing)
            report.deactivate_limit = deactivate_limit(report.active_before, share)
            if dry_run:
                raise _DryRun
            if report.over_limit and not allow_deactivate:
                raise DeactivationRefused(report, share)
    except _DryRun:
        pass
    return report


def _apply(
    session: Session,
    rows: list[OrgRow],
    report: ImportReport,
    actor: str,
    match_open_id: bool,
    keep_missing: Callable[[Person], bool] | None,
) -> None:
    teams = _ensure_teams(session, rows, report, actor)
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    report.active_before = sum(1 for p in existing.values() if p.active)
    team_keys_by_id = {t.id: key for key, t in teams.items()}
    now = utcnow()
    renamed = _follow_email_changes(session, rows, existing, actor, now, report) if match_open_id else set()
    email_of = {p.id: p.email for p in existing.values()}
    # Free platform ids held by people who are not the row's person (e.g. a re-hire).
    for r in rows:
        for attr in ("slack_user_id", "feishu_open_id"):
            val = getattr(r, attr)
            if not val or attr not in r.columns:
                continue
            for p in existing.values():
                if getattr(p, attr) == val and p.email != r.email:
                    _note(report, p.email, attr, val, None)
                    setattr(p, attr, None)
                    session.add(p)
                    audit.record(session, actor, "person.release_id", "person", p.id, field=attr, value=val)
    session.flush()
    people: dict[str, Person] = {}
    for r in rows:
        p = existing.get(r.email)
        fields = _row_fields(r, teams)
        if p is None:
            p = Person(email=r.email, active=True, **fields)
            session.add(p)
            session.flush()
            email_of[p.id] = p.email
            report.created.append(r.email)
            audit.record(session, actor, "person.create", "person", p.id, email=r.email)
        else:
            present = {k: v for k, v in fields.items() if _COLUMN_OF[k] in r.columns}
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
            if changes:
                p.updated_at = now
                session.add(p)
                if "active" not in changes or len(changes) > 1:
                    report.updated.append(r.email)
                audit.record(session, actor, "person.update", "person", p.id, changes=sorted(changes))
            else:
                report.unchanged.append(r.email)
        people[r.email] = p
    session.flush()
    for r in rows:
        if "manager_email" not in r.columns:
            continue  # the file says nothing about managers: keep the stored chain
        p = people[r.email]
        manager_id = people[r.manager_email].id if r.manager_email else None
        if p.manager_id != manager_id:
            if r.email not in report.created and r.email not in report.updated:
                report.updated.append(r.email)
                if r.email in report.unchanged:
                    report.unchanged.remove(r.email)
            if r.email not in report.created:
                _note(report, r.email, "manager_email", email_of.get(p.manager_id), r.manager_email)
            audit.record(session, actor, "person.set_manager", "person", p.id, old=p.manager_id, new=manager_id)
            p.manager_id = manager_id
            p.updated_at = now
            session.add(p)
    for email in renamed:
        if email in report.unchanged:
            report.unchanged.remove(email)
            report.updated.append(email)
    for email, p in existing.items():
        if email not in people and p.active and not (keep_missing is not None and keep_missing(p)):
            p.active = False
            p.updated_at = now
            session.add(p)
            report.deactivated.append(email)
            audit.record(session, actor, "person.deactivate", "person", p.id, reason="missing from import")
    session.flush()


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


def _follow_email_changes(
    session: Session, rows: list[OrgRow], existing: dict[str, Person], actor: str, now: datetime, report: ImportReport
) -> set[str]:
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
        p.updated_at = now
        existing[r.email] = p
        session.add(p)
        session.flush()
        renamed.add(r.email)
        _note(report, r.email, "email", old, r.email)
        audit.record(session, actor, "person.update", "person", p.id, changes=["email"], old=old, new=r.email)
    return renamed


def _ensure_teams(session: Session, rows: list[OrgRow], report: ImportReport, actor: str) -> dict[str, Team]:
    teams = {t.key: t for t in session.exec(select(Team)).all()}
    for r in rows:
        if not r.team:
            continue
        team = teams.get(r.team)
        if team is None:
            team = Team(key=r.team, name_zh=r.team_name_zh or r.team, name_en=r.team_name_en or r.team)
            session.add(team)
            session.flush()
            teams[r.team] = team
            report.teams_created.append(r.team)
            audit.record(session, actor, "team.create", "team", team.id, key=r.team)
        changes = {
            k: val
            for k, val in (
                ("name_zh", r.team_name_zh),
                ("name_en", r.team_name_en),
                ("slack_channel_id", r.team_slack_channel),
                ("feishu_chat_id", r.team_feishu_chat),
            )
            if val and getattr(team, k) != val
        }
        if changes:
            for k, val in changes.items():
                setattr(team, k, val)
            session.add(team)
            audit.record(session, actor, "team.update", "team", team.id, changes=sorted(changes))
    return teams


def set_team(
    ctx: AppContext,
    key: str,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    slack_channel_id: str | None = None,
    feishu_chat_id: str | None = None,
    actor: str = "cli",
) -> Team:
    """Create or update a team, e.g. to set the channel its weekly digest goes to."""
    key = key.strip().lower()
    if not TEAM_RE.match(key):
        raise InvalidInput("team.bad_key", key=repr(key))
    if slack_channel_id and not CHANNEL_RE.match(slack_channel_id):
        raise InvalidInput("team.bad_channel", value=repr(slack_channel_id))
    if feishu_chat_id and not CHAT_RE.match(feishu_chat_id):
        raise InvalidInput("team.bad_chat", value=repr(feishu_chat_id))
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        created = team is None
        if team is None:
            team = Team(key=key, name_zh=name_zh or key, name_en=name_en or key)
        changes = {
            k: v
            for k, v in (
                ("name_zh", name_zh),
                ("name_en", name_en),
                ("slack_channel_id", slack_channel_id),
                ("feishu_chat_id", feishu_chat_id),
            )
            if v is not None and getattr(team, k) != v
        }
        for k, v in changes.items():
            setattr(team, k, v)
        session.add(team)
        session.flush()
        if created or changes:
            audit.record(
                session, actor, "team.create" if created else "team.update", "team", team.id, changes=sorted(changes)
            )
        return team


@dataclass(frozen=True)
class StoredPerson:
    """What a directory sync keeps from the stored org that its source does not know."""

    email: str
    feishu_open_id: str | None
    slack_user_id: str | None
    is_admin: bool
    locale: str
    team: str | None  # team key


def stored_people(ctx: AppContext) -> list[StoredPerson]:
    """Everyone stored, active or not: a sync matches its directory against all of them, so a
    returning person is re-activated rather than created anew."""
    with unit_of_work(ctx.engine) as session:
        teams = {t.id: t.key for t in session.exec(select(Team)).all()}
        return [
            StoredPerson(
                p.email,
                p.feishu_open_id,
                p.slack_user_id,
                p.is_admin,
                p.locale,
                teams.get(p.team_id) if p.team_id else None,
            )
            for p in session.exec(select(Person)).all()
        ]


def team_keys(ctx: AppContext) -> list[str]:
    """Every team's key, sorted: what a "name a team" reply lists and takes its example from."""
    with unit_of_work(ctx.engine) as session:
        return list(session.exec(select(Team.key).order_by(Team.key)).all())


def team_locales(ctx: AppContext, key: str) -> list[str]:
    """The locales of a team's active members (empty for an unknown team), for choosing the
    language of a message the whole team reads."""
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        if team is None:
            return []
        return list(
            session.exec(
                select(Person.locale).where(Person.team_id == team.id, Person.active == True)  # noqa: E712
            ).all()
        )


def managed_team(ctx: AppContext, manager: str | int) -> str | None:
    """The team a manager means when they name none: their own team if they manage someone in it
    (or manage nobody with a team), else the team of their direct reports when there is exactly
    one; None when that is ambiguous or there is no team, so they have to name it."""
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, manager)
        reports = reports_of(session, me, subtree=False)
        team_ids = {p.team_id for p in reports if p.team_id is not None}
        if me.team_id is not None and (me.team_id in team_ids or not team_ids):
            team_ids = {me.team_id}
        if len(team_ids) != 1:
            return None
        team = session.get(Team, team_ids.pop())
        return team.key if team else None


@dataclass(frozen=True)
class TeamView:
    """A stored team as adapters see it: its names and where its digest goes on each platform.

    Satisfies `liumai.services.digest.TeamChannels`, so a poster's `target` can read it too.
    """

    key: str
    name_zh: str
    name_en: str
    slack_channel_id: str | None
    feishu_chat_id: str | None


def find_team(ctx: AppContext, key: str) -> TeamView | None:
    """The team with exactly this key, or None: adapters check a typed team name before acting on
    it and tell the user where a digest went, without holding a row past its transaction."""
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        if team is None:
            return None
        return TeamView(team.key, team.name_zh, team.name_en, team.slack_channel_id, team.feishu_chat_id)
