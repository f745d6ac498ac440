"""The deterministic rules engine: evidence in, explained scores out.

Pure by design (no clock, no randomness, no I/O, no project imports besides the rubric model),
so the same input in any order gives the same output and every score can be replayed later
from the stored evidence and the rubric version it records.

Semantics (design.md, "Scoring"), per value, climbing levels 1..N:
- default_pass: met unless a non-conforming case exists;
- evidence_required: met with conforming cases from >= policy.min_distinct_nominators people;
- both: met with such conforming cases and no non-conforming case;
- half point (where the behaviour allows it): a level that fails *only* because of
  non-conforming cases, all of them mitigated (情有可原), scores 0.5 and ends the climb;
- the first level not met ends the climb (progressive scoring, 通关制).
Only `accepted` evidence counts; the score that pending evidence would give is computed too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rubric.model import EvidenceRule, Polarity, Rubric

ACCEPTED = "accepted"
PENDING = "pending"
REJECTED = "rejected"
_CONFORMING = Polarity.CONFORMING.value
_NON_CONFORMING = Polarity.NON_CONFORMING.value


class Outcome(StrEnum):
    MET = "met"
    HALF = "half"  # 0.5, ends the climb
    NOT_MET = "not_met"  # ends the climb
    NOT_REACHED = "not_reached"  # above the level where the climb ended


class Reason(StrEnum):
    NO_NON_CONFORMING = "no_non_conforming"
    NON_CONFORMING = "non_conforming"
    ONLY_MITIGATED = "only_mitigated_non_conforming"
    ENOUGH_CONFORMING = "enough_conforming"
    NO_CONFORMING = "no_conforming"
    TOO_FEW_NOMINATORS = "too_few_nominators"
    PREVIOUS_LEVEL = "previous_level_not_met"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence about one person, as the engine sees it."""

    id: int | str
    criterion: str
    polarity: str  # Polarity value
    nominator: str | None = None
    status: str = ACCEPTED
    mitigated: bool = False


@dataclass(frozen=True, slots=True)
class LevelTrace:
    criterion: str
    level: int
    rule: EvidenceRule
    outcome: Outcome
    reasons: tuple[Reason, ...]
    conforming_ids: tuple[int | str, ...] = ()
    non_conforming_ids: tuple[int | str, ...] = ()
    distinct_nominators: int = 0
    required_nominators: int = 0
    # What the level still needs (only set where the climb stopped): how many more distinct
    # nominators with conforming cases, and which unmitigated non-conforming cases block it.
    more_nominators_needed: int = 0
    blocking_ids: tuple[int | str, ...] = ()

    @property
    def points(self) -> float:
        return 1.0 if self.outcome is Outcome.MET else 0.5 if self.outcome is Outcome.HALF else 0.0


@dataclass(frozen=True, slots=True)
class ValueScore:
    key: str
    score: float
    levels: tuple[LevelTrace, ...]
    stopped_at: int | None  # first level not fully met; None when all levels are met

    @property
    def max_score(self) -> int:
        return len(self.levels)

    @property
    def stop(self) -> LevelTrace | None:
        return None if self.stopped_at is None else self.levels[self.stopped_at - 1]


