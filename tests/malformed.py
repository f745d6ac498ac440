"""What the Slack and Feishu malformed-body tests share: the bodies no platform sends (each
adapter adds its own on top) and a log capture that sees every record, uvicorn's included.

Used by tests/slack/test_slack_malformed.py and tests/feishu/test_feishu_malformed.py: a body
here must be a 400 with one WARNING line and no traceback on both platforms.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

# name -> a body that is not one JSON object of valid text
NOT_A_JSON_OBJECT: dict[str, str] = {
    "garbage": "{not json",
    "array": "[1, 2, 3]",
    "null": "null",
    "string": '"x"',
    "number": "5",
    "deep-array": "[" * 10_000 + "]" * 10_000,
    "deep-in-object": '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}",
}


class Everything(logging.Handler):
    """Every record of the process, including uvicorn's (which does not propagate to the root)."""

    NAMES = ("", "uvicorn", "uvicorn.error")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.exc_info or "Traceback" in r.getMessage()]

    def containing(self, words: str) -> list[logging.LogRecord]:
        return [r for r in self.records if words in r.getMessage()]


@contextmanager
def everything_logged() -> Iterator[Everything]:
    """Capture every record at INFO and above while the block runs."""
    handler = Everything()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    for name in Everything.NAMES:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        root.setLevel(level)
        for name in Everything.NAMES:
            logging.getLogger(name).removeHandler(handler)
