"""Feishu runs the shared `/values` scenario table (tests/values_parity.py); Slack runs the same one."""

from __future__ import annotations

import json

import pytest

from tests.feishu.conftest import App
from tests.feishu.driver import FeishuDriver, card_values, converse
from tests.values_parity import CONCERN, IDS, ROWS, Outcome, seed


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: the services' rules run on both databases in their own tests."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def outcome(app: App, asker: str, text: str, mentions: list[tuple[str, str, str]]) -> Outcome:
    replies = converse(app, asker, text, mentions)
    assert replies, f"no answer to {text!r}"
    files = [app.fake.upload(c.content["file_key"]).data for c in replies if c.body.get("msg_type") == "file"]
    seen = "".join(c.text for c in replies) + "".join(f.decode() for f in files)
    if files:
        kind = "file:" + json.loads(files[0])["scope"]
    elif any(v.get("a") == "erase" for c in replies for v in card_values(c.content)):
        kind = "confirm"
    elif any(c.body.get("msg_type") == "interactive" for c in replies):
        kind = "list"
    else:
        kind = "refused"
    return Outcome(kind, CONCERN in seen)


@pytest.mark.parametrize(("asker", "word", "who", "expected"), ROWS, ids=IDS)
def test_values_scenario_on_feishu(app: App, asker: str, word: str, who: str | None, expected: Outcome):
    seed(app.ctx)
    d = FeishuDriver(app)
    mentions = [("@_user_1", d.open_id(who), who.split("@")[0])] if who else []
    text = f"/values {word} @_user_1" if who else f"/values {word}"
    assert outcome(app, d.open_id(asker), text, mentions) == expected
