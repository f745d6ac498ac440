"""Nominating on Feishu: by message (`/nominate @someone story`) and by the menu's form card.

A message is answered with the suggestions card; the form is answered within Feishu's 3 s with a
"processing" card, and the suggestions patch it once tagging is done. Confirming (a card click,
see `actions`) may tell the nominee (LIUMAI_NOTIFY_NOMINEE).
"""

from __future__ import annotations

from liumai.feishu import nomination_views
from liumai.feishu.base import NAME_MAX, PLATFORM, BotBase, CardAnswer, Sender, ref
from liumai.feishu.parsing import Command, ident
from liumai.feishu.texts import clip, lang_for, tr
from liumai.feishu.views import FORM_CANDIDATES, toast
from liumai.services import deliveries
from liumai.services.nominations import nominate, tag_nomination
from liumai.services.people import nearest_colleagues
from liumai.services.recognition import get_nomination


class NominationFlow(BotBase):
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
        card = nomination_views.suggestions_card(self.ctx.rubric, view, lang)
        self.api.send_card(sender.open_id, card, dedup=f"nomination:{view.id}:card")

    def _candidates(self, sender: Sender, limit: int = FORM_CANDIDATES) -> list[str]:
        """Whom the form's person picker offers: everyone on Feishu when that fits in a card,
        else the people nearest the sender in the org chart (team, manager, peers, reports)."""
        if sender.person is None:
            return []
        people = nearest_colleagues(self.ctx, sender.person.id, platform=PLATFORM, limit=limit)
        return [p.feishu_open_id for p in people if p.feishu_open_id]

    def _form_submitted(self, sender: Sender, form: dict, message_id: str | None) -> CardAnswer:
        lang = sender.lang
        nominee = form.get("nominee")
        if isinstance(nominee, list):
            nominee = nominee[0] if nominee else None
        nominee = ident(nominee)
        story = str(form.get("story") or "")
        if not nominee or not story.strip():
            return CardAnswer(toast=toast("error", tr("form.missing", lang)))
        target = self._sender(str(nominee))
        if target.person is None:
            return CardAnswer(toast=toast("error", tr("unknown_person", lang, who=nominee)))
        key = f"feishu:form:{message_id}:{sender.open_id}" if message_id else None
        # Stored now (fast); tagged after the answer, since an LLM may take longer than 3 s.
        res = nominate(
            self.ctx, ref(sender.open_id), ref(str(nominee)), story, source=PLATFORM, idempotency_key=key, tag=False
        )
        nomination_id = res.nomination.id
        return CardAnswer(
            toast=toast("success", tr("toast.received", lang)),
            card=nomination_views.processing_card(target.person.display_name, lang),
            after=self.defer(lambda: self._tag_and_show(nomination_id, sender, message_id)),
        )

    def _tag_and_show(self, nomination_id: int, sender: Sender, message_id: str | None) -> None:
        tag_nomination(self.ctx, nomination_id)
        view = get_nomination(self.ctx, nomination_id, ref(sender.open_id))
        card = nomination_views.suggestions_card(self.ctx.rubric, view, sender.lang)
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
        card = nomination_views.notify_card(self.ctx.rubric, name, view.criterion, view.story, lang)
        self.api.send_card(nominee.feishu_open_id, card, dedup=f"notify:{evidence_id}")
