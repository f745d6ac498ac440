"""Refusing forged and replayed Slack requests before Bolt sees them, with a WARNING that says why.

Bolt verifies signatures too, but it logs a refusal at INFO with the whole request body, cannot
say *why* a request failed (forged, stale, missing headers), and a malformed timestamp or a body
that is not UTF-8 makes its verifier raise - a 500. This guard runs first on `/slack/events`:

- `X-Slack-Signature` and `X-Slack-Request-Timestamp` must be present, the timestamp an integer
  within 5 minutes of now (Slack's replay window, both directions), and the signature
  `v0=HMAC-SHA256(secret, "v0:{ts}:{raw body}")`, compared in constant time;
- a refusal answers 401 (a signed but malformed body, plugin/slack/body.py: 400) and logs one
  WARNING line with the reason, the client address and the running counts ("refused so far: 3,
  of them stale: 2"), so an operator can count and alert on them from logs alone; the counts are
  also kept on the guard (`refused`).

Nothing of the request - body, signature, secret - is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping

REPLAY_WINDOW_S = 300

STALE = "stale timestamp"
FUTURE = "timestamp in the future"
MISSING = "missing signature headers"
MALFORMED = "malformed timestamp"
FORGED = "invalid signature"
NOT_UTF8 = "body is not UTF-8"


class RequestGuard:
    """Checks Slack's request signature; thread-safe counts of what it refused, by reason."""

    def __init__(
        self,
        signing_secret: str,
        logger: logging.Logger,
        *,
        clock: Callable[[], float] = time.time,
        window_s: int = REPLAY_WINDOW_S,
    ) -> None:
        self._secret = signing_secret.encode()
        self.logger = logger
        self.clock = clock
        self.window_s = window_s
        self.refused: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reason(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """Why the request must be refused, or None when it is genuinely Slack's and fresh."""
        ts = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        if not ts or not signature:
            return MISSING
        ts = ts.strip()
        if not ts.isascii() or not ts.isdigit() or len(ts) > 12:
            return MALFORMED
        age = self.clock() - int(ts)
        if age > self.window_s:
            return STALE
        if age < -self.window_s:
            return FUTURE
        expected = "v0=" + hmac.new(self._secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
            return FORGED
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return NOT_UTF8
        return None

    def check(
        self, headers: Mapping[str, str], body: bytes, *, client: str | None = None, path: str = ""
    ) -> str | None:
        """`reason`, and for a refusal one WARNING line with the reason and the running counts."""
        why = self.reason(headers, body)
        if why is None:
            return None
        self.refuse(why, headers, client=client, path=path)
        return why

    def refuse(self, why: str, headers: Mapping[str, str], *, client: str | None = None, path: str = "") -> None:
        """Count a refusal and log its one WARNING line (also for signed but malformed bodies)."""
        with self._lock:
            self.refused[why] += 1
            total, this = sum(self.refused.values()), self.refused[why]
        retry = headers.get("x-slack-retry-num")
        self.logger.warning(
            "slack: refused a request to %s from %s: %s (refused so far: %d, of them %s: %d)%s",
            path or "/slack/events",
            client or "?",
            why,
            total,
            why,
            this,
            f" [X-Slack-Retry-Num {retry[:4]}]" if retry else "",
        )
