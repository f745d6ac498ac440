"""Keeping secrets out of logs: a logging filter that rewrites each record before it is written.

Shared by the platform adapters; each knows its own secrets and token shapes (`redact_text`).
The filter rewrites the formatted message and the exception text, so a secret inside an
argument, an exception message or a traceback never reaches a handler.

`pin_library_loggers` keeps the libraries' loggers at INFO or above whatever the root level: at
DEBUG they write whole payloads - slack-sdk every request and response (stories, concern notes,
`response_url`s, which act as credentials for 30 minutes), lark-oapi every long-connection event,
openai every prompt - and no filter can tell a story from any other string.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable

# Loggers that write payloads below the given level. "liumai.slack" is here because Bolt, the
# WebClient, the WebhookClient and Socket Mode all log through the adapter's logger (which itself
# logs nothing at DEBUG); SQLAlchemy's engine logs statements *and their parameters* at INFO.
LIBRARY_LOGGERS = {
    "liumai.slack": logging.INFO,
    "slack_bolt": logging.INFO,
    "slack_sdk": logging.INFO,
    "Lark": logging.INFO,
    "websockets": logging.INFO,
    "urllib3": logging.INFO,
    "requests": logging.INFO,
    "httpx": logging.INFO,
    "httpcore": logging.INFO,
    "openai": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
}
ACCESS_LOGGER = "uvicorn.access"


def pin_library_loggers(levels: dict[str, int] | None = None) -> None:
    """Raise each library logger to at least its level (never lowers one set higher, e.g. Lark at
    WARNING), and keep query strings (an OAuth `code`, a `state`) out of uvicorn's access log."""
    existing = [n for n, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)]
    for name, level in (LIBRARY_LOGGERS if levels is None else levels).items():
        # The logger and its existing children (Bolt copies its base logger's level onto its own).
        for each in [name, *(n for n in existing if n.startswith(name + "."))]:
            logger = logging.getLogger(each)
            if logger.level < level and (each == name or logger.level != logging.NOTSET):
                logger.setLevel(level)  # NOTSET (follow the parent) counts as below for the parent
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, QueryStringFilter) for f in access.filters):
        access.addFilter(QueryStringFilter())


class QueryStringFilter(logging.Filter):
    """uvicorn's access line `%s - "%s %s HTTP/%s" %d` with the query string cut from the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


class RedactingFilter(logging.Filter, ABC):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    @abstractmethod
    def redact_text(self, text: str) -> str:
        """`text` with this platform's secrets and token shapes replaced by a marker."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        record.msg = self.redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact_text(record.exc_text)
        return True
