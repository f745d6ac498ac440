"""A local fake of the Slack Web API (and response_url hooks, and Socket Mode), on loopback.

Why a server and not mocks: slack-sdk talks through its own HTTP stack (urllib), its retry
handlers read real status codes and Retry-After headers, and Bolt builds per-request clients
from the app's base URL - only a socket exercises all of that. Point slack-sdk at it with
`SLACK_API_URL=fake.base_url`.

Every call is recorded (method, merged form/JSON/query parameters, the bearer token, headers,
status), and tests wait for calls deterministically with `wait_for` (a condition variable with a
timeout, never a fixed sleep). Answers are shaped like Slack's documented responses:

    auth.test, chat.postMessage, chat.postEphemeral, chat.getPermalink, conversations.open,
    conversations.history, users.info, views.open / update / push / publish,
    files.getUploadURLExternal, files.completeUploadExternal, apps.connections.open, oauth.v2.access

anything else answers `{"ok": true}`. Channels keep what `chat.postMessage` posted (with its
`metadata`), so `conversations.history` answers like Slack's: newest first, `oldest`/`latest`
exclusive bounds, cursor pagination, and `metadata` only with `include_all_metadata`. File
uploads follow Slack's three steps (what slack-sdk's `files_upload_v2` does): the upload URL
points at `/upload/{file_id}` here (recorded as method "upload" with the bytes kept), and
`files.completeUploadExternal` shares the uploaded files into `channel_id`; `uploads(channel)`
returns them (name, title, bytes, channel, comment) for assertions.

Faults: `rate_limit_once(method)` answers the next call with HTTP 429 and Retry-After;
`fail_once(method, error)` answers `{"ok": false, "error": ...}`.
`response_url`s point at `/hooks/...` here and are recorded as method "response_url";
`GET /_stats` returns the number of calls per method (for a fake run in another process).
Socket Mode: `apps.connections.open` returns `ws://.../socket`; `send_envelope` pushes an
envelope to the connected client and acknowledgements are recorded as "socket.ack".
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

TEAM_ID = "T0TEST"
TEAM_DOMAIN = "liumai-test"
BOT_TOKEN = "xoxb-1111-2222-faketesttoken"
APP_TOKEN = "xapp-1-A0APP-3333-fakeapptoken"
BOT_USER = "U0LIUMAIBOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    status: int = 200
    ok: bool = True  # False for scripted faults (429s, ok:false answers)
    at: float = field(default_factory=time.monotonic)
    data: bytes = b""  # the raw body of an upload (method "upload")

    def json(self, key: str) -> Any:
        """A parameter that slack-sdk may send JSON-encoded (view, blocks) as a Python value."""
        value = self.params.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            return json.loads(value)
        return value

    def text_of(self) -> str:
        """Everything a person would read in this call (text, blocks, views), for assertions."""
        return json.dumps(self.params, ensure_ascii=False)


def serve_in_thread(asgi_app: Any, *, host: str = "127.0.0.1") -> tuple[uvicorn.Server, threading.Thread, int]:
    """Run an ASGI app with uvicorn on an ephemeral loopback port in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(asgi_app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.005)
    return server, thread, port


def stop_server(server: uvicorn.Server, thread: threading.Thread, *, wait: bool = True) -> None:
    """Ask uvicorn to exit; `wait=False` lets it finish its last 0.1 s tick in the background."""
    server.should_exit = True
    if wait:
        thread.join(10)


