"""Weekly team digests: what the team was recognised for, posted once per team, week and destination.

A digest shows recognitions by value, a few highlighted stories, the values nobody in the team
was recognised for this quarter, and newcomers' first recognitions. It never shows scores,
concerns, rejected evidence or a story its nominator marked private.

Posting is idempotent across crashes and replicas: a `digest_run` row (unique per team, week and
destination - "slack:C123", "feishu:oc_abc", so each platform gets its own post whichever path posts
first) is claimed with a lease before anything is sent; a poster that crashes leaves a claim that
expires; before sending, each platform poster checks whether its message is already there
(Slack message metadata, Feishu's request uuid), so a crash between sending and recording never
doubles a post. Posts to one channel are spaced to respect Slack's per-channel rate limit.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from liumai.periods import quarter_of, week_bounds
from liumai.rubric.model import Polarity
from liumai.services.context import AppContext
from liumai.services.digest_model import Digest as Digest
from liumai.services.digest_model import DigestPoster as DigestPoster
from liumai.services.digest_model import DigestStory as DigestStory
from liumai.services.digest_model import PostOutcome as PostOutcome
from liumai.services.digest_model import Spacer as Spacer
from liumai.services.digest_model import TeamChannels as TeamChannels
from liumai.services.digest_model import destination as destination
from liumai.services.digest_queries import MAX_IN_LIST, newcomers, quarter_values_by_team
from liumai.services.errors import InvalidInput, PermissionDenied
from liumai.services.org import TEAM_RE
from liumai.services.people import can_manage, get_person
from liumai.services.text import clean_text
from liumai.services.uow import unit_of_work
from liumai.storage.models import DigestRun, Evidence, Nomination, Person, Team

log = logging.getLogger(__name__)

CONFORMING = Polarity.CONFORMING.value
MAX_HIGHLIGHTS = 3
CLAIM_LEASE_S = 300.0


def _team(session, key: str) -> Team:
    key = clean_text(key).strip().lower()
    team = session.exec(select(Team).where(Team.key == key)).first() if TEAM_RE.match(key) else None
    if team is None:
        raise InvalidInput("team.unknown", team=repr(key))
    return team


def require_team_manager(session, viewer: str | int, team: Team) -> None:
    """Admins, and managers of at least one member of the team (who are not themselves the only member)."""
    actor = get_person(session, viewer)
    if actor.is_admin:
        return
    members = session.exec(select(Person).where(Person.team_id == team.id, Person.active == True)).all()  # noqa: E712
    if not any(can_manage(session, actor, m) for m in members):
        raise PermissionDenied("permission.not_manager", subject=team.name_en or team.key)


def authorize_digest_preview(ctx: AppContext, team_key: str, viewer: str | int) -> None:
    """Refuse a preview of a team's digest to anyone `require_team_manager` refuses.

    A preview shows stories before the team sees them, so it is for the team's managers; posting
    is checked by `post_digest` itself. `team_key` is matched exactly (an unknown key is refused
    as invalid input), as the adapter passes it on already lower-cased.
    """
    with unit_of_work(ctx.engine) as session:
        team = session.exec(select(Team).where(Team.key == team_key)).first()
        if team is None:
            raise InvalidInput("team.unknown", team=repr(team_key))
        require_team_manager(session, viewer, team)


def build_digest(ctx: AppContext, team_key: str, week: str) -> Digest:
    return build_digests(ctx, week, [team_key])[0]


def build_digests(ctx: AppContext, week: str, team_keys: list[str] | None = None) -> list[Digest]:
    """The digests of several teams (all when None) for one ISO week, in four queries in total."""
    try:
        start, end = week_bounds(week, ctx.settings.tz)
    except ValueError:
        raise InvalidInput("week.bad", text=repr(week)) from None
    quarter = quarter_of(start, ctx.settings.tz, ctx.settings.fiscal_year_start_month)
    q_start, _ = quarter.bounds(ctx.settings.tz)
    # A week can straddle two quarters; naming them lets the (subject, period) index do the work.
    last = quarter_of(end - timedelta(microseconds=1), ctx.settings.tz, ctx.settings.fiscal_year_start_month)
    week_quarters = sorted({str(quarter), str(last)})
    with unit_of_work(ctx.engine) as session:
        if team_keys is None:
            teams = list(session.exec(select(Team).order_by(col(Team.id))).all())
        else:
            teams = [_team(session, k) for k in team_keys]
        team_ids = [t.id for t in teams]
        common = (
            Person.team_id.in_(team_ids),  # type: ignore[union-attr]
            Evidence.polarity == CONFORMING,
            Evidence.status != "rejected",
            Nomination.private == False,  # noqa: E712
        )
        # This week's recognitions of every team's members: columns only (entity loading costs more).
        week_rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for at most 4 columns
                Evidence.id,
                Evidence.subject_id,
                Evidence.criterion,
                Evidence.status,
                Nomination.story,
                Nomination.nominator_id,
                Nomination.created_at,
                Nomination.source_link,
                Person.team_id,
            )
            .join(Nomination, Evidence.nomination_id == Nomination.id)
            .join(Person, Evidence.subject_id == Person.id)
            .where(
                *common,
                Evidence.period.in_(week_quarters),  # type: ignore[attr-defined]
                Nomination.created_at >= start,
                Nomination.created_at < end,
                # the same week on the evidence side (its occurred_at is its nomination's
                # created_at), so the planner can start from either index
                col(Evidence.occurred_at) >= start,
                col(Evidence.occurred_at) < end,
            )
            .order_by(Nomination.created_at, Nomination.id)
        ).all()
        quarter_values = quarter_values_by_team(session, team_ids, str(quarter), q_start, end)
        subjects = {r[1] for r in week_rows}
        first_timers = newcomers(session, subjects, start, end, team_ids)
        # Names of just the people in this week's stories; for thousands of them, one read of the
        # names is cheaper than a statement with thousands of parameters (bench/scale.py).
        wanted = subjects | {r[5] for r in week_rows}
        names_of = select(Person.id, Person.display_name)
        if len(wanted) <= MAX_IN_LIST:
            names_of = names_of.where(col(Person.id).in_(wanted))
        names = dict(session.exec(names_of).all()) if wanted else {}
    by_team: dict[int, list[tuple]] = {t: [] for t in team_ids}
    for r in week_rows:
        by_team[r[8]].append(r)
    return [
        _assemble(ctx, t, week, str(quarter), by_team[t.id], quarter_values[t.id], first_timers, names) for t in teams
    ]


def _assemble(
    ctx: AppContext,
    team: Team,
    week: str,
    quarter: str,
    rows: list[tuple],
    quarter_values: set[str],
    newcomers: set[int],
    names: dict,
) -> Digest:
    by_value = {k: 0 for k in ctx.rubric.value_keys}
    week_stories: list[tuple[tuple, DigestStory]] = []
    for r in rows:
        key = r[2].split(".", 1)[0]
        if key in by_value:
            by_value[key] += 1
        week_stories.append((r, DigestStory(names.get(r[1], "?"), names.get(r[5], "?"), r[2], r[4], r[6], r[7])))
    highlights = _highlights(week_stories)
    firsts = _first_recognitions(week_stories, newcomers)
    return Digest(
        team_key=team.key,
        team_name_zh=team.name_zh,
        team_name_en=team.name_en,
        week=week,
        quarter=quarter,
        by_value=by_value,
        highlights=highlights,
        values_missing_this_quarter=[k for k in ctx.rubric.value_keys if k not in quarter_values],
        first_recognitions=firsts,
        total=len(week_stories),
        stories=[s for _r, s in week_stories],
    )


def _highlights(week_stories: list[tuple[tuple, DigestStory]]) -> list[DigestStory]:
    """Accepted before pending, one per value first (variety), then the fuller stories."""
    ranked = [s for _r, s in sorted(week_stories, key=lambda rs: (rs[0][3] != "accepted", -len(rs[1].text), rs[0][0]))]
    highlights: list[DigestStory] = []
    used_values: set[str] = set()
    for s in ranked:
        v = s.criterion.split(".", 1)[0]
        if v not in used_values and len(highlights) < MAX_HIGHLIGHTS:
            highlights.append(s)
            used_values.add(v)
    for s in ranked:
        if len(highlights) >= MAX_HIGHLIGHTS:
            break
        if s not in highlights:
            highlights.append(s)
    return highlights


def _first_recognitions(week_stories: list[tuple[tuple, DigestStory]], newcomers: set[int]) -> list[DigestStory]:
    """One story for each nominee first recognised this week (their first evidence ever falls in it)."""
    firsts = []
    seen_people: set[str] = set()
    for r, s in week_stories:
        if r[1] in newcomers and s.nominee not in seen_people:
            firsts.append(s)
            seen_people.add(s.nominee)
    return firsts


def _claim(ctx: AppContext, team_id: int, week: str, dest: str, owner: str) -> str:
    """'claimed' if we own the (team, week, destination) run now, else 'posted' or 'in_progress'.

    The unique key makes the insert the claim: of two replicas inserting at once, the database
    lets exactly one through; the other reads the winner's row.
    """
    now = ctx.now()
    lease = now + timedelta(seconds=CLAIM_LEASE_S)
    with unit_of_work(ctx.engine) as session:
        session.add(
            DigestRun(
                team_id=team_id,
                week=week,
                destination=dest,
                status="claimed",
                claimed_by=owner,
                lease_until=lease,
                created_at=now,
            )
        )
        try:
            session.flush()
            return "claimed"
        except IntegrityError:
            session.rollback()
    with unit_of_work(ctx.engine) as session:
        run = session.exec(
            select(DigestRun).where(
                col(DigestRun.team_id) == team_id, col(DigestRun.week) == week, col(DigestRun.destination) == dest
            )
        ).one()
        if run.status == "posted":
            return "posted"
        if run.lease_until is not None and run.lease_until > now:
            return "in_progress"
        # The previous poster crashed: take the run over, guarded against a concurrent take-over.
        res = session.exec(
            update(DigestRun)
            .where(
                col(DigestRun.id) == run.id,
                col(DigestRun.status) == "claimed",
                col(DigestRun.claimed_by) == run.claimed_by,
            )
            .values(claimed_by=owner, lease_until=lease)
        )
        return "claimed" if res.rowcount == 1 else "in_progress"


def _record(ctx: AppContext, team_id: int, week: str, dest: str, platform: str, message: str) -> None:
    with unit_of_work(ctx.engine) as session:
        session.exec(
            update(DigestRun)
            .where(col(DigestRun.team_id) == team_id, col(DigestRun.week) == week, col(DigestRun.destination) == dest)
            .values(status="posted", posted_at=ctx.now(), lease_until=None, detail=json.dumps({platform: message}))
        )


def _overall(states: dict[str, str]) -> str:
    """One word for the whole outcome: a failure first, then anything posted now, then waiting."""
    for status in ("failed", "posted", "in_progress"):
        if status in states.values():
            return status
    return "already_posted"


def post_digest(
    ctx: AppContext,
    team_key: str,
    week: str,
    posters: list[DigestPoster],
    *,
    owner: str = "liumai",
    spacer: Spacer | None = None,
    viewer: str | int | None = None,
    digest: Digest | None = None,
) -> PostOutcome:
    """Post one team's digest to each of its destinations that has not had it yet.

    Each destination (a platform's channel) is claimed on its own, so posting a week to Feishu
    never counts as posting it to Slack; a failure at one destination leaves its claim to expire
    and does not stop the others. `viewer` (posting by hand) must be an admin or a team manager.
    """
    with unit_of_work(ctx.engine) as session:
        team = _team(session, team_key)
        if viewer is not None:
            require_team_manager(session, viewer, team)
    digest = digest or build_digest(ctx, team_key, week)
    targets = [(p, t) for p in posters if (t := p.target(team))]
    if not targets:
        return PostOutcome(team.key, week, "no_target")
    outcome = PostOutcome(team.key, week, "posted")
    errors: list[str] = []
    for poster, target in targets:
        dest = destination(poster.platform, target)
        state = _claim(ctx, team.id, week, dest, owner)
        if state != "claimed":
            outcome.destinations[dest] = "already_posted" if state == "posted" else state
            continue
        try:
            if poster.already_posted(target, digest):
                message = "existing"
            else:
                if spacer is not None:
                    spacer.wait(dest)
                message = poster.post(target, digest)
        except Exception as exc:
            # Leave the claim to expire: the next run re-checks the platform and posts if missing.
            log.warning("digest %s %s -> %s: posting failed: %s", team.key, week, dest, exc)
            outcome.destinations[dest] = "failed"
            errors.append(f"{exc.__class__.__name__}: {exc}")
            continue
        _record(ctx, team.id, week, dest, poster.platform, message)
        outcome.posted[poster.platform] = message
        outcome.destinations[dest] = "posted"
    outcome.status = _overall(outcome.destinations)
    outcome.error = "; ".join(errors) or None
    return outcome


def previous_week(ctx: AppContext) -> str:
    """The ISO week that ended most recently (a Monday-morning digest covers last week)."""
    local = ctx.now().astimezone(ctx.settings.tz) - timedelta(days=7)
    y, w, _ = local.isocalendar()
    return f"{y}-W{w:02d}"


def post_all(
    ctx: AppContext,
    week: str,
    posters: list[DigestPoster],
    *,
    owner: str = "liumai",
    spacer: Spacer | None = None,
) -> list[PostOutcome]:
    """Every team's digest for `week` (what the scheduler runs): built together, posted one by one."""
    spacer = spacer or Spacer()
    return [
        post_digest(ctx, d.team_key, week, posters, owner=owner, spacer=spacer, digest=d)
        for d in build_digests(ctx, week)
    ]
