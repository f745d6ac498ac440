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

Whatever arrives is treated as untrusted: payload fields of the wrong type are ignored, a message
that is not a command gets the help text, a person missing from the org chart or deactivated is
told so, and any failure in the background is logged and answered with "try again" rather than
left silent. Replies that echo user text go out as cards with plain_text, or - for short text
replies - through `texts.inert`, since Feishu text messages render `<at>` tags and some Markdown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from liumai.feishu import cards
from liumai.feishu.client import LARK, FeishuApi, FeishuApiError
from liumai.feishu.commands import Command, ident, parse_message
from liumai.feishu.digest import FeishuDigestPoster
from liumai.feishu.reports import FeishuReports
from liumai.feishu.texts import DEFAULT_LANG, behaviour_label, clip, inert, lang_for, tr
from liumai.services import deliveries
from liumai.services.context import AppContext
from liumai.services.deliveries import Profile
from liumai.services.errors import ServiceError
from liumai.services.evidence import add_concern, decide, retag
from liumai.services.nominations import cancel, confirm, nominate, tag_nomination
from liumai.services.people import nearest_colleagues
from liumai.services.recognition import get_nomination, is_manager, my_recognition, review_queue

log = logging.getLogger(__name__)

PLATFORM = "feishu"
MESSAGE_EVENT = "im.message.receive_v1"
MENU_EVENT = "application.bot.menu_v6"
CARD_EVENT = "card.action.trigger"
KEEP_EVENT_DAYS = 7  # Feishu re-pushes an unacknowledged event for hours, not days
PRUNE_EVERY = 500
TEXT_REPLY_MAX = 4000  # characters; Feishu's limit is 150 KB, but no reply of ours needs more
NAME_MAX = 80  # a display name echoed in a reply (mention names come from the payload)


def ref(open_id: str) -> str:
    """How services name a Feishu user."""
    return f"{PLATFORM}:{open_id}"


def _obj(value: object) -> dict:
    """A payload field expected to be an object; anything else (a forged or broken payload) is empty."""
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
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


