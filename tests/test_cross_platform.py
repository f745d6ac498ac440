"""One scenario table, run against the Slack and the Feishu adapters, ends in identical stored state.

Each platform gets a fresh database with the same org chart (tests/conftest.py's ORG_CSV) and is
driven the way people use it, over real HTTP: Slack through its ASGI app on uvicorn and the fake
Web API (tests/slack/driver.py), Feishu through its encrypted, signed callbacks and the fake open
platform (tests/feishu/driver.py, with the Feishu `app` fixture of tests/feishu/fixtures.py). The
steps name people by e-mail and nominations by their position in the table, so the same table
means the same thing on both. At the end the stored nominations (nominator, nominee, story,
status), evidence (subject, criterion, polarity, mitigated, status, nominator, decided by) and
concerns (subject, manager, criterion, note, mitigated) must be identical - ids, timestamps,
`source` and platform links aside. "me" steps read back and are checked on each platform.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from liumai.config import load_settings
from liumai.services.context import AppContext
from liumai.services.org import import_org
from liumai.slack import build_slack
from liumai.storage.db import make_engine, migrate, session_scope
from liumai.storage.models import Concern, Evidence, Nomination, Person
from liumai.web import create_app
from tests.conftest import ORG_CSV, PG_URL, SCHEMA_PREFIX, Clock, _pg_schema_url
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, serve_in_thread, stop_server
from tests.feishu.driver import FeishuDriver
from tests.slack.driver import SlackDriver
from tests.slack.harness import SECRET, SLACK_ENV, SlackHarness

STORIES = [
    "Bob stayed late to walk the new hire through on-call and wrote the runbook up for the whole team.",
    "王芳主动把排障经验写成文档分享给全组，还手把手带新同事处理了第一次值班告警。",
    "Ann answered a merchant's complaint at midnight and followed up until the refund arrived.",
    "Bob kept the release calm: he split the work, checked on everyone, and thanked each of them.",
]
# (step, *arguments); "n0".."n3" are the nominations in the order the table creates them, and
# "e:n0" is the evidence their confirmation produced.
SCENARIO: list[tuple[Any, ...]] = [
    ("nominate", "ann@example.com", "bob@example.com", STORIES[0]),
    ("confirm", "ann@example.com", "n0", "teamwork.3"),
    ("nominate", "bob@example.com", "wang@example.com", STORIES[1]),
    ("confirm", "bob@example.com", "n1", "dedication.2"),  # probably not a suggestion: "choose another"
    ("nominate", "wang@example.com", "ann@example.com", STORIES[2]),
    ("confirm", "wang@example.com", "n2", "customer_first.2"),
    ("nominate", "cat@example.com", "bob@example.com", STORIES[3]),
    ("confirm", "cat@example.com", "n3", "teamwork.4"),
    ("review", "mgr@example.com", ["e:n0", "e:n1", "e:n2", "e:n3"]),
    ("accept", "mgr@example.com", "e:n0"),
    ("reject", "mgr@example.com", "e:n1"),
    ("retag", "mgr@example.com", "e:n2", "customer_first.3"),
    ("review", "mgr@example.com", ["e:n3"]),
    (
        "concern",
        "mgr@example.com",
        "bob@example.com",
        "integrity.2",
        "Promised the fix by Friday, shipped nothing.",
        True,
    ),
    ("concern", "hr@example.com", "wang@example.com", "teamwork.1", "Skipped the retro twice.", False),
    ("review", "hr@example.com", ["e:n3"]),  # an admin sees everyone's pending evidence
    ("me", "bob@example.com", [STORIES[0][:40], STORIES[3][:40]], ["Promised the fix"]),
    ("me", "ann@example.com", [STORIES[2][:40]], []),
]


# ------------------------------------------------------------------ Slack on a fresh database
@pytest.fixture
def slack_db(db_url: str, tmp_path) -> Iterator[str]:
    """A second fresh database of the same kind as the Feishu side's (`db_url`: SQLite or PostgreSQL)."""
    if not db_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'slack.db'}"
        return
    schema = f"{SCHEMA_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def slack_side(slack_db, rubric, offline_tagger, monkeypatch) -> Iterator[SlackHarness]:
    """Liumai with Slack only, on its own database with the same org, served over real HTTP."""
    for var in SLACK_ENV:  # a developer's own Slack variables must not leak in
        monkeypatch.delenv(var, raising=False)
    engine = make_engine(slack_db)
    migrate(engine)
    with FakeSlackAPI() as fake:
        settings = load_settings(
            LIUMAI_DATABASE_URL=slack_db,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.base_url,
        )
        ctx = AppContext(settings=settings, engine=engine, rubric=rubric, tagger=offline_tagger, clock=Clock())
        import_org(ctx, ORG_CSV)
        integration = build_slack(ctx, settle_s=0)
        server, thread, port = serve_in_thread(create_app(ctx, [integration]))
        harness = SlackHarness(ctx, fake, integration, port)
        try:
            yield harness
        finally:
            integration.wait_idle(10)
            harness.close()
            stop_server(server, thread)
            integration.close()
            engine.dispose()


