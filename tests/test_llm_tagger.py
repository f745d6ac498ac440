"""LLMTagger against a local fake OpenAI-compatible server over real HTTP.

Every test counts the requests the fake received, so a retry too many (or too few) fails.
Waits that matter are made deterministic: sleeps are recorded (and, where the gap is asserted,
really slept, which gives a lower bound that cannot flake); deadline tests use a fake clock that
only moves when the tagger sleeps.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from liumai.config import load_settings
from liumai.tagging.base import Suggestion, Suggestions, TagContext, quote_in_story
from liumai.tagging.llm import (
    LLMTagger,
    check_answer,
    extract_json,
    forget_modes,
    remembered_mode,
    retry_after_seconds,
)
from liumai.tagging.prompt import render_system, response_schema, story_marker
from tests.fakes.openai_server import FakeOpenAIServer

STORY = "Ann stayed late to help Bob fix the release, and shared the runbook with the whole team."
QUOTE = "shared the runbook with the whole team"
STORY_ZH = "王芳主动把排障经验写成文档分享给全组，还帮新同事搭好了环境。"


def good(criterion: str = "teamwork.3", quote: str = QUOTE, confidence: float = 0.8, **extra) -> dict:
    return {
        "abstain": False,
        "reason": "",
        "suggestions": [
            {
                "criterion": criterion,
                "polarity": "conforming",
                "confidence": confidence,
                "quote": quote,
                "rationale": "shares knowledge",
                **extra,
            }
        ],
    }


class StubFallback:
    """Stands in for the offline tagger: one fixed suggestion, calls counted."""

    name = "offline"

    def __init__(self, rubric) -> None:
        self.rubric = rubric
        self.calls = 0

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions:
        self.calls += 1
        return Suggestions(
            items=(Suggestion("teamwork.1", "conforming", 0.4, story[:10], "offline guess"),),
            tagger="offline",
            rubric_version=self.rubric.version,
            model="stub-lexical",
            meta={"best_lexical_score": 0.1},
        )


class Sleeps:
    """A sleep that records its argument; `real=True` also sleeps (for gap assertions)."""

    def __init__(self, real: bool = False) -> None:
        self.real = real
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.real:
            time.sleep(seconds)


class FakeTime:
    """A monotonic clock that only moves when the tagger sleeps: deadlines without timing luck."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_mode_memory():
    forget_modes()
    yield
    forget_modes()


@pytest.fixture
def fallback(rubric) -> StubFallback:
    return StubFallback(rubric)


def make(fake: FakeOpenAIServer, rubric, fallback, **kw) -> LLMTagger:
    params = {
        "model": "fake-model",
        "base_url": fake.base_url,
        "api_key": "sk-test",
        "timeout_s": 1.0,
        "deadline_s": 5.0,
        "backoff_initial_s": 0.01,
        "backoff_max_s": 0.05,
        "backoff_jitter_s": 0.0,
        "sleep": Sleeps(),
    }
    params.update(kw)
    return LLMTagger(rubric, fallback=fallback, **params)


# -- the happy path and what is sent ---------------------------------------------------------


