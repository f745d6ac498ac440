"""Bounded requests for `liumai serve`: body size, body time, header time, connections.

`/slack/events` and the `/feishu/*` routes must read the raw body before they can check its
signature, so without limits an unsigned client decides how much memory and time a request costs
(eight 200 MB POSTs took the server from 0.3 GB to 2.4 GB). Slack and Feishu payloads are well
under 1 MiB, so:

- `BodyLimit` (pure ASGI middleware, every route): a declared `Content-Length` over
  `LIUMAI_MAX_BODY_BYTES` is answered 413 before a byte of the body is read; a body without a
  length (chunked) is counted while it streams and refused with 413 as soon as it passes the
  limit - the app never holds more than the limit. A body not complete within
  `LIUMAI_BODY_TIMEOUT_S` of the app's first read (a client that stalls or trickles) gets 408.
  Both answers close the connection and log one WARNING line.
- `header_timeout_protocol`: uvicorn's HTTP protocols have no request-header timeout (its
  keep-alive timer only runs between requests), so a client that connects and never finishes its
  headers (slowloris) would hold a connection forever. The subclass arms a timer when a connection
  opens, or when the next request on a kept-alive connection begins, and cancels it once the
  request's headers are complete; when it fires the connection is closed.
- `LIUMAI_MAX_CONNECTIONS` is passed to uvicorn as `limit_concurrency` (503 beyond it).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]


@dataclass
class _BodyState:
    """One request's body so far; the deadline starts when the app first asks for the body."""

    deadline: float
    received: int = 0
    done: bool = False
    started: bool = False


class _Refused(Exception):
    """Raised from the wrapped `receive` so the app stops reading; answered by `BodyLimit`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BodyLimit:
    """ASGI middleware: 413 for bodies over `max_bytes`, 408 for bodies slower than `timeout_s`."""

    def __init__(self, app: Any, *, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send, _Refused(413, f"declared body of {declared} bytes"))
            return

        loop = asyncio.get_running_loop()
        state = _BodyState(deadline=loop.time() + self.timeout_s)

        async def limited_receive() -> Message:
            if state.done:
                return await receive()  # after the body: only a disconnect can come
            try:
                message = await asyncio.wait_for(receive(), max(0.0, state.deadline - loop.time()))
            except TimeoutError:
                raise _Refused(408, f"body not complete within {self.timeout_s:g} s") from None
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                if state.received > self.max_bytes:
                    raise _Refused(413, f"body passed {self.max_bytes} bytes")
                state.done = not message.get("more_body", False)
            else:
                state.done = True
            return message

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _Refused as refused:
            if state.started:  # cannot answer any more; uvicorn closes the connection
                return
            await self._refuse(scope, send, refused)

    async def _refuse(self, scope: Scope, send: Any, refused: _Refused) -> None:
        client = scope.get("client")
        log.warning(
            "refused a request to %s from %s: %s (limit %d bytes, %g s) -> %d",
            scope.get("path", "?"),
            client[0] if client else "?",
            refused.reason,
            self.max_bytes,
            self.timeout_s,
            refused.status,
        )
        text = "request body too large" if refused.status == 413 else "request body not received in time"
        body = json.dumps({"error": text}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": refused.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),  # the rest of the body is never read
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:  # the HTTP parser refuses these before the app runs
                return None
    return None


def header_timeout_protocol(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's default HTTP protocol class, closing connections whose request headers take too long."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class HeaderTimeoutProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _header_timer: asyncio.TimerHandle | None = None
        _awaiting_headers = True
        _partial = False

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm()  # uvicorn has no timer at all for a fresh connection that sends nothing

        def data_received(self, data: bytes) -> None:
            if self._awaiting_headers:
                self._partial = True
                if self._header_timer is None:
                    self._arm()  # the next request on a kept-alive connection has begun
            cycle = self.cycle
            super().data_received(data)
            if self.cycle is not cycle:  # a request's headers are complete
                self._awaiting_headers = self._partial = False
                self._disarm()

        def on_response_complete(self) -> None:
            cycle = self.cycle
            super().on_response_complete()
            if self.cycle is cycle:  # no pipelined request was waiting: idle until the next one
                self._awaiting_headers = True  # (uvicorn's keep-alive timeout covers the idle wait)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(timeout_s, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.transport.is_closing():
                return
            client = self.client[0] if self.client else "?"
            (log.warning if self._partial else log.info)(
                "closed a connection from %s: request headers not complete within %g s", client, timeout_s
            )
            self.transport.close()

    return HeaderTimeoutProtocol


__all__ = ["BodyLimit", "header_timeout_protocol"]
