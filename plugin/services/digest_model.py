"""The digest's read model and the posting contract: what a digest holds, what a platform poster
must offer, and the outcome of posting. Kept apart from the queries and the once-only claim in
`liumai.services.digest` (which re-exports these names), so adapters can type against them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from liumai.storage.models import Team

CHANNEL_SPACING_S = 1.1  # Slack allows about one message per second per channel


@dataclass(frozen=True)
class DigestStory:
    nominee: str
    nominator: str
    criterion: str
    text: str
    created_at: datetime
    link: str | None


@dataclass(frozen=True)
class Digest:
    team_key: str
    team_name_zh: str
    team_name_en: str
    week: str
    quarter: str
    by_value: dict[str, int]  # recognitions this week per value key (all values listed)
    highlights: list[DigestStory]
    values_missing_this_quarter: list[str]
    first_recognitions: list[DigestStory]  # newcomers recognised for the first time this week
    total: int = 0
    stories: list[DigestStory] = field(default_factory=list)

    @property
    def dedupe_key(self) -> str:
        return f"liumai-digest:{self.team_key}:{self.week}"


class TeamChannels(Protocol):
    """The part of a team a poster reads to find where its digest goes (a stored team).

    Lets adapters type `DigestPoster.target` without importing the storage model.
    """

    @property
    def key(self) -> str: ...

    @property
    def slack_channel_id(self) -> str | None: ...

    @property
    def feishu_chat_id(self) -> str | None: ...


class DigestPoster(Protocol):
    """A platform's way of posting a digest; implemented by the Slack and Feishu adapters."""

    platform: str

    def target(self, team: Team) -> str | None:
        """The channel / chat id for this team, or None if the team has none on this platform."""

    def already_posted(self, target: str, digest: Digest) -> bool:
        """Whether a message for `digest.dedupe_key` is already in the target (crash recovery)."""

    def post(self, target: str, digest: Digest) -> str:
        """Send the digest; returns the platform's message id."""


@dataclass
class PostOutcome:
    team: str
    week: str
    status: str  # posted | already_posted | in_progress | no_target | dry_run | failed
    posted: dict[str, str] = field(default_factory=dict)  # platform -> message id (posted by this call)
    error: str | None = None
    destinations: dict[str, str] = field(default_factory=dict)  # "slack:C1" -> that destination's status


class Spacer:
    """Keeps posts to the same target at least `spacing` seconds apart."""

    def __init__(
        self,
        spacing: float = CHANNEL_SPACING_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.spacing, self.clock, self.sleep = spacing, clock, sleep
        self.last: dict[str, float] = {}

    def wait(self, target: str) -> None:
        last = self.last.get(target)
        if last is not None:
            delay = self.spacing - (self.clock() - last)
            if delay > 0:
                self.sleep(delay)
        self.last[target] = self.clock()


def destination(platform: str, target: str) -> str:
    """Where a digest goes, as its claim names it: "slack:C123", "feishu:oc_abc"."""
    return f"{platform}:{target}"
