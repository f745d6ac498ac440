"""The words after `/values summary|team|digest`, shared by every chat platform.

Both adapters accept the same forgiving grammar - a quarter (`2026Q4`, `2026-q4`), an ISO week
(`2026-W47`, `2026w7`), `preview`/`预览`, `all`/`全部`, and other words such as a team key - so it
is parsed once, here. Mentions are platform syntax and stay with each adapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from liumai.periods import parse_quarter, parse_week, week_bounds

QUARTER_RE = re.compile(r"^(\d{4})-?[qQ](\d{1,2})$")
WEEK_RE = re.compile(r"^(\d{4})-?[wW](\d{1,2})$")
PREVIEW = {"preview", "预览", "dry-run", "--dry-run", "dryrun"}
SUBTREE = {"all", "subtree", "全部", "--subtree"}


@dataclass(frozen=True)
class ReportArgs:
    """What the words mean; `bad` names the first quarter or week that looked like one but is not."""

    quarter: str | None = None
    week: str | None = None
    preview: bool = False
    subtree: bool = False
    words: tuple[str, ...] = ()  # anything else, lower-cased (e.g. a team key)
    bad: tuple[str, str] | None = None  # (message key "args.quarter" | "args.week", the word)


def parse_report_words(words: Iterable[str], *, fiscal_start: int = 1, tz: ZoneInfo | None = None) -> ReportArgs:
    quarter = week = None
    preview = subtree = False
    rest: list[str] = []
    bad: tuple[str, str] | None = None
    for raw in words:
        low = raw.lower()
        if m := QUARTER_RE.match(raw):
            label = f"{m.group(1)}Q{int(m.group(2))}"
            try:
                q = parse_quarter(label, fiscal_start)
                if tz is not None:
                    q.bounds(tz)  # year 0000 or 9999Q4 has no calendar dates
                quarter = str(q)
            except ValueError:
                bad = bad or ("args.quarter", raw)
        elif m := WEEK_RE.match(raw):
            label = f"{m.group(1)}-W{int(m.group(2)):02d}"
            try:
                parse_week(label)
                if tz is not None:
                    week_bounds(label, tz)
                week = label
            except (ValueError, OverflowError):
                bad = bad or ("args.week", raw)
        elif low in PREVIEW:
            preview = True
        elif low in SUBTREE:
            subtree = True
        else:
            rest.append(low)
    return ReportArgs(quarter, week, preview, subtree, tuple(rest), bad)
