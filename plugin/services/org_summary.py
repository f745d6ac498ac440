"""The whole org's quarterly summary, produced team by team so memory is bounded by the largest team.

`org_plan` decides who may see what (the operator at the command line and admins: everyone; a
manager: the people below them; anyone else is refused) and reads only the org chart: which
active people, grouped by team, in team-key order (people in no team last), and everyone's name.
`org_sections` then yields one `TeamSummary` per team, each built from one query for that team's
evidence of the quarter and the three before it, exactly as `team_summary` builds a team (the
nominators' names come from the chart read once); a renderer writes it and drops it before the
next team is read. Nothing here holds more than one team's summaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import col, select

from liumai.services import calibration_data as data
from liumai.services.context import AppContext
from liumai.services.errors import PermissionDenied
from liumai.services.people import get_person
from liumai.services.quarters import resolve_quarter
from liumai.services.summaries import TeamSummary, build_team, load_rows, trend_quarters
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person

NO_TEAM = ""  # the key of the section of people in no team


@dataclass(frozen=True)
class TeamPlan:
    key: str  # the team's key, or NO_TEAM
    title: str
    people: tuple[int, ...]  # person ids, in id order


@dataclass(frozen=True)
class OrgPlan:
    """What an org summary will cover, read from the org chart only (no evidence yet)."""

    quarter: str
    quarters: tuple[str, ...]  # the trend's quarters, oldest first, this one last
    rubric_version: str
    scope: str | None  # None: the whole org; else whose subtree (display name)
    teams: tuple[TeamPlan, ...]
    names: Mapping[int, str] = field(default_factory=dict, repr=False, compare=False)  # id -> display name

    @property
    def people(self) -> int:
        return sum(len(t.people) for t in self.teams)


def org_plan(ctx: AppContext, quarter: str | None = None, *, viewer: str | int | None = None) -> OrgPlan:
    """`viewer=None` is the operator (the whole org); an admin sees the whole org, a manager the
    people below them (never themselves), anyone else is refused before anything is read."""
    q = resolve_quarter(ctx, quarter)
    with unit_of_work(ctx.engine) as session:
        org = data.load_org(session)
        actor = get_person(session, viewer) if viewer is not None else None
        ids, scope = _people_in_scope(org, actor)
    by_team: dict[int | None, list[int]] = {}
    for pid in sorted(ids):
        by_team.setdefault(org.people[pid].team_id, []).append(pid)
    teams = [TeamPlan(org.teams[t][0], _title(org.teams[t]), tuple(m)) for t, m in by_team.items() if t is not None]
    teams.sort(key=lambda t: t.key)
    if None in by_team:
        teams.append(TeamPlan(NO_TEAM, "—", tuple(by_team[None])))
    names = {p.id: p.name for p in org.people.values()}  # nominators' names, inactive people included
    return OrgPlan(q, tuple(trend_quarters(ctx, q)), ctx.rubric.version, scope, tuple(teams), names)


def _people_in_scope(org: data.Org, actor: Person | None) -> tuple[set[int], str | None]:
    """(active people the actor may summarise, whose subtree or None for the whole org)."""
    if actor is None or actor.is_admin:
        ids = {p.id for p in org.people.values() if p.active}
        scope = None
    elif any(org.people[c].active for c in org.children.get(actor.id, ())):
        ids = {i for i in org.subtree(actor.id) if org.people[i].active}
        scope = actor.display_name
    else:
        raise PermissionDenied("permission.org_summary")
    if actor is not None:
        ids.discard(actor.id)
    return ids, scope


def _title(team: tuple[str, str, str]) -> str:
    _key, zh, en = team
    return f"{zh} / {en}" if zh != en else en


def org_sections(ctx: AppContext, plan: OrgPlan) -> Iterator[tuple[TeamPlan, TeamSummary]]:
    """Each team of the plan with its summary, one team read at a time (one query per team).

    One read-only transaction for the whole pass, so every team is read from the same snapshot on
    PostgreSQL; the session forgets each team's rows before the next. The per-team queries are
    small: on PostgreSQL they run without parallel workers, whose start-up cost more than the
    query (bench/scale.py)."""
    quarters = list(plan.quarters)
    with unit_of_work(ctx.engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        for team in plan.teams:
            people = list(
                session.exec(select(Person).where(col(Person.id).in_(team.people)).order_by(col(Person.id))).all()
            )
            rows = load_rows(session, people, quarters, join_names=False) if people else {}
            summary = build_team(ctx, team.title, plan.quarter, people, rows, quarters, plan.names)
            session.expunge_all()
            yield team, summary


__all__ = ["NO_TEAM", "OrgPlan", "TeamPlan", "org_plan", "org_sections"]
