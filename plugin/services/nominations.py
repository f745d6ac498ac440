"""Nominating a colleague: store first, tag second, confirm third.

The nomination row and its tag job are committed before any tagging starts, so a tagger that
fails, hangs or crashes the process never loses a nomination: the job stays queued for the
worker (docs/architecture.md, "Tagging"). Confirming turns the chosen behaviour into *pending* evidence
for the nominee; only a manager's decision makes it count.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
        .order_by(col(Nomination.id))
    ).all()
    return next((n for n in candidates if same_story(n.story) == story), None)


def _suggestions(session: Session, nomination_id: int) -> list[Suggestion]:
    return list(
        session.exec(
            select(Suggestion).where(col(Suggestion.nomination_id) == nomination_id).order_by(col(Suggestion.rank))
        ).all()
    )


def check_nomination(ctx: AppContext, nominator: str | int, nominee: str | int, story: str) -> None:
    """Raise the refusal `nominate` would raise for these people and story, storing nothing.

    Adapters call this before their first reply ("thanks, finding behaviours..."), so a
    self-nomination or an unknown nominee gets only the refusal. The rule stays here, in one place.
    """
    with unit_of_work(ctx.engine) as session:
        by = get_person(session, nominator)
        to = get_person(session, nominee)
        if by.id == to.id:
            raise InvalidInput("nominate.self")
        _check_story(story, to)


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


OPEN = ("pending_tag", "suggested")  # the states a nominator may still confirm or cancel from


def _transition(session: Session, nomination: Nomination, to: str) -> bool:
    """Move an open nomination to `to` in one conditional UPDATE; False if it was no longer open.

    The condition is checked by the database at write time, so of a Confirm and a Cancel racing
    on two replicas exactly one changes the row; `nomination` is re-read either way. A nomination
    that has evidence is never open, whatever its status says.
    """
    has_evidence = select(Evidence.id).where(Evidence.nomination_id == nomination.id).exists()
    res = session.exec(
        update(Nomination)
        .where(col(Nomination.id) == nomination.id, col(Nomination.status).in_(OPEN), ~has_evidence)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    session.refresh(nomination)
    return res.rowcount == 1


def _evidence_of(session: Session, nomination_id: int) -> Evidence | None:
    return session.exec(select(Evidence).where(Evidence.nomination_id == nomination_id)).first()


def _refuse_closed(session: Session, nomination: Nomination, criterion: str | None = None) -> Evidence:
    """A nomination that is no longer open: its evidence if confirmed as `criterion`, else a refusal."""
    if nomination.status == "cancelled":
        raise Conflict("nominate.cancelled")
    existing = _evidence_of(session, nomination.id)
    if existing is None:  # pragma: no cover - "confirmed" always comes with its evidence
        raise Conflict("nominate.already_confirmed", criterion="?")
    if criterion is None or existing.criterion != criterion:
        raise Conflict("nominate.already_confirmed", criterion=existing.criterion)
    return existing


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
    a manager's decision. Only the confirm that moves the nomination out of its open state creates
    evidence, in the same transaction, so a racing Cancel either wins (no evidence) or is refused.
    """
    if criterion not in ctx.rubric.criterion_ids:
        raise InvalidInput("criterion.unknown", criterion=criterion)
    if polarity != Polarity.CONFORMING.value:
        raise InvalidInput("nominate.polarity")
    with unit_of_work(ctx.engine) as session:
        nomination, actor = _own_nomination(session, nomination_id, by)
        if nomination.status not in OPEN or not _transition(session, nomination, "confirmed"):
            return _refuse_closed(session, nomination, criterion)
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
        session.flush()
        audit.record(
            session, actor, "evidence.create", "evidence", evidence.id, criterion=criterion, nomination=nomination_id
        )
        return evidence


def cancel(ctx: AppContext, nomination_id: int, by: str | int) -> Nomination:
    """The nominator withdraws an open nomination; cancelling twice is a no-op, a confirmed one is refused."""
    with unit_of_work(ctx.engine) as session:
        nomination, actor = _own_nomination(session, nomination_id, by)
        if nomination.status in OPEN and _transition(session, nomination, "cancelled"):
            audit.record(session, actor, "nomination.cancel", "nomination", nomination_id)
            return nomination
        if nomination.status != "cancelled":
            _refuse_closed(session, nomination)
        return nomination
