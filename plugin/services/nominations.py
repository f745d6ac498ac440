"""Nominating a colleague: store first, tag second, confirm third.

The nomination row and its tag job are committed before any tagging starts, so a tagger that
fails, hangs or crashes the process never loses a nomination: the job stays queued for the
worker (design.md, "Tagging"). Confirming turns the chosen behaviour into *pending* evidence
for the nominee; only a manager's decision makes it count.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from liumai.rubric.model import Polarity
from liumai.services import audit
from liumai.services.context import AppContext
from liumai.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from liumai.services.people import get_person
from liumai.services.tag_jobs import tag_nomination
from liumai.services.text import clean_text
from liumai.services.uow import unit_of_work
from liumai.storage.models import Evidence, Nomination, Person, Suggestion, TagJob

MAX_STORY = 3000
INLINE_LEASE_S = 60.0  # how long the request that stored a nomination owns its tagging
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
