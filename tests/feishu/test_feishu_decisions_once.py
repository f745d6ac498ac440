"""A repeat Accept / Re-tag click on a Feishu review card is answered "already", and audited once."""

from __future__ import annotations

from sqlmodel import select

from liumai.services import nominations as nom
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog
from tests.feishu.driver import FeishuDriver


def test_repeat_clicks_are_told_already_and_write_no_audit_row(app):
    r = nom.nominate(app.ctx, "bob@example.com", "ann@example.com", "Ann rewrote the flaky deploy script.", tag=False)
    e = nom.confirm(app.ctx, r.nomination.id, "bob@example.com", "teamwork.3").id
    driver = FeishuDriver(app)
    assert driver.decide("mgr@example.com", e, "accepted") == f"已接受 #{e}"
    assert driver.decide("mgr@example.com", e, "accepted") == f"#{e} 已经接受过了，未做更改"
    assert driver.decide("hr@example.com", e, "accepted") == f"#{e} was already accepted; nothing changed"
    assert driver.retag("hr@example.com", e, "teamwork.4") == f"#{e} re-tagged as teamwork.4 and accepted"
    assert driver.retag("mgr@example.com", e, "teamwork.4") == f"#{e} 已经是 teamwork.4（已接受），未做更改"
    with session_scope(app.ctx.engine) as s:
        actions = [
            a.action
            for a in s.exec(select(AuditLog).where(AuditLog.entity == "evidence", AuditLog.entity_id == str(e))).all()
        ]
    assert [a for a in actions if a != "evidence.create"] == ["evidence.accept", "evidence.retag"]
