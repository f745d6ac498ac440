"""What a manager sees when deciding evidence: the pending queue and the fairness signals around it.

The queue is `recognition.review_queue`'s (people below the manager, oldest first); the signals are
`fairness_view.signals_for_review`'s, for the quarter each piece of evidence belongs to. Both
chat platforms show them through this one read model, so who sees a signal is decided here
(the same people who may decide the evidence), never in an adapter. A signal is a prompt to look
closer, shown next to the evidence it concerns; it never changes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liumai.services.calibration import SignalView
from liumai.services.context import AppContext
from liumai.services.evidence import EvidenceView
from liumai.services.fairness_view import signals_for_review
from liumai.services.recognition import review_queue


@dataclass(frozen=True)
class ReviewRoom:
    items: list[EvidenceView]
    # (subject e-mail, quarter) -> signals; people with none are absent
    signals: dict[tuple[str, str], list[SignalView]] = field(default_factory=dict)

    def signals_by_item(self, shown: int) -> dict[int, list[SignalView]]:
        """Evidence id -> the signals to show beside it: on the first shown item of each person and
        quarter only, so a queue of five stories about one person explains the signal once."""
        out: dict[int, list[SignalView]] = {}
        seen: set[tuple[str, str]] = set()
        for e in self.items[:shown]:
            key = (e.subject_email, e.period)
            if key in self.signals and key not in seen:
                out[e.id] = self.signals[key]
            seen.add(key)
        return out


def review_room(ctx: AppContext, manager: str | int, *, limit: int = 20) -> ReviewRoom:
    """The oldest `limit` pending items the manager may decide, with the signals about their people."""
    items = review_queue(ctx, manager, limit=limit)
    return ReviewRoom(items, signals_for_review(ctx, items, viewer=manager) if items else {})


__all__ = ["ReviewRoom", "review_room"]
