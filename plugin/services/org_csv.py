"""Reading an org chart file: parse and validate every row before anything is written.

Errors name the line and column and are all reported at once; a manager cycle is refused. Each
row remembers which columns its source has (`OrgRow.columns`), so applying it never clears a
value the file does not mention (see `liumai.services.org.apply_org`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
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
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise OrgImportError([_at(1, "org.empty", header=",".join(KNOWN[:8]))])
    problems = _header_problems(header)
    if problems:
        raise OrgImportError(problems)
    reader.fieldnames = header
    rows = _read_rows(reader, frozenset(header), problems)
    problems.extend(check_rows(rows))
    if not rows and not problems:
        problems.append(Problem("org.no_people"))
    if problems:
        raise OrgImportError(problems)
    return rows


def _read_rows(reader: csv.DictReader[str], columns: frozenset[str], problems: list[str]) -> list[OrgRow]:
    """Every non-blank row, checked cell by cell; its problems are added to `problems`."""
    rows: list[OrgRow] = []
    seen: dict[str, dict[str, int]] = {col: {} for col in UNIQUE}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(_at(line, "org.extra_fields"))
            continue
        v = {k: clean_text(raw.get(k) or "").strip() for k in KNOWN}
        if not any(v.values()):
            continue  # blank line
        found = [*_cell_problems(v), *_repeats(v, line, seen)]
        problems.extend(Problem("org.cell", line=line, col=col, problem=msg) for col, msg in found)
        rows.append(_row(v, line, columns))
    return rows


def _header_problems(header: list[str]) -> list[str]:
    """Required columns present, no unknown ones, and team details only beside a 'team' column."""
    problems: list[str] = [_at(1, "org.missing_column", col=repr(col)) for col in REQUIRED if col not in header]
    problems += [
        _at(1, "org.unknown_column", col=repr(col), known=", ".join(KNOWN)) for col in header if col not in KNOWN
    ]
    if "team" not in header:
        problems += [_at(1, "org.team_column_needs_team", col=repr(col)) for col in TEAM_COLUMNS if col in header]
    return problems


Check = Callable[[dict[str, str]], Problem | None]


def _email(v: dict[str, str]) -> Problem | None:
    if not v["email"]:
        return Problem("org.required")
    return None if EMAIL_RE.match(v["email"].lower()) else Problem("org.not_email", value=repr(v["email"]))


def _name(v: dict[str, str]) -> Problem | None:
    return None if v["name"] else Problem("org.required")


def _manager(v: dict[str, str]) -> Problem | None:
    manager = v["manager_email"].lower()
    return Problem("org.own_manager") if manager and manager == v["email"].lower() else None


def _is_admin(v: dict[str, str]) -> Problem | None:
    return None if v["is_admin"].lower() in BOOLS else Problem("org.not_bool", value=repr(v["is_admin"]))


def _locale(v: dict[str, str]) -> Problem | None:
    locale = v["locale"] or "en-US"
    return None if LOCALE_RE.match(locale) else Problem("org.bad_locale", value=repr(locale))


def _matches(col: str, pattern: re.Pattern[str], key: str, *, lower: bool = False) -> Check:
    """A check of an optional cell against `pattern`; `key` names the problem (with the quoted value)."""

    def check(v: dict[str, str]) -> Problem | None:
        value = v[col].lower() if lower else v[col]
        return None if not value or pattern.match(value) else Problem(key, value=repr(v[col]))

    return check


# Every cell check, in the order a row's problems are reported.
CELL_CHECKS: list[tuple[str, Check]] = [
    ("email", _email),
    ("name", _name),
    ("manager_email", _manager),
    ("is_admin", _is_admin),
    ("locale", _locale),
    ("slack_user_id", _matches("slack_user_id", SLACK_RE, "org.bad_slack_user")),
    ("feishu_open_id", _matches("feishu_open_id", FEISHU_RE, "org.bad_feishu_user")),
    ("team", _matches("team", TEAM_RE, "org.bad_team", lower=True)),
    ("team_slack_channel", _matches("team_slack_channel", CHANNEL_RE, "org.bad_channel")),
    ("team_feishu_chat", _matches("team_feishu_chat", CHAT_RE, "org.bad_chat")),
]
UNIQUE = ("email", "slack_user_id", "feishu_open_id")  # columns no two rows may share a value of


def _cell_problems(v: dict[str, str]) -> list[tuple[str, Problem]]:
    return [(col, msg) for col, check in CELL_CHECKS if (msg := check(v)) is not None]


def _repeats(v: dict[str, str], line: int, seen: dict[str, dict[str, int]]) -> list[tuple[str, Problem]]:
    """Values of unique columns already used on an earlier line; records this line's first uses."""
    found: list[tuple[str, Problem]] = []
    for col in UNIQUE:
        key = v[col].lower() if col == "email" else v[col]
        if not key:
            continue
        if key in seen[col]:
            found.append((col, Problem("org.duplicate", value=repr(key), other=seen[col][key])))
        else:
            seen[col][key] = line
    return found


def _row(v: dict[str, str], line: int, columns: frozenset[str]) -> OrgRow:
    return OrgRow(
        line=line,
        email=v["email"].lower(),
        name=v["name"],
        team=v["team"].lower() or None,
        manager_email=v["manager_email"].lower() or None,
        slack_user_id=v["slack_user_id"] or None,
        feishu_open_id=v["feishu_open_id"] or None,
        is_admin=BOOLS.get(v["is_admin"].lower(), False),
        locale=(v["locale"] or "en-US").replace("_", "-"),
        team_name_zh=v["team_name_zh"] or None,
        team_name_en=v["team_name_en"] or None,
        team_slack_channel=v["team_slack_channel"] or None,
        team_feishu_chat=v["team_feishu_chat"] or None,
        columns=columns,
    )


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
