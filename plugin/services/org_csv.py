"""Reading an org chart file: parse and validate every row before anything is written.

Errors name the line and column and are all reported at once; a manager cycle is refused. Each
row remembers which columns its source has (`OrgRow.columns`), so applying it never clears a
value the file does not mention (see `liumai.services.org.apply_org`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from liumai.messages import t
from liumai.services.errors import ServiceError
from liumai.services.text import clean_text

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
TEAM_COLUMNS = ("team_name_zh", "team_name_en", "team_slack_channel", "team_feishu_chat")
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


class Problem(str):
    """One problem of an org file: its English text (a str, as logs and scripts read it), plus its
    message key so that each surface can show it in the reader's language (`message(lang)`)."""

    key: str
    params: dict[str, object]

    def __new__(cls, key: str, **params: object) -> Problem:
        obj = super().__new__(cls, t(f"service.{key}", "en", **params))
        obj.key, obj.params = key, params
        return obj

    def message(self, lang: str = "en") -> str:
        params = {k: v.message(lang) if isinstance(v, Problem) else v for k, v in self.params.items()}
        return t(f"service.{self.key}", lang, **params)


def _at(line: int, key: str, **params: object) -> Problem:
    return Problem("org.line", line=line, problem=Problem(key, **params))


class OrgImportError(ServiceError):
    """Every problem in the file, one line each (`problems`)."""

    code = "invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        Exception.__init__(self, "\n".join(problems))
        self.key, self.params = "error.detail", {"detail": "\n".join(problems)}

    def message(self, lang: str = "en") -> str:
        return "\n".join(p.message(lang) if isinstance(p, Problem) else str(p) for p in self.problems)


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
    # The columns the source has: a stored value whose column is absent is kept as it is.
    columns: frozenset[str] = frozenset(KNOWN)


def parse_org_csv(text: str) -> list[OrgRow]:
    """Parse and validate; raises OrgImportError listing every problem."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise OrgImportError([_at(1, "org.empty", header=",".join(KNOWN[:8]))])
    reader.fieldnames = header
    for col in REQUIRED:
        if col not in header:
            problems.append(_at(1, "org.missing_column", col=repr(col)))
    for col in header:
        if col not in KNOWN:
            problems.append(_at(1, "org.unknown_column", col=repr(col), known=", ".join(KNOWN)))
    if "team" not in header:
        for col in TEAM_COLUMNS:
            if col in header:
                problems.append(_at(1, "org.team_column_needs_team", col=repr(col)))
    if problems:
        raise OrgImportError(problems)

    columns = frozenset(header)
    rows: list[OrgRow] = []
    seen: dict[str, dict[str, int]] = {"email": {}, "slack_user_id": {}, "feishu_open_id": {}}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(_at(line, "org.extra_fields"))
            continue
        v = {k: clean_text(raw.get(k) or "").strip() for k in KNOWN}

        def bad(col: str, key: str, _line: int = line, **params: object) -> None:
            problems.append(Problem("org.cell", line=_line, col=col, problem=Problem(key, **params)))

        if not any(v.values()):
            continue  # blank line
        email = v["email"].lower()
        if not email:
            bad("email", "org.required")
        elif not EMAIL_RE.match(email):
            bad("email", "org.not_email", value=repr(v["email"]))
        if not v["name"]:
            bad("name", "org.required")
        manager = v["manager_email"].lower() or None
        if manager and manager == email:
            bad("manager_email", "org.own_manager")
        if v["is_admin"].lower() not in BOOLS:
            bad("is_admin", "org.not_bool", value=repr(v["is_admin"]))
        locale = v["locale"] or "en-US"
        if not LOCALE_RE.match(locale):
            bad("locale", "org.bad_locale", value=repr(locale))
        if v["slack_user_id"] and not SLACK_RE.match(v["slack_user_id"]):
            bad("slack_user_id", "org.bad_slack_user", value=repr(v["slack_user_id"]))
        if v["feishu_open_id"] and not FEISHU_RE.match(v["feishu_open_id"]):
            bad("feishu_open_id", "org.bad_feishu_user", value=repr(v["feishu_open_id"]))
        team = v["team"].lower() or None
        if team and not TEAM_RE.match(team):
            bad("team", "org.bad_team", value=repr(v["team"]))
        if v["team_slack_channel"] and not CHANNEL_RE.match(v["team_slack_channel"]):
            bad("team_slack_channel", "org.bad_channel", value=repr(v["team_slack_channel"]))
        if v["team_feishu_chat"] and not CHAT_RE.match(v["team_feishu_chat"]):
            bad("team_feishu_chat", "org.bad_chat", value=repr(v["team_feishu_chat"]))
        for col, key in (
            ("email", email),
            ("slack_user_id", v["slack_user_id"]),
            ("feishu_open_id", v["feishu_open_id"]),
        ):
            if key:
                if key in seen[col]:
                    bad(col, "org.duplicate", value=repr(key), other=seen[col][key])
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
                columns=columns,
            )
        )
    problems.extend(check_rows(rows))
    if not rows and not problems:
        problems.append(Problem("org.no_people"))
    if problems:
        raise OrgImportError(problems)
    return rows


def check_rows(rows: list[OrgRow]) -> list[str]:
    """Whole-org checks shared by every source (CSV, Feishu contact sync): managers exist, no cycles."""
    problems: list[str] = []
    by_email = {r.email: r for r in rows}
    for r in rows:
        if r.manager_email and r.manager_email not in by_email:
            problems.append(
                Problem(
                    "org.cell",
                    line=r.line,
                    col="manager_email",
                    problem=Problem("org.unknown_manager", value=repr(r.manager_email)),
                )
            )
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
                problems.append(
                    Problem("org.cell", line=first, col="manager_email", problem=Problem("org.cycle", loop=loop))
                )
    return problems
