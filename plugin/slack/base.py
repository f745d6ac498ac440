"""What every Slack handler shares: the services, the reader's language, and failure handling.

Handlers are thin: they read a Slack payload, call a service, and render the answer. Two rules
hold everywhere and live here so no handler can forget them:

- A refusal from a service (`ServiceError`) is shown to the user in their language and changes
  nothing; a crash is answered with a short apology carrying a reference id that is also in the
  log line (with the traceback), so support can find it - `guarded` does both.
- Language comes from the person's stored locale (the org chart), else from Slack's
  `users.info` locale, cached briefly so an acknowledgement never waits on a database or API.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from liumai.i18n import lang_of
from liumai.rubric.model import Rubric
from liumai.services.context import AppContext
from liumai.services.deliveries import profile
from liumai.services.errors import NotFound, ServiceError
from liumai.slack import views as B
from liumai.slack.settings import SlackConfig
from liumai.slack.texts import tx

PLATFORM = "slack"  # the platform name services key de-duplication claims by
LANG_TTL_S = 60.0


@dataclass
class Deps:
    """The services and settings handlers need, passed explicitly (no globals)."""

    ctx: AppContext
    config: SlackConfig
    logger: logging.Logger
    retry_handlers: list = field(default_factory=list)
    settle_s: float = 0.5  # see nomination_flow.py: lets Slack apply a response_action before views.update
    _langs: dict[str, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rubric(self) -> Rubric:
        return self.ctx.rubric

    def lang_for(self, user_id: str | None, client: WebClient | None = None) -> str:
        """zh or en for this Slack user: stored locale first, then Slack's, else English."""
        if not user_id:
            return "en"
        now = time.monotonic()
        with self._lock:
            hit = self._langs.get(user_id)
        if hit and now - hit[0] < LANG_TTL_S:
            return hit[1]
        lang, known = "en", False
        try:
            person = profile(self.ctx, ref(user_id))
            if person is not None:
                lang, known = lang_of(person.locale), True
            elif client is not None:
                info = client.users_info(user=user_id, include_locale=True)
                lang, known = lang_of((info.get("user") or {}).get("locale")), True
        except Exception as exc:  # language is a nicety: never fail a request over it
            self.logger.warning("could not resolve the language of %s: %s", user_id, exc.__class__.__name__)
        if known:  # a guess (no client to ask Slack) is not cached, so a later call can ask
            with self._lock:
                self._langs[user_id] = (now, lang)
        return lang

    def webhook(self, url: str) -> WebhookClient:
        """A response_url client with the same retry handlers as the Web API client (429s)."""
        return WebhookClient(url, logger=self.logger, retry_handlers=list(self.retry_handlers))


def ref(user_id: str) -> str:
    """How services name a Slack user."""
    return f"slack:{user_id}"


def user_id_of(body: dict) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id") or (body.get("event") or {}).get("user")


def error_text(exc: ServiceError, lang: str, own_user: str | None = None, *, plain: bool = False) -> str:
    """A service refusal in the reader's language, with Slack refs shown as mentions (or words)."""
    if isinstance(exc, NotFound) and exc.key == "person.unknown":
        who = str(exc.params.get("who", ""))
        if own_user and who == ref(own_user):
            return tx("not_in_org_plain" if plain else "not_in_org", lang)
        if who.startswith("slack:"):
            return tx("unknown_person_plain", lang) if plain else tx("unknown_person", lang, who=f"<@{who[6:]}>")
    params = dict(exc.params)
    for k, v in params.items():
        if isinstance(v, str) and v.startswith("slack:"):
            params[k] = tx("this_person", lang) if plain else f"<@{v[6:]}>"
    try:
        return type(exc)(exc.key, **params).message(lang)
    except Exception:
        return exc.message(lang)


def new_ref() -> str:
    return uuid.uuid4().hex[:10]


