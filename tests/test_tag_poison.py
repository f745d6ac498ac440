"""No poison job: one tag job that cannot be stored never holds up another, always counts as an
attempt, and ends with the offline tagger's answer (or a `failed` job), never in a retry loop.

Driven through the worker function `liumai serve` runs (`tag_worker.run_once`, called by
`run_forever` with the LLM tagger's offline fallback) against the real database and an LLM tagger
built from LIUMAI_LLM_* settings that talks to the local fake OpenAI-compatible server.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.exc import DataError
from sqlmodel import Session, select

from liumai.config import load_settings
from liumai.services import nominations as nom
from liumai.services import tag_jobs
from liumai.services import tag_worker as tw
from liumai.services.context import AppContext
from liumai.services.errors import Unavailable
from liumai.storage.models import Nomination, TagJob
from liumai.storage.models import Suggestion as SuggestionRow
from liumai.tagging.cache import SqlTagCache
from liumai.tagging.llm import LLMTagger, forget_modes
from tests.fakes.openai_server import FakeOpenAIServer

EMAIL = "mei.ling.support@example.org"
POISON_STORY = f"Ann answered every customer mail sent to {EMAIL} over the weekend and closed the refund backlog."
NORMAL_STORY = "Bob paired with Cat for a week to hand over the billing service and wrote the runbook."
NORMAL_QUOTE = "wrote the runbook"
PLACEHOLDER = "[EMAIL_1]"


def _user_message(body: dict) -> str:
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")


def llm_model(body: dict) -> dict:
    """The scripted model: for the redacted poison story an abstain whose reason repeats the
    e-mail placeholder (500 characters as sent, about 1,500 once the address is put back)."""
    if PLACEHOLDER in _user_message(body):
        return {"abstain": True, "reason": (PLACEHOLDER + " ") * 50, "suggestions": []}
    suggestion = {
        "criterion": "teamwork.3",
        "polarity": "conforming",
        "confidence": 0.9,
        "quote": NORMAL_QUOTE,
        "rationale": "shares knowledge",
    }
    return {"abstain": False, "reason": "", "suggestions": [suggestion]}


@pytest.fixture
def fake():
    forget_modes()
    with FakeOpenAIServer() as server:
        server.responder = llm_model
        yield server
    forget_modes()


@pytest.fixture
def llm_ctx(org, fake, db_url, offline_tagger) -> AppContext:
    """The org with an LLM tagger configured as an operator would, redaction on."""
    settings = load_settings(
        LIUMAI_DATABASE_URL=db_url,
        LIUMAI_LLM_BASE_URL=fake.base_url,
        LIUMAI_LLM_MODEL="fake-model",
        LIUMAI_LLM_API_KEY="sk-test",
        LIUMAI_LLM_REDACT="true",
        LIUMAI_LLM_TIMEOUT_S="5",
        LIUMAI_LLM_DEADLINE_S="10",
    )
    tagger = LLMTagger.from_settings(settings, org.rubric, fallback=offline_tagger, cache=SqlTagCache(org.engine))
    return dataclasses.replace(org, settings=settings, tagger=tagger)


@pytest.fixture
def logs(caplog):
    """Everything logged at DEBUG, and SQLAlchemy's statement log (where bound parameters go)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


def stored_two_nominations(ctx: AppContext) -> tuple[int, int]:
    """The poison story first (claimed first), then a normal one; both left to the worker, as a
    process that died before tagging leaves them."""
    poison = nom.nominate(ctx, "bob@example.com", "ann@example.com", POISON_STORY, tag=False).nomination.id
    normal = nom.nominate(ctx, "ann@example.com", "cat@example.com", NORMAL_STORY, tag=False).nomination.id
    ctx.clock.now += timedelta(seconds=nom.INLINE_LEASE_S + 1)
    return poison, normal


def cycle(ctx: AppContext) -> int:
    """One worker cycle, exactly as `run_forever` (the `liumai serve` thread) runs it."""
    return tw.run_once(ctx, "w1", fallback=ctx.tagger.fallback)


