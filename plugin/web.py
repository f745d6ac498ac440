"""The one ASGI app `liumai serve` runs: Slack's and Feishu's HTTP routes plus /healthz.

Platform adapters contribute routes through the `Integration` protocol, so neither knows about
the other and both can be mounted (or not) depending on configuration.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from liumai.services.context import AppContext
from liumai.services.digest import DigestPoster
from liumai.storage.db import SchemaError, check_schema


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
        except (SchemaError, Exception) as exc:  # report, never raise: probes want a status code
            return JSONResponse({"status": "error", "detail": str(exc).splitlines()[0]}, status_code=503)
        return JSONResponse(
            {"status": "ok", "rubric": ctx.rubric.version, "integrations": [i.name for i in integrations]}
        )

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for integration in integrations:
        routes.extend(integration.routes())
    return Starlette(routes=routes)
