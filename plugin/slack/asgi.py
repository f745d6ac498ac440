"""Starlette routes for a sync Bolt app: `/slack/events`, `/slack/install`, `/slack/oauth_redirect`.

Bolt's own Starlette adapter calls the synchronous `App.dispatch` directly inside the event
loop, which stalls every other request while one is handled (and the acknowledgement budget is
3 s for all of them). These routes run dispatch and the OAuth steps in Starlette's thread pool
instead, so requests are handled concurrently. The benchmark serves its bare Bolt app through
the very same routes, so the comparison isolates Liumai's own work. A `RequestGuard`
(plugin/slack/security.py) refuses forged and stale requests before Bolt, logging why.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from liumai.slack.security import RequestGuard

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def events_endpoint(app: App, guard: RequestGuard | None = None) -> Endpoint:
    """POST: verify (the guard, then Bolt again), acknowledge, start lazy work - off the event loop."""

    async def events(request: Request) -> Response:
        body = await request.body()
        if guard is not None:
            client = request.client.host if request.client else None
            if guard.check(request.headers, body, client=client, path=request.url.path):
                return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

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
