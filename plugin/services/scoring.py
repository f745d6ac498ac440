"""Scores for a person and quarter: stored evidence through the pure rules engine."""

from __future__ import annotations

from dataclasses import dataclass

from liumai.periods import parse_quarter
from liumai.rubric.engine import ScoreResult
from liumai.services.context import AppContext
from liumai.services.errors import InvalidInput


@dataclass(frozen=True)
class PersonQuarterScore:
    person_email: str
    person_name: str
    quarter: str
    result: ScoreResult


def resolve_quarter(ctx: AppContext, quarter: str | None) -> str:
    if quarter is None:
        return str(ctx.current_quarter())
    try:
        return str(parse_quarter(quarter, ctx.settings.fiscal_year_start_month))
    except ValueError:
        raise InvalidInput("quarter.bad", text=repr(quarter)) from None


def score_person(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> PersonQuarterScore:
    """Scores are for managers and admins (they include concerns); `viewer=None` is the operator CLI.

    The same evidence and engine as the quarterly summary, without the stories.
    """
    from liumai.services.summaries import person_summary  # summaries uses resolve_quarter from here

    s = person_summary(ctx, person, quarter, viewer=viewer)
    return PersonQuarterScore(s.email, s.name, s.quarter, s.result)
