"""Quarterly calibration for HR and senior managers: distributions, outliers, gaps, fairness, tagger health.

Who may see it: an admin sees the whole org (or the subtree under anyone, `under`); a manager sees
the subtree under them, or under someone in it; anyone else is refused, and so is a manager asking
about a subtree that is not theirs. The viewer is never part of what they calibrate (nobody
reviews themselves). Concerns appear only as counts and rates, never their notes; every viewer
allowed here may see the concerns of the people in their scope (they are above them, or admin).

The read model (`Calibration`) is platform-neutral: the CLI prints it, `liumai.reports.calibration_render`
turns it into HTML or Markdown, and a chat adapter can send that file to the asker only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from liumai.messages import t
from liumai.periods import parse_quarter
from liumai.services import calibration_data as data
from liumai.services import fairness
from liumai.services.calibration_stats import Distribution, Observation, Outlier, distributions, outliers
from liumai.services.context import AppContext
from liumai.services.errors import PermissionDenied
from liumai.services.people import get_person
from liumai.services.quarters import resolve_quarter
from liumai.services.tagger_health import TaggerHealth, tagger_health
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person

METRICS = ("acceptance_rate", "avg_score", "concern_rate")


class CalibrationDenied(PermissionDenied):
    """A refusal worded in the catalogue's `calibration` section (who may calibrate what)."""

    def message(self, lang: str = "en") -> str:
        return t(f"calibration.{self.key}", lang, **self.params)


@dataclass(frozen=True)
class Who:
    email: str
    name: str


@dataclass(frozen=True)
class ManagerFigures:
    manager: Who
    reports: int  # direct reports in scope
    accepted: int  # recognition this manager accepted about people in scope
    rejected: int
    avg_score: float | None
    concerns: int  # accepted concerns about their direct reports
    id: int = field(default=0, compare=False)

    @property
    def decisions(self) -> int:
        return self.accepted + self.rejected


@dataclass(frozen=True)
class OutlierView:
    manager: Who
    metric: str
    value: float
    count: int
    median: float
    z: float
    peers: int


@dataclass(frozen=True)
class SignalView:
    kind: str
    people: tuple[Who, ...]
    team: str | None
    counts: dict[str, float]


