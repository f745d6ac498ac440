"""Read models: my recognition (never concerns), the review queue, people with no recognition."""

from __future__ import annotations

import pytest

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services import recognition as rec
from liumai.services.errors import PermissionDenied

STORY = "Bob stayed on the bridge call until the merchant's refunds were all back, then wrote the fix up."


def _confirmed(org, frm, to, crit):
    res = nom.nominate(org, frm, to, STORY)
    return nom.confirm(org, res.nomination.id, frm, crit)


def test_my_recognition_counts_by_value_and_hides_concerns(org):
    e1 = _confirmed(org, "ann@example.com", "bob@example.com", "teamwork.3")
    _confirmed(org, "wang@example.com", "bob@example.com", "customer_first.2")
    e3 = _confirmed(org, "cat@example.com", "bob@example.com", "customer_first.3")
    ev.decide(org, e1.id, "mgr@example.com", "accepted")
    ev.decide(org, e3.id, "mgr@example.com", "rejected")
    ev.add_concern(org, "mgr@example.com", "bob@example.com", "teamwork.1", "Skipped stand-ups")
    nom.nominate(org, "bob@example.com", "ann@example.com", "Ann fixed the flaky test suite for everyone.")
    me = rec.my_recognition(org, "bob@example.com")
    assert me.quarter == "2026Q4"
    assert me.by_value["teamwork"] == 1 and me.by_value["customer_first"] == 1 and me.total == 2
    assert {s.criterion for s in me.received} == {"teamwork.3", "customer_first.2"}
    assert all(s.story == STORY for s in me.received)
    assert [s.other_email for s in me.given] == ["ann@example.com"]
    assert me.given[0].status == "suggested"


def test_review_queue_is_scoped_to_the_managers_people(org):
    a = _confirmed(org, "bob@example.com", "ann@example.com", "teamwork.3")
    c = _confirmed(org, "ann@example.com", "cat@example.com", "teamwork.4")
    assert [v.id for v in rec.review_queue(org, "mgr@example.com")] == [a.id]
    assert [v.id for v in rec.review_queue(org, "mgr2@example.com")] == [c.id]
    assert [v.id for v in rec.review_queue(org, "boss@example.com")] == [a.id, c.id]
    assert [v.id for v in rec.review_queue(org, "hr@example.com")] == [a.id, c.id]
    with pytest.raises(PermissionDenied):
        rec.review_queue(org, "bob@example.com")
    ev.decide(org, a.id, "mgr@example.com", "accepted")
    assert rec.review_queue(org, "mgr@example.com") == []
    assert rec.is_manager(org, "mgr@example.com") and rec.is_manager(org, "hr@example.com")
    assert not rec.is_manager(org, "bob@example.com")


def test_unrecognised_people(org):
    _confirmed(org, "bob@example.com", "ann@example.com", "teamwork.3")
    names = [p.email for p in rec.unrecognised(org, "mgr@example.com")]
    assert names == ["bob@example.com", "wang@example.com"]
    assert rec.unrecognised(org, "bob@example.com") == []


def test_nomination_view_permissions(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    view = rec.get_nomination(org, res.nomination.id, viewer="bob@example.com")
    assert view.nominee_email == "ann@example.com" and view.story == STORY
    assert rec.get_nomination(org, res.nomination.id, viewer="mgr@example.com").id == view.id
    with pytest.raises(PermissionDenied):
        rec.get_nomination(org, res.nomination.id, viewer="cat@example.com")