def test_valid_answer_in_json_schema_mode(fake, rubric, fallback):
    fake.answer(good(), usage=(1234, 56))
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 1
    assert result.tagger == "llm" and result.model == "fake-model"
    assert result.items == (Suggestion("teamwork.3", "conforming", 0.8, QUOTE, "shares knowledge"),)
    assert result.rubric_version == rubric.version and result.prompt_version.startswith("tagging-")
    m = result.meta
    assert m["mode"] == "json_schema" and m["attempts"] == 1 and m["reasked"] is False
    assert m["valid_json"] is True and m["ids_valid"] is True and m["quotes_valid"] is True
    assert (m["prompt_tokens"], m["completion_tokens"]) == (1234, 56)
    assert m["fallback_reason"] is None and m["latency_ms"] >= 0
    req = fake.requests[0]
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.body["model"] == "fake-model" and req.body["temperature"] == 0
    rf = req.body["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["schema"] == response_schema(rubric)
    assert fallback.calls == 0


def test_prompt_layout_system_prefix_then_delimited_story_last(fake, rubric, fallback):
    fake.answer(good()).answer(good(quote="帮新同事搭好了环境"))
    tagger = make(fake, rubric, fallback)
    tagger.suggest(STORY, TagContext(value_hint="teamwork"))
    tagger.suggest(STORY_ZH)
    first, second = fake.requests
    assert first.system == second.system == render_system(rubric)
    for req, story in ((first, STORY), (second, STORY_ZH)):
        assert [m["role"] for m in req.messages] == ["system", "user"]
        marker = story_marker(story)
        assert req.user.endswith(f"<<<{marker} BEGIN>>>\n{story}\n<<<{marker} END>>>\n")
        assert story not in req.system
    assert "lang: en" in first.user and "teamwork (" in first.user
    assert "lang: zh" in second.user


def test_abstain_is_explicit_and_not_a_fallback(fake, rubric, fallback):
    fake.answer({"abstain": True, "reason": "small talk, no behaviour"})
    result = make(fake, rubric, fallback).suggest("Lunch was nice today.")
    assert len(fake.requests) == 1
    assert result.abstained and result.tagger == "llm"
    assert result.abstain_reason == "small talk, no behaviour"
    assert fallback.calls == 0


def test_empty_story_abstains_without_a_call(fake, rubric, fallback):
    result = make(fake, rubric, fallback).suggest("   ")
    assert result.abstained and result.abstain_reason == "empty story"
    assert len(fake.requests) == 0


# -- transport faults: retried by tenacity, honouring Retry-After ---------------------------------


def test_429_with_retry_after_is_honoured(fake, rubric, fallback):
    fake.rate_limit(retry_after="0.2").answer(good())
    sleeps = Sleeps(real=True)
    result = make(fake, rubric, fallback, sleep=sleeps).suggest(STORY)
    assert len(fake.requests) == 2
    assert result.tagger == "llm" and result.items[0].criterion == "teamwork.3"
    assert sleeps.calls == [0.2]  # exactly the server's figure, no backoff or jitter added
    assert fake.gaps()[0] >= 0.19  # the second request really waited (a lower bound: cannot flake)
    assert result.meta["attempts"] == 2 and result.meta["retry_sleeps"] == [0.2]


def test_retry_after_ms_takes_precedence(fake, rubric, fallback):
    fake.rate_limit(retry_after="7", retry_after_ms="150").answer(good())
    sleeps = Sleeps()
    make(fake, rubric, fallback, sleep=sleeps).suggest(STORY)
    assert len(fake.requests) == 2 and sleeps.calls == [0.15]


def test_retry_after_parsing():
    now = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    date = format_datetime(now + timedelta(seconds=3), usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now.timestamp()) == pytest.approx(3.0)
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after": "0.5"}) == 0.5
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after": format_datetime(now, usegmt=True)}, now=now.timestamp() + 9) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_500_then_success(fake, rubric, fallback):
    fake.status(500, "upstream overloaded").answer(good())
    sleeps = Sleeps()
    result = make(fake, rubric, fallback, sleep=sleeps).suggest(STORY)
    assert len(fake.requests) == 2
    assert result.tagger == "llm" and len(sleeps.calls) == 1 and sleeps.calls[0] <= 0.05


def test_unreadable_body_is_retried_like_a_server_fault(fake, rubric, fallback):
    fake.invalid_body().answer(good())
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2 and result.tagger == "llm"


def test_hung_reply_hits_the_timeout_and_is_retried(fake, rubric, fallback):
    fake.hang(30).answer(good())
    started = time.monotonic()
    result = make(fake, rubric, fallback, timeout_s=0.3).suggest(STORY)
    elapsed = time.monotonic() - started
    assert len(fake.requests) == 2
    assert result.tagger == "llm"
    assert 0.25 <= elapsed < 5  # one timeout, not the 30 s hang


def test_sdk_does_not_retry_on_its_own(fake, rubric, fallback):
    """One retry owner: with tenacity allowed a single attempt, a 500 is exactly one request."""
    fake.status(500).status(500).answer(good())
    tagger = make(fake, rubric, fallback, max_attempts=1)
    assert tagger._client.max_retries == 0
    result = tagger.suggest(STORY)
    assert len(fake.requests) == 1
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "unavailable"


def test_retries_are_bounded_by_max_attempts(fake, rubric, fallback):
    for _ in range(5):
        fake.status(503)
    result = make(fake, rubric, fallback, max_attempts=3).suggest(STORY)
    assert len(fake.requests) == 3
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "unavailable"
    assert "HTTP 503" in result.meta["fallback_error"] and result.meta["fallback_retryable"] is True


# -- the deadline -----------------------------------------------------------------------------


def test_deadline_exceeded_falls_back_to_offline(fake, rubric, fallback):
    for _ in range(10):
        fake.status(500)
    t = FakeTime()
    result = make(
        fake, rubric, fallback, deadline_s=1.0, backoff_initial_s=0.3, backoff_max_s=10, clock=t.clock, sleep=t.sleep
    ).suggest(STORY)
    # waits 0.3 and 0.6 fit in 1.0 s; the next (1.2) would not, so no third sleep
    assert t.sleeps == [0.3, 0.6]
    assert len(fake.requests) == 3
    assert result.tagger == "llm_fallback"
    assert result.items == fallback.suggest(STORY).items
    assert result.meta["fallback_reason"] == "deadline" and "deadline of 1 s" in result.meta["fallback_error"]
    assert result.meta["fallback_tagger"] == "offline" and result.model == "stub-lexical"
    assert result.meta["fallback_meta"] == {"best_lexical_score": 0.1}


def test_retry_after_beyond_the_deadline_falls_back_at_once(fake, rubric, fallback):
    fake.rate_limit(retry_after="30").answer(good())
    sleeps = Sleeps()
    started = time.monotonic()
    result = make(fake, rubric, fallback, deadline_s=2.0, sleep=sleeps).suggest(STORY)
    assert time.monotonic() - started < 10  # it did not sit out the 30 s Retry-After
    assert len(fake.requests) == 1 and sleeps.calls == []
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "deadline"


def test_hung_server_falls_back_within_the_deadline(fake, rubric, fallback):
    for _ in range(10):
        fake.hang(30)
    started = time.monotonic()
    result = make(fake, rubric, fallback, timeout_s=0.3, deadline_s=0.8).suggest(STORY)
    elapsed = time.monotonic() - started
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "deadline"
    assert "timed out" in result.meta["fallback_error"]
    assert 1 <= len(fake.requests) <= 5  # no request starts after the deadline
    assert elapsed < 3.0  # the deadline (0.8 s) plus generous slack, never the 30 s hang


# -- non-retryable errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "hint"),
    [(401, "auth", "LIUMAI_LLM_API_KEY"), (403, "forbidden", "403"), (404, "not_found", "LIUMAI_LLM_MODEL")],
)
def test_client_errors_are_not_retried(fake, rubric, fallback, status, reason, hint):
    fake.status(status, "nope").answer(good())
    sleeps = Sleeps()
    result = make(fake, rubric, fallback, sleep=sleeps).suggest(STORY)
    assert len(fake.requests) == 1 and sleeps.calls == []
    assert result.tagger == "llm_fallback"
    assert result.items == fallback.suggest(STORY).items  # the nominator still gets suggestions
    m = result.meta
    assert m["fallback_reason"] == reason and m["fallback_retryable"] is False
    assert f"HTTP {status}" in m["fallback_error"] and hint in m["fallback_error"]


