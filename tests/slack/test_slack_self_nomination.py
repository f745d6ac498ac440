"""Slack: a nomination the service would refuse gets only the refusal, never "thanks, matching…" first."""

from __future__ import annotations

import pytest

from liumai.i18n import t
from liumai.slack.texts import tx
from tests.slack.harness import STORIES, SlackHarness, ack_text, nominations


@pytest.mark.parametrize(("user", "lang"), [("U0ANN", "en"), ("U0WANG", "zh")])
def test_self_nomination_gets_only_the_refusal(slack: SlackHarness, user: str, lang: str) -> None:
    r = slack.command(f"<@{user}> " + STORIES[lang], user=user)
    assert r.status_code == 200
    first = ack_text(r)
    assert t("nominate.self", lang) in first
    working = tx("nominate.working", lang, user=user)
    assert working.split("<@")[0] not in first  # no "Thanks! Finding the behaviours…" / "谢谢！正在为你…匹配"
    slack.settle()
    assert slack.hook_calls() == []  # and nothing follows through response_url
    assert nominations(slack.ctx) == []


def test_unknown_nominee_is_refused_in_the_acknowledgement(slack: SlackHarness) -> None:
    r = slack.command("<@U0NEW|newbie> " + STORIES["en"], user="U0ANN")
    assert "org chart" in ack_text(r) and "Finding" not in ack_text(r)
    slack.settle()
    assert slack.hook_calls() == [] and nominations(slack.ctx) == []


def test_a_valid_one_line_nomination_still_says_it_is_working(slack: SlackHarness) -> None:
    r = slack.command("<@U0BOB|bob> " + STORIES["en"], user="U0ANN")
    assert "Finding the behaviours" in ack_text(r)
    [reply] = slack.wait_hook()
    assert reply.params.get("blocks")
    assert len(nominations(slack.ctx)) == 1
