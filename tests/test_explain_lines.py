"""`score_lines`: the per-person explanation, with and without the pending comparison."""

from __future__ import annotations

from liumai.reports.explain import score_lines
from liumai.rubric import default_rubric
from liumai.rubric.engine import ACCEPTED, PENDING, EvidenceItem, score

R = default_rubric()
ITEMS = [
    EvidenceItem(id=1, criterion="teamwork.1", polarity="conforming", nominator="a", status=ACCEPTED),
    EvidenceItem(id=2, criterion="teamwork.3", polarity="conforming", nominator="b", status=PENDING),
]


def test_score_lines_without_pending_uses_its_default():
    """The default `with_pending=None` used to raise AttributeError on the first value."""
    res = score(R, ITEMS)
    for lang in ("en", "zh"):
        lines = score_lines(res.accepted, R, lang)
        assert len([ln for ln in lines if not ln.startswith(" ")]) == len(R.values)
        assert not any("pending" in ln or "待审" in ln for ln in lines)


def test_score_lines_names_the_score_with_pending_only_where_it_differs():
    res = score(R, ITEMS)
    assert res.with_pending.values["teamwork"].score != res.accepted.values["teamwork"].score
    en = score_lines(res.accepted, R, "en", with_pending=res.with_pending)
    zh = score_lines(res.accepted, R, "zh", with_pending=res.with_pending)
    assert sum("(with pending: " in ln for ln in en) == 1
    assert sum("(含待审核: " in ln for ln in zh) == 1  # the glossary's word for pending
