"""Durable tagging: failed or interrupted tagging is retried by workers, exactly once per nomination."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from liumai.services import nominations as nom
from liumai.services import tag_jobs
from liumai.services import tag_worker as tw
from liumai.storage.models import Nomination, TagJob
from liumai.storage.models import Suggestion as SuggestionRow
from liumai.tagging.base import Suggestion, Suggestions

STORY = "Ann paired with Bob for a week to hand over the billing service and wrote the runbook."


class CountingTagger:
    name = "counting"

    def __init__(self, rubric, fail_times: int = 0):
        self.rubric = rubric
        self.calls: Counter[str] = Counter()
        self.fail_times = fail_times
        self.lock = threading.Lock()

    def suggest(self, story, context=None):
        with self.lock:
            self.calls[story] += 1
            if self.fail_times > 0:
                self.fail_times -= 1
                raise ConnectionError("LLM unreachable")
        return Suggestions(
            items=(Suggestion("teamwork.3", "conforming", 0.9, story[:12]),),
            tagger="llm",
            rubric_version=self.rubric.version,
            model="fake",
        )


def job(engine, nomination_id) -> TagJob:
    with Session(engine) as s:
        return s.exec(select(TagJob).where(TagJob.nomination_id == nomination_id)).one()


def suggestion_count(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(SuggestionRow)).one()


def test_failed_tagging_is_retried_after_backoff(org):
    org.tagger = CountingTagger(org.rubric, fail_times=1)
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    assert res.nomination.status == "pending_tag"
    j = job(org.engine, res.nomination.id)
    assert j.status == "queued" and j.attempts == 1 and j.next_attempt_at == org.now() + timedelta(seconds=10)

    assert tw.run_once(org, "w1") == 0  # not due yet
    org.clock.now += timedelta(seconds=11)
    stats = tw.WorkerStats()
    assert tw.run_once(org, "w1", stats=stats) == 1 and stats.tagged == 1
    assert job(org.engine, res.nomination.id).status == "done"
    with Session(org.engine) as s:
        assert s.get(Nomination, res.nomination.id).status == "suggested"
    assert org.tagger.calls[STORY] == 2  # the failed inline try and the worker's
    assert tw.run_once(org, "w1") == 0


def test_inline_tagging_that_never_finished_is_picked_up_after_its_lease(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY, tag=False)  # e.g. the process died
    j = job(org.engine, res.nomination.id)
    assert (j.status, j.worker) == ("running", "inline")
    org.tagger = CountingTagger(org.rubric)
    assert tw.run_once(org, "w1") == 0  # the inline lease still holds
    org.clock.now += timedelta(seconds=nom.INLINE_LEASE_S + 1)
    assert tw.run_once(org, "w1") == 1
    assert org.tagger.calls[STORY] == 1 and job(org.engine, res.nomination.id).status == "done"


def test_worker_dying_mid_job_leaves_a_job_claimed_again_after_the_lease(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY, tag=False)
    org.clock.now += timedelta(seconds=nom.INLINE_LEASE_S + 1)
    assert tw.claim(org, "dying", lease_s=30) == [j := job(org.engine, res.nomination.id).id]
    # "dying" never processes its job. Another worker cannot take it while the lease holds ...
    assert tw.claim(org, "healthy", lease_s=30) == []
    org.clock.now += timedelta(seconds=31)
    assert tw.claim(org, "healthy", lease_s=30) == [j]
    tagger = CountingTagger(org.rubric)
    assert tw.process(org, j, "healthy", tagger=tagger)
    # ... and if the first worker wakes up late, it has lost the lease and does nothing.
    assert not tw.process(org, j, "dying", tagger=tagger)
    assert sum(tagger.calls.values()) == 1 and suggestion_count(org.engine) == 1


def test_after_max_attempts_the_fallback_tagger_answers(org):
    broken = CountingTagger(org.rubric, fail_times=100)
    org.tagger = broken
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    fallback = CountingTagger(org.rubric)
    for _ in range(10):
        org.clock.now += timedelta(hours=2)
        tw.run_once(org, "w", tagger=broken, fallback=fallback, max_attempts=3)
        if job(org.engine, res.nomination.id).status == "done":
            break
    assert broken.calls[STORY] == 3  # inline + 2 worker attempts, then the fallback
    assert fallback.calls[STORY] == 1
    assert job(org.engine, res.nomination.id).status == "done"


def _bulk_nominations(org, n: int) -> None:
    """Insert n stored-but-untagged nominations with due jobs (what a crash or outage leaves)."""
    from liumai.services.people import get_person

    with Session(org.engine) as s:
        a, b = get_person(s, "bob@example.com"), get_person(s, "ann@example.com")
        noms = [
            Nomination(
                nominator_id=a.id,
                nominee_id=b.id,
                story=f"{STORY} #{i}",
                idempotency_key=f"bulk:{i}",
                created_at=org.now(),
            )
            for i in range(n)
        ]
        s.add_all(noms)
        s.flush()
        s.add_all([TagJob(nomination_id=x.id, status="queued", next_attempt_at=org.now()) for x in noms])
        s.commit()


@pytest.mark.parametrize("workers", [4])
def test_concurrent_workers_tag_each_nomination_exactly_once(org, workers):
    n = 500 if org.engine.dialect.name == "postgresql" else 200
    _bulk_nominations(org, n)
    tagger = CountingTagger(org.rubric)
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(i: int) -> None:
        try:
            barrier.wait()
            while tw.run_once(org, f"w{i}", batch=7, tagger=tagger):
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(tagger.calls) == n and set(tagger.calls.values()) == {1}
    assert suggestion_count(org.engine) == n
    with Session(org.engine) as s:
        assert set(s.exec(select(TagJob.status)).all()) == {"done"}
        per_worker = Counter(s.exec(select(TagJob.worker)).all())
    assert sum(per_worker.values()) == n
    if org.engine.dialect.name == "postgresql":
        assert len(per_worker) > 1  # the work was really shared


class FlakyLLM:
    """Answers like LLMTagger: offline fallback (retryable) while 'down', real LLM answers after."""

    name = "llm"

    def __init__(self, rubric, down: bool = True):
        self.rubric, self.down, self.calls = rubric, down, 0

    def suggest(self, story, context=None):
        self.calls += 1
        if self.down:
            return Suggestions(
                items=(Suggestion("teamwork.1", "conforming", 0.4, story[:8]),),
                tagger="llm_fallback",
                rubric_version=self.rubric.version,
                meta={"fallback_reason": "unavailable", "fallback_retryable": True},
            )
        return Suggestions(
            items=(Suggestion("teamwork.3", "conforming", 0.9, story[:12]),),
            tagger="llm",
            rubric_version=self.rubric.version,
            model="fake",
        )


def _criteria(engine, nomination_id):
    with Session(engine) as s:
        rows = s.exec(
            select(SuggestionRow).where(SuggestionRow.nomination_id == nomination_id).order_by(SuggestionRow.rank)
        ).all()
        return [(r.criterion, r.tagger) for r in rows]


def test_fallback_suggestions_are_upgraded_by_the_llm_later(org):
    llm = FlakyLLM(org.rubric)
    org.tagger = llm
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    # The nominator is not left waiting: offline suggestions are there at once ...
    assert res.nomination.status == "suggested"
    assert _criteria(org.engine, res.nomination.id) == [("teamwork.1", "llm_fallback")]
    # ... and the job is queued to ask the LLM again.
    assert job(org.engine, res.nomination.id).status == "queued"
    llm.down = False
    org.clock.now += timedelta(minutes=5)
    assert tw.run_once(org, "w") == 1
    assert _criteria(org.engine, res.nomination.id) == [("teamwork.3", "llm")]
    assert job(org.engine, res.nomination.id).status == "done"


def test_no_upgrade_once_the_nominator_confirmed(org):
    llm = FlakyLLM(org.rubric)
    org.tagger = llm
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.1")
    llm.down = False
    org.clock.now += timedelta(minutes=5)
    tw.run_once(org, "w")
    assert _criteria(org.engine, res.nomination.id) == [("teamwork.1", "llm_fallback")]
    assert job(org.engine, res.nomination.id).status == "done"
    assert llm.calls == 1  # the worker did not even ask


def test_llm_down_for_good_stops_retrying(org):
    llm = FlakyLLM(org.rubric)
    org.tagger = llm
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    for _ in range(10):
        org.clock.now += timedelta(hours=2)
        tw.run_once(org, "w")
    assert job(org.engine, res.nomination.id).status == "done"
    assert llm.calls == tag_jobs.LLM_UPGRADE_ATTEMPTS
    assert _criteria(org.engine, res.nomination.id) == [("teamwork.1", "llm_fallback")]


def test_two_taggers_of_one_nomination_store_one_answer(org):
    """An inline tagging and a worker racing on the same nomination: one answer wins, no error."""
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY, tag=False)
    tagger = CountingTagger(org.rubric)
    results: list = []
    errors: list = []
    barrier = threading.Barrier(4)

    def tag() -> None:
        try:
            barrier.wait()
            results.append(tag_jobs.store_suggestions(org, res.nomination.id, tagger.suggest(STORY)))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=tag) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert suggestion_count(org.engine) == 1
    assert all([r.id for r in rows] == [results[0][0].id] for rows in results)
