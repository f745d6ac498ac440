"""LLM evidence tagger: any OpenAI-compatible server suggests rubric behaviours; it never scores.

One `suggest` call goes through these steps, all inside one total deadline (`deadline_s`):

1. Cache: answers are cached by (story hash, rubric version, prompt version, model), so the same
   story makes one LLM call (see plugin/tagging/cache.py). Fallback answers are never cached.
2. Prompt: a byte-stable system message (instructions + rubric, cache friendly) and a user
   message with the (optionally redacted) story last, delimited and declared as data; the LLM
   sees the story text only, never names or ids of people (plugin/tagging/prompt.py).
3. Output ladder: `json_schema` (strict schema), else `json_object`, else `text` with JSON
   extraction. A 400/422 answer to a structured mode is the server saying it does not support
   it: the ladder steps down (that is not a retry). The first mode that answers is remembered
   per (base URL, model) for the whole process; `mode=` (LIUMAI_LLM_MODE) forces one.
4. Validation: unknown criterion ids dropped, the quote must occur in the story after NFKC and
   whitespace normalisation, confidence clamped to 0..1, distinct criteria, at most three, any
   other key (a "score", say) ignored; reason, rationale and quote bounded in characters after
   redaction placeholders are put back (a quote only ever shortened to words still in the
   story). An unusable answer (blank, not JSON, wrong shape, every suggestion invalid) gets
   one re-ask carrying the validation error.
5. Fallback: on a non-retryable error (401/403/404, 400 in text mode), when the deadline is
   reached, or when the re-ask is unusable too, the fallback tagger (the offline one) answers;
   the result is marked `tagger="llm_fallback"` and `meta` says why, so a nominator never waits
   on a broken LLM.

Retries have one owner: tenacity, here, around each single HTTP request. The openai client is
built with `max_retries=0`, because stacked retry layers multiply (3 SDK tries x 5 of ours),
and the SDK neither knows our total deadline nor lets a test replace its sleep. Tenacity
honours Retry-After (`retry-after-ms`, seconds or an HTTP date), otherwise waits with
exponential backoff and jitter, never sleeps past the deadline, and shortens each request's
timeout to the time left. 429, 408, 409, 5xx, timeouts and connection errors are retried;
400/401/403/404/422 are not.

`Suggestions.meta` carries per-call facts for evaluation: valid_json (the first answer held a
JSON object), json_extracted, ids_valid / quotes_valid (of the first answer that held
suggestions; None when it held none), mode, modes_tried, attempts (HTTP requests), reasked,
retry_sleeps, latency_ms, prompt_tokens, completion_tokens, cached, redacted, fallback_reason
(None unless it fell back; then also fallback_error, fallback_retryable, fallback_meta).
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import logging
import math
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception

from liumai.tagging.base import (
    MAX_QUOTE_CHARS,
    MAX_RATIONALE_CHARS,
    MAX_REASON_CHARS,
    MAX_SUGGESTIONS,
    Suggestion,
    Suggestions,
    TagContext,
    Tagger,
    detect_lang,
    fit_quote,
    fit_text,
    quote_in_story,
)
from liumai.tagging.cache import MemoryTagCache, TagCache, cache_key, story_hash
from liumai.tagging.prompt import build_prompt, prompt_version, render_reask, response_schema
from liumai.tagging.redact import Redaction, redact

if TYPE_CHECKING:
    from liumai.config import Settings
    from liumai.rubric.model import Rubric

log = logging.getLogger(__name__)

MODES = ("json_schema", "json_object", "text")
RETRYABLE_STATUS = frozenset({408, 409, 429})  # and every 5xx
LADDER_STATUS = frozenset({400, 422})  # a structured mode the server does not support
MIN_REQUEST_S = 0.05  # no request is started with less time than this left before the deadline
MAX_ECHO_CHARS = 4000  # the rejected answer repeated in a re-ask is cut to this length
UNSET_API_KEY = "not-needed"  # local servers (Ollama, vLLM) accept any key; the SDK insists on one

_MODE_MEMORY: dict[tuple[str, str], str] = {}
_MODE_LOCK = threading.Lock()


def remembered_mode(base_url: str, model: str) -> str | None:
    """The output mode that last worked for this server and model in this process."""
    with _MODE_LOCK:
        return _MODE_MEMORY.get((base_url, model))


def remember_mode(base_url: str, model: str, mode: str) -> None:
    with _MODE_LOCK:
        _MODE_MEMORY[(base_url, model)] = mode


def forget_modes() -> None:
    """Clear the process-wide mode memory (tests; an operator changing servers restarts anyway)."""
    with _MODE_LOCK:
        _MODE_MEMORY.clear()


def retry_after_seconds(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds a server asked us to wait: `retry-after-ms`, then `retry-after` as seconds or as
    an HTTP date (relative to `now`, epoch seconds). None when absent or unreadable."""
    if not headers:
        return None
    get = headers.get
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    value = get("retry-after")
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - (time.time() if now is None else now))
    return None


