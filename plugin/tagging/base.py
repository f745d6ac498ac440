"""The Tagger protocol and its result types, shared by the offline and LLM taggers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

MAX_SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    criterion: str  # rubric behaviour id, e.g. teamwork.3
    polarity: str  # conforming | non_conforming
    confidence: float  # 0..1
    quote: str  # words of the story the suggestion relies on (a substring, after normalisation)
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Up to three ranked suggestions, or an explicit abstain with a reason."""

    items: tuple[Suggestion, ...]
    tagger: str  # offline | llm | llm_fallback
    rubric_version: str
    model: str = ""
    prompt_version: str = ""
    abstain_reason: str | None = None
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def abstained(self) -> bool:
        return not self.items

    @property
    def top(self) -> Suggestion | None:
        return self.items[0] if self.items else None


@dataclass(frozen=True, slots=True)
class TagContext:
    """What a tagger may know besides the story. Never names or ids of people (privacy)."""

    lang: str | None = None  # zh | en; detected from the story when None
    value_hint: str | None = None  # a value key the nominator suggested


@runtime_checkable
class Tagger(Protocol):
    name: str

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions: ...


_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, collapsed whitespace, casefolded: the form quotes are compared in."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def quote_in_story(quote: str, story: str) -> bool:
    q = normalise(quote)
    return bool(q) and q in normalise(story)


def detect_lang(text: str) -> str:
    """zh when CJK characters make up a meaningful share of the letters, else en."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"
