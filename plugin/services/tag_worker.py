"""The durable tagging worker: retries failed or interrupted tagging until every nomination has
suggestions, so no nomination is ever lost or left waiting forever.

Jobs are claimed with a lease. On PostgreSQL several workers claim with
`SELECT ... FOR UPDATE SKIP LOCKED`, so they never block on or double-claim a row; on SQLite
(one writer at a time) the claim is an UPDATE guarded by the row's current state, checked by
its row count, which is equally safe. A worker that dies mid-job leaves a lease that expires,
and the job is claimed again. After `max_attempts` failures of the primary tagger the fallback
(offline) tagger answers, so a broken LLM can delay suggestions but never withhold them.

No poison job: each job runs in transactions of its own, and whatever goes wrong with one job
(its answer refused by the database, a bug) is counted as that job's attempt and logged as one
line, and the batch goes on (see `tag_jobs.store_answer`).
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select

from liumai.services import tag_jobs
from liumai.services.context import AppContext
from liumai.services.errors import Unavailable
from liumai.services.uow import describe_failure, unit_of_work
from liumai.storage.models import Nomination, TagJob
from liumai.tagging.base import TagContext, Tagger

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 120.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


def _claimable(now):
    return or_(
        (TagJob.status == "queued") & (TagJob.next_attempt_at <= now),
        (TagJob.status == "running") & (TagJob.lease_until < now),
    )


def claim(ctx: AppContext, worker: str, limit: int = 10, lease_s: float = DEFAULT_LEASE_S) -> list[int]:
    """Claim up to `limit` due jobs for `worker`; returns their ids."""
    now = ctx.now()
    lease_until = now + timedelta(seconds=lease_s)
    claimed: list[int] = []
    with unit_of_work(ctx.engine) as session:
        stmt = (
            select(TagJob.id).where(_claimable(now)).order_by(col(TagJob.next_attempt_at), col(TagJob.id)).limit(limit)
        )
        if ctx.engine.dialect.name == "postgresql":
            ids = list(session.exec(stmt.with_for_update(skip_locked=True)).all())
            if ids:
                session.exec(
                    update(TagJob)
                    .where(col(TagJob.id).in_(ids))
                    .values(status="running", lease_until=lease_until, worker=worker, updated_at=now)
                )
            return ids
        for job_id in session.exec(stmt).all():
            res = session.exec(
                update(TagJob)
                .where(col(TagJob.id) == job_id, _claimable(now))
                .values(status="running", lease_until=lease_until, worker=worker, updated_at=now)
            )
            if res.rowcount == 1:
                claimed.append(job_id)
    return claimed


@dataclass
class WorkerStats:
    tagged: int = 0
    failed: int = 0
    fallbacks: int = 0
    errors: list[str] = field(default_factory=list)


def process(
    ctx: AppContext,
    job_id: int,
    worker: str,
    *,
    tagger: Tagger | None = None,
    fallback: Tagger | None = None,
    max_attempts: int = 6,
    stats: WorkerStats | None = None,
) -> bool:
    """Tag the job's nomination; True when suggestions are stored."""
    stats = stats or WorkerStats()
    with unit_of_work(ctx.engine) as session:
        job = session.get(TagJob, job_id)
        if job is None or job.worker != worker or job.status != "running":
            return False  # lost the lease to another worker
        nomination = session.get(Nomination, job.nomination_id)
        attempts = job.attempts
        # A 'suggested' nomination with a queued job holds offline fallback suggestions awaiting an
        # LLM upgrade (see tag_jobs.store_suggestions); anything else is finished.
        if nomination is None or nomination.status not in ("pending_tag", "suggested"):
            job.status = "done"
            job.lease_until = None
            session.add(job)
            return False
        story, hint, nomination_id = nomination.story, nomination.value_hint, nomination.id
    use = tagger or ctx.tagger
    if attempts >= max_attempts and fallback is not None:
        use = fallback
        stats.fallbacks += 1
    try:
        result = use.suggest(story, TagContext(value_hint=hint))
    except Exception as exc:
        _failed(stats, job_id, nomination_id, exc)
        log.warning(
            "worker %s: tag job %s (nomination %s) failed (attempt %s): %s",
            worker,
            job_id,
            nomination_id,
            attempts + 1,
            describe_failure(exc),
        )
        # The fallback itself failing will not pass by retrying; anything else is tried again.
        tag_jobs.record_job_failure(ctx, nomination_id, exc, final=use is fallback and not isinstance(exc, Unavailable))
        return False
    stand_in = fallback if fallback is not None else getattr(use, "fallback", None)
    if tag_jobs.store_answer(ctx, job_id, nomination_id, story, result, stand_in, hint) is None:
        stats.failed += 1
        stats.errors.append(f"{nomination_id}: not stored")
        return False
    stats.tagged += 1
    return True


def _failed(stats: WorkerStats, job_id: int, nomination_id: int | None, exc: BaseException) -> None:
    stats.failed += 1
    who = nomination_id if nomination_id is not None else f"job {job_id}"
    stats.errors.append(f"{who}: {describe_failure(exc)}")


def _job_nomination(ctx: AppContext, job_id: int) -> int | None:
    """The job's nomination id, or None when even that cannot be read (the lease then protects it)."""
    try:
        with unit_of_work(ctx.engine) as session:
            job = session.get(TagJob, job_id)
            return job.nomination_id if job is not None else None
    except Exception:
        return None


def run_once(
    ctx: AppContext,
    worker: str | None = None,
    *,
    batch: int = 10,
    lease_s: float = DEFAULT_LEASE_S,
    tagger: Tagger | None = None,
    fallback: Tagger | None = None,
    max_attempts: int = 6,
    stats: WorkerStats | None = None,
) -> int:
    """Claim one batch and process it; returns how many jobs were claimed (0: nothing due).

    A job that fails in a way `process` did not handle (a bug, a database fault while reading it)
    fails alone: it is logged as one line, counted as an attempt, and the batch goes on.
    """
    worker = worker or worker_name()
    stats = stats if stats is not None else WorkerStats()
    ids = claim(ctx, worker, batch, lease_s)
    for job_id in ids:
        try:
            process(ctx, job_id, worker, tagger=tagger, fallback=fallback, max_attempts=max_attempts, stats=stats)
        except Exception as exc:
            nomination_id = _job_nomination(ctx, job_id)
            _failed(stats, job_id, nomination_id, exc)
            log.error(
                "worker %s: tag job %s (nomination %s) failed: %s", worker, job_id, nomination_id, describe_failure(exc)
            )
            if nomination_id is not None:
                tag_jobs.record_job_failure(ctx, nomination_id, exc)
    return len(ids)


def run_forever(
    ctx: AppContext,
    stop: threading.Event,
    *,
    poll_s: float = 2.0,
    fallback: Tagger | None = None,
    worker: str | None = None,
) -> WorkerStats:
    """The loop `liumai serve` runs in a thread: drain due jobs, then wait for more."""
    worker = worker or worker_name()
    stats = WorkerStats()
    while not stop.is_set():
        try:
            claimed = run_once(ctx, worker, fallback=fallback, stats=stats)
        except Exception as exc:  # a database hiccup must not kill the worker; the lease protects the job
            log.error("tag worker %s: batch failed: %s", worker, describe_failure(exc))
            claimed = 0
        if not claimed:
            stop.wait(poll_s)
    return stats
