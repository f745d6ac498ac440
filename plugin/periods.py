"""Quarters and ISO weeks in the configured time zone (with an optional fiscal-year offset)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_Q_RE = re.compile(r"^(\d{4})Q([1-4])$")
_W_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Quarter:
    """A quarter label such as 2026Q4; with a fiscal offset, FY quarters start in another month."""

    year: int
    q: int
    start_month: int = 1  # first month of the fiscal year

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    def first_day(self) -> date:
        # Fiscal year Y starting in month m begins on (Y-1)-m-01 when m > 1 (FY named by its end).
        months = (self.start_month - 1) + 3 * (self.q - 1)
        year = self.year - (1 if self.start_month > 1 else 0)
        year += months // 12
        return date(year, months % 12 + 1, 1)

    def next(self) -> Quarter:
        return Quarter(self.year + (self.q == 4), self.q % 4 + 1, self.start_month)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes."""
        start = datetime.combine(self.first_day(), time(0), tz)
        end = datetime.combine(self.next().first_day(), time(0), tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_quarter(text: str, start_month: int = 1) -> Quarter:
    m = _Q_RE.match(text.strip().upper())
    if not m:
        raise ValueError(f"not a quarter: {text!r} (expected e.g. 2026Q4)")
    return Quarter(int(m.group(1)), int(m.group(2)), start_month)


def quarter_of(moment: datetime, tz: ZoneInfo, start_month: int = 1) -> Quarter:
    local = moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=UTC).astimezone(tz)
    offset = (local.month - start_month) % 12
    fy = local.year + (1 if start_month > 1 and local.month >= start_month else 0)
    return Quarter(fy, offset // 3 + 1, start_month)


def week_of(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    y, w, _ = local.isocalendar()
    return f"{y}-W{w:02d}"


def parse_week(text: str) -> tuple[int, int]:
    m = _W_RE.match(text.strip().upper())
    if not m or not 1 <= int(m.group(2)) <= 53:
        raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W48)")
    y, w = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(y, w, 1)
    except ValueError:
        raise ValueError(f"{text}: year {y} has no week {w}") from None
    return y, w


def week_bounds(text: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    y, w = parse_week(text)
    start = datetime.combine(date.fromisocalendar(y, w, 1), time(0), tz)
    return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)
