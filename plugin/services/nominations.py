"""Nominating a colleague: store first, tag second, confirm third.

The nomination row and its tag job are committed before any tagging starts, so a tagger that
fails, hangs or crashes the process never loses a nomination: the job stays queued for the
worker (docs/architecture.md, "Tagging"). Confirming turns the chosen behaviour into *pending* evidence
for the nominee; only a manager's decision makes it count.
"""

from __future__ import annotations

import dataclasses
import logging
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from liumai.rubric.model import Polarity
from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from liumai.services.people import get_person
from liumai.services.text import clean_text
from liumai.services.uow import describe_failure, unit_of_work
from liumai.storage.models import Evidence, Nomination, Person, Suggestion, TagJob
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

MAX_STORY = 3000
INLINE_LEASE_S = 60.0  # how long the request that stored a nomination owns its tagging
LLM_UPGRADE_ATTEMPTS = 4  # LLM tries to replace offline fallback suggestions; after that they stay
SOURCES = {"cli", "slack", "feishu", "demo", "api"}
# The same story from the same nominator about the same nominee within this time is the same
# nomination (`nominate(repeat_window=...)`): the CLI's re-run with --criterion confirms the first
# one instead of adding another. Long enough to read the suggestions and re-run the command,
# short enough that telling the same story again another day is a new nomination.
REPEAT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class NominationResult:
    nomination: Nomination
    suggestions: list[Suggestion]
    created: bool  # False when the idempotency key was seen before
    evidence: Evidence | None = None


def _check_story(story: str, nominee: Person) -> str:
    text = clean_text(story or "").strip()
    if not text:
        raise InvalidInput("nominate.story_empty", nominee=nominee.display_name)
    if len(text) > MAX_STORY:
        raise InvalidInput("nominate.story_too_long", length=len(text), limit=MAX_STORY)
    return text


def _existing(session: Session, key: str) -> Nomination | None:
    return session.exec(select(Nomination).where(Nomination.idempotency_key == key)).first()


