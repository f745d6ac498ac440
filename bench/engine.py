"""Scoring throughput on 1,000,000 synthetic evidence items, as ratios against a floor.

Everything is measured side by side in this one run (best of several repeats), so the ratios
hold on any machine: the floors are bare passes over the very same items, and the engine is
run (a) once over all items, as one very busy person, and (b) per person over 10,000 people
with 100 items each, the shape of a company-wide quarterly roll-up.

    python bench/engine.py [--items 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Callable

from liumai.rubric import default_rubric
from liumai.rubric.engine import EvidenceItem, score


def make_items(n: int, people: int, seed: int = 7) -> tuple[list[EvidenceItem], list[int]]:
    rnd = random.Random(seed)
    ids = sorted(default_rubric().criterion_ids)
    statuses = ["accepted"] * 6 + ["pending"] * 3 + ["rejected"]
    return [
        EvidenceItem(
            id=i,
            criterion=rnd.choice(ids),
            polarity="conforming" if rnd.random() < 0.9 else "non_conforming",
            nominator=f"u{rnd.randrange(200)}",
            status=rnd.choice(statuses),
            mitigated=rnd.random() < 0.3,
        )
        for i in range(n)
    ], [i % people for i in range(n)]


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rubric = default_rubric()
    items, owners = make_items(args.items, args.people)
    by_person: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item, owner in zip(items, owners, strict=True):
        by_person[owner].append(item)
    groups = list(by_person.values())

    def floor_empty() -> None:
        for _e in items:
            pass

    def floor_read() -> None:
        for e in items:
            _ = (e.status, e.criterion, e.polarity, e.nominator)

    def engine_one() -> None:
        score(rubric, items)

    def engine_people() -> None:
        for g in groups:
            score(rubric, g)

    t_empty = best(floor_empty, args.repeat)
    t_read = best(floor_read, args.repeat)
    t_one = best(engine_one, args.repeat)
    t_people = best(engine_people, max(1, args.repeat // 2))
    n = len(items)
    print(f"items: {n:,}  (best of {args.repeat})")
    print(f"floor, bare pass              : {t_empty * 1e3:8.1f} ms  {t_empty / n * 1e9:6.1f} ns/item")
    print(f"floor, pass reading 4 fields  : {t_read * 1e3:8.1f} ms  {t_read / n * 1e9:6.1f} ns/item")
    print(
        f"engine, one person, all items : {t_one * 1e3:8.1f} ms  {t_one / n * 1e9:6.1f} ns/item"
        f"  = {t_one / t_empty:4.1f}x bare pass, {t_one / t_read:4.1f}x reading pass"
    )
    print(
        f"engine, {len(groups):,} people x {n // len(groups)} items: {t_people * 1e3:8.1f} ms"
        f"  {t_people / n * 1e9:6.1f} ns/item  = {t_people / t_empty:4.1f}x bare pass,"
        f" {t_people / t_read:4.1f}x reading pass"
    )


if __name__ == "__main__":
    main()
