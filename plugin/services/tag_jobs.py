"""Tag jobs: running the tagger on a stored nomination, storing its answer once, and finishing
or re-queuing the job.

Split from `liumai.services.nominations` (which stores nominations and lets the nominator confirm
or cancel) because this half is what the tagging worker (`liumai.services.tag_worker`) drives: a
failed try is counted here, an LLM answer may replace offline fallback suggestions here, and an
answer the database refuses is replaced by the offline tagger's here.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import NotFound, Unavailable
from liumai.services.uow import describe_failure, unit_of_work
from liumai.storage.models import Evidence, Nomination, Suggestion, TagJob
from liumai.tagging.base import (
    MAX_QUOTE_CHARS,
    MAX_RATIONALE_CHARS,
    Suggestions,
    TagContext,
    Tagger,
    fit_quote,
    fit_text,
)

log = logging.getLogger(__name__)

LLM_UPGRADE_ATTEMPTS = 4  # LLM tries to replace offline fallback suggestions; after that they stay


def suggestions_of(session: Session, nomination_id: int) -> list[Suggestion]:
    """A nomination's stored suggestions, best first."""
    return list(
        session.exec(
            select(Suggestion).where(col(Suggestion.nomination_id) == nomination_id).order_by(col(Suggestion.rank))
        ).all()
    )


def tag_nomination(ctx: AppContext, nomination_id: int, tagger=None) -> list[Suggestion]:
    """Run the tagger on a stored nomination; on failure the job stays queued with backoff."""
    tagger = tagger or ctx.tagger
    with unit_of_work(ctx.engine) as session:
        nomination = session.get(Nomination, nomination_id)
        if nomination is None:
            raise NotFound("nomination.unknown", id=nomination_id)
        if nomination.status != "pending_tag":
            return suggestions_of(session, nomination_id)
        story, hint = nomination.story, nomination.value_hint
        job_id = session.exec(select(TagJob.id).where(TagJob.nomination_id == nomination_id)).first()
    try:
        result = tagger.suggest(story, TagContext(value_hint=hint))
    except Exception as exc:  # the nomination is safe; the worker will retry
        log.warning("tag job %s (nomination %s): tagging failed: %s", job_id, nomination_id, describe_failure(exc))
        record_job_failure(ctx, nomination_id, exc)
        return []
    stored = store_answer(ctx, job_id, nomination_id, story, result, getattr(tagger, "fallback", None), hint)
    return stored or []


def backoff_s(attempts: int) -> float:
    """Exponential backoff for a failed tagging: 10 s, 20 s, 40 s ... capped at an hour."""
    return float(min(3600, 5 * 2 ** min(attempts, 10)))


def record_job_failure(ctx: AppContext, nomination_id: int, exc: BaseException, *, final: bool = False) -> None:
    """Count a failed try of a tag job, in a transaction of its own (the try's work was rolled
    back): re-queued with backoff, or `failed` for good when `final`. Never raises - if even this
    cannot be written, the job's lease runs out and a worker takes it again."""
    try:
        with unit_of_work(ctx.engine) as session:
            job = session.exec(select(TagJob).where(TagJob.nomination_id == nomination_id)).first()
            if job is None or job.status in ("done", "failed"):
                return  # finished meanwhile (by another worker after this one's lease ran out)
            now = ctx.now()
            job.attempts += 1
            job.lease_until = None
            job.last_error = describe_failure(exc)
            job.updated_at = now
            if final:
                job.status = "failed"  # `worker` stays: who gave up
            else:
                job.status = "queued"
                job.worker = None
                job.next_attempt_at = now + timedelta(seconds=backoff_s(job.attempts))
            session.add(job)
    except Exception as err:
        log.error("tag job of nomination %s: cannot record its failure: %s", nomination_id, describe_failure(err))


