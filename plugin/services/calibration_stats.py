"""The arithmetic of calibration: score distributions and robust outliers. Pure, no I/O.

Outliers use the modified z-score of Iglewicz and Hoaglin, z = 0.6745 (x - median) / MAD, which a
few extreme managers cannot drag the way they drag a mean and standard deviation. Managers with
fewer than `min_count` observations behind their figure are neither flagged nor part of the
peer median (a rate over three decisions says little). When more than half of the peers share
one value the MAD is 0; then the mean absolute deviation stands in (z = (x - median) /
(1.2533 MeanAD)), and when that is 0 too nobody stands out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314


@dataclass(frozen=True)
class Observation:
    """One manager's figure for one metric, with how many observations it rests on."""

    key: int
    value: float
    count: int


@dataclass(frozen=True)
class Outlier:
    key: int
    metric: str
    value: float
    count: int
    median: float
    z: float
    peers: int  # managers with enough observations in the comparison


def robust_z(values: Sequence[float]) -> list[float | None]:
    """Modified z-score of each value against all of them; None everywhere when spread is 0."""
    if len(values) < 2:
        return [None] * len(values)
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    if mad > 0:
        return [MAD_SCALE * (v - med) / mad for v in values]
    mean_ad = statistics.fmean(abs(v - med) for v in values)
    if mean_ad > 0:
        return [(v - med) / (MEAN_AD_SCALE * mean_ad) for v in values]
    return [None] * len(values)


def outliers(metric: str, observations: Iterable[Observation], *, threshold: float, min_count: int) -> list[Outlier]:
    """Managers whose |z| >= threshold among peers with at least `min_count` observations each."""
    peers = sorted((o for o in observations if o.count >= min_count), key=lambda o: o.key)
    if len(peers) < 3:
        return []
    zs = robust_z([o.value for o in peers])
    med = statistics.median(o.value for o in peers)
    out = [
        Outlier(o.key, metric, o.value, o.count, med, round(z, 2), len(peers))
        for o, z in zip(peers, zs, strict=True)
        if z is not None and abs(z) >= threshold
    ]
    return sorted(out, key=lambda x: (-abs(x.z), x.key))


@dataclass
class Distribution:
    """Scores of one value in one group: how many people got each score, and the mean."""

    counts: Counter[float] = field(default_factory=Counter)

    def add(self, score: float) -> None:
        self.counts[score] += 1

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float:
        n = self.n
        return round(sum(s * c for s, c in self.counts.items()) / n, 2) if n else 0.0

    @property
    def median(self) -> float:
        return statistics.median(s for s, c in sorted(self.counts.items()) for _ in range(c)) if self.n else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "mean": self.mean,
            "median": self.median,
            "counts": {f"{s:g}": c for s, c in sorted(self.counts.items())},
        }


def distributions(
    scores: Mapping[int, Mapping[str, float]], group_of: Mapping[int, int | None], values: Sequence[str]
) -> dict[int, dict[str, Distribution]]:
    """Per group (team, manager) and value: the distribution of the people's scores."""
    out: dict[int, dict[str, Distribution]] = {}
    for person, by_value in scores.items():
        group = group_of.get(person)
        if group is None:
            continue
        row = out.setdefault(group, {v: Distribution() for v in values})
        for v in values:
            row[v].add(by_value.get(v, 0.0))
    return out


__all__ = ["Distribution", "Observation", "Outlier", "distributions", "outliers", "robust_z"]
