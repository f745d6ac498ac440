"""The Tagger protocol and its result types, shared by the offline and LLM taggers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

MAX_SUGGESTIONS = 3
# Bounds on what a tagger may hand over for storage (characters, counted after redaction
# placeholders were put back, so an answer cannot grow past its column on the way in).
MAX_RATIONALE_CHARS = 500
MAX_REASON_CHARS = 500  # nomination.abstain_reason is varchar(500)
MAX_QUOTE_CHARS = 1000


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


# Characters no database column should receive: NUL (PostgreSQL refuses it), other C0 controls
# and DEL, and lone surrogates (UTF-8 cannot encode them; JSON can carry them as \ud800 escapes).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ZWJ = "\u200d"


def _joins_previous(ch: str) -> bool:
    """A character drawn together with the one before it (accent, variation selector, skin tone,
    emoji tag): a cut just before it would split what a reader sees as one character."""
    o = ord(ch)
    return (
        bool(unicodedata.combining(ch))
        or ch == _ZWJ
        or 0xFE00 <= o <= 0xFE0F
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xE0020 <= o <= 0xE007F
    )


def fit_text(text: str | None, limit: int) -> str:
    """`text` made storable in a column of `limit` characters: unstorable characters removed, then
    cut with an ellipsis. Lengths are code points - what PostgreSQL's varchar(n) counts - so
    Chinese or emoji count one each, and a cut never splits a character or its accents."""
    text = _UNSTORABLE.sub("", text or "")
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    end = limit - 1  # room for the ellipsis
    while end > 0 and (_joins_previous(text[end]) or text[end - 1] == _ZWJ):
        end -= 1
    return text[:end].rstrip() + "…"


def fit_quote(quote: str, story: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """`quote` within `limit` characters and still words of `story` (see `quote_in_story`), or ""
    when no such shortening exists. A quote is never cut blindly: the point of a quote is that a
    reviewer finds it in the story, so a long one becomes its longest prefix that still occurs
    there (ending at a word boundary when it has one)."""
    q = quote.strip()
    if len(q) <= limit and not _UNSTORABLE.search(q) and quote_in_story(q, story):
        return q
    q = " ".join(_UNSTORABLE.sub(" ", q).split())
    target = normalise(story)
    if not q or normalise(q) not in target:
        return ""
    if len(q) > limit:
        cut = q[:limit]
        space = cut.rfind(" ")
        q = (cut[:space] if limit // 2 < space and not q[limit].isspace() else cut).rstrip()
        for _ in range(8):  # a cut inside a sequence NFKC composes: step back over it
            if normalise(q) in target:
                return q
            q = q[:-1].rstrip()
        return ""
    return q


def detect_lang(text: str) -> str:
    """zh when CJK characters make up a meaningful share of the letters, else en."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"
