"""Posting weekly digests to a team's Feishu group: the `DigestPoster` of `liumai.services.digest`.

`post_digest` claims a (team, week, "feishu:<chat>") run in the database before posting and records
it after, so one post per team, week and group survives two servers; what it cannot see is a crash *between* our send
and its record. Feishu offers two defences and we use both:
- the send carries a `uuid` derived from the digest's dedupe key and the chat, so a retry within
  the hour returns the first message instead of posting again (Feishu keeps uuids for one hour);
- `already_posted` looks in the group itself, which works however long ago the crash was: it lists
  the chat's messages since the start of the digest's week (newest first, a bounded number of
  pages) and looks for a card sent by this app carrying the digest's marker - the dedupe key, in
  a small note at the bottom of the card. Feishu's card JSON has no invisible field that survives
  the message-list API (which returns a card's displayed text, or its raw JSON where supported),
  so the marker is visible, in notation size, as a reference line.

Listing a group's history needs the `im:message.group_msg` scope. Without it (or if the listing
fails) `already_posted` logs a warning and answers False, leaving the uuid as the only guard -
a missed post is worse than a rare duplicate after a crash more than an hour old.

Language: a digest goes to a whole group, so it is Chinese unless every active member of the team
reads English (`locale` en-*), matching the adapter's "Chinese by default" rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from liumai.feishu.client import FeishuApi, FeishuApiError
from liumai.feishu.report_cards import digest_feishu_card
from liumai.feishu.texts import DEFAULT_LANG, lang_for
from liumai.periods import week_bounds
from liumai.services.context import AppContext
from liumai.services.digest import Digest, TeamChannels
from liumai.services.org import team_locales

log = logging.getLogger(__name__)

PLATFORM = "feishu"
SCAN_PAGES = 10  # x 50 messages: a week of a busy group; the digest is usually among the newest


def marker(digest: Digest) -> str:
    """The reference line a posted digest carries; `already_posted` searches for it."""
    return f"ref {digest.dedupe_key}"


def team_lang(ctx: AppContext, team_key: str) -> str:
    """Chinese unless every active member of the team reads English (an unknown team: Chinese)."""
    langs = {lang_for(loc) for loc in team_locales(ctx, team_key)}
    return "en" if langs == {"en"} else DEFAULT_LANG


def digest_card(ctx: AppContext, digest: Digest, lang: str) -> dict:
    """The shared renderer's card plus our marker note (schema 1.0 `note` element)."""
    card = digest_feishu_card(digest, ctx.rubric, lang)
    card.setdefault("elements", []).append(
        {"tag": "note", "elements": [{"tag": "plain_text", "content": marker(digest)}]}
    )
    return card


class FeishuDigestPoster:
    """`liumai.services.digest.DigestPoster` for Feishu groups (a team's `feishu_chat_id`)."""

    platform = PLATFORM

    def __init__(self, ctx: AppContext, api: FeishuApi, *, lang_of: Callable[[str], str] | None = None) -> None:
        self.ctx = ctx
        self.api = api
        self.lang_of = lang_of or (lambda key: team_lang(ctx, key))

    def target(self, team: TeamChannels) -> str | None:
        return team.feishu_chat_id or None

    def _uuid_key(self, target: str, digest: Digest) -> str:
        return f"{digest.dedupe_key}:{target}"

    def _is_ours(self, item: Any, needle: str) -> bool:
        sender = getattr(item, "sender", None)
        if sender is None or getattr(sender, "sender_type", None) != "app":
            return False
        if self.api.app_id and getattr(sender, "id", None) not in (None, "", self.api.app_id):
            return False
        if getattr(item, "deleted", False) or getattr(item, "msg_type", None) != "interactive":
            return False
        body = getattr(item, "body", None)
        content = getattr(body, "content", None) or ""
        return needle in content

    def already_posted(self, target: str, digest: Digest) -> bool:
        """Whether the group already holds this digest (a card of ours with its marker)."""
        needle = marker(digest)
        try:
            start, _end = week_bounds(digest.week, self.ctx.settings.tz)
            since = int(start.timestamp())
        except ValueError:
            since = None
        try:
            for item in self.api.chat_messages(target, start_time_s=since, max_pages=SCAN_PAGES):
                if self._is_ours(item, needle):
                    log.info("digest %s already in %s (message %s)", digest.dedupe_key, target, item.message_id)
                    return True
        except FeishuApiError as exc:
            log.warning(
                "digest %s: cannot list %s's messages (%s); relying on the send uuid alone - "
                "grant the app im:message.group_msg for crash recovery beyond an hour",
                digest.dedupe_key,
                target,
                exc,
            )
        return False

    def post(self, target: str, digest: Digest) -> str:
        card = digest_card(self.ctx, digest, self.lang_of(digest.team_key))
        return self.api.send_card(target, card, id_type="chat_id", dedup=self._uuid_key(target, digest))
