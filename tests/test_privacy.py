"""A person never sees concerns about them, on any surface; and mitigation says when it has no effect.

The rule lives in `liumai.services.visibility`; these tests check it on the services and on the
command line (a real `liumai` process on the test database). The Slack and Feishu surfaces have
their own modules (tests/slack/test_slack_privacy.py, tests/feishu/test_feishu_privacy.py), which
reuse `seed` from tests/privacy_seed.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlmodel import select

from liumai.services import evidence as ev
from liumai.services.data_rights import export_person
from liumai.services.errors import PermissionDenied
from liumai.services.recognition import my_recognition
from liumai.storage.db import session_scope
from liumai.storage.models import Concern, Person
from tests.privacy_seed import (
    NOTE_BOSS,
    NOTE_MGR,
    STORY_ABOUT_HR,
    STORY_ACCEPTED,
    STORY_REJECTED,
    assert_no_concern_of_ann,
    assert_no_concern_of_hr,
    seed,
)


# ------------------------------------------------------------------ the rule, on the services
def test_scope_is_decided_from_who_the_viewer_is(org):
    from liumai.services.visibility import Scope, scope_for

    with session_scope(org.engine) as s:
        people = {p.email.split("@")[0]: p for p in s.exec(select(Person)).all()}
        ann, hr = people["ann"], people["hr"]
        assert scope_for(s, ann, ann) is Scope.SUBJECT
        assert scope_for(s, hr, hr) is Scope.SUBJECT  # an admin reading their own record too
        assert scope_for(s, people["mgr"], ann) is Scope.FULL
        assert scope_for(s, people["boss"], ann) is Scope.FULL  # indirect manager
        assert scope_for(s, hr, ann) is Scope.FULL
        assert scope_for(s, None, ann) is Scope.FULL  # the operator
        for other in ("bob", "mgr2", "cat"):
            with pytest.raises(PermissionDenied):
                scope_for(s, people[other], ann)


def test_own_evidence_has_recognition_only_even_for_an_admin(org):
    s = seed(org)
    own = ev.list_evidence(org, "ann@example.com")
    assert [v.id for v in own] == [s.accepted]  # no concern, not the declined one
    assert own[0].decided_by is None and own[0].decided_at is None and own[0].note is None
    hr_own = ev.list_evidence(org, "hr@example.com", person="hr@example.com")
    assert [v.id for v in hr_own] == [s.hr_accepted] and hr_own[0].decided_by is None
    assert_no_concern_of_hr(json.dumps([v.to_dict() for v in hr_own]), s)
    # HR looking at everyone still sees Ann's concerns in full - and still not their own.
    everyone = {v.id: v for v in ev.list_evidence(org, "hr@example.com")}
    assert set(s.concern_evidence) <= set(everyone) and s.hr_concern_evidence not in everyone
    assert everyone[s.concern_evidence[0]].note == NOTE_BOSS
    # Managers keep their full view.
    mine = {v.id: v for v in ev.list_evidence(org, "mgr@example.com", person="ann@example.com")}
    assert set(mine) == {s.accepted, s.rejected, *s.concern_evidence}
    assert mine[s.accepted].decided_by == "mgr@example.com"
    recognition = my_recognition(org, "ann@example.com")
    assert [r.evidence_id for r in recognition.received] == [s.accepted]


def test_data_subject_export_counts_concerns_without_their_content(org):
    s = seed(org)
    data = export_person(org, "ann@example.com", "ann@example.com", viewer="ann@example.com")
    text = json.dumps(data, ensure_ascii=False)
    assert data["scope"] == "subject"
    assert_no_concern_of_ann(text, s)
    assert "mgr@example.com" not in text and "decided_by" not in text and "concern_id" not in text
    assert data["concerns"]["records"] == 2
    assert "HR" in data["concerns"]["explanation"]["en"] and "HR" in data["concerns"]["explanation"]["zh"]
    assert [e["id"] for e in data["recognition"]] == [s.accepted]
    assert {n["story"] for n in data["nominations_received"]} == {STORY_ACCEPTED, STORY_REJECTED}
    assert [n["story"] for n in data["nominations_given"]] == [STORY_ABOUT_HR]
    assert data["person"]["email"] == "ann@example.com"
    # A manager's own export counts what they recorded about others, without it.
    boss = export_person(org, "boss@example.com", viewer="boss@example.com")
    assert boss["records_about_others"] == {**boss["records_about_others"], "concerns_recorded": 2}
    assert NOTE_BOSS not in json.dumps(boss, ensure_ascii=False)
    # An admin exporting their own data is a data subject too.
    assert_no_concern_of_hr(json.dumps(export_person(org, "hr@example.com", viewer="hr@example.com")), s)


def test_full_export_for_hr_and_the_operator_keeps_everything(org):
    seed(org)
    for viewer in ("hr@example.com", None):
        data = export_person(org, "ann@example.com", viewer=viewer)
        assert data["scope"] == "full"
        assert sorted(c["note"] for c in data["concerns_about"]) == sorted([NOTE_BOSS, NOTE_MGR])
    with pytest.raises(PermissionDenied):
        export_person(org, "ann@example.com", viewer="mgr@example.com")  # managers use summaries


# ------------------------------------------------------------------ mitigation is honest
@pytest.mark.parametrize(
    ("criterion", "mitigated", "warned"),
    [("teamwork.2", True, True), ("teamwork.2", False, False), ("customer_first.1", True, False)],
)
def test_mitigation_without_a_half_point_is_recorded_and_said(org, criterion, mitigated, warned):
    v = ev.add_concern(org, "mgr@example.com", "ann@example.com", criterion, "Went quiet", mitigated=mitigated)
    assert v.mitigated is mitigated
    with session_scope(org.engine) as s:
        assert s.exec(select(Concern.mitigated)).one() is mitigated  # the manager's note of fact stays
    if not warned:
        assert v.notices == () and "notices" not in v.to_dict()
        return
    [n] = v.notices
    assert n.message("en") == "teamwork.2 has no half point: mitigation is recorded but does not change the score."
    assert n.message("zh").startswith("teamwork.2 没有半分")
    assert v.to_dict("zh")["notices"] == [{"key": n.key, "message": n.message("zh")}]


# ------------------------------------------------------------------ the command line, as a process
def _liumai(url: str, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIUMAI_DATABASE_URL": url, "LIUMAI_LANG": "en"}
    res = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == code, (args, res.returncode, res.stdout, res.stderr)
    return res


def test_cli_as_the_subject_shows_no_concern(org):
    s = seed(org)
    url = org.settings.database_url
    data = json.loads(_liumai(url, "export", "--person", "ann@example.com", "--as", "ann@example.com").stdout)
    assert data["scope"] == "subject" and data["concerns"]["records"] == 2
    assert_no_concern_of_ann(json.dumps(data, ensure_ascii=False), s)
    own = _liumai(url, "evidence", "list", "--as", "ann@example.com", "--json").stdout
    assert [e["id"] for e in json.loads(own)] == [s.accepted] and "mgr@example.com" not in own
    assert_no_concern_of_ann(own, s)
    hr = _liumai(url, "evidence", "list", "--as", "hr@example.com", "--person", "hr@example.com", "--json").stdout
    assert [e["id"] for e in json.loads(hr)] == [s.hr_accepted]
    assert_no_concern_of_hr(hr, s)
    table = _liumai(url, "evidence", "list", "--as", "hr@example.com", "--person", "hr@example.com").stdout
    assert_no_concern_of_hr(table, s)
    refused = _liumai(url, "score", "--person", "ann@example.com", "--as", "ann@example.com", code=1)
    assert "managers" in refused.stderr
    full = json.loads(_liumai(url, "export", "--person", "ann@example.com").stdout)  # the operator, for HR
    assert full["scope"] == "full" and len(full["concerns_about"]) == 2


def test_cli_concern_add_says_when_mitigation_has_no_effect(org):
    url = org.settings.database_url
    base = ("concern", "add", "--by", "mgr@example.com", "--person", "ann@example.com", "--note", "Went quiet")
    en = _liumai(url, "--lang", "en", *base, "--criterion", "teamwork.2", "--mitigated")
    assert "concern recorded" in en.stdout
    assert "warning: teamwork.2 has no half point: mitigation is recorded but does not change the score." in en.stderr
    zh = _liumai(url, "--lang", "zh", *base, "--criterion", "teamwork.2", "--mitigated", "--json")
    assert "teamwork.2 没有半分" in zh.stderr
    assert json.loads(zh.stdout)["notices"][0]["message"].startswith("teamwork.2 没有半分")
    half = _liumai(url, *base, "--criterion", "customer_first.1", "--mitigated")
    assert half.stderr == "" and "mitigated" in half.stdout
    with session_scope(org.engine) as s:
        assert s.exec(select(Concern.mitigated).order_by(Concern.id)).all() == [True, True, True]
