"""Drive the Feishu adapter the way people do - messages and card clicks over real HTTP - by e-mail.

Meant for scenario tables shared with the Slack adapter: each step names people by e-mail and
returns plain values (ids, texts), and waits for the adapter's replies on the fake open platform
deterministically (polling recorded calls with a timeout). Steps:

    d = FeishuDriver(app)
    n = d.nominate("ann@example.com", "bob@example.com", story)        # -> nomination id
    d.confirm("ann@example.com", n, "teamwork.3")                      # -> toast text
    ids = d.review("mgr@example.com")                                  # -> pending evidence ids
    d.decide("mgr@example.com", ids[0], "accepted")                    # -> toast text
    d.retag("mgr@example.com", ids[0], "teamwork.4")                   # -> toast text
    d.concern("mgr@example.com", "bob@example.com", "integrity.2", "note")  # -> reply text
    d.me("bob@example.com")                                            # -> the card's text

`converse(app, open_id, text, mentions)` sends any message and returns every message the bot sent
back to that person (cards, images, files), for the report and authorization tests.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import Person
from tests.fakes.feishu_api import Call
from tests.feishu.fixtures import App
from tests.feishu.helpers import card_action, message_event


def card_values(card: Any) -> list[dict]:
    """Every callback value in a card, in order (buttons and selects)."""
    out: list[dict] = []
    if isinstance(card, dict):
        for b in card.get("behaviors") or []:
            if b.get("type") == "callback":
                out.append(b.get("value") or {})
        for k, v in card.items():
            if k != "behaviors":
                out.extend(card_values(v))
    elif isinstance(card, list):
        for v in card:
            out.extend(card_values(v))
    return out


class FeishuDriver:
    def __init__(self, app: App) -> None:
        self.app = app

    def open_id(self, email: str) -> str:
        with session_scope(self.app.ctx.engine) as s:
            p = s.exec(select(Person).where(Person.email == email.lower())).one()
            assert p.feishu_open_id, f"{email} has no Feishu open_id"
            return p.feishu_open_id

    def _mark(self) -> int:
        """Let earlier steps' background work (e.g. notifications) finish, then mark the call log."""
        self.app.idle()
        return self.app.fake.mark()

    def nominate(self, nominator: str, nominee: str, story: str) -> int:
        me, them = self.open_id(nominator), self.open_id(nominee)
        mark = self._mark()
        r = self.app.client.post(message_event(me, f"/nominate @_user_1 {story}", [("@_user_1", them, nominee)]))
        assert r.status_code == 200, r.text
        reply = self.app.fake.wait_message(me, after=mark)
        ids = {v["n"] for v in card_values(reply.content) if "n" in v}
        assert len(ids) == 1, f"no nomination card: {reply.text}"
        return ids.pop()

    def _click(self, email: str, value: dict, option: str | None = None) -> dict:
        r = self.app.client.card(card_action(self.open_id(email), value, option=option))
        assert r.status_code == 200, r.text
        return r.json()

    def confirm(self, nominator: str, nomination_id: int, criterion: str) -> str:
        body = self._click(nominator, {"a": "confirm", "n": nomination_id}, option=criterion)
        return body["toast"]["content"]

    def review(self, manager: str) -> list[int]:
        me = self.open_id(manager)
        mark = self._mark()
        r = self.app.client.post(message_event(me, "/values review"))
        assert r.status_code == 200, r.text
        reply = self.app.fake.wait_message(me, after=mark)
        return sorted({v["e"] for v in card_values(reply.content) if "e" in v})

    def decide(self, manager: str, evidence_id: int, decision: str) -> str:
        kind = {"accepted": "accept", "rejected": "reject"}[decision]
        return self._click(manager, {"a": kind, "e": evidence_id})["toast"]["content"]

    def retag(self, manager: str, evidence_id: int, criterion: str) -> str:
        return self._click(manager, {"a": "retag", "e": evidence_id}, option=criterion)["toast"]["content"]

    def concern(self, manager: str, person: str, criterion: str, note: str, *, mitigated: bool = False) -> str:
        me, them = self.open_id(manager), self.open_id(person)
        flag = " mitigated" if mitigated else ""
        mark = self._mark()
        text = f"/values concern @_user_1 {criterion}{flag} {note}"
        r = self.app.client.post(message_event(me, text, [("@_user_1", them, person)], event_id=uuid.uuid4().hex))
        assert r.status_code == 200, r.text
        return self.app.fake.wait_message(me, after=mark).text

    def me(self, person: str) -> str:
        me = self.open_id(person)
        mark = self._mark()
        r = self.app.client.post(message_event(me, "/values me"))
        assert r.status_code == 200, r.text
        return self.app.fake.wait_message(me, after=mark).text


def converse(
    app: App, open_id: str, text: str, mentions: list[tuple[str, str, str]] | tuple = (), **kw: Any
) -> list[Call]:
    """Send `text` as `open_id` and return every message delivered to them in answer, in order.

    Deterministic: the event is acknowledged only after its work was queued, so waiting for the
    bot to be idle is waiting for the whole answer (cards, images, files).
    """
    app.idle()
    mark = app.fake.mark()
    r = app.client.post(message_event(open_id, text, list(mentions), event_id=uuid.uuid4().hex, **kw))
    assert r.status_code == 200, r.text
    app.idle()
    later = app.fake.snapshot()[mark:]
    return [c for c in app.fake.sent(open_id) if any(x is c for x in later)]
