"""The two small database reads and writes the adapter needs that no use case covers.

- Who a Slack user is (their stored locale, so replies come in their language) - read-only,
  through the services' own `find_person`, so identity resolution stays in one place.
- Delivery de-duplication in the `processed_event` table: Slack retries events it thinks were
  lost (`X-Slack-Retry-Num`), users double-click, and a concern has no idempotency key of its
  own; a unique row per (platform, key) makes "do this once" hold across processes and restarts.

Both could move into `plugin.services` when Feishu needs them too; they carry no business rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from plugin.services.context import AppContext
from plugin.services.people import find_person
from storage.db import session_scope
from storage.models import ProcessedEvent

PLATFORM = "slack"


@dataclass(frozen=True)
class KnownPerson:
    display_name: str
    locale: str
    active: bool


def known_person(ctx: AppContext, user_id: str) -> KnownPerson | None:
    """The org-chart person behind a Slack user id, or None when they are not imported."""
    with session_scope(ctx.engine) as session:
        p = find_person(session, f"slack:{user_id}")
        return KnownPerson(p.display_name, p.locale, p.active) if p else None


def claim(ctx: AppContext, key: str) -> bool:
    """True exactly once per key: the first delivery does the work, repeats do nothing."""
    key = key[:128]
    try:
        with session_scope(ctx.engine) as session:
            session.add(ProcessedEvent(platform=PLATFORM, event_id=key, received_at=ctx.now()))
        return True
    except IntegrityError:
        return False


def release(ctx: AppContext, key: str) -> None:
    """Forget a claim whose work was refused (e.g. invalid input), so a corrected retry may run."""
    with session_scope(ctx.engine) as session:
        session.exec(
            delete(ProcessedEvent).where(ProcessedEvent.platform == PLATFORM, ProcessedEvent.event_id == key[:128])
        )


def prune(ctx: AppContext, older_than_days: int = 30) -> None:
    """Drop old de-duplication rows: Slack stops retrying within minutes."""
    cutoff = ctx.now() - timedelta(days=older_than_days)
    with session_scope(ctx.engine) as session:
        session.exec(
            delete(ProcessedEvent).where(ProcessedEvent.platform == PLATFORM, ProcessedEvent.received_at < cutoff)
        )


def slack_id_of(ctx: AppContext, person_ref: str) -> str | None:
    """The Slack user id of a person named by e-mail (read models carry e-mails, DMs need ids)."""
    with session_scope(ctx.engine) as session:
        p = find_person(session, person_ref)
        return p.slack_user_id if p else None
