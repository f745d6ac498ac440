"""Scores for a person and quarter: stored evidence through the pure rules engine."""

from __future__ import annotations

from dataclasses import dataclass

from liumai.rubric.engine import ScoreResult
from liumai.services.context import AppContext
from liumai.services.quarters import resolve_quarter
from liumai.services.summaries import person_summary

__all__ = ["PersonQuarterScore", "resolve_quarter", "score_person"]  # resolve_quarter: older import path


@dataclass(frozen=True)
class PersonQuarterScore:
    person_email: str
    person_name: str
    quarter: str
    result: ScoreResult


def score_person(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> PersonQuarterScore:
    """Scores are for managers and admins (they include concerns); `viewer=None` is the operator CLI.

    The same evidence and engine as the quarterly summary, without the stories.
    """
    s = person_summary(ctx, person, quarter, viewer=viewer)
    return PersonQuarterScore(s.email, s.name, s.quarter, s.result)