def store_answer(
    ctx: AppContext,
    job_id: int | None,
    nomination_id: int,
    story: str,
    result: Suggestions,
    fallback: Tagger | None,
    value_hint: str | None = None,
) -> list[Suggestion] | None:
    """Store a tagger's answer; if it cannot be stored, the attempt counts and the offline tagger answers.

    Why: one answer the database refuses (a value too long for its column, a constraint, a lost
    connection) must neither hold up other jobs nor leave its nominator without suggestions. An
    LLM answer that cannot be stored is replaced at once by the fallback's, stored as a retryable
    `llm_fallback` (so the LLM is asked again, at most LLM_UPGRADE_ATTEMPTS times in all). When no
    answer can be stored, the job is re-queued with backoff after a passing database fault and
    marked `failed` otherwise. Each failure is one ERROR line naming the job, the nomination and
    the error's class, without SQL parameters or story text. None when nothing was stored.
    """
    try:
        return store_suggestions(ctx, nomination_id, result)
    except NotFound:
        log.info("tag job %s: nomination %s is gone (erased); nothing to store", job_id, nomination_id)
        return None
    except Exception as exc:
        failure: Exception = exc
        log.error(
            "tag job %s (nomination %s): storing the %s answer failed: %s",
            job_id,
            nomination_id,
            result.tagger,
            describe_failure(exc),
        )
    if fallback is not None and result.tagger == "llm":
        try:
            offline = fallback.suggest(story, TagContext(value_hint=value_hint))
            meta = {**offline.meta, "fallback_reason": "store_failed", "fallback_retryable": True}
            meta["store_error"] = describe_failure(failure)
            return store_suggestions(ctx, nomination_id, dataclasses.replace(offline, tagger="llm_fallback", meta=meta))
        except Exception as exc:
            failure = exc
            log.error(
                "tag job %s (nomination %s): storing the fallback answer failed too: %s",
                job_id,
                nomination_id,
                describe_failure(exc),
            )
    record_job_failure(ctx, nomination_id, failure, final=not isinstance(failure, Unavailable))
    return None


def wants_llm_retry(result: Suggestions) -> bool:
    """The LLM failed for a reason that may pass (rate limit, outage, deadline): try it again later."""
    return result.tagger == "llm_fallback" and bool(result.meta.get("fallback_retryable"))


def store_suggestions(ctx: AppContext, nomination_id: int, result: Suggestions) -> list[Suggestion]:
    """Record a tagger's answer once (see `_store_suggestions`); a concurrent loser gets the winner's."""
    try:
        return _store_suggestions(ctx, nomination_id, result)
    except IntegrityError:
        # SQLite has no row locks: two taggers may both see the nomination untagged, and the
        # unique (nomination, rank) key lets exactly one of them store. The other returns that.
        with unit_of_work(ctx.engine) as session:
            return suggestions_of(session, nomination_id)


def _store_suggestions(ctx: AppContext, nomination_id: int, result: Suggestions) -> list[Suggestion]:
    """Record a tagger's answer once; a later LLM answer may replace offline fallback suggestions.

    When the LLM was unavailable, the offline tagger's suggestions are stored at once so the
    nominator is never left waiting, and the job is re-queued with backoff: a worker asks the LLM
    again and, if the nominator has not confirmed yet, replaces the fallback suggestions.

    A late answer never overwrites a decision: PostgreSQL locks the nomination row at the read;
    SQLite (pysqlite opens no transaction for a SELECT) has no such lock, so a Confirm or Cancel
    may land between the read and the write. The first write is therefore `_still`, which takes
    SQLite's write lock and re-checks the status the decision to store was based on; when it
    changed, the answer is dropped and what is there now is kept.
    """
    with unit_of_work(ctx.engine) as session:
        # Lock the nomination: two taggers of one nomination (an inline tagging past its lease and a
        # worker, or a retried delivery) serialise here, and the second sees the first's answer.
        nomination = session.get(Nomination, nomination_id, with_for_update=True)
        if nomination is None:
            raise NotFound("nomination.unknown", id=nomination_id)
        existing = suggestions_of(session, nomination_id)
        upgrading = _upgrading(nomination, existing, result)
        if nomination.status != "pending_tag" and not upgrading:
            _finish_job(ctx, session, nomination_id, result if nomination.status == "suggested" else None)
            return existing
        if not _still(session, nomination_id, nomination.status):
            session.refresh(nomination)  # decided (or tagged by another worker) since the read
            _finish_job(ctx, session, nomination_id, result if nomination.status == "suggested" else None)
            return suggestions_of(session, nomination_id)
        existing = suggestions_of(session, nomination_id)  # re-read under the lock
        if upgrading and not _upgrading(nomination, existing, result):
            _finish_job(ctx, session, nomination_id, result)  # another LLM answer was stored first
            return existing
        for old in existing:
            session.delete(old)
        session.flush()
        rows = _rows(ctx, nomination, result)
        session.add_all(rows)
        abstain = None
        if not rows and result.abstain_reason is not None:
            abstain = fit_text(result.abstain_reason, _width(Nomination, "abstain_reason"))
        nomination.status = "suggested"
        nomination.abstain_reason = abstain
        session.add(nomination)
        _finish_job(ctx, session, nomination_id, result)
        audit.record(
            session,
            "tagger",
            "nomination.retagged" if upgrading else "nomination.tagged",
            "nomination",
            nomination_id,
            tagger=result.tagger,
            criteria=[r.criterion for r in rows],
            abstain=abstain,
        )
        session.flush()
        return suggestions_of(session, nomination_id)