# ------------------------------------------------------------------ running the table
def evidence_of(ctx: AppContext, nomination_id: int) -> int:
    with session_scope(ctx.engine) as s:
        return s.exec(select(Evidence.id).where(Evidence.nomination_id == nomination_id)).one()


def run(driver: SlackDriver | FeishuDriver, ctx: AppContext) -> list[str]:
    """Play SCENARIO through `driver`; returns what the people were told (for the report on failure)."""
    noms: list[int] = []
    told: list[str] = []

    def ev(handle: str) -> int:
        return evidence_of(ctx, noms[int(handle.removeprefix("e:n"))])

    for step, *args in SCENARIO:
        if step == "nominate":
            noms.append(driver.nominate(*args))
        elif step == "confirm":
            who, handle, criterion = args
            told.append(driver.confirm(who, noms[int(handle[1:])], criterion))
        elif step == "review":
            who, expected = args
            assert driver.review(who) == sorted(ev(h) for h in expected), (step, args)
        elif step in ("accept", "reject"):
            who, handle = args
            told.append(driver.decide(who, ev(handle), "accepted" if step == "accept" else "rejected"))
        elif step == "retag":
            who, handle, criterion = args
            told.append(driver.retag(who, ev(handle), criterion))
        elif step == "concern":
            who, subject, criterion, note, mitigated = args
            told.append(driver.concern(who, subject, criterion, note, mitigated=mitigated))
        elif step == "me":
            who, present, absent = args
            text = driver.me(who)
            for words in present:
                assert words in text, (who, words)
            for words in absent:
                assert words not in text, (who, words)
        else:  # pragma: no cover - a typo in the table
            raise AssertionError(step)
    return told


def stored_state(ctx: AppContext) -> dict[str, list[tuple]]:
    """The business state, by e-mail and in a stable order; no ids, timestamps, sources or links."""
    with session_scope(ctx.engine) as s:
        email = dict(s.exec(select(Person.id, Person.email)).all())
        nominations = sorted(
            (email[n.nominator_id], email[n.nominee_id], n.story, n.status, n.private, n.value_hint)
            for n in s.exec(select(Nomination)).all()
        )
        story_of = dict(s.exec(select(Nomination.id, Nomination.story)).all())
        evidence = sorted(
            (
                email[e.subject_id],
                e.criterion,
                e.polarity,
                e.mitigated,
                e.status,
                email.get(e.nominator_id),
                email.get(e.decided_by_id),
                e.period,
                story_of.get(e.nomination_id),
                e.concern_id is not None,
            )
            for e in s.exec(select(Evidence)).all()
        )
        concerns = sorted(
            (email[c.subject_id], email[c.manager_id], c.criterion, c.note, c.mitigated)
            for c in s.exec(select(Concern)).all()
        )
    return {"nominations": nominations, "evidence": evidence, "concerns": concerns}


def test_the_same_scenario_ends_in_the_same_state_on_slack_and_feishu(slack_side, app):
    slack_told = run(SlackDriver(slack_side), slack_side.ctx)
    slack_side.settle()
    feishu_told = run(FeishuDriver(app), app.ctx)
    app.idle()
    slack_state, feishu_state = stored_state(slack_side.ctx), stored_state(app.ctx)
    assert slack_state == feishu_state, (slack_told, feishu_told)
    # and the state is the one the table describes (not merely the same mistake twice)
    assert [(n[0], n[1], n[3]) for n in slack_state["nominations"]] == sorted(
        [
            ("ann@example.com", "bob@example.com", "confirmed"),
            ("bob@example.com", "wang@example.com", "confirmed"),
            ("wang@example.com", "ann@example.com", "confirmed"),
            ("cat@example.com", "bob@example.com", "confirmed"),
        ]
    )
    decided = {(e[0], e[1], e[4], e[6]) for e in slack_state["evidence"]}
    assert decided == {
        ("bob@example.com", "teamwork.3", "accepted", "mgr@example.com"),
        ("wang@example.com", "dedication.2", "rejected", "mgr@example.com"),
        ("ann@example.com", "customer_first.3", "accepted", "mgr@example.com"),
        ("bob@example.com", "teamwork.4", "pending", None),
        ("bob@example.com", "integrity.2", "accepted", "mgr@example.com"),
        ("wang@example.com", "teamwork.1", "accepted", "hr@example.com"),
    }
    assert [(c[0], c[2], c[4]) for c in slack_state["concerns"]] == [
        ("bob@example.com", "integrity.2", True),
        ("wang@example.com", "teamwork.1", False),
    ]


def test_the_drivers_agree_with_each_other_on_shape():
    """Both drivers offer the same steps with the same signatures (the table relies on it)."""
    import inspect

    for step in ("nominate", "confirm", "review", "decide", "retag", "concern", "me"):
        a = inspect.signature(getattr(SlackDriver, step))
        b = inspect.signature(getattr(FeishuDriver, step))
        assert list(a.parameters) == list(b.parameters), step
