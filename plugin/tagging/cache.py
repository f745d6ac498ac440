"""Cache of tagger answers by (story hash, rubric version, prompt version, model).

Why: an LLM call costs money and seconds, and the same story is tagged more than once (a
re-delivered Slack event, a retried job, `liumai eval` run twice); the answer only changes when
one of the four parts changes. Two implementations share the `TagCache` protocol: an in-memory
LRU for one process and `SqlTagCache` over the `tag_cache` table, shared by every process and
worker on the database. Only genuine LLM answers are stored (never a fallback), so a transient
outage is not remembered.
"""

from __future__ import annotations

import hashlib
import json
import threading
import unicodedata
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from liumai.tagging.base import Suggestion, Suggestions

if TYPE_CHECKING:
    from sqlalchemy import Engine


def story_hash(story: str, *, lang: str | None = None, value_hint: str | None = None) -> str:
    """sha256 of the story as the LLM would see it (NFKC, runs of whitespace collapsed) plus the
    language and value hint, which are part of the prompt too."""
    text = " ".join(unicodedata.normalize("NFKC", story).split())
    payload = json.dumps([text, lang or "", value_hint or ""], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def cache_key(story_digest: str, *, rubric_version: str, prompt_version: str, model: str) -> str:
    """sha256 hex of the four parts (fits the table's 64-character key)."""
    payload = json.dumps([story_digest, rubric_version, prompt_version, model], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def suggestions_to_json(s: Suggestions) -> str:
    return json.dumps(
        {
            "items": [
                {
                    "criterion": i.criterion,
                    "polarity": i.polarity,
                    "confidence": i.confidence,
                    "quote": i.quote,
                    "rationale": i.rationale,
                }
                for i in s.items
            ],
            "tagger": s.tagger,
            "rubric_version": s.rubric_version,
            "model": s.model,
            "prompt_version": s.prompt_version,
            "abstain_reason": s.abstain_reason,
            "meta": s.meta,
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def suggestions_from_json(text: str) -> Suggestions:
    """Inverse of `suggestions_to_json`; raises ValueError/KeyError/TypeError on a damaged entry."""
    raw: dict[str, Any] = json.loads(text)
    items = tuple(
        Suggestion(
            criterion=str(i["criterion"]),
            polarity=str(i["polarity"]),
            confidence=float(i["confidence"]),
            quote=str(i["quote"]),
            rationale=str(i.get("rationale", "")),
        )
        for i in raw["items"]
    )
    return Suggestions(
        items=items,
        tagger=str(raw["tagger"]),
        rubric_version=str(raw["rubric_version"]),
        model=str(raw.get("model", "")),
        prompt_version=str(raw.get("prompt_version", "")),
        abstain_reason=raw.get("abstain_reason"),
        meta=dict(raw.get("meta") or {}),
    )


@runtime_checkable
class TagCache(Protocol):
    def get(self, key: str) -> Suggestions | None: ...

    def put(self, key: str, value: Suggestions) -> None: ...


class MemoryTagCache:
    """A thread-safe LRU for one process (the default when no database cache is given)."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Suggestions | None:
        with self._lock:
            text = self._data.get(key)
            if text is None:
                return None
            self._data.move_to_end(key)
        # Stored as JSON so a caller mutating `meta` of a returned value cannot change the cache.
        return suggestions_from_json(text)

    def put(self, key: str, value: Suggestions) -> None:
        text = suggestions_to_json(value)
        with self._lock:
            self._data[key] = text
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


class SqlTagCache:
    """The `tag_cache` table: shared by all processes on the database, survives restarts.

    Storage is imported lazily so the tagging package does not pull in the database layer for
    callers that only use the in-memory cache.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> Suggestions | None:
        from sqlmodel import Session

        from liumai.storage.models import TagCache as TagCacheRow

        with Session(self.engine) as session:
            row = session.get(TagCacheRow, key)
            text = row.result if row is not None else None
        if text is None:
            return None
        try:
            return suggestions_from_json(text)
        except (ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss; the next put overwrites it

    def put(self, key: str, value: Suggestions) -> None:
        from sqlalchemy.exc import IntegrityError

        from liumai.storage.db import session_scope
        from liumai.storage.models import TagCache as TagCacheRow

        text = suggestions_to_json(value)
        try:
            with session_scope(self.engine) as session:
                row = session.get(TagCacheRow, key)
                if row is None:
                    session.add(TagCacheRow(key=key, result=text))
                else:
                    row.result = text
                    session.add(row)
        except IntegrityError:
            pass  # another worker stored the same key a moment ago: its answer is as good
