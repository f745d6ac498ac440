"""Socket Mode: the same app over a WebSocket (the fake's), acknowledged on the socket."""

from __future__ import annotations

import threading

import pytest

from tests.fakes.slack_api import APP_TOKEN
from tests.slack import payloads as P
from tests.slack.harness import STORIES, nominations


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: closing slack-sdk's Socket Mode client takes ~3 s, and the database plays no part."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


def test_socket_mode_acknowledges_on_the_socket_and_replies(slack_factory):
    slack = slack_factory(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=None)
    assert slack.post(b"command=/nominate").status_code in (404, 405)  # no HTTP events without a secret
    stop = threading.Event()
    thread = slack.integration.start_background(stop)
    assert thread is not None
    try:
        slack.fake.wait_for("socket.hello")
        slack.last_hook = slack.new_hook()
        fields = P.command_fields("/nominate", "<@U0BOB> " + STORIES["en"], "U0ANN", slack.last_hook)
        slack.fake.send_envelope(
            {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True, "payload": fields}
        )
        [ack] = slack.fake.wait_for("socket.ack", where=lambda c: c.params.get("envelope_id") == "env-1")
        assert "Finding the behaviours" in str(ack.params.get("payload"))
        [reply] = slack.wait_hook()
        assert reply.params["blocks"][-1]["elements"][0]["action_id"] == "liumai_pick_0"
        assert len(nominations(slack.ctx)) == 1
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
