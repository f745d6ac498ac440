"""Through Slack (signed HTTP into the app, the fake Web API recording what it is sent): a person's
`/values me`, App Home and nominee DM never carry concerns about them - admins included."""

from __future__ import annotations

import json

from tests.slack.driver import SlackDriver
from tests.test_privacy import STORY_ACCEPTED, assert_no_concern_of_ann, assert_no_concern_of_hr, seed


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
