"""The one ASGI app `liumai serve` runs: Slack's and Feishu's HTTP routes plus /healthz.

Platform adapters contribute routes through the `Integration` protocol, so neither knows about
the other and both can be mounted (or not) depending on configuration. Every route sits behind
`BodyLimit` (plugin/http_limits.py): no request body is read past `LIUMAI_MAX_BODY_BYTES` or
`LIUMAI_BODY_TIMEOUT_S`.

/healthz is unauthenticated, so it says only "ok", "schema not ready" or "database unavailable";
the reason, which names the database, goes to the server's log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from liumai.http_limits import BodyLimit
from liumai.log_redaction import pin_library_loggers
from liumai.services.context import AppContext
from liumai.services.digest import DigestPoster
from liumai.storage.db import SchemaError, check_schema

log = logging.getLogger(__name__)


@runtime_checkable
class Integration(Protocol):
    """Everything a platform adapter offers the runtime (liumai.runtime), so nothing is reached by `getattr`:
    HTTP routes, an optional background connection, its digest poster, and a clean close."""

    name: str

    def routes(self) -> Sequence[BaseRoute]:
        """Routes mounted on the shared ASGI app (empty when the platform uses only a connection)."""
        ...

    def start_background(self, stop: threading.Event) -> threading.Thread | None:
        """Start a connection thread that ends when `stop` is set (Socket Mode, long connection), or None."""
        ...

    def digest_poster(self) -> DigestPoster | None:
        """How weekly digests reach this platform's team channels (`digest --post` and the scheduler)."""
        ...

    def close(self) -> None:
        """Let in-flight background replies finish and release the adapter's workers."""
        ...


def create_app(ctx: AppContext, integrations: Sequence[Integration] = ()) -> Starlette:
    def healthz(_request: Request) -> JSONResponse:
        # A sync endpoint: Starlette runs it in its threadpool, so a slow database never
        # stalls the event loop (and with it every Slack/Feishu request on this server).
        try:
            with ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            check_schema(ctx.engine)
        except Exception as exc:  # report, never raise: probes want a status code
            # A SchemaError raised *from* another error is check_schema failing to connect.
            schema = isinstance(exc, SchemaError) and exc.__cause__ is None
            detail = "schema not ready" if schema else "database unavailable"
            # The reason names the database (user, host, name): for the operator's log, not the caller.
            log.warning("healthz: %s: %s", detail, (str(exc).splitlines() or [exc.__class__.__name__])[0])
            return JSONResponse({"status": "error", "detail": detail}, status_code=503)
        return JSONResponse(
            {"status": "ok", "rubric": ctx.rubric.version, "integrations": [i.name for i in integrations]}
        )

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for integration in integrations:
        routes.extend(integration.routes())
    pin_library_loggers()  # whatever the root level, libraries never log payloads at DEBUG
    s = ctx.settings
    limits = Middleware(BodyLimit, max_bytes=s.max_body_bytes, timeout_s=s.body_timeout_s)
    return Starlette(routes=routes, middleware=[limits])
