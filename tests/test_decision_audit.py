"""One audit row per change (security review, item 8).

A manager's decision (accept, reject, re-tag) is one conditional UPDATE of the evidence - `WHERE
status = <what the manager saw>` - and the audit row is written only when that UPDATE changed the
row. Twenty concurrent Accept clicks (threads, and processes) change it once and audit it once; a
repeat click answers "already accepted" and writes nothing; a decision that lost a race to a
different one is refused instead of silently overriding it.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import select

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.errors import Conflict
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence
from tests.race_workers import PauseFirstWrite, Racer

MGR = "mgr@example.com"
CLICKS = 20


def new_evidence(ctx, i: int = 0) -> int:
    r = nom.nominate(
        ctx, "bob@example.com", "ann@example.com", f"Ann fixed the build for everyone, take {i}.", tag=False
    )
    return nom.confirm(ctx, r.nomination.id, "bob@example.com", "teamwork.3").id


def audit_rows(ctx, evidence_id: int) -> list[tuple[str, dict]]:
    with session_scope(ctx.engine) as s:
        rows = s.exec(
            select(AuditLog)
            .where(AuditLog.entity == "evidence", AuditLog.entity_id == str(evidence_id))
            .where(AuditLog.action != "evidence.create")
            .order_by(AuditLog.id)
        ).all()
        return [(a.action, json.loads(a.detail)) for a in rows]


def status_of(ctx, evidence_id: int) -> tuple[str, str]:
    with session_scope(ctx.engine) as s:
        e = s.get(Evidence, evidence_id)
        return e.status, e.criterion


@pytest.fixture
def wide(org):
    """`org` with a connection pool as wide as the clicks, so they really are concurrent."""
    url = org.settings.database_url
    if not url.startswith("postgresql"):
        yield org
        return
    engine = create_engine(url, pool_size=CLICKS + 2, max_overflow=0)
    yield dataclasses.replace(org, engine=engine)
    engine.dispose()


def test_twenty_concurrent_accepts_in_threads_change_and_audit_once(wide):
    e = new_evidence(wide)
    gate = threading.Barrier(CLICKS)
    results: list[Any] = []

    def click() -> None:
        gate.wait(60)
        try:
            results.append(ev.decide(wide, e, MGR, "accepted").changed)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert audit_rows(wide, e) == [("evidence.accept", {"old": "pending", "new": "accepted"})]
    assert sorted(results, key=str) == [False] * (CLICKS - 1) + [True], results
    assert status_of(wide, e) == ("accepted", "teamwork.3")


def test_twenty_concurrent_accepts_in_two_processes_change_and_audit_once(org):
    """Two processes (replicas), ten threads each, all released together; three pieces of evidence."""
    with Racer(org.settings.database_url, 2) as racer:
        for i in range(3):
            e = new_evidence(org, i)
            answers = racer.round(*[("decide_threads", (CLICKS // 2, e, MGR, "accepted"))] * 2)
            assert [kind for kind, _ in answers] == ["ok"] * 2, answers
            assert audit_rows(org, e) == [("evidence.accept", {"old": "pending", "new": "accepted"})]
            changed = [c for _, per_process in answers for c in per_process]
            assert sorted(changed, key=str) == [False] * (CLICKS - 1) + [True], changed


def _held_then(ctx, first, second) -> tuple[dict[str, Any], Any]:
    """Run `first` in a thread held just before its write; run `second` to the end; release `first`."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = first()
        except Exception as exc:
            out["error"] = exc

    with PauseFirstWrite(ctx.engine) as pause:
        t = threading.Thread(target=run)
        t.start()
        pause.wait_reached()
        other = second()
        pause.release()
        t.join(60)
    return out, other


