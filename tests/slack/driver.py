"""Drive the Slack adapter the way people do - commands, clicks and forms over real HTTP - by e-mail.

The Slack counterpart of tests/feishu/driver.py's `FeishuDriver`, with the same steps and return
values, so one scenario table can run against both adapters (tests/test_cross_platform.py):

    d = SlackDriver(harness)
    n = d.nominate("ann@example.com", "bob@example.com", story)        # -> nomination id
    d.confirm("ann@example.com", n, "teamwork.3")                      # -> the thanks text
    ids = d.review("mgr@example.com")                                  # -> pending evidence ids
    d.decide("mgr@example.com", ids[0], "accepted")                    # -> the notice text
    d.retag("mgr@example.com", ids[0], "teamwork.4")                   # -> the notice text
    d.concern("mgr@example.com", "bob@example.com", "integrity.2", "note")  # -> the form's answer
    d.me("bob@example.com")                                            # -> the reply's text

Every step is what a person does: `confirm` clicks the suggestion button when the behaviour was
suggested, and otherwise "Choose another…" and picks it in the form; decisions are clicks on the
`/values review` message; a concern is `/values concern @someone` and its form. Waiting is
deterministic (the lazy-listener pool's idle condition and the fake's recorded calls).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlmodel import select

from liumai.slack import views as B
from liumai.storage.db import session_scope
from liumai.storage.models import Person
from tests.slack import payloads as P
from tests.slack.harness import SlackHarness

_views = itertools.count(1)


class SlackDriver:
    def __init__(self, slack: SlackHarness) -> None:
        self.slack = slack
        self._suggested: dict[int, tuple[str, list[dict]]] = {}  # nomination -> (hook, its buttons)
        self._review_hooks: dict[str, str] = {}

    def user_id(self, email: str) -> str:
        with session_scope(self.slack.ctx.engine) as s:
            p = s.exec(select(Person).where(Person.email == email.lower())).one()
            assert p.slack_user_id, f"{email} has no Slack user id"
            return p.slack_user_id

    def _reply(self, hook: str | None = None) -> dict[str, Any]:
        self.slack.settle()
        return self.slack.hook_calls(hook)[-1].params

    def nominate(self, nominator: str, nominee: str, story: str) -> int:
        me, them = self.user_id(nominator), self.user_id(nominee)
        r = self.slack.command(f"<@{them}|{nominee.split('@')[0]}> {story}", user=me)
        assert r.status_code == 200, r.text
        hook = self.slack.last_hook
        reply = self._reply(hook)
        [actions] = [b for b in reply["blocks"] if b.get("type") == "actions"]
        other = next(el for el in actions["elements"] if el["action_id"] == B.A_OTHER)
        nomination_id = int(other["value"])
        self._suggested[nomination_id] = (hook, actions["elements"])
        return nomination_id

    def confirm(self, nominator: str, nomination_id: int, criterion: str) -> str:
        me = self.user_id(nominator)
        hook, buttons = self._suggested[nomination_id]
        pick = next((b for b in buttons if b.get("value") == f"{nomination_id}|{criterion}"), None)
        if pick is not None:
            self.slack.interact(P.block_actions(me, P.button(pick["action_id"], pick["value"]), response_url=hook))
            return self._reply(hook)["text"]
        # not among the suggestions: "Choose another…", then pick it from all 30 in the form
        opened = len(self.slack.fake.calls_to("views.open"))
        self.slack.interact(P.block_actions(me, P.button(B.A_OTHER, str(nomination_id)), response_url=hook))
        self.slack.fake.wait_for("views.open", opened + 1)
        form = self.slack.opened_view()
        values = {B.B_OTHER: {"other": P.option_value(criterion)}}
        answer = self.slack.interact(P.view_submission(me, P.submitted_view(form, f"V0DRV{next(_views)}", values)))
        body = answer.json()
        assert body["response_action"] == "update", body
        self.slack.settle()
        return body["view"]["blocks"][0]["text"]["text"]

    def review(self, manager: str) -> list[int]:
        me = self.user_id(manager)
        self.slack.command("review", user=me, command="/values")
        hook = self.slack.last_hook
        self._review_hooks[manager] = hook
        reply = self._reply(hook)
        return sorted(
            int(b["block_id"].removeprefix(B.REVIEW_BLOCK_PREFIX))
            for b in reply["blocks"]
            if b.get("block_id", "").startswith(B.REVIEW_BLOCK_PREFIX)
        )

    def _click(self, manager: str, action: dict) -> str:
        hook = self._review_hooks.get(manager) or self.slack.new_hook()
        self.slack.interact(P.block_actions(self.user_id(manager), action, response_url=hook))
        return self._reply(hook)["text"]

    def decide(self, manager: str, evidence_id: int, decision: str) -> str:
        action_id = {"accepted": B.A_ACCEPT, "rejected": B.A_REJECT}[decision]
        return self._click(manager, P.button(action_id, str(evidence_id), f"{B.REVIEW_BLOCK_PREFIX}{evidence_id}"))

    def retag(self, manager: str, evidence_id: int, criterion: str) -> str:
        return self._click(manager, P.select(B.A_RETAG, criterion, f"{B.REVIEW_BLOCK_PREFIX}{evidence_id}"))

    def concern(self, manager: str, person: str, criterion: str, note: str, *, mitigated: bool = False) -> str:
        me, them = self.user_id(manager), self.user_id(person)
        opened = len(self.slack.fake.calls_to("views.open"))
        self.slack.command(f"concern <@{them}>", user=me, command="/values")
        self.slack.fake.wait_for("views.open", opened + 1)
        form = self.slack.opened_view()
        values = {
            B.B_SUBJECT: {"user": P.users_value(them)},
            B.B_CRITERION: {"criterion": P.option_value(criterion)},
            B.B_NOTE: {"text": P.text_value(note)},
            B.B_MITIGATED: {"mitigated": P.checkbox_value(["mitigated"] if mitigated else [])},
        }
        answer = self.slack.interact(P.view_submission(me, P.submitted_view(form, f"V0DRV{next(_views)}", values)))
        self.slack.settle()
        return json.dumps(answer.json(), ensure_ascii=False)

    def me(self, person: str) -> str:
        self.slack.command("me", user=self.user_id(person), command="/values")
        reply = self._reply()
        return json.dumps(reply.get("blocks") or reply.get("text"), ensure_ascii=False)
