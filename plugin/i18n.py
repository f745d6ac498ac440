"""Service refusals in Chinese and English: an accessor over the `service` section of the catalogue.

Services raise errors carrying a message key and parameters, never a rendered string, so every
platform shows the message in the reader's language. The words live in `liumai/messages/`.
"""

from __future__ import annotations

from liumai.messages import section

MESSAGES: dict[str, dict[str, str]] = section("service")


def lang_of(locale: str | None) -> str:
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def t(key: str, lang: str = "en", /, **params: object) -> str:
    entry = MESSAGES[key]
    return entry.get(lang_of(lang) if len(lang) > 2 else lang, entry["en"]).format(**params)
