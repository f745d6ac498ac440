"""The manifest and its CLI, Block Kit limits of every surface, and the two languages' texts."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
import yaml
from typer.testing import CliRunner

from liumai.cli.slack_cmd import slack_app
from liumai.rubric import default_rubric
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition, StoryView
from liumai.slack import nomination_views, review_views
from liumai.slack import views as B
from liumai.slack.manifest import BOT_SCOPES, base_manifest, render
from liumai.slack.texts import TEXTS
from liumai.tagging.base import Suggestion

RUBRIC = default_rubric()
LONG = "长" * 2000 + " a very long story " * 60  # over 3,000 characters, mixed scripts
WHEN = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


# ------------------------------------------------------------------ manifest
def test_manifest_file_matches_the_app():
    m = base_manifest()
    assert tuple(m["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    assert [s["callback_id"] for s in m["features"]["shortcuts"]] == [B.MESSAGE_SHORTCUT]
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/nominate", "/values"]
    assert all(c["should_escape"] for c in m["features"]["slash_commands"])  # mentions arrive as <@U123|name>
    assert "app_home_opened" in m["settings"]["event_subscriptions"]["bot_events"]
    assert m["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_for_socket_and_http_modes():
    socket = render("socket")
    assert socket["settings"]["socket_mode_enabled"] is True and "url" not in yaml.safe_dump(socket)
    http = render("http", "https://liumai.example.com/", nominate_command="/kudos")
    events = "https://liumai.example.com/slack/events"
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["interactivity"]["request_url"] == events
    assert http["settings"]["event_subscriptions"]["request_url"] == events
    assert {c["url"] for c in http["features"]["slash_commands"]} == {events}
    assert http["features"]["slash_commands"][0]["command"] == "/kudos"
    assert http["oauth_config"]["redirect_urls"] == ["https://liumai.example.com/slack/oauth_redirect"]
    for bad in (None, "liumai.example.com", "http://liumai.example.com"):
        with pytest.raises(ValueError):
            render("http", bad)


def test_manifest_cli(monkeypatch):
    import typer

    cli = typer.Typer()  # registered as in plugin.cli.main: app.add_typer(slack_app, name="slack")
    cli.add_typer(slack_app, name="slack")
    runner = CliRunner()
    out = runner.invoke(cli, ["slack", "manifest", "--mode", "http", "--url", "https://liumai.example.com"])
    assert out.exit_code == 0, out.output
    assert yaml.safe_load(out.output)["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    monkeypatch.setenv("SLACK_VALUES_COMMAND", "/liumai")
    out = runner.invoke(cli, ["slack", "manifest"])
    assert out.exit_code == 0 and yaml.safe_load(out.output)["features"]["slash_commands"][1]["command"] == "/liumai"
    out = runner.invoke(cli, ["slack", "manifest", "--mode", "http"])
    assert out.exit_code == 2 and "--url" in out.output


# ------------------------------------------------------------------ Block Kit limits
def _check_text(obj: dict, limit: int, where: str) -> None:
    assert obj["type"] in ("plain_text", "mrkdwn"), where
    assert 0 < len(obj["text"]) <= limit, f"{where}: {len(obj['text'])} > {limit}"


def _check_option(opt: dict, where: str) -> None:
    _check_text(opt["text"], 75, where + ".text")
    assert len(opt["value"]) <= 150
    if "description" in opt:
        _check_text(opt["description"], 75, where + ".description")


def _check_element(el: dict, where: str) -> None:
    assert len(el.get("action_id", "")) <= 255
    kind = el["type"]
    if kind == "button":
        _check_text(el["text"], 75, where)
        assert len(el.get("value", "")) <= 2000
        if "confirm" in el:
            c = el["confirm"]
            _check_text(c["title"], 100, where)
            _check_text(c["text"], 300, where)
            _check_text(c["confirm"], 30, where)
            _check_text(c["deny"], 30, where)
    if "placeholder" in el:
        _check_text(el["placeholder"], 150, where + ".placeholder")
    for opt in el.get("options", []):
        _check_option(opt, where)
    if kind in ("radio_buttons", "checkboxes"):
        assert len(el["options"]) <= 10
    groups = el.get("option_groups", [])
    assert len(groups) <= 100
    for g in groups:
        _check_text(g["label"], 75, where + ".group")
        assert len(g["options"]) <= 100
        for opt in g["options"]:
            _check_option(opt, where)
    if el.get("max_length"):
        assert el["max_length"] <= 3000
    if "initial_value" in el:
        assert len(el["initial_value"]) <= 3000


def check_blocks(blocks: list[dict], limit: int) -> None:
    assert 0 < len(blocks) <= limit
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids)) and all(len(i) <= 255 for i in ids)
    for i, b in enumerate(blocks):
        where = f"block {i} ({b['type']})"
        if b["type"] == "section":
            if "text" in b:
                _check_text(b["text"], 3000, where)
            assert len(b.get("fields", [])) <= 10
            for f in b.get("fields", []):
                _check_text(f, 2000, where)
        elif b["type"] == "header":
            _check_text(b["text"], 150, where)
        elif b["type"] == "context":
            assert 0 < len(b["elements"]) <= 10
            for e in b["elements"]:
                _check_text(e, 2000, where)
        elif b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for e in b["elements"]:
                _check_element(e, where)
        elif b["type"] == "input":
            _check_text(b["label"], 2000, where)
            if "hint" in b:
                _check_text(b["hint"], 2000, where)
            _check_element(b["element"], where)


def check_view(view: dict) -> None:
    if view["type"] == "modal":
        for key in ("title", "submit", "close"):
            if key in view:
                _check_text(view[key], 24, key)
    assert len(view.get("private_metadata", "")) <= 3000
    assert len(view.get("callback_id", "")) <= 255
    check_blocks(view["blocks"], 100)


def _evidence(i: int) -> EvidenceView:
    return EvidenceView(
        id=i,
        subject_email="x@example.com",
        subject_name="Somebody With A Very Long Name " * 3,
        criterion="teamwork.2",
        polarity="conforming",
        mitigated=False,
        status="pending",
        period="2026Q4",
        occurred_at=WHEN,
        nominator_email="y@example.com",
        nominator_name="王芳",
        story=LONG,
        source_link="https://liumai-test.slack.com/archives/C0/p1",
        note=None,
        decided_by=None,
        decided_at=None,
    )


def _me() -> MyRecognition:
    story = StoryView(
        1,
        1,
        "customer_first.4",
        "accepted",
        LONG,
        "a@example.com",
        "Ann " * 30,
        WHEN,
        "https://liumai-test.slack.com/archives/C0/p2",
    )
    return MyRecognition("b@example.com", "Bob", "2026Q4", {k: 12 for k in RUBRIC.value_keys}, [story] * 5, [story] * 5)


SUGGESTIONS = [
    Suggestion("teamwork.2", "conforming", 0.91, LONG[:2500]),
    Suggestion("integrity.4", "conforming", 0.4, "quote"),
    Suggestion("customer_first.4", "conforming", 0.1, ""),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_surface_stays_within_block_kit_limits(lang):
    link = "https://liumai-test.slack.com/archives/C0PROJ/p1763285400123456"
    check_view(nomination_views.nominate_modal(RUBRIC, lang, user="U0BOB", story=LONG, link=link, channel="C0PROJ"))
    check_view(nomination_views.progress_view(lang, 1, "Somebody " * 50))
    for sugg in (SUGGESTIONS, []):
        view = nomination_views.confirm_view(
            RUBRIC,
            lang,
            nomination_id=12345,
            nominee="N" * 300,
            story=LONG,
            suggestions=sugg,
            abstain_reason="off topic " * 50,
            response_url="https://hooks.slack.com/" + "x" * 200,
        )
        check_view(view)
    check_view(review_views.concern_modal(RUBRIC, lang, subject="U0BOB"))
    check_view(B.info_view(lang, "T" * 40, LONG))
    queue = [_evidence(i) for i in range(40)]
    home = review_views.home_view(RUBRIC, lang, me=_me(), queue=queue, unrecognised=["Name " * 20] * 200, notice=LONG)
    check_view(home)
    check_view(review_views.home_view(RUBRIC, lang, me=None, not_in_org=True))
    _, msg = nomination_views.suggestion_message(
        RUBRIC, lang, nomination_id=1, nominee="N" * 300, suggestions=SUGGESTIONS, abstain_reason=None, already=True
    )
    check_blocks(msg, 50)
    check_blocks(review_views.review_blocks(RUBRIC, lang, queue, notice=LONG), 50)
    check_blocks(review_views.my_recognition_blocks(RUBRIC, lang, _me(), nominate_cmd="/nominate"), 50)
    _, dm = nomination_views.nominee_dm(
        RUBRIC, lang, nominator="U0ANN", criterion="teamwork.3", story=LONG, command="/values"
    )
    check_blocks(dm, 50)


def test_all_thirty_behaviours_are_selectable_in_both_languages():
    for lang in ("en", "zh"):
        groups = B.behaviour_option_groups(RUBRIC, lang)
        values = [o["value"] for g in groups for o in g["options"]]
        assert sorted(values) == sorted(RUBRIC.criterion_ids) and len(values) == 30
        assert RUBRIC.behaviour("teamwork.3").statement.get(lang)[:20] in str(groups)


# ------------------------------------------------------------------ texts
def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    for key, entry in TEXTS.items():
        assert set(entry) == {"en", "zh"}, key
        assert _fields(entry["en"]) == _fields(entry["zh"]), key
        assert entry["en"].strip() and entry["zh"].strip(), key