def _upgrading(nomination: Nomination, existing: list[Suggestion], result: Suggestions) -> bool:
    """An LLM answer replaces suggestions only while they are all the offline fallback's and open."""
    return (
        nomination.status == "suggested"
        and result.tagger == "llm"
        and (not existing or all(s.tagger == "llm_fallback" for s in existing))
    )


def _still(session: Session, nomination_id: int, status: str) -> bool:
    """Whether the nomination still has `status` and no evidence, checked by the database in a
    write (an UPDATE that changes nothing): on SQLite that write takes the database's write lock,
    so nothing can change the nomination from here to the commit."""
    has_evidence = select(Evidence.id).where(Evidence.nomination_id == nomination_id).exists()
    res = session.exec(
        update(Nomination)
        .where(col(Nomination.id) == nomination_id, col(Nomination.status) == status, ~has_evidence)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


def _rows(ctx: AppContext, nomination: Nomination, result: Suggestions) -> list[Suggestion]:
    """The answer's suggestions as rows, ranked as the tagger ranked them, bounded to their columns."""
    rows = []
    for rank, s in enumerate(result.items, start=1):
        if s.criterion not in ctx.rubric.criterion_ids:
            continue  # defence in depth: taggers validate, the store re-checks
        rows.append(
            Suggestion(
                nomination_id=nomination.id,
                rank=rank,
                criterion=s.criterion,
                polarity=s.polarity,
                confidence=max(0.0, min(1.0, float(s.confidence))),
                quote=_fit_quote(s.quote, nomination.story),
                rationale=fit_text(s.rationale, MAX_RATIONALE_CHARS),
                tagger=result.tagger,
                model=fit_text(result.model, _width(Suggestion, "model")),
                rubric_version=result.rubric_version,
                prompt_version=result.prompt_version,
            )
        )
    return rows


def _fit_quote(quote: str, story: str) -> str:
    """Quotes are bounded here as well as in the taggers (a cached answer may predate the bound);
    a quote that fits is kept verbatim, a longer one is shortened to words still in the story."""
    return quote if fit_text(quote, MAX_QUOTE_CHARS) == quote else fit_quote(quote, story, MAX_QUOTE_CHARS)


def _width(table: type, column: str) -> int:
    """The declared width of a varchar column (storage/models.py), in characters."""
    return table.__table__.c[column].type.length  # type: ignore[attr-defined]


def _finish_job(ctx: AppContext, session: Session, nomination_id: int, result: Suggestions | None) -> None:
    """Done, unless the LLM fell back for a passing reason: then queue an upgrade attempt."""
    job = session.exec(select(TagJob).where(TagJob.nomination_id == nomination_id)).first()
    if job is None:
        return
    now = ctx.now()
    retry = result is not None and wants_llm_retry(result)
    if retry and result is not None:
        job.attempts += 1  # a try that got no (storable) LLM answer counts, the last one too
        job.last_error = result.meta.get("store_error") or f"LLM unavailable: {result.meta.get('fallback_reason')}"
    if retry and job.attempts < LLM_UPGRADE_ATTEMPTS:
        job.status = "queued"
        job.next_attempt_at = now + timedelta(seconds=backoff_s(job.attempts))
        job.worker = None
    else:
        job.status = "done"  # `worker` stays: who finished the job
    job.lease_until = None
    job.updated_at = now
    session.add(job)
