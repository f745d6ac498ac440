"""Logging for the Feishu adapter with secrets removed before any handler sees them.

What could carry a secret into a log line:
- lark-oapi's own logger ("Lark"): at INFO the long connection logs its WebSocket URL, whose query
  holds a connection `access_key` and `ticket`; it also installs its own stdout handler at import,
  which bypasses the application's logging configuration (and so any filter or format on it);
- the `websockets` client at DEBUG logs the request line of that same URL;
- an exception message or stack trace that happens to include a token or the encrypt key.

`install_redaction(settings)` puts a redacting filter on each of those loggers and on the adapter's
own module loggers (a logger's filters only see records created on that logger, not on its
children, hence the explicit list), and removes lark-oapi's private stdout handler so its records
go through the application's handlers like everyone else's. Configured secrets are replaced
verbatim; access tokens (`t-...`, `u-...`, `a-...`) and URL credentials are replaced by shape.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from liumai.config import Settings
from liumai.log_redaction import RedactingFilter as BaseRedactingFilter

MARK = "[redacted]"
LARK_LOGGER = "Lark"
ADAPTER_LOGGERS = (
    "liumai.feishu",
    "liumai.feishu.actions",
    "liumai.feishu.asgi",
    "liumai.feishu.client",
    "liumai.feishu.digest",
    "liumai.feishu.dispatch",
    "liumai.feishu.org_sync",
    "liumai.feishu.reports",
    "liumai.feishu.security",
    "liumai.feishu.worker_pool",
    "liumai.feishu.ws",
)
THIRD_PARTY_LOGGERS = (LARK_LOGGER, "websockets", "websockets.client", "websockets.protocol", "urllib3.connectionpool")
# Feishu access tokens: tenant (t-), user (u-), app (a-) followed by a long opaque part.
TOKEN_RE = re.compile(r"\b([tua])-[A-Za-z0-9_\-.]{16,}")
URL_SECRET_RE = re.compile(r"(?i)\b(access_key|ticket|app_secret|token|encrypt_key)=([^&\s\"']+)")
BEARER_RE = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9_\-.]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Configured secrets (verbatim) and Feishu credentials (by shape) replaced with a marker."""
    for s in secrets:
        if s and len(s) >= 6:
            text = text.replace(s, MARK)
    text = URL_SECRET_RE.sub(lambda m: f"{m.group(1)}={MARK}", text)
    text = BEARER_RE.sub(lambda m: f"{m.group(1)} {MARK}", text)
    return TOKEN_RE.sub(lambda m: f"{m.group(1)}-{MARK}", text)


class RedactingFilter(BaseRedactingFilter):
    """Rewrites each record's message and exception text with secrets removed."""

    def redact_text(self, text: str) -> str:
        return redact(text, self.secrets)


def configured_secrets(settings: Settings) -> list[str]:
    return [
        s for s in (settings.feishu_app_secret, settings.feishu_encrypt_key, settings.feishu_verification_token) if s
    ]


def install_redaction(settings: Settings, extra: Iterable[str] = ()) -> RedactingFilter:
    """Idempotent: replaces an earlier filter of ours (e.g. after the secrets changed)."""
    from lark_oapi.core.log import handler as lark_stdout  # created with the "Lark" logger at import

    flt = RedactingFilter([*configured_secrets(settings), *extra])
    for name in (*ADAPTER_LOGGERS, *THIRD_PARTY_LOGGERS):
        logger = logging.getLogger(name)
        for f in list(logger.filters):
            if isinstance(f, RedactingFilter):
                logger.removeFilter(f)
        logger.addFilter(flt)
    # Its records still propagate to the application's handlers, filtered and formatted like ours.
    logging.getLogger(LARK_LOGGER).removeHandler(lark_stdout)
    return flt
