"""Parsing bot messages into commands (the shared command model, as Slack's `liumai.slack.parsing`).

Feishu has no slash commands for bots: people type `/nominate @someone story` as an ordinary
message, in a direct chat with the bot or in a group where they @-mention the bot. Mentions do not
arrive as names in the text but as placeholders (`@_user_1`, `@_user_2`, ...) with a `mentions`
list that maps each placeholder to an open_id and a display name. The bot's own mention is one of
them; it is recognised by the bot's open_id when known, otherwise as a mention standing before the
command word (in a group the bot only receives messages that mention it, so such a leading mention
is the bot).

Pure functions, no I/O: the parser is tested without a server. Message content is whatever the
platform (or someone forging it) sends, so every step tolerates malformed input - content that is
not JSON or not an object, mentions that are not a list or whose keys match nothing, lone
surrogates - and degrades to "no command" (which gets the help reply) rather than raising.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from liumai.command_args import parse_report_words
from liumai.commands import NOMINATE, VALUES, WITH_ARGS, subcommand

PLACEHOLDER = re.compile(r"@_user_\d+|@_all")
# Feishu ids (open_id ou_..., chat oc_..., message om_..., event ids): a forged payload could carry
# anything, and an id is looked up in the database, where e.g. a NUL character is an error.
IDENT = re.compile(r"^[A-Za-z0-9_\-.:]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CRITERION = re.compile(r"^[a-z][a-z0-9_]*\.[1-9][0-9]*$")

# Command words and `/values` subcommands with their Chinese aliases: the shared command model.
MITIGATED = {"mitigated", "情有可原", "--mitigated"}
LEADING_PUNCT = " \t\r\n:：,，;；-—"


@dataclass(frozen=True)
class Mention:
    key: str  # "@_user_1"
    open_id: str | None
    name: str


@dataclass(frozen=True)
class Command:
    """One parsed command. `name`: nominate | values | me | review | concern | help, or one of
    `WITH_ARGS` (evidence | summary | team | digest | export | erase | calibration)."""

    name: str
    mentions: tuple[Mention, ...] = ()  # people mentioned after the command word, in order
    text: str = ""  # the rest, with other people's placeholders rendered as @Name
    criterion: str | None = None  # concern only
    mitigated: bool = False  # concern only
    args: tuple[str, ...] = ()  # WITH_ARGS: the words that are not mentions (quarter, team key, flags)


@dataclass(frozen=True)
class ParsedMessage:
    bot_mentioned: bool
    command: Command | None  # None: no command word (help in a direct chat, help when the bot is mentioned)
    raw_text: str = ""
    mentions: dict[str, Mention] = field(default_factory=dict)


def _safe(text: str) -> str:
    """Lone surrogates (JSON can carry `\\ud800`) cannot be encoded as UTF-8 anywhere later."""
    return text.encode("utf-8", "replace").decode("utf-8")


def ident(value: object) -> str:
    """A well-formed Feishu id, or "" (treated like a missing one)."""
    return value if isinstance(value, str) and IDENT.match(value) else ""


def message_text(message_type: str, content: object) -> str:
    """The plain text of a `text` or `post` message (placeholders kept); other types have none."""
    if not isinstance(content, str):
        return ""
    try:
        data = json.loads(content or "{}")
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return ""
    if not isinstance(data, dict):
        return ""
    if message_type == "text":
        text = data.get("text", "")
        return _safe(text) if isinstance(text, str) else ""
    if message_type == "post":
        return _safe(_post_text(data))
    return ""


def _post_text(data: dict) -> str:
    """A received post is {"title": ..., "content": [[{tag, text | user_id}, ...], ...]}; sent posts
    wrap it in a language key, so accept both."""
    body: object = data if "content" in data else next(iter(data.values()), {}) if data else {}
    if not isinstance(body, dict):
        return ""
    paragraphs = body.get("content")
    lines = [_post_line(p) for p in (paragraphs if isinstance(paragraphs, list) else [])]
    title = body.get("title") if isinstance(body.get("title"), str) else ""
    return "\n".join([title, *lines]).strip() if title else "\n".join(lines).strip()


def _post_line(paragraph: object) -> str:
    """One paragraph of a post: its text and link runs, and mentions as their placeholders."""
    parts = []
    for el in paragraph if isinstance(paragraph, list) else []:
        if not isinstance(el, dict):
            continue
        if el.get("tag") in ("text", "a"):
            value = el.get("text", "")
        elif el.get("tag") == "at":
            value = el.get("user_id") or el.get("key") or ""
        else:
            continue
        parts.append(value if isinstance(value, str) else "")
    return "".join(parts)


def mention_map(mentions: object) -> dict[str, Mention]:
    """Placeholder -> person; entries that are not shaped like Feishu's are skipped."""
    out: dict[str, Mention] = {}
    for m in mentions if isinstance(mentions, list) else []:
        if not isinstance(m, dict):
            continue
        key = m.get("key")
        if not key or not isinstance(key, str):
            continue
        ids = m.get("id") or {}
        open_id = ids.get("open_id") if isinstance(ids, dict) else None
        name = m.get("name")
        out[key] = Mention(
            key=key,
            open_id=ident(open_id) or None,
            name=_safe(name) if isinstance(name, str) and name else key,
        )
    return out


