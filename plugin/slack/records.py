"""`/values evidence`, `/values export` and `/values erase` on Slack, as on Feishu (`feishu/records.py`).

- `/values evidence [@someone] [2026Q4]`: the evidence the asker may see about themselves or one of
  their people, as an ephemeral message;
- `/values export [@someone]`: a person's data as a JSON file in the asker's DM (files.upload) - for
  an admin naming someone, everything; for the person themselves, the data-subject export;
- `/values erase @someone`: admins only; an ephemeral confirmation with an "Erase permanently"
  button (`liumai.slack.actions`), which erases (re-authorised by the service on the click) and
  replaces the message.

Who may see or do what is decided by the services (`list_evidence`, `export_person` choosing the
scope from the viewer, `erase_target` and `erase_person`), so the refusals read the same as on
Feishu and the CLI; only the Block Kit and the wording are this module's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from liumai.reports.escape import file_slug
from liumai.rubric.model import Rubric
from liumai.services.data_rights import erase_person, erase_target, export_person
from liumai.services.deliveries import profile
from liumai.services.evidence import EvidenceView, list_evidence
from liumai.slack import views as B
from liumai.slack.base import Subcommands, ref
from liumai.slack.parsing import parse_args
from liumai.slack.texts import tx

A_ERASE = "liumai_erase"
A_ERASE_CANCEL = "liumai_erase_cancel"
EVIDENCE_ROWS = 15  # 2 blocks each, with the header and the note: inside a message's 50 blocks

Reply = Callable[[str], None]


def evidence_blocks(rubric: Rubric, lang: str, name: str, items: list[EvidenceView]) -> list[dict]:
    """The latest evidence about one person, newest first (concerns only in managers' views)."""
    blocks: list[dict] = [B.header(tx("evidence.title", lang, name=name))]
    if not items:
        blocks.append(B.section(tx("evidence.empty", lang)))
    for e in reversed(items[-EVIDENCE_ROWS:]):
        kind = f" · :warning: {tx('evidence.concern', lang)}" if e.is_concern else ""
        line = (
            f"*#{e.id}* · `{e.criterion}` {B.escape(B.statement(rubric, e.criterion, lang))} · "
            f"{tx(f'status.{e.status}', lang)}{kind} · {e.occurred_at.date().isoformat()}"
        )
        blocks.append(B.section(line))
        who = tx("evidence.from", lang, name=B.escape(e.nominator_name)) if e.nominator_name else ""
        story = B.quote(e.story or e.note or "", 300) if (e.story or e.note) else ""
        if story or who:
            blocks.append(B.context(*(x for x in (story, who) if x)))
    if len(items) > EVIDENCE_ROWS:
        blocks.append(B.context(tx("evidence.more", lang, shown=EVIDENCE_ROWS, n=len(items))))
    return blocks


def erase_confirm_blocks(lang: str, name: str, email: str, person_id: int) -> list[dict]:
    """The confirmation step: the button carries only the person id and is re-authorised on click."""
    return [
        B.section(f"*{B.escape(tx('erase.title', lang, name=name))}*"),
        B.section(B.escape(tx("erase.body", lang, name=name, email=email))),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": A_ERASE,
                    "text": B.plain(tx("erase.confirm", lang), 75),
                    "style": "danger",
                    "value": str(person_id),
                },
                {
                    "type": "button",
                    "action_id": A_ERASE_CANCEL,
                    "text": B.plain(tx("erase.cancel", lang), 75),
                    "value": str(person_id),
                },
            ],
        },
    ]


class SlackRecords(Subcommands):
    """The record subcommands; each takes the asker, their language and the command's reply paths."""

    def actor(self, user: str) -> str:
        """How the audit log names the asker: their e-mail, else their Slack reference."""
        person = profile(self.ctx, ref(user))
        return person.email if person else ref(user)

    def evidence(self, user: str, lang: str, text: str, reply: Reply, respond: Respond) -> None:
        s = self.ctx.settings
        args = parse_args(text, fiscal_start=s.fiscal_year_start_month, tz=s.tz)
        if args.bad:
            reply(tx(args.bad[0], lang, text=B.escape(args.bad[1][:40])))
            return
        if len(args.mentions) > 1 or args.words:
            reply(tx("evidence.usage", lang, cmd=self.cmd))
            return
        subject = ref(args.mentions[0]) if args.mentions else ref(user)
        items = list_evidence(self.ctx, ref(user), person=subject, period=args.quarter)
        person = profile(self.ctx, subject)
        name = person.display_name if person else subject
        blocks = evidence_blocks(self.ctx.rubric, lang, name, items)
        respond(text=tx("evidence.title", lang, name=B.escape(name)), blocks=blocks, response_type="ephemeral")

    def export(self, user: str, lang: str, text: str, reply: Reply, client: WebClient) -> None:
        args = parse_args(text)
        if len(args.mentions) > 1 or args.words:
            reply(tx("export.usage", lang, cmd=self.cmd))
            return
        target = ref(args.mentions[0]) if args.mentions else ref(user)
        data = export_person(self.ctx, target, self.actor(user), viewer=ref(user))
        person = data.get("person") or {}
        display = str(person.get("display_name") or "")
        name = f"liumai-export-{file_slug(str(person.get('email') or 'person'), 'person')}.json"
        blob = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        try:
            opened = client.conversations_open(users=user)
            dm = ((opened.get("channel") or {}).get("id")) or user
            client.files_upload_v2(
                content=blob,
                filename=name,
                title=name,
                channel=dm,
                initial_comment=tx("export.comment", lang, name=B.escape(display)),
            )
        except SlackApiError as exc:
            error = str((exc.response or {}).get("error") or "error")
            self.deps.logger.warning("slack: sending an export to %s failed: %s", user, error)
            reply(tx("files.failed", lang, error=B.escape(error)))
            return
        except (SlackRequestError, OSError) as exc:
            self.deps.logger.warning("slack: sending an export to %s failed: %s", user, exc.__class__.__name__)
            reply(tx("files.failed", lang, error=exc.__class__.__name__))
            return
        # The service chose the scope from who asked; only the wording is the adapter's.
        key = "export.sent_own" if data.get("scope") == "subject" else "export.sent"
        reply(tx(key, lang, name=B.escape(display)))

    def erase_request(self, user: str, lang: str, text: str, reply: Reply, respond: Respond) -> None:
        args = parse_args(text)
        if len(args.mentions) != 1 or args.words:
            erase_target(self.ctx, ref(user), None)  # usage only for those who may erase at all
            reply(tx("erase.usage", lang, cmd=self.cmd))
            return
        # The service's rule, checked before offering the button (the click re-checks it).
        subject = erase_target(self.ctx, ref(user), ref(args.mentions[0]))
        if subject is None:
            reply(tx("unknown_person", lang, who=f"<@{args.mentions[0]}>"))
            return
        blocks = erase_confirm_blocks(lang, subject.display_name, subject.email, subject.id)
        respond(
            text=tx("erase.title", lang, name=B.escape(subject.display_name)),
            blocks=blocks,
            response_type="ephemeral",
            replace_original=False,
        )

    def erase(self, user: str, lang: str, person_id: int) -> str:
        """The confirmation's button: erase (re-authorised by the service) and say what went."""
        report = erase_person(self.ctx, person_id, self.actor(user), viewer=ref(user))
        return tx(
            "erase.done",
            lang,
            nominations=report.nominations_deleted,
            evidence=report.evidence_deleted,
            concerns=report.concerns_deleted,
            label=report.label,
        )