def _tell(deps: Deps, kwargs: dict[str, Any], text: str, lang: str, phase: str) -> None:
    """Deliver a message about a failed request by whatever channel the request offers."""
    body: dict = kwargs.get("body") or {}
    client: WebClient | None = kwargs.get("client")
    ack = kwargs.get("ack")
    if phase == "ack" and ack is not None and getattr(ack, "response", None) is None:
        if body.get("type") == "view_submission":
            ack(response_action="update", view=B.info_view(lang, tx("modal.error_title", lang), text))
            return
        if body.get("command"):
            ack(text=text, response_type="ephemeral")
            return
        ack()
    url = body.get("response_url")
    view = body.get("view") or {}
    if url:
        deps.webhook(url).send(text=text, response_type="ephemeral", replace_original=False)
    elif client is not None and view.get("type") == "modal" and view.get("id"):
        client.views_update(view_id=view["id"], view=B.info_view(lang, tx("modal.error_title", lang), text))
    elif client is not None and (user_id := user_id_of(body)):
        client.chat_postMessage(channel=user_id, text=text)


def guarded(deps: Deps, phase: str = "lazy") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a Bolt listener: refusals are shown, crashes get an apology with a logged reference.

    `phase` is "ack" for the function that must acknowledge (an unacknowledged crash is
    acknowledged with the apology itself) or "lazy" for work after the acknowledgement.
    """

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def run(**kwargs: Any) -> Any:
            try:
                return func(**kwargs)
            except ServiceError as exc:
                user = user_id_of(kwargs.get("body") or {})
                lang = deps.lang_for(user)
                try:
                    _tell(deps, kwargs, error_text(exc, lang, user), lang, phase)
                except Exception:
                    deps.logger.exception("could not deliver a refusal to %s", user)
            except Exception as exc:
                reference = new_ref()
                body = kwargs.get("body") or {}
                user = user_id_of(body)
                deps.logger.exception(
                    "slack handler %s failed [ref %s] (user %s, %s): %s",
                    func.__name__,
                    reference,
                    user,
                    body.get("type") or body.get("command") or "?",
                    exc.__class__.__name__,
                )
                lang = deps.lang_for(user)
                try:
                    _tell(deps, kwargs, tx("apology", lang, ref=reference), lang, phase)
                except Exception as tell_exc:  # never raise from the error path
                    deps.logger.error("could not deliver apology [ref %s]: %s", reference, tell_exc.__class__.__name__)
            return None

        return run

    return wrap


def acknowledge(deps: Deps) -> Callable[..., Any]:
    """A listener that only acknowledges (at once), for entry points whose work is all lazy."""

    @guarded(deps, "ack")
    def ack_now(ack: Ack, body: dict) -> None:
        ack()

    return ack_now


def slack_call(deps: Deps, what: str, fn: Callable[[], Any]) -> Any:
    """Call the Web API where a failure is not worth an apology (e.g. a DM); log and carry on."""
    try:
        return fn()
    except SlackApiError as exc:
        deps.logger.warning("slack %s failed: %s", what, exc.response.get("error") if exc.response else exc)
    return None


def reply(respond: Respond, text: str | None = None, blocks: list | None = None, replace: bool = False) -> None:
    """An ephemeral answer through the response_url (only the asker sees it, in any channel)."""
    fallback = text or (blocks and first_text(blocks)) or "Liumai"
    respond(text=fallback, blocks=blocks or [B.section(fallback)], response_type="ephemeral", replace_original=replace)


def first_text(blocks: list) -> str:
    """The first section's text: the notification fallback of a message of blocks."""
    for b in blocks:
        t = b.get("text")
        if isinstance(t, dict) and t.get("text"):
            return t["text"]
    return "Liumai"


class Subcommands:
    """A group of `/values` subcommands (records, reports): the app's dependencies and the name
    the command was installed under, for the usage lines it prints."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.ctx = deps.ctx

    @property
    def cmd(self) -> str:
        return self.deps.config.values_command
