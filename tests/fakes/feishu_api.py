"""A local fake of the Feishu/Lark open platform, served on loopback, recording every call.

The app under test reaches it through lark-oapi's `domain` setting (`FEISHU_DOMAIN=http://127.0.0.1:PORT`;
the SDK accepts plain http only for loopback). It implements what Liumai uses, shaped like the
documented responses:
- `POST /open-apis/auth/v3/tenant_access_token/internal` (and app_access_token): checks the app
  credentials and issues tokens; every other API call must carry one of them;
- `POST /open-apis/im/v1/messages` (create; the `uuid` field de-duplicates like Feishu does, for as
  long as the test wants: `forget_uuids` plays "an hour later"; content over Feishu's size limits -
  150 KB for text, 30 KB for a card - is refused with code 230025), `PATCH /open-apis/im/v1/messages/{message_id}`
  (card update) and `GET /open-apis/im/v1/messages` (a chat's history, newest or oldest first,
  paginated, `start_time` in seconds; `add_chat_message` puts other people's messages there);
- `POST /open-apis/im/v1/images` and `POST /open-apis/im/v1/files` (multipart uploads, parsed with
  the standard library's e-mail parser; `upload(key)` returns what was uploaded), and image / file
  messages must name a key uploaded before;
- `GET /open-apis/bot/v3/info` (the bot's open_id);
- `GET /open-apis/contact/v3/departments/{id}/children` and `GET /open-apis/contact/v3/users/find_by_department`,
  paginated with `page_size` / `page_token` like the real API;
- the long connection: `POST /callback/ws/endpoint` hands out a WebSocket URL on this server, and
  `push_ws` sends an event or card callback frame (lark-oapi's protobuf `Frame`) and returns the
  client's answer.
Faults are scripted with `fail_next` (e.g. a 429 rate limit). Tests wait with `wait_for`, which
polls the recorded calls under a condition variable with a timeout - never a fixed sleep.
`register_app` adds another app (its own secret and, optionally, the exact tenant token to issue),
for tests that need distinctive credentials.
"""

from __future__ import annotations

import asyncio
import base64
import email.parser
import email.policy
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

APP_ID = "cli_fake_app"
APP_SECRET = "fake-app-secret"
BOT_OPEN_ID = "ou_liumai_bot"
TEXT_MAX_BYTES = 150 * 1024  # Feishu: text and post messages
CARD_MAX_BYTES = 30 * 1024  # Feishu: interactive cards
MSG_TYPES = ("text", "post", "interactive", "image", "file")


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """field name -> (file name, bytes) of a multipart/form-data body."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    msg = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    out: dict[str, tuple[str | None, bytes]] = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return out


@dataclass
class Upload:
    key: str
    kind: str  # image | file
    name: str
    data: bytes
    file_type: str = ""


class LoopbackServer:
    """Any ASGI app served by uvicorn on 127.0.0.1 and an ephemeral port, in a background thread."""

    def __init__(self, app: Any, *, log_level: str = "warning", access_log: bool = False) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level=log_level,
            access_log=access_log,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="loopback-server", daemon=True)
        self.url = ""

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    duplicate: bool = False  # a message create whose uuid was seen before (Feishu sends nothing)
    response: Any = None

    @property
    def content(self) -> Any:
        """The decoded `content` of a message create or patch (a card or {"text": ...})."""
        raw = (self.body or {}).get("content")
        return json.loads(raw) if isinstance(raw, str) else raw

    @property
    def text(self) -> str:
        """Everything a person would read in the message: text, or a card's strings."""
        return _strings(self.content)

    @property
    def receive_id(self) -> str | None:
        return (self.body or {}).get("receive_id")