def default_users() -> dict[str, dict[str, Any]]:
    """Slack's view of the test org (ids as in tests/conftest.py ORG_CSV) plus a bot and a stranger."""
    people = {
        "U0BOSS": ("boss", "zh-CN"),
        "U0HR": ("hr", "en-US"),
        "U0MGR": ("mgr", "zh-CN"),
        "U0ANN": ("ann", "en-US"),
        "U0BOB": ("bob", "en-US"),
        "U0WANG": ("wang", "zh-CN"),
        "U0MGR2": ("mgr2", "en-US"),
        "U0CAT": ("cat", "en-US"),
        "U0NEW": ("newbie", "zh-CN"),  # in Slack, not in the org chart
    }
    users = {
        uid: {
            "id": uid,
            "team_id": TEAM_ID,
            "name": name,
            "real_name": name.title(),
            "is_bot": False,
            "deleted": False,
            "locale": locale,
            "tz": "Asia/Shanghai",
        }
        for uid, (name, locale) in people.items()
    }
    users["U0HELPERBOT"] = {
        "id": "U0HELPERBOT",
        "team_id": TEAM_ID,
        "name": "helper",
        "real_name": "Helper Bot",
        "is_bot": True,
        "deleted": False,
        "locale": "en-US",
    }
    return users


def default_tokens() -> dict[str, dict[str, Any]]:
    return {BOT_TOKEN: {"team_id": TEAM_ID, "team": "Liumai Test", "user_id": BOT_USER, "bot_id": "B0LIUMAI"}}


