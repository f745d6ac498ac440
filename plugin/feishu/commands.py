"""Parsing bot messages into commands.

Feishu has no slash commands for bots: people type `/nominate @someone story` as an ordinary
message, in a direct chat with the bot or in a group where they @-mention the bot. Mentions do not
arrive as names in the text but as placeholders (`@_user_1`, `@_user_2`, ...) with a `mentions`
list that maps each placeholder to an open_id and a display name. The bot's own mention is one of
them; it is recognised by the bot's open_id when known, otherwise as a mention standing before the
command word (in a group the bot only receives messages that mention it, so such a leading mention
is the bot).

Pure functions, no I/O: the parser is tested without a server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"@_user_\d+|@_all")
CRITERION = re.compile(r"^[a-z][a-z0-9_]*\.[1-9][0-9]*$")

# Command words, with Chinese aliases because many Feishu users type Chinese.
NOMINATE = {"nominate", "提名"}
VALUES = {"values", "价值观"}
SUBCOMMANDS = {
    "me": "me",
    "我": "me",
    "review": "review",
    "审核": "review",
    "concern": "concern",
    "关注": "concern",
    "help": "help",
    "帮助": "help",
}
MITIGATED = {"mitigated", "情有可原", "--mitigated"}
LEADING_PUNCT = " \t\r\n:：,，;；-—"


@dataclass(frozen=True)
class Mention:
    key: str  # "@_user_1"
    open_id: str | None
    name: str


@dataclass(frozen=True)
class Command:
    """One parsed command. `name`: nominate | values | me | review | concern | help."""

    name: str
    mentions: tuple[Mention, ...] = ()  # people mentioned after the command word, in order
    text: str = ""  # the rest, with other people's placeholders rendered as @Name
    criterion: str | None = None  # concern only
    mitigated: bool = False  # concern only


@dataclass(frozen=True)
class ParsedMessage:
    bot_mentioned: bool
    command: Command | None  # None: no command word (help in a direct chat, help when the bot is mentioned)
    raw_text: str = ""
    mentions: dict[str, Mention] = field(default_factory=dict)


def message_text(message_type: str, content: str) -> str:
    """The plain text of a `text` or `post` message (placeholders kept); other types have none."""
    try:
        data = json.loads(content or "{}")
    except ValueError:
        return ""
    if message_type == "text":
        return str(data.get("text", ""))
    if message_type == "post":
        # A received post is {"title": ..., "content": [[{tag, text | user_id}, ...], ...]};
        # sent posts wrap it in a language key, so accept both.
        body = data if "content" in data else next(iter(data.values()), {}) if data else {}
        lines = []
        for paragraph in body.get("content", []) or []:
            parts = []
            for el in paragraph or []:
                if el.get("tag") == "text":
                    parts.append(el.get("text", ""))
                elif el.get("tag") == "at":
                    parts.append(el.get("user_id") or el.get("key") or "")
                elif el.get("tag") == "a":
                    parts.append(el.get("text", ""))
            lines.append("".join(parts))
        title = body.get("title") or ""
        return "\n".join([title, *lines]).strip() if title else "\n".join(lines).strip()
    return ""


def mention_map(mentions: list[dict] | None) -> dict[str, Mention]:
    out: dict[str, Mention] = {}
    for m in mentions or []:
        key = m.get("key")
        if not key:
            continue
        ident = m.get("id") or {}
        open_id = ident.get("open_id") if isinstance(ident, dict) else None
        out[key] = Mention(key=key, open_id=open_id or None, name=str(m.get("name") or key))
    return out


def _render(text: str, mentions: dict[str, Mention]) -> str:
    """Placeholders become @Name, so a story reads naturally wherever it is shown later."""
    return PLACEHOLDER.sub(lambda m: "@" + mentions[m.group(0)].name if m.group(0) in mentions else "", text)


def parse_message(
    message_type: str, content: str, mentions: list[dict] | None, bot_open_id: str | None = None
) -> ParsedMessage:
    text = message_text(message_type, content).strip()
    people = mention_map(mentions)
    bot_keys = {k for k, m in people.items() if bot_open_id and m.open_id == bot_open_id}

    tokens = text.split()
    # Skip mentions (and stray punctuation) in front of the command word; without the bot's
    # open_id, a leading mention is taken to be the bot (see the module docstring).
    i = 0
    leading: list[str] = []
    while i < len(tokens) and (PLACEHOLDER.fullmatch(tokens[i]) or not tokens[i].strip(LEADING_PUNCT)):
        if PLACEHOLDER.fullmatch(tokens[i]):
            leading.append(tokens[i])
        i += 1
    if not bot_open_id:
        bot_keys |= set(leading)
    bot_mentioned = bool(bot_keys) or (not bot_open_id and bool(leading))
    others = {k: m for k, m in people.items() if k not in bot_keys}

    if i >= len(tokens):
        return ParsedMessage(bot_mentioned, None, text, others)
    word = tokens[i].lower().lstrip("/／")
    had_slash = tokens[i][:1] in "/／"
    rest_tokens = tokens[i + 1 :]
    # Keep the original spacing of the rest (stories may hold line breaks).
    rest = _after_tokens(text, i + 1)

    if word in NOMINATE:
        return ParsedMessage(bot_mentioned, _nominate(rest, others), text, others)
    if word in VALUES:
        if not rest_tokens:
            return ParsedMessage(bot_mentioned, Command("values"), text, others)
        sub = SUBCOMMANDS.get(rest_tokens[0].lower().lstrip("/"))
        if sub == "concern":
            return ParsedMessage(bot_mentioned, _concern(_after_tokens(text, i + 2), others), text, others)
        if sub in ("me", "review"):
            return ParsedMessage(bot_mentioned, Command(sub), text, others)
        return ParsedMessage(bot_mentioned, Command("help"), text, others)
    if had_slash or word in SUBCOMMANDS:
        return ParsedMessage(bot_mentioned, Command("help"), text, others)
    return ParsedMessage(bot_mentioned, None, text, others)


def _after_tokens(text: str, n: int) -> str:
    """The text after its first `n` whitespace-separated tokens, original spacing kept."""
    rest = text
    for _ in range(n):
        rest = rest.lstrip()
        cut = re.search(r"\s", rest)
        rest = rest[cut.start() :] if cut else ""
    return rest.strip()


def _first_person(rest: str, others: dict[str, Mention]) -> tuple[Mention | None, str]:
    """The first mentioned person in `rest`, and `rest` without that mention."""
    for match in PLACEHOLDER.finditer(rest):
        m = others.get(match.group(0))
        if m is not None:
            remaining = rest[: match.start()] + rest[match.end() :]
            return m, remaining
    return None, rest


def _nominate(rest: str, others: dict[str, Mention]) -> Command:
    nominee, story = _first_person(rest, others)
    story = _render(story, others).strip().lstrip(LEADING_PUNCT).strip()
    return Command("nominate", (nominee,) if nominee else (), story)


def _concern(rest: str, others: dict[str, Mention]) -> Command:
    subject, remaining = _first_person(rest, others)
    tokens = remaining.split()
    criterion = None
    mitigated = False
    used = 0
    for tok in tokens[:3]:
        low = tok.lower().strip(LEADING_PUNCT)
        if criterion is None and CRITERION.match(low):
            criterion = low
            used += 1
        elif low in MITIGATED:
            mitigated = True
            used += 1
        elif not low:
            used += 1
        else:
            break
    note = _render(_after_tokens(remaining, used), others).strip().lstrip(LEADING_PUNCT).strip()
    return Command("concern", (subject,) if subject else (), note, criterion, mitigated)
