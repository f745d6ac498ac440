"""`liumai org sync-feishu`: people, departments and managers from the Feishu contact API.

What is read: every department below the root (`contact/v3/departments/0/children`, recursive,
paginated) and the users of the root and of each department (`contact/v3/users/find_by_department`,
paginated), with `user_id_type=open_id` so every id is an open_id. Calls are paced (the contact
API allows on the order of 1,000 calls a minute) and rate-limit answers are waited out
(`FeishuApi`).

How it maps:
- department -> team (key = the department's open id, names zh/en, the department's group chat as
  the digest chat);
- manager = the user's `leader_user_id`; when that is empty or not visible to the app, the leader
  (`leader_user_id`) of the user's department, climbing to parent departments (a department's
  leader is managed by the leader above);
- a person is matched to a stored person by open_id first, then e-mail. A changed e-mail is
  followed (same open_id), a missing e-mail keeps the stored one, and someone new without any
  e-mail gets a placeholder `<open_id>@feishu.invalid` until Feishu provides one;
- what Feishu does not know is kept: admin flag, Slack id, locale (new people: zh-CN on feishu.cn,
  en-US on larksuite.com), and the team of people placed directly under the root department;
- people who have a Feishu id but are no longer in the directory (or are frozen / resigned) are
  deactivated, within the same limit as a CSV import (`apply_org`); people without a Feishu id
  (e.g. Slack-only) are left alone.
Reading Feishu happens here; the stored org is read (`stored_people`) and written (`apply_org`)
by services. Everything goes through `apply_org`, so the whole directory is validated first (all or nothing)
and re-running the sync with an unchanged directory changes nothing and writes no audit rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from liumai.feishu.client import LARK, FeishuApi
from liumai.services.context import AppContext
from liumai.services.org import (
    CHAT_RE,
    EMAIL_RE,
    TEAM_RE,
    ImportReport,
    OrgRow,
    StoredPerson,
    apply_org,
    stored_people,
)

log = logging.getLogger(__name__)

ROOT = "0"
PLACEHOLDER_DOMAIN = "feishu.invalid"  # .invalid is reserved: such an address can never reach anyone
CONTACT_INTERVAL_S = 0.07  # ~850 calls a minute, under the contact API's per-app limit


@dataclass
class SyncReport:
    departments: int = 0
    users: int = 0
    result: ImportReport = field(default_factory=ImportReport)
    placeholder_emails: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # frozen or resigned accounts
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "departments": self.departments,
            "users": self.users,
            **self.result.to_dict(),
            "placeholder_emails": self.placeholder_emails,
            "skipped": self.skipped,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Dept:
    id: str
    parent: str | None
    name: str
    name_en: str | None
    leader: str | None
    chat_id: str | None


@dataclass(frozen=True)
class User:
    open_id: str
    name: str
    email: str | None
    departments: tuple[str, ...]
    leader: str | None
    inactive: bool


def _dept(d: Any) -> Dept | None:
    status = getattr(d, "status", None)
    if status is not None and getattr(status, "is_deleted", False):
        return None
    i18n = getattr(d, "i18n_name", None)
    dept_id = getattr(d, "open_department_id", None) or getattr(d, "department_id", None)
    if not dept_id:
        return None
    return Dept(
        id=dept_id,
        parent=getattr(d, "parent_department_id", None),
        name=(getattr(d, "name", None) or dept_id).strip(),
        name_en=(getattr(i18n, "en_us", None) or None) if i18n is not None else None,
        leader=getattr(d, "leader_user_id", None) or None,
        chat_id=getattr(d, "chat_id", None) or None,
    )


def _user(u: Any) -> User | None:
    open_id = getattr(u, "open_id", None)
    if not open_id:
        return None
    status = getattr(u, "status", None)
    inactive = bool(
        status is not None and (getattr(status, "is_frozen", False) or getattr(status, "is_resigned", False))
    )
    email = (getattr(u, "email", None) or getattr(u, "enterprise_email", None) or "").strip().lower() or None
    return User(
        open_id=open_id,
        name=(getattr(u, "name", None) or getattr(u, "en_name", None) or open_id).strip(),
        email=email if email and EMAIL_RE.match(email) else None,
        departments=tuple(getattr(u, "department_ids", None) or ()),
        leader=getattr(u, "leader_user_id", None) or None,
        inactive=inactive,
    )


def fetch_directory(api: FeishuApi, progress: Callable[[str], None] | None = None) -> tuple[list[Dept], list[User]]:
    """All departments and the users in them (each user once, in directory order)."""
    say = progress or (lambda _msg: None)
    depts = [d for d in (_dept(x) for x in api.departments(ROOT)) if d is not None]
    say(f"departments: {len(depts)}")
    users: dict[str, User] = {}
    for i, dept_id in enumerate([ROOT, *(d.id for d in depts)], start=1):
        for raw in api.users_in(dept_id):
            u = _user(raw)
            if u is not None and u.open_id not in users:
                users[u.open_id] = u
        if i % 10 == 0 or i == len(depts) + 1:
            say(f"users: {len(users)} ({i}/{len(depts) + 1} departments read)")
    return depts, list(users.values())


def team_key(dept_id: str) -> str:
    key = dept_id.strip().lower()
    return key if TEAM_RE.match(key) else "dept-" + hashlib.sha256(dept_id.encode()).hexdigest()[:16]


def _managers(users: dict[str, User], depts: dict[str, Dept], report: SyncReport) -> dict[str, str | None]:
    def via_departments(u: User) -> str | None:
        for dept_id in u.departments:
            seen: set[str] = set()
            d = depts.get(dept_id)
            while d is not None and d.id not in seen:
                seen.add(d.id)
                if d.leader and d.leader != u.open_id and d.leader in users:
                    return d.leader
                d = depts.get(d.parent) if d.parent else None
        return None

    managers: dict[str, str | None] = {}
    for u in users.values():
        if u.leader and u.leader != u.open_id and u.leader in users:
            managers[u.open_id] = u.leader
        else:
            managers[u.open_id] = via_departments(u)
    # Department fallbacks can close a loop in odd directories; cut it where it is found.
    for start in users:
        path: list[str] = []
        cur: str | None = start
        while cur is not None and cur not in path:
            path.append(cur)
            cur = managers.get(cur)
        if cur is not None:
            managers[cur] = None
            report.notes.append(f"manager loop through {users[cur].name} ({cur}) cut; set their leader in Feishu")
    return managers


def build_rows(
    ctx: AppContext, depts: list[Dept], users: list[User], report: SyncReport, default_locale: str
) -> list[OrgRow]:
    """OrgRows for the active users, keeping what Feishu does not know from the stored people."""
    stored = stored_people(ctx)
    by_open_id = {p.feishu_open_id: p for p in stored if p.feishu_open_id}
    by_email = {p.email: p for p in stored}
    dept_map = {d.id: d for d in depts}

    active: dict[str, User] = {}
    for u in users:
        if u.inactive:
            report.skipped.append(f"{u.name} ({u.open_id})")
        else:
            active[u.open_id] = u
    managers = _managers(active, dept_map, report)
    emails = _emails(active, by_open_id, report)
    rows: list[OrgRow] = []
    for line, u in enumerate(active.values(), start=1):
        email = emails[u.open_id]
        known = by_open_id.get(u.open_id) or by_email.get(email)
        dept = next((dept_map[d] for d in u.departments if d in dept_map), None)
        manager = managers.get(u.open_id)
        rows.append(_row(line, u, email, emails[manager] if manager else None, dept, known, default_locale))
    return rows


def _emails(active: dict[str, User], by_open_id: dict[str, StoredPerson], report: SyncReport) -> dict[str, str]:
    """Each user's e-mail: Feishu's, else the stored one, else a placeholder; never one shared by two."""
    emails: dict[str, str] = {}
    taken: set[str] = set()
    for u in active.values():
        known = by_open_id.get(u.open_id)
        email = u.email or (known.email if known else None)
        if email and email in taken:
            report.notes.append(f"{u.name} ({u.open_id}) shares the e-mail {email} with another user; not used")
            email = None
        if not email:
            email = f"{u.open_id.lower()}@{PLACEHOLDER_DOMAIN}"
            report.placeholder_emails.append(email)
        taken.add(email)
        emails[u.open_id] = email
    return emails


def _row(
    line: int,
    u: User,
    email: str,
    manager_email: str | None,
    dept: Dept | None,
    known: StoredPerson | None,
    default_locale: str,
) -> OrgRow:
    """One user's row: Feishu's name, team and manager; admin flag, locale and Slack id kept from the stored person."""
    chat = dept.chat_id if dept and dept.chat_id and CHAT_RE.match(dept.chat_id) else None
    return OrgRow(
        line=line,
        email=email,
        name=u.name,
        team=team_key(dept.id) if dept else (known.team if known else None),
        manager_email=manager_email,
        slack_user_id=known.slack_user_id if known else None,
        feishu_open_id=u.open_id,
        is_admin=known.is_admin if known else False,
        locale=known.locale if known else default_locale,
        team_name_zh=dept.name if dept else None,
        team_name_en=(dept.name_en or dept.name) if dept else None,
        team_feishu_chat=chat,
    )


def sync_feishu(
    ctx: AppContext,
    api: FeishuApi | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    actor: str = "feishu-sync",
    dry_run: bool = False,
    allow_deactivate: bool = False,
) -> SyncReport:
    """Read the directory and make the stored org match it (see the module docstring).

    Like the CSV import, a sync that would deactivate more people than LIUMAI_ORG_MAX_DEACTIVATE_SHARE
    allows (a narrowed contact scope looks like everyone left) is refused unless `allow_deactivate`;
    `dry_run` reports what would change and writes nothing.
    """
    api = api or FeishuApi(ctx.settings, min_interval_s=CONTACT_INTERVAL_S)
    report = SyncReport()
    depts, users = fetch_directory(api, progress)
    report.departments, report.users = len(depts), len(users)
    default_locale = "en-US" if api.domain == LARK else "zh-CN"
    rows = build_rows(ctx, depts, users, report, default_locale)
    report.result = apply_org(
        ctx,
        rows,
        actor,
        match_open_id=True,
        keep_missing=lambda p: not p.feishu_open_id,
        dry_run=dry_run,
        allow_deactivate=allow_deactivate,
    )
    return report
