"""`/values evidence`, `/values export` and `/values erase` on Feishu, as on Slack (`slack/records.py`).

- `/values evidence [@someone] [2026Q4]`: the evidence a person may see;
- `/values export [@someone]`: a person's data as a JSON file - for an admin naming someone,
  everything; for the person themselves, the data-subject export (`services.subject_export`);
- `/values erase @someone`: a confirmation card; its button erases (`actions` handles the click).

Who may see or do what is decided by the services (`list_evidence`, `export_person`, `erase_target`,
`erase_person`); only the cards and the wording are this module's.
"""

from __future__ import annotations

import json

from liumai.feishu import review_views
from liumai.feishu.parsing import Args, Command
from liumai.feishu.reports import NAME_MAX, FeishuReports, ref
from liumai.feishu.texts import clip, tr
from liumai.feishu.views import fit_card
from liumai.reports.escape import file_slug
from liumai.services.data_rights import erase_person, erase_target, export_person
from liumai.services.errors import NotFound
from liumai.services.evidence import list_evidence
from liumai.services.people import Profile, require_profile


class FeishuRecords(FeishuReports):
    """The record subcommands; they share the report commands' helpers (mentions, files, replies)."""

    # ------------------------------------------------------------------ evidence
    def evidence(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        args = Args.of(cmd)
        subject: Profile | None
        if cmd.mentions:
            subject = self._subject(cmd.mentions[0], open_id, lang, dedup)
            if subject is None:
                return
        else:
            subject = require_profile(self.ctx, ref(open_id))
        items = list_evidence(self.ctx, ref(open_id), person=subject.id, period=args.quarter)
        card = fit_card(review_views.evidence_card(self.ctx.rubric, subject.display_name, items, lang), lang)
        self.api.send_card(open_id, card, dedup=self._key(dedup, "evidence"))

    # ------------------------------------------------------------------ data rights
    def export(self, open_id: str, lang: str, cmd: Command, dedup: str | None, actor: str) -> None:
        if cmd.mentions:
            subject = self._subject(cmd.mentions[0], open_id, lang, dedup)
            if subject is None:
                return
            target: int | str = subject.id
        else:
            target = ref(open_id)
        data = export_person(self.ctx, target, actor, viewer=ref(open_id))
        blob = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        person = data.get("person") or {}
        name = f"liumai-export-{file_slug(str(person.get('email') or 'person'), 'person')}.json"
        # The service chose the scope from who asked; only the wording is the adapter's.
        key = "export.sent_own" if data.get("scope") == "subject" else "export.sent"
        self.reply(open_id, tr(key, lang, name=person.get("display_name") or ""), self._key(dedup, "note"))
        self._send_files(open_id, lang, dedup, [(name, blob)], None)

    def erase_request(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        mention = cmd.mentions[0] if cmd.mentions else None
        if mention is None or not mention.open_id:
            # Usage only for those who may erase; everyone else learns they may not.
            erase_target(self.ctx, ref(open_id), None)
            self.reply(open_id, tr("erase.usage", lang), dedup)
            return
        # The service's rule, checked before offering the button (the click re-checks it).
        subject = erase_target(self.ctx, ref(open_id), ref(mention.open_id))
        if subject is None:
            raise NotFound("person.unknown", who=clip(mention.name, NAME_MAX))
        card = review_views.erase_confirm_card(subject.display_name, subject.email, subject.id, lang)
        self.api.send_card(open_id, card, dedup=self._key(dedup, "erase"))

    def erase(self, open_id: str, lang: str, person_id: int, actor: str) -> dict:
        report = erase_person(self.ctx, person_id, actor, viewer=ref(open_id))
        return {
            "label": report.label,
            "nominations": report.nominations_deleted,
            "evidence": report.evidence_deleted,
            "concerns": report.concerns_deleted,
        }