class _DeadlineExceeded(Exception):
    """No time left to start another request."""


class _MalformedResponse(Exception):
    """HTTP 200 whose body is not a chat completion (a broken proxy): treated like a 5xx."""


class _Fallback(Exception):
    def __init__(self, reason: str, detail: str, *, retryable: bool) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.retryable = retryable


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | _MalformedResponse)  # incl. APITimeoutError


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        msg = " ".join(str(exc.message).split())[:300]
        return f"HTTP {exc.status_code} {type(exc).__name__}: {msg}"
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to the LLM server ({exc.__cause__ or exc})"
    return f"{type(exc).__name__}: {exc}"


def _status_fallback(exc: openai.APIStatusError) -> _Fallback:
    """A clear, actionable message for errors that retrying cannot fix."""
    code, text = exc.status_code, _describe(exc)
    if code == 401:
        return _Fallback("auth", f"{text} (the API key was rejected: check LIUMAI_LLM_API_KEY)", retryable=False)
    if code == 403:
        return _Fallback("forbidden", f"{text} (this key may not use this model)", retryable=False)
    if code == 404:
        return _Fallback("not_found", f"{text} (check LIUMAI_LLM_BASE_URL and LIUMAI_LLM_MODEL)", retryable=False)
    if code in LADDER_STATUS:
        return _Fallback("bad_request", text, retryable=False)
    return _Fallback(f"http_{code}", text, retryable=False)


@dataclass(slots=True)
class _Call:
    """Accounting for one `suggest` call; becomes `Suggestions.meta`."""

    mode: str
    modes_tried: list[str] = field(default_factory=list)
    attempts: int = 0
    retry_sleeps: list[float] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    valid_json: bool | None = None
    json_extracted: bool | None = None
    ids_valid: bool | None = None
    quotes_valid: bool | None = None
    reasked: bool = False
    redacted: int = 0
    stopped_by_deadline: bool = False

    def add_usage(self, usage: Any) -> None:
        for name in ("prompt_tokens", "completion_tokens"):
            n = getattr(usage, name, None)
            if isinstance(n, int):
                setattr(self, name, (getattr(self, name) or 0) + n)

    def meta(self, started: float) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "modes_tried": list(self.modes_tried),
            "attempts": self.attempts,
            "retry_sleeps": [round(s, 3) for s in self.retry_sleeps],
            "reasked": self.reasked,
            "valid_json": self.valid_json,
            "json_extracted": self.json_extracted,
            "ids_valid": self.ids_valid,
            "quotes_valid": self.quotes_valid,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached": False,
            "redacted": self.redacted,
            "fallback_reason": None,
        }


