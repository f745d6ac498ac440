"""Database engine, sessions and the schema gate.

SQLite is the embedded default (WAL so readers never block the writer, foreign keys on since
SQLite leaves them off); PostgreSQL is used through the same code. Every command but `migrate`
goes through `open_database`, which refuses an unmigrated or older database with one line.

Bound parameters and result rows hold stories, e-mail addresses and concerns, so they never
reach a log: engines hide parameters (in SQLAlchemy's statement log and in the text of its
errors), and SQLAlchemy's debug-level row dump is dropped (`_NoRowDumps`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine


class SchemaError(RuntimeError):
    """The database is not at the schema this code needs."""


class _NoRowDumps(logging.Filter):
    """Drops SQLAlchemy's "Row (...)" debug records (echo="debug" or a DEBUG level on its logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.endswith("Row %r"))


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowDumps())


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to `revision`; returns (before, after)."""
    before = current_revision(engine)
    command.upgrade(_alembic_config(engine), revision)
    return before, current_revision(engine) or ""


def check_schema(engine: Engine) -> None:
    head = head_revision()
    try:
        current = current_revision(engine)
    except Exception as exc:  # connection refused, bad credentials, ...
        raise SchemaError(f"cannot open the database: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    url = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaError(f"database {url} is not initialised: run `liumai migrate` first")
    if current != head:
        script = ScriptDirectory.from_config(_alembic_config(engine))
        known = {rev.revision for rev in script.walk_revisions()}
        if current in known:
            raise SchemaError(f"database {url} is at schema {current}, this version needs {head}: run `liumai migrate`")
        raise SchemaError(
            f"database {url} is at schema {current}, unknown to this version of liumai (newer?): upgrade liumai"
        )


def open_database(url: str) -> Engine:
    engine = make_engine(url)
    check_schema(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
