"""What every part of the Feishu bot shares: who is asking (`Sender`), replies, card answers.

`BotBase` holds the context, the API client and the worker pool; the nomination flow
(`nomination_flow`), the card callbacks (`actions`), the commands (`commands`) and the routing of
events (`dispatch`) build on it, one module each, so a feature is found in the same place as on Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liumai.feishu.client import LARK, FeishuApi
from liumai.feishu.digest import FeishuDigestPoster
from liumai.feishu.records import FeishuRecords
from liumai.feishu.texts import DEFAULT_LANG, clip, inert, lang_for, tr
from liumai.feishu.worker_pool import WorkerPool
from liumai.services import deliveries
from liumai.services.context import AppContext
from liumai.services.deliveries import Profile

PLATFORM = "feishu"
TEXT_REPLY_MAX = 4000  # characters; Feishu's limit is 150 KB, but no reply of ours needs more
NAME_MAX = 80  # a display name echoed in a reply (mention names come from the payload)


def ref(open_id: str) -> str:
    """How services name a Feishu user."""
    return f"{PLATFORM}:{open_id}"


def obj_field(value: object) -> dict:
    """A payload field expected to be an object; anything else (a forged or broken payload) is empty."""
    return value if isinstance(value, dict) else {}


def str_field(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass
class CardAnswer:
    """The answer to a card callback, and optional work to run once the answer has been sent."""

    toast: dict | None = None
    card: dict | None = None
    after: Callable[[], None] | None = None

    def callback_body(self) -> dict:
        """Body for `card.action.trigger` (schema 2.0): toast plus the card that replaces the clicked one."""
        body: dict[str, Any] = {}
        if self.toast:
            body["toast"] = self.toast
        if self.card:
            body["card"] = {"type": "raw", "data": self.card}
        return body

    def legacy_body(self) -> dict:
        """Body for a legacy card callback: the new card itself, or a toast when the card stays."""
        return self.card if self.card else ({"toast": self.toast} if self.toast else {})


@dataclass(frozen=True)
class Sender:
    open_id: str
    person: Profile | None

    @property
    def lang(self) -> str:
        return lang_for(self.person.locale if self.person else None)

    @property
    def inactive(self) -> bool:
        """In the org chart but deactivated (e.g. missing from the last import)."""
        return self.person is not None and not self.person.active

    @property
    def email(self) -> str:
        return self.person.email if self.person else ref(self.open_id)


class BotBase(WorkerPool):
    def __init__(self, ctx: AppContext, api: FeishuApi, *, workers: int = 4) -> None:
        super().__init__(workers)
        self.ctx = ctx
        self.api = api
        self._recorded = 0
        self.duplicates = 0  # re-delivered events refused (counted in the log line too)
        self.poster = FeishuDigestPoster(ctx, api)
        self.reports = FeishuRecords(ctx, api, self.poster, self._reply_to)

    # ------------------------------------------------------------------ helpers
    def _sender(self, open_id: str) -> Sender:
        return Sender(open_id, deliveries.profile(self.ctx, ref(open_id)) if open_id else None)

    def _reply(self, to: Sender, text: str, dedup: str | None) -> None:
        self._reply_to(to.open_id, text, dedup)

    def _reply_to(self, open_id: str, text: str, dedup: str | None) -> None:
        """A short text reply; whatever user text it quotes is made inert (see the module docstring)."""
        self.api.send_text(open_id, inert(clip(text, TEXT_REPLY_MAX)), dedup=dedup)

    def _refuse_sender(self, sender: Sender, dedup: str | None) -> bool:
        """Tell someone unknown or deactivated why nothing happens; True when refused."""
        if sender.person is None:
            self._reply(sender, tr("unknown_sender", DEFAULT_LANG), dedup)
            return True
        if sender.inactive:
            self._reply(sender, tr("inactive_sender", sender.lang), dedup)
            return True
        return False

    def _applink(self, chat_id: str) -> str:
        host = "applink.larksuite.com" if self.api.domain == LARK else "applink.feishu.cn"
        return f"https://{host}/client/chat/open?openChatId={chat_id}"
