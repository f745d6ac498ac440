"""Long-connection mode: `lark.ws.Client` in a background thread; no public URL needed.

Feishu pushes events and card callbacks over a WebSocket the app opens itself, already
authenticated by the app credentials, so there is no signature or encryption to check here;
event-id de-duplication still applies (the platform re-pushes unacknowledged events).

lark-oapi's ws client runs on a module-level asyncio loop captured at import time and blocks
forever in `start()`. To run it beside uvicorn, the thread gives the module a loop of its own,
and `stop` is honoured by disconnecting (without auto-reconnect) and stopping that loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from liumai.feishu.dispatch import MENU_EVENT, MESSAGE_EVENT, FeishuBot

log = logging.getLogger(__name__)

AFTER_ANSWER_DELAY_S = 0.3


def _plain(obj: Any) -> dict:
    """An SDK model as the JSON dict the HTTP mode would have received."""
    import lark_oapi as lark

    return json.loads(lark.JSON.marshal(obj) or "{}")


class LongConnection:
    def __init__(self, bot: FeishuBot, *, app_id: str, app_secret: str, domain: str) -> None:
        self.bot = bot
        self.app_id = app_id
        self.app_secret = app_secret
        self.domain = domain
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client: Any = None

    # ---- handlers called on the ws loop: they must return quickly (the bot queues the work)
    def _on_event(self, data: Any) -> None:
        payload = {"schema": "2.0", "header": _plain(data.header) if data.header else {}, "event": data.event or {}}
        self.bot.handle_event(payload)

    def _on_card(self, data: Any) -> Any:
        from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTriggerResponse

        payload = _plain(data)
        payload["schema"] = "2.0"
        answer = self.bot.handle_card_action(payload)
        if answer.after:
            # The SDK writes the answer on this loop right after we return; a card update that
            # overtook it would be overwritten by it, so the deferred work starts a moment later.
            asyncio.get_running_loop().call_later(AFTER_ANSWER_DELAY_S, answer.after)
        return P2CardActionTriggerResponse(answer.callback_body())

    def build_handler(self) -> Any:
        from lark_oapi.event.dispatcher_handler import EventDispatcherHandler

        return (
            EventDispatcherHandler.builder("", "")
            .register_p2_customized_event(MESSAGE_EVENT, self._on_event)
            .register_p2_customized_event(MENU_EVENT, self._on_event)
            .register_p2_card_action_trigger(self._on_card)
            .build()
        )

    def run(self, stop: threading.Event) -> None:
        """Thread body: connect, serve until `stop` is set, then disconnect."""
        import lark_oapi as lark
        import lark_oapi.ws.client as ws_client

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        ws_client.loop = self.loop  # the SDK's module-level loop, see the module docstring
        self.client = lark.ws.Client(
            self.app_id,
            self.app_secret,
            event_handler=self.build_handler(),
            domain=self.domain,
            log_level=lark.LogLevel.WARNING,
        )
        watcher = threading.Thread(target=self._stop_when, args=(stop,), name="feishu-ws-stop", daemon=True)
        watcher.start()
        log.info("feishu long connection starting (%s)", self.domain)
        try:
            self.client.start()
        except RuntimeError as exc:  # "Event loop stopped before Future completed": a requested stop
            if not stop.is_set():
                log.error("feishu long connection ended: %s", exc)
        except Exception as exc:
            log.error("feishu long connection failed: %s", exc)
        finally:
            self._drain()

    def _drain(self) -> None:
        """Cancel the SDK's leftover tasks (ping loop, cache cron) so nothing dangles at exit."""
        loop = self.loop
        if loop is None or loop.is_closed() or loop.is_running():
            return
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            try:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            except Exception as exc:  # pragma: no cover - best effort at shutdown
                log.debug("feishu long connection drain: %s", exc)

    def _stop_when(self, stop: threading.Event) -> None:
        stop.wait()
        loop, client = self.loop, self.client
        if loop is None or client is None or loop.is_closed():
            return
        client._auto_reconnect = False  # no private API offers a clean stop; see the module docstring
        try:
            asyncio.run_coroutine_threadsafe(client._disconnect(), loop).result(timeout=5)
        except Exception as exc:
            log.debug("feishu long connection disconnect: %s", exc)
        loop.call_soon_threadsafe(loop.stop)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="feishu-ws", daemon=True)
        thread.start()
        return thread
