"""Teams: creating and configuring one, and the org questions adapters ask about teams - which
exist, whose locales a team message is written for, which team a manager means - as plain values,
so the rules are the same on every platform.

Split from `liumai.services.org` (the org import), which creates the teams a file names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import InvalidInput
from liumai.services.org_csv import CHANNEL_RE, CHAT_RE, TEAM_RE
from liumai.services.people import get_person, reports_of
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person, Team


def set_team(
    ctx: AppContext,
    key: str,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    slack_channel_id: str | None = None,
    feishu_chat_id: str | None = None,
    actor: str = "cli",
) -> Team:
    """Create or update a team, e.g. to set the channel its weekly digest goes to."""
    key = key.strip().lower()
    _check_team(key, slack_channel_id, feishu_chat_id)
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        created = team is None
        if team is None:
            team = Team(key=key, name_zh=name_zh or key, name_en=name_en or key)
        changes = {
            k: v
            for k, v in (
                ("name_zh", name_zh),
                ("name_en", name_en),
                ("slack_channel_id", slack_channel_id),
                ("feishu_chat_id", feishu_chat_id),
            )
            if v is not None and getattr(team, k) != v
        }
        for k, v in changes.items():
            setattr(team, k, v)
        session.add(team)
        session.flush()
        if created or changes:
            audit.record(
                session, actor, "team.create" if created else "team.update", "team", team.id, changes=sorted(changes)
            )
        return team


def team_keys(ctx: AppContext) -> list[str]:
    """Every team's key, sorted: what a "name a team" reply lists and takes its example from."""
    with unit_of_work(ctx.engine) as session:
        return list(session.exec(select(Team.key).order_by(Team.key)).all())


def team_locales(ctx: AppContext, key: str) -> list[str]:
    """The locales of a team's active members (empty for an unknown team), for choosing the
    language of a message the whole team reads."""
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        if team is None:
            return []
        return list(
            session.exec(
                select(Person.locale).where(Person.team_id == team.id, Person.active == True)  # noqa: E712
            ).all()
        )


def managed_team(ctx: AppContext, manager: str | int) -> str | None:
    """The team a manager means when they name none: their own team if they manage someone in it
    (or manage nobody with a team), else the team of their direct reports when there is exactly
    one; None when that is ambiguous or there is no team, so they have to name it."""
    with unit_of_work(ctx.engine) as session:
        me = get_person(session, manager)
        reports = reports_of(session, me, subtree=False)
        team_ids = {p.team_id for p in reports if p.team_id is not None}
        if me.team_id is not None and (me.team_id in team_ids or not team_ids):
            team_ids = {me.team_id}
        if len(team_ids) != 1:
            return None
        team = session.get(Team, team_ids.pop())
        return team.key if team else None


def _check_team(key: str, slack_channel_id: str | None, feishu_chat_id: str | None) -> None:
    """Refuse a malformed key or platform id before anything is written."""
    if not TEAM_RE.match(key):
        raise InvalidInput("team.bad_key", key=repr(key))
    if slack_channel_id and not CHANNEL_RE.match(slack_channel_id):
        raise InvalidInput("team.bad_channel", value=repr(slack_channel_id))
    if feishu_chat_id and not CHAT_RE.match(feishu_chat_id):
        raise InvalidInput("team.bad_chat", value=repr(feishu_chat_id))


@dataclass(frozen=True)
class TeamView:
    """A stored team as adapters see it: its names and where its digest goes on each platform.

    Satisfies `liumai.services.digest.TeamChannels`, so a poster's `target` can read it too.
    """

    key: str
    name_zh: str
    name_en: str
    slack_channel_id: str | None
    feishu_chat_id: str | None


def find_team(ctx: AppContext, key: str) -> TeamView | None:
    """The team with exactly this key, or None: adapters check a typed team name before acting on
    it and tell the user where a digest went, without holding a row past its transaction."""
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == key)).first()
        if team is None:
            return None
        return TeamView(team.key, team.name_zh, team.name_en, team.slack_channel_id, team.feishu_chat_id)