class FakeSlackAPI:
    """The fake server; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users = default_users()
        # token -> auth.test identity; OAuth installs add theirs
        self.tokens: dict[str, dict[str, Any]] = default_tokens()
        self.app_tokens = {APP_TOKEN}
        self._faults: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        self._cv = threading.Condition()
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._ws: WebSocket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.oauth_code_team = ("T0OAUTH", "OAuth Workspace")
        # channel id -> messages posted there, oldest first (what conversations.history reads)
        self.channels: dict[str, list[dict[str, Any]]] = {}
        # file id -> {"filename", "length", "title", "data", "channel", "comment", "done"}
        self.files: dict[str, dict[str, Any]] = {}
        # Message timestamps are taken from this clock (seconds since the epoch), so a test with a
        # fixed application clock can make history line up with the week it asks about.
        self.clock: Callable[[], float] = time.time

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlackAPI:
        app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/hooks/{path:path}", self._hook, methods=["POST"]),
                Route("/upload/{file_id}", self._upload, methods=["POST"]),
                WebSocketRoute("/socket", self._socket),
                Route("/_stats", self._stats, methods=["GET"]),
            ]
        )
        self._server, self._thread, self.port = serve_in_thread(app)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            stop_server(self._server, self._thread)
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def hook_url(self, name: str = "commands/T0TEST/1/abc") -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    def reset(self) -> None:
        """Forget calls and scripted faults (the session-wide fake is reused across tests)."""
        with self._cv:
            self.calls.clear()
            self._faults.clear()
            self.channels.clear()
            self.files.clear()
        self.users = default_users()
        self.tokens = default_tokens()
        self.app_tokens = {APP_TOKEN}
        self.clock = time.time

    # ------------------------------------------------------------------ scripting
    def rate_limit_once(self, method: str, retry_after: str = "0") -> None:
        self._faults.setdefault(method, []).append(
            (429, {"Retry-After": retry_after}, {"ok": False, "error": "ratelimited"})
        )

    def fail_once(self, method: str, error: str) -> None:
        self._faults.setdefault(method, []).append((200, {}, {"ok": False, "error": error}))

    # ------------------------------------------------------------------ reading
    def calls_to(self, method: str) -> list[Call]:
        with self._cv:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Block until `count` successful calls to `method` (matching `where`) were recorded."""

        def matching() -> list[Call]:
            return [c for c in self.calls if c.method == method and c.ok and (where is None or where(c))]

        with self._cv:
            if not self._cv.wait_for(lambda: len(matching()) >= count, timeout):
                seen = [c.method for c in self.calls]
                raise AssertionError(f"waited {timeout}s for {count} x {method}; calls so far: {seen}")
            return matching()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """What was posted in `channel`, oldest first."""
        with self._cv:
            return list(self.channels.get(channel, []))

    def uploads(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files shared by files.completeUploadExternal (into `channel`, or anywhere), in order."""
        with self._cv:
            return [
                dict(f) for f in self.files.values() if f.get("done") and (channel is None or f["channel"] == channel)
            ]

    # ------------------------------------------------------------------ HTTP
    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if raw and "json" in ctype:
            params.update(json.loads(raw))
        elif raw:
            for k, v in parse_qs(raw.decode(), keep_blank_values=True).items():
                params[k] = v[0] if len(v) == 1 else v
        return params

    def _record(self, call: Call) -> None:
        with self._cv:
            self.calls.append(call)
            self._cv.notify_all()

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        params = await self._params(request)
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else params.get("token")
        headers = {k.lower(): v for k, v in request.headers.items()}
        faults = self._faults.get(method)
        if faults:
            status, extra_headers, body = faults.pop(0)
            self._record(Call(method, params, token, headers, status=status, ok=False))
            return JSONResponse(body, status_code=status, headers=extra_headers)
        if method == "oauth.v2.access":
            basic = auth[6:] if auth.lower().startswith("basic ") else ""
            if basic:
                cid, _, _secret = base64.b64decode(basic).decode().partition(":")
                params.setdefault("client_id", cid)
        body = self._answer(method, params, token)
        self._record(Call(method, params, token, headers, status=200))
        return JSONResponse(body)

    async def _upload(self, request: Request) -> Response:
        """Step 2 of an external upload: the file's bytes, POSTed to the URL step 1 gave out."""
        file_id = request.path_params["file_id"]
        data = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._cv:
            entry = self.files.get(file_id)
            ok = entry is not None and int(entry["length"]) == len(data)
            if ok:
                entry["data"] = data
        self._record(
            Call(
                "upload",
                {"file_id": file_id, "size": len(data)},
                None,
                headers,
                status=200 if ok else 400,
                ok=ok,
                data=data,
            )
        )
        if not ok:
            return PlainTextResponse("bad upload: unknown file id or length mismatch", status_code=400)
        return PlainTextResponse(f"OK - {len(data)}")

    async def _stats(self, _request: Request) -> Response:
        """Counts per method, for a process that runs the fake in another process (the benchmark)."""
        with self._cv:
            counts: dict[str, int] = {}
            for c in self.calls:
                counts[c.method] = counts.get(c.method, 0) + 1
        return JSONResponse(counts)

    async def _hook(self, request: Request) -> Response:
        params = await self._params(request)
        self._record(Call("response_url", {**params, "_path": request.path_params["path"]}, None, {}))
        return PlainTextResponse("ok")

    def _answer(self, method: str, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        n = next(self._ids)
        needs_bot = method not in ("oauth.v2.access", "apps.connections.open")
        if needs_bot and token not in self.tokens:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        if method == "auth.test":
            who = self.tokens[token]
            return {
                "ok": True,
                "url": f"https://{TEAM_DOMAIN}.slack.com/",
                "team": who["team"],
                "user": "liumai",
                "team_id": who["team_id"],
                "user_id": who["user_id"],
                "bot_id": who["bot_id"],
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            if token not in self.app_tokens:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "users.info":
            user = self.users.get(str(p.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.open":
            users = str(p.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.replace(",", "")[1:]}}
        if method == "chat.postMessage":
            ts = f"{int(self.clock())}.{n:06d}"
            who = self.tokens[token]
            message: dict[str, Any] = {
                "type": "message",
                "text": p.get("text", ""),
                "user": who["user_id"],
                "bot_id": who["bot_id"],
                "app_id": "A0APP",
                "ts": ts,
            }
            for key in ("blocks", "metadata"):
                value = p.get(key)
                if isinstance(value, str) and value[:1] in "[{":
                    value = json.loads(value)
                if value:
                    message[key] = value
            with self._cv:
                self.channels.setdefault(str(p.get("channel")), []).append(message)
            return {"ok": True, "channel": p.get("channel"), "ts": ts, "message": message}
        if method == "conversations.history":
            return self._history(p)
        if method == "files.getUploadURLExternal":
            filename, length = p.get("filename"), p.get("length")
            if not filename or not str(length or "").isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{n:08d}"
            with self._cv:
                self.files[file_id] = {"id": file_id, "filename": filename, "length": int(length), "done": False}
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(p)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1763285400.{n:06d}"}
        if method == "chat.getPermalink":
            ch, ts = p.get("channel"), str(p.get("message_ts", ""))
            return {
                "ok": True,
                "channel": ch,
                "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{ch}/p{ts.replace('.', '')}",
            }
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = p.get("view")
            view = json.loads(view) if isinstance(view, str) else (view or {})
            view_id = p.get("view_id") or f"V{n:08d}"
            return {
                "ok": True,
                "view": {
                    **view,
                    "id": view_id,
                    "team_id": TEAM_ID,
                    "hash": f"{n}.hash",
                    "state": {"values": {}},
                    "app_id": "A0APP",
                    "bot_id": "B0LIUMAI",
                },
            }
        if method == "oauth.v2.access":
            team_id, team_name = self.oauth_code_team
            token = f"xoxb-9999-{n:04d}-oauthinstalledtoken"
            self.tokens[token] = {"team_id": team_id, "team": team_name, "user_id": "U0OAUTHBOT", "bot_id": "B0OAUTH"}
            return {
                "ok": True,
                "access_token": token,
                "token_type": "bot",
                "scope": "commands,chat:write",
                "bot_user_id": "U0OAUTHBOT",
                "app_id": "A0APP",
                "team": {"id": team_id, "name": team_name},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0HR", "scope": "", "token_type": "user"},
            }
        return {"ok": True}

    def _history(self, p: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, exclusive oldest/latest, cursor = offset."""
        channel = str(p.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        limit = max(1, min(int(p.get("limit") or 100), 999))
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
        with_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._cv:
            history = [m for m in reversed(self.channels.get(channel, [])) if oldest < float(m["ts"]) < latest]
        start = int(p.get("cursor") or 0)
        page = [{k: v for k, v in m.items() if with_meta or k != "metadata"} for m in history[start : start + limit]]
        more = start + limit < len(history)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: every file must have been uploaded; share them in channel_id."""
        raw = p.get("files")
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(items, list) or not items:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        with self._cv:
            for item in items:
                entry = self.files.get(str((item or {}).get("id")))
                if entry is None or "data" not in entry:
                    return {"ok": False, "error": "file_not_found"}
            for item in items:
                entry = self.files[item["id"]]
                entry.update(
                    title=item.get("title") or entry["filename"],
                    channel=p.get("channel_id"),
                    comment=p.get("initial_comment"),
                    done=True,
                )
                out.append(
                    {"id": entry["id"], "name": entry["filename"], "title": entry["title"], "size": entry["length"]}
                )
        return {"ok": True, "files": out}

    # ------------------------------------------------------------------ Socket Mode
    async def _socket(self, ws: WebSocket) -> None:
        await ws.accept()
        self._ws, self._loop = ws, asyncio.get_running_loop()
        await ws.send_text(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake"},
                    "connection_info": {"app_id": "A0APP"},
                }
            )
        )
        self._record(Call("socket.hello", {}, None, {}))
        try:
            while True:
                message = await ws.receive_text()
                self._record(Call("socket.ack", json.loads(message), None, {}))
        except WebSocketDisconnect:
            pass
        finally:
            self._ws = None

    def send_envelope(self, envelope: dict[str, Any], timeout: float = 5.0) -> None:
        """Push a Socket Mode envelope to the connected app."""
        if self._ws is None or self._loop is None:
            raise AssertionError("no Socket Mode client is connected")
        asyncio.run_coroutine_threadsafe(self._ws.send_text(json.dumps(envelope)), self._loop).result(timeout)
