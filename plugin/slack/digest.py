"""Posting weekly digests to a team's Slack channel: the `DigestPoster` of `liumai.services.digest`.

`post_digest` claims a (team, week, "slack:<channel>") run in the database before posting and
records it after, so one post per team, week and channel holds across replicas; what it cannot see by itself is a crash
*between* Slack accepting our message and the database recording it. Slack gives us a place to
look: every digest is posted with message metadata

    {"event_type": "liumai_digest", "event_payload": {"key": "liumai-digest:<team>:<week>"}}

which is invisible to readers and comes back from `conversations.history` when asked for
(`include_all_metadata=true`). `already_posted` reads the channel's history since the start of the
digest's week (newest first, a bounded number of pages) and looks for our key in a message of our
own bot, so the run that takes over after a crash finds the first post instead of doubling it.

Reading history needs `channels:history` (public channels) and `groups:history` (private ones).
Without them - an install made before the scopes were added - or when the read fails for another
reason, `already_posted` logs a WARNING naming the scopes and answers False: a missed digest is
worse than a rare duplicate after a crash.

Language: a digest goes to a whole channel, so it is written in the language most of the team's
active members read (their `locale` in the org chart); a tie - or a team with nobody active - gets
Chinese, the rubric's own language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from liumai.i18n import lang_of
from liumai.periods import week_bounds
from liumai.reports.digest_render import tr as dtr
from liumai.services.context import AppContext
from liumai.services.digest import Digest, TeamChannels
from liumai.services.org import team_locales
from liumai.slack.report_blocks import digest_slack_blocks
from liumai.slack.views import escape

PLATFORM = "slack"
EVENT_TYPE = "liumai_digest"
HISTORY_PAGE = 200  # messages per conversations.history page (Slack allows up to 999; 200 is its advice)
HISTORY_PAGES = 5  # a week of a busy channel; the digest is usually among the newest

log = logging.getLogger(__name__)


def team_lang(ctx: AppContext, team_key: str) -> str:
    """The language most of the team's active members read; ties and empty teams get Chinese.

    Who is in the team is the services' answer (`team_locales`); only the majority rule - a
    channel message has one language - is the adapter's.
    """
    langs = [lang_of(loc) for loc in team_locales(ctx, team_key)]
    return "en" if langs.count("en") > langs.count("zh") else "zh"


def digest_metadata(digest: Digest) -> dict:
    """The message metadata that marks a post as this digest (what `already_posted` looks for)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": digest.dedupe_key}}


class SlackDigestPoster:
    """`liumai.services.digest.DigestPoster` for Slack channels (a team's `slack_channel_id`).

    `client` gives the bot's WebClient when a post is due (None: no workspace to post to), so the
    poster can be built at start-up, before an OAuth install exists, and `/values digest` can pass
    the request's own client.
    """

    platform = PLATFORM

    def __init__(
        self,
        ctx: AppContext,
        client: Callable[[], WebClient | None],
        *,
        lang_of_team: Callable[[str], str] | None = None,
        logger: logging.Logger | None = None,
        pages: int = HISTORY_PAGES,
    ) -> None:
        self.ctx = ctx
        self._client = client
        self.lang_of_team = lang_of_team or (lambda key: team_lang(ctx, key))
        self.log = logger or log
        self.pages = pages
        self._bot_id: str | None = None

    def client(self) -> WebClient:
        c = self._client()
        if c is None:
            raise RuntimeError("no Slack bot token: install the app into a workspace first")
        return c

    def target(self, team: TeamChannels) -> str | None:
        return (team.slack_channel_id or "").strip() or None

    def _ours(self, client: WebClient, message: dict) -> bool:
        """Posted by our bot (another app could post a look-alike key; it must not block ours)."""
        bot_id = message.get("bot_id")
        if not bot_id:
            return False
        if self._bot_id is None:
            try:
                self._bot_id = str(client.auth_test().get("bot_id") or "")
            except SlackApiError:
                return True  # cannot tell: trust the key rather than post twice
        return not self._bot_id or bot_id == self._bot_id

    def already_posted(self, target: str, digest: Digest) -> bool:
        """Whether the channel already holds this digest (a message of ours with its metadata key)."""
        client = self.client()
        try:
            start, _end = week_bounds(digest.week, self.ctx.settings.tz)
            oldest = f"{start.timestamp():.6f}"
        except ValueError:
            oldest = "0"
        cursor: str | None = None
        try:
            for _ in range(self.pages):
                resp = client.conversations_history(
                    channel=target, oldest=oldest, limit=HISTORY_PAGE, include_all_metadata=True, cursor=cursor
                )
                for message in resp.get("messages") or []:
                    meta = message.get("metadata") or {}
                    payload = meta.get("event_payload") or {}
                    if (
                        meta.get("event_type") == EVENT_TYPE
                        and payload.get("key") == digest.dedupe_key
                        and self._ours(client, message)
                    ):
                        self.log.info("digest %s already in %s (ts %s)", digest.dedupe_key, target, message.get("ts"))
                        return True
                cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as exc:
            self.log.warning(
                "digest %s: cannot read the history of %s (%s); posting without the crash check - grant the "
                "app channels:history and groups:history and invite it to the channel",
                digest.dedupe_key,
                target,
                exc.response.get("error") if exc.response else exc.__class__.__name__,
            )
        return False

    def post(self, target: str, digest: Digest) -> str:
        """chat.postMessage with the digest's blocks and its metadata key; returns the message ts."""
        lang = self.lang_of_team(digest.team_key)
        blocks = digest_slack_blocks(digest, self.ctx.rubric, lang)
        name = digest.team_name_zh if lang == "zh" else digest.team_name_en
        # The notification text is plain: no formatting, nothing from a story, no mentions.
        text = escape(f"{dtr('title', lang)} · {name} · {digest.week}")
        resp = self.client().chat_postMessage(
            channel=target,
            text=text,
            blocks=blocks,
            metadata=digest_metadata(digest),
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(resp.get("ts"))
