"""Feishu: a self-nomination gets only the refusal - by message and by the form - and stores nothing."""

from __future__ import annotations

from sqlmodel import select

from liumai.i18n import t
from liumai.storage.db import session_scope
from liumai.storage.models import Nomination
from tests.feishu.conftest import App
from tests.feishu.driver import converse
from tests.feishu.helpers import card_action

STORY = "主动把排障经验写成文档分享给全组，还手把手带新同事处理了第一次值班告警。"


def _nominations(app: App) -> list[Nomination]:
    with session_scope(app.ctx.engine) as s:
        return list(s.exec(select(Nomination)).all())


def test_self_nomination_by_message_gets_only_the_refusal(app: App) -> None:
    for open_id, lang in (("ou_ann", "en"), ("ou_wang", "zh")):
        replies = converse(app, open_id, f"/nominate @_user_1 {STORY}", [("@_user_1", open_id, "me")])
        assert [c.text for c in replies] == [t("nominate.self", lang)]
    assert _nominations(app) == []


def test_self_nomination_by_form_gets_only_the_refusal(app: App) -> None:
    body = app.client.card(
        card_action("ou_wang", {"a": "nominate_form"}, form_value={"nominee": "ou_wang", "story": STORY})
    ).json()
    assert body["toast"] == {"type": "error", "content": t("nominate.self", "zh")}
    assert "card" not in body  # no "正在分析故事…" card
    app.idle()
    assert _nominations(app) == []
