"""The commands a person sends the Feishu bot: `/nominate` and `/values` with its subcommands.

A message is parsed into a `Command` (`liumai.feishu.parsing`, over the shared `liumai.commands`);
`_command` looks its name up in one table, as Slack's `liumai.slack.commands` does: the nomination
flow (`nomination_flow`), my recognition, the review queue, concerns, and the report and record
subcommands (`reports`, `records`). The buttons on the cards these answers send are handled in
`liumai.feishu.actions`. Everything here runs on the bot's worker pool, after the event was
acknowledged, and replies by message.
"""

from __future__ import annotations

from collections.abc import Callable

from liumai.feishu import review_views
from liumai.feishu.actions import CardActions
from liumai.feishu.base import NAME_MAX, Sender, ref
from liumai.feishu.parsing import Command
from liumai.feishu.texts import behaviour_label, clip, tr
from liumai.feishu.views import REVIEW_PAGE
from liumai.services.evidence import add_concern
from liumai.services.recognition import is_manager, my_recognition, review_queue
from liumai.services.review_room import review_room

Handler = Callable[[Sender, Command, "str | None"], None]


class Commands(CardActions):
    """The command table; the card callbacks and the nomination flow are its bases."""

    def _command(self, sender: Sender, cmd: Command, message_id: str, link: str | None, dedup: str | None) -> None:
        if cmd.name == "nominate":
            self._nominate(sender, cmd, message_id, link, dedup)
            return
        handler = self._subcommands().get(cmd.name)
        if handler is None:
            self._reply(sender, tr("help", sender.lang), dedup)
            return
        handler(sender, cmd, dedup)

    def _subcommands(self) -> dict[str, Handler]:
        """`/values` and its subcommands (the shared command model's names) -> what answers them."""
        r = self.reports
        return {
            "values": lambda s, c, d: self._send_recognition(s, detailed=False, dedup=d),
            "me": lambda s, c, d: self._send_recognition(s, detailed=True, dedup=d),
            "review": lambda s, c, d: self._send_review(s, d),
            "concern": self._concern,
            "summary": lambda s, c, d: r.summary(s.open_id, s.lang, c, d),
            "team": lambda s, c, d: r.team(s.open_id, s.lang, c, d),
            "evidence": lambda s, c, d: r.evidence(s.open_id, s.lang, c, d),
            "digest": lambda s, c, d: r.digest(s.open_id, s.lang, c, d),
            "calibration": lambda s, c, d: r.calibration(s.open_id, s.lang, c, d),
            "export": lambda s, c, d: r.export(s.open_id, s.lang, c, d, s.email),
            "erase": lambda s, c, d: r.erase_request(s.open_id, s.lang, c, d),
        }

    def _send_recognition(self, sender: Sender, *, detailed: bool, dedup: str | None) -> None:
        me = my_recognition(self.ctx, ref(sender.open_id))
        pending = None
        if is_manager(self.ctx, ref(sender.open_id)):
            pending = len(review_queue(self.ctx, ref(sender.open_id), limit=100))
        card = review_views.recognition_card(
            self.ctx.rubric, me, sender.lang, pending_reviews=pending, detailed=detailed
        )
        self.api.send_card(sender.open_id, card, dedup=dedup)

    def _send_review(self, sender: Sender, dedup: str | None) -> None:
        if not is_manager(self.ctx, ref(sender.open_id)):
            self._reply(sender, tr("review.not_manager", sender.lang), dedup)
            return
        room = review_room(self.ctx, ref(sender.open_id), limit=REVIEW_PAGE + 1)
        card = review_views.review_card(
            self.ctx.rubric, room.items, sender.lang, signals=room.signals_by_item(REVIEW_PAGE)
        )
        self.api.send_card(sender.open_id, card, dedup=dedup)

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
            mitigated=tr("concern.mitigated_suffix", lang) if v.mitigated else "",
            id=v.id,
        )
        notes = "".join(f"\n⚠ {n.message(lang)}" for n in v.notices)  # e.g. mitigation without effect
        self._reply(sender, text + notes, dedup)
