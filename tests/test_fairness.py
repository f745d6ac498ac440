"""Fairness signals on hand-built nomination graphs: each signal fires at its threshold, not below it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liumai.services.fairness import (
    Edge,
    FairnessThresholds,
    concentrated,
    narrow_nominators,
    pairs_of,
    reciprocal,
    rings,
    signals,
    single_source,
)

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
TH = FairnessThresholds()


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def kinds(found) -> list[tuple[str, tuple[int, ...]]]:
    return [(s.kind, s.people) for s in found]


# ------------------------------------------------------------------------------- reciprocal


def test_reciprocal_pair_twice_each_way_within_the_window():
    edges = [Edge(1, 2, at(0)), Edge(2, 1, at(1)), Edge(1, 2, at(10)), Edge(2, 1, at(12))]
    pairs, times = pairs_of(edges)
    found = reciprocal(pairs, times, TH)
    assert kinds(found) == [("reciprocal", (1, 2))]
    assert found[0].counts == {"a_to_b": 2, "b_to_a": 2, "days": 30}


def test_reciprocal_exactly_at_the_window_edge_counts_and_one_second_past_does_not():
    edge = [Edge(1, 2, at(0)), Edge(2, 1, at(30)), Edge(1, 2, at(60)), Edge(2, 1, at(90))]
    pairs, times = pairs_of(edge)
    assert kinds(reciprocal(pairs, times, TH)) == [("reciprocal", (1, 2))]  # 30 days apart, each matched
    late = [Edge(1, 2, at(0)), Edge(2, 1, at(30) + timedelta(seconds=1))]
    late += [Edge(1, 2, at(100)), Edge(2, 1, at(130) + timedelta(seconds=1))]
    pairs, times = pairs_of(late)
    assert reciprocal(pairs, times, TH) == []


def test_reciprocal_once_each_way_is_below_the_minimum():
    pairs, times = pairs_of([Edge(1, 2, at(0)), Edge(2, 1, at(1)), Edge(1, 2, at(2))])
    assert reciprocal(pairs, times, TH) == []
    one = FairnessThresholds(reciprocal_min=1)
    assert kinds(reciprocal(pairs, times, one)) == [("reciprocal", (1, 2))]


def test_one_way_admiration_is_not_reciprocal():
    pairs, times = pairs_of([Edge(1, 2, at(d)) for d in range(6)])
    assert reciprocal(pairs, times, TH) == []


# ------------------------------------------------------------------------------- rings


def test_a_closed_ring_of_three_is_reported_once():
    edges = [Edge(a, b, at(i)) for i in range(2) for a, b in ((1, 2), (2, 3), (3, 1))]
    pairs, _ = pairs_of(edges)
    found = rings(pairs, TH)
    assert kinds(found) == [("ring", (1, 2, 3))]
    assert found[0].counts == {"size": 3, "min_count": 2, "share": 1.0}


def test_a_ring_with_one_weak_link_is_not_a_ring():
    edges = [Edge(a, b, at(i)) for i in range(2) for a, b in ((1, 2), (2, 3))] + [Edge(3, 1, at(0))]
    pairs, _ = pairs_of(edges)
    assert rings(pairs, TH) == []
    assert kinds(rings(pairs, FairnessThresholds(ring_min_count=1))) == [("ring", (1, 2, 3))]


def test_ring_size_is_bounded_by_the_setting():
    cycle5 = [(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)]
    pairs, _ = pairs_of([Edge(a, b, at(i)) for i in range(2) for a, b in cycle5])
    assert rings(pairs, TH) == []  # 5 people > ring_max_size 4
    assert kinds(rings(pairs, FairnessThresholds(ring_max_size=5))) == [("ring", (1, 2, 3, 4, 5))]
    cycle4 = [(4, 7), (7, 5), (5, 6), (6, 4)]
    pairs, _ = pairs_of([Edge(a, b, at(i)) for i in range(2) for a, b in cycle4])
    assert kinds(rings(pairs, TH)) == [("ring", (4, 7, 5, 6))]


# ------------------------------------------------------------------------------- single source


def test_single_source_at_exactly_the_share_and_minimum():
    # 3 of 5 accepted items from person 9: share 0.6 = threshold, total 5 >= 4
    edges = [Edge(9, 1, at(i)) for i in range(3)] + [Edge(8, 1, at(5)), Edge(7, 1, at(6))]
    pairs, _ = pairs_of(edges)
    found = single_source(pairs, TH)
    assert kinds(found) == [("single_source", (1, 9))]
    assert found[0].counts == {"from_top": 3, "total": 5, "share": 0.6}


def test_single_source_below_share_or_minimum_or_not_accepted():
    below = [Edge(9, 1, at(i)) for i in range(3)] + [Edge(n, 1, at(5)) for n in (8, 7, 6)]  # 3/6 = 0.5
    assert single_source(pairs_of(below)[0], TH) == []
    few = [Edge(9, 1, at(i)) for i in range(3)]  # 3 < single_source_min 4
    assert single_source(pairs_of(few)[0], TH) == []
    pending = [Edge(9, 1, at(i), accepted=False) for i in range(6)]
    assert single_source(pairs_of(pending)[0], TH) == []


# ------------------------------------------------------------------------------- narrow nominators

TEAMS = {1: 10, 2: 10, 3: 10, 4: 20, 5: 20}


def test_nominator_of_their_own_team_only_at_the_minimum():
    edges = [Edge(1, 2, at(i)) for i in range(3)] + [Edge(1, 3, at(i)) for i in range(2)]  # 5 nominations
    found = narrow_nominators(pairs_of(edges)[0], TEAMS, TH)
    assert kinds(found) == [("own_team_only", (1,))]
    assert found[0].team == 10 and found[0].counts == {"total": 5, "distinct": 2}
    four = edges[:-1]
    assert narrow_nominators(pairs_of(four)[0], TEAMS, TH) == []


def test_nominator_across_teams_is_not_narrow():
    edges = [Edge(1, 2, at(i)) for i in range(3)] + [Edge(1, 4, at(i)) for i in range(2)]
    assert narrow_nominators(pairs_of(edges)[0], TEAMS, TH) == []


def test_nominator_of_one_person_only():
    edges = [Edge(1, 4, at(i)) for i in range(5)]
    found = narrow_nominators(pairs_of(edges)[0], TEAMS, TH)
    assert kinds(found) == [("one_person_only", (1, 4))]
    assert narrow_nominators(pairs_of(edges[:4])[0], TEAMS, TH) == []


# ------------------------------------------------------------------------------- concentration


def test_recognition_concentrated_in_a_few_people_of_a_team():
    team = dict.fromkeys(range(1, 11), 7)  # ten people: the top 20% is two people
    edges = [Edge(20, 1, at(i)) for i in range(5)] + [Edge(21, 2, at(i)) for i in range(3)]
    edges += [Edge(22, 3, at(0)), Edge(22, 4, at(0))]  # 8 of 10 to the top two = 0.8
    found = concentrated(pairs_of(edges)[0], team, {7: 10}, TH)
    assert kinds(found) == [("concentrated", (1, 2))]
    assert found[0].counts == {"top_count": 8, "total": 10, "top_people": 2, "team_size": 10}


def test_recognition_spread_or_too_little_is_not_concentrated():
    team = dict.fromkeys(range(1, 11), 7)
    spread = [Edge(20, 1, at(i)) for i in range(5)] + [Edge(21, 2, at(i)) for i in range(2)]
    spread += [Edge(22, p, at(0)) for p in (3, 4, 5)]  # 7 of 10 < 0.8
    assert concentrated(pairs_of(spread)[0], team, {7: 10}, TH) == []
    little = [Edge(20, 1, at(i)) for i in range(9)]  # 9 < concentration_min 10
    assert concentrated(pairs_of(little)[0], team, {7: 10}, TH) == []


# ------------------------------------------------------------------------------- scope, purity


def test_scope_keeps_pairs_and_rings_inside_and_order_does_not_matter():
    edges = [Edge(1, 2, at(0)), Edge(2, 1, at(1)), Edge(1, 2, at(2)), Edge(2, 1, at(3))]
    pairs, times = pairs_of(edges)
    team_of = {1: 1, 2: 1}
    assert kinds(signals(pairs, times, team_of, TH)) == [("reciprocal", (1, 2))]
    assert signals(pairs, times, team_of, TH, scope=frozenset({1})) == []
    rev_pairs, rev_times = pairs_of(reversed(edges))
    assert signals(rev_pairs, rev_times, team_of, TH) == signals(pairs, times, team_of, TH)


def test_thresholds_come_from_the_settings():
    from liumai.config import load_settings

    s = load_settings(LIUMAI_FAIRNESS_RECIPROCAL_MIN="3", LIUMAI_FAIRNESS_CONCENTRATION_SHARE="0.9")
    th = FairnessThresholds.from_settings(s)
    assert th.reciprocal_min == 3 and th.concentration_share == 0.9 and th.ring_max_size == 4


def test_a_ring_both_ways_is_one_ring():
    both = [(1, 2), (2, 3), (3, 1), (2, 1), (3, 2), (1, 3)]
    pairs, _ = pairs_of([Edge(a, b, at(i)) for i in range(2) for a, b in both])
    assert kinds(rings(pairs, TH)) == [("ring", (1, 2, 3))]


def test_a_ring_is_closed_only_when_its_members_get_enough_from_inside():
    ring = [Edge(a, b, at(i)) for i in range(2) for a, b in ((1, 2), (2, 3), (3, 1))]
    at_edge = [*ring, Edge(9, 1, at(5)), Edge(9, 1, at(6))]  # person 1: 2 of 4 from the ring = 0.5
    found = rings(pairs_of(at_edge)[0], TH)
    assert kinds(found) == [("ring", (1, 2, 3))] and found[0].counts["share"] == 0.5
    below = [*at_edge, Edge(8, 1, at(7))]  # 2 of 5 = 0.4 < ring_share 0.5
    assert rings(pairs_of(below)[0], TH) == []
    assert kinds(rings(pairs_of(below)[0], FairnessThresholds(ring_share=0.4))) == [("ring", (1, 2, 3))]


def test_the_one_person_recognised_is_named_only_inside_the_scope():
    edges = [Edge(1, 4, at(i)) for i in range(5)]
    pairs, times = pairs_of(edges)
    inside = signals(pairs, times, TEAMS, TH, scope=frozenset({1, 4}))
    assert kinds(inside) == [("single_source", (4, 1)), ("one_person_only", (1, 4))]
    outside = signals(pairs, times, TEAMS, TH, scope=frozenset({1}))
    assert kinds(outside) == [("one_person_only", (1,))] and outside[0].counts["outside_scope"] == 1
