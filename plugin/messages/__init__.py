"""One message catalogue for every surface: the CLI, Slack, Feishu, the reports and service refusals.

Format: one TOML file per locale (`en.toml`, `zh.toml`) plus `glossary.toml`, read once with
`importlib.resources` and `tomllib` (standard library). Why not gettext + Babel, the ecosystem's
convention: gettext keys messages by their English source text, so the Slack and Feishu wording of
one message (mrkdwn vs lark_md) would be two msgids and nothing would tie them to one key; it also
needs a compile step (.po -> .mo) in the build and in every test run. Here each message has a
stable key (`section.key`), the two locale files have the same keys, and tests/test_messages.py
checks what gettext tooling would not: no key missing in one language, the same `{placeholders}`
in both, and every glossary term spelled the glossary's way (no forbidden synonym).

Sections: `service` (refusals, `ServiceError.message`), `cli`, `slack`, `feishu`, `chat` (what
both chat platforms say, one sentence each), `summary`, `digest`, `rule`,
`explain`, `demo` (`liumai demo`), `rubric_file` (a rubric file's problems, rendered at the edge
since `liumai.rubric` imports nothing of the project), `config` (settings that cannot be used).
The platform modules (`liumai.slack.texts`, `liumai.feishu.texts`,
`liumai.cli.texts`, `liumai.i18n`) are thin accessors over `section(...)`; the words live here.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("en", "zh")


@cache
def _load(name: str) -> dict[str, Any]:
    with resources.files(__package__).joinpath(f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def section(name: str) -> dict[str, dict[str, str]]:
    """`{key: {"en": text, "zh": text}}` for one section: the shape the platform modules index."""
    en, zh = _load("en")[name], _load("zh")[name]
    return {key: {"en": en[key], "zh": zh.get(key, en[key])} for key in en}


def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """Every section of one locale file (tests, tooling)."""
    return _load(lang)


def glossary() -> dict[str, dict[str, object]]:
    """The fixed word for each rubric and workflow term: `{term: {en, zh, zh_forbidden, ...}}`."""
    return _load("glossary")["term"]


def t(key: str, lang: str = "en", /, **params: object) -> str:
    """The message `section.key` in `lang` (zh or en, or a locale like zh-CN), placeholders filled."""
    name, _, rest = key.partition(".")
    entry = section(name)[rest]
    text = entry["zh"] if lang.lower().startswith("zh") else entry["en"]
    return text.format(**params) if params else text


def in_lang(lang: str) -> Callable[..., str]:
    """`t` bound to one language: how a problem that carries only a message key (such as a
    rubric file's, `liumai.rubric.loader.Problem.render`) is put in words at the edge."""
    return functools.partial(_t_in, lang)


def _t_in(lang: str, key: str, /, **params: object) -> str:
    return t(key, lang, **params)


__all__ = ["LANGS", "catalogue", "glossary", "in_lang", "section", "t"]