def test_a_click_that_read_pending_after_another_accepted_changes_nothing(org):
    e = new_evidence(org)
    out, other = _held_then(
        org, lambda: ev.decide(org, e, MGR, "accepted"), lambda: ev.decide(org, e, "hr@example.com", "accepted")
    )
    assert other.changed and out["value"].changed is False and out["value"].status == "accepted"
    assert audit_rows(org, e) == [("evidence.accept", {"old": "pending", "new": "accepted"})]


def test_a_decision_that_lost_to_a_different_one_is_refused(org):
    e = new_evidence(org)
    out, other = _held_then(
        org, lambda: ev.decide(org, e, MGR, "accepted"), lambda: ev.decide(org, e, "hr@example.com", "rejected")
    )
    assert other.changed and isinstance(out.get("error"), Conflict) and out["error"].key == "evidence.changed"
    assert status_of(org, e) == ("rejected", "teamwork.3")
    assert audit_rows(org, e) == [("evidence.reject", {"old": "pending", "new": "rejected"})]


def test_concurrent_retags_to_the_same_behaviour_audit_once(org):
    e = new_evidence(org)
    out, other = _held_then(
        org, lambda: ev.retag(org, e, MGR, "teamwork.4"), lambda: ev.retag(org, e, "hr@example.com", "teamwork.4")
    )
    assert other.changed and out["value"].changed is False
    assert [a for a, _ in audit_rows(org, e)] == ["evidence.retag"]
    assert status_of(org, e) == ("accepted", "teamwork.4")


def test_every_audit_row_is_a_real_change(org):
    """Repeats write nothing; changes of mind are each audited with the state they really left."""
    e = new_evidence(org)
    assert ev.decide(org, e, MGR, "accepted").changed
    assert not ev.decide(org, e, MGR, "accepted").changed
    assert ev.decide(org, e, MGR, "rejected").changed
    assert not ev.decide(org, e, "hr@example.com", "rejected").changed
    assert ev.retag(org, e, MGR, "teamwork.4").changed  # re-tagging accepts
    assert not ev.retag(org, e, MGR, "teamwork.4").changed
    assert ev.retag(org, e, MGR, "teamwork.5", accept=False).changed
    assert not ev.decide(org, e, MGR, "accepted").changed  # still accepted
    rows = audit_rows(org, e)
    assert rows == [
        ("evidence.accept", {"old": "pending", "new": "accepted"}),
        ("evidence.reject", {"old": "accepted", "new": "rejected"}),
        (
            "evidence.retag",
            {
                "old_criterion": "teamwork.3",
                "new_criterion": "teamwork.4",
                "old_status": "rejected",
                "new_status": "accepted",
            },
        ),
        (
            "evidence.retag",
            {
                "old_criterion": "teamwork.4",
                "new_criterion": "teamwork.5",
                "old_status": "accepted",
                "new_status": "accepted",
            },
        ),
    ]


def test_the_cli_says_when_a_decision_was_already_so(org, monkeypatch):
    from typer.testing import CliRunner

    from liumai.cli.main import app

    monkeypatch.setenv("LIUMAI_DATABASE_URL", org.settings.database_url)
    monkeypatch.setenv("LIUMAI_LANG", "en")
    e = new_evidence(org)
    runner = CliRunner()
    first = runner.invoke(app, ["evidence", "accept", str(e), "--by", MGR, "--json"])
    again = runner.invoke(app, ["evidence", "accept", str(e), "--by", MGR])
    assert first.exit_code == again.exit_code == 0, (first.output, again.output)
    assert json.loads(first.stdout)["changed"] is True and json.loads(first.stdout)["status"] == "accepted"
    assert again.stdout.strip().endswith("accepted (already so: nothing changed)")
    retag = [runner.invoke(app, ["evidence", "retag", str(e), "--criterion", "teamwork.4", "--by", MGR]) for _ in "12"]
    assert "already so" not in retag[0].stdout and "already so" in retag[1].stdout
    assert [a for a, _ in audit_rows(org, e)] == ["evidence.accept", "evidence.retag"]
