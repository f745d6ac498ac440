"""`/values`: help, my recognition, managers' reviews and private concerns - in English and Chinese."""

from __future__ import annotations

import json

import pytest

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.slack import views as B
from tests.slack import payloads as P
from tests.slack.harness import STORIES, evidence_rows


def _confirmed(ctx, frm: str, to: str, criterion: str, story: str = STORIES["en"]) -> int:
    res = nom.nominate(ctx, frm, to, story, source="slack")
    return nom.confirm(ctx, res.nomination.id, frm, criterion).id


def _reply(slack) -> dict:
    slack.settle()
    [reply] = slack.wait_hook()
    return reply.params


@pytest.mark.parametrize(("user", "lang"), [("U0ANN", "en"), ("U0WANG", "zh")])
def test_values_help(slack, user, lang):
    r = slack.command("", user=user, command="/values")
    assert r.status_code == 200
    text = _reply(slack)["text"]
    assert "/values me" in text and "/nominate" in text
    assert ("主管" if lang == "zh" else "managers") in text


@pytest.mark.parametrize(
    ("user", "email", "lang"), [("U0BOB", "bob@example.com", "en"), ("U0WANG", "wang@example.com", "zh")]
)
def test_values_me_shows_this_quarter_by_value_and_never_concerns(slack, user, email, lang):
    ctx = slack.ctx
    _confirmed(ctx, "ann@example.com", email, "teamwork.3")
    _confirmed(ctx, "cat@example.com", email, "customer_first.2", "Helped a merchant at midnight.")
    _confirmed(ctx, email, "ann@example.com", "passion.1", "Ann kept the team going.")
    ev.add_concern(ctx, "mgr@example.com", email, "integrity.3", "Secret note about gossip")
    slack.command("me", user=user, command="/values")
    reply = _reply(slack)
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert reply["response_type"] == "ephemeral"
    assert ("你在 2026Q4 获得的认可" if lang == "zh" else "Your recognition in 2026Q4") in text
    assert ("团队合作" if lang == "zh" else "Teamwork") in text
    assert "Helped a merchant at midnight." in text and "Ann kept the team going." in text
    assert "Secret note" not in text and "integrity.3" not in text


@pytest.mark.parametrize(("manager", "lang"), [("U0MGR", "zh"), ("U0HR", "en")])
def test_review_accept_reject_retag(slack, manager, lang):
    ctx = slack.ctx
    a = _confirmed(ctx, "bob@example.com", "ann@example.com", "teamwork.3")
    b = _confirmed(ctx, "ann@example.com", "bob@example.com", "teamwork.4", "Bob worked well with everyone.")
    c = _confirmed(ctx, "ann@example.com", "wang@example.com", "passion.2", "Wang put the team first.")
    slack.command("review", user=manager, command="/values")
    reply = _reply(slack)
    hook = slack.last_hook
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert ("待你审核（3）" if lang == "zh" else "Waiting for your review (3)") in text
    actions = [blk for blk in reply["blocks"] if blk.get("block_id", "").startswith(B.REVIEW_BLOCK_PREFIX)]
    assert [blk["block_id"] for blk in actions] == [f"{B.REVIEW_BLOCK_PREFIX}{i}" for i in (a, b, c)]
    assert actions[0]["elements"][0]["text"]["text"] == ("接受" if lang == "zh" else "Accept")  # glossary word

    for action in (
        P.button(B.A_ACCEPT, str(a), actions[0]["block_id"]),
        P.button(B.A_REJECT, str(b), actions[1]["block_id"]),
        P.select(B.A_RETAG, "passion.3", actions[2]["block_id"]),
    ):  # one click at a time, as a person does; each reply replaces the list
        slack.interact(P.block_actions(manager, action, response_url=hook))
        slack.settle()
    rows = {e.id: e for e in evidence_rows(ctx)}
    assert rows[a].status == "accepted" and rows[b].status == "rejected"
    assert (rows[c].criterion, rows[c].status) == ("passion.3", "accepted")
    last = slack.hook_calls(hook)[-1].params
    assert last["replace_original"] is True
    assert ("没有待你审核的事例" if lang == "zh" else "Nothing is waiting") in json.dumps(
        last["blocks"], ensure_ascii=False
    )


