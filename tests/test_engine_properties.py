"""Properties of the rules engine, checked with hypothesis over random evidence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from liumai.rubric.engine import ACCEPTED, EvidenceItem, score
from tests.engine_strategies import IDS, R2, R, items_st, rubrics  # noqa: F401 - shared strategies


def scores_of(rubric, items):
    res = score(rubric, items)
    return res.accepted.total, {k: v.score for k, v in res.accepted.values.items()}, res


@settings(max_examples=300, deadline=None)
@given(rubrics, items_st, st.randoms(use_true_random=False))
def test_order_invariance(rubric, items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert score(rubric, items) == score(rubric, shuffled)


@settings(max_examples=300, deadline=None)
@given(rubrics, items_st)
def test_bounds_and_half_steps(rubric, items):
    res = score(rubric, items)
    for view in (res.accepted, res.with_pending):
        assert 0 <= view.total <= 30
        assert view.total == sum(v.score for v in view.values.values())
        for v in view.values.values():
            assert 0 <= v.score <= 5
            assert (v.score * 2) == int(v.score * 2)  # steps of 0.5


@settings(max_examples=300, deadline=None)
@given(rubrics, items_st, st.sampled_from(IDS), st.sampled_from(["a", "b", "z"]))
def test_adding_accepted_conforming_never_lowers(rubric, items, crit, who):
    before_total, before, _ = scores_of(rubric, items)
    more = [*items, EvidenceItem(10_000, crit, "conforming", who, ACCEPTED, False)]
    after_total, after, _ = scores_of(rubric, more)
    assert after_total >= before_total
    assert all(after[k] >= before[k] for k in before)


@settings(max_examples=300, deadline=None)
@given(rubrics, items_st, st.sampled_from(IDS), st.booleans())
def test_adding_non_conforming_never_raises(rubric, items, crit, mitigated):
    before_total, before, _ = scores_of(rubric, items)
    more = [*items, EvidenceItem(10_000, crit, "non_conforming", "m", ACCEPTED, mitigated)]
    after_total, after, _ = scores_of(rubric, more)
    assert after_total <= before_total
    assert all(after[k] <= before[k] for k in before)


@settings(max_examples=200, deadline=None)
@given(rubrics, items_st)
def test_pending_view_never_below_accepted_for_conforming_only(rubric, items):
    conforming = [e for e in items if e.polarity == "conforming"]
    res = score(rubric, conforming)
    assert res.with_pending.total >= res.accepted.total


@settings(max_examples=200, deadline=None)
@given(rubrics, items_st)
def test_determinism(rubric, items):
    assert score(rubric, items) == score(rubric, list(items))
    assert repr(score(rubric, items)) == repr(score(rubric, items))
