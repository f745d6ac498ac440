"""Fairness signals about one person, for the managers who decide their evidence.

The same signals as calibration (`liumai.services.fairness`), read around one person: their team,
whoever nominated them or was nominated by them this quarter, and the nominations among those
people (so a ring through two colleagues is seen). Only the person's managers and admins may ask
(`can_manage`), as for deciding their evidence; a signal is shown, never scored.
"""

from __future__ import annotations

from sqlmodel import Session

from liumai.services import calibration_data as data
from liumai.services import fairness
from liumai.services.calibration import SignalView, signal_view
from liumai.services.context import AppContext
from liumai.services.errors import PermissionDenied
from liumai.services.people import can_manage, get_person
from liumai.services.quarters import resolve_quarter
from liumai.services.uow import unit_of_work


def signals_about(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> list[SignalView]:
    """Signals that name `person` (or, for concentration, their team); `viewer=None` is the operator."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        subject = get_person(session, person, active=False)
        if viewer is not None and not can_manage(session, get_person(session, viewer), subject):
            raise PermissionDenied("permission.not_manager", subject=subject.display_name)
        org = data.load_org(session)
        team = _team(org, subject.team_id)
        around = _around(session, q, frozenset(team | {subject.id}))
        pairs = data.nomination_pairs(session, q, around, whole_org=False)
        th = fairness.FairnessThresholds.from_settings(ctx.settings)
        times = data.pair_times(session, q, fairness.reciprocal_candidates(pairs, th))
        team_of = {p.id: p.team_id for p in org.people.values() if p.active}
        sizes = {subject.team_id: len(team)} if subject.team_id is not None else {}
        found = fairness.signals(pairs, times, team_of, th, scope=around, team_sizes=sizes)
        mine = [s for s in found if s.involves(subject.id) or (s.kind == "concentrated" and s.team == subject.team_id)]
        return [signal_view(org, s) for s in mine]


def _team(org: data.Org, team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    return {p.id for p in org.people.values() if p.active and p.team_id == team_id}


def _around(session: Session, quarter: str, near: frozenset[int]) -> frozenset[int]:
    """`near` and everyone who nominated or was nominated by one of them this quarter."""
    first = data.nomination_pairs(session, quarter, near, whole_org=False)
    return frozenset(near | {p.nominator for p in first} | {p.nominee for p in first})


__all__ = ["signals_about"]
