"""Nominating in Slack: the form (from `/nominate`, the message shortcut or the App Home), its two
steps, closing it, and the helpers the one-line `/nominate` (`commands`) and the reply buttons
(`actions`) share: the idempotency keys, the nominee refusal, the thanks and the nominee's DM.

Every listener acknowledges at once; anything slower than a database write (tagging, Web API
calls) runs in a Bolt lazy listener. Only modal submissions call a service before acknowledging,
because Slack shows inline errors only in the acknowledgement itself.

Idempotency (retried deliveries and double submissions store exactly one nomination):
- a modal's nomination is keyed by the view id, which Slack keeps across re-submissions;
- a one-line nomination by a hash of workspace, nominator, nominee, story and day, which a
  retried delivery and a double-sent command share; only the delivery that stored it tags it
  (the repeat shows the same suggestions once they are there), so the two never tag at once;
- confirming is idempotent in the service; the nominee's DM is sent once per nomination
  (a `processed_event` claim).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import unicodedata
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from liumai.services import nominations as noms
from liumai.services.deliveries import claim, profile
from liumai.services.errors import NotFound, ServiceError
from liumai.services.recognition import NominationView, get_nomination
from liumai.slack import nomination_views
from liumai.slack import views as B
from liumai.slack.base import PLATFORM, Deps, acknowledge, error_text, guarded, ref, slack_call
from liumai.slack.texts import tx

HELP_WORDS = {"help", "?", "帮助", "-h", "--help"}


def command_key(team: str | None, user: str, nominee: str, story: str, day: str) -> str:
    """Same nominator, nominee and story on the same day: the same nomination."""
    norm = " ".join(unicodedata.normalize("NFKC", story).split()).casefold()
    digest = hashlib.sha256(f"{team}|{user}|{nominee}|{norm}|{day}".encode()).hexdigest()[:40]
    return f"slack:cmd:{digest}"


def view_key(view_id: str) -> str:
    return f"slack:view:{view_id}"


def is_bot(deps: Deps, client: WebClient, user_id: str) -> bool:
    """Bots are not in the org chart; asking Slack lets the refusal say why."""
    if user_id == "USLACKBOT":
        return True
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError:
        return False
    return bool(user.get("is_bot") or user.get("is_app_user"))


def nominee_refusal(
    deps: Deps, client: WebClient, exc: ServiceError, lang: str, user: str, nominee: str, *, plain: bool
) -> str:
    """The refusal text, saying "that's a bot" when the unknown nominee is one."""
    unknown = isinstance(exc, NotFound) and exc.key == "person.unknown" and exc.params.get("who") == ref(nominee)
    if unknown and is_bot(deps, client, nominee):
        return tx("bot_person", lang)
    return error_text(exc, lang, user, plain=plain)


def notify_nominee(deps: Deps, client: WebClient, nomination_id: int, nominator: str) -> None:
    """DM the nominee once per confirmed nomination (if LIUMAI_NOTIFY_NOMINEE is on)."""
    if not deps.config.notify_nominee:
        return
    nv = get_nomination(deps.ctx, nomination_id)
    if nv.criterion is None:
        return
    # Read models carry e-mails; a DM needs the nominee's Slack user id.
    person = profile(deps.ctx, nv.nominee_email)
    nominee = person.slack_user_id if person else None
    if not nominee or not claim(deps.ctx, PLATFORM, f"notify:nomination:{nomination_id}"):
        return
    lang = deps.lang_for(nominee, client)
    text, blocks = nomination_views.nominee_dm(
        deps.rubric,
        lang,
        nominator=nominator,
        criterion=nv.criterion,
        story=nv.story,
        command=deps.config.values_command,
    )
    opened = slack_call(deps, "conversations.open", lambda: client.conversations_open(users=nominee))
    channel = ((opened or {}).get("channel") or {}).get("id") or nominee
    slack_call(deps, "chat.postMessage", lambda: client.chat_postMessage(channel=channel, text=text, blocks=blocks))


def thanks_text(deps: Deps, lang: str, nv: NominationView, *, plain: bool = False) -> str:
    criterion = nv.criterion or "?"
    return tx(
        "nominate.thanks_plain" if plain else "nominate.thanks",
        lang,
        nominee=B.escape(nv.nominee_name),
        value=B.escape(B.value_name(deps.rubric, criterion, lang)),
        criterion=criterion,
    )


def state(view: dict) -> dict:
    return (view.get("state") or {}).get("values") or {}


def selected(values: dict, block: str, action: str) -> str | None:
    el = (values.get(block) or {}).get(action) or {}
    if "selected_user" in el:
        return el.get("selected_user")
    return (el.get("selected_option") or {}).get("value")


def open_form(deps: Deps, client: WebClient, trigger_id: str, lang: str, **prefill: Any) -> None:
    """Step 1 of the form, prefilled with whatever the entry point knows (nominee, story, link)."""
    client.views_open(trigger_id=trigger_id, view=nomination_views.nominate_modal(deps.rubric, lang, **prefill))


def register(app: App, deps: Deps) -> None:
    """Attach the form's listeners (and its two other entry points) to `app`."""
    ctx, rubric = deps.ctx, deps.rubric

    # ------------------------------------------------------------ message shortcut
    shortcut_ack = acknowledge(deps)

    @guarded(deps)
    def shortcut_lazy(body: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        ts = message.get("ts") or body.get("message_ts")
        link = None
        if channel and ts:
            got = slack_call(
                deps, "chat.getPermalink", lambda: client.chat_getPermalink(channel=channel, message_ts=ts)
            )
            link = (got or {}).get("permalink")
            domain = (body.get("team") or {}).get("domain")
            if not link and domain:  # e.g. a private channel the bot cannot read: build the link
                link = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        author = message.get("user") if not message.get("bot_id") else None
        open_form(
            deps,
            client,
            body["trigger_id"],
            deps.lang_for(user, client),
            user=author,
            story=message.get("text") or "",
            link=link,
            channel=channel,
        )

    app.shortcut(B.MESSAGE_SHORTCUT)(ack=shortcut_ack, lazy=[shortcut_lazy])

    # ------------------------------------------------------------ App Home button
    home_nominate_ack = acknowledge(deps)

    @guarded(deps)
    def home_nominate_lazy(body: dict, client: WebClient) -> None:
        open_form(deps, client, body["trigger_id"], deps.lang_for(body["user"]["id"], client))

    app.action(B.A_HOME_NOMINATE)(ack=home_nominate_ack, lazy=[home_nominate_lazy])

    # ------------------------------------------------------------ form, step 1
    def _submitted(body: dict, view: dict) -> dict[str, Any]:
        values = state(view)
        meta = B.read_metadata(view)
        private = (values.get(B.B_PRIVATE) or {}).get("private") or {}
        return {
            "user": body["user"]["id"],
            "nominee": selected(values, B.B_NOMINEE, "user"),
            "story": ((values.get(B.B_STORY) or {}).get("text") or {}).get("value") or "",
            "hint": selected(values, B.B_VALUE, "value"),
            "private": bool(private.get("selected_options")),
            "link": meta.get("link"),
        }

    def _store(s: dict[str, Any], view_id: str) -> noms.NominationResult:
        return noms.nominate(
            ctx,
            ref(s["user"]),
            ref(s["nominee"]),
            s["story"],
            source="slack",
            idempotency_key=view_key(view_id),
            source_link=s["link"],
            value_hint=s["hint"],
            private=s["private"],
            tag=False,
        )

    @guarded(deps, "ack")
    def form_ack(ack: Ack, body: dict, client: WebClient, view: dict) -> None:
        s = _submitted(body, view)
        lang = deps.lang_for(s["user"])
        if not s["nominee"]:
            ack(response_action="errors", errors={B.B_NOMINEE: tx("unknown_person_plain", lang)})
            return
        try:
            res = _store(s, view["id"])
        except ServiceError as exc:
            story_errors = {"nominate.story_empty", "nominate.story_too_long"}
            block = B.B_STORY if exc.key in story_errors else B.B_NOMINEE
            text = nominee_refusal(deps, client, exc, lang, s["user"], s["nominee"], plain=True)
            ack(response_action="errors", errors={block: B.cut(text, 2000)})
            return
        nv = get_nomination(ctx, res.nomination.id, ref(s["user"]))
        if nv.criterion is not None:  # a re-submission after confirming: show the thanks again
            view_out = B.info_view(lang, tx("modal.thanks_title", lang), thanks_text(deps, lang, nv))
        else:
            view_out = nomination_views.progress_view(lang, nv.id, nv.nominee_name)
        ack(response_action="update", view=view_out)

    @guarded(deps)
    def form_lazy(body: dict, client: WebClient, view: dict) -> None:
        started = time.monotonic()
        s = _submitted(body, view)
        if not s["nominee"]:
            return
        try:
            res = _store(s, view["id"])  # the same key: finds what the acknowledgement stored
        except ServiceError:
            return  # the form already shows the inline error
        lang = deps.lang_for(s["user"], client)
        noms.tag_nomination(ctx, res.nomination.id)
        nv = get_nomination(ctx, res.nomination.id, ref(s["user"]))
        if nv.criterion is not None or nv.status == "cancelled":
            return
        # Slack applies our response_action asynchronously; an update that overtook it would be
        # overwritten by the progress screen, so give it a moment when tagging was quicker.
        wait = deps.settle_s - (time.monotonic() - started)
        if wait > 0:
            time.sleep(wait)
        client.views_update(
            view_id=view["id"],
            view=nomination_views.confirm_view_of(rubric, lang, nv),
        )

    app.view(B.NOMINATE_VIEW)(ack=form_ack, lazy=[form_lazy])

    # ------------------------------------------------------------ form, step 2 (and "choose another")
    def _choice(view: dict) -> str | None:
        values = state(view)
        return selected(values, B.B_OTHER, "other") or selected(values, B.B_CHOICE, "choice")

    @guarded(deps, "ack")
    def confirm_ack(ack: Ack, body: dict, view: dict) -> None:
        user = body["user"]["id"]
        lang = deps.lang_for(user)
        meta = B.read_metadata(view)
        criterion = _choice(view)
        if not criterion:
            ack(response_action="errors", errors={B.B_OTHER: tx("modal.choose_required", lang)})
            return
        try:
            noms.confirm(ctx, int(meta["n"]), ref(user), criterion)
        except ServiceError as exc:
            ack(response_action="errors", errors={B.B_OTHER: B.cut(error_text(exc, lang, user, plain=True), 2000)})
            return
        nv = get_nomination(ctx, int(meta["n"]), ref(user))
        ack(
            response_action="update",
            view=B.info_view(lang, tx("modal.thanks_title", lang), thanks_text(deps, lang, nv)),
        )

    @guarded(deps)
    def confirm_lazy(body: dict, client: WebClient, view: dict) -> None:
        user = body["user"]["id"]
        meta = B.read_metadata(view)
        nv = get_nomination(ctx, int(meta["n"]), ref(user))
        if nv.criterion is None or nv.criterion != _choice(view):
            return  # refused in the acknowledgement
        if meta.get("ru"):  # opened from the one-line reply: replace its buttons with the thanks
            lang = deps.lang_for(user, client)
            text = thanks_text(deps, lang, nv)
            deps.webhook(meta["ru"]).send(text=text, blocks=[B.section(text)], replace_original=True)
        notify_nominee(deps, client, nv.id, user)

    app.view(B.CONFIRM_VIEW)(ack=confirm_ack, lazy=[confirm_lazy])

    # Closing the form after the nomination was stored cancels it (nothing is half-done).
    closed_ack = acknowledge(deps)

    @guarded(deps)
    def closed_lazy(body: dict, view: dict) -> None:
        meta = B.read_metadata(view)
        if view.get("callback_id") == B.CONFIRM_VIEW and not meta.get("cc"):
            return
        if meta.get("n"):
            with contextlib.suppress(ServiceError):  # confirmed meanwhile: nothing to cancel
                noms.cancel(ctx, int(meta["n"]), ref(body["user"]["id"]))

    app.view_closed(B.PROGRESS_VIEW)(ack=closed_ack, lazy=[closed_lazy])
    app.view_closed(B.CONFIRM_VIEW)(ack=closed_ack, lazy=[closed_lazy])
