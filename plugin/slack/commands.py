"""The two slash commands: `/nominate` (one line, or the form) and `/values` with its subcommands.

`/values`: help, my recognition, the manager's review queue, private concerns, the report
subcommands (`summary`, `team`, `digest`, `calibration`: see `liumai.slack.reports`) and the record subcommands
(`evidence`, `export`, `erase`: see `liumai.slack.records`). Subcommands and their aliases are the
shared command model's (`liumai.commands`, read in `liumai.slack.parsing`), the same as Feishu's.
The buttons these answers carry are handled in `liumai.slack.actions`; the form `/nominate` opens,
in `liumai.slack.nomination_flow`.

Permissions are the services' (a person sees their own recognition, a manager decides the
evidence of people below them, concerns are managers' and admins' only). The adapter adds one
courtesy: a non-manager asking for `review` or `concern` is told plainly before any form opens.
Replies go through the command's response_url, so they are ephemeral - only the asker sees
them - and work in any channel, whether or not the bot is a member.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from liumai.commands import subcommand
from liumai.services import nominations as noms
from liumai.services.deliveries import profile
from liumai.services.errors import ServiceError
from liumai.services.recognition import get_nomination, is_manager, my_recognition
from liumai.services.review_room import review_room
from liumai.slack import nomination_views, review_views
from liumai.slack import views as B
from liumai.slack.base import Deps, acknowledge, guarded, ref, reply
from liumai.slack.nomination_flow import HELP_WORDS, command_key, nominee_refusal, open_form, thanks_text
from liumai.slack.parsing import parse_mention
from liumai.slack.records import SlackRecords
from liumai.slack.reports import SlackReports
from liumai.slack.texts import tx

Subcommand = Callable[[str, str, str, dict, Respond, WebClient], None]


def register(app: App, deps: Deps) -> None:
    """Attach `/nominate` and `/values` to `app`."""
    register_values(app, deps)
    register_nominate(app, deps)


def register_values(app: App, deps: Deps) -> None:
    """`/values`: one handler per subcommand of the shared command model; anything else gets help."""
    ctx, cfg, rubric = deps.ctx, deps.config, deps.rubric
    reports = SlackReports(deps)
    records = SlackRecords(deps)

    values_ack = acknowledge(deps)  # every /values answer comes from the lazy listener, through response_url

    def show_me(user: str, lang: str, rest: str, command: dict, respond: Respond, client: WebClient) -> None:
        me = my_recognition(ctx, ref(user))
        reply(
            respond,
            tx("me.header", lang, quarter=me.quarter),
            review_views.my_recognition_blocks(rubric, lang, me, nominate_cmd=cfg.nominate_command),
        )

    def show_review(user: str, lang: str, rest: str, command: dict, respond: Respond, client: WebClient) -> None:
        if not is_manager(ctx, ref(user)):
            reply(respond, tx("not_manager", lang))
            return
        room = review_room(ctx, ref(user), limit=B.REVIEW_LIMIT + 1)
        count = f"{B.REVIEW_LIMIT}+" if len(room.items) > B.REVIEW_LIMIT else len(room.items)
        blocks = review_views.review_blocks(rubric, lang, room.items, signals=room.signals_by_item(B.REVIEW_LIMIT))
        reply(respond, tx("review.header", lang, n=count), blocks)

    def open_concern(user: str, lang: str, rest: str, command: dict, respond: Respond, client: WebClient) -> None:
        if not is_manager(ctx, ref(user)):
            reply(respond, tx("not_manager", lang))
            return
        subject, _ = parse_mention(rest)
        client.views_open(
            trigger_id=command["trigger_id"], view=review_views.concern_modal(rubric, lang, subject=subject)
        )

    def show_help(user: str, lang: str, rest: str, command: dict, respond: Respond, client: WebClient) -> None:
        help_text = tx("values.help", lang, cmd=cfg.values_command, ncmd=cfg.nominate_command)
        reply(respond, help_text + "\n" + tx("values.help_rights", lang, cmd=cfg.values_command))

    # One entry per subcommand of the shared command model; anything else gets the help text.
    subcommands: dict[str, Subcommand] = {
        "me": show_me,
        "review": show_review,
        "concern": open_concern,
        "summary": lambda u, lg, r, c, rs, cl: reports.summary(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "team": lambda u, lg, r, c, rs, cl: reports.team(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "digest": lambda u, lg, r, c, rs, cl: reports.digest(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "calibration": lambda u, lg, r, c, rs, cl: reports.calibration(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "evidence": lambda u, lg, r, c, rs, cl: records.evidence(u, lg, r, lambda t: reply(rs, t), rs),
        "export": lambda u, lg, r, c, rs, cl: records.export(u, lg, r, lambda t: reply(rs, t), cl),
        "erase": lambda u, lg, r, c, rs, cl: records.erase_request(u, lg, r, lambda t: reply(rs, t), rs),
    }

    @guarded(deps)
    def values_lazy(body: dict, client: WebClient, command: dict, respond: Respond) -> None:
        user = command["user_id"]
        lang = deps.lang_for(user, client)
        words = (command.get("text") or "").strip().split(maxsplit=1)
        sub = subcommand(words[0]) if words else None  # the shared command model, aliases included
        rest = words[1] if len(words) > 1 else ""
        handler = subcommands.get(sub or "", show_help)
        handler(user, lang, rest, command, respond, client)

    app.command(cfg.values_command)(ack=values_ack, lazy=[values_lazy])


def register_nominate(app: App, deps: Deps) -> None:
    """`/nominate @someone story` (suggestions as an ephemeral reply) or `/nominate [@someone]` (the form)."""
    ctx, cfg, rubric = deps.ctx, deps.config, deps.rubric

    @guarded(deps, "ack")
    def nominate_ack(ack: Ack, body: dict, client: WebClient, command: dict) -> None:
        text = (command.get("text") or "").strip()
        user = command.get("user_id") or ""
        lang = deps.lang_for(user)
        if not text:
            ack()  # the lazy listener opens the form
            return
        if text.lower() in HELP_WORDS:
            ack(text=tx("nominate.help", lang, cmd=cfg.nominate_command))
            return
        nominee, story = parse_mention(text)
        if nominee is None:
            ack(text=tx("nominate.missing_mention", lang, cmd=cfg.nominate_command))
        elif not story:
            ack()  # `/nominate @ann`: the form opens with Ann chosen
        else:
            # Refuse before saying "thanks, finding behaviours": the service validates, stores nothing.
            try:
                noms.check_nomination(ctx, ref(user), ref(nominee), story)
            except ServiceError as exc:
                lang = deps.lang_for(user, client)  # someone not in the org chart: Slack knows their language
                ack(text=nominee_refusal(deps, client, exc, lang, user, nominee, plain=False))
                return
            ack(text=tx("nominate.working", lang, user=nominee))

    @guarded(deps)
    def nominate_lazy(body: dict, client: WebClient, command: dict, respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        user = command["user_id"]
        if text.lower() in HELP_WORDS:
            return
        nominee, story = parse_mention(text)
        if not text or (nominee and not story):
            open_form(
                deps,
                client,
                command["trigger_id"],
                deps.lang_for(user, client),
                user=nominee,
                channel=command.get("channel_id"),
            )
            return
        if nominee is None:
            return
        lang = deps.lang_for(user, client)
        try:
            noms.check_nomination(ctx, ref(user), ref(nominee), story)
        except ServiceError:
            return  # the acknowledgement already gave the refusal
        key = command_key(command.get("team_id"), user, nominee, story, ctx.now().date().isoformat())
        try:
            res = noms.nominate(ctx, ref(user), ref(nominee), story, source="slack", idempotency_key=key, tag=False)
        except ServiceError as exc:
            respond(
                text=nominee_refusal(deps, client, exc, lang, user, nominee, plain=False),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        # A retried or double-sent delivery asks too: tagging returns the stored suggestions once there
        # are some, and concurrent taggers of one nomination are serialised by the service.
        suggestions = noms.tag_nomination(ctx, res.nomination.id)
        if res.created and suggestions:  # the common case: no further reads needed
            person = profile(ctx, ref(nominee))
            nominee_name, abstain = (person.display_name if person else nominee), None
        else:
            nv = get_nomination(ctx, res.nomination.id, ref(user))
            if nv.criterion is not None:  # already confirmed earlier: say so, offer nothing to click
                respond(
                    text=tx("nominate.already", lang, id=nv.id) + " " + thanks_text(deps, lang, nv),
                    response_type="ephemeral",
                    replace_original=False,
                )
                return
            if nv.status == "cancelled":
                respond(text=tx("nominate.cancelled", lang), response_type="ephemeral", replace_original=False)
                return
            nominee_name, abstain, suggestions = nv.nominee_name, nv.abstain_reason, nv.suggestions
        fallback, blocks = nomination_views.suggestion_message(
            rubric,
            lang,
            nomination_id=res.nomination.id,
            nominee=nominee_name,
            suggestions=suggestions,
            abstain_reason=abstain,
            already=not res.created,
        )
        respond(text=fallback, blocks=blocks, response_type="ephemeral", replace_original=False)

    app.command(cfg.nominate_command)(ack=nominate_ack, lazy=[nominate_lazy])
