"""Signed but malformed bodies on `/slack/events`: 400, one WARNING line, no traceback, nothing changed.

Each body below is signed with the app's signing secret (so it passes the RequestGuard) and posted
over real HTTP to the served app. Before the fix each of them gave 500 and a traceback (Starlette's
"Exception in ASGI application" or Bolt's "Failed to run a middleware"). Random JSON objects with
Slack's field names and values of the wrong types are fuzzed too: never a 5xx, never a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.malformed import NOT_A_JSON_OBJECT, Everything, everything_logged
from tests.slack.harness import SlackHarness, nominations

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def form_payload(text: str) -> bytes:
    return b"payload=" + quote(text).encode()


MALFORMED = {
    **{f"json-{name}": (body.encode(), JSON) for name, body in NOT_A_JSON_OBJECT.items()},
    "json-nan": (b'{"type": "event_callback", "event_id": NaN, "event": {"type": "app_home_opened"}}', JSON),
    "nested-100": (b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}", JSON),
    "payload-null": (b"payload=null", FORM),
    "payload-array": (b"payload=[]", FORM),
    "payload-%FF": (b"payload=%FF", FORM),
    "payload-%FF-in-json": (b"payload=%7B%22type%22%3A%22%FF%22%7D", FORM),
    "payload-string": (form_payload('"str"'), FORM),
    "payload-number": (b"payload=5", FORM),
    "payload-garbage": (b"payload={garbage", FORM),
    "payload-deep": (form_payload("[" * 10_000), FORM),
    "form-%FF": (b"command=%2Fnominate&text=%FF%FE&user_id=U0ANN", FORM),
    "event-not-object": (b'{"type": "event_callback", "event": 5}', JSON),
    "event-array": (b'{"type": "event_callback", "event": []}', JSON),
    "actions-not-list": (b'{"type": "block_actions", "actions": 5, "user": 5}', JSON),
    "authorizations-number": (b'{"authorizations": 5}', JSON),
    "ids-numbers": (b'{"team": 5, "enterprise": 5, "user": 5, "channel": 5}', JSON),
    "view-number": (b'{"type": "view_submission", "view": 5}', JSON),
    "view-callback-number": (
        b'{"type": "view_submission", "view": {"callback_id": 5}, "user": {"id": "U0ANN"}}',
        JSON,
    ),
    "action-number": (
        form_payload(json.dumps({"type": "block_actions", "actions": [5], "user": {"id": "U0ANN"}})),
        FORM,
    ),
    "action-id-number": (
        form_payload(json.dumps({"type": "block_actions", "actions": [{"action_id": 5}], "user": "U0ANN"})),
        FORM,
    ),
}


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: transport-level behaviour, the same on either database."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


@pytest.fixture
def logs() -> Iterator[Everything]:
    with everything_logged() as handler:
        yield handler


@pytest.mark.parametrize(("body", "content_type"), list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_signed_malformed_body_is_a_400_with_one_line(slack: SlackHarness, logs: Everything, body, content_type):
    mark = len(slack.fake.calls)
    r = slack.post(body, content_type)
    slack.settle()
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert r.json() == {"error": "malformed request"}
    assert logs.tracebacks() == []
    [line] = logs.containing("refused a request")
    assert line.levelno == logging.WARNING and "malformed body" in line.getMessage()
    assert "U0ANN" not in line.getMessage() and "garbage" not in line.getMessage()  # reasons, not contents
    assert slack.fake.calls[mark:] == [] and nominations(slack.ctx) == []  # nothing changed
    # the app still works
    assert slack.command("<@U0BOB> fixed the build for everyone", user="U0ANN").status_code == 200


KEYS = ("type", "event", "actions", "view", "user", "team", "enterprise", "channel", "authorizations", "container")
KEYS += ("message", "callback_id", "command", "event_id", "trigger_id", "response_url", "api_app_id", "state")
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from((*KEYS, "id", "type")), inner, max_size=3)
    ),
    max_leaves=12,
)
TYPES = ("event_callback", "block_actions", "view_submission", "view_closed", "shortcut", "message_action")


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6),
    kind=st.one_of(st.none(), st.sampled_from(TYPES)),
    as_form=st.booleans(),
)
def test_fields_of_the_wrong_type_never_give_a_5xx(slack: SlackHarness, logs: Everything, fields, kind, as_form):
    if kind is not None:
        fields["type"] = kind
    text = json.dumps(fields)
    r = slack.post(form_payload(text), FORM) if as_form else slack.post(text.encode(), JSON)
    slack.settle()
    assert r.status_code < 500, (r.status_code, text[:300])
    assert logs.tracebacks() == [], text[:300]
