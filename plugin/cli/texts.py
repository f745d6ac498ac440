"""The CLI's texts, in the language of `--lang` (or LIUMAI_LANG / LANG): the catalogue's `cli` section.

Refusals that come from the services are rendered from the `service` section instead. The words
live in `liumai/messages/{en,zh}.toml`.
"""

from __future__ import annotations

from liumai.cli.common import STATE
from liumai.messages import section

TEXTS: dict[str, dict[str, str]] = section("cli")


_ABSTAIN = (
    ("too short to be evidence", "abstain.too_short"),
    ("the story's words are almost all foreign", "abstain.foreign"),
    ("no behaviour matched well enough", "abstain.no_match"),
    ("too few words of the story", "abstain.few_words"),
    ("reads as a chat message", "abstain.off_topic"),
    ("empty story", "abstain.empty"),
)


def abstain_text(reason: str | None, lang: str) -> str:
    """A tagger's reason for abstaining in `lang`: the offline tagger's fixed reasons are translated."""
    reason = reason or ""
    for prefix, key in _ABSTAIN:
        if reason.startswith(prefix):
            detail = reason[len("no behaviour matched well enough") :] if key == "abstain.no_match" else ""
            if detail and lang == "zh":
                detail = detail.replace("best lexical score", "最高词汇得分").replace("(", "（").replace(")", "）")
            return text_in(key, lang, detail=detail)
    return text_in("abstain.other", lang, reason=reason)


def text_in(key: str, lang: str, **params: object) -> str:
    """The text in `lang`, whatever `--lang` says (e.g. `rubric explain --lang en`)."""
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**params)


def tr(key: str, **params: object) -> str:
    """The text in the CLI's language (`--lang`)."""
    entry = TEXTS[key]
    return entry.get(STATE.lang, entry["en"]).format(**params)
