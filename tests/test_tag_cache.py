"""The suggestion cache: in memory and in the `tag_cache` table (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from liumai.storage.models import TagCache as TagCacheRow
from liumai.tagging.base import Suggestion, Suggestions
from liumai.tagging.cache import (
    MemoryTagCache,
    SqlTagCache,
    TagCache,
    cache_key,
    story_hash,
    suggestions_from_json,
    suggestions_to_json,
)
from liumai.tagging.llm import LLMTagger, forget_modes
from tests.fakes.openai_server import FakeOpenAIServer

SAMPLE = Suggestions(
    items=(
        Suggestion("teamwork.3", "conforming", 0.8, "把排障经验写成文档", "知识分享"),
        Suggestion("customer_first.2", "non_conforming", 0.25, "didn't call back", "stood the customer up"),
    ),
    tagger="llm",
    rubric_version="liumai-six-values@16c203f64387",
    model="qwen2.5-7b-instruct",
    prompt_version="tagging-0123456789ab",
    meta={"mode": "json_object", "attempts": 2, "ids_valid": True, "prompt_tokens": 9000},
)
ABSTAIN = Suggestions(items=(), tagger="llm", rubric_version="r@1", model="m", abstain_reason="闲聊，无具体行为")


def test_json_round_trip():
    for s in (SAMPLE, ABSTAIN):
        back = suggestions_from_json(suggestions_to_json(s))
        assert back == s and back.meta == s.meta


def test_key_depends_on_each_of_the_four_parts():
    h = story_hash("Ann helped Bob.")
    parts = {"rubric_version": "r@1", "prompt_version": "p1", "model": "m"}
    base = cache_key(h, **parts)
    assert len(base) == 64 and int(base, 16) >= 0
    assert cache_key(story_hash("Ann helped Cat."), **parts) != base
    for name, other in (("rubric_version", "r@2"), ("prompt_version", "p2"), ("model", "m2")):
        assert cache_key(h, **{**parts, name: other}) != base


def test_story_hash_ignores_whitespace_and_width_but_not_words_or_hints():
    assert story_hash("Ann  helped\nBob. ") == story_hash("Ann helped Bob.") == story_hash("Ａｎｎ helped Bob.")
    assert story_hash("Ann helped Bob.") != story_hash("Ann helped Bob!")
    assert story_hash("s", lang="zh") != story_hash("s", lang="en")
    assert story_hash("s", value_hint="teamwork") != story_hash("s")


def test_memory_cache_round_trip_isolation_and_lru():
    cache = MemoryTagCache(max_entries=2)
    assert isinstance(cache, TagCache)
    assert cache.get("a") is None
    cache.put("a", SAMPLE)
    got = cache.get("a")
    assert got == SAMPLE
    got.meta["mode"] = "tampered"
    assert cache.get("a").meta["mode"] == "json_object"  # callers cannot change what is cached
    cache.put("b", ABSTAIN)
    cache.get("a")  # a is now the most recently used
    cache.put("c", ABSTAIN)
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2


def test_sql_cache_round_trip(engine):
    cache = SqlTagCache(engine)
    assert isinstance(cache, TagCache)
    key = cache_key(story_hash("x"), rubric_version="r", prompt_version="p", model="m")
    assert cache.get(key) is None
    cache.put(key, SAMPLE)
    assert SqlTagCache(engine).get(key) == SAMPLE  # another instance (process) sees it
    cache.put(key, ABSTAIN)  # overwrite
    assert cache.get(key) == ABSTAIN
    with Session(engine) as s:
        row = s.get(TagCacheRow, key)
        assert row is not None and "闲聊" in row.result


def test_sql_cache_damaged_entry_is_a_miss(engine):
    with Session(engine) as s:
        s.add(TagCacheRow(key="f" * 64, result="{not json"))
        s.commit()
    cache = SqlTagCache(engine)
    assert cache.get("f" * 64) is None
    cache.put("f" * 64, SAMPLE)
    assert cache.get("f" * 64) == SAMPLE


@pytest.fixture
def fake():
    forget_modes()
    with FakeOpenAIServer() as server:
        yield server
    forget_modes()


class NoFallback:
    name = "offline"

    def suggest(self, story, context=None):
        return Suggestions(items=(), tagger="offline", rubric_version="", abstain_reason="offline")


def test_same_story_twice_one_llm_call_across_taggers(engine, rubric, fake):
    """Two taggers (two processes, say) on one database: the second is answered by the cache."""
    story = "王芳主动把排障经验写成文档分享给全组。"
    fake.answer(
        {
            "abstain": False,
            "reason": "",
            "suggestions": [
                {"criterion": "teamwork.3", "polarity": "conforming", "confidence": 0.9, "quote": "分享给全组"}
            ],
        }
    )

    def tagger() -> LLMTagger:
        return LLMTagger(
            rubric, model="m", fallback=NoFallback(), base_url=fake.base_url, api_key="k", cache=SqlTagCache(engine)
        )

    first = tagger().suggest(story)
    second = tagger().suggest(story)
    assert len(fake.requests) == 1
    assert first.tagger == second.tagger == "llm" and first.items == second.items
    assert second.meta["cached"] is True and second.prompt_version == first.prompt_version


def test_fallbacks_are_not_stored(engine, rubric, fake):
    fake.status(401)
    cache = SqlTagCache(engine)
    t = LLMTagger(rubric, model="m", fallback=NoFallback(), base_url=fake.base_url, api_key="k", cache=cache)
    assert t.suggest("Ann helped Bob.").tagger == "llm_fallback"
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(TagCacheRow)).one() == 0


def test_a_broken_cache_does_not_stop_tagging(rubric, fake):
    class Broken:
        def get(self, key):
            raise ConnectionError("db down")

        def put(self, key, value):
            raise ConnectionError("db down")

    fake.answer({"abstain": True, "reason": "off topic"})
    t = LLMTagger(rubric, model="m", fallback=NoFallback(), base_url=fake.base_url, api_key="k", cache=Broken())
    result = t.suggest("Nice weather.")
    assert result.tagger == "llm" and result.abstain_reason == "off topic"
