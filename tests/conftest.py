"""Shared fixtures: every storage/service test runs on SQLite and, when
LIUMAI_TEST_POSTGRES_URL is set, on PostgreSQL too (each test in its own schema, dropped after).

With CI=true the run fails if the PostgreSQL tests were skipped or none ran, so a CI that lost
its database cannot pass silently.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services.context import AppContext
from liumai.storage.db import make_engine, migrate

# The Feishu fixtures (fake open platform, app on loopback) serve tests/feishu and the cross-platform tests.
pytest_plugins = ("tests.feishu.fixtures",)

PG_URL = os.environ.get("LIUMAI_TEST_POSTGRES_URL")
SCHEMA_PREFIX = "lmt_"
FIXED_NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # 2026Q4, ISO week 2026-W47

_pg_counts = {"passed": 0, "skipped": 0, "ran": 0}


STALE_SCHEMA_S = 6 * 3600  # older than any test run: left behind by an interrupted one


def _is_xdist_worker(config: pytest.Config) -> bool:
    """pytest-xdist workers carry `workerinput`; the controller sees every worker's reports."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if PG_URL and not _is_xdist_worker(config):
        # Drop schemas left by interrupted earlier runs so they never pile up. Schema names carry
        # their creation time, so a run never drops the schemas of another run going on now.
        eng = create_engine(PG_URL)
        cutoff = int(time.time()) - STALE_SCHEMA_S
        with eng.begin() as conn:
            for (name,) in conn.execute(
                text("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :p"),
                {"p": SCHEMA_PREFIX + "%"},
            ):
                stamp = name[len(SCHEMA_PREFIX) :].split("_", 1)[0]
                if not stamp.isdigit() or int(stamp) < cutoff:
                    conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        eng.dispose()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _pg_counts["ran"] += 1
    if "postgres" in report.keywords:
        if report.skipped:
            _pg_counts["skipped"] += 1
        elif report.when == "call" and report.passed:
            _pg_counts["passed"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under pytest-xdist each worker sees only its share of the tests; the controller, which
    # receives every worker's reports through pytest_runtest_logreport, judges the whole run.
    if (
        os.environ.get("CI", "").lower() != "true"
        or session.config.option.collectonly
        or _is_xdist_worker(session.config)
    ):
        return
    problem = None
    if not PG_URL:
        problem = "CI=true but LIUMAI_TEST_POSTGRES_URL is not set"
    elif _pg_counts["skipped"]:
        problem = f"{_pg_counts['skipped']} PostgreSQL tests were skipped"
    elif not _pg_counts["passed"] and _pg_counts["ran"] > 50:
        problem = "no PostgreSQL test ran"
    if problem:
        session.config.get_terminal_writer().line(f"\nERROR (CI): {problem}", red=True)
        session.exitstatus = 1


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'liumai.db'}"
        return
    if not PG_URL:
        pytest.skip("LIUMAI_TEST_POSTGRES_URL not set")
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
def engine(db_url):
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


class Clock:
    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def rubric():
    return default_rubric()


@pytest.fixture(scope="session")
def offline_tagger(rubric):
    from liumai.tagging.offline import OfflineTagger

    return OfflineTagger(rubric)


@pytest.fixture
def ctx(engine, db_url, rubric, offline_tagger) -> AppContext:
    settings = load_settings(LIUMAI_DATABASE_URL=db_url)
    return AppContext(settings=settings, engine=engine, rubric=rubric, tagger=offline_tagger, clock=Clock())


ORG_CSV = """email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale
boss@example.com,Boss Chen,lead,,U0BOSS,ou_boss,false,zh-CN
hr@example.com,HR Admin,people,boss@example.com,U0HR,ou_hr,true,en-US
mgr@example.com,Manager Li,alpha,boss@example.com,U0MGR,ou_mgr,false,zh-CN
ann@example.com,Ann,alpha,mgr@example.com,U0ANN,ou_ann,false,en-US
bob@example.com,Bob,alpha,mgr@example.com,U0BOB,ou_bob,false,en-US
wang@example.com,王芳,alpha,mgr@example.com,U0WANG,ou_wang,false,zh-CN
mgr2@example.com,Manager Two,beta,boss@example.com,U0MGR2,ou_mgr2,false,en-US
cat@example.com,Cat,beta,mgr2@example.com,U0CAT,ou_cat,false,en-US
"""


@pytest.fixture
def org(ctx) -> AppContext:
    from liumai.services.org import import_org

    import_org(ctx, ORG_CSV)
    return ctx


@pytest.fixture
def world(org):
    """The authorization matrix's world (tests/authorization_matrix.py): Ann has one piece of
    evidence (from Bob, pending) and one unconfirmed nomination; Dee was deactivated."""
    from liumai.services import nominations as nom
    from liumai.services.org import import_org
    from tests.authorization_matrix import STORY

    # A deactivated colleague: in alpha, then missing from the next import.
    import_org(org, ORG_CSV + "dee@example.com,Dee,alpha,mgr@example.com,U0DEE,ou_dee,false,en-US\n")
    import_org(org, ORG_CSV)
    r = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    e = nom.confirm(org, r.nomination.id, "bob@example.com", "teamwork.3")
    r2 = nom.nominate(org, "bob@example.com", "ann@example.com", STORY + " Again.")
    return org, e.id, r2.nomination.id
