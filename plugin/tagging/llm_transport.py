"""Talking to the LLM server: the output-mode ladder, retries and the total deadline (steps 3 and
the retry rules of `liumai.tagging.llm`).

Retries have one owner: tenacity, here, around each single HTTP request. The openai client is
built with `max_retries=0`, because stacked retry layers multiply (3 SDK tries x 5 of ours),
and the SDK neither knows our total deadline nor lets a test replace its sleep. Tenacity
honours Retry-After (`retry-after-ms`, seconds or an HTTP date), otherwise waits with
exponential backoff and jitter, never sleeps past the deadline, and shortens each request's
timeout to the time left. 429, 408, 409, 5xx, timeouts and connection errors are retried;
400/401/403/404/422 are not. Whatever cannot be fixed by retrying ends as a `Fallback`, which
the tagger answers with its fallback tagger.
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception

MODES = ("json_schema", "json_object", "text")
RETRYABLE_STATUS = frozenset({408, 409, 429})  # and every 5xx
LADDER_STATUS = frozenset({400, 422})  # a structured mode the server does not support
MIN_REQUEST_S = 0.05  # no request is started with less time than this left before the deadline
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


class DeadlineExceeded(Exception):
    """No time left to start another request."""


class MalformedResponse(Exception):
    """HTTP 200 whose body is not a chat completion (a broken proxy): treated like a 5xx."""


class Fallback(Exception):
    def __init__(self, reason: str, detail: str, *, retryable: bool) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.retryable = retryable


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | MalformedResponse)  # incl. APITimeoutError


def describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        msg = " ".join(str(exc.message).split())[:300]
        return f"HTTP {exc.status_code} {type(exc).__name__}: {msg}"
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to the LLM server ({exc.__cause__ or exc})"
    return f"{type(exc).__name__}: {exc}"


def status_fallback(exc: openai.APIStatusError) -> Fallback:
    """A clear, actionable message for errors that retrying cannot fix."""
    code, text = exc.status_code, describe(exc)
    if code == 401:
        return Fallback("auth", f"{text} (the API key was rejected: check LIUMAI_LLM_API_KEY)", retryable=False)
    if code == 403:
        return Fallback("forbidden", f"{text} (this key may not use this model)", retryable=False)
    if code == 404:
        return Fallback("not_found", f"{text} (check LIUMAI_LLM_BASE_URL and LIUMAI_LLM_MODEL)", retryable=False)
    if code in LADDER_STATUS:
        return Fallback("bad_request", text, retryable=False)
    return Fallback(f"http_{code}", text, retryable=False)


@dataclass(slots=True)
class Call:
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


class Deadline:
    """The end of one `suggest` call's time, on an injectable clock."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        return self.end - self.clock()


@dataclass
class Transport:
    """One model on one OpenAI-compatible server: a chat completion per call, in a given output
    mode, retried on transient faults within a deadline (see `liumai.tagging.llm`)."""

    client: openai.OpenAI
    model: str
    schema: dict[str, Any]
    timeout_s: float = 20.0
    deadline_s: float = 30.0
    forced_mode: str | None = None
    temperature: float | None = 0.0
    max_attempts: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    backoff_jitter_s: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    def start_mode(self) -> str:
        return self.forced_mode or remembered_mode(self.base_url, self.model) or MODES[0]

    def deadline(self) -> Deadline:
        return Deadline(self.clock, self.deadline_s)

    def step_down(self, mode: str, exc: openai.APIStatusError) -> str | None:
        if self.forced_mode is not None or exc.status_code not in LADDER_STATUS or mode == MODES[-1]:
            return None
        return MODES[MODES.index(mode) + 1]

    def request_kwargs(self, mode: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "liumai_tagging", "strict": True, "schema": self.schema},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def complete(self, messages: list[dict[str, str]], mode: str, call: Call, deadline: Deadline) -> str:
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
                    server_says = self.backoff(rs.attempt_number)
                planned[rs.attempt_number] = server_says
            return planned[rs.attempt_number]

        def stop(rs: RetryCallState) -> bool:
            if deadline.remaining() - wait(rs) < MIN_REQUEST_S:
                call.stopped_by_deadline = True
                return True
            return rs.attempt_number >= self.max_attempts

        def sleep(seconds: float) -> None:
            call.retry_sleeps.append(seconds)
            self.sleep(seconds)

        retrying = Retrying(retry=retry_if_exception(is_retryable), wait=wait, stop=stop, sleep=sleep, reraise=True)
        kwargs = self.request_kwargs(mode)
        try:
            for attempt in retrying:
                with attempt:
                    remaining = deadline.remaining()
                    if remaining < MIN_REQUEST_S:
                        raise DeadlineExceeded
                    call.attempts += 1
                    try:
                        resp = self.client.chat.completions.create(
                            model=self.model,
                            messages=messages,  # type: ignore[arg-type]
                            timeout=min(self.timeout_s, remaining),
                            **kwargs,
                        )
                    except ValueError as exc:  # JSON content-type with an unreadable body
                        raise MalformedResponse(f"unreadable response body ({exc})") from exc
                    return self.content(resp, call)
        except DeadlineExceeded:
            raise Fallback("deadline", f"no time left within {self.deadline_s:g} s", retryable=True) from None
        except openai.APIStatusError as exc:
            if is_retryable(exc):
                raise self.exhausted(exc, call) from exc
            raise  # 4xx: the ladder or a clear fallback, decided by the caller
        except (openai.APIConnectionError, MalformedResponse) as exc:
            raise self.exhausted(exc, call) from exc
        except openai.OpenAIError as exc:
            raise Fallback("error", describe(exc), retryable=True) from exc
        raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or raises

    def backoff(self, attempt_number: int) -> float:
        """Exponential backoff with additive jitter, capped: initial * 2**(n-1) + U(0, jitter)."""
        base = self.backoff_initial_s * 2 ** min(attempt_number - 1, 30)
        return min(self.backoff_max_s, base + random.uniform(0, self.backoff_jitter_s))

    def exhausted(self, exc: BaseException, call: Call) -> Fallback:
        reason = "deadline" if call.stopped_by_deadline else "unavailable"
        why = f"deadline of {self.deadline_s:g} s reached" if reason == "deadline" else "retries exhausted"
        return Fallback(reason, f"{describe(exc)}; {why} after {call.attempts} request(s)", retryable=True)

    @staticmethod
    def content(resp: Any, call: Call) -> str:
        choices = getattr(resp, "choices", None)
        if not choices:
            raise MalformedResponse("the response is not a chat completion")
        call.add_usage(getattr(resp, "usage", None))
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        return content if isinstance(content, str) else ""
