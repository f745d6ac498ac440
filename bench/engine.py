"""Scoring throughput on 1,000,000 synthetic evidence items, as ratios against a floor.

Everything is measured side by side in this one run (best of several repeats), so the ratios
hold on any machine, even a loaded one: the floors are bare passes over the very same items,
and the engine is run (a) once over all items, as one very busy person, and (b) over 10,000
people with 100 items each, the shape of a company-wide quarterly roll-up, both with
`score_many` (one compiled plan, one pass over the items grouped by person) and with the
per-person loop of `score` it replaces.

The items are laid out grouped by person, as a query ordered by person returns them;
`--interleaved` strews each person's items over the whole list instead (owner = item % people),
which makes every per-person read a cache miss and shows what that layout costs.

    python bench/engine.py [--items 1000000] [--people 10000] [--repeat 5] [--interleaved]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Callable

from liumai.rubric import default_rubric
from liumai.rubric.engine import EvidenceItem, ScoringPlan, score, score_many


def make_items(n: int, people: int, seed: int = 7, interleaved: bool = False) -> tuple[list[EvidenceItem], list[int]]:
    rnd = random.Random(seed)
    ids = sorted(default_rubric().criterion_ids)
    statuses = ["accepted"] * 6 + ["pending"] * 3 + ["rejected"]
    items = [
        EvidenceItem(
            id=i,
            criterion=rnd.choice(ids),
            polarity="conforming" if rnd.random() < 0.9 else "non_conforming",
            nominator=f"u{rnd.randrange(200)}",
            status=rnd.choice(statuses),
            mitigated=rnd.random() < 0.3,
        )
        for i in range(n)
    ]
    owners = [i % people for i in range(n)] if interleaved else [i * people // n for i in range(n)]
    return items, owners


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best CPU time of `repeat` runs: on a shared, loaded machine wall time mostly measures the
    other processes (a 2-core box at load 7 doubled the floor between two runs)."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--interleaved", action="store_true")
    args = ap.parse_args()
    rubric = default_rubric()
    items, owners = make_items(args.items, args.people, interleaved=args.interleaved)
    by_person: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item, owner in zip(items, owners, strict=True):
        by_person[owner].append(item)

    def floor_empty() -> None:
        for _e in items:
            pass

    def floor_read() -> None:
        for e in items:
            _ = (e.status, e.criterion, e.polarity, e.nominator)

    def engine_one() -> None:
        score(rubric, items)

    def engine_many() -> None:
        score_many(ScoringPlan.compile(rubric), by_person)  # compiling is part of the pass

    def engine_loop() -> None:
        {k: score(rubric, g) for k, g in by_person.items()}  # kept, as score_many keeps them

    t_empty = best(floor_empty, args.repeat)
    t_read = best(floor_read, args.repeat)
    t_one = best(engine_one, args.repeat)
    t_many = best(engine_many, args.repeat)
    t_loop = best(engine_loop, args.repeat)
    n = len(items)
    layout = "interleaved" if args.interleaved else "grouped by person"
    print(f"items: {n:,}, {layout}  (best CPU time of {args.repeat})")
    print(f"floor, bare pass              : {t_empty * 1e3:8.1f} ms  {t_empty / n * 1e9:6.1f} ns/item")
    print(f"floor, pass reading 4 fields  : {t_read * 1e3:8.1f} ms  {t_read / n * 1e9:6.1f} ns/item")
    shape = f"{len(by_person):,} people x {n // len(by_person)}"
    for label, t in (
        ("one person x all items, score  ", t_one),
        (f"{shape}, score_many", t_many),
        (f"{shape}, score loop", t_loop),
    ):
        print(
            f"{label}: {t * 1e3:8.1f} ms  {t / n * 1e9:6.1f} ns/item"
            f"  = {t / t_empty:5.1f}x bare pass, {t / t_read:4.1f}x reading pass"
        )


if __name__ == "__main__":
    main()
