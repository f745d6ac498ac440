"""What every use case needs, built once per process and passed explicitly (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from liumai.config import Settings
from liumai.periods import Quarter, quarter_of
from liumai.rubric.model import Rubric
from liumai.storage.models import utcnow
from liumai.tagging.base import Tagger


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    rubric: Rubric
    tagger: Tagger
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    def quarter_of(self, moment: datetime) -> Quarter:
        return quarter_of(moment, self.settings.tz, self.settings.fiscal_year_start_month)

    def current_quarter(self) -> Quarter:
        return self.quarter_of(self.now())
