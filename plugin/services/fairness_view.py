"""Fairness signals about a person, for the managers who decide their evidence.

The same signals as calibration (`liumai.services.fairness`), read around the people asked about:
their teams, whoever nominated them or was nominated by them in the quarter, and the nominations
among those people (so a ring through two colleagues is seen). `signals_about` serves one person
(the CLI); `signals_for_review` a whole review queue at once (`review_room`, the chat surfaces).
Only the person's managers and admins may ask (`can_manage`), as for deciding their evidence; a
signal is shown, never scored.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from liumai.services import calibration_data as data
from liumai.services import fairness
from liumai.services.calibration import SignalView, signal_view
from liumai.services.context import AppContext
from liumai.services.errors import PermissionDenied
from liumai.services.evidence import EvidenceView
from liumai.services.people import can_manage, get_person
from liumai.services.quarters import resolve_quarter
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person


def signals_about(
    ctx: AppContext, person: str | int, quarter: str | None = None, *, viewer: str | int | None = None
) -> list[SignalView]:
    """Signals that name `person` (or, for concentration, their team); `viewer=None` is the operator."""
    with unit_of_work(ctx.engine) as session:
        subject = get_person(session, person, active=False)
        return _signals(ctx, session, [subject], quarter, viewer).get(subject.email, [])


def signals_for_review(
    ctx: AppContext, items: Sequence[EvidenceView], *, viewer: str | int
) -> dict[tuple[str, str], list[SignalView]]:
    """The signals about the people of a review queue, by (e-mail, quarter of the evidence).

    Each quarter's signals are computed once for all the queue's people of that quarter (one read
    of the org and of the nominations around them), so ten people cost about what one does. The
    viewer must manage every one of them, as for deciding their evidence; people with no signal
    are left out.
    """
    by_quarter: dict[str, list[str]] = {}
    for e in items:
        who = by_quarter.setdefault(e.period, [])
        if e.subject_email not in who:
            who.append(e.subject_email)
    out: dict[tuple[str, str], list[SignalView]] = {}
    with unit_of_work(ctx.engine) as session:
        for quarter, emails in sorted(by_quarter.items()):
            subjects = [get_person(session, email, active=False) for email in emails]
            for email, views in _signals(ctx, session, subjects, quarter, viewer).items():
                if views:
                    out[(email, quarter)] = views
    return out


def _signals(
    ctx: AppContext, session: Session, subjects: list[Person], quarter: str | None, viewer: str | int | None
) -> dict[str, list[SignalView]]:
    q = resolve_quarter(ctx, quarter)
    if viewer is not None:
        _require_manager_of_all(session, get_person(session, viewer), subjects)
    org = data.load_org(session)
    teams = {s.team_id: _team(org, s.team_id) for s in subjects}
    near = frozenset({s.id for s in subjects}.union(*teams.values()))
    around = _around(session, q, near)
    pairs = data.nomination_pairs(session, q, around, whole_org=False)
    th = fairness.FairnessThresholds.from_settings(ctx.settings)
    times = data.pair_times(session, q, fairness.reciprocal_candidates(pairs, th))
    team_of = {p.id: p.team_id for p in org.people.values() if p.active}
    sizes = {team: len(members) for team, members in teams.items() if team is not None}
    found = fairness.signals(pairs, times, team_of, th, scope=around, team_sizes=sizes)
    out: dict[str, list[SignalView]] = {}
    for s in subjects:
        mine = [x for x in found if x.involves(s.id) or (x.kind == "concentrated" and x.team == s.team_id)]
        out[s.email] = [signal_view(org, x) for x in mine]
    return out


def _require_manager_of_all(session: Session, actor: Person, subjects: list[Person]) -> None:
    for subject in subjects:
        if not can_manage(session, actor, subject):
            raise PermissionDenied("permission.not_manager", subject=subject.display_name)


def _team(org: data.Org, team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    return {p.id for p in org.people.values() if p.active and p.team_id == team_id}


def _around(session: Session, quarter: str, near: frozenset[int]) -> frozenset[int]:
    """`near` and everyone who nominated or was nominated by one of them this quarter."""
    first = data.nomination_pairs(session, quarter, near, whole_org=False)
    return frozenset(near | {p.nominator for p in first} | {p.nominee for p in first})


__all__ = ["signals_about", "signals_for_review"]
