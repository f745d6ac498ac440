"""Logging for the Slack adapter with tokens and secrets removed before any handler sees them.

slack-sdk logs request bodies and responses at DEBUG (an `oauth.v2.access` response carries a
fresh bot token), and a stack trace can hold a token in a local repr. Bolt copies the filters of
the logger it is given onto every logger it creates, and the WebClient logs through the logger
it is given, so a filter on our logger covers everything Slack code writes for us.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from liumai.log_redaction import RedactingFilter as BaseRedactingFilter

TOKEN_RE = re.compile(r"\b(xox[abposer]|xapp|xoxe\.xox[bp])-[A-Za-z0-9\-]+")
LOGGER_NAME = "liumai.slack"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace Slack tokens (by shape) and the configured secrets (verbatim) with a marker."""
    for s in secrets:
        if s and len(s) >= 8:
            text = text.replace(s, "[redacted]")
    return TOKEN_RE.sub(lambda m: m.group(1) + "-[redacted]", text)


class RedactingFilter(BaseRedactingFilter):
    """Rewrites each record's message (and exception text) with tokens removed."""

    def redact_text(self, text: str) -> str:
        return redact(text, self.secrets)


# SQLAlchemy logs statements, their parameters and (at DEBUG) every result row through this
# logger whenever the root logger is at INFO/DEBUG - rows of the OAuth installation table carry
# bot tokens. Records are filtered by the logger that creates them, so the filter sits here too.
SQL_LOGGER = "sqlalchemy.engine.Engine"


def _install(logger: logging.Logger, secrets: Iterable[str]) -> None:
    for f in list(logger.filters):
        if isinstance(f, RedactingFilter):
            logger.removeFilter(f)
    logger.addFilter(RedactingFilter(secrets))


def slack_logger(secrets: Iterable[str] = (), name: str = LOGGER_NAME) -> logging.Logger:
    """Our adapter's logger, carrying the redacting filter (added once per logger); SQLAlchemy's
    engine logger gets the same filter, so SQL logging cannot show a token either."""
    secrets = list(secrets)
    logger = logging.getLogger(name)
    _install(logger, secrets)
    _install(logging.getLogger(SQL_LOGGER), secrets)
    return logger