def _strings(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return "\n".join(_strings(v) for k, v in obj.items() if k not in ("tag", "type", "template", "behaviors"))
    if isinstance(obj, list):
        return "\n".join(_strings(v) for v in obj)
    return ""


@dataclass
class Fault:
    path_part: str
    status: int
    body: dict
    headers: dict[str, str]
    times: int


@dataclass
class Directory:
    departments: list[dict] = field(default_factory=list)  # each with open_department_id, parent_department_id
    users: list[dict] = field(default_factory=list)  # each with open_id, department_ids


class FakeFeishu:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.tokens: set[str] = set()
        self.directory = Directory()
        self._faults: list[Fault] = []
        self._cv = threading.Condition()
        self._ids = itertools.count(1)
        self._uuids: dict[str, str] = {}
        self._messages: dict[str, dict] = {}
        self.apps: dict[str, str] = {APP_ID: APP_SECRET}
        self._preset_tokens: dict[str, str] = {}
        self._token_app: dict[str, str] = {}
        self.uploads: dict[str, Upload] = {}
        self.chats: dict[str, list[dict]] = {}  # chat_id -> messages as the list API returns them
        self._ws: WebSocket | None = None
        self._ws_loop: asyncio.AbstractEventLoop | None = None
        self._ws_waiters: dict[str, tuple[threading.Event, dict]] = {}
        self.ws_connections = 0
        app = Starlette(
            routes=[
                Route("/open-apis/auth/v3/tenant_access_token/internal", self._token, methods=["POST"]),
                Route("/open-apis/auth/v3/app_access_token/internal", self._token, methods=["POST"]),
                Route("/open-apis/im/v1/messages", self._create_message, methods=["POST"]),
                Route("/open-apis/im/v1/messages", self._list_messages, methods=["GET"]),
                Route("/open-apis/im/v1/images", self._upload_image, methods=["POST"]),
                Route("/open-apis/im/v1/files", self._upload_file, methods=["POST"]),
                Route("/open-apis/im/v1/messages/{message_id}", self._patch_message, methods=["PATCH"]),
                Route("/open-apis/bot/v3/info", self._bot_info, methods=["GET"]),
                Route("/open-apis/contact/v3/departments/{department_id}/children", self._children, methods=["GET"]),
                Route("/open-apis/contact/v3/users/find_by_department", self._users, methods=["GET"]),
                Route("/callback/ws/endpoint", self._ws_endpoint, methods=["POST"]),
                WebSocketRoute("/ws", self._ws_session),
            ]
        )
        self.server = LoopbackServer(app)

    # ------------------------------------------------------------------ lifecycle and inspection
    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> FakeFeishu:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def reset(self) -> None:
        """Forget calls, faults and the directory between tests (tokens stay valid: the SDK caches them)."""
        with self._cv:
            self.calls.clear()
            self._faults.clear()
            self._uuids.clear()
            self._messages.clear()
            self.uploads.clear()
            self.chats.clear()
            self.directory = Directory()

    def register_app(self, app_id: str, app_secret: str, *, tenant_token: str | None = None) -> None:
        """Another app the fake accepts; `tenant_token` is issued verbatim (distinctive in log scans)."""
        with self._cv:
            self.apps[app_id] = app_secret
            if tenant_token:
                self._preset_tokens[app_id] = tenant_token

    def forget_uuids(self) -> None:
        """Feishu keeps a send's uuid for an hour; this is the hour passing."""
        with self._cv:
            self._uuids.clear()

    def add_chat_message(self, chat_id: str, text: str, *, sender: str = "ou_someone") -> None:
        """Someone else's message in a group (what a history scan has to look past)."""
        self._store_chat(
            chat_id,
            f"om_user_{next(self._ids)}",
            "text",
            json.dumps({"text": text}),
            {"id": sender, "id_type": "open_id", "sender_type": "user"},
        )

    def _store_chat(self, chat_id: str, message_id: str, msg_type: str, content: str, sender: dict) -> None:
        with self._cv:
            history = self.chats.setdefault(chat_id, [])
            # Strictly increasing times, so "newest first" is well defined however fast tests send.
            created = max(int(time.time() * 1000), (int(history[-1]["create_time"]) + 1) if history else 0)
            history.append(
                {
                    "message_id": message_id,
                    "msg_type": msg_type,
                    "create_time": str(created),
                    "update_time": str(created),
                    "deleted": False,
                    "updated": False,
                    "chat_id": chat_id,
                    "sender": {**sender, "tenant_key": "tenant_fake"},
                    "body": {"content": content},
                }
            )

    def upload(self, key: str) -> Upload:
        with self._cv:
            return self.uploads[key]

    def attachments(self, receive_id: str, *, after: int = 0) -> list[Upload]:
        """What image and file messages to `receive_id` carried (after a `mark`), in order."""
        later = self.snapshot()[after:]
        out = []
        for c in self.sent(receive_id):
            if c.body.get("msg_type") in ("image", "file") and any(x is c for x in later):
                content = c.content
                out.append(self.upload(content.get("image_key") or content.get("file_key")))
        return out

    def fail_next(
        self, path_part: str, status: int, body: dict, *, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        with self._cv:
            self._faults.append(Fault(path_part, status, body, headers or {}, times))

    def snapshot(self) -> list[Call]:
        with self._cv:
            return list(self.calls)

    def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 10.0, what: str = "a call") -> Call:
        """The first recorded call matching `predicate`, waiting for it up to `timeout` seconds."""
        found: list[Call] = []

        def check() -> bool:
            found[:] = [c for c in self.calls if predicate(c)]
            return bool(found)

        with self._cv:
            if not self._cv.wait_for(check, timeout):
                seen = "\n".join(f"  {c.method} {c.path} {str(c.body)[:200]}" for c in self.calls)
                raise AssertionError(f"timed out waiting for {what}; calls so far:\n{seen}")
        return found[0]

    def sent(self, receive_id: str | None = None) -> list[Call]:
        """Messages actually delivered (uuid duplicates excluded), optionally to one receiver."""
        return [
            c
            for c in self.snapshot()
            if c.method == "POST"
            and c.path == "/open-apis/im/v1/messages"
            and not c.duplicate
            and c.response.get("code") == 0
            and (receive_id is None or c.receive_id == receive_id)
        ]

    def mark(self) -> int:
        """A position in the call log; `wait_message(after=...)` only looks at later calls."""
        with self._cv:
            return len(self.calls)

    def wait_message(self, receive_id: str, contains: str = "", timeout: float = 10.0, *, after: int = 0) -> Call:
        def match(c: Call) -> bool:
            return (
                c.method == "POST"
                and c.path == "/open-apis/im/v1/messages"
                and not c.duplicate
                and c.receive_id == receive_id
                and contains in c.text
                and any(x is c for x in self.calls[after:])
            )

        return self.wait_for(match, timeout, f"a message to {receive_id} containing {contains!r}")

    def wait_patch(self, message_id: str, contains: str = "", timeout: float = 10.0) -> Call:
        return self.wait_for(
            lambda c: c.method == "PATCH" and c.path.endswith("/" + message_id) and contains in c.text,
            timeout,
            f"a card update of {message_id} containing {contains!r}",
        )

    def patches(self, message_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.snapshot()
            if c.method == "PATCH" and (message_id is None or c.path.endswith("/" + message_id))
        ]

    # ------------------------------------------------------------------ plumbing
    async def _record(self, request: Request) -> tuple[Call, JSONResponse | None]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        call = Call(
            request.method,
            request.url.path,
            dict(request.query_params),
            body,
            {k.lower(): v for k, v in request.headers.items()},
        )
        fault = None
        with self._cv:
            for f in self._faults:
                if f.path_part in call.path and f.times > 0:
                    f.times -= 1
                    fault = f
                    break
        if fault is not None:
            call.response = fault.body
            self._append(call)
            return call, JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)
        return call, None

    def _append(self, call: Call) -> None:
        with self._cv:
            self.calls.append(call)
            self._cv.notify_all()

    def _answer(self, call: Call, body: dict, status: int = 200) -> JSONResponse:
        call.response = body
        self._append(call)
        return JSONResponse(body, status_code=status)

    def _authorised(self, call: Call) -> bool:
        auth = call.headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[7:] in self.tokens

    def _denied(self, call: Call) -> JSONResponse:
        return self._answer(call, {"code": 99991663, "msg": "Invalid access token for authorization."}, 401)

    # ------------------------------------------------------------------ auth and bot
    async def _token(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        body = call.body or {}
        app_id = body.get("app_id")
        if not app_id or self.apps.get(app_id) != body.get("app_secret"):
            return self._answer(call, {"code": 10014, "msg": "app secret invalid"})
        token = self._preset_tokens.get(app_id) or f"t-fake-{uuid.uuid4().hex[:16]}"
        with self._cv:
            self.tokens.add(token)
            self._token_app[token] = app_id
        key = "app_access_token" if "app_access" in call.path else "tenant_access_token"
        return self._answer(call, {"code": 0, "msg": "ok", key: token, "expire": 7200})

    async def _bot_info(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        return self._answer(
            call,
            {"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": "Liumai", "open_id": BOT_OPEN_ID}},
        )

    # ------------------------------------------------------------------ messages
    async def _create_message(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        body = call.body if isinstance(call.body, dict) else {}
        id_type = call.query.get("receive_id_type")
        if id_type not in ("open_id", "user_id", "union_id", "email", "chat_id") or not body.get("receive_id"):
            return self._answer(call, {"code": 230001, "msg": "invalid receive_id or receive_id_type"}, 400)
        if body.get("msg_type") not in MSG_TYPES or not isinstance(body.get("content"), str):
            return self._answer(call, {"code": 230001, "msg": "invalid msg_type or content"}, 400)
        try:
            content = json.loads(body["content"])
        except ValueError:
            return self._answer(call, {"code": 230001, "msg": "content is not JSON"}, 400)
        size = len(body["content"].encode())
        if size > (CARD_MAX_BYTES if body["msg_type"] == "interactive" else TEXT_MAX_BYTES):
            return self._answer(call, {"code": 230025, "msg": f"message content too long ({size} bytes)"}, 400)
        if body["msg_type"] in ("image", "file"):
            key = (
                content.get("image_key" if body["msg_type"] == "image" else "file_key")
                if isinstance(content, dict)
                else None
            )
            upload = self.uploads.get(key or "")
            if upload is None or upload.kind != body["msg_type"]:
                return self._answer(call, {"code": 230001, "msg": "unknown image_key / file_key"}, 400)
        dedup = body.get("uuid")
        with self._cv:
            if dedup and dedup in self._uuids:
                call.duplicate = True
                message_id = self._uuids[dedup]
            else:
                message_id = f"om_fake_{next(self._ids)}"
                if dedup:
                    self._uuids[dedup] = message_id
                self._messages[message_id] = body
        app_id = self._token_app.get(call.headers.get("authorization", "")[7:], APP_ID)
        sender = {"id": app_id, "id_type": "app_id", "sender_type": "app"}
        if id_type == "chat_id" and not call.duplicate:
            self._store_chat(body["receive_id"], message_id, body["msg_type"], body["content"], sender)
        data = {
            "message_id": message_id,
            "chat_id": body["receive_id"] if id_type == "chat_id" else "oc_fake_p2p",
            "msg_type": body["msg_type"],
            "create_time": str(int(time.time() * 1000)),
            "sender": sender,
        }
        return self._answer(call, {"code": 0, "msg": "success", "data": data})

    async def _list_messages(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        q = call.query
        if q.get("container_id_type") not in ("chat", "thread") or not q.get("container_id"):
            return self._answer(call, {"code": 230001, "msg": "invalid container_id_type or container_id"}, 400)
        with self._cv:
            items = list(self.chats.get(q["container_id"], []))
        if q.get("start_time"):
            items = [m for m in items if int(m["create_time"]) >= int(q["start_time"]) * 1000]
        if q.get("end_time"):
            items = [m for m in items if int(m["create_time"]) <= int(q["end_time"]) * 1000]
        if q.get("sort_type") == "ByCreateTimeDesc":
            items.reverse()
        return self._answer(call, self._page(items, q))

    async def _upload(self, request: Request, kind: str, field_name: str) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        raw = await request.body()
        fields = parse_multipart(request.headers.get("content-type", ""), raw)
        call.body = {k: (v[0] if v[0] else v[1][:200].decode(errors="replace")) for k, v in fields.items()}
        if field_name not in fields or not fields[field_name][1]:
            return self._answer(call, {"code": 234001, "msg": f"missing {field_name}"}, 400)
        if kind == "image":
            if fields.get("image_type", (None, b""))[1] != b"message":
                return self._answer(call, {"code": 234001, "msg": "image_type must be message"}, 400)
            name, data, file_type = fields["image"][0] or "image", fields["image"][1], ""
            key = f"img_v3_fake_{next(self._ids)}"
        else:
            file_type = fields.get("file_type", (None, b""))[1].decode()
            if file_type not in ("opus", "mp4", "pdf", "doc", "xls", "ppt", "stream"):
                return self._answer(call, {"code": 234001, "msg": "invalid file_type"}, 400)
            name = fields.get("file_name", (None, b""))[1].decode() or (fields["file"][0] or "")
            data = fields["file"][1]
            key = f"file_v3_fake_{next(self._ids)}"
        with self._cv:
            self.uploads[key] = Upload(key, kind, name, data, file_type)
        return self._answer(call, {"code": 0, "msg": "success", "data": {f"{kind}_key": key}})

    async def _upload_image(self, request: Request) -> JSONResponse:
        return await self._upload(request, "image", "image")

    async def _upload_file(self, request: Request) -> JSONResponse:
        return await self._upload(request, "file", "file")

    async def _patch_message(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        message_id = request.path_params["message_id"]
        with self._cv:
            original = self._messages.get(message_id)
        if original is None and not message_id.startswith("om_test_"):
            return self._answer(call, {"code": 230011, "msg": "The message was not found"}, 400)
        if original is not None and original.get("msg_type") != "interactive":
            return self._answer(call, {"code": 230001, "msg": "only cards can be updated"}, 400)
        return self._answer(call, {"code": 0, "msg": "success", "data": {}})

    # ------------------------------------------------------------------ contact directory
    @staticmethod
    def _page(items: list[dict], query: dict[str, str]) -> dict:
        size = max(1, min(int(query.get("page_size") or 50), 50))
        start = int(query.get("page_token") or 0)
        chunk = items[start : start + size]
        more = start + size < len(items)
        data: dict[str, Any] = {"has_more": more, "items": chunk}
        if more:
            data["page_token"] = str(start + size)
        return {"code": 0, "msg": "success", "data": data}

    async def _children(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        parent = request.path_params["department_id"]
        depts = self.directory.departments
        if (call.query.get("fetch_child") or "").lower() == "true":  # the SDK sends "True"
            below: list[dict] = []
            frontier = [parent]
            while frontier:
                kids = [d for d in depts if d.get("parent_department_id") in frontier]
                below.extend(kids)
                frontier = [d["open_department_id"] for d in kids]
        else:
            below = [d for d in depts if d.get("parent_department_id") == parent]
        return self._answer(call, self._page(below, call.query))

    async def _users(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        if not self._authorised(call):
            return self._denied(call)
        dept = call.query.get("department_id", "")
        members = [u for u in self.directory.users if dept in (u.get("department_ids") or [])]
        return self._answer(call, self._page(members, call.query))

    # ------------------------------------------------------------------ long connection
    async def _ws_endpoint(self, request: Request) -> JSONResponse:
        call, fault = await self._record(request)
        if fault:
            return fault
        body = call.body or {}
        if body.get("AppID") != APP_ID or body.get("AppSecret") != APP_SECRET:
            return self._answer(call, {"code": 514, "msg": "auth failed"})
        ws_url = self.url.replace("http://", "ws://") + "/ws?device_id=fake-device&service_id=7"
        config = {"ReconnectCount": 0, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 120}
        return self._answer(call, {"code": 0, "msg": "ok", "data": {"URL": ws_url, "ClientConfig": config}})

    async def _ws_session(self, ws: WebSocket) -> None:
        from lark_oapi.ws.pb.pbbp2_pb2 import Frame

        await ws.accept()
        with self._cv:
            self._ws, self._ws_loop = ws, asyncio.get_running_loop()
            self.ws_connections += 1
            self._cv.notify_all()
        try:
            while True:
                data = await ws.receive_bytes()
                frame = Frame()
                frame.ParseFromString(data)
                headers = {h.key: h.value for h in frame.headers}
                if frame.method == 1 and headers.get("message_id") in self._ws_waiters:
                    done, box = self._ws_waiters[headers["message_id"]]
                    box["answer"] = json.loads(frame.payload or b"{}")
                    done.set()
        except WebSocketDisconnect:
            pass
        finally:
            with self._cv:
                if self._ws is ws:
                    self._ws = None
                self._cv.notify_all()

    def wait_ws_connected(self, timeout: float = 10.0) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self._ws is not None, timeout):
                raise AssertionError("the app never opened the long connection")

    def push_ws(self, payload: dict, *, kind: str = "event", timeout: float = 10.0) -> dict:
        """Send one data frame down the long connection; returns the app's decoded answer data."""
        from lark_oapi.ws.pb.pbbp2_pb2 import Frame

        self.wait_ws_connected(timeout)
        msg_id = uuid.uuid4().hex
        frame = Frame()
        frame.SeqID, frame.LogID, frame.service, frame.method = 1, 1, 7, 1
        for k, v in {"type": kind, "message_id": msg_id, "sum": "1", "seq": "0", "trace_id": msg_id}.items():
            h = frame.headers.add()
            h.key, h.value = k, v
        frame.payload = json.dumps(payload, ensure_ascii=False).encode()
        done, box = threading.Event(), {}
        self._ws_waiters[msg_id] = (done, box)
        ws, loop = self._ws, self._ws_loop
        assert ws is not None and loop is not None
        asyncio.run_coroutine_threadsafe(ws.send_bytes(frame.SerializeToString()), loop).result(timeout)
        if not done.wait(timeout):
            raise AssertionError("no answer on the long connection")
        answer = box["answer"]
        data = answer.get("data")
        decoded = json.loads(base64.b64decode(data)) if data else None
        return {"code": answer.get("code"), "data": decoded}
