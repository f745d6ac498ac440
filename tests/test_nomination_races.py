"""Confirm and Cancel of one nomination cannot both win (security review, item 4).

Each is one conditional UPDATE of the nomination (`WHERE status IN ('pending_tag', 'suggested')`),
with the evidence created only by a winning Confirm, in the same transaction. Raced by two real
processes released together by a barrier (30 rounds, SQLite and PostgreSQL), and interleaved
deterministically (one side held just before its write while the other runs to the end).
The end state is always one of: cancelled with no evidence, or confirmed with pending evidence.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from liumai.services import nominations as nom
from liumai.services.errors import Conflict
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence, Nomination
from tests.race_workers import BY, CRITERION, PauseFirstWrite, Racer, in_thread, new_nomination

ROUNDS = 30


def state(ctx, nomination_id: int) -> tuple[str, list[str], list[str]]:
    """The nomination's status, its evidence's statuses, and the audit actions that changed it."""
    with session_scope(ctx.engine) as s:
        status = s.get(Nomination, nomination_id).status
        evidence = list(s.exec(select(Evidence.status).where(Evidence.nomination_id == nomination_id)).all())
        actions = [
            a.action
            for a in s.exec(select(AuditLog).where(AuditLog.action.in_(["nomination.cancel", "evidence.create"])))
            if (a.entity == "nomination" and a.entity_id == str(nomination_id))
            or json.loads(a.detail).get("nomination") == nomination_id
        ]
    return status, evidence, actions


def assert_one_winner(ctx, nomination_id: int, confirm_won: bool, cancel_won: bool) -> None:
    final = state(ctx, nomination_id)
    assert confirm_won != cancel_won, ("both won" if confirm_won else "neither won", final)
    if confirm_won:
        assert final == ("confirmed", ["pending"], ["evidence.create"])
    else:
        assert final == ("cancelled", [], ["nomination.cancel"])


def test_confirm_and_cancel_in_two_processes_never_both_win(org):
    with Racer(org.settings.database_url, 2) as racer:
        for i in range(ROUNDS):
            n = new_nomination(org, i)
            (c_kind, c_val), (x_kind, x_val) = racer.round(("confirm", (n, BY, CRITERION)), ("cancel", (n, BY)))
            assert "error" not in (c_kind, x_kind), (c_val, x_val)
            assert_one_winner(org, n, c_kind == "ok", x_kind == "ok")
            # the loser was told why, and changed nothing
            assert (c_val if c_kind == "refused" else x_val) in ("nominate.cancelled", "nominate.already_confirmed")


@pytest.mark.parametrize("held", ["confirm", "cancel"])
def test_the_side_that_read_first_but_writes_last_loses(org, held):
    """One side has read the nomination as open; the other confirms or cancels meanwhile."""
    n = new_nomination(org)
    confirm = (nom.confirm, org, n, BY, CRITERION)
    cancel = (nom.cancel, org, n, BY)
    first, second = (confirm, cancel) if held == "confirm" else (cancel, confirm)
    with PauseFirstWrite(org.engine) as pause:
        thread, out = in_thread(*first)
        pause.wait_reached()
        second[0](*second[1:])  # runs to the end while the first is held before its write
        pause.release()
        thread.join(60)
    assert isinstance(out.get("error"), Conflict), out
    assert out["error"].key == ("nominate.cancelled" if held == "confirm" else "nominate.already_confirmed")
    assert_one_winner(org, n, confirm_won=held == "cancel", cancel_won=held == "confirm")


def test_repeats_are_idempotent_and_refusals_are_clear(org):
    n = new_nomination(org)
    nom.cancel(org, n, BY)
    nom.cancel(org, n, BY)  # a double click: no second audit row
    with pytest.raises(Conflict, match="cancelled"):
        nom.confirm(org, n, BY, CRITERION)
    assert state(org, n) == ("cancelled", [], ["nomination.cancel"])
    m = new_nomination(org, 1)
    e = nom.confirm(org, m, BY, CRITERION)
    assert nom.confirm(org, m, BY, CRITERION).id == e.id  # a double click returns the same evidence
    with pytest.raises(Conflict, match=f"already confirmed as {CRITERION}"):
        nom.confirm(org, m, BY, "teamwork.1")
    with pytest.raises(Conflict, match=f"already confirmed as {CRITERION}"):
        nom.cancel(org, m, BY)
    assert state(org, m) == ("confirmed", ["pending"], ["evidence.create"])
