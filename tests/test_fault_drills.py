"""Fault drills: the database connections killed mid-run, SQLite busy, the LLM down all along.

Each drill checks the same promises: nothing is lost or half-written, a request caught in the
fault gets a clear "try again", and the service recovers without a restart.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, func, select

from liumai.config import load_settings
from liumai.services import nominations as nom
from liumai.services.context import AppContext
from liumai.services.errors import Unavailable
from liumai.services.org import import_org
from liumai.storage.db import make_engine
from liumai.storage.models import Nomination, Suggestion, TagJob
from tests.conftest import ORG_CSV, PG_URL, Clock

STORY = "Ann paired with the new hire on the payments migration and documented every step for the team."


def counts(engine) -> tuple[int, int]:
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(Nomination)).one()
        j = s.exec(select(func.count()).select_from(TagJob)).one()
    return n, j


def test_postgres_connections_killed_mid_run_recover_without_restart(db_url, rubric, offline_tagger):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL drill")
    url = db_url + "&application_name=liumai_drill"
    engine = make_engine(url)
    from liumai.storage.db import migrate

    migrate(engine)
    ctx = AppContext(
        settings=load_settings(LIUMAI_DATABASE_URL=url),
        engine=engine,
        rubric=rubric,
        tagger=offline_tagger,
        clock=Clock(),
    )
    import_org(ctx, ORG_CSV)
    killer = create_engine(PG_URL)
    stop = threading.Event()
    kills = [0]

    def kill_loop():
        while not stop.is_set():
            with killer.begin() as conn:
                kills[0] += (
                    conn.execute(
                        text(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = 'liumai_drill' AND pid <> pg_backend_pid()"
                        )
                    ).scalar()
                    or 0
                )
            stop.wait(0.02)

    ok, unavailable, other = [], [], []
    t = threading.Thread(target=kill_loop)
    t.start()
    try:
        for i in range(60):
            key = f"drill:{i}"
            try:
                ok.append(
                    nom.nominate(
                        ctx, "bob@example.com", "ann@example.com", f"{STORY} #{i}", idempotency_key=key
                    ).nomination.id
                )
            except Unavailable as exc:
                assert "try again" in exc.message("en") and "重试" in exc.message("zh")
                unavailable.append(key)
            except Exception as exc:  # anything else is a failure of the drill
                other.append(repr(exc))
    finally:
        stop.set()
        t.join()
    assert not other, other[:3]
    assert kills[0] > 0, "the drill never killed a connection"
    # Recovered without a restart: the same engine serves the next requests, and a request that
    # was answered "try again" can be retried with its key without creating a duplicate.
    for key in unavailable:
        nom.nominate(ctx, "bob@example.com", "ann@example.com", f"{STORY} retry", idempotency_key=key)
    n, j = counts(engine)
    assert n == 60 and j == 60, "every nomination exactly once, each with its tag job (nothing half-written)"
    with Session(engine) as s:
        orphans = s.exec(
            select(func.count())
            .select_from(Nomination)
            .where(Nomination.status == "pending_tag", ~Nomination.id.in_(select(TagJob.nomination_id)))
        ).one()
    assert orphans == 0
    engine.dispose()
    killer.dispose()


@pytest.fixture
def sqlite_org(tmp_path, rubric, offline_tagger) -> AppContext:
    from liumai.storage.db import migrate

    url = f"sqlite:///{tmp_path / 'drill.db'}"
    engine = make_engine(url)
    migrate(engine)
    ctx = AppContext(
        settings=load_settings(LIUMAI_DATABASE_URL=url),
        engine=engine,
        rubric=rubric,
        tagger=offline_tagger,
        clock=Clock(),
    )
    import_org(ctx, ORG_CSV)
    yield ctx
    engine.dispose()


def test_sqlite_busy_under_concurrent_writers_is_not_an_error(sqlite_org):
    org = sqlite_org
    # Another process holds the write lock for a while (a backup, a migration, a second server).
    path = org.engine.url.database
    holder = sqlite3.connect(path, timeout=5, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.8, lambda: (holder.commit(), holder.close()))
    errors: list[str] = []
    done: list[int] = []

    def writer(i: int) -> None:
        for k in range(15):
            try:
                res = nom.nominate(org, "bob@example.com", "ann@example.com", f"{STORY} {i}-{k}")
                nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.3")
                done.append(1)
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    release.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(done) == 90 and counts(org.engine) == (90, 90)


def test_llm_down_for_the_whole_run_still_gives_offline_suggestions(org):
    """The LLM is unreachable throughout: every nomination still gets suggestions, and loses nothing."""
    import socket

    from liumai.tagging.llm import LLMTagger

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: connection refused, fast
    settings = load_settings(
        LIUMAI_DATABASE_URL=str(org.engine.url),
        LIUMAI_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1",
        LIUMAI_LLM_MODEL="m",
        LIUMAI_LLM_API_KEY="k",
        LIUMAI_LLM_DEADLINE_S=1.0,
    )
    org.tagger = LLMTagger.from_settings(settings, org.rubric, fallback=org.tagger, sleep=lambda _s: None)
    t0 = time.monotonic()
    stories = [
        "Ann stayed late to walk a customer through the refund and followed up the next morning.",
        "王芳主动把排障经验整理成文档分享给全组，还手把手带新人。",
        "Bob admitted the outage was caused by his config change and wrote the fix the same day.",
    ]
    for i, story in enumerate(stories * 4):
        res = nom.nominate(org, "bob@example.com", "ann@example.com", story, idempotency_key=f"down:{i}")
        assert res.nomination.status == "suggested"
        assert res.suggestions and all(x.tagger == "llm_fallback" for x in res.suggestions)
    assert time.monotonic() - t0 < 60
    with Session(org.engine) as s:
        jobs = s.exec(select(TagJob)).all()
        assert len(jobs) == 12 and {j.status for j in jobs} == {"queued"}  # queued for an LLM upgrade
        assert s.exec(select(func.count()).select_from(Suggestion)).one() >= 12
