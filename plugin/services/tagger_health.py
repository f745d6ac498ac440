"""Tagger health per quarter: did nominators keep the tagger's first suggestion, and did managers re-tag?

For each confirmed nomination of the quarter (evidence linked by `nomination_id`) the nominator's
pick is compared with that nomination's `Suggestion` rows: the first suggestion (rank 1) kept,
another suggestion picked, or a behaviour outside the suggestions. The pick is the evidence's
criterion before any manager re-tag: `evidence.retag` writes an audit row with `old_criterion`,
and the first such row of an evidence holds what the nominator chose. Counts are per tagger
(`Suggestion.tagger` of the first suggestion: llm, offline, llm_fallback; `none` when the tagger
abstained) and per behaviour the tagger suggested first.

The bulk of the counting is one GROUP BY in the database over the current criteria; only the
re-tagged evidence (few) is read row by row and moved to the bucket of the original pick.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from liumai.storage.models import AuditLog, Evidence, Suggestion

KEPT, OTHER, OUTSIDE = "kept_first", "other_suggestion", "outside"
NO_TAGGER = "none"
RETAG_ACTION = "evidence.retag"


@dataclass
class HealthCounts:
    kept_first: int = 0
    other_suggestion: int = 0
    outside: int = 0
    retagged: int = 0

    @property
    def total(self) -> int:
        return self.kept_first + self.other_suggestion + self.outside

    def add(self, kind: str, n: int = 1) -> None:
        setattr(self, kind, getattr(self, kind) + n)

    def rate(self, kind: str) -> float:
        return round(getattr(self, kind) / self.total, 3) if self.total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "total": self.total,
            KEPT: self.kept_first,
            OTHER: self.other_suggestion,
            OUTSIDE: self.outside,
            "retagged": self.retagged,
            "kept_first_rate": self.rate(KEPT),
            "retag_rate": round(self.retagged / self.total, 3) if self.total else 0.0,
        }


@dataclass
class TaggerHealth:
    quarter: str
    by_tagger: dict[str, HealthCounts] = field(default_factory=dict)
    by_behaviour: dict[tuple[str, str], HealthCounts] = field(default_factory=dict)  # (tagger, first criterion)

    def add(self, tagger: str, first: str, kind: str, n: int = 1, *, retagged: int = 0) -> None:
        for bucket in (
            self.by_tagger.setdefault(tagger, HealthCounts()),
            self.by_behaviour.setdefault((tagger, first), HealthCounts()),
        ):
            bucket.add(kind, n)
            bucket.retagged += retagged

    def to_dict(self) -> dict[str, object]:
        return {
            "quarter": self.quarter,
            "by_tagger": {k: v.to_dict() for k, v in sorted(self.by_tagger.items())},
            "by_behaviour": [
                {"tagger": t, "criterion": c, **v.to_dict()} for (t, c), v in sorted(self.by_behaviour.items())
            ],
        }


def classify(pick: str, suggestions: Mapping[int, str]) -> str:
    """The nominator's pick against the suggestions by rank (1 = first)."""
    if suggestions.get(1) == pick:
        return KEPT
    return OTHER if pick in suggestions.values() else OUTSIDE


def first_picks(retags: Iterable[tuple[str, str]]) -> dict[int, str]:
    """Evidence id -> the criterion before its first re-tag, from (entity_id, detail) rows oldest first."""
    out: dict[int, str] = {}
    for entity_id, detail in retags:
        try:
            eid, old = int(entity_id), json.loads(detail).get("old_criterion")
        except (ValueError, AttributeError):
            continue
        if isinstance(old, str) and eid not in out:
            out[eid] = old
    return out


def _retags(session: Session, since: datetime) -> dict[int, str]:
    rows = session.execute(
        select(col(AuditLog.entity_id), col(AuditLog.detail))
        .where(col(AuditLog.action) == RETAG_ACTION, col(AuditLog.entity) == "evidence", col(AuditLog.at) >= since)
        .order_by(col(AuditLog.at), col(AuditLog.id))
    ).all()
    return first_picks((r[0], r[1]) for r in rows)


def tagger_health(
    session: Session, quarter: str, since: datetime, subjects: frozenset[int] | None = None
) -> TaggerHealth:
    """Counts for the quarter's nominations (about `subjects` only, when given).

    `since`: the quarter's start; re-tags are decisions made after the evidence exists.
    """
    first = aliased(Suggestion)
    other = aliased(Suggestion)
    # A join, not EXISTS: PostgreSQL runs an EXISTS inside CASE as a hashed subplan over every
    # suggestion ever stored (2.5x slower in bench/calibration.py); count(DISTINCT) keeps an
    # evidence counted once even if a tagger had stored one behaviour twice.
    kind = case(
        (col(first.criterion) == col(Evidence.criterion), KEPT),
        (col(other.id).is_not(None), OTHER),
        else_=OUTSIDE,
    )
    base = [col(Evidence.period) == quarter, col(Evidence.nomination_id).is_not(None)]
    scoped = base if subjects is None else [*base, col(Evidence.subject_id).in_(sorted(subjects))]
    on_first = and_(col(first.nomination_id) == col(Evidence.nomination_id), col(first.rank) == 1)
    on_other = and_(
        col(other.nomination_id) == col(Evidence.nomination_id),
        col(other.rank) > 1,
        col(other.criterion) == col(Evidence.criterion),
    )
    health = TaggerHealth(quarter)
    grouped = session.execute(
        select(col(first.tagger), col(first.criterion), kind.label("kind"), func.count(distinct(col(Evidence.id))))
        .select_from(Evidence)
        .outerjoin(first, on_first)
        .outerjoin(other, on_other)
        .where(*scoped)
        .group_by(col(first.tagger), col(first.criterion), kind)
    ).all()
    for tagger, crit, k, n in grouped:
        health.add(tagger or NO_TAGGER, crit or "", k, n)
    _move_retagged(session, health, _retags(session, since), scoped)
    return health


def _move_retagged(session: Session, health: TaggerHealth, picks: dict[int, str], where: list) -> None:
    """Re-tagged evidence was counted under its current criterion: count it under the nominator's pick."""
    if not picks:
        return
    rows = session.execute(
        select(
            col(Evidence.id),
            col(Evidence.criterion),
            col(Suggestion.rank),
            col(Suggestion.criterion),
            col(Suggestion.tagger),
        )
        .outerjoin(Suggestion, col(Suggestion.nomination_id) == col(Evidence.nomination_id))
        .where(*where, col(Evidence.id).in_(sorted(picks)))
    ).all()
    per: dict[int, tuple[str, dict[int, str], dict[int, str]]] = {}
    for eid, current, rank, crit, tagger in rows:
        entry = per.setdefault(eid, (current, {}, {}))
        if rank is not None:
            entry[1][rank] = crit
            entry[2][rank] = tagger
    for eid, (current, suggested, taggers) in per.items():
        tagger, first = taggers.get(1, NO_TAGGER), suggested.get(1, "")
        health.add(tagger, first, classify(current, suggested), -1)
        health.add(tagger, first, classify(picks[eid], suggested), retagged=1)


__all__ = ["KEPT", "OTHER", "OUTSIDE", "HealthCounts", "TaggerHealth", "classify", "first_picks", "tagger_health"]
