"""The authorization matrix of tests/test_authorization.py, every cell driven through Feishu.

Same table, same subject (Ann), same roles; each action is done the way a person does it in
Feishu - a message to the bot or a card click, over real HTTP - by the role's open_id. The
deactivated colleague was removed from the org by a re-import; the unknown user is an open_id the
org has never heard of. An allowed cell must work; a refused cell must answer with the same clear
message the service gives (in the actor's language), or the adapter's own "you are not in the org
chart" / "your account is deactivated", and leave every table untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import select

from liumai.feishu.texts import lang_for, tr
from liumai.services.errors import ServiceError
from liumai.services.org import set_team
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, DigestRun, Evidence, Person
from tests.authorization_matrix import MATRIX, ROLES, act, snapshot
from tests.feishu.driver import card_values, converse
from tests.feishu.helpers import card_action

ANN = ("@_user_1", "ou_ann", "Ann")
ALPHA_CHAT = "oc_alpha_values"
WEEK = "2026-W47"
CELLS = [(a, r) for a in MATRIX for r in ROLES]


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only, overriding the suite's two-database parametrization: the services' matrix
    (tests/test_authorization.py) already runs every cell on PostgreSQL, and this module checks
    the adapter's side of it (70 cells, each with a fresh database, at ~0.3 s of schema set-up each
    on PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def open_id(role: str) -> str:
    """The org CSV's convention: ou_<local part> (the unknown user's open_id is in no org)."""
    return "ou_" + ROLES[role].split("@", 1)[0]


@dataclass
class Outcome:
    """What the actor saw: a text reply or a toast (refusals), and everything sent to them."""

    text: str
    replies: list


@dataclass
class Fixture:
    app: object
    evidence_id: int
    nomination_id: int
    ann_id: int


@pytest.fixture
def fworld(world, app) -> Fixture:
    _ctx, evidence_id, nomination_id = world
    set_team(app.ctx, "alpha", feishu_chat_id=ALPHA_CHAT, name_en="Alpha", name_zh="阿尔法")
    with session_scope(app.ctx.engine) as s:
        ann_id = s.exec(select(Person.id).where(Person.email == "ann@example.com")).one()
        dee = s.exec(select(Person).where(Person.email == "dee@example.com")).one()
        assert dee.feishu_open_id == "ou_dee" and not dee.active
    return Fixture(app, evidence_id, nomination_id, ann_id)


def _say(f: Fixture, who: str, text: str, mentions=(ANN,)) -> Outcome:
    replies = converse(f.app, who, text, list(mentions))
    assert replies, f"no answer to {text!r}"
    return Outcome(replies[0].text, replies)


def _click(f: Fixture, who: str, value: dict, option: str | None = None) -> Outcome:
    r = f.app.client.card(card_action(who, value, option=option))
    assert r.status_code == 200, r.text
    body = r.json()
    f.app.idle()
    return Outcome(body["toast"]["content"] if "toast" in body else "", [body])


def nominate(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/nominate @_user_1 Ann walked the whole team through the new incident process.")


def confirm(f: Fixture, who: str) -> Outcome:
    return _click(f, who, {"a": "confirm", "n": f.nomination_id}, option="teamwork.4")


def see_evidence(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/values evidence @_user_1")


def decide_evidence(f: Fixture, who: str) -> Outcome:
    return _click(f, who, {"a": "accept", "e": f.evidence_id})


def add_concern(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/values concern @_user_1 teamwork.1 Skipped the retro")


def see_summary(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/values summary @_user_1")


def see_team_summary(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/values team alpha", ())


def post_digest(f: Fixture, who: str) -> Outcome:
    return _say(f, who, f"/values digest alpha {WEEK}", ())


def export(f: Fixture, who: str) -> Outcome:
    return _say(f, who, "/values export @_user_1")


def erase(f: Fixture, who: str) -> Outcome:
    """The command, then - when a confirmation card came - its button."""
    asked = _say(f, who, "/values erase @_user_1")
    card = asked.replies[0]
    if card.body["msg_type"] != "interactive":
        return asked
    [button] = [v for v in card_values(card.content) if v.get("a") == "erase"]
    return _click(f, who, button)


DRIVERS: dict[str, Callable[[Fixture, str], Outcome]] = {
    "nominate": nominate,
    "confirm": confirm,
    "see_evidence": see_evidence,
    "decide_evidence": decide_evidence,
    "add_concern": add_concern,
    "see_summary": see_summary,
    "see_team_summary": see_team_summary,
    "post_digest": post_digest,
    "export": export,
    "erase": erase,
}


def expected_refusal(f: Fixture, action: str, role: str) -> str:
    """The adapter's refusal for unknown / deactivated senders, else the service's own message."""
    if role == "unknown":
        return tr("unknown_sender", "zh")
    with session_scope(f.app.ctx.engine) as s:
        locale = s.exec(select(Person.locale).where(Person.email == ROLES[role])).one()
    if role == "deactivated":
        return tr("inactive_sender", lang_for(locale))
    with pytest.raises(ServiceError) as exc:  # the services refuse, changing nothing (test_authorization)
        act(f.app.ctx, action, ROLES[role], f.evidence_id, f.nomination_id)
    return exc.value.message(lang_for(locale))


def check_allowed(f: Fixture, action: str, role: str, out: Outcome, before: dict) -> None:
    app, after = f.app, snapshot(f.app.ctx.engine)
    first = out.replies[0]
    if action == "nominate":
        assert first.content["header"]["title"]["content"] in ("Nomination for Ann", "提名 Ann")
        assert after["Nomination"] == before["Nomination"] + 1
    elif action == "confirm":
        assert first["toast"]["type"] == "success"
        with session_scope(app.ctx.engine) as s:
            e = s.exec(select(Evidence).where(Evidence.nomination_id == f.nomination_id)).one()
        assert e.criterion == "teamwork.4" and e.status == "pending"
    elif action == "see_evidence":
        assert f"#{f.evidence_id}" in first.text and "walked the whole team" in first.text
    elif action == "decide_evidence":
        assert first["toast"]["type"] == "success"
        with session_scope(app.ctx.engine) as s:
            assert s.get(Evidence, f.evidence_id).status == "accepted"
    elif action == "add_concern":
        assert ("recorded privately" in first.text or "私下记录" in first.text) and after["Concern"] == before[
            "Concern"
        ] + 1
    elif action in ("see_summary", "see_team_summary"):
        assert [c.body["msg_type"] for c in out.replies] == ["interactive", "image", "file", "file"]
        assert "Ann" in first.text
    elif action == "post_digest":
        assert WEEK in first.text and first.body["msg_type"] == "text"
        [card] = [c for c in app.fake.sent(ALPHA_CHAT) if c.body["msg_type"] == "interactive"]
        assert f"liumai-digest:alpha:{WEEK}" in card.text
        with session_scope(app.ctx.engine) as s:
            assert s.exec(select(DigestRun.status)).one() == "posted"
    elif action == "export":
        assert [c.body["msg_type"] for c in out.replies] == ["text", "file"]
        upload = app.fake.upload(out.replies[1].content["file_key"])
        data = json.loads(upload.data)
        assert data["person"]["email"] == "ann@example.com" and data["nominations_received"]
        with session_scope(app.ctx.engine) as s:
            assert s.exec(select(AuditLog).where(AuditLog.action == "person.export")).one().actor == ROLES[role]
    elif action == "erase":
        assert first["toast"]["type"] == "success" and after["ann"] is False
        with session_scope(app.ctx.engine) as s:
            ann = s.get(Person, f.ann_id)
            assert ann.email == f"erased-{f.ann_id}@invalid" and ann.feishu_open_id is None
    else:  # pragma: no cover
        raise AssertionError(action)


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_matrix_cell_through_feishu(fworld, action, role):
    f = fworld
    who = open_id(role)
    allowed = role in MATRIX[action]
    expected = None if allowed else expected_refusal(f, action, role)
    before = snapshot(f.app.ctx.engine)
    uploads_before = len(f.app.fake.uploads)
    out = DRIVERS[action](f, who)
    if allowed:
        check_allowed(f, action, role, out, before)
        return
    assert out.text == expected, f"{action} by {role}: {out.text!r}"
    assert expected.strip() and expected not in (tr("error", "en"), tr("error", "zh"))
    assert snapshot(f.app.ctx.engine) == before, "a refusal must change nothing"
    assert len(f.app.fake.uploads) == uploads_before and f.app.fake.sent(ALPHA_CHAT) == []
    if action == "erase":
        # A forged or forwarded confirmation button is refused just the same.
        forged = _click(f, who, {"a": "erase", "p": f.ann_id})
        assert forged.replies[0]["toast"]["type"] == "error" and "card" not in forged.replies[0]
        assert snapshot(f.app.ctx.engine) == before


def test_every_action_has_a_feishu_driver_and_the_roles_resolve(fworld):
    assert set(DRIVERS) == set(MATRIX)
    with session_scope(fworld.app.ctx.engine) as s:
        known = {p.email: p.feishu_open_id for p in s.exec(select(Person)).all()}
    for role, email in ROLES.items():
        assert known.get(email) == (None if role == "unknown" else open_id(role))


def test_erase_can_be_cancelled(fworld):
    f = fworld
    card = converse(f.app, "ou_hr", "/values erase @_user_1", [ANN])[0]
    assert card.content["header"]["title"]["content"] == "Erase Ann's personal data?"
    assert "ann@example.com" in card.text
    [cancel] = [v for v in card_values(card.content) if v.get("a") == "erase_cancel"]
    before = snapshot(f.app.ctx.engine)
    body = f.app.client.card(card_action("ou_hr", cancel)).json()
    assert "nothing was erased" in json.dumps(body["card"]["data"])
    assert snapshot(f.app.ctx.engine) == before
    # Clicking "erase" twice (a double click) erases once and then says so.
    [button] = [v for v in card_values(card.content) if v.get("a") == "erase"]
    assert f.app.client.card(card_action("ou_hr", button)).json()["toast"]["type"] == "success"
    again = f.app.client.card(card_action("ou_hr", button)).json()
    assert again["toast"]["type"] == "error" and "already erased" in again["toast"]["content"]


def test_export_of_oneself_without_a_mention(fworld):
    replies = converse(fworld.app, "ou_bob", "/values export")
    assert replies[0].text.startswith("Bob, your personal data in Liumai is in your DM")
    data = json.loads(fworld.app.fake.upload(replies[1].content["file_key"]).data)
    assert data["person"]["email"] == "bob@example.com" and data["scope"] == "subject"
    assert fworld.app.fake.upload(replies[1].content["file_key"]).name == "liumai-export-bob.json"
