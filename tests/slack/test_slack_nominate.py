"""Nominating in Slack, each flow in English and Chinese: the form, one line, the shortcut."""

from __future__ import annotations

import pytest

from liumai.i18n import t
from liumai.slack import views as B
from tests.slack import payloads as P
from tests.slack.harness import STORIES, SlackHarness, ack_text, evidence_rows, nominations

# (nominator, nominee, nominator's language, nominee's language); locales come from the org chart
PAIRS = [("U0ANN", "U0BOB", "en", "en"), ("U0WANG", "U0ANN", "zh", "en"), ("U0BOB", "U0MGR", "en", "zh")]
LANGS = [("U0ANN", "U0BOB", "en"), ("U0WANG", "U0BOB", "zh")]


def _form_values(nominee: str | None, story: str | None, hint: str | None = None, private: bool = False) -> dict:
    return {
        B.B_NOMINEE: {"user": P.users_value(nominee)},
        B.B_STORY: {"text": P.text_value(story)},
        B.B_VALUE: {"value": P.option_value(hint)},
        B.B_PRIVATE: {"private": P.checkbox_value(["private"] if private else [])},
    }


def _open_form(slack: SlackHarness, user: str) -> dict:
    r = slack.command("", user=user)
    assert r.status_code == 200 and r.text == ""
    slack.fake.wait_for("views.open")
    view = slack.opened_view()
    assert view["callback_id"] == B.NOMINATE_VIEW
    return view


@pytest.mark.parametrize(("nominator", "nominee", "lang", "nominee_lang"), PAIRS)
def test_form_flow_suggests_confirms_thanks_and_tells_the_nominee(slack, nominator, nominee, lang, nominee_lang):
    rubric = slack.ctx.rubric
    form = _open_form(slack, nominator)
    assert form["title"]["text"] == ("提名同事" if lang == "zh" else "Nominate a colleague")
    assert form["blocks"][1]["element"]["max_length"] == 3000

    submitted = P.submitted_view(form, "V0FORM1", _form_values(nominee, STORIES[lang], hint="teamwork"))
    r = slack.interact(P.view_submission(nominator, submitted))
    assert r.status_code == 200
    progress = r.json()
    assert progress["response_action"] == "update" and progress["view"]["callback_id"] == B.PROGRESS_VIEW

    update = slack.fake.wait_for("views.update")[0]
    assert update.params["view_id"] == "V0FORM1"
    step2 = update.json("view")
    assert step2["callback_id"] == B.CONFIRM_VIEW
    [n] = nominations(slack.ctx)
    assert (n.source, n.status, n.value_hint, n.private) == ("slack", "suggested", "teamwork", False)
    radio = next(b for b in step2["blocks"] if b.get("block_id") == B.B_CHOICE)["element"]
    top = radio["initial_option"]["value"]
    text = P.json.dumps(step2, ensure_ascii=False)
    assert rubric.behaviour(top).statement.get(lang)[:40] in text  # the statement in the reader's language
    assert ("置信度" if lang == "zh" else "confidence") in text
    other = next(b for b in step2["blocks"] if b.get("block_id") == B.B_OTHER)["element"]
    assert sum(len(g["options"]) for g in other["option_groups"]) == 30

    # a double click on "Next" (same view id) stores nothing new
    r = slack.interact(P.view_submission(nominator, submitted))
    assert r.json()["response_action"] == "update"
    slack.settle()
    assert len(nominations(slack.ctx)) == 1

    confirm_values = {
        B.B_CHOICE: {"choice": P.option_value(top, "radio_buttons")},
        B.B_OTHER: {"other": P.option_value(None)},
    }
    confirm = P.view_submission(nominator, P.submitted_view(step2, "V0FORM1", confirm_values))
    r = slack.interact(confirm)
    thanks = r.json()
    assert thanks["response_action"] == "update"
    assert ("谢谢" if lang == "zh" else "Thank you") in thanks["view"]["blocks"][0]["text"]["text"]
    slack.interact(confirm)  # submitted twice: still one evidence, one DM
    slack.settle()

    [e] = evidence_rows(slack.ctx)
    assert (e.criterion, e.status, e.polarity) == (top, "pending", "conforming")
    assert nominations(slack.ctx)[0].status == "confirmed"
    [opened] = slack.fake.calls_to("conversations.open")
    assert opened.params["users"] == nominee
    [dm] = slack.fake.calls_to("chat.postMessage")
    assert dm.params["channel"] == "D" + nominee[1:]
    assert f"<@{nominator}>" in dm.params["text"]
    assert ("认可了你" if nominee_lang == "zh" else "recognised you") in dm.params["text"]


def test_nominee_dm_can_be_switched_off(slack_factory):
    slack = slack_factory(LIUMAI_NOTIFY_NOMINEE="false")
    slack.command("<@U0BOB> " + STORIES["en"], user="U0ANN")
    [reply] = slack.wait_hook()
    pick = reply.params["blocks"][-1]["elements"][0]
    slack.interact(P.block_actions("U0ANN", P.button(pick["action_id"], pick["value"]), response_url=slack.last_hook))
    slack.settle()
    assert len(evidence_rows(slack.ctx)) == 1
    assert slack.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(("user", "lang"), [("U0ANN", "en"), ("U0WANG", "zh")])
