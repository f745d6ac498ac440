"""`/values summary` and `/values team` over real HTTP: the card, the radar chart and the CSV / HTML
files in the requester's direct chat, the permission rules, Chinese and English."""

from __future__ import annotations

import csv
import io
import json

import pytest

from liumai.feishu import views as cards
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from tests.fakes.feishu_api import Call, _strings
from tests.feishu.driver import converse

ANN = ("@_user_1", "ou_ann", "Ann")
CAT = ("@_user_1", "ou_cat", "Cat")
STORY = "Ann walked the whole team through the new incident process and answered every question."
STORY_ZH = "安主动分享业务知识和经验，主动帮助同事解决问题。"


@pytest.fixture
def recognised(app):
    """Ann: one accepted and one pending recognition, and a concern only managers see."""
    ctx = app.ctx
    r = nom.nominate(ctx, "bob@example.com", "ann@example.com", STORY)
    e = nom.confirm(ctx, r.nomination.id, "bob@example.com", "teamwork.3")
    ev.decide(ctx, e.id, "mgr@example.com", "accepted")
    r2 = nom.nominate(ctx, "wang@example.com", "ann@example.com", STORY_ZH)
    nom.confirm(ctx, r2.nomination.id, "wang@example.com", "teamwork.2")
    ev.add_concern(ctx, "mgr@example.com", "ann@example.com", "integrity.2", "Reported the wrong numbers")
    return app


def split(replies: list[Call]) -> tuple[list[Call], list[dict]]:
    """Cards, and the uploads the image / file messages carried (name, data, kind)."""
    found = [c for c in replies if c.body["msg_type"] == "interactive"]
    return found, [c.content for c in replies if c.body["msg_type"] in ("image", "file")]


def attachments(app, replies: list[Call]):
    return [app.fake.upload(c.content.get("image_key") or c.content.get("file_key")) for c in replies[1:]]


