"""Through Slack (signed HTTP into the app, the fake Web API recording what it is sent): a person's
`/values me`, App Home and nominee DM never carry concerns about them - admins included; a
concern whose mitigation cannot change the score says so, in Chinese and English."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from liumai.slack import views as B
from liumai.storage.db import session_scope
from liumai.storage.models import Concern
from tests.privacy_seed import STORY_ACCEPTED, assert_no_concern_of_ann, assert_no_concern_of_hr, seed
from tests.slack import payloads as P
from tests.slack.driver import SlackDriver


def _home(slack, user: str) -> str:
    before = len(slack.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1763285400.1"}
    assert slack.event(event).status_code == 200
    slack.settle()
    call = slack.fake.wait_for("views.publish", before + 1)[-1]
    assert call.params["user_id"] == user
    return json.dumps(call.json("view"), ensure_ascii=False)


def test_values_me_home_and_dm_of_a_person_with_concerns_hold_none(slack):
    s = seed(slack.ctx)
    d = SlackDriver(slack)
    me = d.me("ann@example.com")
    assert STORY_ACCEPTED[:40] in me
    assert_no_concern_of_ann(me, s)
    home = _home(slack, "U0ANN")
    assert STORY_ACCEPTED[:40] in home
    assert_no_concern_of_ann(home, s)
    # A new nomination: the DM Ann gets carries the story, nothing her managers hold.
    n = d.nominate("cat@example.com", "ann@example.com", "Ann paired with Cat all afternoon on the flaky deploy.")
    d.confirm("cat@example.com", n, "teamwork.3")
    slack.settle()
    dms = [json.dumps(c.params, ensure_ascii=False) for c in slack.fake.calls_to("chat.postMessage")]
    assert any("flaky deploy" in dm for dm in dms)
    for dm in dms:
        assert_no_concern_of_ann(dm, s)


def test_an_admins_own_views_hold_no_concern_about_them(slack):
    s = seed(slack.ctx)
    me = SlackDriver(slack).me("hr@example.com")
    assert "HR rewrote the onboarding guide"[:30] in me
    assert_no_concern_of_hr(me, s)
    home = _home(slack, "U0HR")  # an admin: the manager section too, still nothing about HR
    assert "HR rewrote the onboarding guide"[:30] in home
    assert_no_concern_of_hr(home, s)


@pytest.mark.parametrize(
    ("manager", "person", "expected"),
    [
        ("mgr2@example.com", "cat@example.com", "teamwork.2 has no half point: mitigation is recorded but does not"),
        ("mgr@example.com", "ann@example.com", "teamwork.2 没有半分：已记录“情有可原”，但不会改变得分。"),
    ],
)
def test_concern_form_says_when_mitigation_has_no_effect(slack, manager, person, expected):
    d = SlackDriver(slack)
    answer = d.concern(manager, person, "teamwork.2", "Went quiet in the retro", mitigated=True)
    assert json.loads(answer)["response_action"] == "update" and expected in answer
    half = d.concern(manager, person, "customer_first.1", "Missed the call back", mitigated=True)
    assert "half point" not in half and "半分" not in half
    plain = d.concern(manager, person, "teamwork.2", "Went quiet again")
    assert "half point" not in plain and "半分" not in plain
    with session_scope(slack.ctx.engine) as s:
        assert s.exec(select(Concern.mitigated).order_by(Concern.id)).all() == [True, True, False]


def test_a_double_submitted_concern_form_is_recorded_once_and_warns_both_times(slack):
    opened = len(slack.fake.calls_to("views.open"))
    slack.command("concern <@U0CAT>", user="U0MGR2", command="/values")
    slack.fake.wait_for("views.open", opened + 1)
    values = {
        B.B_SUBJECT: {"user": P.users_value("U0CAT")},
        B.B_CRITERION: {"criterion": P.option_value("teamwork.2")},
        B.B_NOTE: {"text": P.text_value("Went quiet in the retro")},
        B.B_MITIGATED: {"mitigated": P.checkbox_value(["mitigated"])},
    }
    view = P.submitted_view(slack.opened_view(), "V0PRIVACYTWICE", values)
    answers = [slack.interact(P.view_submission("U0MGR2", view)).text for _ in range(2)]
    for answer in answers:
        assert "teamwork.2 has no half point" in answer
    with session_scope(slack.ctx.engine) as s:
        assert s.exec(select(Concern.mitigated)).all() == [True]