def test_form_shows_invalid_input_inline_and_stores_nothing(slack, user, lang):
    form = _open_form(slack, user)
    cases = [
        (user, STORIES["en"], B.B_NOMINEE, t("nominate.self", lang)),
        ("U0HELPERBOT", STORIES["en"], B.B_NOMINEE, "机器人" if lang == "zh" else "bot"),
        ("U0NEW", STORIES["en"], B.B_NOMINEE, "组织架构" if lang == "zh" else "org chart"),
        ("U0BOB", "   ", B.B_STORY, "故事为空" if lang == "zh" else "story is empty"),
        ("U0BOB", "x" * 3001, B.B_STORY, "3001"),
    ]
    for i, (nominee, story, block, expected) in enumerate(cases):
        view = P.submitted_view(form, f"V0BAD{i}", _form_values(nominee, story))
        r = slack.interact(P.view_submission(user, view))
        assert r.status_code == 200
        body = r.json()
        assert body["response_action"] == "errors", body
        assert expected in body["errors"][block], body
    slack.settle()
    assert nominations(slack.ctx) == []
    assert slack.fake.calls_to("views.update") == []


@pytest.mark.parametrize(("nominator", "nominee", "lang"), LANGS)
def test_one_line_nomination_offers_buttons_and_confirms(slack, nominator, nominee, lang):
    r = slack.command(f"<@{nominee}|bob> {STORIES[lang]}", user=nominator)
    assert r.status_code == 200
    assert ("正在" if lang == "zh" else "Finding") in ack_text(r)
    [reply] = slack.wait_hook()
    assert reply.params["response_type"] == "ephemeral"
    buttons = reply.params["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons][-2:] == [B.A_OTHER, B.A_CANCEL]
    assert buttons[-2]["text"]["text"] == ("选择其他…" if lang == "zh" else "Choose another…")
    pick = buttons[0]
    criterion = pick["value"].split("|")[1]
    click = P.block_actions(nominator, P.button(pick["action_id"], pick["value"]), response_url=slack.last_hook)
    assert slack.interact(click).status_code == 200
    slack.interact(click)  # double click
    slack.settle()
    [e] = evidence_rows(slack.ctx)
    assert e.criterion == criterion and e.status == "pending"
    replaced = [c for c in slack.hook_calls() if c.params.get("replace_original") is True]
    assert replaced and ("谢谢" if lang == "zh" else "Thank you") in replaced[0].params["text"]
    assert len(slack.fake.calls_to("chat.postMessage")) == 1  # the nominee's DM, once


def test_retried_and_double_sent_commands_store_one_nomination(slack):
    hook = slack.new_hook()
    body = P.slash_command("/nominate", "<@U0BOB> " + STORIES["en"], "U0ANN", hook)
    assert slack.post(body).status_code == 200
    assert (
        slack.post(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status_code == 200
    )
    slack.settle()
    slack.command("<@U0BOB|bob>   " + STORIES["en"], user="U0ANN")  # typed again, same story
    slack.settle()
    assert len(nominations(slack.ctx)) == 1
    again = slack.hook_calls()[0]
    assert "#1" in P.json.dumps(again.params)  # "you already sent this story (nomination #1)"


@pytest.mark.parametrize(("user", "lang"), [("U0ANN", "en"), ("U0WANG", "zh")])
def test_one_line_helpful_replies(slack, user, lang):
    r = slack.command("bob was great", user=user)  # no mention
    assert ("没看出" if lang == "zh" else "couldn't tell who") in ack_text(r)
    r = slack.command("help", user=user)
    assert "/nominate" in ack_text(r)
    # refusals come in the acknowledgement itself, before any "finding behaviours…"
    r = slack.command("<@U0NEW|newbie> " + STORIES["en"], user=user)
    assert "<@U0NEW>" in ack_text(r)
    assert ("组织架构" if lang == "zh" else "org chart") in ack_text(r)
    r = slack.command("<@U0HELPERBOT> " + STORIES["en"], user=user)
    assert ("机器人" if lang == "zh" else "bot") in ack_text(r)
    r = slack.command(f"<@{user}> " + STORIES["en"], user=user)
    assert t("nominate.self", lang) in ack_text(r)
    slack.command("<@U0BOB|bob>", user=user)  # a mention but no story: the form opens with Bob chosen
    slack.fake.wait_for("views.open")
    assert slack.opened_view()["blocks"][0]["element"]["initial_user"] == "U0BOB"
    slack.settle()
    assert nominations(slack.ctx) == []


@pytest.mark.parametrize(("nominator", "nominee", "lang"), LANGS)
def test_choose_another_and_cancel(slack, nominator, nominee, lang):
    slack.command(f"<@{nominee}> {STORIES[lang]}", user=nominator)
    [reply] = slack.wait_hook()
    hook = slack.last_hook
    other = reply.params["blocks"][-1]["elements"][-2]
    slack.interact(P.block_actions(nominator, P.button(other["action_id"], other["value"]), response_url=hook))
    slack.fake.wait_for("views.open")
    view = slack.opened_view()
    assert view["callback_id"] == B.CONFIRM_VIEW and view["title"]["text"] == (
        "选择行为" if lang == "zh" else "Choose a behaviour"
    )
    values = {B.B_OTHER: {"other": P.option_value("integrity.2")}}
    r = slack.interact(P.view_submission(nominator, P.submitted_view(view, "V0OTHER", values)))
    assert r.json()["response_action"] == "update"
    slack.settle()
    [e] = evidence_rows(slack.ctx)
    assert e.criterion == "integrity.2"
    assert any(c.params.get("replace_original") for c in slack.hook_calls(hook))

    slack.command(f"<@{nominee}> {STORIES[lang]} 2", user=nominator)
    [reply] = slack.wait_hook()
    cancel = reply.params["blocks"][-1]["elements"][-1]
    slack.interact(
        P.block_actions(nominator, P.button(cancel["action_id"], cancel["value"]), response_url=slack.last_hook)
    )
    slack.settle()
    assert nominations(slack.ctx)[-1].status == "cancelled"
    assert ("已取消" if lang == "zh" else "cancelled") in slack.hook_calls()[-1].params["text"]
    assert len(evidence_rows(slack.ctx)) == 1


def test_someone_else_cannot_confirm_my_nomination(slack):
    slack.command("<@U0BOB> " + STORIES["en"], user="U0ANN")
    [reply] = slack.wait_hook()
    pick = reply.params["blocks"][-1]["elements"][0]
    slack.interact(P.block_actions("U0CAT", P.button(pick["action_id"], pick["value"]), response_url=slack.last_hook))
    slack.settle()
    assert evidence_rows(slack.ctx) == []
    assert t("nominate.not_nominator", "en") in slack.hook_calls()[-1].params["text"]


@pytest.mark.parametrize(("user", "lang"), [("U0ANN", "en"), ("U0WANG", "zh")])
def test_message_shortcut_prefills_author_story_and_link(slack, user, lang):
    message = {"type": "message", "user": "U0BOB", "ts": "1763285400.123456", "text": STORIES["en"]}
    payload = P.message_action(user, message, slack.new_hook(), channel="C0PROJ", callback_id=B.MESSAGE_SHORTCUT)
    assert slack.interact(payload).status_code == 200
    slack.fake.wait_for("views.open")
    [link_call] = slack.fake.calls_to("chat.getPermalink")
    assert (link_call.params["channel"], link_call.params["message_ts"]) == ("C0PROJ", "1763285400.123456")
    form = slack.opened_view()
    assert form["blocks"][0]["element"]["initial_user"] == "U0BOB"
    assert form["blocks"][1]["element"]["initial_value"] == STORIES["en"]
    link = "https://liumai-test.slack.com/archives/C0PROJ/p1763285400123456"
    assert link in P.json.dumps(form) and ("来自" if lang == "zh" else "From") in P.json.dumps(form, ensure_ascii=False)
    edited = STORIES["en"] + " Edited by the nominator."
    view = P.submitted_view(form, "V0SHORT", _form_values("U0BOB", edited))
    assert slack.interact(P.view_submission(user, view)).json()["response_action"] == "update"
    slack.settle()
    [n] = nominations(slack.ctx)
    assert n.source_link == link and n.story == edited


def test_message_shortcut_builds_the_link_when_slack_cannot(slack):
    slack.fake.fail_once("chat.getPermalink", "channel_not_found")
    message = {"type": "message", "user": "U0BOB", "ts": "1763285400.000042", "text": "Thanks Bob!"}
    slack.interact(
        P.message_action("U0ANN", message, slack.new_hook(), channel="G0PRIV", callback_id=B.MESSAGE_SHORTCUT)
    )
    slack.fake.wait_for("views.open")
    assert "https://liumai-test.slack.com/archives/G0PRIV/p1763285400000042" in P.json.dumps(slack.opened_view())


def test_closing_the_form_cancels_the_unconfirmed_nomination(slack):
    form = _open_form(slack, "U0ANN")
    slack.interact(P.view_submission("U0ANN", P.submitted_view(form, "V0CLOSE", _form_values("U0BOB", STORIES["en"]))))
    step2 = slack.fake.wait_for("views.update")[0].json("view")
    slack.interact(P.view_closed("U0ANN", P.submitted_view(step2, "V0CLOSE", {})))
    slack.settle()
    assert nominations(slack.ctx)[0].status == "cancelled"


def test_someone_not_in_the_org_chart_is_told_in_their_slack_language(slack):
    r = slack.command("<@U0BOB> " + STORIES["en"], user="U0NEW")  # U0NEW: in Slack (zh-CN), not imported
    assert "你还不在六脉的组织架构中" in ack_text(r)
    [info] = slack.fake.calls_to("users.info")
    assert info.params["user"] == "U0NEW"
    slack.settle()
    assert nominations(slack.ctx) == []