def test_fallback_that_abstains_says_why(fake, rubric):
    class Abstaining:
        name = "offline"

        def suggest(self, story, context=None):
            return Suggestions(items=(), tagger="offline", rubric_version=rubric.version, abstain_reason="no match")

    fake.status(401)
    result = make(fake, rubric, Abstaining()).suggest(STORY)
    assert result.abstained and result.tagger == "llm_fallback"
    assert result.abstain_reason == "no match (LLM unavailable: auth)"


def test_real_offline_tagger_as_fallback(fake, rubric, offline_tagger):
    fake.status(401)
    result = make(fake, rubric, offline_tagger).suggest(STORY)
    assert len(fake.requests) == 1
    assert result.tagger == "llm_fallback" and result.meta["fallback_tagger"] == "offline"
    for s in result.items:
        assert s.criterion in rubric.criterion_ids


def test_unreachable_server_falls_back(rubric, fallback):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tagger = LLMTagger(
        rubric,
        model="m",
        fallback=fallback,
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="k",
        timeout_s=0.5,
        deadline_s=3,
        max_attempts=2,
        backoff_initial_s=0.01,
        sleep=Sleeps(),
    )
    result = tagger.suggest(STORY)
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "unavailable"
    assert result.meta["attempts"] == 2 and "connect" in result.meta["fallback_error"]


