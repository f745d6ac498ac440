"""Org chart import: people, teams and the manager chain from a CSV file.

The whole file is validated before anything is written (all or nothing), errors name the line
and column, a manager cycle is refused, re-importing updates in place, and people missing from
a new import are deactivated rather than deleted, so their past evidence keeps its meaning.

It also answers the org questions adapters ask - which teams exist, who is in one, which team a
manager means - as plain values, so the rules are the same on every platform.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from plugin.services import audit
from plugin.services.context import AppContext
from plugin.services.errors import InvalidInput, ServiceError
from plugin.services.people import get_person, reports_of
from plugin.services.text import clean_text
from plugin.services.uow import unit_of_work
from storage.models import Person, Team, utcnow

REQUIRED = ["email", "name"]
KNOWN = [
    "email",
    "name",
    "team",
    "manager_email",
    "slack_user_id",
    "feishu_open_id",
    "is_admin",
    "locale",
    "team_name_zh",
    "team_name_en",
    "team_slack_channel",
    "team_feishu_chat",
]
EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
SLACK_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")
FEISHU_RE = re.compile(r"^ou_[A-Za-z0-9_-]{1,60}$")
LOCALE_RE = re.compile(r"^(zh|en)([-_][A-Za-z]{2,4})?$")
TEAM_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHANNEL_RE = re.compile(r"^[CG][A-Z0-9]{2,20}$")
CHAT_RE = re.compile(r"^oc_[A-Za-z0-9_-]{1,60}$")
BOOLS = {
    "true": True,
    "yes": True,
    "1": True,
    "y": True,
    "false": False,
    "no": False,
    "0": False,
    "n": False,
    "": False,
}


class OrgImportError(ServiceError):
    """Every problem in the file, one line each (`problems`)."""

    code = "invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        Exception.__init__(self, "\n".join(problems))
        self.key, self.params = "error.detail", {"detail": "\n".join(problems)}


@dataclass
class OrgRow:
    line: int
    email: str
    name: str
    team: str | None
    manager_email: str | None
    slack_user_id: str | None
    feishu_open_id: str | None
    is_admin: bool
    locale: str
    team_name_zh: str | None = None
    team_name_en: str | None = None
    team_slack_channel: str | None = None
    team_feishu_chat: str | None = None


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return dict(self.__dict__)


def parse_org_csv(text: str) -> list[OrgRow]:
    """Parse and validate; raises OrgImportError listing every problem."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise OrgImportError(["line 1: the file is empty (expected a header: " + ",".join(KNOWN[:8]) + ")"])
    reader.fieldnames = header
    for col in REQUIRED:
        if col not in header:
            problems.append(f"line 1: missing column {col!r}")
    for col in header:
        if col not in KNOWN:
            problems.append(f"line 1: unknown column {col!r} (known: {', '.join(KNOWN)})")
    if problems:
        raise OrgImportError(problems)

    rows: list[OrgRow] = []
    seen: dict[str, dict[str, int]] = {"email": {}, "slack_user_id": {}, "feishu_open_id": {}}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(f"line {line}: more fields than columns in the header")
            continue
        v = {k: clean_text(raw.get(k) or "").strip() for k in KNOWN}

        def bad(col: str, msg: str, _line: int = line) -> None:
            problems.append(f"line {_line}, column {col}: {msg}")

        if not any(v.values()):
            continue  # blank line
        email = v["email"].lower()
        if not email:
            bad("email", "required")
        elif not EMAIL_RE.match(email):
            bad("email", f"{v['email']!r} is not an e-mail address")
        if not v["name"]:
            bad("name", "required")
        manager = v["manager_email"].lower() or None
        if manager and manager == email:
            bad("manager_email", "a person cannot be their own manager")
        if v["is_admin"].lower() not in BOOLS:
            bad("is_admin", f"{v['is_admin']!r} is not true/false")
        locale = v["locale"] or "en-US"
        if not LOCALE_RE.match(locale):
            bad("locale", f"{locale!r} is not a supported locale (zh-CN, en-US, ...)")
        if v["slack_user_id"] and not SLACK_RE.match(v["slack_user_id"]):
            bad("slack_user_id", f"{v['slack_user_id']!r} is not a Slack user id (like U012ABCDEF)")
        if v["feishu_open_id"] and not FEISHU_RE.match(v["feishu_open_id"]):
            bad("feishu_open_id", f"{v['feishu_open_id']!r} is not a Feishu open_id (like ou_...)")
        team = v["team"].lower() or None
        if team and not TEAM_RE.match(team):
            bad("team", f"{v['team']!r}: use lowercase letters, digits, - and _")
        if v["team_slack_channel"] and not CHANNEL_RE.match(v["team_slack_channel"]):
            bad("team_slack_channel", f"{v['team_slack_channel']!r} is not a Slack channel id (like C012AB)")
        if v["team_feishu_chat"] and not CHAT_RE.match(v["team_feishu_chat"]):
            bad("team_feishu_chat", f"{v['team_feishu_chat']!r} is not a Feishu chat id (like oc_...)")
        for col, key in (
            ("email", email),
            ("slack_user_id", v["slack_user_id"]),
            ("feishu_open_id", v["feishu_open_id"]),
        ):
            if key:
                if key in seen[col]:
                    bad(col, f"{key!r} already used on line {seen[col][key]}")
                else:
                    seen[col][key] = line
        rows.append(
            OrgRow(
                line=line,
                email=email,
                name=v["name"],
                team=team,
                manager_email=manager,
                slack_user_id=v["slack_user_id"] or None,
                feishu_open_id=v["feishu_open_id"] or None,
                is_admin=BOOLS.get(v["is_admin"].lower(), False),
                locale=locale.replace("_", "-"),
                team_name_zh=v["team_name_zh"] or None,
                team_name_en=v["team_name_en"] or None,
                team_slack_channel=v["team_slack_channel"] or None,
                team_feishu_chat=v["team_feishu_chat"] or None,
            )
        )
    problems.extend(check_rows(rows))
    if not rows and not problems:
        problems.append("the file has a header but no people")
    if problems:
        raise OrgImportError(problems)
    return rows


