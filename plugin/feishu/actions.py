"""Feishu card callbacks: confirm or cancel a nomination, decide evidence, the nomination form, erase.

Each must be answered within 3 s with a toast and the card that replaces the clicked one; slow
work is deferred until after the answer (`CardAnswer.after`).
"""

from __future__ import annotations

import json
import logging

from liumai.feishu import nomination_views, review_views
from liumai.feishu.base import CardAnswer, Sender, obj_field, ref
from liumai.feishu.nomination_flow import NominationFlow
from liumai.feishu.parsing import ident
from liumai.feishu.texts import tr
from liumai.feishu.views import REVIEW_PAGE, toast
from liumai.services.errors import ServiceError
from liumai.services.evidence import decide, retag
from liumai.services.nominations import cancel, confirm
from liumai.services.recognition import get_nomination
from liumai.services.review_room import review_room

log = logging.getLogger(__name__)


class CardActions(NominationFlow):
    def handle_card_action(self, payload: dict) -> CardAnswer:
        """Answer a card click (schema 2.0 `card.action.trigger` or the legacy callback) within 3 s."""
        if payload.get("schema") == "2.0":
            ev = obj_field(payload.get("event"))
            open_id = ident(obj_field(ev.get("operator")).get("open_id"))
            action = obj_field(ev.get("action"))
            message_id = ident(obj_field(ev.get("context")).get("open_message_id")) or None
        else:
            open_id = ident(payload.get("open_id"))
            action = obj_field(payload.get("action"))
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
            return CardAnswer(toast=toast("error", tr("unknown_sender", lang)))
        if sender.inactive:
            return CardAnswer(toast=toast("error", tr("inactive_sender", lang)))
        try:
            return self._card_action(sender, value if isinstance(value, dict) else {}, action, message_id)
        except ServiceError as exc:
            return CardAnswer(toast=toast("error", exc.message(lang)))
        except (KeyError, TypeError, ValueError):
            log.warning("malformed card action %r", value)
            return CardAnswer(toast=toast("error", tr("unknown_action", lang)))
        except Exception:
            log.exception("card action failed")
            return CardAnswer(toast=toast("error", tr("error", lang)))

    def _card_action(self, sender: Sender, value: dict, action: dict, message_id: str | None) -> CardAnswer:
        lang, actor, rubric = sender.lang, ref(sender.open_id), self.ctx.rubric
        kind = value.get("a")
        option = action.get("option")
        if kind == "confirm":
            criterion = value.get("c") or option
            if not criterion:
                return CardAnswer(toast=toast("error", tr("unknown_action", lang)))
            nomination_id = int(value["n"])
            evidence = confirm(self.ctx, nomination_id, actor, str(criterion))
            view = get_nomination(self.ctx, nomination_id, actor)
            return CardAnswer(
                toast=toast("success", tr("toast.confirmed", lang, criterion=evidence.criterion)),
                card=nomination_views.confirmed_card(rubric, view.nominee_name, evidence.criterion, view.story, lang),
                after=self.defer(lambda: self._notify_nominee(nomination_id, evidence.id, sender)),
            )
        if kind == "cancel":
            nomination_id = int(value["n"])
            cancel(self.ctx, nomination_id, actor)
            view = get_nomination(self.ctx, nomination_id, actor)
            return CardAnswer(
                toast=toast("success", tr("toast.cancelled", lang)),
                card=nomination_views.cancelled_card(view.nominee_name, lang),
            )
        if kind in ("accept", "reject", "retag"):
            evidence_id = int(value["e"])
            if kind == "retag":
                if not option:
                    return CardAnswer(toast=toast("error", tr("unknown_action", lang)))
                v = retag(self.ctx, evidence_id, actor, str(option))
                key = "toast.retagged" if v.changed else "toast.already_retagged"
                notice = tr(key, lang, id=v.id, criterion=v.criterion)
            else:
                v = decide(self.ctx, evidence_id, actor, "accepted" if kind == "accept" else "rejected")
                key = f"toast.{kind}ed" if v.changed else f"toast.already_{kind}ed"
                notice = tr(key, lang, id=v.id)
            room = review_room(self.ctx, actor, limit=REVIEW_PAGE + 1)
            card = review_views.review_card(
                rubric, room.items, lang, notice="✓ " + notice, signals=room.signals_by_item(REVIEW_PAGE)
            )
            return CardAnswer(toast=toast("success", notice), card=card)
        if kind == "nominate_form":
            return self._form_submitted(sender, obj_field(action.get("form_value")), message_id)
        if kind == "erase":
            report = self.reports.erase(sender.open_id, lang, int(value["p"]), sender.email)
            return CardAnswer(
                toast=toast("success", tr("toast.erased", lang)), card=review_views.erased_card(report, lang)
            )
        if kind == "erase_cancel":
            return CardAnswer(card=review_views.erase_cancelled_card(lang))
        return CardAnswer(toast=toast("error", tr("unknown_action", lang)))