# --------------------------------------------------------------------------------------------
# Reading and validating an answer
# --------------------------------------------------------------------------------------------

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

    def bounded(value: Any, limit: int) -> str:
        # Bounded AFTER the placeholders are put back: a reason repeating `[EMAIL_1]` grows
        # threefold on restoring and would no longer fit its column.
        if not isinstance(value, str):
            return ""
        return fit_text(" ".join(restore(" ".join(value[:MAX_ECHO_CHARS].split())).split()), limit)

    abstain = answer.get("abstain") is True or str(answer.get("abstain")).casefold() == "true"
    reason = bounded(answer.get("reason"), MAX_REASON_CHARS) or "no behaviour of the rubric matches"
    raw = answer.get("suggestions")
    if raw is None:
        if abstain:
            return Checked(abstain_reason=reason)
        return Checked(error='the answer has neither "suggestions" nor "abstain": true')
    if not isinstance(raw, list):
        return Checked(error='"suggestions" must be a list')
    if not raw:
        return Checked(abstain_reason=reason)

    problems: list[str] = []
    items: list[Suggestion] = []
    ids_ok: bool | None = True
    quotes_ok: bool | None = None
    taken: set[str] = set()
    for n, entry in enumerate(raw[:10], start=1):
        if not isinstance(entry, dict):
            problems.append(f"suggestion {n} is not an object")
            continue
        cid = entry.get("criterion")
        cid = cid.strip() if isinstance(cid, str) else cid
        if not isinstance(cid, str) or cid not in criterion_ids:
            ids_ok = False
            problems.append(f"unknown criterion id {str(cid)[:40]!r} (use an id from the rubric)")
            continue
        quote = entry.get("quote")
        if not isinstance(quote, str) or not quote_in_story(quote, seen):
            quotes_ok = False
            shown = quote[:80] if isinstance(quote, str) else quote
            problems.append(f"the quote {shown!r} for {cid} is not words of the story (copy them verbatim)")
            continue
        quotes_ok = True if quotes_ok is None else quotes_ok
        original_quote = restore(quote).strip()
        if not quote_in_story(original_quote, story):
            problems.append(f"the quote for {cid} does not map back to the story")
            continue
        original_quote = fit_quote(original_quote, story, MAX_QUOTE_CHARS)
        if not original_quote:
            problems.append(f"the quote for {cid} is too long (at most {MAX_QUOTE_CHARS} characters)")
            continue
        polarity = _polarity(entry.get("polarity"))
        if polarity is None:
            problems.append(f"polarity of {cid} must be conforming or non_conforming")
            continue
        if cid in taken:
            continue  # distinct criteria: the first (highest-ranked) mention wins
        taken.add(cid)
        items.append(
            Suggestion(
                criterion=cid,
                polarity=polarity,
                confidence=_confidence(entry.get("confidence")),
                quote=original_quote,
                rationale=bounded(entry.get("rationale"), MAX_RATIONALE_CHARS),
            )
        )
    ranked = sorted(items, key=lambda s: -s.confidence)[:MAX_SUGGESTIONS]  # stable: ties keep order
    if ranked:
        return Checked(items=tuple(ranked), ids_valid=ids_ok, quotes_valid=quotes_ok)
    return Checked(error="; ".join(problems) or "no usable suggestion", ids_valid=ids_ok, quotes_valid=quotes_ok)


# --------------------------------------------------------------------------------------------
# The tagger
# --------------------------------------------------------------------------------------------


class _Deadline:
    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        return self.end - self.clock()


