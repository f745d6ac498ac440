"""Hand-built rows for the calibration and tagger-health tests: nominations, suggestions, evidence."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from liumai.storage.models import Concern, Evidence, Nomination, Person, Suggestion

Q4 = datetime(2026, 10, 5, 9, tzinfo=UTC)


class Seed:
    """Adds rows in one session; people are referred to by the local part of their e-mail."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.ids = {p.email.split("@")[0]: p.id for p in session.exec(select(Person)).all()}
        self.n = 0

    def nomination(
        self,
        by: str,
        to: str,
        criterion: str,
        *,
        status: str = "accepted",
        suggestions: tuple[str, ...] = (),
        tagger: str = "offline",
        day: float = 0,
        decided_by: str | None = "mgr",
        period: str = "2026Q4",
    ) -> int:
        self.n += 1
        at = Q4 + timedelta(days=day)
        nom = Nomination(
            nominator_id=self.ids[by],
            nominee_id=self.ids[to],
            story=f"story {self.n}",
            status="confirmed",
            idempotency_key=f"seed-{uuid.uuid4().hex}",
            created_at=at,
        )
        self.s.add(nom)
        self.s.flush()
        for rank, crit in enumerate(suggestions, start=1):
            self.s.add(
                Suggestion(
                    nomination_id=nom.id,
                    rank=rank,
                    criterion=crit,
                    polarity="conforming",
                    confidence=0.5,
                    tagger=tagger,
                    rubric_version="t",
                )
            )
        ev = Evidence(
            subject_id=self.ids[to],
            criterion=criterion,
            polarity="conforming",
            status=status,
            nominator_id=self.ids[by],
            nomination_id=nom.id,
            period=period,
            occurred_at=at,
            rubric_version="t",
            decided_by_id=self.ids[decided_by] if decided_by and status != "pending" else None,
            decided_at=at if decided_by and status != "pending" else None,
        )
        self.s.add(ev)
        self.s.flush()
        return ev.id

    def concern(self, about: str, by: str, criterion: str, note: str, *, mitigated: bool = False) -> int:
        c = Concern(
            subject_id=self.ids[about], manager_id=self.ids[by], criterion=criterion, mitigated=mitigated, note=note
        )
        self.s.add(c)
        self.s.flush()
        ev = Evidence(
            subject_id=self.ids[about],
            criterion=criterion,
            polarity="non_conforming",
            mitigated=mitigated,
            status="accepted",
            concern_id=c.id,
            period="2026Q4",
            occurred_at=Q4,
            rubric_version="t",
            decided_by_id=self.ids[by],
            decided_at=Q4,
        )
        self.s.add(ev)
        self.s.flush()
        return ev.id
