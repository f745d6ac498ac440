"""With the root logger at DEBUG, no log line holds a story, a concern note or a `response_url`.

Before the fix slack-sdk logged every request it sent at DEBUG - through the adapter's logger, so
setting the root logger to DEBUG was enough - with the `response_url` (a credential for 30
minutes: anyone holding it can post as the app into that conversation) and the whole message:
the story on its way back to the nominator, the concern note in the manager's confirmation.
Libraries are now pinned at INFO (plugin/log_redaction.py) whatever the root level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.slack.driver import SlackDriver
from tests.slack.harness import SlackHarness

STORY = "Bob rebuilt the flaky deploy pipeline over the weekend and documented every step for the on-call rota."
NOTE = "Privately noted: shared a customer's contract terms in a public channel."


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: logging does not depend on the database."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        self.lines.append(f"{record.levelname} {record.name} {record.getMessage()} {exc} {record.args!r}")


@pytest.fixture
def debug_root() -> Iterator[Lines]:
    """The root logger at DEBUG before the app is built, as an operator debugging would set it."""
    handler = Lines()
    root = logging.getLogger()
    uvicorn_logger = logging.getLogger("uvicorn")  # does not propagate to the root
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    uvicorn_logger.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        uvicorn_logger.removeHandler(handler)
        root.setLevel(level)


def test_a_nomination_and_a_concern_at_debug_log_no_story_note_or_response_url(debug_root: Lines, slack: SlackHarness):
    d = SlackDriver(slack)
    n = d.nominate("ann@example.com", "bob@example.com", STORY)
    hook = slack.last_hook
    d.confirm("ann@example.com", n, "teamwork.3")
    [e] = d.review("mgr@example.com")
    d.decide("mgr@example.com", e, "accepted")
    answer = d.concern("mgr@example.com", "bob@example.com", "integrity.2", NOTE)
    slack.settle()
    # The flow really carried them (the story went back to Ann through her response_url, the note
    # was recorded) and the capture saw the process's lines.
    assert any(STORY[:40] in str(c.params) for c in slack.hook_calls(hook))
    assert "integrity.2" in answer
    assert any("/slack/events" in line for line in debug_root.lines)
    text = "\n".join(debug_root.lines)
    assert STORY not in text and STORY[:40] not in text
    assert NOTE not in text and NOTE[-40:] not in text
    assert "/hooks/" not in text and hook.split("/hooks/", 1)[1] not in text