def job(ctx: AppContext, nomination_id: int) -> TagJob:
    with Session(ctx.engine) as s:
        return s.exec(select(TagJob).where(TagJob.nomination_id == nomination_id)).one()


def nomination(ctx: AppContext, nomination_id: int) -> Nomination:
    with Session(ctx.engine) as s:
        return s.get(Nomination, nomination_id)


def suggestions(ctx: AppContext, nomination_id: int) -> list[SuggestionRow]:
    with Session(ctx.engine) as s:
        rows = select(SuggestionRow).where(SuggestionRow.nomination_id == nomination_id).order_by(SuggestionRow.rank)
        return list(s.exec(rows).all())


def assert_clean(caplog) -> None:
    """No e-mail address and no dump of SQL parameters anywhere in the log."""
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info and not record.exc_text:
            text += logging.Formatter().formatException(record.exc_info)
        assert EMAIL not in text, (record.name, text[:300])
        assert "[parameters:" not in text, (record.name, text[:300])


def test_abstain_reason_grown_by_restored_placeholders_is_bounded_and_the_batch_goes_on(llm_ctx, fake, logs):
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    assert cycle(ctx) == 2

    # The normal job is tagged in the first cycle, by the LLM.
    assert nomination(ctx, normal).status == "suggested" and job(ctx, normal).status == "done"
    assert [(s.criterion, s.tagger, s.quote) for s in suggestions(ctx, normal)] == [("teamwork.3", "llm", NORMAL_QUOTE)]
    # The poison answer is stored, bounded to its column after the address was put back.
    width = Nomination.__table__.c.abstain_reason.type.length
    stored = nomination(ctx, poison)
    assert stored.status == "suggested" and job(ctx, poison).status == "done"
    assert EMAIL in stored.abstain_reason and len(stored.abstain_reason) <= width
    assert len(fake.requests) == 2 and all(EMAIL not in r.user for r in fake.requests)
    assert cycle(ctx) == 0
    assert_clean(logs)
    assert any("SQL parameters hidden" in r.getMessage() for r in logs.records)  # statements were logged


def test_the_serve_worker_thread_tags_both(llm_ctx, logs):
    """The same batch through `run_forever`, the thread `liumai serve` starts."""
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    stop = threading.Event()
    thread = threading.Thread(target=tw.run_forever, args=(ctx, stop), kwargs={"fallback": ctx.tagger.fallback})
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and {job(ctx, n).status for n in (poison, normal)} != {"done"}:
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert {job(ctx, n).status for n in (poison, normal)} == {"done"}
    assert len(nomination(ctx, poison).abstain_reason) <= Nomination.__table__.c.abstain_reason.type.length
    assert [s.tagger for s in suggestions(ctx, normal)] == ["llm"]
    assert_clean(logs)


def fail_storing(monkeypatch, nomination_id: int, *, taggers: set[str], exc: Exception) -> list[str]:
    """Make storing answers of these taggers for one nomination fail with `exc` in the database
    layer (after its transaction began); returns the taggers whose answers were refused."""
    refused: list[str] = []
    real = tag_jobs._store_suggestions

    def store(ctx, nid, result):
        if nid == nomination_id and result.tagger in taggers:
            refused.append(result.tagger)
            raise exc
        return real(ctx, nid, result)

    monkeypatch.setattr(tag_jobs, "_store_suggestions", store)
    return refused


def data_error() -> DataError:
    """What psycopg reports for a too-long value, with the e-mail among the bound parameters."""
    return DataError(
        "UPDATE nomination SET abstain_reason=%(abstain_reason)s WHERE nomination.id = %(id)s",
        {"abstain_reason": f"{EMAIL} " * 40, "id": 1},
        Exception("value too long for type character varying(500)"),
    )


