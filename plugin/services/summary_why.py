"""Why each value scored what it did: read once from the engine's trace, carried in the summary read model.

A manager's first question about a score is "why not higher?". The answer is structural, not a
sentence: the level where the climb stopped and what that level needs, the accepted stories above
it that count once it is met, the levels met only by default (collapsed unless a concern touches
them), the pending evidence and what it would change, last quarter's score. Every surface (HTML,
Markdown, Slack, Feishu, JSON, spreadsheets) renders this one model in the reader's language
(`liumai.reports.why`), so none of them re-derives it from the trace and they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from liumai.rubric.engine import LevelTrace, Outcome, ScoreResult, ValueScore
from liumai.rubric.model import EvidenceRule, Polarity, Rubric

Ids = tuple[int | str, ...]


class Stop(StrEnum):
    COMPLETE = "complete"  # every level met
    NEEDS_EVIDENCE = "needs_evidence"  # no accepted conforming case at the stop level
    NEEDS_NOMINATORS = "needs_nominators"  # accepted cases, but from too few nominators
    BLOCKED = "blocked"  # a concern (not mitigated) keeps the level from being met
    HALF = "half"  # mitigated concerns only: half a point, the climb ends


@dataclass(frozen=True)
class ConcernLevel:
    """A level a concern touches, shown on its own line instead of inside the collapsed default line."""

    level: int
    criterion: str
    ids: Ids


@dataclass(frozen=True)
class Waiting:
    """Accepted stories at a level above the stop: they count once the levels below them are met."""

    level: int
    criterion: str
    ids: Ids


@dataclass(frozen=True)
class ValueWhy:
    key: str
    score: float
    max_score: int
    stop: Stop
    stop_level: int | None
    stop_criterion: str | None
    more_nominators: int  # how many more distinct nominators the stop level needs
    required_nominators: int  # the policy (min_distinct_nominators) at the stop level; 0 when none
    blocking_ids: Ids  # concerns at the stop level
    default_levels: tuple[int, ...]  # met by default with no concern: one collapsed line
    concern_levels: tuple[ConcernLevel, ...]  # default-pass levels above the stop a concern touches
    counted_ids: Ids  # accepted conforming evidence on met levels (the stories that count)
    waiting: tuple[Waiting, ...]
    pending_ids: Ids
    score_with_pending: float
    previous: float | None  # the accepted score of the previous quarter, when known
    has_evidence: bool  # any accepted or pending conforming case, or any concern, for this value


class WhyLine(Protocol):
    """What `value_whys` needs of one evidence row (the read model's `EvidenceLine` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def criterion(self) -> str: ...
    @property
    def polarity(self) -> str: ...
    @property
    def status(self) -> str: ...


def _stop(trace: LevelTrace | None) -> tuple[Stop, int]:
    if trace is None:
        return Stop.COMPLETE, 0
    if trace.outcome is Outcome.HALF:
        return Stop.HALF, 0
    if trace.blocking_ids:
        return Stop.BLOCKED, 0
    if trace.distinct_nominators:
        return Stop.NEEDS_NOMINATORS, trace.more_nominators_needed
    return Stop.NEEDS_EVIDENCE, trace.more_nominators_needed


def _by_level(lines: Iterable[WhyLine], status: str, polarity: str) -> dict[str, list[int | str]]:
    out: dict[str, list[int | str]] = {}
    for e in lines:
        if e.status == status and e.polarity == polarity:
            out.setdefault(e.criterion, []).append(e.id)
    return out


def _defaults(met: list[LevelTrace], concerns: dict[str, list[int | str]]) -> tuple[int, ...]:
    return tuple(t.level for t in met if t.rule is EvidenceRule.DEFAULT_PASS and not concerns.get(t.criterion))


def _concern_levels(above: list[LevelTrace], concerns: dict[str, list[int | str]]) -> tuple[ConcernLevel, ...]:
    return tuple(
        ConcernLevel(t.level, t.criterion, tuple(concerns[t.criterion]))
        for t in above
        if t.rule is not EvidenceRule.EVIDENCE_REQUIRED and concerns.get(t.criterion)
    )


def _waiting(above: list[LevelTrace], accepted: dict[str, list[int | str]]) -> tuple[Waiting, ...]:
    return tuple(
        Waiting(t.level, t.criterion, tuple(accepted[t.criterion])) for t in above if accepted.get(t.criterion)
    )


def _value_why(vs: ValueScore, pending_score: float, lines: Sequence[WhyLine], previous: float | None) -> ValueWhy:
    accepted = _by_level(lines, "accepted", Polarity.CONFORMING.value)
    pending = _by_level(lines, "pending", Polarity.CONFORMING.value)
    concerns = _by_level(lines, "accepted", Polarity.NON_CONFORMING.value)
    stop_trace = vs.stop
    stop, more = _stop(stop_trace)
    met = [t for t in vs.levels if t.outcome is Outcome.MET]
    above = [t for t in vs.levels if vs.stopped_at is not None and t.level > vs.stopped_at]
    return ValueWhy(
        key=vs.key,
        score=vs.score,
        max_score=vs.max_score,
        stop=stop,
        stop_level=vs.stopped_at,
        stop_criterion=stop_trace.criterion if stop_trace else None,
        more_nominators=more,
        required_nominators=stop_trace.required_nominators if stop_trace else 0,
        blocking_ids=tuple(stop_trace.blocking_ids) if stop_trace else (),
        default_levels=_defaults(met, concerns),
        concern_levels=_concern_levels(above, concerns),
        counted_ids=tuple(i for t in met for i in accepted.get(t.criterion, ())),
        waiting=_waiting(above, accepted),
        pending_ids=tuple(i for t in vs.levels for i in pending.get(t.criterion, ())),
        score_with_pending=pending_score,
        previous=previous,
        has_evidence=any(e.status in ("accepted", "pending") for e in lines),
    )


def value_whys(
    rubric: Rubric, result: ScoreResult, lines: Sequence[WhyLine], previous: dict[str, float] | None = None
) -> dict[str, ValueWhy]:
    """One `ValueWhy` per value of `rubric`, in rubric order, from the engine's result and the evidence rows.

    `lines` are the person's evidence rows of the quarter (rejected ones are ignored); `previous`
    maps value keys to last quarter's accepted score.
    """
    acc, pend = result.accepted, result.with_pending
    out: dict[str, ValueWhy] = {}
    for value in rubric.values:
        mine = [e for e in lines if e.criterion.split(".", 1)[0] == value.key]
        prev = previous.get(value.key) if previous is not None else None
        out[value.key] = _value_why(acc.values[value.key], pend.values[value.key].score, mine, prev)
    return out


__all__ = ["ConcernLevel", "Stop", "ValueWhy", "Waiting", "WhyLine", "value_whys"]