@dataclass(frozen=True, slots=True)
class PersonScore:
    values: dict[str, ValueScore]
    total: float
    max_total: int
    rubric_version: str
    ignored_ids: tuple[int | str, ...] = ()  # evidence naming criteria this rubric lacks


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The score from accepted evidence, and what accepted + pending evidence would give."""

    accepted: PersonScore
    with_pending: PersonScore


@dataclass(slots=True)
class _Bucket:
    conforming: list[int | str] = field(default_factory=list)
    nominators: set[str | None] = field(default_factory=set)
    non_conforming: list[int | str] = field(default_factory=list)
    unmitigated: int = 0

    def merge(self, other: _Bucket | None) -> _Bucket:
        if other is None:
            return self
        return _Bucket(
            self.conforming + other.conforming,
            self.nominators | other.nominators,
            self.non_conforming + other.non_conforming,
            self.unmitigated + other.unmitigated,
        )


_EMPTY = _Bucket()


def _collect(items: Iterable[EvidenceItem], known: frozenset[str]) -> tuple[dict, dict, list]:
    """One pass over the evidence, bucketing by criterion for accepted and pending separately."""
    accepted: dict[str, _Bucket] = {}
    pending: dict[str, _Bucket] = {}
    ignored: list[int | str] = []
    for e in items:
        status = e.status
        if status == ACCEPTED:
            buckets = accepted
        elif status == PENDING:
            buckets = pending
        else:
            continue
        crit = e.criterion
        b = buckets.get(crit)
        if b is None:
            if crit not in known:
                ignored.append(e.id)
                continue
            b = buckets[crit] = _Bucket([], set(), [], 0)
        if e.polarity == _CONFORMING:
            b.conforming.append(e.id)
            b.nominators.add(e.nominator)
        else:
            b.non_conforming.append(e.id)
            if not e.mitigated:
                b.unmitigated += 1
    return accepted, pending, ignored


def _sorted_ids(ids: list[int | str]) -> tuple[int | str, ...]:
    # Mixed id types would not compare; sort on a stable key that keeps ints numeric.
    try:
        return tuple(sorted(ids))
    except TypeError:
        return tuple(sorted(ids, key=lambda i: (isinstance(i, str), str(i))))


def _level(rubric: Rubric, behaviour, bucket: _Bucket, required: int) -> LevelTrace:
    rule = behaviour.rule
    n_nom = len(bucket.nominators)
    has_nc = bool(bucket.non_conforming)
    enough = n_nom >= required
    reasons: list[Reason] = []
    if rule is not EvidenceRule.DEFAULT_PASS:
        if enough:
            reasons.append(Reason.ENOUGH_CONFORMING)
        else:
            reasons.append(Reason.NO_CONFORMING if n_nom == 0 else Reason.TOO_FEW_NOMINATORS)
    if rule is not EvidenceRule.EVIDENCE_REQUIRED:
        reasons.append(Reason.NON_CONFORMING if has_nc else Reason.NO_NON_CONFORMING)

    evidence_ok = enough or rule is EvidenceRule.DEFAULT_PASS
    nc_ok = not has_nc or rule is EvidenceRule.EVIDENCE_REQUIRED
    if evidence_ok and nc_ok:
        outcome = Outcome.MET
    elif evidence_ok and behaviour.half_point and bucket.unmitigated == 0:
        outcome = Outcome.HALF
        reasons = [r if r is not Reason.NON_CONFORMING else Reason.ONLY_MITIGATED for r in reasons]
    else:
        outcome = Outcome.NOT_MET
    blocking: tuple[int | str, ...] = ()
    if outcome is not Outcome.MET and rule is not EvidenceRule.EVIDENCE_REQUIRED:
        blocking = _sorted_ids(bucket.non_conforming)
    return LevelTrace(
        criterion=behaviour.id,
        level=behaviour.level,
        rule=rule,
        outcome=outcome,
        reasons=tuple(reasons),
        conforming_ids=_sorted_ids(bucket.conforming),
        non_conforming_ids=_sorted_ids(bucket.non_conforming),
        distinct_nominators=n_nom,
        required_nominators=0 if rule is EvidenceRule.DEFAULT_PASS else required,
        more_nominators_needed=0 if evidence_ok else required - n_nom,
        blocking_ids=blocking,
    )


def _score_view(rubric: Rubric, buckets: dict[str, _Bucket], ignored: list) -> PersonScore:
    required = rubric.policy.min_distinct_nominators
    progressive = rubric.policy.progressive
    values: dict[str, ValueScore] = {}
    total = 0.0
    max_total = 0
    for value in rubric.values:
        traces: list[LevelTrace] = []
        score = 0.0
        stopped_at: int | None = None
        for behaviour in sorted(value.behaviours, key=lambda b: b.level):
            if progressive and stopped_at is not None:
                traces.append(
                    LevelTrace(
                        behaviour.id, behaviour.level, behaviour.rule, Outcome.NOT_REACHED, (Reason.PREVIOUS_LEVEL,)
                    )
                )
                continue
            trace = _level(rubric, behaviour, buckets.get(behaviour.id, _EMPTY), required)
            traces.append(trace)
            score += trace.points
            if trace.outcome is not Outcome.MET and stopped_at is None:
                stopped_at = behaviour.level
        values[value.key] = ValueScore(value.key, score, tuple(traces), stopped_at)
        total += score
        max_total += len(value.behaviours)
    return PersonScore(values, total, max_total, rubric.version, _sorted_ids(ignored))


def score(rubric: Rubric, items: Iterable[EvidenceItem]) -> ScoreResult:
    """Score one person's evidence for one period under `rubric`."""
    accepted, pending, ignored = _collect(items, rubric.criterion_ids)
    merged = {crit: accepted.get(crit, _EMPTY).merge(pending.get(crit)) for crit in accepted.keys() | pending.keys()}
    return ScoreResult(
        accepted=_score_view(rubric, accepted, ignored),
        with_pending=_score_view(rubric, merged, ignored),
    )
