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
4. Validation (plugin/tagging/llm_answer.py): unknown criterion ids dropped, the quote must
   occur in the story after NFKC and whitespace normalisation, confidence clamped to 0..1,
   distinct criteria, at most three, any other key (a "score", say) ignored; reason, rationale
   and quote bounded in characters after redaction placeholders are put back (a quote only ever
   shortened to words still in the story). An unusable answer (blank, not JSON, wrong shape,
   every suggestion invalid) gets one re-ask carrying the validation error.
5. Fallback: on a non-retryable error (401/403/404, 400 in text mode), when the deadline is
   reached, or when the re-ask is unusable too, the fallback tagger (the offline one) answers;
   the result is marked `tagger="llm_fallback"` and `meta` says why, so a nominator never waits
   on a broken LLM.

Transport (plugin/tagging/llm_transport.py) owns the HTTP requests, the ladder's modes and the
retries: tenacity around each single request, honouring Retry-After, never past the deadline;
429, 408, 409, 5xx, timeouts and connection errors are retried, 400/401/403/404/422 are not.
This module keeps the steps in order: cache, prompt, ask, check, re-ask, fall back.

`Suggestions.meta` carries per-call facts for evaluation: valid_json (the first answer held a
JSON object), json_extracted, ids_valid / quotes_valid (of the first answer that held
suggestions; None when it held none), mode, modes_tried, attempts (HTTP requests), reasked,
retry_sleeps, latency_ms, prompt_tokens, completion_tokens, cached, redacted, fallback_reason
(None unless it fell back; then also fallback_error, fallback_retryable, fallback_meta).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import openai

from liumai.tagging.base import MAX_REASON_CHARS, Suggestions, TagContext, Tagger, detect_lang, fit_text
from liumai.tagging.cache import MemoryTagCache, TagCache, cache_key, story_hash
from liumai.tagging.llm_answer import Checked, read_answer, reask_messages
from liumai.tagging.llm_answer import check_answer as check_answer  # re-exported: the tagger's public API
from liumai.tagging.llm_answer import extract_json as extract_json
from liumai.tagging.llm_transport import (
    MODES,
    UNSET_API_KEY,
    Call,
    Deadline,
    Fallback,
    Transport,
    describe,
    remember_mode,
    status_fallback,
)
from liumai.tagging.llm_transport import forget_modes as forget_modes  # re-exported, as are the two below
from liumai.tagging.llm_transport import remembered_mode as remembered_mode
from liumai.tagging.llm_transport import retry_after_seconds as retry_after_seconds
from liumai.tagging.prompt import build_prompt, prompt_version, response_schema
from liumai.tagging.redact import Redaction, redact

if TYPE_CHECKING:
    from liumai.config import Settings
    from liumai.rubric.model import Rubric

log = logging.getLogger(__name__)


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
        self._client = client or openai.OpenAI(
            base_url=base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or UNSET_API_KEY,
            max_retries=0,  # tenacity owns retries (llm_transport)
            timeout=timeout_s,
        )
        self.base_url = str(self._client.base_url)
        self.prompt_version = prompt_version()
        self._ids = rubric.criterion_ids
        self._transport = Transport(
            client=self._client,
            model=model,
            schema=response_schema(rubric),
            timeout_s=timeout_s,
            deadline_s=deadline_s,
            forced_mode=mode,
            temperature=temperature,
            max_attempts=self.max_attempts,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            backoff_jitter_s=backoff_jitter_s,
            sleep=sleep,
            clock=clock,
        )

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
        call = Call(mode=self._transport.start_mode())
        try:
            result = self._tag(story, lang, hint, call, started, base)
        except Fallback as fb:
            return self._fall_back(story, context, fb, call, started)
        except Exception as exc:  # a bug or an SDK surprise must not leave the nominator without an answer
            log.exception("LLM tagging failed unexpectedly")
            return self._fall_back(story, context, Fallback("error", describe(exc), retryable=True), call, started)
        self._cache_put(key, result)
        return result

    # -- steps ------------------------------------------------------------------------------

    def _tag(
        self, story: str, lang: str, hint: str | None, call: Call, started: float, base: dict[str, str]
    ) -> Suggestions:
        redaction = redact(story) if self.redact else Redaction(text=story)
        call.redacted = len(redaction.mapping)
        seen = redaction.text
        prompt = build_prompt(seen, lang=lang, rubric=self.rubric, value_hint=hint)
        messages: list[dict[str, str]] = prompt.messages()
        deadline = self._transport.deadline()
        first_answer = True
        while True:
            content = self._ask(messages, call, deadline)
            checked, parsed, extracted = read_answer(
                content, story=story, seen=seen, criterion_ids=self._ids, restore=redaction.restore
            )
            _note_first(call, checked, parsed, extracted, first_answer)
            first_answer = False
            if checked.usable:
                return Suggestions(
                    items=checked.items,
                    tagger=self.name,
                    abstain_reason=None if checked.items else checked.abstain_reason,
                    meta=call.meta(started),
                    **base,
                )
            if call.reasked:
                raise Fallback("invalid_output", f"unusable answer after a re-ask: {checked.error}", retryable=True)
            call.reasked = True
            messages = reask_messages(messages, content, checked.error, seen)

    def _ask(self, messages: list[dict[str, str]], call: Call, deadline: Deadline) -> str:
        """One answer, stepping down the output-mode ladder while the server refuses a mode."""
        transport = self._transport
        mode = call.mode
        while True:
            call.mode = mode
            if mode not in call.modes_tried:
                call.modes_tried.append(mode)
            try:
                content = transport.complete(messages, mode, call, deadline)
            except openai.APIStatusError as exc:
                nxt = transport.step_down(mode, exc)
                if nxt is None:
                    raise status_fallback(exc) from exc
                log.info("LLM %s refused mode %s (HTTP %s); trying %s", self.model, mode, exc.status_code, nxt)
                mode = nxt
                continue
            if self.forced_mode is None:
                remember_mode(self.base_url, self.model, mode)
            return content

    def _fall_back(
        self, story: str, context: TagContext | None, fb: Fallback, call: Call, started: float
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


def _note_first(call: Call, checked: Checked, parsed: bool, extracted: bool, first_answer: bool) -> None:
    """Evaluation facts: whether the first answer held JSON, and the validity of the first with suggestions."""
    if first_answer:
        call.valid_json, call.json_extracted = parsed, extracted if parsed else None
    if call.ids_valid is None and checked.ids_valid is not None:
        call.ids_valid, call.quotes_valid = checked.ids_valid, checked.quotes_valid
