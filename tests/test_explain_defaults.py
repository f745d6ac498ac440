"""`score_lines` with its default `with_pending=None` (found by mypy: it dereferenced the None)."""

from __future__ import annotations

from liumai.reports.explain import score_lines
from liumai.rubric.engine import score


def test_score_lines_without_pending_scores(rubric) -> None:
    result = score(rubric, [])
    for lang in ("en", "zh"):
        lines = score_lines(result.accepted, rubric, lang)
        assert lines and not any("pending" in line or "待审" in line for line in lines)
