"""SQLModel tables (docs/architecture.md, "Storage").

Timestamps are aware UTC datetimes (SQLModel's UTCDateTime: SQLite stores them without an
offset and they come back as UTC); conversion to the configured time zone happens only where
periods are computed and where people read times. Enum-like columns are
plain strings validated in the services, so adding a state never needs a database enum migration.

Primary keys are typed `int` although a new row's `id` is None until the session flushes it:
every read of an id happens on a stored row, and `int | None` would need a check at each of them.
The column is NOT NULL and autoincrementing either way (a primary key), so the schema is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Team(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name_zh: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)
    slack_channel_id: str | None = Field(default=None, max_length=32)
    feishu_chat_id: str | None = Field(default=None, max_length=64)


class Person(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # stored lower-cased
    display_name: str = Field(max_length=200)
    locale: str = Field(default="en-US", max_length=16)
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    is_admin: bool = False
    active: bool = True
    slack_user_id: str | None = Field(default=None, max_length=32, unique=True)
    feishu_open_id: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Nomination(SQLModel, table=True):
    __table_args__ = (
        Index("ix_nomination_nominee_created", "nominee_id", "created_at"),
        # the few private nominations of a period, for digests (a partial index: private rows only)
        Index(
            "ix_nomination_private_created",
            "created_at",
            postgresql_where=text("private"),
            sqlite_where=text("private"),
        ),
    )
    id: int = Field(default=None, primary_key=True)
    nominator_id: int = Field(foreign_key="person.id", index=True)
    nominee_id: int = Field(foreign_key="person.id")
    story: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="cli", max_length=16)  # cli | slack | feishu | demo
    source_link: str | None = Field(default=None, max_length=500)
    value_hint: str | None = Field(default=None, max_length=64)
    private: bool = False  # nominator asked to keep it out of digests
    # pending_tag -> suggested -> confirmed; or cancelled
    status: str = Field(default="pending_tag", max_length=16, index=True)
    abstain_reason: str | None = Field(default=None, max_length=500)
    idempotency_key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)  # a digest reads one week of them


class Suggestion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("nomination_id", "rank"),)
    id: int = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nomination.id", index=True)
    rank: int
    criterion: str = Field(max_length=64)
    polarity: str = Field(max_length=16)
    confidence: float
    quote: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    tagger: str = Field(max_length=16)  # offline | llm | llm_fallback
    model: str = Field(default="", max_length=100)
    rubric_version: str = Field(max_length=100)
    prompt_version: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Concern(SQLModel, table=True):
    """A non-conforming case recorded by a manager; never shown to peers or in digests."""

    id: int = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="person.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)  # export and erasure of a manager
    criterion: str = Field(max_length=64)
    mitigated: bool = False
    note: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Evidence(SQLModel, table=True):
    __table_args__ = (
        Index("ix_evidence_subject_period", "subject_id", "period"),
        # "is this their first recognition?" stops at the first earlier row of one person
        Index("ix_evidence_subject_occurred", "subject_id", "occurred_at"),
    )
    id: int = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="person.id")
    criterion: str = Field(max_length=64)
    polarity: str = Field(max_length=16)
    mitigated: bool = False
    status: str = Field(default="pending", max_length=16, index=True)  # pending|accepted|rejected
    nominator_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    nomination_id: int | None = Field(default=None, foreign_key="nomination.id", unique=True)
    concern_id: int | None = Field(default=None, foreign_key="concern.id", unique=True)
    period: str = Field(max_length=8)  # quarter of the underlying event, e.g. 2026Q4
    occurred_at: datetime = Field(index=True)  # a digest's week, a quarter's range
    rubric_version: str = Field(max_length=100)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    decided_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class TagJob(SQLModel, table=True):
    """Durable tagging work: a nomination is never lost when tagging fails."""

    __tablename__ = "tag_job"
    __table_args__ = (Index("ix_tagjob_claim", "status", "next_attempt_at"),)
    id: int = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nomination.id", unique=True)
    status: str = Field(default="queued", max_length=16)  # queued | running | done | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    worker: str | None = Field(default=None, max_length=100)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DigestRun(SQLModel, table=True):
    """One team's digest of one week in one place: posted once per (team, week, destination)."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("team_id", "week", "destination", name="uq_digest_run_team_week_destination"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    week: str = Field(max_length=10)  # ISO week, 2026-W48
    # "<platform>:<channel>" (slack:C123, feishu:oc_abc); "legacy..." for runs from before migration 0005
    destination: str = Field(max_length=120)
    status: str = Field(default="claimed", max_length=16)  # claimed (held by claimed_by until lease_until) | posted
    posted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Who is posting and until when: a crashed poster's claim expires and another takes over.
    claimed_by: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = None
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class AuditLog(SQLModel, table=True):
    """Append-only: who did what to which record, and when."""

    __tablename__ = "audit_log"
    # a person's export and erasure read the rows they did and the rows about them
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: int = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    actor: str = Field(max_length=320)  # e-mail or a system name, kept even if the person is erased
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class TagCache(SQLModel, table=True):
    """Tagger answers by (story hash, rubric version, prompt version, model): one LLM call per story."""

    __tablename__ = "tag_cache"
    key: str = Field(primary_key=True, max_length=64)  # sha256 hex of the four parts
    result: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the Suggestions
    created_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """Platform deliveries already handled (Feishu event_id, Slack event_id): a re-push does nothing twice."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    received_at: datetime = Field(default_factory=utcnow, index=True)
