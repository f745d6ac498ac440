"""`/values summary`, `/values team` and the Home tab's summary button: who may see what, in zh/en.

A summary (which holds concerns) is shown only to the asker - ephemeral replies through the
command's response_url - and its radar chart, CSV and HTML report go to the asker's DM as files
(slack-sdk's files_upload_v2 against the fake: getUploadURLExternal, the upload on loopback,
completeUploadExternal). Refusals are clear, in the asker's language, and deliver nothing.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.summaries import person_summary
from liumai.slack import review_views
from liumai.slack import views as B
from liumai.slack.parsing import parse_args
from liumai.slack.report_blocks import summary_slack_pages
from liumai.slack.reports import MAX_PAGES, fit_pages
from tests.slack import payloads as P
from tests.slack.harness import STORIES

EVIL = "<!channel> <@U0BOSS> *bold* `code` ~strike~ SELECT * FROM person; DROP TABLE evidence;-- ok"


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: the summaries themselves run on both databases in tests/test_summaries.py."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def _confirmed(
    ctx, frm: str, to: str, criterion: str, story: str = STORIES["en"], *, accept_by: str | None = None, tag=True
):
    res = nom.nominate(ctx, frm, to, story, source="slack", tag=tag)
    e = nom.confirm(ctx, res.nomination.id, frm, criterion)
    if accept_by:
        ev.decide(ctx, e.id, accept_by, "accepted")
    return e


@pytest.fixture
def bob(slack):
    """Bob has accepted and pending evidence, one story full of markup, and a concern."""
    ctx = slack.ctx
    _confirmed(ctx, "ann@example.com", "bob@example.com", "teamwork.3", accept_by="mgr@example.com")
    _confirmed(ctx, "wang@example.com", "bob@example.com", "customer_first.2", EVIL)
    ev.add_concern(ctx, "mgr@example.com", "bob@example.com", "integrity.3", "Concern: missed two handovers")
    return slack


def _answers(slack) -> list[dict]:
    slack.settle()
    return [c.params for c in slack.hook_calls()]


def _check_page(page: list[dict]) -> None:
    assert 0 < len(page) <= B.MAX_MESSAGE_BLOCKS
    for block in page:
        text = block.get("text") or {}
        if text:
            assert 0 < len(text["text"]) <= (150 if block["type"] == "header" else 3000)
        for el in block.get("elements") or []:
            assert len(el.get("text", "")) <= 2000


@pytest.mark.parametrize(("asker", "lang"), [("U0MGR", "zh"), ("U0HR", "en"), ("U0BOSS", "zh")])
def test_summary_is_ephemeral_and_the_files_go_to_the_askers_dm(bob, asker, lang):
    slack = bob
    r = slack.command("summary <@U0BOB|bob> 2026Q4", user=asker, command="/values")
    assert r.status_code == 200 and r.text == ""
    answers = _answers(slack)
    assert all(a["response_type"] == "ephemeral" and a["replace_original"] is False for a in answers)
    pages, note = answers[:-1], answers[-1]
    assert 1 <= len(pages) <= MAX_PAGES
    for a in pages:
        _check_page(a["blocks"])
    text = json.dumps([a["blocks"] for a in pages], ensure_ascii=False)
    assert "Bob · 2026Q4" in text
    assert ("总分" if lang == "zh" else "Total") in text
    assert "customer_first.2" in text and "Concern: missed two handovers" in text  # managers see concerns
    # the story full of markup is shown, and inert: no ping, no mention, no formatting
    assert "FROM person; DROP TABLE evidence;" in text
    assert "<!channel>" not in text and "<@U0BOSS>" not in text and "&lt;!channel&gt;" in text
    assert "*bold*" not in text
    assert ("私信" if lang == "zh" else "direct messages") in note["text"]

    dm = "D" + asker[1:]
    [opened] = [c for c in slack.fake.calls_to("conversations.open") if c.params["users"] == asker]
    files = slack.fake.uploads(dm)
    names = sorted(f["filename"] for f in files)
    assert names == [f"liumai-summary-bob-2026Q4.{ext}" for ext in ("csv", "html", "png")]
    data = {f["filename"].rsplit(".", 1)[1]: f["data"] for f in files}
    assert data["png"].startswith(b"\x89PNG\r\n\x1a\n")
    rows = list(csv.DictReader(io.StringIO(data["csv"].decode("utf-8-sig"))))
    assert len(rows) == 6 and {r["email"] for r in rows} == {"bob@example.com"}
    html = data["html"].decode()
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html and "<script" not in html
    assert "&lt;!channel&gt;" in html and "<!channel>" not in html
    [complete] = slack.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == dm and opened.params["users"] == asker
    # nothing is posted anywhere else: no channel message, no other DM
    assert slack.fake.calls_to("chat.postMessage") == [] and slack.fake.uploads() == files


@pytest.mark.parametrize(
    ("asker", "text", "expected"),
    [
        ("U0ANN", "summary <@U0BOB|bob>", "Only managers"),  # a peer
        ("U0WANG", "summary <@U0BOB|bob>", "只有主管"),  # a peer, in Chinese
        ("U0BOB", "summary <@U0BOB|bob>", "Only managers"),  # oneself
        ("U0MGR2", "summary <@U0BOB|bob>", "Only Bob's managers (or an admin)"),  # a manager, not of Bob
        ("U0MGR", "summary <@U0CAT|cat>", "只有 Cat 的上级主管（或管理员）"),  # outside mgr's subtree
        ("U0MGR", "summary <@U0MGR|me>", "只有 Manager Li 的上级主管"),  # nobody summarises themselves
        ("U0MGR", "summary <@U0NEW|new>", "尚未加入六脉的组织架构"),  # not in the org chart
        ("U0GHOST", "summary <@U0BOB|bob>", "not in Liumai's org chart"),  # the asker is unknown
        ("U0MGR2", "summary", "Usage: `/values summary @colleague"),
        ("U0MGR", "summary <@U0BOB|bob> 2026Q7", "不是有效的季度"),
        ("U0HR", "summary <@U0BOB|bob> <@U0ANN|ann>", "Usage"),
    ],
)
def test_summary_refusals_are_clear_and_deliver_nothing(bob, asker, text, expected):
    slack = bob
    slack.command(text, user=asker, command="/values")
    answers = _answers(slack)
    assert len(answers) == 1, answers
    assert expected in answers[0]["text"]
    assert "Concern" not in json.dumps(answers, ensure_ascii=False)
    assert slack.fake.calls_to("files.getUploadURLExternal") == [] and slack.fake.uploads() == []


def test_team_roll_up_of_direct_reports_with_files(bob):
    slack = bob
    slack.command("team 2026Q4", user="U0MGR", command="/values")
    answers = _answers(slack)
    text = json.dumps([a.get("blocks") for a in answers[:-1]], ensure_ascii=False)
    assert "Manager Li · 2026Q4" in text
    for name in ("Ann", "Bob", "王芳"):
        assert name in text
    assert "总分" in text and "本季度尚未获得认可的成员" in text
    files = {f["filename"].rsplit(".", 1)[1]: f["data"] for f in slack.fake.uploads("D0MGR")}
    assert set(files) == {"png", "csv", "html"}
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert {r["email"] for r in rows} == {"ann@example.com", "bob@example.com", "wang@example.com"}
    assert len(rows) == 18  # one row per person and value


def test_team_for_admins_names_a_team_and_refuses_managers_of_other_teams(bob):
    slack = bob
    slack.command("team", user="U0HR", command="/values")  # HR manages nobody directly
    [told] = _answers(slack)
    assert "name a team" in told["text"] and "`alpha`" in told["text"]
    slack.command("team beta", user="U0HR", command="/values")
    assert "Cat" in json.dumps(_answers(slack), ensure_ascii=False)
    slack.command("team nosuch", user="U0HR", command="/values")
    assert "There is no team `nosuch`" in _answers(slack)[0]["text"]
    uploads = len(slack.fake.uploads())
    slack.command("team alpha", user="U0MGR2", command="/values")
    [refused] = _answers(slack)
    assert "Only" in refused["text"] and "managers (or an admin)" in refused["text"]
    slack.command("team", user="U0ANN", command="/values")
    assert "Only managers" in _answers(slack)[0]["text"]
    assert len(slack.fake.uploads()) == uploads


def test_files_that_cannot_be_sent_are_explained(bob):
    slack = bob
    slack.fake.fail_once("files.getUploadURLExternal", "missing_scope")
    slack.command("summary <@U0BOB|bob>", user="U0HR", command="/values")
    answers = _answers(slack)
    assert "were not: `missing_scope`" in answers[-1]["text"] and "files:write" in answers[-1]["text"]
    assert "Bob · 2026Q4" in json.dumps(answers[0]["blocks"], ensure_ascii=False)  # the summary itself arrived


def test_a_long_summary_is_paginated_within_slacks_limits(slack):
    ctx = slack.ctx
    long_story = "Ann stayed to help the team ship. " * 88  # ~2,900 characters each
    for i in range(30):
        criterion = ["teamwork.1", "teamwork.2", "passion.1", "dedication.1"][i % 4]
        _confirmed(ctx, "bob@example.com", "ann@example.com", criterion, f"{long_story} #{i}", tag=False)
    s = person_summary(ctx, "ann@example.com", viewer="mgr@example.com")
    pages = summary_slack_pages(s, ctx.rubric, "en", concerns=True)
    for page in pages:
        _check_page(page)
    slack.command("summary <@U0ANN|ann>", user="U0MGR", command="/values")
    answers = _answers(slack)
    assert len(answers) <= 5, "a response_url takes at most five messages"
    for a in answers[:-1]:
        _check_page(a["blocks"])
    if len(pages) > MAX_PAGES:
        assert "HTML" in json.dumps(answers[-2]["blocks"], ensure_ascii=False)


def test_fit_pages_keeps_at_most_three_pages_and_says_so():
    pages = [[B.section(f"page {i} block {j}") for j in range(50)] for i in range(5)]
    fitted = fit_pages(pages, "zh")
    assert len(fitted) == MAX_PAGES and all(len(p) <= 50 for p in fitted)
    assert "HTML" in fitted[-1][-1]["elements"][0]["text"]
    assert fit_pages(pages[:2], "en") == pages[:2]


def test_argument_parsing_is_forgiving_and_exact():
    a = parse_args("<@U0BOB|bob>  2026-q4 all preview 2026w7 alpha")
    assert (a.mentions, a.quarter, a.week, a.subtree, a.preview, a.words) == (
        ("U0BOB",),
        "2026Q4",
        "2026-W07",
        True,
        True,
        ("alpha",),
    )
    assert parse_args("2026Q5").bad == ("args.quarter", "2026Q5")
    assert parse_args("2026-W54").bad == ("args.week", "2026-W54")
    assert parse_args("<@U1|x <@U2>").mentions == ("U2",)


def test_home_summary_button_sends_the_team_summary_to_the_dm(bob):
    slack = bob
    home = review_views.home_view(slack.ctx.rubric, "zh", me=None)
    assert B.A_HOME_SUMMARY not in json.dumps(home)  # not for people outside the org chart
    slack.event({"type": "app_home_opened", "user": "U0MGR", "tab": "home", "event_ts": "1.1"})
    slack.settle()
    view = slack.fake.wait_for("views.publish")[-1].json("view")
    button = next(
        el
        for b in view["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el["action_id"] == B.A_HOME_SUMMARY
    )
    assert button["text"]["text"] == "本季度小结"
    slack.interact(P.block_actions("U0MGR", P.button(B.A_HOME_SUMMARY, "2026Q4"), view={**view, "id": "V0HOME"}))
    slack.settle()
    posts = slack.fake.calls_to("chat.postMessage")
    assert posts and {c.params["channel"] for c in posts} == {"D0MGR"}
    assert "Manager Li · 2026Q4" in json.dumps(posts[0].params["blocks"], ensure_ascii=False)
    assert len(slack.fake.uploads("D0MGR")) == 3
    notice = slack.fake.wait_for("views.publish", 2)[-1].json("view")
    assert "私信" in json.dumps(notice["blocks"][2], ensure_ascii=False)


def test_home_of_a_colleague_has_no_summary_button(slack):
    slack.event({"type": "app_home_opened", "user": "U0ANN", "tab": "home", "event_ts": "1.2"})
    slack.settle()
    view = slack.fake.wait_for("views.publish")[-1].json("view")
    assert B.A_HOME_SUMMARY not in json.dumps(view)
    # a forged click by a colleague is refused on the tab, and nothing is sent
    slack.interact(P.block_actions("U0ANN", P.button(B.A_HOME_SUMMARY, "2026Q4"), view={**view, "id": "V0H2"}))
    slack.settle()
    notice = slack.fake.wait_for("views.publish", 2)[-1].json("view")
    assert "Only managers" in json.dumps(notice, ensure_ascii=False)
    assert slack.fake.calls_to("chat.postMessage") == [] and slack.fake.uploads() == []
