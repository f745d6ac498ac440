"""Slack runs the shared `/values` scenario table (tests/values_parity.py); Feishu runs the same one."""

from __future__ import annotations

import json

import pytest

from liumai.slack.records import A_ERASE
from tests.slack.driver import SlackDriver
from tests.slack.harness import SlackHarness
from tests.values_parity import CONCERN, IDS, ROWS, Outcome, seed


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: the services' rules run on both databases in their own tests."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def outcome(slack: SlackHarness, asker: str, text: str) -> Outcome:
    before = len(slack.fake.uploads())
    r = slack.command(text, user=asker, command="/values")
    assert r.status_code == 200 and r.text == ""
    slack.settle()
    answers = [c.params for c in slack.hook_calls()]
    assert answers, f"no answer to {text!r}"
    files = slack.fake.uploads()[before:]
    seen = json.dumps(answers, ensure_ascii=False) + "".join(f["data"].decode() for f in files)
    blocks = [b for a in answers for b in a.get("blocks") or []]
    if files:
        kind = "file:" + json.loads(files[0]["data"])["scope"]
    elif any(el.get("action_id") == A_ERASE for b in blocks for el in b.get("elements") or []):
        kind = "confirm"
    elif any(b.get("type") == "header" for b in blocks):
        kind = "list"
    else:
        kind = "refused"
    return Outcome(kind, CONCERN in seen)


@pytest.mark.parametrize(("asker", "word", "who", "expected"), ROWS, ids=IDS)
def test_values_scenario_on_slack(slack: SlackHarness, asker: str, word: str, who: str | None, expected: Outcome):
    seed(slack.ctx)
    d = SlackDriver(slack)
    text = f"{word} <@{d.user_id(who)}|{who.split('@')[0]}>" if who else word
    assert outcome(slack, d.user_id(asker), text) == expected
