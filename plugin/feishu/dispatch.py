"""Where Feishu's events go: the bot (`FeishuBot`) turns verified, decrypted platform payloads into
service calls and replies - messages to the commands (`commands`), the bot menu to the same
answers, card callbacks to `actions` - after de-duplicating them by event id.

Both connection modes feed the same two entry points - `handle_event` for pushed events and
`handle_card_action` for card callbacks - so HTTP callbacks and the long connection behave alike.

Timing rules of the platform shape the code:
- An event must be acknowledged quickly or Feishu re-pushes it. `handle_event` only records the
  event id (a re-push then does nothing twice) and queues the work on a small thread pool; the
  reply goes out later through the message API.
- A card callback must be answered within 3 s with the toast and the updated card. Confirming and
  deciding are single database transactions, so they run inline; slow work (tagging a story from
  the nomination form) is deferred until after the answer and then patches the card.

Whatever arrives is treated as untrusted: payload fields of the wrong type are ignored, a message
that is not a command gets the help text, a person missing from the org chart or deactivated is
told so, and any failure in the background is logged and answered with "try again" rather than
left silent. Replies that echo user text go out as cards with plain_text, or - for short text
replies - through `texts.inert`, since Feishu text messages render `<at>` tags and some Markdown.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from liumai.feishu import nomination_views
from liumai.feishu.base import PLATFORM, Sender, obj_field, str_field
from liumai.feishu.client import FeishuApiError
from liumai.feishu.commands import Commands
from liumai.feishu.parsing import Command, ParsedMessage, ident, parse_message
from liumai.feishu.texts import clip, tr
from liumai.services import deliveries
from liumai.services.errors import ServiceError

log = logging.getLogger(__name__)

MESSAGE_EVENT = "im.message.receive_v1"
MENU_EVENT = "application.bot.menu_v6"
CARD_EVENT = "card.action.trigger"
KEEP_EVENT_DAYS = 7  # Feishu re-pushes an unacknowledged event for hours, not days
PRUNE_EVERY = 500


class FeishuBot(Commands):
    """Routes events to commands; the commands, card callbacks, nomination flow and pool are its bases."""

    # ------------------------------------------------------------------ events
    def _first_delivery(self, event_id: str) -> bool:
        """Record the event id; False when it was recorded before (a re-push or a retry)."""
        if not deliveries.claim(self.ctx, PLATFORM, event_id):
            return False
        with self._cv:
            self._recorded += 1
            due = self._recorded % PRUNE_EVERY == 0
        if due:
            self._prune()
        return True

    def _prune(self) -> None:
        """Forget event ids older than Feishu's re-push horizon, so the table stays small."""
        deliveries.prune(self.ctx, PLATFORM, KEEP_EVENT_DAYS)

    def handle_event(self, payload: dict) -> str:
        """Acknowledge an event: "ok" (queued), "duplicate" (seen before) or "ignored"."""
        if payload.get("schema") != "2.0":
            return "ignored"  # schema 1.0 events are not subscribed to
        header = obj_field(payload.get("header"))
        event_type = header.get("event_type")
        event = obj_field(payload.get("event"))
        if event_type not in (MESSAGE_EVENT, MENU_EVENT):
            return "ignored"
        raw_id = header.get("event_id")
        event_id = ident(raw_id) or (hashlib.sha256(str(raw_id).encode()).hexdigest() if raw_id else "")
        if event_id and not self._first_delivery(event_id):
            with self._cv:
                self.duplicates += 1
                n = self.duplicates
            # Feishu re-pushes an event it thinks was not acknowledged, and an attacker may replay a
            # captured one within the signature window: either way it is refused, and counted.
            log.warning("feishu event refused: reason=duplicate_event event_id=%s count=%d", clip(event_id, 64), n)
            return "duplicate"
        if event_type == MESSAGE_EVENT:
            self.submit(self._on_message, event, event_id)
        else:
            self.submit(self._on_menu, event, event_id)
        return "ok"

    def _on_message(self, event: dict, event_id: str) -> None:
        sender_info = obj_field(event.get("sender"))
        if sender_info.get("sender_type", "user") != "user":
            return  # other bots and apps: never answer, never loop
        open_id = ident(obj_field(sender_info.get("sender_id")).get("open_id"))
        message = obj_field(event.get("message"))
        chat_type = str_field(message.get("chat_type")) or "p2p"
        message_type = str_field(message.get("message_type")) or "text"
        parsed = self._parse(message, chat_type, message_type)
        if (chat_type != "p2p" and not parsed.bot_mentioned) or not open_id:
            return  # a group message not addressed to the bot, or nobody to answer
        sender = self._sender(open_id)
        dedup = f"{event_id}:reply" if event_id else None
        if self._refuse_sender(sender, dedup):
            return
        if parsed.command is None and message_type not in ("text", "post"):
            self._reply(sender, tr("text_only", sender.lang) + "\n" + tr("help", sender.lang), dedup)
            return
        command = parsed.command or Command("help")
        chat_id = ident(message.get("chat_id"))
        link = self._applink(chat_id) if chat_type == "group" and chat_id else None
        message_id = ident(message.get("message_id")) or event_id
        self._answer(sender, dedup, lambda: self._command(sender, command, message_id, link, dedup))

    def _parse(self, message: dict, chat_type: str, message_type: str) -> ParsedMessage:
        """The message as a command; in a group the bot's own open_id tells its mention apart."""
        bot_id = self.api.bot_open_id() if chat_type == "group" else None
        return parse_message(message_type, message.get("content") or "", message.get("mentions"), bot_id)

    def _answer(self, sender: Sender, dedup: str | None, work: Callable[[], None]) -> None:
        """Run a command; whatever goes wrong, the person hears about it (and the log has the cause)."""
        try:
            work()
        except ServiceError as exc:
            self._reply(sender, exc.message(sender.lang), dedup)
        except FeishuApiError as exc:
            log.warning("feishu reply to %s failed: %s", sender.open_id, exc)
            self._reply(sender, tr("error", sender.lang), f"{dedup}:error" if dedup else None)
        except Exception:
            log.exception("feishu command failed")
            self._reply(sender, tr("error", sender.lang), f"{dedup}:error" if dedup else None)

    def _on_menu(self, event: dict, event_id: str) -> None:
        open_id = ident(obj_field(obj_field(event.get("operator")).get("operator_id")).get("open_id"))
        if not open_id:
            return
        sender = self._sender(open_id)
        dedup = f"{event_id}:menu" if event_id else None
        if self._refuse_sender(sender, dedup):
            return
        key = (str_field(event.get("event_key")) or "nominate").lower()

        def work() -> None:
            if key in ("me", "values_me", "my_recognition"):
                self._send_recognition(sender, detailed=True, dedup=dedup)
            elif key in ("review", "values_review"):
                self._send_review(sender, dedup)
            elif key == "help":
                self._reply(sender, tr("help", sender.lang), dedup)
            else:  # "nominate" and any key the admin configured for the menu's main entry
                form = nomination_views.nomination_form_card(sender.lang, self._candidates(sender))
                self.api.send_card(open_id, form, dedup=dedup)

        self._answer(sender, dedup, work)
