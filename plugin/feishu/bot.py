"""The Feishu bot: turns verified, decrypted platform payloads into service calls and replies.

Both connection modes feed the same two entry points - `handle_event` for pushed events and
`handle_card_action` for card callbacks - so HTTP callbacks and the long connection behave alike.

Timing rules of the platform shape the code:
- An event must be acknowledged quickly or Feishu re-pushes it. `handle_event` only records the
  event id (a re-push then does nothing twice) and queues the work on a small thread pool; the
  reply goes out later through the message API.
- A card callback must be answered within 3 s with the toast and the updated card. Confirming and
  deciding are single database transactions, so they run inline; slow work (tagging a story from
  the nomination form) is deferred until after the answer and then patches the card.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from plugin.feishu import cards
from plugin.feishu.client import LARK, FeishuApi
from plugin.feishu.commands import Command, parse_message
from plugin.feishu.texts import DEFAULT_LANG, behaviour_label, clip, lang_for, tr
from plugin.services.context import AppContext
from plugin.services.errors import ServiceError
from plugin.services.evidence import add_concern, decide, retag
from plugin.services.nominations import cancel, confirm, nominate, tag_nomination
from plugin.services.people import find_person
from plugin.services.recognition import get_nomination, is_manager, my_recognition, review_queue
from storage.db import session_scope
from storage.models import Person, ProcessedEvent

log = logging.getLogger(__name__)

PLATFORM = "feishu"
MESSAGE_EVENT = "im.message.receive_v1"
MENU_EVENT = "application.bot.menu_v6"
CARD_EVENT = "card.action.trigger"
KEEP_EVENT_IDS = timedelta(days=7)  # Feishu re-pushes an unacknowledged event for hours, not days
PRUNE_EVERY = 500


def ref(open_id: str) -> str:
    """How services name a Feishu user."""
    return f"{PLATFORM}:{open_id}"


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
    person: Person | None

    @property
    def lang(self) -> str:
        return lang_for(self.person.locale if self.person else None)


class FeishuBot:
    def __init__(self, ctx: AppContext, api: FeishuApi, *, workers: int = 4) -> None:
        self.ctx = ctx
        self.api = api
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feishu")
        self._pending = 0
        self._cv = threading.Condition()
        self._recorded = 0

    # ------------------------------------------------------------------ background work
    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        with self._cv:
            self._pending += 1
        self._executor.submit(self._run, fn, *args)

    def defer(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Work counted as pending now but started later (after a callback's answer is sent)."""
        with self._cv:
            self._pending += 1

        def start() -> None:
            self._executor.submit(self._run, fn)

        return start

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("feishu background work failed")
        finally:
            with self._cv:
                self._pending -= 1
                self._cv.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no queued or running work is left (tests; graceful shutdown)."""
        with self._cv:
            return self._cv.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

    # ------------------------------------------------------------------ helpers
    def _sender(self, open_id: str) -> Sender:
        with session_scope(self.ctx.engine) as session:
            person = find_person(session, ref(open_id)) if open_id else None
            return Sender(open_id, person)

    def _first_delivery(self, event_id: str) -> bool:
        """Record the event id; False when it was recorded before (a re-push or a retry)."""
        try:
            with session_scope(self.ctx.engine) as session:
                session.add(ProcessedEvent(platform=PLATFORM, event_id=event_id[:128], received_at=self.ctx.now()))
        except IntegrityError:
            return False
        with self._cv:
            self._recorded += 1
            due = self._recorded % PRUNE_EVERY == 0
        if due:
            self._prune()
        return True

    def _prune(self) -> None:
        """Forget event ids older than Feishu's re-push horizon, so the table stays small."""
        cutoff = self.ctx.now() - KEEP_EVENT_IDS
        with session_scope(self.ctx.engine) as session:
            session.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.platform == PLATFORM,
                    ProcessedEvent.received_at < cutoff,  # type: ignore[arg-type]
                )
            )

    def _reply(self, to: Sender, text: str, dedup: str | None) -> None:
        self.api.send_text(to.open_id, text, dedup=dedup)

    def _applink(self, chat_id: str) -> str:
        host = "applink.larksuite.com" if self.api.domain == LARK else "applink.feishu.cn"
        return f"https://{host}/client/chat/open?openChatId={chat_id}"

    # ------------------------------------------------------------------ events
    def handle_event(self, payload: dict) -> str:
        """Acknowledge an event: "ok" (queued), "duplicate" (seen before) or "ignored"."""
        if payload.get("schema") != "2.0":
            return "ignored"  # schema 1.0 events are not subscribed to
        header = payload.get("header") or {}
        event_type = header.get("event_type")
        event = payload.get("event") or {}
        if event_type not in (MESSAGE_EVENT, MENU_EVENT):
            return "ignored"
        event_id = str(header.get("event_id") or "")
        if event_id and not self._first_delivery(event_id):
            log.info("feishu event %s delivered again: ignored", event_id)
            return "duplicate"
        if event_type == MESSAGE_EVENT:
            self.submit(self._on_message, event, event_id)
        else:
            self.submit(self._on_menu, event, event_id)
        return "ok"

    def _on_message(self, event: dict, event_id: str) -> None:
        sender_info = event.get("sender") or {}
        if sender_info.get("sender_type", "user") != "user":
            return  # other bots and apps: never answer, never loop
        open_id = (sender_info.get("sender_id") or {}).get("open_id") or ""
        message = event.get("message") or {}
        chat_type = message.get("chat_type") or "p2p"
        bot_id = self.api.bot_open_id() if chat_type == "group" else None
        parsed = parse_message(
            message.get("message_type") or "text", message.get("content") or "", message.get("mentions"), bot_id
        )
        if chat_type != "p2p" and not parsed.bot_mentioned:
            return  # a group message not addressed to the bot
        if not open_id:
            return
        sender = self._sender(open_id)
        dedup = f"{event_id}:reply" if event_id else None
        if sender.person is None:
            self._reply(sender, tr("unknown_sender", DEFAULT_LANG), dedup)
            return
        command = parsed.command or Command("help")
        link = self._applink(message["chat_id"]) if chat_type == "group" and message.get("chat_id") else None
        try:
            self._command(sender, command, message.get("message_id") or event_id, link, dedup)
        except ServiceError as exc:
            self._reply(sender, exc.message(sender.lang), dedup)

    def _command(self, sender: Sender, cmd: Command, message_id: str, link: str | None, dedup: str | None) -> None:
        lang = sender.lang
        if cmd.name == "nominate":
            self._nominate(sender, cmd, message_id, link, dedup)
        elif cmd.name in ("values", "me"):
            self._send_recognition(sender, detailed=cmd.name == "me", dedup=dedup)
        elif cmd.name == "review":
            self._send_review(sender, dedup)
        elif cmd.name == "concern":
            self._concern(sender, cmd, dedup)
        else:
            self._reply(sender, tr("help", lang), dedup)

    def _nominate(self, sender: Sender, cmd: Command, message_id: str, link: str | None, dedup: str | None) -> None:
        lang = sender.lang
        nominee = cmd.mentions[0] if cmd.mentions else None
        if nominee is None or not nominee.open_id:
            self._reply(sender, tr("nominate.usage", lang), dedup)
            return
        if self._sender(nominee.open_id).person is None:
            self._reply(sender, tr("unknown_person", lang, who=nominee.name), dedup)
            return
        res = nominate(
            self.ctx,
            ref(sender.open_id),
            ref(nominee.open_id),
            cmd.text,
            source=PLATFORM,
            idempotency_key=f"feishu:msg:{message_id}",
            source_link=link,
        )
        view = get_nomination(self.ctx, res.nomination.id, ref(sender.open_id))
        card = cards.suggestions_card(self.ctx.rubric, view, lang)
        self.api.send_card(sender.open_id, card, dedup=f"nomination:{view.id}:card")

    def _send_recognition(self, sender: Sender, *, detailed: bool, dedup: str | None) -> None:
        me = my_recognition(self.ctx, ref(sender.open_id))
        pending = None
        if is_manager(self.ctx, ref(sender.open_id)):
            pending = len(review_queue(self.ctx, ref(sender.open_id), limit=100))
        card = cards.recognition_card(self.ctx.rubric, me, sender.lang, pending_reviews=pending, detailed=detailed)
        self.api.send_card(sender.open_id, card, dedup=dedup)

    def _send_review(self, sender: Sender, dedup: str | None) -> None:
        if not is_manager(self.ctx, ref(sender.open_id)):
            self._reply(sender, tr("review.not_manager", sender.lang), dedup)
            return
        items = review_queue(self.ctx, ref(sender.open_id), limit=cards.REVIEW_PAGE + 1)
        self.api.send_card(sender.open_id, cards.review_card(self.ctx.rubric, items, sender.lang), dedup=dedup)

    def _concern(self, sender: Sender, cmd: Command, dedup: str | None) -> None:
        lang = sender.lang
        subject = cmd.mentions[0] if cmd.mentions else None
        if subject is None or not subject.open_id or not cmd.criterion:
            self._reply(sender, tr("concern.usage", lang), dedup)
            return
        if self._sender(subject.open_id).person is None:
            self._reply(sender, tr("unknown_person", lang, who=subject.name), dedup)
            return
        v = add_concern(
            self.ctx, ref(sender.open_id), ref(subject.open_id), cmd.criterion, cmd.text, mitigated=cmd.mitigated
        )
        text = tr(
            "concern.recorded",
            lang,
            name=v.subject_name,
            behaviour=behaviour_label(self.ctx.rubric, v.criterion, lang, short=40),
            mitigated=tr("concern.mitigated", lang) if v.mitigated else "",
            id=v.id,
        )
        self._reply(sender, text, dedup)

    def _on_menu(self, event: dict, event_id: str) -> None:
        operator = (event.get("operator") or {}).get("operator_id") or {}
        open_id = operator.get("open_id") or ""
        if not open_id:
            return
        sender = self._sender(open_id)
        dedup = f"{event_id}:menu" if event_id else None
        if sender.person is None:
            self._reply(sender, tr("unknown_sender", DEFAULT_LANG), dedup)
            return
        key = (event.get("event_key") or "nominate").lower()
        try:
            if key in ("me", "values_me", "my_recognition"):
                self._send_recognition(sender, detailed=True, dedup=dedup)
            elif key in ("review", "values_review"):
                self._send_review(sender, dedup)
            elif key == "help":
                self._reply(sender, tr("help", sender.lang), dedup)
            else:  # "nominate" and any key the admin configured for the menu's main entry
                form = cards.nomination_form_card(sender.lang, self._candidates(sender))
                self.api.send_card(open_id, form, dedup=dedup)
        except ServiceError as exc:
            self._reply(sender, exc.message(sender.lang), dedup)

    def _candidates(self, sender: Sender, limit: int = cards.FORM_CANDIDATES) -> list[str]:
        """Whom the form's person picker offers: everyone on Feishu when that fits in a card,
        else the people nearest the sender in the org chart (team, manager, peers, reports)."""
        me = sender.person
        if me is None:
            return []
        with session_scope(self.ctx.engine) as session:
            people = session.exec(
                select(Person)
                .where(Person.active == True, Person.feishu_open_id != None, Person.id != me.id)  # noqa: E711, E712
                .order_by(Person.display_name, Person.id)
            ).all()
        if len(people) > limit:

            def nearness(p: Person) -> int:
                if p.id == me.manager_id or p.manager_id == me.id:
                    return 0
                if me.manager_id is not None and p.manager_id == me.manager_id:
                    return 1
                return 2 if me.team_id is not None and p.team_id == me.team_id else 3

            people = sorted(people, key=nearness)[:limit]
        return [p.feishu_open_id for p in people if p.feishu_open_id]

    # ------------------------------------------------------------------ card callbacks
    def handle_card_action(self, payload: dict) -> CardAnswer:
        """Answer a card click (schema 2.0 `card.action.trigger` or the legacy callback) within 3 s."""
        if payload.get("schema") == "2.0":
            ev = payload.get("event") or {}
            open_id = (ev.get("operator") or {}).get("open_id") or ""
            action = ev.get("action") or {}
            message_id = (ev.get("context") or {}).get("open_message_id")
        else:
            open_id = payload.get("open_id") or ""
            action = payload.get("action") or {}
            message_id = payload.get("open_message_id")
        value = action.get("value") or {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {}
        sender = self._sender(open_id)
        lang = sender.lang
        if sender.person is None:
            return CardAnswer(toast=cards.toast("error", tr("unknown_sender", lang)))
        try:
            return self._card_action(sender, value if isinstance(value, dict) else {}, action, message_id)
        except ServiceError as exc:
            return CardAnswer(toast=cards.toast("error", exc.message(lang)))
        except (KeyError, TypeError, ValueError):
            log.warning("malformed card action %r", value)
            return CardAnswer(toast=cards.toast("error", tr("unknown_action", lang)))
        except Exception:
            log.exception("card action failed")
            return CardAnswer(toast=cards.toast("error", tr("error", lang)))

    def _card_action(self, sender: Sender, value: dict, action: dict, message_id: str | None) -> CardAnswer:
        lang, actor, rubric = sender.lang, ref(sender.open_id), self.ctx.rubric
        kind = value.get("a")
        option = action.get("option")
        if kind == "confirm":
            criterion = value.get("c") or option
            if not criterion:
                return CardAnswer(toast=cards.toast("error", tr("unknown_action", lang)))
            nomination_id = int(value["n"])
            evidence = confirm(self.ctx, nomination_id, actor, str(criterion))
            view = get_nomination(self.ctx, nomination_id, actor)
            return CardAnswer(
                toast=cards.toast("success", tr("toast.confirmed", lang, criterion=evidence.criterion)),
                card=cards.confirmed_card(rubric, view.nominee_name, evidence.criterion, view.story, lang),
                after=self.defer(lambda: self._notify_nominee(nomination_id, evidence.id, sender)),
            )
        if kind == "cancel":
            nomination_id = int(value["n"])
            cancel(self.ctx, nomination_id, actor)
            view = get_nomination(self.ctx, nomination_id, actor)
            return CardAnswer(
                toast=cards.toast("success", tr("toast.cancelled", lang)),
                card=cards.cancelled_card(view.nominee_name, lang),
            )
        if kind in ("accept", "reject", "retag"):
            evidence_id = int(value["e"])
            if kind == "retag":
                if not option:
                    return CardAnswer(toast=cards.toast("error", tr("unknown_action", lang)))
                v = retag(self.ctx, evidence_id, actor, str(option))
                notice = tr("toast.retagged", lang, id=v.id, criterion=v.criterion)
            else:
                v = decide(self.ctx, evidence_id, actor, "accepted" if kind == "accept" else "rejected")
                notice = tr("toast.accepted" if kind == "accept" else "toast.rejected", lang, id=v.id)
            items = review_queue(self.ctx, actor, limit=cards.REVIEW_PAGE + 1)
            return CardAnswer(
                toast=cards.toast("success", notice),
                card=cards.review_card(rubric, items, lang, notice="✓ " + notice),
            )
        if kind == "nominate_form":
            return self._form_submitted(sender, action.get("form_value") or {}, message_id)
        return CardAnswer(toast=cards.toast("error", tr("unknown_action", lang)))

    def _form_submitted(self, sender: Sender, form: dict, message_id: str | None) -> CardAnswer:
        lang = sender.lang
        nominee = form.get("nominee")
        if isinstance(nominee, list):
            nominee = nominee[0] if nominee else None
        story = str(form.get("story") or "")
        if not nominee or not story.strip():
            return CardAnswer(toast=cards.toast("error", tr("form.missing", lang)))
        target = self._sender(str(nominee))
        if target.person is None:
            return CardAnswer(toast=cards.toast("error", tr("unknown_person", lang, who=nominee)))
        key = f"feishu:form:{message_id}:{sender.open_id}" if message_id else None
        # Stored now (fast); tagged after the answer, since an LLM may take longer than 3 s.
        res = nominate(
            self.ctx, ref(sender.open_id), ref(str(nominee)), story, source=PLATFORM, idempotency_key=key, tag=False
        )
        nomination_id = res.nomination.id
        return CardAnswer(
            toast=cards.toast("success", tr("toast.received", lang)),
            card=cards.processing_card(target.person.display_name, lang),
            after=self.defer(lambda: self._tag_and_show(nomination_id, sender, message_id)),
        )

    def _tag_and_show(self, nomination_id: int, sender: Sender, message_id: str | None) -> None:
        tag_nomination(self.ctx, nomination_id)
        view = get_nomination(self.ctx, nomination_id, ref(sender.open_id))
        card = cards.suggestions_card(self.ctx.rubric, view, sender.lang)
        if message_id:
            self.api.patch_card(message_id, card)
        else:
            self.api.send_card(sender.open_id, card, dedup=f"nomination:{nomination_id}:card")

    def _notify_nominee(self, nomination_id: int, evidence_id: int, nominator: Sender) -> None:
        """Tell the nominee they were recognised (LIUMAI_NOTIFY_NOMINEE); concerns never notify."""
        if not self.ctx.settings.notify_nominee:
            return
        view = get_nomination(self.ctx, nomination_id)
        with session_scope(self.ctx.engine) as session:
            nominee = find_person(session, view.nominee_email)
        if nominee is None or not nominee.feishu_open_id or view.criterion is None:
            return
        lang = lang_for(nominee.locale)
        text = tr(
            "notify.nominee",
            lang,
            nominator=nominator.person.display_name if nominator.person else "",
            behaviour=behaviour_label(self.ctx.rubric, view.criterion, lang),
            story=clip(view.story, 500),
        )
        self.api.send_text(nominee.feishu_open_id, text, dedup=f"notify:{evidence_id}")
