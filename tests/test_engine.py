"""The rules engine against hand-worked cases, one per rule, on the real six-values rubric."""

from __future__ import annotations

import pytest

from liumai.rubric import default_rubric
from liumai.rubric.engine import ACCEPTED, PENDING, REJECTED, EvidenceItem, Outcome, Reason, score
from liumai.rubric.model import Policy

C, N = "conforming", "non_conforming"
R = default_rubric()
R2 = R.model_copy(update={"policy": Policy(min_distinct_nominators=2)})


def ev(i, crit, pol=C, who="a", status=ACCEPTED, mitigated=False):
    return EvidenceItem(id=i, criterion=crit, polarity=pol, nominator=who, status=status, mitigated=mitigated)


def vscore(items, value, rubric=R):
    return score(rubric, items).accepted.values[value]


# (name, items, value, expected score, expected stop level)
CASES = [
    # Nothing at all: default-pass levels 1-2 of customer_first? cf.1 DP, cf.2 ER -> 1.
    ("empty customer_first: cf.1 passes by default, cf.2 needs evidence", [], "customer_first", 1, 2),
    ("empty teamwork: tw.1, tw.2 default-pass, tw.3 needs evidence", [], "teamwork", 2, 3),
    ("tw.3 with one conforming case climbs to tw.4", [ev(1, "teamwork.3")], "teamwork", 3, 4),
    (
        "tw.3 and tw.4 conforming; tw.5 needs both: no conforming case -> stops at 5",
        [ev(1, "teamwork.3"), ev(2, "teamwork.4")],
        "teamwork",
        4,
        5,
    ),
    (
        "tw.5 both: conforming and no non-conforming -> 5",
        [ev(1, "teamwork.3"), ev(2, "teamwork.4"), ev(3, "teamwork.5")],
        "teamwork",
        5,
        None,
    ),
    (
        "tw.5 both: conforming but a non-conforming case -> 4",
        [ev(1, "teamwork.3"), ev(2, "teamwork.4"), ev(3, "teamwork.5"), ev(4, "teamwork.5", N, "m")],
        "teamwork",
        4,
        5,
    ),
    (
        "tw.5 both: mitigated non-conforming does not help (no half point on tw.5)",
        [ev(1, "teamwork.3"), ev(2, "teamwork.4"), ev(3, "teamwork.5"), ev(4, "teamwork.5", N, "m", mitigated=True)],
        "teamwork",
        4,
        5,
    ),
    ("tw.1 default-pass broken by a non-conforming case -> 0", [ev(1, "teamwork.1", N, "m")], "teamwork", 0, 1),
    (
        "progressive: a higher level's evidence cannot skip a failed lower level",
        [ev(1, "teamwork.1", N, "m"), ev(2, "teamwork.3"), ev(3, "teamwork.4")],
        "teamwork",
        0,
        1,
    ),
    (
        "cf.1 half point: only mitigated non-conforming cases -> 0.5 and the climb ends",
        [ev(1, "customer_first.1", N, "m", mitigated=True), ev(2, "customer_first.2")],
        "customer_first",
        0.5,
        1,
    ),
    (
        "cf.1 with one mitigated and one unmitigated case -> 0",
        [ev(1, "customer_first.1", N, "m", mitigated=True), ev(2, "customer_first.1", N, "m")],
        "customer_first",
        0,
        1,
    ),
    ("cf.1 unmitigated -> 0", [ev(1, "customer_first.1", N, "m")], "customer_first", 0, 1),
    (
        "cf.2 evidence-required: a non-conforming case alone does not fail it when conforming exists",
        [ev(1, "customer_first.2"), ev(2, "customer_first.2", N, "m")],
        "customer_first",
        2,
        3,
    ),
    (
        "cf.4 default-pass (source) after cf.3: climbs to cf.5",
        [ev(1, "customer_first.2"), ev(2, "customer_first.3")],
        "customer_first",
        4,
        5,
    ),
    ("full customer_first", [ev(i, f"customer_first.{i}") for i in (2, 3, 5)], "customer_first", 5, None),
    ("pending evidence does not count", [ev(1, "teamwork.3", status=PENDING)], "teamwork", 2, 3),
    (
        "rejected evidence does not count, not even a non-conforming case",
        [ev(1, "teamwork.1", N, "m", status=REJECTED)],
        "teamwork",
        2,
        3,
    ),
]