# -- output ladder ------------------------------------------------------------------------------


def test_json_schema_refused_steps_down_and_is_remembered(fake, rubric, fallback):
    fake.refuse_json_schema = True
    fake.answer(good()).answer(good()).answer(good())
    tagger = make(fake, rubric, fallback)
    result = tagger.suggest(STORY)
    assert [r.response_format for r in fake.requests] == ["json_schema", "json_object"]
    assert result.tagger == "llm" and result.meta["mode"] == "json_object"
    assert result.meta["modes_tried"] == ["json_schema", "json_object"] and result.meta["attempts"] == 2
    assert remembered_mode(tagger.base_url, "fake-model") == "json_object"
    # the next call, and any tagger of this process for the same server and model, starts there
    tagger.suggest(STORY + " Again.")
    make(fake, rubric, fallback).suggest(STORY + " Once more.")
    assert [r.response_format for r in fake.requests[2:]] == ["json_object", "json_object"]
    assert fake.pending == 0


def test_mode_memory_is_per_model(fake, rubric, fallback):
    fake.refuse_json_schema = True
    fake.answer(good()).answer(good())
    make(fake, rubric, fallback).suggest(STORY)
    make(fake, rubric, fallback, model="other-model").suggest(STORY)
    assert [r.response_format for r in fake.requests] == ["json_schema", "json_object"] * 2


def test_ladder_reaches_text_mode(fake, rubric, fallback):
    fake.status(400, "response_format json_schema unsupported")
    fake.status(400, "response_format json_object unsupported")
    fake.answer("Sure! Here is the JSON:\n```json\n" + json.dumps(good()) + "\n```")
    result = make(fake, rubric, fallback).suggest(STORY)
    assert [r.response_format for r in fake.requests] == ["json_schema", "json_object", None]
    assert result.tagger == "llm" and result.meta["mode"] == "text"
    assert result.meta["valid_json"] is True and result.meta["json_extracted"] is True


def test_forced_mode_is_used_and_not_stepped_down(fake, rubric, fallback):
    fake.status(400, "bad request")
    result = make(fake, rubric, fallback, mode="json_object").suggest(STORY)
    assert len(fake.requests) == 1 and fake.requests[0].response_format == "json_object"
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "bad_request"


def test_from_settings(fake, rubric, fallback):
    settings = load_settings(
        LIUMAI_LLM_BASE_URL=fake.base_url,
        LIUMAI_LLM_MODEL="qwen-test",
        LIUMAI_LLM_API_KEY="sk-from-settings",
        LIUMAI_LLM_MODE="text",
        LIUMAI_LLM_TIMEOUT_S=1.5,
        LIUMAI_LLM_DEADLINE_S=4,
        LIUMAI_LLM_REDACT=True,
    )
    tagger = LLMTagger.from_settings(settings, rubric, fallback=fallback)
    assert (tagger.model, tagger.timeout_s, tagger.deadline_s, tagger.forced_mode) == ("qwen-test", 1.5, 4, "text")
    assert tagger.redact is True
    fake.answer(good())
    tagger.suggest(STORY)
    req = fake.requests[0]
    assert req.body["model"] == "qwen-test" and "response_format" not in req.body
    assert req.headers["authorization"] == "Bearer sk-from-settings"


