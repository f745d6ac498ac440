"""Reading an LLM's answer: JSON out of the reply, validated against the rubric and the story,
and the re-ask that tells the LLM what was wrong (step 4 of `liumai.tagging.llm`).

Pure functions of the reply text: no network, no clock, so every rule here is tested directly.
Unknown criterion ids are dropped, a quote must occur in the story after NFKC and whitespace
normalisation, confidence is clamped to 0..1, criteria are distinct, at most three are kept, and
any other key (a "score", say) is ignored; reason, rationale and quote are bounded in characters
after redaction placeholders are put back (a quote only ever shortened to words still in the story).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liumai.tagging.base import (
    MAX_QUOTE_CHARS,
    MAX_RATIONALE_CHARS,
    MAX_REASON_CHARS,
    MAX_SUGGESTIONS,
    Suggestion,
    fit_quote,
    fit_text,
    quote_in_story,
)
from liumai.tagging.prompt import render_reask

MAX_ECHO_CHARS = 4000  # the rejected answer repeated in a re-ask is cut to this length

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def extract_json(content: str) -> tuple[Any | None, bool]:
    """(value, extracted): the answer as JSON, else the first JSON object inside it (code fences
    and prose around it are common in text mode). (None, False) when there is none."""
    text = content.strip()
    try:
        return json.loads(text), False
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    first: Any | None = None
    for cand in candidates:
        for m in re.finditer(r"\{", cand):
            try:
                value, _ = decoder.raw_decode(cand, m.start())
            except ValueError:
                continue
            if isinstance(value, dict):
                if "suggestions" in value or "abstain" in value:
                    return value, True
                if first is None:
                    first = value
    return (first, True) if first is not None else (None, False)


_POLARITY = {
    "conforming": "conforming",
    "non_conforming": "non_conforming",
    "nonconforming": "non_conforming",
    "符合": "conforming",
    "不符合": "non_conforming",
}


def _polarity(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _POLARITY.get(re.sub(r"[\s\-]+", "_", value.strip().casefold()))


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return 0.5
    try:
        c = float(value)
    except (TypeError, ValueError):
        return 0.5
    if math.isnan(c):
        return 0.0
    return round(min(1.0, max(0.0, c)), 4)


@dataclass(slots=True)
class Checked:
    """An answer after validation: usable suggestions, an abstain, or an error for the re-ask."""

    items: tuple[Suggestion, ...] = ()
    abstain_reason: str | None = None
    error: str | None = None
    ids_valid: bool | None = None
    quotes_valid: bool | None = None

    @property
    def usable(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class _Entry:
    """One checked entry of "suggestions": a suggestion or a problem, and how far it got."""

    suggestion: Suggestion | None = None
    problem: str | None = None
    id_known: bool | None = None  # False: an unknown criterion id
    quote_seen: bool | None = None  # False: the quote is not words of the story the LLM saw


def check_answer(
    answer: Any,
    *,
    story: str,
    criterion_ids: frozenset[str],
    seen_story: str | None = None,
    restore: Callable[[str], str] = lambda s: s,
) -> Checked:
    """Validate a parsed answer against the rubric and the story; nothing but the known fields
    of known shapes is read, so extra keys (a "score") cannot come out.

    `seen_story` is the text the LLM saw (the redacted story); quotes are checked against it,
    then restored and checked against `story`, the nominator's own words.
    """
    seen = story if seen_story is None else seen_story
    if not isinstance(answer, dict):
        return Checked(error="the answer must be one JSON object")
    abstain = answer.get("abstain") is True or str(answer.get("abstain")).casefold() == "true"
    reason = _bounded(answer.get("reason"), MAX_REASON_CHARS, restore) or "no behaviour of the rubric matches"
    raw = answer.get("suggestions")
    if raw is None:
        if abstain:
            return Checked(abstain_reason=reason)
        return Checked(error='the answer has neither "suggestions" nor "abstain": true')
    if not isinstance(raw, list):
        return Checked(error='"suggestions" must be a list')
    if not raw:
        return Checked(abstain_reason=reason)
    return _check_entries(raw, story=story, seen=seen, criterion_ids=criterion_ids, restore=restore)


def _bounded(value: Any, limit: int, restore: Callable[[str], str]) -> str:
    """Text of the answer, whitespace collapsed and bounded AFTER the placeholders are put back:
    a reason repeating `[EMAIL_1]` grows threefold on restoring and would no longer fit its column."""
    if not isinstance(value, str):
        return ""
    return fit_text(" ".join(restore(" ".join(value[:MAX_ECHO_CHARS].split())).split()), limit)


def _check_entries(
    raw: list[Any], *, story: str, seen: str, criterion_ids: frozenset[str], restore: Callable[[str], str]
) -> Checked:
    """The usable suggestions of a non-empty list, best first; else every problem, for the re-ask."""
    problems: list[str] = []
    items: list[Suggestion] = []
    ids_ok: bool | None = True
    quotes_ok: bool | None = None
    taken: set[str] = set()
    for n, entry in enumerate(raw[:10], start=1):
        checked = _check_entry(entry, n, story=story, seen=seen, criterion_ids=criterion_ids, restore=restore)
        if checked.id_known is False:
            ids_ok = False
        if checked.quote_seen is False:
            quotes_ok = False
        elif checked.quote_seen and quotes_ok is None:
            quotes_ok = True
        if checked.problem is not None:
            problems.append(checked.problem)
        elif checked.suggestion is not None and checked.suggestion.criterion not in taken:
            taken.add(checked.suggestion.criterion)  # distinct criteria: the first (highest-ranked) mention wins
            items.append(checked.suggestion)
    ranked = sorted(items, key=lambda s: -s.confidence)[:MAX_SUGGESTIONS]  # stable: ties keep order
    if ranked:
        return Checked(items=tuple(ranked), ids_valid=ids_ok, quotes_valid=quotes_ok)
    return Checked(error="; ".join(problems) or "no usable suggestion", ids_valid=ids_ok, quotes_valid=quotes_ok)


def _check_entry(
    entry: Any, n: int, *, story: str, seen: str, criterion_ids: frozenset[str], restore: Callable[[str], str]
) -> _Entry:
    """One entry: a known criterion id, a quote of the story (as seen, then as written), a polarity."""
    if not isinstance(entry, dict):
        return _Entry(problem=f"suggestion {n} is not an object")
    cid = entry.get("criterion")
    cid = cid.strip() if isinstance(cid, str) else cid
    if not isinstance(cid, str) or cid not in criterion_ids:
        return _Entry(problem=f"unknown criterion id {str(cid)[:40]!r} (use an id from the rubric)", id_known=False)
    quote = entry.get("quote")
    if not isinstance(quote, str) or not quote_in_story(quote, seen):
        shown = quote[:80] if isinstance(quote, str) else quote
        problem = f"the quote {shown!r} for {cid} is not words of the story (copy them verbatim)"
        return _Entry(problem=problem, id_known=True, quote_seen=False)
    original_quote = restore(quote).strip()
    if not quote_in_story(original_quote, story):
        return _Entry(problem=f"the quote for {cid} does not map back to the story", id_known=True, quote_seen=True)
    original_quote = fit_quote(original_quote, story, MAX_QUOTE_CHARS)
    if not original_quote:
        problem = f"the quote for {cid} is too long (at most {MAX_QUOTE_CHARS} characters)"
        return _Entry(problem=problem, id_known=True, quote_seen=True)
    polarity = _polarity(entry.get("polarity"))
    if polarity is None:
        problem = f"polarity of {cid} must be conforming or non_conforming"
        return _Entry(problem=problem, id_known=True, quote_seen=True)
    suggestion = Suggestion(
        criterion=cid,
        polarity=polarity,
        confidence=_confidence(entry.get("confidence")),
        quote=original_quote,
        rationale=_bounded(entry.get("rationale"), MAX_RATIONALE_CHARS, restore),
    )
    return _Entry(suggestion=suggestion, id_known=True, quote_seen=True)


def read_answer(
    content: str, *, story: str, seen: str, criterion_ids: frozenset[str], restore: Callable[[str], str]
) -> tuple[Checked, bool, bool]:
    """(checked, parsed, extracted): a raw reply read as JSON and checked; `parsed` says it held a
    JSON object, `extracted` that the object had to be dug out of other text."""
    if not content.strip():
        return Checked(error="the answer was empty"), False, False
    answer, extracted = extract_json(content)
    if answer is None:
        return Checked(error="the answer is not valid JSON"), False, False
    checked = check_answer(answer, story=story, criterion_ids=criterion_ids, seen_story=seen, restore=restore)
    return checked, isinstance(answer, dict), extracted


def reask_messages(messages: list[dict[str, str]], content: str, error: str | None, seen: str) -> list[dict[str, str]]:
    """The conversation for the one re-ask: the rejected answer (cut short) and what was wrong with it."""
    echo = content.strip()[:MAX_ECHO_CHARS] or "(empty)"
    return [
        *messages,
        {"role": "assistant", "content": echo},
        {"role": "user", "content": render_reask(error or "unusable answer", story=seen)},
    ]