def same_story(story: str) -> str:
    """A story as compared for repeats: NFKC, runs of whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", story).split()).casefold()


def _repeat(session: Session, by: Person, to: Person, text: str, since: datetime) -> Nomination | None:
    """The nominator's not-cancelled nomination of `to` with the same story since `since`, if any.

    The nominator's row is locked first (PostgreSQL; SQLite serialises writers anyway), so two
    concurrent runs of the same command cannot both miss each other and store two nominations.
    """
    session.exec(select(Person).where(Person.id == by.id).with_for_update(key_share=True)).first()
    story = same_story(text)
    candidates = session.exec(
        select(Nomination)
        .where(
            Nomination.nominator_id == by.id,
            Nomination.nominee_id == to.id,
            Nomination.created_at >= since,
            Nomination.status != "cancelled",
        )
        .order_by(Nomination.id)
    ).all()
    return next((n for n in candidates if same_story(n.story) == story), None)


def _suggestions(session: Session, nomination_id: int) -> list[Suggestion]:
    return list(
        session.exec(
            select(Suggestion).where(Suggestion.nomination_id == nomination_id).order_by(Suggestion.rank)
        ).all()
    )


def nominate(
    ctx: AppContext,
    nominator: str | int,
    nominee: str | int,
    story: str,
    *,
    source: str = "cli",
    idempotency_key: str | None = None,
    source_link: str | None = None,
    value_hint: str | None = None,
    private: bool = False,
    at: datetime | None = None,
    tag: bool = True,
    repeat_window: timedelta | None = None,
) -> NominationResult:
    """Store a nomination (idempotently) and, unless `tag` is False, tag it right away.

    Retrying with the same `idempotency_key` returns the first nomination. Without a key, a
    `repeat_window` (the CLI passes `REPEAT_WINDOW`) makes the same story from the same nominator
    about the same nominee within that time return the earlier nomination (unless it was cancelled).
    """
    key = idempotency_key or f"{source}:{uuid.uuid4()}"
    with unit_of_work(ctx.engine) as session:
        found = _existing(session, key)
        if found is not None:
            return NominationResult(found, _suggestions(session, found.id), created=False)
        by = get_person(session, nominator)
        to = get_person(session, nominee)
        if by.id == to.id:
            raise InvalidInput("nominate.self")
        text = _check_story(story, to)
        if idempotency_key is None and repeat_window is not None:
            found = _repeat(session, by, to, text, (at or ctx.now()) - repeat_window)
            if found is not None:
                return NominationResult(found, _suggestions(session, found.id), created=False)
        if value_hint is not None and value_hint not in ctx.rubric.value_keys:
            value_hint = None  # a hint is advisory; an unknown one is dropped, not an error
        nomination = Nomination(
            nominator_id=by.id,
            nominee_id=to.id,
            story=text,
            source=source if source in SOURCES else "api",
            source_link=source_link,
            value_hint=value_hint,
            private=private,
            status="pending_tag",
            idempotency_key=key,
            created_at=at or ctx.now(),
        )
        session.add(nomination)
        try:
            session.flush()
        except IntegrityError:
            # A concurrent delivery with the same key won the race: return its nomination.
            session.rollback()
            found = _existing(session, key)
            if found is None:
                raise
            return NominationResult(found, _suggestions(session, found.id), created=False)
        # The job is created leased to this request, which tags right away (or in a platform's lazy
        # listener); if that never completes, the lease expires and a worker takes the job.
        now = ctx.now()
        session.add(
            TagJob(
                nomination_id=nomination.id,
                status="running",
                worker="inline",
                next_attempt_at=now,
                lease_until=now + timedelta(seconds=INLINE_LEASE_S),
                created_at=now,
                updated_at=now,
            )
        )
        audit.record(
            session, by, "nomination.create", "nomination", nomination.id, nominee=to.email, source=nomination.source
        )
    if not tag:
        return NominationResult(nomination, [], created=True)
    suggestions = tag_nomination(ctx, nomination.id)
    with unit_of_work(ctx.engine) as session:
        nomination = session.get(Nomination, nomination.id)  # type: ignore[assignment]
    return NominationResult(nomination, suggestions, created=True)


def tag_nomination(ctx: AppContext, nomination_id: int, tagger=None) -> list[Suggestion]:
    """Run the tagger on a stored nomination; on failure the job stays queued with backoff."""
    tagger = tagger or ctx.tagger
    with unit_of_work(ctx.engine) as session:
        nomination = session.get(Nomination, nomination_id)
        if nomination is None:
            raise NotFound("nomination.unknown", id=nomination_id)
        if nomination.status != "pending_tag":
            return _suggestions(session, nomination_id)
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
            return _suggestions(session, nomination_id)


def _store_suggestions(ctx: AppContext, nomination_id: int, result: Suggestions) -> list[Suggestion]:
    """Record a tagger's answer once; a later LLM answer may replace offline fallback suggestions.

    When the LLM was unavailable, the offline tagger's suggestions are stored at once so the
    nominator is never left waiting, and the job is re-queued with backoff: a worker asks the LLM
    again and, if the nominator has not confirmed yet, replaces the fallback suggestions.
    """
    with unit_of_work(ctx.engine) as session:
        # Lock the nomination: two taggers of one nomination (an inline tagging past its lease and a
        # worker, or a retried delivery) serialise here, and the second sees the first's answer.
        nomination = session.get(Nomination, nomination_id, with_for_update=True)
        if nomination is None:
            raise NotFound("nomination.unknown", id=nomination_id)
        existing = _suggestions(session, nomination_id)
        upgrading = (
            nomination.status == "suggested"
            and result.tagger == "llm"
            and (not existing or all(s.tagger == "llm_fallback" for s in existing))
        )
        if nomination.status != "pending_tag" and not upgrading:
            _finish_job(ctx, session, nomination_id, result if nomination.status == "suggested" else None)
            return existing
        for old in existing:
            session.delete(old)
        session.flush()
        rows = []
        for rank, s in enumerate(result.items, start=1):
            if s.criterion not in ctx.rubric.criterion_ids:
                continue  # defence in depth: taggers validate, the store re-checks
            rows.append(
                Suggestion(
                    nomination_id=nomination_id,
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
        return _suggestions(session, nomination_id)


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
    if retry:
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


def _own_nomination(session: Session, nomination_id: int, by: str | int) -> tuple[Nomination, Person]:
    """The nomination and its nominator: only the person who wrote it may confirm or cancel it."""
    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        raise NotFound("nomination.unknown", id=nomination_id)
    actor = get_person(session, by, active=False)
    if actor.id != nomination.nominator_id:
        raise PermissionDenied("nominate.not_nominator")
    return nomination, actor


def confirm(
    ctx: AppContext,
    nomination_id: int,
    by: str | int,
    criterion: str,
    *,
    polarity: str = Polarity.CONFORMING.value,
) -> Evidence:
    """The nominator confirms a suggested behaviour or picks another: pending evidence results.

    Idempotent for the same criterion (double clicks, retried deliveries); a nomination that is
    already confirmed as something else is refused rather than silently changed - re-tagging is
    a manager's decision.
    """
    if criterion not in ctx.rubric.criterion_ids:
        raise InvalidInput("criterion.unknown", criterion=criterion)
    if polarity != Polarity.CONFORMING.value:
        raise InvalidInput("nominate.polarity")
    with unit_of_work(ctx.engine) as session:
        nomination, actor = _own_nomination(session, nomination_id, by)
        if nomination.status == "cancelled":
            raise Conflict("nominate.cancelled")
        existing = session.exec(select(Evidence).where(Evidence.nomination_id == nomination_id)).first()
        if existing is not None:
            if existing.criterion == criterion:
                return existing
            raise Conflict("nominate.already_confirmed", criterion=existing.criterion)
        evidence = Evidence(
            subject_id=nomination.nominee_id,
            criterion=criterion,
            polarity=polarity,
            status="pending",
            nominator_id=nomination.nominator_id,
            nomination_id=nomination_id,
            period=str(ctx.quarter_of(nomination.created_at)),
            occurred_at=nomination.created_at,
            rubric_version=ctx.rubric.version,
        )
        session.add(evidence)
        nomination.status = "confirmed"
        session.add(nomination)
        try:
            session.flush()
        except IntegrityError:  # a concurrent confirm won; return what it stored
            session.rollback()
            existing = session.exec(select(Evidence).where(Evidence.nomination_id == nomination_id)).first()
            if existing is None:
                raise
            if existing.criterion != criterion:
                raise Conflict("nominate.already_confirmed", criterion=existing.criterion) from None
            return existing
        audit.record(
            session, actor, "evidence.create", "evidence", evidence.id, criterion=criterion, nomination=nomination_id
        )
        return evidence


def cancel(ctx: AppContext, nomination_id: int, by: str | int) -> Nomination:
    with unit_of_work(ctx.engine) as session:
        nomination, actor = _own_nomination(session, nomination_id, by)
        if nomination.status == "confirmed":
            existing = session.exec(select(Evidence).where(Evidence.nomination_id == nomination_id)).first()
            raise Conflict("nominate.already_confirmed", criterion=existing.criterion if existing else "?")
        if nomination.status != "cancelled":
            nomination.status = "cancelled"
            session.add(nomination)
            audit.record(session, actor, "nomination.cancel", "nomination", nomination_id)
        return nomination