def test_from_settings_needs_a_model(rubric, fallback):
    with pytest.raises(ValueError, match="LIUMAI_LLM_MODEL"):
        LLMTagger.from_settings(load_settings(), rubric, fallback=fallback)


# -- validation and the re-ask --------------------------------------------------------------------


def test_invalid_json_is_reasked_with_the_error(fake, rubric, fallback):
    fake.answer("teamwork.3, definitely").answer(good())
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2
    assert result.tagger == "llm" and result.items[0].criterion == "teamwork.3"
    reask = fake.requests[1]
    assert [m["role"] for m in reask.messages] == ["system", "user", "assistant", "user"]
    assert reask.messages[:2] == fake.requests[0].messages  # same prefix: the provider's cache still hits
    assert reask.messages[2]["content"] == "teamwork.3, definitely"
    assert "not valid JSON" in reask.messages[3]["content"]
    assert result.meta["valid_json"] is False and result.meta["reasked"] is True


def test_second_invalid_answer_falls_back(fake, rubric, fallback):
    fake.answer("no").answer("still no")
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2
    assert result.tagger == "llm_fallback" and result.meta["fallback_reason"] == "invalid_output"
    assert fake.pending == 0


def test_blank_content_is_reasked(fake, rubric, fallback):
    fake.blank().answer(good())
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2
    assert fake.requests[1].messages[2]["content"] == "(empty)"
    assert "empty" in fake.requests[1].messages[3]["content"]
    assert result.tagger == "llm" and result.meta["valid_json"] is False


def test_unknown_id_is_dropped_and_valid_ones_kept(fake, rubric, fallback):
    answer = good()
    answer["suggestions"].insert(0, {**answer["suggestions"][0], "criterion": "teamwork.9", "confidence": 0.99})
    fake.answer(answer)
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 1
    assert [s.criterion for s in result.items] == ["teamwork.3"]
    assert result.meta["ids_valid"] is False and result.meta["reasked"] is False


def test_only_unknown_ids_are_reasked(fake, rubric, fallback):
    fake.answer(good(criterion="leadership.2")).answer(good())
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2
    assert "leadership.2" in fake.requests[1].messages[3]["content"]
    assert result.items[0].criterion == "teamwork.3"
    assert result.meta["ids_valid"] is False  # of the first answer


def test_quote_not_in_story_is_dropped(fake, rubric, fallback):
    answer = good()
    answer["suggestions"].append(
        {
            "criterion": "customer_first.2",
            "polarity": "conforming",
            "confidence": 0.9,
            "quote": "Ann smiled at customers",
        }
    )
    fake.answer(answer)
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 1
    assert [s.criterion for s in result.items] == ["teamwork.3"]
    assert result.meta["quotes_valid"] is False


def test_only_invented_quotes_are_reasked(fake, rubric, fallback):
    fake.answer(good(quote="Ann is the best engineer in the world")).answer(good())
    result = make(fake, rubric, fallback).suggest(STORY)
    assert len(fake.requests) == 2
    assert "not words of the story" in fake.requests[1].messages[3]["content"]
    assert result.items[0].quote == QUOTE and result.meta["quotes_valid"] is False


def test_quote_matches_after_nfkc_and_whitespace_normalisation(fake, rubric, fallback):
    story = "Ａｎｎ  shared\nthe runbook，thanks！"
    fake.answer(good(quote="Ann shared the runbook,"))
    result = make(fake, rubric, fallback).suggest(story)
    assert result.items and quote_in_story(result.items[0].quote, story)