@pytest.mark.parametrize(("user", "lang"), [("U0BOB", "en"), ("U0WANG", "zh")])
def test_non_managers_are_refused_clearly_and_nothing_changes(slack, user, lang):
    e = _confirmed(slack.ctx, "ann@example.com", "cat@example.com", "teamwork.3")
    for sub in ("review", "concern <@U0ANN>"):
        slack.command(sub, user=user, command="/values")
        assert ("只有主管" if lang == "zh" else "Only managers") in _reply(slack)["text"]
    # a forged click on someone else's evidence is refused by the service and changes nothing
    hook = slack.new_hook()
    slack.interact(
        P.block_actions(user, P.button(B.A_ACCEPT, str(e), f"{B.REVIEW_BLOCK_PREFIX}{e}"), response_url=hook)
    )
    slack.settle()
    assert evidence_rows(slack.ctx)[0].status == "pending"
    assert slack.fake.calls_to("views.open") == []
    assert ("上级主管" if lang == "zh" else "managers") in json.dumps(
        slack.hook_calls(hook)[-1].params, ensure_ascii=False
    )


@pytest.mark.parametrize(("manager", "lang"), [("U0MGR", "zh"), ("U0MGR2", "en")])
def test_concern_is_recorded_privately(slack, manager, lang):
    subject = {"U0MGR": "U0BOB", "U0MGR2": "U0CAT"}[manager]
    slack.command(f"concern <@{subject}|someone>", user=manager, command="/values")
    slack.fake.wait_for("views.open")
    form = slack.opened_view()
    assert form["callback_id"] == B.CONCERN_VIEW
    assert form["title"]["text"] == ("记录关注事项" if lang == "zh" else "Record a concern")
    assert form["blocks"][1]["element"]["initial_user"] == subject
    values = {
        B.B_SUBJECT: {"user": P.users_value(subject)},
        B.B_CRITERION: {"criterion": P.option_value("customer_first.3")},
        B.B_NOTE: {"text": P.text_value("Pushed a customer's complaint to another team.")},
        B.B_MITIGATED: {"mitigated": P.checkbox_value(["mitigated"])},
    }
    submission = P.view_submission(manager, P.submitted_view(form, "V0CONCERN", values))
    r = slack.interact(submission)
    assert r.json()["response_action"] == "update"
    assert slack.interact(submission).json()["response_action"] == "update"  # double submit
    slack.settle()
    [e] = evidence_rows(slack.ctx)
    assert (e.criterion, e.polarity, e.mitigated, e.status) == ("customer_first.3", "non_conforming", True, "accepted")
    # never visible to the person or their peers: no message was posted anywhere
    assert slack.fake.calls_to("chat.postMessage") == [] and slack.fake.calls_to("chat.postEphemeral") == []
    slack.command("me", user=subject, command="/values")
    assert "Pushed a customer" not in json.dumps(_reply(slack), ensure_ascii=False)


def test_concern_about_someone_outside_my_team_is_refused_inline(slack):
    slack.command("concern", user="U0MGR2", command="/values")
    slack.fake.wait_for("views.open")
    form = slack.opened_view()
    values = {
        B.B_SUBJECT: {"user": P.users_value("U0BOB")},
        B.B_CRITERION: {"criterion": P.option_value("teamwork.1")},
        B.B_NOTE: {"text": P.text_value("Not my report")},
        B.B_MITIGATED: {"mitigated": P.checkbox_value([])},
    }
    r = slack.interact(P.view_submission("U0MGR2", P.submitted_view(form, "V0C2", values)))
    body = r.json()
    assert body["response_action"] == "errors" and "Bob" in body["errors"][B.B_SUBJECT]
    values[B.B_SUBJECT] = {"user": P.users_value("U0CAT")}
    values[B.B_NOTE] = {"text": P.text_value("   ")}
    body = slack.interact(P.view_submission("U0MGR2", P.submitted_view(form, "V0C2", values))).json()
    assert body["response_action"] == "errors" and B.B_NOTE in body["errors"]
    values[B.B_NOTE] = {"text": P.text_value("Missed the handover twice.")}
    assert (
        slack.interact(P.view_submission("U0MGR2", P.submitted_view(form, "V0C2", values))).json()["response_action"]
        == "update"
    )
    assert len(evidence_rows(slack.ctx)) == 1
