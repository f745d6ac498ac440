"""The deterministic rules engine: evidence in, explained scores out.

Pure by design (no clock, no randomness, no I/O, no project imports besides the rubric model),
so the same input in any order gives the same output and every score can be replayed later
from the stored evidence and the rubric version it records.

Semantics (docs/architecture.md, "Scoring"), per value, climbing levels 1..N:
- default_pass: met unless a non-conforming case exists;
- evidence_required: met with conforming cases from >= policy.min_distinct_nominators people;
- both: met with such conforming cases and no non-conforming case;
- half point (where the behaviour allows it): a level that fails *only* because of
  non-conforming cases, all of them mitigated (情有可原), scores 0.5 and ends the climb;
- the first level not met ends the climb (progressive scoring, 通关制).
Only `accepted` evidence counts; the score that pending evidence would give is computed too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, TypeVar

from liumai.rubric.model import Behaviour, EvidenceRule, Polarity, Rubric

ACCEPTED = "accepted"
PENDING = "pending"
REJECTED = "rejected"
_CONFORMING = Polarity.CONFORMING.value
_NON_CONFORMING = Polarity.NON_CONFORMING.value
K = TypeVar("K")


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


class LevelTrace(NamedTuple):
    """Why one level scored what it did (NamedTuple: immutable and cheap to build)."""

    criterion: str
    level: int
    rule: EvidenceRule
    outcome: Outcome
    reasons: tuple[Reason, ...]
    conforming_ids: tuple[int | str, ...] = ()
    non_conforming_ids: tuple[int | str, ...] = ()
    distinct_nominators: int = 0
    required_nominators: int = 0
    # What the level still needs (where the climb stopped): how many more distinct nominators
    # with conforming cases, and which non-conforming cases block it.
    more_nominators_needed: int = 0
    blocking_ids: tuple[int | str, ...] = ()

    @property
    def points(self) -> float:
        return 1.0 if self.outcome is Outcome.MET else 0.5 if self.outcome is Outcome.HALF else 0.0


class ValueScore(NamedTuple):
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


# A bucket holds one criterion's items in one view, in the order read. One list per bucket (rather
# than one per field) halves the cost of the pass over a person's items; a level reads its
# bucket's fields right after, while a person's few items are still in cache.
_Bucket = list[EvidenceItem]
# tuple.__new__ builds a NamedTuple without running its Python-level __new__: the same object,
# at a third of the cost, which counts when an org-wide pass builds millions of traces.
_new = tuple.__new__
_MET, _HALF = Outcome.MET, Outcome.HALF


class _Decision(NamedTuple):
    """What a level decides from the shape of its evidence alone, before any id is looked at."""

    head: tuple[str, int, EvidenceRule, Outcome, tuple[Reason, ...]]  # a LevelTrace's first five fields
    required: int  # LevelTrace.required_nominators
    more: int  # LevelTrace.more_nominators_needed
    blocks: bool  # whether the non-conforming ids block the level


def _reasons(rule: EvidenceRule, n_nom: int, enough: bool, has_nc: bool) -> list[Reason]:
    """What the level's rule looked at: the conforming side unless it passes by default, the
    non-conforming side unless evidence alone decides."""
    reasons: list[Reason] = []
    if rule is not EvidenceRule.DEFAULT_PASS:
        if enough:
            reasons.append(Reason.ENOUGH_CONFORMING)
        else:
            reasons.append(Reason.NO_CONFORMING if n_nom == 0 else Reason.TOO_FEW_NOMINATORS)
    if rule is not EvidenceRule.EVIDENCE_REQUIRED:
        reasons.append(Reason.NON_CONFORMING if has_nc else Reason.NO_NON_CONFORMING)
    return reasons


def _decide(behaviour: Behaviour, required: int, n_nom: int, has_nc: bool, all_mitigated: bool) -> _Decision:
    """The rules of one level (see the module docstring); met when both sides pass, half when
    only mitigated non-conforming cases fail a level that allows it."""
    rule = behaviour.rule
    enough = n_nom >= required
    reasons = _reasons(rule, n_nom, enough, has_nc)
    evidence_ok = enough or rule is EvidenceRule.DEFAULT_PASS
    nc_ok = not has_nc or rule is EvidenceRule.EVIDENCE_REQUIRED
    if evidence_ok and nc_ok:
        outcome = Outcome.MET
    elif evidence_ok and behaviour.half_point and all_mitigated:
        outcome = Outcome.HALF
        reasons = [r if r is not Reason.NON_CONFORMING else Reason.ONLY_MITIGATED for r in reasons]
    else:
        outcome = Outcome.NOT_MET
    return _Decision(
        (behaviour.id, behaviour.level, rule, outcome, tuple(reasons)),
        0 if rule is EvidenceRule.DEFAULT_PASS else required,
        0 if evidence_ok else required - n_nom,
        outcome is not Outcome.MET and rule is not EvidenceRule.EVIDENCE_REQUIRED,
    )


class _Step(NamedTuple):
    """One behaviour, compiled: the traces that need no evidence, and the decision for every
    shape of evidence, indexed min(distinct nominators, required) * 4 + has_nc * 2 + all_mitigated
    (more nominators than required decide nothing more)."""

    id: str
    level: int
    empty: LevelTrace  # no evidence names this behaviour
    not_reached: LevelTrace
    decisions: tuple[_Decision, ...]


def _compile_step(b: Behaviour, required: int) -> _Step:
    shapes = [(n, has_nc, mit) for n in range(required + 1) for has_nc in (False, True) for mit in (False, True)]
    decisions = tuple(_decide(b, required, *shape) for shape in shapes)
    none = decisions[1]  # no nominator, no non-conforming case (all of none mitigated)
    return _Step(
        b.id,
        b.level,
        LevelTrace(*none.head, (), (), 0, none.required, none.more, ()),
        LevelTrace(b.id, b.level, b.rule, Outcome.NOT_REACHED, (Reason.PREVIOUS_LEVEL,)),
        decisions,
    )


def _sort_ids(ids: list) -> tuple[int | str, ...]:
    try:
        return tuple(sorted(ids))  # timsort: near-linear on the already-ordered runs we pass
    except TypeError:  # mixed id types: a stable order that keeps ints numeric
        return tuple(sorted(ids, key=lambda i: (isinstance(i, str), str(i))))


def _trace(step: _Step, required: int, bucket: list[EvidenceItem]) -> LevelTrace:
    """One level's trace from its criterion's evidence (the only per-person work of a level)."""
    nc_ids: tuple[int | str, ...]
    if len(bucket) == 1:  # the commonest case by far, without building lists
        e = bucket[0]
        if e.polarity == _CONFORMING:
            conforming: tuple = (e.id,)
            n_nom, nc_ids, all_mitigated = 1, (), True
        else:
            conforming, n_nom, nc_ids, all_mitigated = (), 0, (e.id,), e.mitigated
    else:
        c_ids, nominators, non_conforming, all_mitigated = [], set(), [], True
        for e in bucket:
            if e.polarity == _CONFORMING:
                c_ids.append(e.id)
                nominators.add(e.nominator)  # None counts as one nominator
            else:
                non_conforming.append(e.id)
                all_mitigated = all_mitigated and e.mitigated
        n_nom = len(nominators)
        conforming = _sort_ids(c_ids) if c_ids else ()
        nc_ids = _sort_ids(non_conforming) if non_conforming else ()
    d = step.decisions[(n_nom if n_nom < required else required) * 4 + (2 if nc_ids else 0) + all_mitigated]
    return _new(LevelTrace, (*d.head, conforming, nc_ids, n_nom, d.required, d.more, nc_ids if d.blocks else ()))


def _climb(
    key: str,
    steps: tuple[_Step, ...],
    buckets: dict[str, _Bucket],
    required: int,
    progressive: bool,
    prior: tuple[LevelTrace, ...] = (),
    changed: dict[str, _Bucket] | None = None,
) -> ValueScore:
    """One value in one view: levels 1..N in order; the first level not met ends a progressive
    climb. `prior` holds the traces of another view whose evidence differs only in the criteria
    of `changed`: a level it reached on unchanged evidence is the same trace, reused."""
    traces: list[LevelTrace] = []
    score = 0.0
    stopped_at: int | None = None
    for i, step in enumerate(steps):
        if stopped_at is not None and progressive:
            traces.append(step.not_reached)
            continue
        if prior and step.id not in changed and prior[i] is not step.not_reached:  # type: ignore[operator]
            trace = prior[i]
        else:
            bucket = buckets.get(step.id)
            trace = step.empty if bucket is None else _trace(step, required, bucket)
        traces.append(trace)
        outcome = trace.outcome
        if outcome is _MET:
            score += 1.0
            continue
        score += 0.5 if outcome is _HALF else 0.0
        if stopped_at is None:
            stopped_at = step.level
    return _new(ValueScore, (key, score, tuple(traces), stopped_at))


class _Value(NamedTuple):
    key: str
    steps: tuple[_Step, ...]
    empty: ValueScore  # the value without any evidence: one shared, immutable score for everyone


@dataclass(frozen=True, slots=True, eq=False)
class ScoringPlan:
    """Everything scoring needs that depends only on the rubric, compiled once (`compile`) and
    shared by every person scored under it: the levels in climbing order, the traces that need no
    evidence, the decision of every level for every shape of evidence, and the score of a value
    without evidence. Immutable, so one plan can serve any number of passes; the rubric version
    it records is the one every score it gives carries."""

    rubric_version: str
    values: tuple[_Value, ...]
    value_of: dict[str, int]  # criterion -> position in `values`
    required: int
    progressive: bool
    max_total: int
    empty: list[ValueScore]  # every value without evidence, in rubric order (copied, never changed)

    @classmethod
    def compile(cls, rubric: Rubric) -> ScoringPlan:
        required = rubric.policy.min_distinct_nominators
        progressive = rubric.policy.progressive
        values = []
        for value in rubric.values:
            steps = tuple(_compile_step(b, required) for b in sorted(value.behaviours, key=lambda b: b.level))
            values.append(_Value(value.key, steps, _climb(value.key, steps, {}, required, progressive)))
        return cls(
            rubric.version,
            tuple(values),
            {b.id: i for i, v in enumerate(rubric.values) for b in v.behaviours},
            required,
            progressive,
            sum(len(v.behaviours) for v in rubric.values),
            [v.empty for v in values],
        )


_PLANS: dict[int, tuple[Rubric, ScoringPlan]] = {}


def plan_for(rubric: Rubric) -> ScoringPlan:
    """The compiled plan of `rubric`, cached by identity: two rubric objects with one version
    string may still differ (e.g. a policy override), so the version alone is not a safe key.
    The entry keeps the rubric alive, so ids stay unique."""
    hit = _PLANS.get(id(rubric))
    if hit is not None and hit[0] is rubric:
        return hit[1]
    plan = ScoringPlan.compile(rubric)
    if len(_PLANS) > 32:
        _PLANS.clear()
    _PLANS[id(rubric)] = (rubric, plan)
    return plan


def _collect(items: Iterable[EvidenceItem]) -> tuple[dict[str, _Bucket], dict[str, _Bucket]]:
    """One pass, bucketing the items by status and criterion (one list per bucket, no copies)."""
    accepted: dict[str, _Bucket] = {}
    pending: dict[str, _Bucket] = {}
    views = {ACCEPTED: accepted, PENDING: pending}
    for e in items:
        buckets = views.get(e.status)
        if buckets is None:
            continue  # rejected
        b = buckets.get(e.criterion)
        if b is None:
            buckets[e.criterion] = [e]
        else:
            b.append(e)
    return accepted, pending


def _drop_unknown(value_of: dict[str, int], views: tuple[dict[str, _Bucket], ...]) -> tuple[int | str, ...]:
    """Remove evidence under criteria the rubric lacks (e.g. from another rubric version); its ids."""
    stray: list[int | str] = []
    for view in views:
        for c in [c for c in view if c not in value_of]:
            stray += [e.id for e in view.pop(c)]
    return _sort_ids(stray) if stray else ()


def _score_view(
    plan: ScoringPlan, buckets: dict[str, _Bucket], base: list[ValueScore], changed: dict[str, _Bucket] | None = None
) -> list[ValueScore]:
    """The values with evidence in `changed` (all of `buckets` when None) climbed afresh on
    `buckets`, reusing what they can of `base`; every other value as in `base`."""
    out = list(base)
    required, progressive = plan.required, plan.progressive
    for i in {plan.value_of[c] for c in (buckets if changed is None else changed)}:
        v = plan.values[i]
        prior = () if changed is None else base[i].levels
        out[i] = _climb(v.key, v.steps, buckets, required, progressive, prior, changed)
    return out


def _person(plan: ScoringPlan, scores: list[ValueScore], ignored: tuple) -> PersonScore:
    total = 0.0
    for v in scores:
        total += v.score
    return PersonScore({v.key: v for v in scores}, total, plan.max_total, plan.rubric_version, ignored)


def _score_one(plan: ScoringPlan, items: Iterable[EvidenceItem]) -> ScoreResult:
    accepted, pending = _collect(items)
    ignored = _drop_unknown(plan.value_of, (accepted, pending))
    acc = _score_view(plan, accepted, plan.empty)
    acc_person = _person(plan, acc, ignored)
    if not pending:  # nothing pending: both views are one and the same
        return ScoreResult(acc_person, acc_person)
    merged = accepted.copy()  # only the values that pending evidence touches are climbed again
    for c, p in pending.items():
        a = accepted.get(c)
        merged[c] = p if a is None else a + p
    with_pending = _score_view(plan, merged, acc, pending)
    return ScoreResult(acc_person, _person(plan, with_pending, ignored))


def score(rubric: Rubric, items: Iterable[EvidenceItem]) -> ScoreResult:
    """Score one person's evidence for one period under `rubric`."""
    return _score_one(plan_for(rubric), items)


def score_many(plan: ScoringPlan | Rubric, items_by_person: Mapping[K, Iterable[EvidenceItem]]) -> dict[K, ScoreResult]:
    """Score many people under one rubric in one pass over their evidence, grouped by person.

    Exactly `{k: score(rubric, items) for k, items in items_by_person.items()}` (a property test
    holds it to that), but the rubric is compiled once and what needs no evidence is shared."""
    if not isinstance(plan, ScoringPlan):
        plan = plan_for(plan)
    return {k: _score_one(plan, items) for k, items in items_by_person.items()}