def test_confidence_clamped_criteria_distinct_at_most_three(fake, rubric, fallback):
    mk = lambda cid, conf: {"criterion": cid, "polarity": "conforming", "confidence": conf, "quote": QUOTE}  # noqa: E731
    fake.answer(
        {
            "suggestions": [
                mk("teamwork.3", 7),
                mk("teamwork.3", 0.1),
                mk("teamwork.2", -1),
                mk("teamwork.4", "0.6"),
                mk("passion.2", float("nan")),
                mk("dedication.1", 0.5),
            ]
        }
    )
    result = make(fake, rubric, fallback).suggest(STORY)
    assert [(s.criterion, s.confidence) for s in result.items] == [
        ("teamwork.3", 1.0),
        ("teamwork.4", 0.6),
        ("dedication.1", 0.5),
    ]


def test_check_answer_shapes(rubric):
    ids = rubric.criterion_ids
    assert check_answer([], story=STORY, criterion_ids=ids).error
    assert check_answer({"foo": 1}, story=STORY, criterion_ids=ids).error
    assert check_answer({"suggestions": "teamwork.3"}, story=STORY, criterion_ids=ids).error
    empty = check_answer({"abstain": False, "reason": "", "suggestions": []}, story=STORY, criterion_ids=ids)
    assert empty.usable and not empty.items and empty.abstain_reason
    bad_polarity = good()
    bad_polarity["suggestions"][0]["polarity"] = "great"
    assert "polarity" in check_answer(bad_polarity, story=STORY, criterion_ids=ids).error
    zh = good(quote="分享给全组")
    zh["suggestions"][0]["polarity"] = "不符合"
    assert check_answer(zh, story=STORY_ZH, criterion_ids=ids).items[0].polarity == "non_conforming"


def test_extract_json():
    assert extract_json('{"abstain": true}') == ({"abstain": True}, False)
    assert extract_json('noise {"x": 1} then {"suggestions": []} end') == ({"suggestions": []}, True)
    assert extract_json('```json\n{"abstain": true}\n```') == ({"abstain": True}, True)
    assert extract_json("no json here") == (None, False)


# -- cache and redaction, end to end ----------------------------------------------------------------


def test_same_story_twice_makes_one_call(fake, rubric, fallback):
    fake.answer(good())
    tagger = make(fake, rubric, fallback)
    first = tagger.suggest(STORY)
    second = tagger.suggest("  " + STORY.replace(" ", "  ") + "\n")  # same story up to whitespace
    assert len(fake.requests) == 1
    assert second.items == first.items and second.tagger == "llm"
    assert second.meta["cached"] is True and second.meta["attempts"] == 0
    assert first.meta["cached"] is False


def test_fallback_answers_are_not_cached(fake, rubric, fallback):
    fake.status(401).answer(good())
    tagger = make(fake, rubric, fallback)
    assert tagger.suggest(STORY).tagger == "llm_fallback"
    assert tagger.suggest(STORY).tagger == "llm"
    assert len(fake.requests) == 2


def test_redaction_before_sending_and_quotes_restored(fake, rubric, fallback):
    story = "<@U0ANN> called the customer at 138-1234-5678 and wrote to li.lei@example.com to fix the refund."
    fake.answer(
        good(
            criterion="customer_first.2",
            quote="[USER_1] called the customer at [PHONE_1]",
            rationale="reached [USER_1] fast",
        )
    )
    result = make(fake, rubric, fallback, redact=True).suggest(story)
    sent = fake.requests[0].user
    for secret in ("U0ANN", "138-1234-5678", "li.lei@example.com"):
        assert secret not in sent and secret not in fake.requests[0].system
    assert "[USER_1]" in sent and "[PHONE_1]" in sent and "[EMAIL_1]" in sent
    (item,) = result.items
    assert item.quote == "<@U0ANN> called the customer at 138-1234-5678"
    assert quote_in_story(item.quote, story)
    assert result.meta["redacted"] == 3


def test_without_redaction_the_story_is_sent_verbatim(fake, rubric, fallback):
    story = "Ann (ann@example.com) helped the customer."
    fake.answer(good(criterion="customer_first.2", quote="helped the customer"))
    make(fake, rubric, fallback).suggest(story)
    assert story in fake.requests[0].user
