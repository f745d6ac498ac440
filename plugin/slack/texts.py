"""The Slack app's texts: an accessor over the `slack` and `chat` sections of the message catalogue.

The words live in `liumai/messages/{en,zh}.toml` (one vocabulary per language, see its glossary).
What Slack and Feishu both say is one sentence in the shared `chat` section; Slack fills in its
own bits there: code in backticks (`{q}`), its "Slack channel" (`{place}`) and its advice after
a failure (`{hint}`, the key's `_hint` entry in the `slack` section).
Service refusals come from the `service` section through `ServiceError.message(lang)`, identical
on every platform. Keys ending in `_plain` go into plain_text fields (modal titles, labels, inline
errors) where Slack does not render mrkdwn, so they carry no `*bold*` or mentions.
"""

from __future__ import annotations

from liumai.messages import section

TEXTS: dict[str, dict[str, str]] = section("slack")
SHARED: dict[str, dict[str, str]] = section("chat")


def tx(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang` (zh or en), with its placeholders filled; Slack's own section
    first, then the sentences shared with Feishu (with Slack's markup and words filled in)."""
    entry = TEXTS.get(key)
    if entry is None:
        entry = SHARED[key]
        hint = TEXTS.get(f"{key}_hint")  # Slack's own advice after a failure, e.g. a missing scope
        defaults = {"q": "`", "place": _pick(SHARED["place.slack"], lang), "hint": _pick(hint, lang) if hint else ""}
        params = {**defaults, **params}
    text = _pick(entry, lang)
    return text.format(**params) if params else text


def _pick(entry: dict[str, str], lang: str) -> str:
    return entry["zh"] if lang.startswith("zh") else entry["en"]
