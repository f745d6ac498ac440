"""Data rights: export everything about a person, erase it (anonymising what others need), retention, backup."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.data_rights import backup_sqlite, erase_person, export_person, purge_older_than
from liumai.services.errors import InvalidInput
from liumai.services.summaries import person_summary
from liumai.storage.models import AuditLog, Concern, Evidence, Nomination, Person

ABOUT_ANN = "Ann found the root cause of the double-charge bug and wrote the postmortem."
BY_ANN = "Bob calmed an angry merchant and sorted the refund in ten minutes."


@pytest.fixture
def data(org):
    r = nom.nominate(org, "bob@example.com", "ann@example.com", ABOUT_ANN)
    e = nom.confirm(org, r.nomination.id, "bob@example.com", "teamwork.3")
    ev.decide(org, e.id, "mgr@example.com", "accepted")
    r2 = nom.nominate(org, "ann@example.com", "bob@example.com", BY_ANN)
    e2 = nom.confirm(org, r2.nomination.id, "ann@example.com", "customer_first.2")
    ev.decide(org, e2.id, "mgr@example.com", "accepted")
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.1", "Missed two stand-ups")
    return org


def test_export_holds_everything_about_the_person(data):
    out = export_person(data, "ann@example.com")
    json.dumps(out, ensure_ascii=False)
    assert out["person"]["email"] == "ann@example.com"
    assert [n["story"] for n in out["nominations_received"]] == [ABOUT_ANN]
    assert [n["story"] for n in out["nominations_given"]] == [BY_ANN]
    assert {e["criterion"] for e in out["evidence_about"]} == {"teamwork.3", "teamwork.1"}
    assert [c["note"] for c in out["concerns_about"]] == ["Missed two stand-ups"]
    assert out["suggestions"] and out["audit_log"]
    with Session(data.engine) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "person.export")).first() is not None


def test_erase_removes_what_is_about_them_and_anonymises_the_rest(data):
    report = erase_person(data, "ann@example.com")
    assert report.nominations_deleted == 1 and report.evidence_deleted == 2 and report.concerns_deleted == 1
    with Session(data.engine) as s:
        ann = s.get(Person, report.person_id)
        assert ann.email == report.label and "Ann" not in ann.display_name and not ann.active
        assert ann.slack_user_id is None and ann.feishu_open_id is None
        stories = [n.story for n in s.exec(select(Nomination)).all()]
        assert stories == [BY_ANN]  # Bob's recognition stays, from an anonymous colleague
        assert s.exec(select(func.count()).select_from(Concern)).one() == 0
        assert s.exec(select(Evidence).where(Evidence.subject_id == report.person_id)).first() is None
        for row in s.exec(select(AuditLog)).all():
            assert "ann@example.com" not in row.actor and "ann@example.com" not in row.detail
        assert s.exec(select(AuditLog).where(AuditLog.action == "person.erase")).first() is not None
    bob = person_summary(data, "bob@example.com")
    assert bob.evidence[0].nominator.startswith("Erased person")
    assert bob.accepted.values["customer_first"].score == 2  # Bob's score is unchanged
    with pytest.raises(InvalidInput, match="already erased"):
        erase_person(data, report.person_id)


def test_retention_purges_old_records(data):
    data.clock.now += timedelta(days=400)
    r = nom.nominate(data, "wang@example.com", "bob@example.com", "Recent story about Bob helping out on-call.")
    nom.confirm(data, r.nomination.id, "wang@example.com", "teamwork.3")
    out = purge_older_than(data, 365)
    assert out == {"nominations": 2, "concerns": 1, "evidence": 3}
    with Session(data.engine) as s:
        assert [n.story for n in s.exec(select(Nomination)).all()] == ["Recent story about Bob helping out on-call."]
    with pytest.raises(InvalidInput):
        purge_older_than(data, 0)


def test_backup_is_a_consistent_copy_while_writers_run(org, tmp_path):
    if org.engine.dialect.name != "sqlite":
        with pytest.raises(InvalidInput, match="pg_dump"):
            backup_sqlite(org, tmp_path / "b.db")
        return
    stop = threading.Event()
    errors: list[Exception] = []

    def writer():
        i = 0
        while not stop.is_set():
            try:
                nom.nominate(
                    org, "bob@example.com", "ann@example.com", f"Story {i} about Ann's careful reviews.", tag=False
                )
                i += 1
            except Exception as exc:  # surfaced below
                errors.append(exc)
                return

    t = threading.Thread(target=writer)
    t.start()
    try:
        dest = backup_sqlite(org, tmp_path / "backup.db")
    finally:
        stop.set()
        t.join()
    assert not errors
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    (n,) = con.execute("SELECT count(*) FROM nomination").fetchone()
    (j,) = con.execute("SELECT count(*) FROM tag_job").fetchone()
    assert n == j  # a nomination and its job are written together: no half transaction in the copy
    con.close()
    with pytest.raises(InvalidInput, match="exists"):
        backup_sqlite(org, dest)


def test_erase_target_applies_the_erase_rule_before_the_button(org):
    from liumai.services.data_rights import erase_target
    from liumai.services.errors import PermissionDenied

    ann = erase_target(org, "feishu:ou_hr", "feishu:ou_ann")
    assert ann is not None and (ann.email, ann.display_name) == ("ann@example.com", "Ann")
    assert erase_target(org, "hr@example.com", None) is None  # may erase: show the usage
    assert erase_target(org, "hr@example.com", "feishu:ou_nobody") is None  # the caller names whom
    for viewer, subject in (
        ("hr@example.com", "feishu:ou_hr"),  # never themselves
        ("mgr@example.com", "ann@example.com"),  # managers are not admins
        ("ann@example.com", None),
        ("ann@example.com", "feishu:ou_nobody"),  # the permission comes first
    ):
        with pytest.raises(PermissionDenied):
            erase_target(org, viewer, subject)
    erase_person(org, "ann@example.com")
    assert erase_target(org, "hr@example.com", ann.id).active is False  # erased people are still found
