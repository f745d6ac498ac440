"""Which quarter a request means: the one shared rule for scoring, summaries and recognition views."""

from __future__ import annotations

from liumai.periods import parse_quarter
from liumai.services.context import AppContext
from liumai.services.errors import InvalidInput


def resolve_quarter(ctx: AppContext, quarter: str | None) -> str:
    """The current fiscal quarter when none is given; a bad label is the user's error, not a crash."""
    if quarter is None:
        return str(ctx.current_quarter())
    try:
        return str(parse_quarter(quarter, ctx.settings.fiscal_year_start_month))
    except ValueError:
        raise InvalidInput("quarter.bad", text=repr(quarter)) from None
