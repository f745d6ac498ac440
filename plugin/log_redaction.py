"""Keeping secrets out of logs: a logging filter that rewrites each record before it is written.

Shared by the platform adapters; each knows its own secrets and token shapes (`redact_text`).
The filter rewrites the formatted message and the exception text, so a secret inside an
argument, an exception message or a traceback never reaches a handler.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable


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
