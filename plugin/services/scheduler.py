"""The weekly digest schedule `liumai serve` runs: APScheduler on LIUMAI_DIGEST_CRON in LIUMAI_TIMEZONE.

Several replicas may run the same schedule: posting claims each (team, week, destination) in the
database, so exactly one of them posts to each channel and the others see 'in_progress' or
'already_posted'.
"""

from __future__ import annotations

import logging
import socket
import uuid

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from liumai.config import ConfigError
from liumai.services import digest as dg
from liumai.services.context import AppContext

log = logging.getLogger(__name__)


def digest_trigger(cron: str, tz) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(cron, timezone=tz)
    except ValueError as exc:
        raise ConfigError.of("LIUMAI_DIGEST_CRON", "cron", value=repr(cron), detail=str(exc)) from None


def run_weekly_digests(ctx: AppContext, posters: list[dg.DigestPoster], owner: str) -> list[dg.PostOutcome]:
    week = dg.previous_week(ctx)
    outcomes = dg.post_all(ctx, week, posters, owner=owner)
    for o in outcomes:
        log.info("digest %s %s: %s %s", o.team, o.week, o.status, o.error or "")
    return outcomes


def run_retention(ctx: AppContext) -> dict[str, int] | None:
    from liumai.services.data_rights import purge_older_than

    if not ctx.settings.retention_days:
        return None
    out = purge_older_than(ctx, ctx.settings.retention_days)
    log.info("retention (%s days): %s", ctx.settings.retention_days, out)
    return out


def start_digest_scheduler(ctx: AppContext, posters: list[dg.DigestPoster]) -> BackgroundScheduler | None:
    """Weekly digests (when a platform can post them) and the daily retention purge (when set)."""
    if not posters and not ctx.settings.retention_days:
        return None
    scheduler = BackgroundScheduler(timezone=ctx.settings.tz)
    if posters:
        trigger = digest_trigger(ctx.settings.digest_cron, ctx.settings.tz)
        owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:6]}"
        scheduler.add_job(
            run_weekly_digests,
            trigger,
            args=(ctx, posters, owner),
            id="weekly-digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    if ctx.settings.retention_days:
        scheduler.add_job(
            run_retention,
            CronTrigger(hour=3, minute=17, timezone=ctx.settings.tz),
            args=(ctx,),
            id="retention",
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("scheduled %s, next at %s", job.id, job.next_run_time)
    return scheduler