def test_manager_gets_the_summary_card_chart_csv_and_html_in_chinese(recognised):
    app = recognised
    replies = converse(app, "ou_mgr", "/values summary @_user_1 2026Q4", [ANN])
    assert [c.body["msg_type"] for c in replies] == ["interactive", "image", "file", "file"]
    assert all(c.query["receive_id_type"] == "open_id" for c in replies)
    card = replies[0]
    assert card.content["header"]["title"]["content"] == "Ann · 2026Q4"
    assert "总分" in card.text and "团队合作" in card.text
    assert "Reported the wrong numbers" in card.text  # concerns: managers see them
    assert STORY[:40] in card.text
    chart, table, report = attachments(app, replies)
    assert chart.kind == "image" and chart.data.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.data) > 10_000
    assert (table.name, table.file_type) == ("liumai-summary-ann-2026Q4.csv", "stream")
    rows = list(csv.reader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 6 and {r[1] for r in rows[1:]} == {"ann@example.com"}
    assert report.name == "liumai-summary-ann-2026Q4.html"
    html = report.data.decode()
    assert html.startswith("<!doctype") and "Ann" in html and "data:image/png;base64" in html


def test_admin_gets_an_english_summary_of_anyone(recognised):
    replies = converse(recognised, "ou_hr", "/values summary @_user_1", [CAT])
    card = replies[0]
    assert card.content["header"]["title"]["content"] == "Cat · 2026Q4"
    assert "Total" in card.text and "Teamwork" in card.text
    assert len(replies) == 4


def test_chinese_aliases(recognised):
    replies = converse(recognised, "ou_mgr", "/价值观 小结 @_user_1", [ANN])
    assert replies[0].content["header"]["title"]["content"] == "Ann · 2026Q4"


@pytest.mark.parametrize(
    ("who", "mention", "expected"),
    [
        ("ou_bob", ANN, "Only Ann's managers (or an admin) can do that."),  # a peer
        ("ou_ann", ANN, "Only Ann's managers (or an admin) can do that."),  # oneself
        ("ou_mgr2", ANN, "Only Ann's managers (or an admin) can do that."),  # a manager elsewhere
        ("ou_mgr", CAT, "只有 Cat 的上级主管（或管理员）可以执行此操作。"),  # outside the subtree
    ],
)
def test_summaries_are_refused_to_everyone_else(recognised, who, mention, expected):
    replies = converse(recognised, who, "/values summary @_user_1", [mention])
    assert [c.body["msg_type"] for c in replies] == ["text"]
    assert replies[0].text == expected
    assert recognised.fake.uploads == {}  # nothing was rendered for them either


def test_summary_usage_unknown_people_and_a_bad_quarter(recognised):
    app = recognised
    assert converse(app, "ou_mgr", "/values summary")[0].text.startswith("用法：/values summary")
    reply = converse(app, "ou_hr", "/values summary @_user_1", [("@_user_1", "ou_ghost", "Ghost")])
    assert reply[0].text == "Ghost isn't in Liumai's org chart yet. Ask an admin to add them."
    reply = converse(app, "ou_stranger", "/values summary @_user_1", [ANN])
    assert "组织架构" in reply[0].text
    reply = converse(app, "ou_mgr", "/values summary @_user_1 2026Q9", [ANN])
    assert "2026Q9" in reply[0].text and [c.body["msg_type"] for c in reply] == ["text"]


def test_a_summary_asked_for_in_a_group_goes_to_the_direct_chat(recognised):
    mentions = [("@_user_1", "ou_liumai_bot", "Liumai"), ("@_user_2", "ou_ann", "Ann")]
    replies = converse(recognised, "ou_mgr", "@_user_1 /values summary @_user_2", mentions, chat_type="group")
    assert replies and all(c.receive_id == "ou_mgr" and c.query["receive_id_type"] == "open_id" for c in replies)
    assert not [c for c in recognised.fake.sent() if c.query.get("receive_id_type") == "chat_id"]


def test_manager_team_roll_up_of_direct_reports(recognised):
    app = recognised
    replies = converse(app, "ou_mgr", "/values team")
    assert [c.body["msg_type"] for c in replies] == ["interactive", "image", "file", "file"]
    card = replies[0]
    assert card.content["header"]["title"]["content"] == "价值观季度小结 · Manager Li · 2026Q4"
    lines = [el["text"]["content"] for el in card.content["body"]["elements"] if el["tag"] == "div"]
    people = [line.split("：", 1)[0] for line in lines if "总分" in line]
    assert people == ["Ann", "Bob", "王芳"]  # direct reports, not the manager
    ann = next(line for line in lines if line.startswith("Ann："))
    assert "团队合作" in ann and "总分" in ann
    assert "全队都没有事例的价值观" in card.text and "本季度尚未获得认可的成员" in card.text
    assert lines[-1] == "Bob, 王芳"  # nobody has recognised them this quarter
    chart, table, report = attachments(app, replies)
    assert chart.data.startswith(b"\x89PNG")
    rows = list(csv.reader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 * 6
    assert table.name.endswith("-2026Q4.csv") and report.name.endswith("-2026Q4.html")


def test_team_by_key_for_an_admin_and_english(recognised):
    app = recognised
    reply = converse(app, "ou_hr", "/values team")
    assert reply[0].text.startswith("Nobody reports to you directly: name a team, e.g. /values team alpha.")
    assert "beta" in reply[0].text
    replies = converse(app, "ou_hr", "/values team beta 2026Q4")
    assert replies[0].content["header"]["title"]["content"].startswith("Values summary · beta")
    assert "Cat: " in replies[0].text and "Total" in replies[0].text


def test_team_of_a_manager_named_and_the_whole_subtree(recognised):
    app = recognised
    replies = converse(app, "ou_boss", "/values team @_user_1", [("@_user_1", "ou_mgr", "Manager Li")])
    assert "Ann：" in replies[0].text and "Cat" not in replies[0].text
    replies = converse(app, "ou_boss", "/values team all")
    text = replies[0].text
    assert all(f"{n}：" in text for n in ("Ann", "Bob", "Cat", "Manager Li", "Manager Two"))


def test_team_roll_ups_are_refused_to_everyone_else(recognised):
    app = recognised
    assert converse(app, "ou_bob", "/values team")[0].text == (
        "Only managers (for the people below them) and admins can see quarterly summaries. Nothing was shown."
    )
    reply = converse(app, "ou_mgr2", "/values team alpha")
    assert reply[0].text.startswith("Only ") and "managers (or an admin) can do that." in reply[0].text
    reply = converse(app, "ou_mgr2", "/values team @_user_1", [("@_user_1", "ou_mgr", "Manager Li")])
    assert [c.body["msg_type"] for c in reply] == ["text"]
    reply = converse(app, "ou_mgr", "/values team nosuchteam")
    assert "nosuchteam" in reply[0].text
    assert app.fake.uploads == {}


def test_when_uploads_fail_the_card_still_arrives_and_the_manager_is_told(recognised):
    app = recognised
    app.fake.fail_next("/im/v1/images", 500, {"code": 234010, "msg": "upload failed"})
    replies = converse(app, "ou_mgr", "/values summary @_user_1", [ANN])
    assert [c.body["msg_type"] for c in replies] == ["interactive", "text"]
    assert "文件" in replies[1].text and "upload failed" in replies[1].text


def test_a_summary_with_a_lot_of_evidence_still_fits_in_a_card(recognised):
    app = recognised
    for i in range(40):  # 40 stories of 300 CJK characters: ~36 KB of card text
        r = nom.nominate(app.ctx, "bob@example.com", "ann@example.com", f"{i}: " + STORY_ZH * 12)
        nom.confirm(app.ctx, r.nomination.id, "bob@example.com", "teamwork.3")
    replies = converse(app, "ou_mgr", "/values summary @_user_1", [ANN])
    card = replies[0]
    assert card.response["code"] == 0
    assert len(card.body["content"].encode()) <= cards.CARD_MAX_BYTES
    assert "完整内容见 HTML 报告" in card.text
    html = attachments(app, replies)[2].data.decode()
    assert html.count(STORY_ZH * 12) >= 40  # the report has everything


def test_fit_card_leaves_small_cards_alone_and_keeps_json_valid():
    small = cards.make_card("t", [cards.plain("x")])
    assert cards.fit_card(small, "en") is small
    big = cards.make_card("t", [cards.plain("y" * 50_000), cards.plain("z" * 20_000)])
    fitted = cards.fit_card(big, "en")
    assert cards.card_bytes(fitted) <= cards.CARD_MAX_BYTES
    assert "HTML report" in _strings(fitted)
    json.dumps(fitted)
