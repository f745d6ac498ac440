"""Hostile input at the service boundary: any text is refused clearly or stored (cleaned) verbatim,
never crashes, and is inert in every output format."""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liumai.feishu import report_cards
from liumai.feishu.report_cards import digest_feishu_card
from liumai.reports import summary_render as sr
from liumai.reports.digest_render import digest_text
from liumai.services import digest as dg
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.errors import ServiceError
from liumai.services.summaries import person_summary
from liumai.services.text import clean_text
from liumai.slack import report_blocks
from liumai.slack.report_blocks import digest_slack_blocks

HOSTILE = [
    "'; DROP TABLE person; --",
    "Robert'); DELETE FROM evidence WHERE ('1'='1",
    "<script>alert(document.cookie)</script>",
    "<!channel> <!here> <!everyone> @channel @here @all <@U0BOSS> <#C123|general>",
    '<at user_id="all">所有人</at> @所有人',
    "**bold** _it_ ~strike~ `code` ```block``` > quote",
    "[click](javascript:alert(1)) <https://evil.example|safe link>",
    '=HYPERLINK("https://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "| a | b |\n|---|---|\n| table | injection |",
    "{{7*7}} ${7*7} %(x)s {0}",
    "\u202eRTL override\u202c and zero\u200bwidth",
    "null\x00byte and bell\x07 and \ud800 lone surrogate",
]
counter = itertools.count()


def _story(org, text, crit="teamwork.3"):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", text, idempotency_key=f"h:{next(counter)}")
    e = nom.confirm(org, res.nomination.id, "bob@example.com", crit)
    ev.decide(org, e.id, "mgr@example.com", "accepted")
    return res


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=400)
    | st.text(max_size=4000).map(lambda s: s * 2)
)
def test_any_story_is_stored_cleaned_or_refused_clearly(org, text):
    try:
        res = nom.nominate(org, "bob@example.com", "ann@example.com", text, idempotency_key=f"f:{next(counter)}")
    except ServiceError as exc:
        assert exc.key in ("nominate.story_empty", "nominate.story_too_long")
        assert exc.message("zh") and exc.message("en")
        return
    assert res.nomination.story == clean_text(text).strip()
    assert "\x00" not in res.nomination.story


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_stories_are_stored_verbatim(org, text):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", text, idempotency_key=f"v:{next(counter)}")
    assert res.nomination.story == clean_text(text).strip()
    if "\x00" not in text and "\ud800" not in text and "\x07" not in text:
        assert res.nomination.story == text.strip()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_stories_are_inert_in_every_output(org, lang):
    for text in HOSTILE:
        _story(org, text)
    s = person_summary(org, "ann@example.com")
    r = org.rubric
    md = sr.summary_markdown(s, r, lang)
    html = sr.summary_html(s, r, lang, charts=False, embed_font=False)
    rows = list(csv.reader(io.StringIO(sr.summary_csv(s, r, lang))))
    slack = json.dumps(report_blocks.summary_slack_pages(s, r, lang), ensure_ascii=False)
    feishu = json.dumps(report_cards.summary_feishu_card(s, r, lang), ensure_ascii=False)
    assert "<script>" not in html and "javascript:alert" not in html.replace("[click](javascript:alert(1))", "")
    assert "<script>" not in md and "\\<script\\>" in md
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "<!channel>" not in slack and "<@U0BOSS>" not in slack and "<#C123" not in slack
    assert "@here" not in slack and "@channel" not in slack
    assert '<at user_id="all">' not in feishu and "@all" not in feishu
    d = dg.build_digest(org, "alpha", "2026-W47")
    plain = digest_text(d, r, lang, markdown=False)  # a terminal preview: only broadcasts matter
    assert "@all" not in plain and "@here" not in plain
    for out in (
        json.dumps(digest_slack_blocks(d, r, lang)),
        json.dumps(digest_feishu_card(d, r, lang), ensure_ascii=False),
    ):
        assert "<!channel>" not in out and "@all" not in out and "@here" not in out


def test_person_references_with_control_characters_are_just_unknown(org):
    from liumai.services.deliveries import profile

    assert profile(org, "slack:U0\x00ANN") is None or profile(org, "slack:U0\x00ANN").email == "ann@example.com"
    assert profile(org, "\x00\x0f") is None
    with pytest.raises(ServiceError):
        nom.nominate(org, "bob@example.com", "ann\x00@example.com\x9e", "A fine story about helping the team.")


def test_team_keys_with_control_characters_are_unknown_teams(org):
    from liumai.services.errors import InvalidInput
    from liumai.services.summaries import team_summary

    for key in ("no\x00such", "\x00", "al pha", "x" * 500):
        with pytest.raises(InvalidInput, match="unknown team"):
            team_summary(org, team=key)
        with pytest.raises(InvalidInput, match="unknown team"):
            dg.build_digest(org, key, "2026-W47")
