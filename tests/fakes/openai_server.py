"""A local fake of an OpenAI-compatible chat-completions server, over real HTTP on loopback.

Why real HTTP: the openai SDK talks through its own HTTP stack, so the only faithful test of
timeouts, status codes and Retry-After handling is a server on a socket. The fake answers
`POST /v1/chat/completions` from a queue of scripted steps (answers and faults, in order) and
records every request (body, headers, arrival time) so tests can count calls and read prompts.

    with FakeOpenAIServer() as fake:
        fake.rate_limit(retry_after="0.2").answer({"abstain": True, "reason": "off topic"})
        tagger = LLMTagger(rubric, model="fake", base_url=fake.base_url, ...)

When the queue is empty, `responder(body)` answers if set (e.g. an "obedient" model for the
injection corpus); otherwise the request gets HTTP 500 and `unscripted` counts it, so a test
that sends more requests than it scripted fails visibly. A hung step waits on an Event that
`stop()` sets, so teardown never waits for it.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any]], "str | dict[str, Any]"]


@dataclass
class Step:
    kind: str  # answer | status | hang | invalid_body
    content: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    usage: tuple[int, int] = (100, 20)


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    @property
    def response_format(self) -> str | None:
        rf = self.body.get("response_format")
        return rf.get("type") if isinstance(rf, dict) else None

    @property
    def system(self) -> str:
        return next((m["content"] for m in self.messages if m.get("role") == "system"), "")

    @property
    def user(self) -> str:
        """The first user message (the one holding the story)."""
        return next((m["content"] for m in self.messages if m.get("role") == "user"), "")


def completion(content: str | None, *, model: str = "fake-model", usage: tuple[int, int] = (100, 20)) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def error_body(status: int, message: str) -> dict:
    kind = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}.get(status, "api_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


class FakeOpenAIServer:
    def __init__(self, *, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.unscripted = 0
        self.refuse_json_schema = False
        self.responder: Responder | None = None
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake hung handlers at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- scripting (each call queues one step; calls chain) ------------------------------------

    def push(self, step: Step) -> FakeOpenAIServer:
        with self._lock:
            self._steps.append(step)
        return self

    def answer(self, answer: dict | str | None, *, usage: tuple[int, int] = (100, 20)) -> FakeOpenAIServer:
        """A 200 whose message content is `answer` (a dict is sent as JSON text, a str as is)."""
        content = json.dumps(answer, ensure_ascii=False) if isinstance(answer, dict | list) else answer
        return self.push(Step("answer", content=content, usage=usage))

    def blank(self) -> FakeOpenAIServer:
        return self.push(Step("answer", content=""))

    def status(self, status: int, message: str = "error", headers: dict[str, str] | None = None) -> FakeOpenAIServer:
        return self.push(Step("status", status=status, body=error_body(status, message), headers=headers or {}))

    def rate_limit(
        self, retry_after: str | None = "0.2", *, retry_after_ms: str | None = None, status: int = 429
    ) -> FakeOpenAIServer:
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        if retry_after_ms is not None:
            headers["retry-after-ms"] = retry_after_ms
        return self.status(status, "Rate limit reached, slow down", headers)

    def hang(self, seconds: float) -> FakeOpenAIServer:
        """Accept the request and say nothing for `seconds` (or until the fake stops)."""
        return self.push(Step("hang", seconds=seconds))

    def invalid_body(self) -> FakeOpenAIServer:
        """HTTP 200 with a JSON content type and a body that is not JSON (a broken proxy)."""
        return self.push(Step("invalid_body"))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._steps)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests' arrivals."""
        ats = [r.at for r in self.requests]
        return [b - a for a, b in itertools.pairwise(ats)]

    # -- serving --------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(
                RecordedRequest(h.path, body, {k.lower(): v for k, v in h.headers.items()}, time.monotonic())
            )
        if not h.path.rstrip("/").endswith("/chat/completions"):
            self._send(h, 404, error_body(404, f"no route {h.path}"))
            return
        rf = body.get("response_format") if isinstance(body, dict) else None
        if self.refuse_json_schema and isinstance(rf, dict) and rf.get("type") == "json_schema":
            self._send(h, 400, error_body(400, "response_format json_schema is not supported by this server"))
            return
        with self._lock:
            step = self._steps.popleft() if self._steps else None
        if step is None:
            if self.responder is not None:
                out = self.responder(body)
                content = json.dumps(out, ensure_ascii=False) if isinstance(out, dict | list) else out
                self._send(h, 200, completion(content, model=self.model))
            else:
                with self._lock:
                    self.unscripted += 1
                self._send(h, 500, error_body(500, "fake: no scripted step left"))
            return
        if step.kind == "answer":
            self._send(h, 200, completion(step.content, model=self.model, usage=step.usage))
        elif step.kind == "status":
            self._send(h, step.status, step.body, step.headers)
        elif step.kind == "hang":
            self._release.wait(step.seconds)
            self._send(h, 504, error_body(504, "fake: hung"))
        elif step.kind == "invalid_body":
            self._send_raw(h, 200, b'{"id": "chatcmpl-fake", "choices": [', "application/json")
        else:  # pragma: no cover - a typo in a test
            raise ValueError(step.kind)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        FakeOpenAIServer._send_raw(h, status, json.dumps(body).encode(), "application/json", headers)

    @staticmethod
    def _send_raw(
        h: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout): nothing to tell it
