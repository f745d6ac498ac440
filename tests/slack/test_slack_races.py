"""Races over the real Slack surface: signed interactive requests into the served app, concurrently.

Confirm and Cancel clicked on the same nomination never both win (review item 4), and concurrent
Accept clicks on one piece of evidence change and audit it once (item 8); the click that lost is
told so. "Held" tests hold the first click's listener just before its database write (see
`tests.race_workers.PauseFirstWrite`) so the losing interleaving happens every time.
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from liumai.services import nominations as nom
from liumai.slack import views as B
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence, Nomination
from tests.race_workers import PauseFirstWrite
from tests.slack import payloads as P

NOMINATOR, MANAGER = "U0BOB", "U0MGR"
CRITERION = "teamwork.3"
STORY = "Ann took the pager for the whole holiday week and wrote up every incident for the team"


def new_nomination(slack, i: int = 0) -> int:
    return nom.nominate(slack.ctx, "bob@example.com", "ann@example.com", f"{STORY} ({i}).", tag=False).nomination.id


def pick(slack, n: int, hook: str) -> bytes:
    return P.form_payload(P.block_actions(NOMINATOR, P.button(f"{B.A_PICK}_0", f"{n}|{CRITERION}"), response_url=hook))


def cancel(slack, n: int, hook: str) -> bytes:
    return P.form_payload(P.block_actions(NOMINATOR, P.button(B.A_CANCEL, str(n)), response_url=hook))


def accept(slack, e: int, hook: str) -> bytes:
    return P.form_payload(P.block_actions(MANAGER, P.button(B.A_ACCEPT, str(e)), response_url=hook))


def outcome(slack, n: int) -> tuple[str, list[str]]:
    with session_scope(slack.ctx.engine) as s:
        status = s.get(Nomination, n).status
        return status, list(s.exec(select(Evidence.status).where(Evidence.nomination_id == n)).all())


def told(slack, hook: str) -> str:
    [reply] = slack.wait_hook(hook=hook)
    return reply.params["text"]


def send_together(slack, bodies: list[bytes]) -> None:
    """POST every body at once, from one thread each, released by a barrier."""
    gate = threading.Barrier(len(bodies))
    codes: list[int] = []

    def send(body: bytes) -> None:
        gate.wait(30)
        codes.append(slack.post(body).status_code)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [200] * len(bodies)


def test_confirm_and_cancel_clicked_together_never_both_win(slack):
    for i in range(10):
        n = new_nomination(slack, i)
        hooks = slack.new_hook(), slack.new_hook()
        send_together(slack, [pick(slack, n, hooks[0]), cancel(slack, n, hooks[1])])
        slack.settle()
        confirm_text, cancel_text = told(slack, hooks[0]), told(slack, hooks[1])
        assert outcome(slack, n) in (("confirmed", ["pending"]), ("cancelled", [])), (confirm_text, cancel_text)
        if outcome(slack, n)[0] == "confirmed":
            assert "already confirmed" in cancel_text, cancel_text
        else:
            assert "was cancelled" in confirm_text and "Thank you" not in confirm_text, confirm_text


@pytest.mark.parametrize("held", ["confirm", "cancel"])
def test_the_click_that_read_first_but_writes_last_loses_and_is_told(slack, held):
    n = new_nomination(slack)
    hooks = {"confirm": slack.new_hook(), "cancel": slack.new_hook()}
    bodies = {"confirm": pick(slack, n, hooks["confirm"]), "cancel": cancel(slack, n, hooks["cancel"])}
    other = "cancel" if held == "confirm" else "confirm"
    with PauseFirstWrite(slack.ctx.engine) as pause:
        assert slack.post(bodies[held]).status_code == 200
        pause.wait_reached()
        assert slack.post(bodies[other]).status_code == 200
        winner_text = told(slack, hooks[other])  # the other click ran to the end meanwhile
        pause.release()
        slack.settle()
    loser_text = told(slack, hooks[held])
    if held == "confirm":
        assert outcome(slack, n) == ("cancelled", [])
        assert "cancelled" in winner_text and "This nomination was cancelled." in loser_text
    else:
        assert outcome(slack, n) == ("confirmed", ["pending"])
        assert "Thank you" in winner_text and f"already confirmed as {CRITERION}" in loser_text


def _evidence(slack) -> int:
    n = new_nomination(slack)
    return nom.confirm(slack.ctx, n, "bob@example.com", CRITERION).id


def _accept_rows(slack, e: int) -> list[str]:
    with session_scope(slack.ctx.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "evidence", AuditLog.entity_id == str(e))).all()
        return [a.action for a in rows if a.action != "evidence.create"]


def test_twenty_accept_clicks_together_accept_and_audit_once(slack):
    e = _evidence(slack)
    hooks = [slack.new_hook() for _ in range(20)]
    send_together(slack, [accept(slack, e, h) for h in hooks])
    slack.settle()
    assert _accept_rows(slack, e) == ["evidence.accept"]
    texts = [told(slack, h) for h in hooks]
    assert sum(":information_source:" in t for t in texts) == 19, texts
    assert sum(":white_check_mark:" in t for t in texts) == 1, texts


def test_an_accept_click_that_read_pending_after_another_accepted_is_told_already(slack):
    e = _evidence(slack)
    first, second = slack.new_hook(), slack.new_hook()
    with PauseFirstWrite(slack.ctx.engine) as pause:
        assert slack.post(accept(slack, e, first)).status_code == 200
        pause.wait_reached()
        assert slack.post(accept(slack, e, second)).status_code == 200
        assert ":white_check_mark:" in told(slack, second)
        pause.release()
        slack.settle()
    assert ":information_source:" in told(slack, first)
    assert _accept_rows(slack, e) == ["evidence.accept"]
