"""A late tagger answer never overwrites the nominator's decision (Confirm or Cancel).

`tag_jobs._store_suggestions` reads the nomination, decides to store, then writes. PostgreSQL
locks the row at the read; SQLite (pysqlite opens no transaction for a SELECT) does not, so a
decision could land between the read and the write and be reset to "suggested". Interleaved
deterministically: the tagger is held just before its first write while the decision runs (to the
end on SQLite; on PostgreSQL until it waits on the tagger's row lock, which is checked in
pg_locks), then the tagger goes on.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from liumai.services import nominations as nom
from liumai.services import tag_jobs
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence, Nomination, TagJob
from liumai.tagging.base import TagContext
from tests.race_workers import BY, CRITERION, PauseFirstWrite, in_thread, new_nomination

WAIT_S = 60.0
TAGGER_WRITES = re.compile(
    r"^\s*(UPDATE|INSERT INTO|DELETE FROM)\s+\"?(nomination|suggestion|tag_job|audit_log)\b", re.I
)


def decide(ctx, n: int, decision: str) -> Any:
    return nom.confirm(ctx, n, BY, CRITERION) if decision == "confirm" else nom.cancel(ctx, n, BY)


def wait_until_blocked_on_nomination(ctx) -> None:
    """PostgreSQL: until a session waits for a lock on this schema's nomination table."""
    deadline = time.monotonic() + WAIT_S
    query = text(
        "SELECT count(*) FROM pg_locks WHERE relation = 'nomination'::regclass"
        " AND cardinality(pg_blocking_pids(pid)) > 0"
    )
    with ctx.engine.connect() as conn:
        while conn.execute(query).scalar_one() == 0:
            assert time.monotonic() < deadline, "the decision never waited on the tagger's lock"
            time.sleep(0.02)
            conn.rollback()


def interleave(ctx, tag, n: int, decision: str) -> tuple[dict, dict]:
    """Run `tag` until just before its first write, `decision` meanwhile, then let `tag` finish."""
    with PauseFirstWrite(ctx.engine) as pause:
        pause.pattern = TAGGER_WRITES
        tagger, t_out = in_thread(tag)
        pause.wait_reached()
        decider, d_out = in_thread(decide, ctx, n, decision)
        if ctx.engine.dialect.name == "postgresql":
            wait_until_blocked_on_nomination(ctx)  # the row lock holds it: no race to lose
        else:
            decider.join(WAIT_S)
            assert not decider.is_alive() and "error" not in d_out, d_out
        pause.release()
        tagger.join(WAIT_S)
        decider.join(WAIT_S)
    assert "error" not in t_out and "error" not in d_out, (t_out, d_out)
    return t_out, d_out


def outcome(ctx, n: int) -> tuple[str, list[str], list[str], str]:
    """Status, evidence statuses, audit actions about the nomination, and the tag job's status."""
    with session_scope(ctx.engine) as s:
        status = s.get(Nomination, n).status
        evidence = list(s.exec(select(Evidence.status).where(Evidence.nomination_id == n)).all())
        actions = sorted(
            a.action
            for a in s.exec(select(AuditLog))
            if (a.entity == "nomination" and a.entity_id == str(n)) or json.loads(a.detail).get("nomination") == n
        )
        job = s.exec(select(TagJob.status).where(TagJob.nomination_id == n)).one()
    return status, evidence, actions, job


@pytest.mark.parametrize("decision", ["confirm", "cancel"])
def test_a_decision_between_the_taggers_read_and_write_stands(org, decision):
    n = new_nomination(org)
    interleave(org, lambda: tag_jobs.tag_nomination(org, n), n, decision)
    status, evidence, actions, job = outcome(org, n)
    assert job == "done"  # the job is finished either way, never left to retry a decided nomination
    if decision == "confirm":
        assert (status, evidence) == ("confirmed", ["pending"])
        assert "evidence.create" in actions
    else:
        assert (status, evidence) == ("cancelled", [])
        assert "nomination.cancel" in actions
    # SQLite: the answer was dropped; PostgreSQL: it was stored first, the decision came after it
    tagged = "nomination.tagged" in actions
    assert tagged == (org.engine.dialect.name == "postgresql"), actions


def test_a_late_llm_answer_does_not_replace_what_was_confirmed(org):
    n = new_nomination(org)
    with session_scope(org.engine) as s:
        story = s.get(Nomination, n).story
    offline = org.tagger.suggest(story, TagContext())
    fallback = dataclasses.replace(
        offline, tagger="llm_fallback", meta={"fallback_reason": "unavailable", "fallback_retryable": True}
    )
    first = [(x.rank, x.criterion, x.tagger) for x in tag_jobs.store_suggestions(org, n, fallback)]
    assert first and all(t == "llm_fallback" for _, _, t in first)
    llm = dataclasses.replace(offline, tagger="llm", model="m")
    interleave(org, lambda: tag_jobs.store_suggestions(org, n, llm), n, "confirm")
    status, evidence, actions, _ = outcome(org, n)
    assert (status, evidence) == ("confirmed", ["pending"])
    with session_scope(org.engine) as s:
        stored = [(x.rank, x.criterion, x.tagger) for x in tag_jobs.suggestions_of(s, n)]
    if org.engine.dialect.name == "postgresql":  # the LLM answer was stored before the confirm
        assert "nomination.retagged" in actions and all(t == "llm" for _, _, t in stored)
    else:  # what the nominator confirmed from stays
        assert "nomination.retagged" not in actions and stored == first