@dataclass
class Calibration:
    quarter: str
    scope: Who | None  # None: the whole org
    people: int
    rubric_version: str
    value_keys: list[str]
    by_team: dict[str, dict[str, Distribution]]  # team label -> value -> scores
    by_manager: dict[str, dict[str, Distribution]]  # manager e-mail -> value -> scores
    managers: list[ManagerFigures]
    outliers: list[OutlierView]
    unrecognised: list[Who]
    missing_behaviours: dict[str, list[str]]  # team label -> behaviours nobody in it has shown
    signals: list[SignalView]
    min_distinct_nominators: int
    policy_applied: int  # people with a level not met only for too few distinct nominators
    tagger: TaggerHealth
    thresholds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Language-neutral JSON (`liumai calibration --json`)."""

        def dists(d: dict[str, dict[str, Distribution]]) -> dict[str, Any]:
            return {g: {v: x.to_dict() for v, x in row.items()} for g, row in d.items()}

        return {
            "quarter": self.quarter,
            "scope": self.scope.email if self.scope else "org",
            "people": self.people,
            "rubric_version": self.rubric_version,
            "by_team": dists(self.by_team),
            "by_manager": dists(self.by_manager),
            "managers": [
                {
                    "manager": m.manager.email,
                    "reports": m.reports,
                    "accepted": m.accepted,
                    "rejected": m.rejected,
                    "avg_score": m.avg_score,
                    "concerns": m.concerns,
                }
                for m in self.managers
            ],
            "outliers": [{**o.__dict__, "manager": o.manager.email} for o in self.outliers],
            "unrecognised": [w.email for w in self.unrecognised],
            "missing_behaviours": self.missing_behaviours,
            "fairness_signals": [
                {"kind": s.kind, "people": [w.email for w in s.people], "team": s.team, "counts": s.counts}
                for s in self.signals
            ],
            "policy": {
                "min_distinct_nominators": self.min_distinct_nominators,
                "applied_to_people": self.policy_applied,
            },
            "tagger_health": self.tagger.to_dict(),
            "thresholds": self.thresholds,
        }


def _scope(
    session: Session, org: data.Org, viewer: str | int | None, under: str | int | None
) -> tuple[Person | None, Person | None, set[int]]:
    """(actor, root, people in scope); refuses before any evidence is read."""
    actor = get_person(session, viewer) if viewer is not None else None
    root = get_person(session, under, active=False) if under is not None else None
    if actor is not None and not actor.is_admin:
        if not any(org.people[c].active for c in org.children.get(actor.id, ())):
            raise CalibrationDenied("not_manager")
        if root is None:
            root = actor
        elif root.id != actor.id and not org.is_above(actor.id, root.id):
            raise CalibrationDenied("outside", who=root.display_name)
    ids = set(org.people) if root is None else org.subtree(root.id)
    if actor is not None:
        ids.discard(actor.id)
    return actor, root, {i for i in ids if org.people[i].active}


def calibration(
    ctx: AppContext, quarter: str | None = None, *, viewer: str | int | None = None, under: str | int | None = None
) -> Calibration:
    """The calibration read model; `viewer=None` is the operator at the command line (whole org)."""
    q = resolve_quarter(ctx, quarter)
    s = ctx.settings
    with unit_of_work(ctx.engine) as session:
        data.tune(session)
        org = data.load_org(session)
        _actor, root, ids = _scope(session, org, viewer, under)
        scope = frozenset(ids)
        whole = root is None
        th = fairness.FairnessThresholds.from_settings(s)
        pairs = data.nomination_pairs(session, q, scope, whole_org=whole)
        times: dict[tuple[int, int], list[datetime]] = {}
        wanted = fairness.reciprocal_candidates(pairs, th)
        stream = data.stream_tallies(session, ctx.rubric, q, scope, whole_org=whole, times_of=wanted, times=times)
        tallies = dict(stream)
        empty = data.empty_tally(ctx.rubric)
        tallies.update({p: empty for p in scope if p not in tallies})
        decided = data.decisions(session, q, scope, whole_org=whole)
        team_of = {p.id: p.team_id for p in org.people.values() if p.active}
        signals = fairness.signals(pairs, times, team_of, th, scope=scope)
        health = tagger_health(session, q, _quarter_start(ctx, q), None if whole else scope)
    return _assemble(ctx, q, org, root, scope, tallies, decided, signals, health, th)


def _quarter_start(ctx: AppContext, q: str) -> datetime:
    return parse_quarter(q, ctx.settings.fiscal_year_start_month).bounds(ctx.settings.tz)[0]


def _team_label(org: data.Org, team: int | None) -> str:
    if team is None or team not in org.teams:
        return "-"
    return org.teams[team][0]


def _who(org: data.Org, pid: int) -> Who:
    p = org.people.get(pid)
    return Who(p.email, p.name) if p else Who("", f"#{pid}")


def _managers(
    org: data.Org, scope: frozenset[int], tallies: dict[int, data.PersonTally], decided: dict[int, tuple[int, int]]
) -> list[ManagerFigures]:
    reports: dict[int, list[int]] = {}
    for pid in sorted(scope):
        m = org.people[pid].manager_id
        if m is not None:
            reports.setdefault(m, []).append(pid)
    out = []
    for m in sorted(set(reports) | set(decided)):
        mine = reports.get(m, [])
        acc, rej = decided.get(m, (0, 0))
        avg = round(statistics.fmean(tallies[p].total for p in mine), 2) if mine else None
        out.append(ManagerFigures(_who(org, m), len(mine), acc, rej, avg, sum(tallies[p].concerns for p in mine), m))
    return out


def manager_outliers(managers: list[ManagerFigures], *, threshold: float, min_count: int) -> list[Outlier]:
    """Robust-z outliers of the three manager metrics, keyed by the managers' ids."""
    obs: dict[str, list[Observation]] = {m: [] for m in METRICS}
    for m in managers:
        key = m.id
        if m.decisions:
            obs["acceptance_rate"].append(Observation(key, round(m.accepted / m.decisions, 3), m.decisions))
        if m.reports and m.avg_score is not None:
            obs["avg_score"].append(Observation(key, m.avg_score, m.reports))
            obs["concern_rate"].append(Observation(key, round(m.concerns / m.reports, 3), m.reports))
    return [o for metric in METRICS for o in outliers(metric, obs[metric], threshold=threshold, min_count=min_count)]


