"""The review room on Slack: `/values calibration` as a file to the asker only, and fairness signals
beside the evidence a manager decides (`/values review`, the App Home), in English and Chinese.

Everything goes through signed requests into the app and the fake Slack Web API on loopback
(files_upload_v2: getUploadURLExternal, the upload, completeUploadExternal).
"""

from __future__ import annotations

import json

import pytest

from liumai.services import nominations as nom

RECIPROCAL = {"en": "Ann and Cat nominated each other repeatedly", "zh": "Ann 和 Cat 反复互相提名"}
SIGNALS_HEAD = {"en": "Fairness signals about Cat in 2026Q4", "zh": "关于 Cat 的公平性信号"}


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite: the services under these surfaces run on both databases in tests/test_review_room.py."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def _pending(ctx, frm: str, to: str, criterion: str, story: str) -> int:
    res = nom.nominate(ctx, frm, to, story, source="slack")
    return nom.confirm(ctx, res.nomination.id, frm, criterion).id


@pytest.fixture
def ring(slack):
    """Ann and Cat (different teams) nominate each other twice each: a reciprocal pair, all pending."""
    ctx = slack.ctx
    for i in range(2):
        _pending(ctx, "cat@example.com", "ann@example.com", "teamwork.3", f"Cat says Ann helped, time {i}.")
        _pending(ctx, "ann@example.com", "cat@example.com", "teamwork.3", f"Ann says Cat helped, time {i}.")
    _pending(ctx, "wang@example.com", "bob@example.com", "passion.2", "Wang says Bob kept the team going.")
    return slack


def _answers(slack) -> list[dict]:
    slack.settle()
    return [c.params for c in slack.hook_calls()]


def _fairness_text(lang: str) -> str:
    return RECIPROCAL["zh"] if lang == "zh" else RECIPROCAL["en"]


# ------------------------------------------------------------------ calibration as a file


@pytest.mark.parametrize(("asker", "lang", "scope", "people"), [("U0HR", "en", "org", 7), ("U0MGR", "zh", "mgr", 3)])
def test_calibration_goes_to_the_askers_dm_only(ring, asker, lang, scope, people):
    slack = ring
    r = slack.command("calibration 2026Q4", user=asker, command="/values")
    assert r.status_code == 200 and r.text == ""
    answers = _answers(slack)
    assert all(a["response_type"] == "ephemeral" and a["replace_original"] is False for a in answers)
    head, note = answers
    line = head["blocks"][0]["text"]["text"]
    if lang == "en":
        assert line.startswith(f"Calibration 2026Q4 for the whole org: {people} people, 0 managers far from")
        assert "1 fairness signals, 4 people with no recognition" in line
        assert "calibration report (HTML) is in your direct messages" in note["text"]
    else:
        assert line.startswith(f"2026Q4 校准（Manager Li）：{people} 人") and "0 条公平性信号" in line
        assert "校准报告（HTML）已发到你与六脉的私信中" in note["text"]

    dm = "D" + asker[1:]
    [upload] = slack.fake.uploads(dm)
    assert upload["filename"] == f"calibration-2026Q4-{scope}.html"
    html = upload["data"].decode()
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "王芳 (wang@example.com)" in html  # no recognition this quarter
    if scope == "org":
        assert RECIPROCAL["en"] in html
    else:  # a manager sees the subtree under them only: Cat is in another one
        assert "Cat" not in html and "Manager Two" not in html and "Manager Li 的全部下属" in html
    [complete] = slack.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == dm
    assert ("此文件只发给了你" if lang == "zh" else "Only you received this file") in complete.params["initial_comment"]
    # nothing anywhere else: no channel message, no other DM
    assert slack.fake.calls_to("chat.postMessage") == [] and slack.fake.uploads() == [upload]


@pytest.mark.parametrize(
    ("asker", "text", "expected"),
    [
        ("U0ANN", "calibration", "manager"),  # a plain member
        ("U0WANG", "calibration", "主管"),  # a plain member, in Chinese
        ("U0MGR2", "calibration <@U0MGR|mgr>", "Manager Li"),  # a subtree that is not theirs
        ("U0GHOST", "calibration", "not in Liumai's org chart"),  # the asker is unknown
        ("U0HR", "calibration alpha", "Usage: `/values calibration"),
        ("U0HR", "calibration 2026-W47", "Usage: `/values calibration"),
        ("U0MGR", "calibration 2026Q7", "不是有效的季度"),
    ],
)
def test_calibration_refusals_are_clear_and_send_nothing(ring, asker, text, expected):
    slack = ring
    slack.command(text, user=asker, command="/values")
    answers = _answers(slack)
    assert len(answers) == 1, answers
    assert expected in answers[0]["text"]
    assert slack.fake.calls_to("files.getUploadURLExternal") == [] and slack.fake.uploads() == []


def test_calibration_file_that_cannot_be_sent_is_explained(ring):
    slack = ring
    slack.fake.fail_once("files.getUploadURLExternal", "missing_scope")
    slack.command("calibration", user="U0HR", command="/values")
    answers = _answers(slack)
    assert "were not: `missing_scope`" in answers[-1]["text"] and "files:write" in answers[-1]["text"]


# ------------------------------------------------------------------ fairness signals beside the evidence


@pytest.mark.parametrize(("manager", "lang"), [("U0MGR2", "en"), ("U0BOSS", "zh")])
def test_review_shows_the_signal_once_beside_the_persons_first_item(ring, manager, lang):
    slack = ring
    slack.command("review", user=manager, command="/values")
    [answer] = _answers(slack)
    sections = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]
    about_cat = [s for s in sections if "Ann says Cat helped" in s]
    assert len(about_cat) == 2
    assert _fairness_text(lang) in about_cat[0] and _fairness_text(lang) not in about_cat[1]
    head = SIGNALS_HEAD[lang]
    assert head in about_cat[0]
    assert ("never change a score" if lang == "en" else "从不改变评分") in about_cat[0]
    about_bob = [s for s in sections if "Wang says Bob" in s]
    assert len(about_bob) == (1 if manager == "U0BOSS" else 0)  # Bob is not below Manager Two
    assert all(":scales:" not in s for s in about_bob)  # and nothing signals about him


def test_people_who_do_not_decide_never_see_signals(ring):
    slack = ring
    for user in ("U0ANN", "U0CAT"):
        slack.command("me", user=user, command="/values")
        text = json.dumps(_answers(slack), ensure_ascii=False)
        assert "Ann says Cat helped" in text  # the stories are there, the signals are not
        assert "nominated each other" not in text and "Fairness" not in text
    slack.command("review", user="U0ANN", command="/values")
    text = json.dumps(_answers(slack), ensure_ascii=False)
    assert "nominated each other" not in text


def test_home_review_section_shows_signals_to_the_manager(ring):
    slack = ring
    slack.event({"type": "app_home_opened", "user": "U0MGR2", "channel": "D0H", "tab": "home", "event_ts": "1.1"})
    slack.settle()
    view = slack.fake.wait_for("views.publish", 1)[-1].json("view")
    text = json.dumps(view, ensure_ascii=False)
    assert RECIPROCAL["en"] in text and text.count(RECIPROCAL["en"]) == 1
