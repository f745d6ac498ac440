"""The review room on Feishu, over real HTTP: `/values calibration` as a file in the asker's direct
chat only, and fairness signals beside the evidence a manager decides (the review card, and the card
that comes back after a decision), in English and Chinese."""

from __future__ import annotations

import pytest

from liumai.services import nominations as nom
from tests.feishu.driver import FeishuDriver, card_values, converse

RECIPROCAL = {"en": "Ann and Cat nominated each other repeatedly", "zh": "Ann 和 Cat 反复互相提名"}
MGR = ("@_user_1", "ou_mgr", "Manager Li")


@pytest.fixture
def ring(app):
    """Ann and Cat (different teams) nominate each other twice each: a reciprocal pair, all pending."""
    ctx = app.ctx
    for i in range(2):
        r = nom.nominate(ctx, "cat@example.com", "ann@example.com", f"Cat says Ann helped, time {i}.")
        nom.confirm(ctx, r.nomination.id, "cat@example.com", "teamwork.3")
        r = nom.nominate(ctx, "ann@example.com", "cat@example.com", f"Ann says Cat helped, time {i}.")
        nom.confirm(ctx, r.nomination.id, "ann@example.com", "teamwork.3")
    r = nom.nominate(ctx, "wang@example.com", "bob@example.com", "Wang says Bob kept the team going.")
    nom.confirm(ctx, r.nomination.id, "wang@example.com", "passion.2")
    return app


@pytest.mark.parametrize(
    ("asker", "text", "scope", "expected"),
    [
        ("ou_hr", "/values calibration 2026Q4", "org", "Calibration 2026Q4 for the whole org: 7 people"),
        ("ou_mgr", "/价值观 校准", "mgr", "2026Q4 校准（Manager Li）：3 人"),
    ],
)
def test_calibration_comes_as_a_file_in_the_askers_direct_chat(ring, asker, text, scope, expected):
    app = ring
    replies = converse(app, asker, text)
    assert [c.body["msg_type"] for c in replies] == ["text", "file"]
    assert all(c.query["receive_id_type"] == "open_id" and c.receive_id == asker for c in replies)
    line = replies[0].text
    assert line.startswith(expected)
    assert ("follows in this chat with the bot" if scope == "org" else "只有你会收到") in line
    upload = app.fake.upload(replies[1].content["file_key"])
    assert upload.name == f"calibration-2026Q4-{scope}.html" and upload.file_type == "stream"
    html = upload.data.decode()
    assert html.startswith("<!doctype html>") and "王芳 (wang@example.com)" in html
    if scope == "org":
        assert RECIPROCAL["en"] in html
    else:  # the subtree under Manager Li: Cat is in another one
        assert "Cat" not in html and "Manager Li 的全部下属" in html
    # nobody else received anything
    assert {c.receive_id for c in app.fake.snapshot() if c.path.endswith("/im/v1/messages")} == {asker}


@pytest.mark.parametrize(
    ("asker", "text", "mentions", "expected"),
    [
        ("ou_ann", "/values calibration", [], "Calibration is for admins (HR) and managers"),
        ("ou_mgr2", "/values calibration @_user_1", [MGR], "Manager Li is not in the part of the org under you"),
        ("ou_hr", "/values calibration alpha", [], "Usage: /values calibration"),
        ("ou_mgr", "/values calibration 2026Q7", [], "2026Q7"),
    ],
)
def test_calibration_refusals_send_no_file(ring, asker, text, mentions, expected):
    replies = converse(ring, asker, text, mentions)
    assert [c.body["msg_type"] for c in replies] == ["text"], [c.text for c in replies]
    assert expected in replies[0].text
    assert not [c for c in ring.fake.snapshot() if c.path.endswith("/im/v1/files")]


def test_review_card_shows_the_signal_once_and_again_after_a_decision(ring):
    app = ring
    d = FeishuDriver(app)
    replies = converse(app, "ou_mgr2", "/values review")
    [card] = replies
    text = card.text
    assert text.count(RECIPROCAL["en"]) == 1
    assert "Fairness signals about Cat in 2026Q4" in text and "never change a score" in text
    assert text.index(RECIPROCAL["en"]) < text.index("Ann says Cat helped, time 1.")  # beside the first item
    ids = d.review("mgr2@example.com")
    answer = d._click("mgr2@example.com", {"a": "accept", "e": ids[0]})
    after = str(answer["card"])
    assert RECIPROCAL["en"] in after  # the other item about Cat still carries it


def test_chinese_review_card_and_peers_never_see_signals(ring):
    app = ring
    [card] = converse(app, "ou_boss", "/价值观 审核")
    assert RECIPROCAL["zh"] in card.text and "从不改变评分" in card.text
    for peer in ("ou_ann", "ou_cat", "ou_bob"):
        for text in ("/values me", "/values review", "/values"):
            for reply in converse(app, peer, text):
                assert "nominated each other" not in reply.text and "互相提名" not in reply.text


def test_a_long_chinese_queue_fits_in_one_card_and_says_more_are_waiting(ring):
    """Each item carries a select of all 30 behaviours (about 5.5 KB in Chinese): eight would pass
    Feishu's 30 KB card limit, so the card holds as many as fit and says the rest are waiting."""
    app = ring
    for i in range(8):
        r = nom.nominate(app.ctx, "wang@example.com", "bob@example.com", f"王芳说 Bob 第 {i} 次帮助了团队。")
        nom.confirm(app.ctx, r.nomination.id, "wang@example.com", "teamwork.2")
    [card] = converse(app, "ou_boss", "/价值观 审核")
    assert card.body["msg_type"] == "interactive"  # sent, not refused as too long
    assert len(card.body["content"].encode()) <= 30 * 1024
    shown = sum(1 for v in card_values(card.content) if v.get("a") == "accept")
    assert 2 <= shown < 8 and f"仅显示最早的 {shown} 条" in card.text
    assert card.content["header"]["title"]["content"] == "待审核事例（8+）"
    assert RECIPROCAL["zh"] in card.text  # Cat's items are among the oldest
