"""The Slack app's texts: an accessor over the `slack` section of the message catalogue.

The words live in `liumai/messages/{en,zh}.toml` (one vocabulary per language, see its glossary).
Service refusals come from the `service` section through `ServiceError.message(lang)`, identical
on every platform. Keys ending in `_plain` go into plain_text fields (modal titles, labels, inline
errors) where Slack does not render mrkdwn, so they carry no `*bold*` or mentions.
"""

from __future__ import annotations

from liumai.messages import section

TEXTS: dict[str, dict[str, str]] = section("slack")


def tx(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang` (zh or en), with its placeholders filled."""
    entry = TEXTS[key]
    text = entry["zh"] if lang.startswith("zh") else entry["en"]
    return text.format(**params) if params else text
