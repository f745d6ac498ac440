"""What the Feishu bot says, in Chinese (the default) and English.

Feishu is used mostly in Chinese-speaking companies, so a person whose locale is unknown - or who
is not in the org chart yet - reads Chinese; people whose stored locale is English read English.
Service refusals are rendered by the services' own message keys (`ServiceError.message(lang)`),
so the wording of a refusal is the same on Slack, Feishu and the CLI. The words live in the
message catalogue (`liumai/messages/`, section `feishu`, and `chat` for what
Slack says too: one sentence on both platforms, where Feishu fills in plain code (no quotes), the
`/values` command and its "Feishu group").
"""

from __future__ import annotations

import re

from liumai.i18n import lang_of
from liumai.messages import section
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric

DEFAULT_LANG = "zh"

TEXTS: dict[str, dict[str, str]] = section("feishu")
SHARED: dict[str, dict[str, str]] = section("chat")
VALUES_COMMAND = "/values"  # Feishu bots have no slash commands to rename: people type the word


def lang_for(locale: str | None) -> str:
    """zh unless the stored locale is clearly English (unknown people read Chinese)."""
    if not locale:
        return DEFAULT_LANG
    return lang_of(locale)


def tr(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang`: Feishu's own section first, then the sentences shared with Slack."""
    entry = TEXTS.get(key)
    if entry is None:
        entry = SHARED[key]
        defaults = {"q": "", "cmd": VALUES_COMMAND, "place": _pick(SHARED["place.feishu"], lang)}
        params = {**defaults, "hint": _pick(SHARED["try_later"], lang), **params}
    return _pick(entry, lang).format(**params)


def _pick(entry: dict[str, str], lang: str) -> str:
    return entry.get(lang, entry[DEFAULT_LANG])


def status_name(status: str, lang: str) -> str:
    """A workflow state in the reader's words (the same as Slack's); an unknown one as it is."""
    entry = SHARED.get(f"status.{status}")
    return _pick(entry, lang) if entry else status


def behaviour_label(rubric: Rubric, criterion: str, lang: str, *, short: int | None = None) -> str:
    """`teamwork.3 团队合作 · 第3级：…` - the id stays visible, since ids are what every interface shares."""
    try:
        b = rubric.behaviour(criterion)
    except KeyError:
        return criterion
    value = rubric.value(b.value_key).names.get(lang)
    statement = b.statement.get(lang)
    if short is not None and len(statement) > short:
        statement = statement[: short - 1].rstrip() + "…"
    return tr("behaviour", lang, criterion=criterion, value=value, level=b.level, statement=statement)


_MARKUP = re.compile(r"\*\*|~~|__|\]\(")


def inert(text: str) -> str:
    """User text made harmless for a Feishu *text* message, which renders `<at>` tags, `**bold**`,
    `~~strike~~` and `[link](url)`: control characters stripped, `<`/`>` full-width (no tags), broadcast
    mentions defused and markup runs broken with a zero-width space. Cards use plain_text instead."""
    out = esc.feishu_text(text)
    return _MARKUP.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], out)


def clip(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
