"""Through Feishu (signed, encrypted callbacks over real HTTP): a person's own export, evidence and
recognition never carry concerns about them; a concern whose mitigation cannot change the score
says so, in Chinese and English."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import Concern
from tests.feishu.driver import FeishuDriver, converse
from tests.privacy_seed import (
    NOTE_BOSS,
    NOTE_MGR,
    STORY_ACCEPTED,
    assert_no_concern_of_ann,
    assert_no_concern_of_hr,
    seed,
)

ANN = ("@_user_1", "ou_ann", "Ann")


def test_a_plain_employees_export_counts_concerns_without_their_content(app):
    s = seed(app.ctx)
    replies = converse(app, "ou_ann", "/values export")
    assert [c.body["msg_type"] for c in replies] == ["text", "file"]
    assert "HR" in replies[0].text and NOTE_BOSS not in replies[0].text
    upload = app.fake.upload(replies[1].content["file_key"])
    text = upload.data.decode("utf-8")
    assert NOTE_BOSS not in text and NOTE_MGR not in text
    assert_no_concern_of_ann(text, s)
    assert "mgr@example.com" not in text and "decided_by" not in text and "concern_id" not in text
    data = json.loads(text)
    assert data["scope"] == "subject" and data["concerns"]["records"] == 2
    assert [e["id"] for e in data["recognition"]] == [s.accepted]
    assert STORY_ACCEPTED in text


def test_an_admin_exporting_someone_gets_the_full_record_and_themselves_the_subject_one(app):
    s = seed(app.ctx)
    replies = converse(app, "ou_hr", "/values export @_user_1", [ANN])
    assert replies[0].text.startswith("Here is everything Liumai stores about Ann")
    full = json.loads(app.fake.upload(replies[1].content["file_key"]).data)
    assert full["scope"] == "full"
    assert sorted(c["note"] for c in full["concerns_about"]) == sorted([NOTE_BOSS, NOTE_MGR])
    own = converse(app, "ou_hr", "/values export")
    text = app.fake.upload(own[1].content["file_key"]).data.decode("utf-8")
    assert json.loads(text)["concerns"]["records"] == 1
    assert_no_concern_of_hr(text, s)


def test_own_evidence_and_recognition_hold_no_concern_even_for_an_admin(app):
    s = seed(app.ctx)
    [card] = converse(app, "ou_hr", "/values evidence")
    assert f"#{s.hr_accepted}" in card.text
    assert_no_concern_of_hr(card.text, s)
    [card] = converse(app, "ou_ann", "/values evidence")
    assert f"#{s.accepted}" in card.text and f"#{s.rejected}" not in card.text
    assert_no_concern_of_ann(card.text, s)
    [card] = converse(app, "ou_ann", "/values me")
    assert STORY_ACCEPTED[:40] in card.text
    assert_no_concern_of_ann(card.text, s)
    # Her manager still sees the concerns.
    [card] = converse(app, "ou_mgr", "/values evidence @_user_1", [ANN])
    assert NOTE_MGR[:60] in card.text


@pytest.mark.parametrize(
    ("manager", "person", "expected"),
    [
        ("mgr2@example.com", "cat@example.com", "teamwork.2 has no half point: mitigation is recorded but does not"),
        ("mgr@example.com", "ann@example.com", "teamwork.2 没有半分：已记录“情有可原”，但不会改变得分。"),
    ],
)
def test_concern_says_when_mitigation_has_no_effect(app, manager, person, expected):
    d = FeishuDriver(app)
    reply = d.concern(manager, person, "teamwork.2", "Went quiet in the retro", mitigated=True)
    assert expected in reply
    half = d.concern(manager, person, "customer_first.1", "Missed the call back", mitigated=True)
    assert "half point" not in half and "半分" not in half
    plain = d.concern(manager, person, "teamwork.2", "Went quiet again")
    assert "half point" not in plain and "半分" not in plain
    with session_scope(app.ctx.engine) as s:
        assert s.exec(select(Concern.mitigated).order_by(Concern.id)).all() == [True, True, False]