def check_rows(rows: list[OrgRow]) -> list[str]:
    """Whole-org checks shared by every source (CSV, Feishu contact sync): managers exist, no cycles."""
    problems: list[str] = []
    by_email = {r.email: r for r in rows}
    for r in rows:
        if r.manager_email and r.manager_email not in by_email:
            problems.append(f"line {r.line}, column manager_email: {r.manager_email!r} is not a person in this file")
    problems.extend(_cycles(rows, by_email))
    return problems


def _cycles(rows: list[OrgRow], by_email: dict[str, OrgRow]) -> list[str]:
    problems: list[str] = []
    reported: set[frozenset[str]] = set()
    for r in rows:
        path: list[str] = []
        cur: OrgRow | None = r
        while cur is not None and cur.email not in path:
            path.append(cur.email)
            cur = by_email.get(cur.manager_email) if cur.manager_email else None
        if cur is not None:  # came back to someone on the path
            cycle = path[path.index(cur.email) :]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                loop = " -> ".join([*cycle, cycle[0]])
                first = min(by_email[e].line for e in cycle)
                problems.append(f"line {first}, column manager_email: the manager chain is a cycle: {loop}")
    return problems


def import_org(ctx: AppContext, text: str, actor: str = "cli") -> ImportReport:
    """Import a CSV org chart (all or nothing)."""
    return apply_org(ctx, parse_org_csv(text), actor)


def apply_org(
    ctx: AppContext,
    rows: list[OrgRow],
    actor: str = "cli",
    *,
    match_open_id: bool = False,
    keep_missing: Callable[[Person], bool] | None = None,
) -> ImportReport:
    """Make the stored org match `rows`: create, update, re-activate; deactivate everyone else.

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
    report = ImportReport()
    with unit_of_work(ctx.engine) as session:
        teams = _ensure_teams(session, rows, report, actor)
        existing = {p.email: p for p in session.exec(select(Person)).all()}
        now = utcnow()
        renamed = _follow_email_changes(session, rows, existing, actor, now) if match_open_id else set()
        # Free platform ids held by people who are not the row's person (e.g. a re-hire).
        for r in rows:
            for attr in ("slack_user_id", "feishu_open_id"):
                val = getattr(r, attr)
                if not val:
                    continue
                for p in existing.values():
                    if getattr(p, attr) == val and p.email != r.email:
                        setattr(p, attr, None)
                        session.add(p)
                        audit.record(session, actor, "person.release_id", "person", p.id, field=attr, value=val)
        session.flush()
        people: dict[str, Person] = {}
        for r in rows:
            p = existing.get(r.email)
            fields = {
                "display_name": r.name,
                "locale": r.locale,
                "is_admin": r.is_admin,
                "slack_user_id": r.slack_user_id,
                "feishu_open_id": r.feishu_open_id,
                "team_id": teams[r.team].id if r.team else None,
            }
            if p is None:
                p = Person(email=r.email, active=True, **fields)
                session.add(p)
                session.flush()
                report.created.append(r.email)
                audit.record(session, actor, "person.create", "person", p.id, email=r.email)
            else:
                changes = {k: v for k, v in fields.items() if getattr(p, k) != v}
                if not p.active:
                    changes["active"] = True
                    report.reactivated.append(r.email)
                for k, val in changes.items():
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
            p = people[r.email]
            manager_id = people[r.manager_email].id if r.manager_email else None
            if p.manager_id != manager_id:
                if r.email not in report.created and r.email not in report.updated:
                    report.updated.append(r.email)
                    if r.email in report.unchanged:
                        report.unchanged.remove(r.email)
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
    return report


def _follow_email_changes(
    session: Session, rows: list[OrgRow], existing: dict[str, Person], actor: str, now: datetime
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
        raise InvalidInput("error.detail", detail=f"team key {key!r}: use lowercase letters, digits, - and _")
    if slack_channel_id and not CHANNEL_RE.match(slack_channel_id):
        raise InvalidInput("error.detail", detail=f"{slack_channel_id!r} is not a Slack channel id (like C012AB)")
    if feishu_chat_id and not CHAT_RE.match(feishu_chat_id):
        raise InvalidInput("error.detail", detail=f"{feishu_chat_id!r} is not a Feishu chat id (like oc_...)")
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

    Satisfies `plugin.services.digest.TeamChannels`, so a poster's `target` can read it too.
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
