"""The App Home tab: my recognition; for managers the queue and who has none yet; in both languages."""

from __future__ import annotations

import json

import pytest

from liumai.services import nominations as nom
from liumai.slack import views as B
from tests.slack import payloads as P
from tests.slack.harness import STORIES, evidence_rows


def _home_opened(user: str) -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1763285400.1"}


def _published(slack, count: int = 1) -> dict:
    slack.settle()
    call = slack.fake.wait_for("views.publish", count)[-1]
    return call


@pytest.mark.parametrize(("user", "lang"), [("U0BOB", "en"), ("U0WANG", "zh")])
def test_home_shows_my_recognition(slack, user, lang):
    email = {"U0BOB": "bob@example.com", "U0WANG": "wang@example.com"}[user]
    res = nom.nominate(slack.ctx, "ann@example.com", email, STORIES["en"])
    nom.confirm(slack.ctx, res.nomination.id, "ann@example.com", "teamwork.3")
    assert slack.event(_home_opened(user)).status_code == 200
    call = _published(slack)
    assert call.params["user_id"] == user
    view = call.json("view")
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert ("你在 2026Q4 按价值观获得的认可" if lang == "zh" else "Your recognition by value, 2026Q4") in text
    assert STORIES["en"][:40] in text
    assert ("主管视图" if lang == "zh" else "For managers") not in text


@pytest.mark.parametrize(("manager", "lang"), [("U0MGR", "zh"), ("U0MGR2", "en")])
def test_manager_home_has_queue_and_unrecognised_people(slack, manager, lang):
    ctx = slack.ctx
    res = nom.nominate(ctx, "wang@example.com", "ann@example.com", STORIES["en"])
    e = nom.confirm(ctx, res.nomination.id, "wang@example.com", "teamwork.3")
    res2 = nom.nominate(ctx, "ann@example.com", "cat@example.com", "Cat fixed the build for everyone.")
    e2 = nom.confirm(ctx, res2.nomination.id, "ann@example.com", "teamwork.1")
    slack.event(_home_opened(manager))
    view = _published(slack).json("view")
    text = json.dumps(view, ensure_ascii=False)
    assert ("主管视图" if lang == "zh" else "For managers") in text
    if manager == "U0MGR":
        assert f"{B.REVIEW_BLOCK_PREFIX}{e.id}" in text and f"{B.REVIEW_BLOCK_PREFIX}{e2.id}" not in text
        assert "Bob" in text and "王芳" in text  # no recognition yet this quarter
        decided = e.id
    else:
        assert f"{B.REVIEW_BLOCK_PREFIX}{e2.id}" in text and "everyone" in text.lower()
        decided = e2.id
    # accept from the Home tab: the decision is stored and the tab re-published with a notice
    slack.interact(
        P.block_actions(
            manager,
            P.button(B.A_ACCEPT, str(decided), f"{B.REVIEW_BLOCK_PREFIX}{decided}"),
            view={**view, "id": "V0HOME"},
        )
    )
    republished = _published(slack, 2).json("view")
    assert {r.id: r.status for r in evidence_rows(ctx)}[decided] == "accepted"
    assert f"#{decided}" in json.dumps(republished["blocks"][2], ensure_ascii=False)


def test_retried_event_publishes_once_and_strangers_are_told(slack):
    body = P.event_callback(_home_opened("U0NEW"), "Ev0RETRY1")
    assert slack.post(body, "application/json").status_code == 200
    assert (
        slack.post(
            body, "application/json", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        ).status_code
        == 200
    )
    call = _published(slack)
    assert len(slack.fake.calls_to("views.publish")) == 1
    assert "组织架构" in json.dumps(call.json("view"), ensure_ascii=False)  # U0NEW's Slack locale is zh-CN


def test_home_nominate_button_opens_the_form(slack):
    slack.interact(
        P.block_actions("U0ANN", P.button(B.A_HOME_NOMINATE, "nominate"), view={"id": "V0H", "type": "home"})
    )
    slack.fake.wait_for("views.open")
    assert slack.opened_view()["callback_id"] == B.NOMINATE_VIEW


def test_uninstall_events_are_acknowledged_in_single_workspace_mode(slack, caplog):
    for kind in ("app_uninstalled", "tokens_revoked"):
        event = {"type": kind, "event_ts": "1763285400.3"}
        if kind == "tokens_revoked":
            event["tokens"] = {"bot": ["U0LIUMAIBOT"]}
        assert slack.event(event).status_code == 200
    slack.settle()
    assert sum("no longer works" in r.getMessage() for r in caplog.records) == 2