@pytest.mark.parametrize(("name", "items", "value", "expected", "stop"), CASES, ids=[c[0] for c in CASES])
def test_hand_worked(name, items, value, expected, stop):
    vs = vscore(items, value)
    assert vs.score == expected
    assert vs.stopped_at == stop


def test_min_distinct_nominators_two_needs_two_people():
    one = [ev(1, "teamwork.3", who="a"), ev(2, "teamwork.3", who="a")]
    two = [ev(1, "teamwork.3", who="a"), ev(2, "teamwork.3", who="b")]
    assert vscore(one, "teamwork", R).score == 3  # policy 1: one person is enough
    vs1 = vscore(one, "teamwork", R2)
    assert vs1.score == 2
    stop = vs1.stop
    assert stop.reasons == (Reason.TOO_FEW_NOMINATORS,)
    assert stop.distinct_nominators == 1 and stop.required_nominators == 2 and stop.more_nominators_needed == 1
    assert vscore(two, "teamwork", R2).score == 3


def test_both_rule_with_two_nominators_policy():
    base = [
        ev(1, "teamwork.3", who="a"),
        ev(2, "teamwork.3", who="b"),
        ev(3, "teamwork.4", who="a"),
        ev(4, "teamwork.4", who="b"),
    ]
    assert vscore([*base, ev(5, "teamwork.5", who="a")], "teamwork", R2).score == 4
    assert vscore([*base, ev(5, "teamwork.5", who="a"), ev(6, "teamwork.5", who="c")], "teamwork", R2).score == 5


def test_half_point_needs_the_rest_of_the_rule_to_pass():
    # cf.1 is default-pass so only non-conforming cases matter: all mitigated -> HALF.
    vs = vscore([ev(9, "customer_first.1", N, "m", mitigated=True)], "customer_first")
    t = vs.levels[0]
    assert t.outcome is Outcome.HALF and t.points == 0.5
    assert Reason.ONLY_MITIGATED in t.reasons
    assert all(x.outcome is Outcome.NOT_REACHED for x in vs.levels[1:])


def test_pending_view_shows_what_pending_evidence_would_give():
    res = score(R, [ev(1, "teamwork.3"), ev(2, "teamwork.4", status=PENDING), ev(3, "teamwork.5", status=PENDING)])
    assert res.accepted.values["teamwork"].score == 3
    assert res.with_pending.values["teamwork"].score == 5
    assert res.with_pending.total - res.accepted.total == 2


def test_trace_names_the_evidence_and_the_stop():
    res = score(R, [ev(7, "teamwork.3", who="x"), ev(3, "teamwork.3", who="y"), ev(5, "teamwork.1", N, "m")])
    tw = res.accepted.values["teamwork"]
    assert tw.levels[0].non_conforming_ids == (5,)
    assert tw.levels[0].blocking_ids == (5,)
    assert tw.levels[0].reasons == (Reason.NON_CONFORMING,)
    assert tw.levels[2].outcome is Outcome.NOT_REACHED  # tw.3's evidence is not used
    res2 = score(R, [ev(7, "teamwork.3", who="x"), ev(3, "teamwork.3", who="y")])
    t3 = res2.accepted.values["teamwork"].levels[2]
    assert t3.conforming_ids == (3, 7) and t3.distinct_nominators == 2
    assert t3.reasons == (Reason.ENOUGH_CONFORMING,)


def test_totals_and_bounds_for_empty_evidence():
    res = score(R, [])
    # Default-pass levels give points with no evidence: cf 1, tw 2, ec 2, integrity 2, passion 2, dedication 2.
    assert res.accepted.total == 11
    assert res.accepted.max_total == 30


def test_unknown_criteria_are_ignored_and_reported():
    res = score(R, [ev(1, "teamwork.9"), ev(2, "leadership.1")])
    assert res.accepted.ignored_ids == (1, 2)
    assert res.accepted.total == score(R, []).accepted.total


def test_non_progressive_policy_counts_each_level():
    flat = R.model_copy(update={"policy": Policy(progressive=False)})
    items = [ev(1, "teamwork.1", N, "m"), ev(2, "teamwork.3"), ev(3, "teamwork.4")]
    assert vscore(items, "teamwork", flat).score == 3  # tw.2, tw.3, tw.4
    assert vscore(items, "teamwork", R).score == 0
