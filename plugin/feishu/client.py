"""The Feishu/Lark open platform client: messages, cards and the contact directory.

A thin wrapper over lark-oapi's `Client`, built with `domain` from `FEISHU_DOMAIN` so the same
code talks to feishu.cn, larksuite.com or - in tests - a local fake. It adds what the SDK leaves
to callers: a one-line `FeishuApiError`, and patience with the platform's rate limits (HTTP 429 or
code 99991400: wait as long as `x-ogw-ratelimit-reset` says, a bounded number of times), plus an
optional minimum interval between calls for bulk reads such as the contact sync.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from liumai.config import ConfigError, Settings
from liumai.feishu.settings import check_credentials

log = logging.getLogger(__name__)

FEISHU = "https://open.feishu.cn"
LARK = "https://open.larksuite.com"
DOMAIN_ALIASES = {"feishu": FEISHU, "feishu.cn": FEISHU, "lark": LARK, "larksuite": LARK, "larksuite.com": LARK}
RATE_LIMIT_CODES = {99991400, 99991401}  # "request trigger frequency limit" (per app / per tenant)
MAX_RATE_RETRIES = 5


class FeishuApiError(RuntimeError):
    """An open platform call failed: the code, the message and the log id Feishu support asks for."""

    def __init__(self, what: str, code: int | None, msg: str | None, log_id: str | None = None) -> None:
        self.code, self.msg, self.log_id = code, msg, log_id
        super().__init__(f"{what} failed: code {code}: {msg}" + (f" (log id {log_id})" if log_id else ""))


def resolve_domain(value: str | None) -> str:
    """`FEISHU_DOMAIN`: a URL (https, or http on loopback for tests) or the aliases feishu / lark."""
    raw = (value or FEISHU).strip().rstrip("/")
    domain = DOMAIN_ALIASES.get(raw.lower(), raw)
    from lark_oapi.client import _validate_domain

    try:
        _validate_domain(domain)
    except ValueError as exc:
        raise ConfigError.of("FEISHU_DOMAIN", "feishu_domain", detail=str(exc)) from None
    return domain


class FeishuApi:
    """What Liumai needs from the open platform, with rate-limit retries and one error type."""

    def __init__(
        self,
        settings: Settings,
        *,
        min_interval_s: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout_s: float = 10.0,
    ) -> None:
        import lark_oapi as lark

        check_credentials(settings)
        self.domain = resolve_domain(settings.feishu_domain)
        self.client = (
            lark.Client.builder()
            .app_id(settings.feishu_app_id)
            .app_secret(settings.feishu_app_secret)
            .domain(self.domain)
            .timeout(timeout_s)
            .log_level(lark.LogLevel.WARNING)
            .build()
        )
        self.app_id = settings.feishu_app_id or ""
        self.min_interval_s = min_interval_s
        self._sleep = sleep
        self._last_call = 0.0
        self._lock = threading.Lock()
        self._bot_open_id: str | None = None
        self._bot_looked_up = False

    # ------------------------------------------------------------------ plumbing
    def _pace(self) -> None:
        if self.min_interval_s <= 0:
            return
        with self._lock:
            wait = self._last_call + self.min_interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last_call = time.monotonic()

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run one SDK call; wait and retry when rate limited; raise FeishuApiError on failure."""
        for attempt in range(MAX_RATE_RETRIES + 1):
            self._pace()
            resp = fn()
            raw = getattr(resp, "raw", None)
            status = getattr(raw, "status_code", 200) if raw is not None else 200
            if resp.success() and status < 400:
                return resp
            limited = status == 429 or resp.code in RATE_LIMIT_CODES
            if limited and attempt < MAX_RATE_RETRIES:
                headers = {k.lower(): v for k, v in ((raw.headers or {}) if raw is not None else {}).items()}
                try:
                    delay = float(headers.get("x-ogw-ratelimit-reset", "1"))
                except ValueError:
                    delay = 1.0
                delay = min(max(delay, 0.0), 60.0)
                log.info("%s rate limited; retrying in %.1f s", what, delay)
                self._sleep(delay)
                continue
            log_id = resp.get_log_id() if hasattr(resp, "get_log_id") else None
            raise FeishuApiError(what, resp.code, resp.msg, log_id)
        raise FeishuApiError(what, None, "rate limited too many times")  # pragma: no cover

    # ------------------------------------------------------------------ messages
    def send(
        self, receive_id: str, msg_type: str, content: dict, *, id_type: str = "open_id", dedup: str | None = None
    ) -> str:
        """Send a message; `dedup` (e.g. an event id) makes a retried send post at most once an hour."""
        from lark_oapi.api.im.v1 import CreateMessageRequest, CreateMessageRequestBody

        body = (
            CreateMessageRequestBody.builder()
            .receive_id(receive_id)
            .msg_type(msg_type)
            .content(json.dumps(content, ensure_ascii=False))
        )
        if dedup:
            # Feishu de-duplicates sends with the same uuid (at most 50 characters) for an hour.
            body = body.uuid(hashlib.sha256(dedup.encode()).hexdigest()[:40])
        req = CreateMessageRequest.builder().receive_id_type(id_type).request_body(body.build()).build()
        resp = self._call("im.v1.message.create", lambda: self.client.im.v1.message.create(req))
        return resp.data.message_id if resp.data else ""

    def send_text(self, open_id: str, text: str, *, dedup: str | None = None) -> str:
        return self.send(open_id, "text", {"text": text}, dedup=dedup)

    def send_card(self, receive_id: str, card: dict, *, id_type: str = "open_id", dedup: str | None = None) -> str:
        return self.send(receive_id, "interactive", card, id_type=id_type, dedup=dedup)

    def send_image(self, receive_id: str, image_key: str, *, id_type: str = "open_id", dedup: str | None = None) -> str:
        return self.send(receive_id, "image", {"image_key": image_key}, id_type=id_type, dedup=dedup)

    def send_file(self, receive_id: str, file_key: str, *, id_type: str = "open_id", dedup: str | None = None) -> str:
        return self.send(receive_id, "file", {"file_key": file_key}, id_type=id_type, dedup=dedup)

    def upload_image(self, data: bytes, *, file_name: str = "chart.png") -> str:
        """POST /open-apis/im/v1/images (multipart, image_type=message): the image_key to send."""
        from lark_oapi.api.im.v1 import CreateImageRequest, CreateImageRequestBody

        def call() -> Any:
            # A fresh body per attempt: the SDK turns it into a streaming multipart encoder.
            body = (
                CreateImageRequestBody.builder().image_type("message").image((file_name, io.BytesIO(data), "image/png"))
            )
            return self.client.im.v1.image.create(CreateImageRequest.builder().request_body(body.build()).build())

        resp = self._call("im.v1.image.create", call)
        return resp.data.image_key if resp.data else ""

    def upload_file(self, data: bytes, file_name: str, *, file_type: str = "stream", mime: str = "") -> str:
        """POST /open-apis/im/v1/files (multipart): the file_key to send. CSV, HTML and JSON are `stream`."""
        from lark_oapi.api.im.v1 import CreateFileRequest, CreateFileRequestBody

        def call() -> Any:
            body = (
                CreateFileRequestBody.builder()
                .file_type(file_type)
                .file_name(file_name)
                .file((file_name, io.BytesIO(data), mime or "application/octet-stream"))
            )
            return self.client.im.v1.file.create(CreateFileRequest.builder().request_body(body.build()).build())

        resp = self._call("im.v1.file.create", call)
        return resp.data.file_key if resp.data else ""

    def chat_messages(
        self, chat_id: str, *, start_time_s: int | None = None, page_size: int = 50, max_pages: int = 10
    ) -> Iterator[Any]:
        """A group's messages, newest first (GET /open-apis/im/v1/messages, container_id_type=chat).

        Needs the app to be in the group and the `im:message.group_msg` scope; cards come back as
        their raw JSON (`card_msg_content_type=raw_card_content`) where Feishu supports it.
        """
        from lark_oapi.api.im.v1 import ListMessageRequest

        token: str | None = None
        for _ in range(max_pages):
            b = (
                ListMessageRequest.builder()
                .container_id_type("chat")
                .container_id(chat_id)
                .sort_type("ByCreateTimeDesc")
                .page_size(page_size)
                .card_msg_content_type("raw_card_content")
            )
            if start_time_s is not None:
                b = b.start_time(str(start_time_s))
            if token:
                b = b.page_token(token)
            req = b.build()
            resp = self._call("im.v1.message.list", functools.partial(self.client.im.v1.message.list, req))
            yield from (resp.data.items or []) if resp.data else []
            if not resp.data or not resp.data.has_more or not resp.data.page_token:
                return
            token = resp.data.page_token

    def patch_card(self, message_id: str, card: dict) -> None:
        """Replace a card the bot sent (the delayed update after a slow step such as tagging)."""
        from lark_oapi.api.im.v1 import PatchMessageRequest, PatchMessageRequestBody

        req = (
            PatchMessageRequest.builder()
            .message_id(message_id)
            .request_body(PatchMessageRequestBody.builder().content(json.dumps(card, ensure_ascii=False)).build())
            .build()
        )
        self._call("im.v1.message.patch", lambda: self.client.im.v1.message.patch(req))

    def bot_open_id(self) -> str | None:
        """The bot's own open_id (GET /open-apis/bot/v3/info), looked up once; None if unavailable.

        It tells the bot's mention apart from colleagues' mentions in group messages.
        """
        if self._bot_looked_up:
            return self._bot_open_id
        from lark_oapi.core.enum import AccessTokenType, HttpMethod
        from lark_oapi.core.model import BaseRequest

        req = BaseRequest()
        req.http_method = HttpMethod.GET
        req.uri = "/open-apis/bot/v3/info"
        req.token_types = {AccessTokenType.TENANT}
        try:
            resp = self.client.request(req)
            data = json.loads(resp.raw.content) if resp.raw is not None and resp.raw.content else {}
        except Exception as exc:  # the parser falls back to the leading-mention rule; retried next time
            log.warning("could not look up the bot's open_id: %s", exc)
            return None
        bot = data.get("bot") or (data.get("data") or {}).get("bot") or {}
        self._bot_open_id = bot.get("open_id") or None
        self._bot_looked_up = data.get("code") == 0
        return self._bot_open_id

    # ------------------------------------------------------------------ contact directory
    def departments(self, parent: str = "0", *, page_size: int = 50) -> Iterator[Any]:
        """Every department below `parent` (recursively), page by page."""
        from lark_oapi.api.contact.v3 import ChildrenDepartmentRequest

        token: str | None = None
        while True:
            b = (
                ChildrenDepartmentRequest.builder()
                .department_id(parent)
                .department_id_type("open_department_id")
                .user_id_type("open_id")
                .fetch_child(True)
                .page_size(page_size)
            )
            if token:
                b = b.page_token(token)
            req = b.build()
            resp = self._call(
                "contact.v3.department.children", functools.partial(self.client.contact.v3.department.children, req)
            )
            yield from resp.data.items or []
            if not resp.data.has_more or not resp.data.page_token:
                return
            token = resp.data.page_token

    def users_in(self, department: str, *, page_size: int = 50) -> Iterator[Any]:
        """The users directly in a department, page by page."""
        from lark_oapi.api.contact.v3 import FindByDepartmentUserRequest

        token: str | None = None
        while True:
            b = (
                FindByDepartmentUserRequest.builder()
                .department_id(department)
                .department_id_type("open_department_id")
                .user_id_type("open_id")
                .page_size(page_size)
            )
            if token:
                b = b.page_token(token)
            req = b.build()
            resp = self._call(
                "contact.v3.user.find_by_department",
                functools.partial(self.client.contact.v3.user.find_by_department, req),
            )
            yield from resp.data.items or []
            if not resp.data.has_more or not resp.data.page_token:
                return
            token = resp.data.page_token
