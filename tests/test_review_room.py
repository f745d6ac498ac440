"""The review room's read model: the pending queue with the fairness signals about its people, by
the quarter of each piece of evidence, for the managers who decide it only (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from liumai.services.errors import PermissionDenied
from liumai.services.fairness_view import signals_for_review
from liumai.services.recognition import review_queue
from liumai.services.review_room import review_room
from tests.calibration_seed import Seed


def _kinds(found) -> list[tuple[str, list[str]]]:
    return [(x.kind, [w.email for w in x.people]) for x in found]


@pytest.fixture
def pairs(org):
    """Q4: Ann and Cat nominate each other twice (reciprocal); Cat has two pending items from Ann.
    Q3: one pending item about Cat from Wang, and nothing reciprocal."""
    with Session(org.engine) as s:
        sd = Seed(s)
        for day in (10, 20):
            sd.nomination("cat", "ann", "teamwork.3", day=day)
            sd.nomination("ann", "cat", "teamwork.3", day=day + 1, status="pending", decided_by=None)
        sd.nomination("wang", "cat", "passion.2", day=-10, period="2026Q3", status="pending", decided_by=None)
        sd.nomination("wang", "bob", "passion.2", day=5, status="pending", decided_by=None)
        s.commit()
    return org


def test_signals_are_keyed_by_person_and_quarter_of_the_evidence(pairs):
    room = review_room(pairs, "mgr2@example.com")
    assert [(e.subject_email, e.period) for e in room.items] == [
        ("cat@example.com", "2026Q3"),
        ("cat@example.com", "2026Q4"),
        ("cat@example.com", "2026Q4"),
    ]
    assert list(room.signals) == [("cat@example.com", "2026Q4")]
    assert _kinds(room.signals[("cat@example.com", "2026Q4")]) == [
        ("reciprocal", ["ann@example.com", "cat@example.com"])
    ]


def test_a_signal_is_shown_beside_the_first_shown_item_of_its_person_and_quarter(pairs):
    room = review_room(pairs, "mgr2@example.com")
    _q3, first, second = room.items
    assert list(room.signals_by_item(3)) == [first.id]
    assert list(room.signals_by_item(1)) == []  # only the Q3 item is shown: nothing to say beside it
    assert second.id not in room.signals_by_item(3)


def test_a_manager_above_both_sees_the_signal_on_each_side(pairs):
    room = review_room(pairs, "boss@example.com")
    keyed = {k: _kinds(v) for k, v in room.signals.items()}
    assert keyed == {("cat@example.com", "2026Q4"): [("reciprocal", ["ann@example.com", "cat@example.com"])]}
    # Ann has no pending item, so the queue (and its signals) is about Cat and Bob only
    assert {e.subject_email for e in room.items} == {"cat@example.com", "bob@example.com"}


def test_nobody_without_people_to_decide_gets_a_room(pairs):
    for who in ("ann@example.com", "cat@example.com"):
        with pytest.raises(PermissionDenied):
            review_room(pairs, who)


def test_signals_for_people_the_viewer_does_not_manage_are_refused(pairs):
    mine = review_queue(pairs, "mgr2@example.com")
    others = review_queue(pairs, "mgr@example.com")  # Bob, below Manager Li
    assert others and {e.subject_email for e in others} == {"bob@example.com"}
    with pytest.raises(PermissionDenied):
        signals_for_review(pairs, [*mine, *others], viewer="mgr2@example.com")
    with pytest.raises(PermissionDenied):  # nobody is shown signals about themselves
        signals_for_review(pairs, mine, viewer="cat@example.com")


def test_an_empty_queue_has_no_signals(org):
    room = review_room(org, "mgr2@example.com")
    assert room.items == [] and room.signals == {} and room.signals_by_item(10) == {}
