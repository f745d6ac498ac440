"""Nothing internal leaks: /healthz names no database, a bad database URL is one line.

Before the fix an unauthenticated GET /healthz on a server whose schema was missing or old
answered with the database URL (user, host, port, name - or the SQLite file's path), and
`LIUMAI_DATABASE_URL=mysql://x` made every command print a Python traceback.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services.context import AppContext
from liumai.storage.db import make_engine
from liumai.web import create_app
from tests.fakes.slack_api import serve_in_thread, stop_server
from tests.serving import Served, clean_env, cli, serve


def _parts(url: str) -> list[str]:
    """What must not be shown: every identifying part of the URL, and the URL itself."""
    u = make_url(url)
    parts = [url, u.render_as_string(hide_password=True), u.database or "", u.host or "", u.username or ""]
    if u.port:
        parts.append(str(u.port))
    return [p for p in parts if p]


def _healthz(served: Served) -> tuple[int, dict]:
    status, body = served.get("/healthz")
    return status, json.loads(body)


@pytest.mark.parametrize("damage", ["old-schema", "no-schema"])
def test_healthz_says_schema_not_ready_and_nothing_about_the_database(db_url: str, damage: str):
    env = clean_env(LIUMAI_DATABASE_URL=db_url)
    assert cli("migrate", env=env).returncode == 0
    with serve(env) as served:
        assert _healthz(served)[0] == 200
        engine = create_engine(db_url)
        with engine.begin() as conn:
            if damage == "old-schema":
                conn.execute(text("UPDATE alembic_version SET version_num = '0003'"))
            else:
                conn.execute(text("DROP TABLE alembic_version"))
        engine.dispose()
        status, raw = served.get("/healthz")
        log = served.output()
    assert status == 503
    assert json.loads(raw) == {"status": "error", "detail": "schema not ready"}
    for part in _parts(db_url):
        assert part.encode() not in raw, part
    # the operator still learns why, from the server's own log
    assert "healthz: schema not ready" in log and ("0003" in log or "not initialised" in log)


def test_healthz_says_database_unavailable_and_nothing_about_it():
    url = "postgresql+psycopg://liumai_admin:pw-9f2c@127.0.0.1:1/payroll_prod?connect_timeout=2"
    settings = load_settings(LIUMAI_DATABASE_URL=url)
    ctx = AppContext(settings=settings, engine=make_engine(url), rubric=default_rubric(), tagger=None)  # type: ignore[arg-type]
    server, thread, port = serve_in_thread(create_app(ctx))
    try:
        import httpx

        r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=15)
    finally:
        stop_server(server, thread)
    assert r.status_code == 503
    assert r.json() == {"status": "error", "detail": "database unavailable"}
    for part in ["liumai_admin", "pw-9f2c", "payroll_prod", "127.0.0.1", ":1/"]:
        assert part not in r.text


BAD_URLS = {
    "mysql": "mysql://x",
    "mysql-driver": "mysql+pymysql://root:pw@db.internal/liumai",
    "psycopg2": "postgresql+psycopg2://u@h/db",
    "bad-port": "postgresql+psycopg://u@h:port/db",
    "not-a-url": "liumai.db",
}


@pytest.mark.parametrize(
    "command", [["migrate"], ["serve", "--port", "0", "--no-worker"], ["score", "--person", "a@example.com"]]
)
@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_an_unsupported_database_url_is_one_line_naming_the_variable(url: str, command: list[str]):
    res = cli(*command, env=clean_env(LIUMAI_DATABASE_URL=url), timeout=60)
    assert res.returncode != 0
    out = (res.stdout + res.stderr).strip()
    assert "Traceback" not in out
    assert out.splitlines() == [out] and out.startswith("error: LIUMAI_DATABASE_URL: "), out
    assert "pw" not in out.split("LIUMAI_DATABASE_URL: ", 1)[1]  # the message does not echo the URL
