"""The driver the cross-platform scenario table uses: one scenario end to end, checked in the database."""

from __future__ import annotations

from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import Evidence, Nomination, Person
from tests.feishu.driver import FeishuDriver

STORY = "Bob proactively shared his business knowledge and experience with the new hires and helped colleagues."


def test_scenario_nominate_confirm_review_concern_me(app):
    d = FeishuDriver(app)
    n = d.nominate("ann@example.com", "bob@example.com", STORY)
    assert d.confirm("ann@example.com", n, "teamwork.3") == "Confirmed: teamwork.3"
    [e] = d.review("mgr@example.com")
    assert d.decide("mgr@example.com", e, "accepted") == f"已接受 #{e}"
    assert "私下记录关注事项" in d.concern(
        "mgr@example.com", "bob@example.com", "dedication.2", "missed two deadlines", mitigated=True
    )
    assert d.review("mgr@example.com") == []
    text = d.me("bob@example.com")
    assert "Teamwork: 1" in text and "dedication" not in text  # a person's view never shows concerns

    with session_scope(app.ctx.engine) as s:
        people = {p.id: p.email for p in s.exec(select(Person)).all()}
        state = sorted(
            (people[x.subject_id], x.criterion, x.polarity, x.status, x.mitigated)
            for x in s.exec(select(Evidence)).all()
        )
        nominations = [(people[x.nominator_id], people[x.nominee_id], x.status) for x in s.exec(select(Nomination))]
    assert state == [
        ("bob@example.com", "dedication.2", "non_conforming", "accepted", True),
        ("bob@example.com", "teamwork.3", "conforming", "accepted", False),
    ]
    assert nominations == [("ann@example.com", "bob@example.com", "confirmed")]