def _missing(
    ctx: AppContext, org: data.Org, scope: frozenset[int], tallies: dict[int, data.PersonTally]
) -> dict[str, list[str]]:
    """Per team: behaviours that need recognition and that nobody in the team has shown this quarter."""
    needed = [b.id for b in ctx.rubric.behaviours() if b.rule.value != "default_pass"]
    shown: dict[str, set[str]] = {}
    for pid in scope:
        shown.setdefault(_team_label(org, org.people[pid].team_id), set()).update(tallies[pid].shown)
    return {team: [b for b in needed if b not in got] for team, got in sorted(shown.items())}


def _assemble(
    ctx: AppContext,
    q: str,
    org: data.Org,
    root: Person | None,
    scope: frozenset[int],
    tallies: dict[int, data.PersonTally],
    decided: dict[int, tuple[int, int]],
    signals: list[fairness.Signal],
    health: TaggerHealth,
    th: fairness.FairnessThresholds,
) -> Calibration:
    s = ctx.settings
    values = ctx.rubric.value_keys
    scores = {p: tallies[p].values for p in scope}
    by_team = distributions(scores, {p: org.people[p].team_id or 0 for p in scope}, values)
    by_manager = distributions(scores, {p: org.people[p].manager_id for p in scope}, values)
    managers = _managers(org, scope, tallies, decided)
    found = manager_outliers(managers, threshold=s.calibration_z_threshold, min_count=s.calibration_min_count)
    return Calibration(
        quarter=q,
        scope=Who(root.email, root.display_name) if root is not None else None,
        people=len(scope),
        rubric_version=ctx.rubric.version,
        value_keys=values,
        by_team={_team_label(org, t or None): d for t, d in sorted(by_team.items())},
        by_manager={_who(org, m).email: d for m, d in sorted(by_manager.items())},
        managers=managers,
        outliers=[OutlierView(_who(org, o.key), o.metric, o.value, o.count, o.median, o.z, o.peers) for o in found],
        unrecognised=_unrecognised(org, scope, tallies),
        missing_behaviours=_missing(ctx, org, scope, tallies),
        signals=[
            SignalView(
                x.kind, tuple(_who(org, p) for p in x.people), _team_label(org, x.team) if x.team else None, x.counts
            )
            for x in signals
        ],
        min_distinct_nominators=ctx.rubric.policy.min_distinct_nominators,
        policy_applied=sum(1 for p in scope if tallies[p].too_few_nominators),
        tagger=health,
        thresholds={"z": s.calibration_z_threshold, "min_count": s.calibration_min_count, **th.__dict__},
    )


def signal_view(org: data.Org, x: fairness.Signal) -> SignalView:
    """A signal with names instead of ids (shared with `fairness_view`)."""
    team = _team_label(org, x.team) if x.team is not None else None
    return SignalView(x.kind, tuple(_who(org, p) for p in x.people), team, x.counts)


def _unrecognised(org: data.Org, scope: frozenset[int], tallies: dict[int, data.PersonTally]) -> list[Who]:
    return sorted((_who(org, p) for p in scope if not tallies[p].recognised), key=lambda w: w.email)