def test_unstorable_llm_answer_counts_an_attempt_every_cycle_and_the_offline_answer_stands(llm_ctx, monkeypatch, logs):
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    refused = fail_storing(monkeypatch, poison, taggers={"llm"}, exc=data_error())

    assert cycle(ctx) == 2
    assert job(ctx, normal).status == "done" and suggestions(ctx, normal)[0].tagger == "llm"
    # The nominator is not kept waiting: the offline tagger answered in the same cycle ...
    rows = suggestions(ctx, poison)
    assert rows and {r.tagger for r in rows} == {"llm_fallback"} and nomination(ctx, poison).status == "suggested"
    first = job(ctx, poison)
    assert (first.status, first.attempts) == ("queued", 1) and "DataError" in first.last_error
    assert EMAIL not in first.last_error and "parameters" not in first.last_error

    # ... and the LLM is asked again with backoff, every try counted, until LLM_UPGRADE_ATTEMPTS.
    attempts = [first.attempts]
    for _ in range(10):
        ctx.clock.now = job(ctx, poison).next_attempt_at + timedelta(seconds=1)
        if not cycle(ctx):
            break
        attempts.append(job(ctx, poison).attempts)
    assert attempts == list(range(1, tag_jobs.LLM_UPGRADE_ATTEMPTS + 1))
    assert job(ctx, poison).status == "done" and len(refused) == tag_jobs.LLM_UPGRADE_ATTEMPTS
    assert {r.tagger for r in suggestions(ctx, poison)} == {"llm_fallback"}
    errors = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert len(errors) == tag_jobs.LLM_UPGRADE_ATTEMPTS  # one line per failure, naming the job and nomination
    assert all(f"nomination {poison}" in r.getMessage() and "DataError" in r.getMessage() for r in errors)
    assert all(r.exc_info is None for r in errors)
    assert_clean(logs)


def test_offline_answer_that_cannot_be_stored_either_marks_the_job_failed(llm_ctx, monkeypatch, logs):
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    fail_storing(monkeypatch, poison, taggers={"llm", "llm_fallback", "offline"}, exc=data_error())

    assert cycle(ctx) == 2
    assert job(ctx, normal).status == "done" and suggestions(ctx, normal)
    failed = job(ctx, poison)
    assert (failed.status, failed.attempts, failed.lease_until) == ("failed", 1, None)
    assert nomination(ctx, poison).status == "pending_tag" and not suggestions(ctx, poison)
    ctx.clock.now += timedelta(days=1)
    assert cycle(ctx) == 0  # a failed job is never claimed again
    assert_clean(logs)


def test_database_outage_while_storing_requeues_until_the_fallback_is_stored(llm_ctx, monkeypatch, logs):
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    refused = fail_storing(monkeypatch, poison, taggers={"llm", "llm_fallback"}, exc=Unavailable("db.unavailable"))

    assert cycle(ctx) == 2
    assert job(ctx, normal).status == "done"
    first = job(ctx, poison)
    assert (first.status, first.attempts) == ("queued", 1)  # a passing fault: tried again later
    monkeypatch.undo()  # the database is back
    ctx.clock.now = first.next_attempt_at + timedelta(seconds=1)
    assert cycle(ctx) == 1
    assert nomination(ctx, poison).status == "suggested" and job(ctx, poison).status == "done"
    assert refused == ["llm", "llm_fallback"]
    assert_clean(logs)


def test_a_failure_in_one_job_before_tagging_does_not_fail_the_other(llm_ctx, monkeypatch, logs):
    """A fault outside storing (here: reading the nomination) is one job's failure too."""
    ctx = llm_ctx
    poison, normal = stored_two_nominations(ctx)
    real_get = Session.get

    def get(self, entity, ident, **kw):
        if entity is Nomination and ident == poison and not kw.get("with_for_update"):
            raise RuntimeError(f"cannot read nomination of {EMAIL}")
        return real_get(self, entity, ident, **kw)

    monkeypatch.setattr(Session, "get", get)
    assert cycle(ctx) == 2
    assert job(ctx, normal).status == "done"
    failed = job(ctx, poison)
    assert (failed.status, failed.attempts) == ("queued", 1) and EMAIL not in failed.last_error
    assert_clean(logs)
