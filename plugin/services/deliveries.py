"""Doing a platform delivery's work once: retried events, double clicks, replicas racing.

Slack retries events it thinks were lost (`X-Slack-Retry-Num`), Feishu re-pushes events until
acknowledged, and people double-click. A unique row per (platform, key) in `processed_event`
makes "do this once" hold across processes, replicas and restarts. Shared by both adapters so
neither touches storage for it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from liumai.services.context import AppContext
from liumai.services.people import Profile, find_person, to_profile
from liumai.services.uow import unit_of_work
from liumai.storage.models import ProcessedEvent

KEY_MAX = 128


def claim(ctx: AppContext, platform: str, key: str) -> bool:
    """True exactly once per (platform, key): the first delivery does the work, repeats do nothing."""
    try:
        with unit_of_work(ctx.engine) as session:
            session.add(ProcessedEvent(platform=platform, event_id=key[:KEY_MAX], received_at=ctx.now()))
        return True
    except IntegrityError:
        return False


def release(ctx: AppContext, platform: str, key: str) -> None:
    """Forget a claim whose work was refused (e.g. invalid input), so a corrected retry may run."""
    with unit_of_work(ctx.engine) as session:
        session.exec(
            delete(ProcessedEvent).where(
                col(ProcessedEvent.platform) == platform, col(ProcessedEvent.event_id) == key[:KEY_MAX]
            )
        )


def prune(ctx: AppContext, platform: str, older_than_days: int = 7) -> int:
    """Drop old claims: platforms stop retrying within minutes (Slack) or hours (Feishu)."""
    cutoff = ctx.now() - timedelta(days=older_than_days)
    with unit_of_work(ctx.engine) as session:
        res = session.exec(
            delete(ProcessedEvent).where(
                col(ProcessedEvent.platform) == platform, col(ProcessedEvent.received_at) < cutoff
            )
        )
        return res.rowcount or 0


def profile(ctx: AppContext, ref: str | int) -> Profile | None:
    """A person by any identity (`slack:U…`, `feishu:ou_…`, e-mail, id), or None when unknown."""
    with unit_of_work(ctx.engine) as session:
        p = find_person(session, ref)
        if p is None:
            return None
        return to_profile(p)
