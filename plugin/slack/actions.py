"""Buttons, menus and form submissions on Liumai's messages: the one-line nomination's reply
buttons (pick a behaviour, choose another, cancel), a manager's review decisions (accept, reject,
re-tag) wherever the review queue is shown, the private concern form, and the erase confirmation.

Each button is acknowledged at once and does its work in a lazy listener; the concern form is a
modal submission, so it is validated and stored before acknowledging (Slack shows inline errors
only in the acknowledgement). Every action is re-authorised by the services on the click: a
forwarded message or a forged payload can do nothing its clicker may not do anyway.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from liumai.services import evidence as ev
from liumai.services import nominations as noms
from liumai.services.deliveries import claim, release
from liumai.services.errors import ServiceError
from liumai.services.notices import Notice
from liumai.services.recognition import get_nomination
from liumai.services.review_room import review_room
from liumai.slack import nomination_views, review_views
from liumai.slack import views as B
from liumai.slack.base import PLATFORM, Deps, acknowledge, error_text, guarded, ref, reply
from liumai.slack.home import publish_home
from liumai.slack.nomination_flow import notify_nominee, thanks_text
from liumai.slack.records import A_ERASE, A_ERASE_CANCEL, SlackRecords
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


def concern_form(view: dict) -> tuple[str | None, str | None, str, bool]:
    """What the concern form holds: subject, behaviour, note and whether it was mitigated."""
    values = (view.get("state") or {}).get("values") or {}

    def field(block: str, action: str) -> dict:
        return (values.get(block) or {}).get(action) or {}

    subject = field(B.B_SUBJECT, "user").get("selected_user")
    criterion = (field(B.B_CRITERION, "criterion").get("selected_option") or {}).get("value")
    note = field(B.B_NOTE, "text").get("value") or ""
    mitigated = bool(field(B.B_MITIGATED, "mitigated").get("selected_options"))
    return subject, criterion, note, mitigated


def register(app: App, deps: Deps) -> None:
    """Attach every button and form callback to `app`."""
    register_nomination_buttons(app, deps)
    register_review(app, deps)
    register_erase(app, deps)


def register_nomination_buttons(app: App, deps: Deps) -> None:
    """The one-line `/nominate` reply's buttons."""
    ctx, rubric = deps.ctx, deps.rubric

    button_ack = acknowledge(deps)

    @guarded(deps)
    def pick_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        user = body["user"]["id"]
        nomination_id, criterion = action["value"].split("|", 1)
        noms.confirm(ctx, int(nomination_id), ref(user), criterion)
        nv = get_nomination(ctx, int(nomination_id), ref(user))
        text = thanks_text(deps, deps.lang_for(user, client), nv)
        respond(text=text, blocks=[B.section(text)], replace_original=True)
        notify_nominee(deps, client, nv.id, user)

    @guarded(deps)
    def other_lazy(body: dict, client: WebClient, action: dict) -> None:
        user = body["user"]["id"]
        lang = deps.lang_for(user, client)
        nv = get_nomination(ctx, int(action["value"]), ref(user))
        client.views_open(
            trigger_id=body["trigger_id"],
            view=nomination_views.confirm_view_of(
                rubric,
                lang,
                nv,
                suggestions=[],
                response_url=body.get("response_url"),
                cancel_on_close=False,
                empty_note=False,
            ),
        )

    @guarded(deps)
    def cancel_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        user = body["user"]["id"]
        noms.cancel(ctx, int(action["value"]), ref(user))
        text = tx("nominate.cancelled", deps.lang_for(user, client))
        respond(text=text, blocks=[B.section(text)], replace_original=True)

    app.action(re.compile(rf"^{B.A_PICK}_\d+$"))(ack=button_ack, lazy=[pick_lazy])
    app.action(B.A_OTHER)(ack=button_ack, lazy=[other_lazy])
    app.action(B.A_CANCEL)(ack=button_ack, lazy=[cancel_lazy])


def register_review(app: App, deps: Deps) -> None:
    """Review decisions (from `/values review` or the App Home) and the concern form."""
    ctx, rubric = deps.ctx, deps.rubric

    def refresh(body: dict, client: WebClient, respond: Respond, user: str, lang: str, notice: str) -> None:
        """Show the decision where it was made: the Home tab, or the /values review message."""
        if (body.get("container") or {}).get("type") == "view" or (body.get("view") or {}).get("type") == "home":
            publish_home(deps, client, user, notice=notice)
            return
        room = review_room(ctx, ref(user), limit=B.REVIEW_LIMIT + 1)
        blocks = review_views.review_blocks(
            rubric, lang, room.items, notice=notice, signals=room.signals_by_item(B.REVIEW_LIMIT)
        )
        reply(respond, notice, blocks, replace=True)

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

    review_ack = acknowledge(deps)

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
        subject, criterion, note, mitigated = concern_form(view)
        if not subject or not criterion:
            missing = B.B_SUBJECT if not subject else B.B_CRITERION
            ack(response_action="errors", errors={missing: tx("modal.choose_required", lang)})
            return
        recorded = tx(
            "concern.recorded",
            lang,
            name=f"<@{subject}>",
            behaviour=criterion,
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


def register_erase(app: App, deps: Deps) -> None:
    """The erase confirmation's two buttons (`/values erase @someone`, admins)."""
    records = SlackRecords(deps)

    erase_ack = acknowledge(deps)

    @guarded(deps)
    def erase_lazy(body: dict, client: WebClient, action: dict, respond: Respond) -> None:
        user = body["user"]["id"]
        text = records.erase(user, deps.lang_for(user, client), int(action["value"]))
        respond(text=text, blocks=[B.section(text)], replace_original=True)

    @guarded(deps)
    def erase_cancel_lazy(body: dict, client: WebClient, respond: Respond) -> None:
        text = tx("erase.cancelled", deps.lang_for(body["user"]["id"], client))
        respond(text=text, blocks=[B.section(text)], replace_original=True)

    app.action(A_ERASE)(ack=erase_ack, lazy=[erase_lazy])
    app.action(A_ERASE_CANCEL)(ack=erase_ack, lazy=[erase_cancel_lazy])