class FeishuBot:
    def __init__(self, ctx: AppContext, api: FeishuApi, *, workers: int = 4) -> None:
        self.ctx = ctx
        self.api = api
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feishu")
        self._pending = 0
        self._cv = threading.Condition()
        self._recorded = 0
        self.duplicates = 0  # re-delivered events refused (counted in the log line too)
        self.poster = FeishuDigestPoster(ctx, api)
        self.reports = FeishuReports(ctx, api, self.poster, self._reply_to)

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
        return Sender(open_id, deliveries.profile(self.ctx, ref(open_id)) if open_id else None)

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

    # ------------------------------------------------------------------ events
    def handle_event(self, payload: dict) -> str:
        """Acknowledge an event: "ok" (queued), "duplicate" (seen before) or "ignored"."""
        if payload.get("schema") != "2.0":
            return "ignored"  # schema 1.0 events are not subscribed to
        header = _obj(payload.get("header"))
        event_type = header.get("event_type")
        event = _obj(payload.get("event"))
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
        sender_info = _obj(event.get("sender"))
        if sender_info.get("sender_type", "user") != "user":
            return  # other bots and apps: never answer, never loop
        open_id = ident(_obj(sender_info.get("sender_id")).get("open_id"))
        message = _obj(event.get("message"))
        chat_type = _str(message.get("chat_type")) or "p2p"
        bot_id = self.api.bot_open_id() if chat_type == "group" else None
        message_type = _str(message.get("message_type")) or "text"
        parsed = parse_message(message_type, message.get("content") or "", message.get("mentions"), bot_id)
        if chat_type != "p2p" and not parsed.bot_mentioned:
            return  # a group message not addressed to the bot
        if not open_id:
            return
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

    def _command(self, sender: Sender, cmd: Command, message_id: str, link: str | None, dedup: str | None) -> None:
        lang, r = sender.lang, self.reports
        if cmd.name == "nominate":
            self._nominate(sender, cmd, message_id, link, dedup)
        elif cmd.name in ("values", "me"):
            self._send_recognition(sender, detailed=cmd.name == "me", dedup=dedup)
        elif cmd.name == "review":
            self._send_review(sender, dedup)
        elif cmd.name == "concern":
            self._concern(sender, cmd, dedup)
        elif cmd.name == "summary":
            r.summary(sender.open_id, lang, cmd, dedup)
        elif cmd.name == "team":
            r.team(sender.open_id, lang, cmd, dedup)
        elif cmd.name == "evidence":
            r.evidence(sender.open_id, lang, cmd, dedup)
        elif cmd.name == "digest":
            r.digest(sender.open_id, lang, cmd, dedup)
        elif cmd.name == "export":
            r.export(sender.open_id, lang, cmd, dedup, sender.email)
        elif cmd.name == "erase":
            r.erase_request(sender.open_id, lang, cmd, dedup)
        else:
            self._reply(sender, tr("help", lang), dedup)

    def _nominate(self, sender: Sender, cmd: Command, message_id: str, link: str | None, dedup: str | None) -> None:
        lang = sender.lang
        nominee = cmd.mentions[0] if cmd.mentions else None
        if nominee is None or not nominee.open_id:
            self._reply(sender, tr("nominate.usage", lang), dedup)
            return
        if self._sender(nominee.open_id).person is None:
            self._reply(sender, tr("unknown_person", lang, who=clip(nominee.name, NAME_MAX)), dedup)
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
            self._reply(sender, tr("unknown_person", lang, who=clip(subject.name, NAME_MAX)), dedup)
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
        notes = "".join(f"\n⚠ {n.message(lang)}" for n in v.notices)  # e.g. mitigation without effect
        self._reply(sender, text + notes, dedup)

    def _on_menu(self, event: dict, event_id: str) -> None:
        open_id = ident(_obj(_obj(event.get("operator")).get("operator_id")).get("open_id"))
        if not open_id:
            return
        sender = self._sender(open_id)
        dedup = f"{event_id}:menu" if event_id else None
        if self._refuse_sender(sender, dedup):
            return
        key = (_str(event.get("event_key")) or "nominate").lower()

        def work() -> None:
            if key in ("me", "values_me", "my_recognition"):
                self._send_recognition(sender, detailed=True, dedup=dedup)
            elif key in ("review", "values_review"):
                self._send_review(sender, dedup)
            elif key == "help":
                self._reply(sender, tr("help", sender.lang), dedup)
            else:  # "nominate" and any key the admin configured for the menu's main entry
                form = cards.nomination_form_card(sender.lang, self._candidates(sender))
                self.api.send_card(open_id, form, dedup=dedup)

        self._answer(sender, dedup, work)

    def _candidates(self, sender: Sender, limit: int = cards.FORM_CANDIDATES) -> list[str]:
        """Whom the form's person picker offers: everyone on Feishu when that fits in a card,
        else the people nearest the sender in the org chart (team, manager, peers, reports)."""
        if sender.person is None:
            return []
        people = nearest_colleagues(self.ctx, sender.person.id, platform=PLATFORM, limit=limit)
        return [p.feishu_open_id for p in people if p.feishu_open_id]

    # ------------------------------------------------------------------ card callbacks
    def handle_card_action(self, payload: dict) -> CardAnswer:
        """Answer a card click (schema 2.0 `card.action.trigger` or the legacy callback) within 3 s."""
        if payload.get("schema") == "2.0":
            ev = _obj(payload.get("event"))
            open_id = ident(_obj(ev.get("operator")).get("open_id"))
            action = _obj(ev.get("action"))
            message_id = ident(_obj(ev.get("context")).get("open_message_id")) or None
        else:
            open_id = ident(payload.get("open_id"))
            action = _obj(payload.get("action"))
            message_id = ident(payload.get("open_message_id")) or None
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
        if sender.inactive:
            return CardAnswer(toast=cards.toast("error", tr("inactive_sender", lang)))
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
                key = "toast.retagged" if v.changed else "toast.already_retagged"
                notice = tr(key, lang, id=v.id, criterion=v.criterion)
            else:
                v = decide(self.ctx, evidence_id, actor, "accepted" if kind == "accept" else "rejected")
                key = f"toast.{kind}ed" if v.changed else f"toast.already_{kind}ed"
                notice = tr(key, lang, id=v.id)
            items = review_queue(self.ctx, actor, limit=cards.REVIEW_PAGE + 1)
            return CardAnswer(
                toast=cards.toast("success", notice),
                card=cards.review_card(rubric, items, lang, notice="✓ " + notice),
            )
        if kind == "nominate_form":
            return self._form_submitted(sender, _obj(action.get("form_value")), message_id)
        if kind == "erase":
            report = self.reports.erase(sender.open_id, lang, int(value["p"]), sender.email)
            return CardAnswer(
                toast=cards.toast("success", tr("toast.erased", lang)), card=cards.erased_card(report, lang)
            )
        if kind == "erase_cancel":
            return CardAnswer(card=cards.erase_cancelled_card(lang))
        return CardAnswer(toast=cards.toast("error", tr("unknown_action", lang)))

    def _form_submitted(self, sender: Sender, form: dict, message_id: str | None) -> CardAnswer:
        lang = sender.lang
        nominee = form.get("nominee")
        if isinstance(nominee, list):
            nominee = nominee[0] if nominee else None
        nominee = ident(nominee)
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
        nominee = deliveries.profile(self.ctx, view.nominee_email)
        if nominee is None or not nominee.feishu_open_id or view.criterion is None:
            return
        lang = lang_for(nominee.locale)
        name = nominator.person.display_name if nominator.person else ""
        card = cards.notify_card(self.ctx.rubric, name, view.criterion, view.story, lang)
        self.api.send_card(nominee.feishu_open_id, card, dedup=f"notify:{evidence_id}")