class LLMTagger:
    """Suggests behaviours with an LLM, validated against the rubric and the story (see module doc)."""

    name = "llm"

    def __init__(
        self,
        rubric: Rubric,
        *,
        model: str,
        fallback: Tagger,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 20.0,
        deadline_s: float = 30.0,
        mode: str | None = None,
        redact: bool = False,
        cache: TagCache | None = None,
        temperature: float | None = 0.0,
        max_attempts: int = 5,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 8.0,
        backoff_jitter_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        client: openai.OpenAI | None = None,
    ) -> None:
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.rubric = rubric
        self.model = model
        self.fallback = fallback
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self.forced_mode = mode
        self.redact = redact
        self.cache: TagCache = cache if cache is not None else MemoryTagCache()
        self.temperature = temperature
        self.max_attempts = max(1, max_attempts)
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.backoff_jitter_s = backoff_jitter_s
        self._sleep = sleep
        self._clock = clock
        self._client = client or openai.OpenAI(
            base_url=base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or UNSET_API_KEY,
            max_retries=0,  # tenacity owns retries (module docstring)
            timeout=timeout_s,
        )
        self.base_url = str(self._client.base_url)
        self.prompt_version = prompt_version()
        self._ids = rubric.criterion_ids
        self._schema = response_schema(rubric)

    @classmethod
    def from_settings(
        cls, settings: Settings, rubric: Rubric, *, fallback: Tagger, cache: TagCache | None = None, **kwargs: Any
    ) -> LLMTagger:
        """Build from LIUMAI_LLM_* settings; `kwargs` override the tuning knobs (tests, bench)."""
        if not settings.llm_model:
            raise ValueError("LIUMAI_LLM_MODEL: required for the LLM tagger")
        params: dict[str, Any] = {
            "model": settings.llm_model,
            "base_url": settings.llm_base_url,
            "api_key": settings.llm_api_key,
            "timeout_s": settings.llm_timeout_s,
            "deadline_s": settings.llm_deadline_s,
            "mode": settings.llm_mode,
            "redact": settings.llm_redact,
        }
        params.update(kwargs)
        return cls(rubric, fallback=fallback, cache=cache, **params)

    # -- public -----------------------------------------------------------------------------

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions:
        started = time.perf_counter()
        lang = (context.lang if context and context.lang else None) or detect_lang(story or "")
        hint = context.value_hint if context else None
        base: dict[str, Any] = {
            "rubric_version": self.rubric.version,
            "model": self.model,
            "prompt_version": self.prompt_version,
        }
        if not story or not story.strip():
            return Suggestions(items=(), tagger=self.name, abstain_reason="empty story", **base)
        key = cache_key(
            story_hash(story, lang=lang, value_hint=hint),
            rubric_version=self.rubric.version,
            prompt_version=self.prompt_version,
            model=self.model,
        )
        hit = self._cache_get(key)
        if hit is not None:
            meta = {**hit.meta, "cached": True, "attempts": 0, "retry_sleeps": [], "prompt_tokens": 0}
            meta.update(completion_tokens=0, latency_ms=round((time.perf_counter() - started) * 1000, 1))
            return dataclasses.replace(hit, meta=meta)
        call = _Call(mode=self._start_mode())
        try:
            result = self._tag(story, lang, hint, call, started, base)
        except _Fallback as fb:
            return self._fall_back(story, context, fb, call, started)
        except Exception as exc:  # a bug or an SDK surprise must not leave the nominator without an answer
            log.exception("LLM tagging failed unexpectedly")
            return self._fall_back(story, context, _Fallback("error", _describe(exc), retryable=True), call, started)
        self._cache_put(key, result)
        return result

    # -- steps ------------------------------------------------------------------------------

    def _start_mode(self) -> str:
        return self.forced_mode or remembered_mode(self.base_url, self.model) or MODES[0]

    def _tag(
        self, story: str, lang: str, hint: str | None, call: _Call, started: float, base: dict[str, str]
    ) -> Suggestions:
        redaction = redact(story) if self.redact else Redaction(text=story)
        call.redacted = len(redaction.mapping)
        seen = redaction.text
        prompt = build_prompt(seen, lang=lang, rubric=self.rubric, value_hint=hint)
        messages: list[dict[str, str]] = prompt.messages()
        deadline = _Deadline(self._clock, self.deadline_s)
        mode = call.mode
        first_answer = True
        while True:
            call.mode = mode
            if mode not in call.modes_tried:
                call.modes_tried.append(mode)
            try:
                content = self._complete(messages, mode, call, deadline)
            except openai.APIStatusError as exc:
                nxt = self._step_down(mode, exc)
                if nxt is None:
                    raise _status_fallback(exc) from exc
                log.info("LLM %s refused mode %s (HTTP %s); trying %s", self.model, mode, exc.status_code, nxt)
                mode = nxt
                continue
            if self.forced_mode is None:
                remember_mode(self.base_url, self.model, mode)
            checked, parsed, extracted = self._read(content, story, seen, redaction)
            if first_answer:
                call.valid_json, call.json_extracted = parsed, extracted if parsed else None
                first_answer = False
            if call.ids_valid is None and checked.ids_valid is not None:
                call.ids_valid, call.quotes_valid = checked.ids_valid, checked.quotes_valid
            if checked.usable:
                return Suggestions(
                    items=checked.items,
                    tagger=self.name,
                    abstain_reason=None if checked.items else checked.abstain_reason,
                    meta=call.meta(started),
                    **base,
                )
            if call.reasked:
                raise _Fallback("invalid_output", f"unusable answer after a re-ask: {checked.error}", retryable=True)
            call.reasked = True
            echo = content.strip()[:MAX_ECHO_CHARS] or "(empty)"
            messages = [
                *messages,
                {"role": "assistant", "content": echo},
                {"role": "user", "content": render_reask(checked.error or "unusable answer", story=seen)},
            ]

    def _step_down(self, mode: str, exc: openai.APIStatusError) -> str | None:
        if self.forced_mode is not None or exc.status_code not in LADDER_STATUS or mode == MODES[-1]:
            return None
        return MODES[MODES.index(mode) + 1]

    def _read(self, content: str, story: str, seen: str, redaction: Redaction) -> tuple[Checked, bool, bool]:
        if not content.strip():
            return Checked(error="the answer was empty"), False, False
        answer, extracted = extract_json(content)
        if answer is None:
            return Checked(error="the answer is not valid JSON"), False, False
        checked = check_answer(answer, story=story, criterion_ids=self._ids, seen_story=seen, restore=redaction.restore)
        return checked, isinstance(answer, dict), extracted

    def _request_kwargs(self, mode: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "liumai_tagging", "strict": True, "schema": self._schema},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _complete(self, messages: list[dict[str, str]], mode: str, call: _Call, deadline: _Deadline) -> str:
        """One chat completion, retried by tenacity on transient faults within the deadline."""

        planned: dict[int, float] = {}

        def wait(rs: RetryCallState) -> float:
            # Memoised per attempt: stop() needs the same figure, and tenacity versions differ
            # in whether stop or wait runs first.
            if rs.attempt_number not in planned:
                exc = rs.outcome.exception() if rs.outcome else None
                server_says = None
                if isinstance(exc, openai.APIStatusError):
                    server_says = retry_after_seconds(exc.response.headers)
                if server_says is None:
                    server_says = self._backoff(rs.attempt_number)
                planned[rs.attempt_number] = server_says
            return planned[rs.attempt_number]

        def stop(rs: RetryCallState) -> bool:
            if deadline.remaining() - wait(rs) < MIN_REQUEST_S:
                call.stopped_by_deadline = True
                return True
            return rs.attempt_number >= self.max_attempts

        def sleep(seconds: float) -> None:
            call.retry_sleeps.append(seconds)
            self._sleep(seconds)

        retrying = Retrying(retry=retry_if_exception(_is_retryable), wait=wait, stop=stop, sleep=sleep, reraise=True)
        kwargs = self._request_kwargs(mode)
        try:
            for attempt in retrying:
                with attempt:
                    remaining = deadline.remaining()
                    if remaining < MIN_REQUEST_S:
                        raise _DeadlineExceeded
                    call.attempts += 1
                    try:
                        resp = self._client.chat.completions.create(
                            model=self.model,
                            messages=messages,  # type: ignore[arg-type]
                            timeout=min(self.timeout_s, remaining),
                            **kwargs,
                        )
                    except ValueError as exc:  # JSON content-type with an unreadable body
                        raise _MalformedResponse(f"unreadable response body ({exc})") from exc
                    return self._content(resp, call)
        except _DeadlineExceeded:
            raise _Fallback("deadline", f"no time left within {self.deadline_s:g} s", retryable=True) from None
        except openai.APIStatusError as exc:
            if _is_retryable(exc):
                raise self._exhausted(exc, call) from exc
            raise  # 4xx: the ladder or a clear fallback, decided by the caller
        except (openai.APIConnectionError, _MalformedResponse) as exc:
            raise self._exhausted(exc, call) from exc
        except openai.OpenAIError as exc:
            raise _Fallback("error", _describe(exc), retryable=True) from exc
        raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or raises

    def _backoff(self, attempt_number: int) -> float:
        """Exponential backoff with additive jitter, capped: initial * 2**(n-1) + U(0, jitter)."""
        base = self.backoff_initial_s * 2 ** min(attempt_number - 1, 30)
        return min(self.backoff_max_s, base + random.uniform(0, self.backoff_jitter_s))

    def _exhausted(self, exc: BaseException, call: _Call) -> _Fallback:
        reason = "deadline" if call.stopped_by_deadline else "unavailable"
        why = f"deadline of {self.deadline_s:g} s reached" if reason == "deadline" else "retries exhausted"
        return _Fallback(reason, f"{_describe(exc)}; {why} after {call.attempts} request(s)", retryable=True)

    @staticmethod
    def _content(resp: Any, call: _Call) -> str:
        choices = getattr(resp, "choices", None)
        if not choices:
            raise _MalformedResponse("the response is not a chat completion")
        call.add_usage(getattr(resp, "usage", None))
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        return content if isinstance(content, str) else ""

    def _fall_back(
        self, story: str, context: TagContext | None, fb: _Fallback, call: _Call, started: float
    ) -> Suggestions:
        log.warning("LLM tagging (%s) fell back to %s: %s", self.model, self.fallback.name, fb)
        try:
            offline = self.fallback.suggest(story, context)
        except Exception as exc:  # the nominator still gets an answer: an explained abstain
            log.exception("fallback tagger failed")
            offline = Suggestions(
                items=(),
                tagger=getattr(self.fallback, "name", "fallback"),
                rubric_version=self.rubric.version,
                abstain_reason=f"fallback tagger failed: {type(exc).__name__}",
            )
        meta = call.meta(started)
        meta.update(
            fallback_reason=fb.reason,
            fallback_error=fb.detail,
            fallback_retryable=fb.retryable,
            fallback_tagger=offline.tagger,
            fallback_meta=dict(offline.meta),
            llm_model=self.model,
        )
        reason = None
        if not offline.items:
            why = f" (LLM unavailable: {fb.reason})"
            reason = fit_text(offline.abstain_reason or "no suggestion", MAX_REASON_CHARS - len(why)) + why
        return Suggestions(
            items=offline.items,
            tagger="llm_fallback",
            rubric_version=offline.rubric_version or self.rubric.version,
            model=offline.model,
            prompt_version=offline.prompt_version,
            abstain_reason=reason,
            meta=meta,
        )

    def _cache_get(self, key: str) -> Suggestions | None:
        try:
            return self.cache.get(key)
        except Exception:  # a cache outage must not stop tagging
            log.warning("tag cache read failed", exc_info=True)
            return None

    def _cache_put(self, key: str, value: Suggestions) -> None:
        try:
            self.cache.put(key, value)
        except Exception:
            log.warning("tag cache write failed", exc_info=True)
