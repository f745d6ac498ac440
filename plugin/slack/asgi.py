"""Starlette routes for a sync Bolt app: `/slack/events`, `/slack/install`, `/slack/oauth_redirect`.

Bolt's own Starlette adapter calls the synchronous `App.dispatch` directly inside the event
loop, which stalls every other request while one is handled (and the acknowledgement budget is
3 s for all of them). These routes run dispatch and the OAuth steps in Starlette's thread pool
instead, so requests are handled concurrently. The benchmark serves its bare Bolt app through
the very same routes, so the comparison isolates Liumai's own work. A `RequestGuard`
(plugin/slack/security.py) refuses forged and stale requests before Bolt, logging why; a signed
body Bolt cannot read (plugin/slack/body.py) is refused with 400 and logged the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from liumai.slack.body import REFUSED_HEADER, Malformed, bolt_request
from liumai.slack.security import RequestGuard

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def events_endpoint(app: App, guard: RequestGuard | None = None) -> Endpoint:
    """POST: verify (the guard, then Bolt again), acknowledge, start lazy work - off the event loop."""

    async def events(request: Request) -> Response:
        body = await request.body()
        client = request.client.host if request.client else None
        if guard is not None and guard.check(request.headers, body, client=client, path=request.url.path):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            bolt_req = bolt_request(request, body)
        except Malformed as exc:
            return malformed(request, str(exc))
        bolt_response = await run_in_threadpool(app.dispatch, bolt_req)
        refused = bolt_response.headers.pop(REFUSED_HEADER, None)  # set by body.bolt_error_handler
        if refused:
            return malformed(request, refused[0])
        return to_starlette_response(bolt_response)

    def malformed(request: Request, why: str) -> Response:
        client = request.client.host if request.client else None
        if guard is not None:
            guard.refuse(f"malformed body: {why}", request.headers, client=client, path=request.url.path)
        else:
            log.warning("slack: refused a request to %s from %s: malformed body: %s", request.url.path, client, why)
        return JSONResponse({"error": "malformed request"}, status_code=400)

    return events


def oauth_endpoints(app: App) -> tuple[Endpoint, Endpoint]:
    """GET install page and OAuth redirect, handled by Bolt's OAuth flow and stores."""
    flow = app.oauth_flow

    async def install(request: Request) -> Response:
        if flow is None:
            return PlainTextResponse("OAuth install is not configured", status_code=404)
        bolt_response = await run_in_threadpool(flow.handle_installation, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    async def redirect(request: Request) -> Response:
        if flow is None:
            return PlainTextResponse("OAuth install is not configured", status_code=404)
        bolt_response = await run_in_threadpool(flow.handle_callback, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    return install, redirect


def bolt_routes(
    app: App, *, events: bool = True, events_path: str = "/slack/events", guard: RequestGuard | None = None
) -> list[BaseRoute]:
    """The routes a Bolt app needs: events when Slack calls us over HTTP, OAuth when installed."""
    routes: list[BaseRoute] = []
    if events:
        routes.append(Route(events_path, events_endpoint(app, guard), methods=["POST"]))
    flow = app.oauth_flow
    if flow is not None:
        install, redirect = oauth_endpoints(app)
        routes.append(Route(flow.install_path, install, methods=["GET"]))
        routes.append(Route(flow.redirect_uri_path, redirect, methods=["GET"]))
    return routes
