"""The authorization matrix of tests/test_authorization.py, driven through Slack.

Same table, subject (Ann) and roles, for the actions Slack offers: nominating (`/nominate`),
confirming (a suggestion button), deciding evidence (Accept) and recording a concern (`/values
concern` and its form). Each is done the way a person does it, over real HTTP, by the role's
Slack user. An allowed cell must take effect; a refused one must tell the person why (in their
language, never an empty reply) and leave every table untouched. Summaries (`/values summary`,
`/values team`) take effect by delivering files to the asker's DM, and posting a digest
(`/values digest`) by recording its run; export and erasure have no Slack surface.
"""

from __future__ import annotations

import json

import pytest

from liumai.services.org import set_team
from liumai.slack import views as B
from tests.authorization_matrix import MATRIX, ROLES, STORY, snapshot
from tests.slack import payloads as P
from tests.slack.harness import ack_text

SLACK_IDS = {
    "self": "U0ANN",
    "peer": "U0BOB",
    "manager_of": "U0MGR",
    "manager_not_of": "U0MGR2",
    "admin": "U0HR",
    "unknown": "U0GHOST",  # in Slack, in no org chart
    "deactivated": "U0DEE",  # removed by a re-import
}
ACTIONS = ("nominate", "confirm", "decide_evidence", "add_concern", "see_summary", "see_team_summary", "post_digest")
EFFECT = {
    "nominate": "Nomination",
    "confirm": "Evidence",
    "decide_evidence": "decided",
    "add_concern": "Concern",
    "see_summary": "files",
    "see_team_summary": "files",
    "post_digest": "DigestRun",
}
COMMANDS = {"see_summary": "summary <@U0ANN|ann>", "see_team_summary": "team alpha", "post_digest": "digest alpha"}


def _told(slack, hook: str) -> str:
    slack.settle()
    return " ".join(json.dumps(c.params, ensure_ascii=False) for c in slack.hook_calls(hook))


def act(slack, action: str, user: str, evidence_id: int, nomination_id: int) -> str:
    """Do `action` as `user` in Slack; returns everything the user was shown."""
    if action == "nominate":
        r = slack.command(f"<@U0ANN|ann> {STORY} ({user})", user=user)  # refused at once, or "working on it"
        return ack_text(r) + " " + _told(slack, slack.last_hook)  # ... then the suggestions
    if action in COMMANDS:
        slack.command(COMMANDS[action], user=user, command="/values")
        return _told(slack, slack.last_hook)
    hook = slack.new_hook()
    if action == "confirm":
        click = P.button(f"{B.A_PICK}_0", f"{nomination_id}|teamwork.4")
        slack.interact(P.block_actions(user, click, response_url=hook))
        return _told(slack, hook)
    if action == "decide_evidence":
        click = P.button(B.A_ACCEPT, str(evidence_id), f"{B.REVIEW_BLOCK_PREFIX}{evidence_id}")
        slack.interact(P.block_actions(user, click, response_url=hook))
        return _told(slack, hook)
    opened = len(slack.fake.calls_to("views.open"))
    slack.command("concern <@U0ANN|ann>", user=user, command="/values")
    told = _told(slack, slack.last_hook)
    if len(slack.fake.calls_to("views.open")) == opened:
        return told  # refused before any form opened
    form = slack.opened_view()
    values = {
        B.B_SUBJECT: {"user": P.users_value("U0ANN")},
        B.B_CRITERION: {"criterion": P.option_value("teamwork.1")},
        B.B_NOTE: {"text": P.text_value("Skipped the retro")},
        B.B_MITIGATED: {"mitigated": P.checkbox_value([])},
    }
    answer = slack.interact(P.view_submission(user, P.submitted_view(form, f"V0AUTH{user}", values))).json()
    slack.settle()
    return json.dumps(answer, ensure_ascii=False) if answer.get("response_action") == "errors" else "recorded"


@pytest.mark.parametrize("role", list(ROLES))
def test_matrix_row_through_slack(world, slack, role):
    ctx, evidence_id, nomination_id = world
    set_team(ctx, "alpha", slack_channel_id="C0ALPHA")  # so a digest has somewhere to go
    user = SLACK_IDS[role]

    def state() -> dict:
        return {**snapshot(ctx.engine), "files": len(slack.fake.uploads())}

    for action in ACTIONS:
        before = state()
        told = act(slack, action, user, evidence_id, nomination_id)
        after = state()
        if role in MATRIX[action]:
            assert after[EFFECT[action]] > before[EFFECT[action]], (action, role, told)
        else:
            assert after == before, f"{action} by {role} changed something"
            assert told.strip(), f"{action} by {role}: refused without a word"
            assert "Sorry, something went wrong" not in told and "抱歉" not in told, told
