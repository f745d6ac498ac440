"""`/values evidence`, `/values export` and `/values erase` on Slack: the same permissions as on Feishu.

Driven over signed HTTP into the served app; files are read back as bytes from the fake Web API's
uploads. The services decide who may see what; these tests check that Slack shows exactly that:
the data-subject export holds no concern text, erase is admin-only and asks first.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.slack.records import A_ERASE, A_ERASE_CANCEL
from liumai.storage.db import session_scope
from liumai.storage.models import Person
from tests.slack import payloads as P
from tests.slack.harness import STORIES, SlackHarness

CONCERN = "Promised the fix by Friday, shipped nothing."


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: the services' rules run on both databases in their own tests."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


@pytest.fixture
def bob(slack: SlackHarness) -> SlackHarness:
    """Bob has pending evidence from Ann and a concern recorded by his manager."""
    res = nom.nominate(slack.ctx, "ann@example.com", "bob@example.com", STORIES["en"], source="slack", tag=False)
    nom.confirm(slack.ctx, res.nomination.id, "ann@example.com", "teamwork.3")
    ev.add_concern(slack.ctx, "mgr@example.com", "bob@example.com", "integrity.2", CONCERN)
    return slack


def _answers(slack: SlackHarness) -> list[dict]:
    slack.settle()
    return [c.params for c in slack.hook_calls()]


def _values(slack: SlackHarness, text: str, user: str) -> list[dict]:
    r = slack.command(text, user=user, command="/values")
    assert r.status_code == 200 and r.text == ""
    return _answers(slack)


def _bob_email(slack: SlackHarness) -> str:
    """Bob's e-mail as stored now (erasure replaces it, and his Slack id, with a label)."""
    with session_scope(slack.ctx.engine) as s:
        return s.exec(select(Person.email).where(Person.display_name == "Bob")).first() or "erased"


# ------------------------------------------------------------------ evidence
@pytest.mark.parametrize("word", ["evidence", "事例"])
def test_evidence_of_oneself_holds_no_concern(bob: SlackHarness, word: str) -> None:
    [answer] = _values(bob, word, "U0BOB")
    text = json.dumps(answer, ensure_ascii=False)
    assert answer["response_type"] == "ephemeral"
    assert "Evidence · Bob" in text and "teamwork.3" in text and STORIES["en"][:30] in text
    assert CONCERN not in text and "integrity.2" not in text


@pytest.mark.parametrize(("asker", "lang"), [("U0MGR", "zh"), ("U0HR", "en")])
def test_evidence_of_a_report_for_managers_and_admins(bob: SlackHarness, asker: str, lang: str) -> None:
    [answer] = _values(bob, "evidence <@U0BOB|bob>", asker)
    text = json.dumps(answer, ensure_ascii=False)
    assert ("事例 · Bob" if lang == "zh" else "Evidence · Bob") in text
    assert "teamwork.3" in text and CONCERN in text


def test_evidence_of_a_peer_is_refused(bob: SlackHarness) -> None:
    [answer] = _values(bob, "evidence <@U0BOB|bob>", "U0ANN")
    assert "teamwork.3" not in json.dumps(answer) and CONCERN not in json.dumps(answer)
    assert answer["text"] and "Evidence · Bob" not in json.dumps(answer)  # a refusal, not the list


# ------------------------------------------------------------------ export
def test_own_export_is_the_data_subject_export_in_the_dm(bob: SlackHarness) -> None:
    [answer] = _values(bob, "export", "U0BOB")
    assert "DM" in answer["text"] and "HR" in answer["text"]
    [f] = bob.fake.uploads("D0BOB")
    assert f["filename"] == "liumai-export-bob.json"
    data = json.loads(f["data"])
    assert data["scope"] == "subject" and data["person"]["email"] == "bob@example.com"
    assert CONCERN.encode() not in f["data"]  # concerns are counted, never quoted, for the subject
    assert bob.fake.uploads() == [f]


def test_admin_export_of_someone_is_full(bob: SlackHarness) -> None:
    [answer] = _values(bob, "导出 <@U0BOB|bob>", "U0HR")  # the Chinese alias
    assert "Bob" in answer["text"]
    [f] = bob.fake.uploads("D0HR")
    data = json.loads(f["data"])
    assert data["scope"] == "full" and CONCERN in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("asker", ["U0ANN", "U0MGR"])  # a peer; a manager is not HR
def test_export_of_someone_else_is_refused_without_a_file(bob: SlackHarness, asker: str) -> None:
    [answer] = _values(bob, "export <@U0BOB|bob>", asker)
    assert CONCERN not in json.dumps(answer, ensure_ascii=False)
    assert bob.fake.uploads() == [] and bob.fake.calls_to("files.getUploadURLExternal") == []


# ------------------------------------------------------------------ erase
@pytest.mark.parametrize(
    ("asker", "text"),
    [
        ("U0ANN", "erase <@U0BOB|bob>"),
        ("U0MGR", "erase <@U0BOB|bob>"),
        ("U0HR", "erase <@U0HR|me>"),
        ("U0ANN", "erase"),
    ],
)
def test_erase_is_refused_for_all_but_admins_and_never_of_oneself(bob: SlackHarness, asker: str, text: str) -> None:
    [answer] = _values(bob, text, asker)
    assert "admin" in answer["text"].lower() or "管理员" in answer["text"]
    assert not any(b.get("type") == "actions" for b in answer.get("blocks") or [])
    assert _bob_email(bob) == "bob@example.com"


def test_admin_erase_asks_first_then_erases(bob: SlackHarness) -> None:
    [ask] = _values(bob, "删除 <@U0BOB|bob>", "U0HR")
    hook = bob.last_hook
    [actions] = [b for b in ask["blocks"] if b["type"] == "actions"]
    buttons = {el["action_id"]: el for el in actions["elements"]}
    assert set(buttons) == {A_ERASE, A_ERASE_CANCEL} and buttons[A_ERASE]["style"] == "danger"
    assert "bob@example.com" in json.dumps(ask) and _bob_email(bob) == "bob@example.com"  # nothing yet

    bob.interact(P.block_actions("U0HR", P.button(A_ERASE_CANCEL, buttons[A_ERASE_CANCEL]["value"]), response_url=hook))
    cancelled = _answers(bob)[-1]
    assert cancelled["replace_original"] is True and "nothing was erased" in cancelled["text"]
    assert _bob_email(bob) == "bob@example.com"

    # a forged click by a non-admin is refused by the service, too
    bob.interact(P.block_actions("U0ANN", P.button(A_ERASE, buttons[A_ERASE]["value"]), response_url=hook))
    bob.settle()
    assert _bob_email(bob) == "bob@example.com"

    bob.interact(P.block_actions("U0HR", P.button(A_ERASE, buttons[A_ERASE]["value"]), response_url=hook))
    done = _answers(bob)[-1]
    assert done["replace_original"] is True and "erased" in done["text"].lower()
    assert _bob_email(bob) == "erased"