def _render(text: str, mentions: dict[str, Mention]) -> str:
    """Placeholders become @Name, so a story reads naturally wherever it is shown later."""
    return PLACEHOLDER.sub(lambda m: "@" + mentions[m.group(0)].name if m.group(0) in mentions else "", text)


def parse_message(
    message_type: object, content: object, mentions: object, bot_open_id: str | None = None
) -> ParsedMessage:
    text = message_text(message_type if isinstance(message_type, str) else "", content).strip()
    people = mention_map(mentions)
    bot_keys = {k for k, m in people.items() if bot_open_id and m.open_id == bot_open_id}

    tokens = text.split()
    i, leading = _skip_leading(tokens)
    if not bot_open_id:
        bot_keys |= set(leading)
    bot_mentioned = bool(bot_keys) or (not bot_open_id and bool(leading))
    others = {k: m for k, m in people.items() if k not in bot_keys}
    command = _command(text, tokens, i, others) if i < len(tokens) else None
    return ParsedMessage(bot_mentioned, command, text, others)


def _skip_leading(tokens: list[str]) -> tuple[int, list[str]]:
    """Skip mentions (and stray punctuation) in front of the command word: the index of the word,
    and the mentions skipped; without the bot's open_id, a leading mention is taken to be the bot
    (see the module docstring)."""
    i = 0
    leading: list[str] = []
    while i < len(tokens) and (PLACEHOLDER.fullmatch(tokens[i]) or not tokens[i].strip(LEADING_PUNCT)):
        if PLACEHOLDER.fullmatch(tokens[i]):
            leading.append(tokens[i])
        i += 1
    return i, leading


def _command(text: str, tokens: list[str], i: int, others: dict[str, Mention]) -> Command | None:
    """The command whose word is `tokens[i]`: `/nominate ...`, `/values [sub] ...`, help, or none."""
    word = tokens[i].lower().lstrip("/／")
    had_slash = tokens[i][:1] in "/／"
    if word in NOMINATE:
        # Keep the original spacing of the rest (stories may hold line breaks).
        return _nominate(_after_tokens(text, i + 1), others)
    if word in VALUES:
        return _values(text, tokens[i + 1 :], i, others)
    if had_slash or subcommand(word) is not None:
        return Command("help")
    return None


def _values(text: str, rest_tokens: list[str], i: int, others: dict[str, Mention]) -> Command:
    """`/values` and its subcommand (the shared command model's words and aliases)."""
    if not rest_tokens:
        return Command("values")
    sub = subcommand(rest_tokens[0])
    if sub == "concern":
        return _concern(_after_tokens(text, i + 2), others)
    if sub in ("me", "review"):
        return Command(sub)
    if sub in WITH_ARGS:
        return _with_args(sub, _after_tokens(text, i + 2), others)
    return Command("help")


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


def _with_args(name: str, rest: str, others: dict[str, Mention]) -> Command:
    """People mentioned (known placeholders, in order) and the remaining words, in any order."""
    people = tuple(others[m.group(0)] for m in PLACEHOLDER.finditer(rest) if m.group(0) in others)
    # Words end up in queries (a team key): no control characters, which PostgreSQL may refuse.
    words = (_CONTROL.sub("", w).strip(LEADING_PUNCT) for w in PLACEHOLDER.sub(" ", rest).split())
    return Command(name, people, args=tuple(w for w in words if w))


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


@dataclass(frozen=True)
class Args:
    """The plain words of a command, sorted into what they can mean."""

    quarter: str | None = None
    week: str | None = None
    preview: bool = False
    subtree: bool = False
    words: tuple[str, ...] = ()  # anything else, e.g. a team key

    @classmethod
    def of(cls, cmd: Command) -> Args:
        # The shared grammar; a malformed quarter or week is passed on as written, and the
        # service's own refusal ("not a quarter") explains it.
        a = parse_report_words(cmd.args)
        quarter, week = a.quarter, a.week
        if a.bad and a.bad[0] == "args.quarter":
            quarter = a.bad[1].upper().replace("-", "")
        elif a.bad and a.bad[0] == "args.week":
            y, w = re.split(r"-?[wW]", a.bad[1])
            week = f"{y}-W{int(w):02d}"
        return cls(quarter, week, a.preview, a.subtree, a.words)
