"""`/values`: help, my recognition, the manager's review queue, private concerns, the report
subcommands (`summary`, `team`, `digest`: see `liumai.slack.reports`) and the record subcommands
(`evidence`, `export`, `erase`: see `liumai.slack.records`). Subcommands and their aliases are the
shared command model's (`liumai.commands`), the same as Feishu's.

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
from liumai.services import evidence as ev
from liumai.services.deliveries import claim, release
from liumai.services.errors import ServiceError
from liumai.services.notices import Notice
from liumai.services.recognition import is_manager, my_recognition, review_queue
from liumai.slack import blocks as B
from liumai.slack import review_views
from liumai.slack.common import PLATFORM, Deps, error_text, guarded, parse_mention, ref
from liumai.slack.handlers.home import publish_home
from liumai.slack.records import SlackRecords
from liumai.slack.reports import SlackReports
from liumai.slack.texts import tx


def _evidence_done(deps: Deps, lang: str, v: ev.EvidenceView) -> str:
    return tx(
        "review.done" if v.changed else "review.already",
        lang,
        id=v.id,
        subject=B.escape(v.subject_name),
        criterion=v.criterion,
        status=tx(f"status.{v.status}", lang),
    )


def register(app: App, deps: Deps) -> None:
    """Attach the /values listeners to `app`."""
    ctx, cfg, rubric = deps.ctx, deps.config, deps.rubric
    reports = SlackReports(deps)
    records = SlackRecords(deps)
    records.register(app)

    def reply(respond: Respond, text: str | None = None, blocks: list | None = None, replace: bool = False) -> None:
        fallback = text or (blocks and _first_text(blocks)) or "Liumai"
        respond(
            text=fallback, blocks=blocks or [B.section(fallback)], response_type="ephemeral", replace_original=replace
        )

    @guarded(deps, "ack")
    def values_ack(ack: Ack, body: dict) -> None:
        ack()  # every /values answer comes from the lazy listener, through response_url

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
        queue = review_queue(ctx, ref(user), limit=B.REVIEW_LIMIT + 1)
        count = f"{B.REVIEW_LIMIT}+" if len(queue) > B.REVIEW_LIMIT else len(queue)
        reply(respond, tx("review.header", lang, n=count), review_views.review_blocks(rubric, lang, queue))

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
    subcommands: dict[str, Callable[[str, str, str, dict, Respond, WebClient], None]] = {
        "me": show_me,
        "review": show_review,
        "concern": open_concern,
        "summary": lambda u, lg, r, c, rs, cl: reports.summary(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "team": lambda u, lg, r, c, rs, cl: reports.team(u, lg, r, lambda t: reply(rs, t), rs, cl),
        "digest": lambda u, lg, r, c, rs, cl: reports.digest(u, lg, r, lambda t: reply(rs, t), rs, cl),
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

    # ------------------------------------------------------------ review decisions
    def refresh(body: dict, client: WebClient, respond: Respond, user: str, lang: str, notice: str) -> None:
        """Show the decision where it was made: the Home tab, or the /values review message."""
        if (body.get("container") or {}).get("type") == "view" or (body.get("view") or {}).get("type") == "home":
            publish_home(deps, client, user, notice=notice)
            return
        queue = review_queue(ctx, ref(user), limit=B.REVIEW_LIMIT + 1)
        reply(respond, notice, review_views.review_blocks(rubric, lang, queue, notice=notice), replace=True)

    def decide(
        body: dict, client: WebClient, respond: Respond, evidence_id: int, decision: str, criterion: str | None
    ) -> None:
        user = body["user"]["id"]
        lang = deps.lang_for(user, client)
        try:
            if criterion:
                v = ev.retag(ctx, evidence_id, ref(user), criterion)
            else:
                v = ev.decide(ctx, evidence_id, ref(user), decision)
            notice = _evidence_done(deps, lang, v)
        except ServiceError as exc:
            notice = ":no_entry: " + error_text(exc, lang, user)
        refresh(body, client, respond, user, lang, notice)

    @guarded(deps, "ack")
    def review_ack(ack: Ack, body: dict) -> None:
        ack()

    @guarded(deps)
    def accept_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        decide(body, client, respond, int(action["value"]), "accepted", None)

    @guarded(deps)
    def reject_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        decide(body, client, respond, int(action["value"]), "rejected", None)

    @guarded(deps)
    def retag_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        evidence_id = int(action["block_id"].removeprefix(B.REVIEW_BLOCK_PREFIX))
        decide(body, client, respond, evidence_id, "accepted", action["selected_option"]["value"])

    app.action(B.A_ACCEPT)(ack=review_ack, lazy=[accept_lazy])
    app.action(B.A_REJECT)(ack=review_ack, lazy=[reject_lazy])
    app.action(B.A_RETAG)(ack=review_ack, lazy=[retag_lazy])

    # ------------------------------------------------------------ concern form
    @guarded(deps, "ack")
    def concern_ack(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        lang = deps.lang_for(user)
        values = (view.get("state") or {}).get("values") or {}
        subject = ((values.get(B.B_SUBJECT) or {}).get("user") or {}).get("selected_user")
        criterion = (((values.get(B.B_CRITERION) or {}).get("criterion") or {}).get("selected_option") or {}).get(
            "value"
        )
        note = ((values.get(B.B_NOTE) or {}).get("text") or {}).get("value") or ""
        mitigated = bool(((values.get(B.B_MITIGATED) or {}).get("mitigated") or {}).get("selected_options"))
        if not subject or not criterion:
            missing = B.B_SUBJECT if not subject else B.B_CRITERION
            ack(response_action="errors", errors={missing: tx("modal.choose_required", lang)})
            return
        recorded = tx(
            "concern.recorded",
            lang,
            subject=f"<@{subject}>",
            criterion=criterion,
            mitigated=tx("concern.mitigated_suffix", lang) if mitigated else "",
        )

        def done(notices: tuple[Notice, ...]) -> dict:
            # The service's notices (e.g. mitigation that cannot change the score) follow the confirmation.
            text = recorded + "".join(f"\n\n:warning: {B.escape(n.message(lang))}" for n in notices)
            return B.info_view(lang, tx("concern.title", lang), text)

        key = f"concern:view:{view['id']}"
        if not claim(ctx, PLATFORM, key):  # a double submission: recorded by the first one
            notice = ev.mitigation_notice(ctx, criterion, mitigated)
            ack(response_action="update", view=done((notice,) if notice else ()))
            return
        try:
            v = ev.add_concern(ctx, ref(user), ref(subject), criterion, note, mitigated=mitigated)
        except ServiceError as exc:
            release(ctx, PLATFORM, key)
            block = {"criterion.unknown": B.B_CRITERION, "concern.note_empty": B.B_NOTE}.get(exc.key, B.B_SUBJECT)
            ack(response_action="errors", errors={block: B.cut(error_text(exc, lang, user, plain=True), 2000)})
            return
        except BaseException:
            release(ctx, PLATFORM, key)
            raise
        ack(response_action="update", view=done(v.notices))

    app.view(B.CONCERN_VIEW)(concern_ack)


def _first_text(blocks: list) -> str:
    for b in blocks:
        t = b.get("text")
        if isinstance(t, dict) and t.get("text"):
            return t["text"]
    return "Liumai"
