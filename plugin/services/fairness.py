"""Fairness signals over who nominated whom: shown to the people who decide, never scored.

Pure functions of the nomination graph and thresholds (no I/O, no clock), like the engine: the
same edges in any order give the same signals. A signal is a prompt to look, explained in plain
words with the counts behind it; it never changes a score. The policy lever for "recognition from
one colleague is not enough" stays the rubric's `min_distinct_nominators`, applied by the engine.

Signals (thresholds are settings, `FairnessThresholds.from_settings`):
- reciprocal: A and B nominated each other, each at least `reciprocal_min` times within
  `reciprocal_window_days` of a nomination the other way;
- ring: a closed cycle of 3..`ring_max_size` people, each nominating the next at least
  `ring_min_count` times, each member getting at least `ring_share` of their nominations from
  the others in the ring;
- single_source: at least `single_source_share` of a person's accepted recognition (at least
  `single_source_min` items) comes from one nominator;
- own_team_only / one_person_only: a nominator with at least `narrow_min` nominations who
  recognised only their own team, or only one person;
- concentrated: in a team with at least `concentration_min` accepted items, the top
  `concentration_top` share of its people (at least one) received at least
  `concentration_share` of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

KINDS = ("reciprocal", "ring", "single_source", "own_team_only", "one_person_only", "concentrated")


@dataclass(frozen=True)
class FairnessThresholds:
    reciprocal_min: int = 2
    reciprocal_window_days: int = 30
    ring_max_size: int = 4
    ring_min_count: int = 2
    ring_share: float = 0.5
    single_source_share: float = 0.6
    single_source_min: int = 4
    narrow_min: int = 5
    concentration_share: float = 0.8
    concentration_top: float = 0.2
    concentration_min: int = 10

    @classmethod
    def from_settings(cls, s: Any) -> FairnessThresholds:
        """The thresholds from `liumai.config.Settings` (fields named `fairness_<threshold>`)."""
        return cls(**{f: getattr(s, f"fairness_{f}") for f in cls.__dataclass_fields__})


class Edge(NamedTuple):
    """One confirmed nomination: who recognised whom, when, and whether a manager accepted it."""

    nominator: int
    nominee: int
    at: datetime
    accepted: bool = True


class Pair(NamedTuple):
    """All nominations from one person to another in the period (what the database aggregates)."""

    nominator: int
    nominee: int
    n: int  # nominations (NamedTuple's `count` is taken)
    accepted: int


@dataclass(frozen=True)
class Signal:
    kind: str  # one of KINDS
    people: tuple[int, ...]  # who it is about, in the order the explanation names them
    team: int | None = None
    counts: dict[str, float] = field(default_factory=dict)  # the numbers behind it

    def involves(self, person: int) -> bool:
        return person in self.people


def pairs_of(edges: Iterable[Edge]) -> tuple[list[Pair], dict[tuple[int, int], list[datetime]]]:
    """Aggregate edges into pairs, with the nomination times of every pair (for hand-built graphs)."""
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    times: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for e in edges:
        if e.nominator == e.nominee:
            continue
        c = counts[(e.nominator, e.nominee)]
        c[0] += 1
        c[1] += int(e.accepted)
        times[(e.nominator, e.nominee)].append(e.at)
    return [Pair(a, b, n, acc) for (a, b), (n, acc) in sorted(counts.items())], dict(times)


def reciprocal_candidates(pairs: Iterable[Pair], th: FairnessThresholds) -> set[tuple[int, int]]:
    """The directed pairs whose times the reciprocal check needs (both ways often enough)."""
    strong = {(p.nominator, p.nominee) for p in pairs if p.n >= th.reciprocal_min}
    return {(a, b) for a, b in strong if (b, a) in strong}


def _matched(mine: Sequence[datetime], theirs: Sequence[datetime], window: timedelta) -> int:
    """How many of `mine` have a nomination the other way within `window` (either side)."""
    other = sorted(theirs)
    n = 0
    for t in mine:
        if any(abs(t - u) <= window for u in other):
            n += 1
    return n


def reciprocal(
    pairs: Sequence[Pair], times: Mapping[tuple[int, int], Sequence[datetime]], th: FairnessThresholds
) -> list[Signal]:
    window = timedelta(days=th.reciprocal_window_days)
    out = []
    for a, b in sorted(reciprocal_candidates(pairs, th)):
        if a > b:
            continue
        ab = _matched(times.get((a, b), ()), times.get((b, a), ()), window)
        ba = _matched(times.get((b, a), ()), times.get((a, b), ()), window)
        if min(ab, ba) >= th.reciprocal_min:
            out.append(
                Signal("reciprocal", (a, b), counts={"a_to_b": ab, "b_to_a": ba, "days": th.reciprocal_window_days})
            )
    return out


def _received(pairs: Sequence[Pair]) -> dict[int, int]:
    got: dict[int, int] = defaultdict(int)
    for p in pairs:
        got[p.nominee] += p.n
    return got


def rings(pairs: Sequence[Pair], th: FairnessThresholds) -> list[Signal]:
    """Closed rings: 3..ring_max_size people in a directed cycle, each link nominated at least
    ring_min_count times, and each member receiving at least ring_share of their nominations
    from the others in the ring (a ring inside a team that recognises everyone is not closed).

    Each group of people is reported once (both directions of a ring are one ring), found by a
    depth-first walk from its smallest id over larger ids only. Only people who could be closed
    (their largest ring_max_size - 1 sources reach the share) and strong links are walked, so
    dense teams cost little.
    """
    received = _received(pairs)
    incoming: dict[int, list[int]] = defaultdict(list)
    count: dict[tuple[int, int], int] = {}
    for p in pairs:
        if p.nominator != p.nominee:
            incoming[p.nominee].append(p.n)
            count[(p.nominator, p.nominee)] = p.n
    eligible = {
        m
        for m, ns in incoming.items()
        if sum(sorted(ns, reverse=True)[: th.ring_max_size - 1]) >= th.ring_share * received[m]
    }
    out_edges: dict[int, list[int]] = defaultdict(list)
    for p in pairs:
        if p.n >= th.ring_min_count and p.nominator in eligible and p.nominee in eligible:
            out_edges[p.nominator].append(p.nominee)
    for targets in out_edges.values():
        targets.sort()
    found: list[Signal] = []
    seen: set[frozenset[int]] = set()

    def closed(path: list[int]) -> float | None:
        shares = [sum(count.get((o, m), 0) for o in path if o != m) / received[m] for m in path]
        return min(shares) if min(shares) >= th.ring_share else None

    def walk(path: list[int]) -> None:
        start, last = path[0], path[-1]
        for nxt in out_edges.get(last, ()):
            if nxt == start and len(path) >= 3 and frozenset(path) not in seen:
                share = closed(path)
                if share is not None:
                    seen.add(frozenset(path))
                    links = [count[(path[i], path[(i + 1) % len(path)])] for i in range(len(path))]
                    counts = {"size": len(path), "min_count": min(links), "share": round(share, 2)}
                    found.append(Signal("ring", tuple(path), counts=counts))
            elif nxt > start and nxt not in path and len(path) < th.ring_max_size:
                walk([*path, nxt])

    for start in sorted(out_edges):
        walk([start])
    return found


def single_source(pairs: Sequence[Pair], th: FairnessThresholds) -> list[Signal]:
    received: dict[int, list[Pair]] = defaultdict(list)
    for p in pairs:
        if p.accepted:
            received[p.nominee].append(p)
    out = []
    for person in sorted(received):
        got = received[person]
        total = sum(p.accepted for p in got)
        top = max(got, key=lambda p: (p.accepted, -p.nominator))
        if total >= th.single_source_min and top.accepted >= th.single_source_share * total:
            out.append(
                Signal(
                    "single_source",
                    (person, top.nominator),
                    counts={"from_top": top.accepted, "total": total, "share": round(top.accepted / total, 2)},
                )
            )
    return out


def narrow_nominators(pairs: Sequence[Pair], team_of: Mapping[int, int | None], th: FairnessThresholds) -> list[Signal]:
    given: dict[int, list[Pair]] = defaultdict(list)
    for p in pairs:
        given[p.nominator].append(p)
    out = []
    for person in sorted(given):
        mine = given[person]
        total = sum(p.n for p in mine)
        if total < th.narrow_min:
            continue
        if len(mine) == 1:
            out.append(Signal("one_person_only", (person, mine[0].nominee), counts={"total": total}))
            continue
        team = team_of.get(person)
        if team is not None and all(team_of.get(p.nominee) == team for p in mine):
            out.append(Signal("own_team_only", (person,), team=team, counts={"total": total, "distinct": len(mine)}))
    return out


def concentrated(
    pairs: Sequence[Pair], team_of: Mapping[int, int | None], team_sizes: Mapping[int, int], th: FairnessThresholds
) -> list[Signal]:
    received: dict[int, int] = defaultdict(int)
    for p in pairs:
        received[p.nominee] += p.accepted
    by_team: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for person, n in received.items():
        team = team_of.get(person)
        if team is not None and n:
            by_team[team].append((n, person))
    out = []
    for team in sorted(by_team):
        got = sorted(by_team[team], key=lambda x: (-x[0], x[1]))
        total = sum(n for n, _ in got)
        size = max(team_sizes.get(team, len(got)), len(got))
        top = max(1, math.floor(size * th.concentration_top))
        if top >= size or total < th.concentration_min:
            continue
        top_n = sum(n for n, _ in got[:top])
        if top_n >= th.concentration_share * total:
            out.append(
                Signal(
                    "concentrated",
                    tuple(p for _, p in got[:top]),
                    team=team,
                    counts={"top_count": top_n, "total": total, "top_people": top, "team_size": size},
                )
            )
    return out


def signals(
    pairs: Sequence[Pair],
    times: Mapping[tuple[int, int], Sequence[datetime]],
    team_of: Mapping[int, int | None],
    th: FairnessThresholds,
    *,
    scope: frozenset[int] | None = None,
    team_sizes: Mapping[int, int] | None = None,
) -> list[Signal]:
    """Every signal about `scope` (None: everyone in the pairs).

    Signals about recipients (reciprocal, ring, single source, concentration) read only pairs whose
    nominee is in scope, and a pair or ring needs everyone in it in scope; nominator signals
    (own team only, one person only) read all the nominations of a nominator in scope.
    """
    inside = list(pairs) if scope is None else [p for p in pairs if p.nominee in scope]
    givers = inside if scope is None else [p for p in pairs if p.nominator in scope]
    both = inside if scope is None else [p for p in inside if p.nominator in scope]
    sizes = team_sizes if team_sizes is not None else _sizes(team_of, scope)
    narrow = narrow_nominators(givers, team_of, th)
    if scope is not None:  # the one person recognised is named only when the reader may see them
        narrow = [_unnamed(x) if len(x.people) > 1 and x.people[1] not in scope else x for x in narrow]
    return [
        *reciprocal(both, times, th),
        *rings(both, th),
        *single_source(inside, th),
        *narrow,
        *concentrated(inside, team_of, sizes, th),
    ]


def _unnamed(x: Signal) -> Signal:
    return Signal(x.kind, x.people[:1], x.team, {**x.counts, "outside_scope": 1})


def _sizes(team_of: Mapping[int, int | None], scope: frozenset[int] | None) -> dict[int, int]:
    sizes: dict[int, int] = defaultdict(int)
    for person, team in team_of.items():
        if team is not None and (scope is None or person in scope):
            sizes[team] += 1
    return dict(sizes)


__all__ = [
    "KINDS",
    "Edge",
    "FairnessThresholds",
    "Pair",
    "Signal",
    "pairs_of",
    "reciprocal",
    "reciprocal_candidates",
    "rings",
    "signals",
]
