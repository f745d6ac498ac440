"""HTTP callback mode: `/feishu/events` and `/feishu/card` on the shared ASGI app (as Slack's
`liumai.slack.asgi`). Each request is verified first (`liumai.feishu.security`: decryption, the
signature, the replay window, the token, byte-for-byte replays); a refusal is a 4xx with one
WARNING line counted per reason. What passes goes to the bot off the event loop; a card callback's
deferred work starts only once its answer has been sent.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from liumai.feishu.dispatch import CARD_EVENT, FeishuBot
from liumai.feishu.security import REPLAY_WINDOW_S, Rejected, ReplayGuard, headers_signed, open_envelope

log = logging.getLogger(__name__)


class FeishuHttp:
    """The two routes; both accept `card.action.trigger`, since the console may point either at us."""

    def __init__(
        self,
        bot: FeishuBot,
        *,
        encrypt_key: str | None,
        verification_token: str | None,
        now_s: Callable[[], float],
        window_s: float = REPLAY_WINDOW_S,
    ) -> None:
        self.bot = bot
        self.encrypt_key = encrypt_key or None
        self.verification_token = verification_token or None
        self.now_s = now_s
        self.window_s = window_s
        self.replays = ReplayGuard(window_s)
        self.refused: Counter[str] = Counter()  # reason code -> requests refused since start
        self._count_lock = threading.Lock()

    def _refuse(self, request: Request, exc: Rejected) -> JSONResponse:
        with self._count_lock:
            self.refused[exc.code] += 1
            n = self.refused[exc.code]
        client = request.client.host if request.client else "-"
        log.warning(
            "feishu request refused: reason=%s status=%d path=%s client=%s count=%d",
            exc.code,
            exc.status,
            request.url.path,
            client,
            n,
        )
        return JSONResponse({"msg": exc.reason}, status_code=exc.status)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/feishu/events", self.events, methods=["POST"]),
            Route("/feishu/card", self.card, methods=["POST"]),
        ]

    async def events(self, request: Request) -> JSONResponse:
        return await self._handle(request, legacy_card=False)

    async def card(self, request: Request) -> JSONResponse:
        return await self._handle(request, legacy_card=True)

    async def _handle(self, request: Request, *, legacy_card: bool) -> JSONResponse:
        body = await request.body()
        now = self.now_s()
        try:
            payload = open_envelope(
                body,
                request.headers,
                encrypt_key=self.encrypt_key,
                verification_token=self.verification_token,
                now_s=now,
                window_s=self.window_s,
                legacy_card=legacy_card,
            )
            signed = headers_signed(payload, encrypt_key=self.encrypt_key, legacy_card=legacy_card)
            replay_key = ReplayGuard.key(body, request.headers, signed=signed)
            if replay_key and self.replays.seen(replay_key, now):
                raise Rejected(401, "request already received (replay)", "replayed_request")
        except Rejected as exc:
            return self._refuse(request, exc)
        if payload.get("type") == "url_verification":
            return JSONResponse({"challenge": payload.get("challenge", "")})
        response = await self._dispatch(payload, legacy_card=legacy_card)
        if replay_key:
            self.replays.remember(replay_key, now)  # only once answered: a failed request may be retried
        return response

    async def _dispatch(self, payload: dict, *, legacy_card: bool) -> JSONResponse:
        header = payload.get("header")
        event_type = header.get("event_type") if isinstance(header, dict) else None
        is_legacy_card = legacy_card and payload.get("schema") != "2.0" and "action" in payload
        if event_type == CARD_EVENT or is_legacy_card:
            answer = await run_in_threadpool(self.bot.handle_card_action, payload)
            body_out: dict[str, Any] = answer.legacy_body() if is_legacy_card else answer.callback_body()
            task = BackgroundTask(answer.after) if answer.after else None
            return JSONResponse(body_out, background=task)
        result = await run_in_threadpool(self.bot.handle_event, payload)
        return JSONResponse({"msg": "success" if result == "ok" else result})
