"""Database engine, sessions and the schema gate.

SQLite is the embedded default (WAL so readers never block the writer, foreign keys on since
SQLite leaves them off, secure_delete so deleted content is overwritten with zeros); PostgreSQL is
used through the same code. A SQLite file is created readable by its owner only (0600, in a 0700
directory when Liumai creates it); SQLite gives its WAL and shared-memory files the same mode.
Every command but `migrate` goes through `open_database`, which refuses an unmigrated or older
database with one line.

Bound parameters and result rows hold stories, e-mail addresses and concerns, so they never
reach a log: engines hide parameters (in SQLAlchemy's statement log and in the text of its
errors), and SQLAlchemy's debug-level row dump is dropped (`_NoRowDumps`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class SchemaError(RuntimeError):
    """The database is not at the schema this code needs."""


class _NoRowDumps(logging.Filter):
    """Drops SQLAlchemy's "Row (...)" debug records (echo="debug" or a DEBUG level on its logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.endswith("Row %r"))


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowDumps())


def sqlite_path(url: str) -> Path | None:
    """The file of a file-backed SQLite URL; None for PostgreSQL and in-memory databases."""
    sa_url = make_url(url)
    db = sa_url.database
    if sa_url.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser()


def _create_private(path: Path) -> None:
    """Create the database file 0600 (whatever the umask) before SQLite opens it, and its
    directory 0700 if it is missing: SQLite copies the file's mode to the -wal and -shm files."""
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(path.parent, PRIVATE_DIR)
    with suppress(OSError):  # exists already; anything else SQLite reports when it connects
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    _tighten(path)


def _tighten(path: Path) -> None:
    """Owner-only modes for the database and its companions (a file made by an older version)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, PRIVATE_FILE)
        except OSError:  # absent, or not ours to change
            pass


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            _create_private(path)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows, freed pages and overflow pages are overwritten with zeros, not left behind.
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()
            if path is not None:
                _tighten(path)

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def scrub_deleted(engine: Engine) -> bool:
    """After an erasure or a purge, leave no deleted byte in a SQLite database's files.

    secure_delete already zeroed what the deletion freed, but the WAL still holds the earlier
    versions of those pages, and a database written before secure_delete was on may hold stale
    bytes in free space. VACUUM rebuilds every page from the live rows; a TRUNCATE checkpoint then
    copies them into the main file and empties the WAL, even while other processes (`liumai serve`)
    keep the database open. Returns False when a reader in a long transaction kept the WAL from
    being emptied (logged); PostgreSQL needs nothing here (`pg_dump` shows only live rows).
    """
    if engine.dialect.name != "sqlite" or sqlite_path(str(engine.url)) is None:
        return True
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("PRAGMA temp_store=MEMORY")  # VACUUM's scratch copy never touches disk
            conn.exec_driver_sql("VACUUM")
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except OperationalError as exc:  # locked for longer than the busy timeout, disk full, ...
        log.warning("deleted rows may stay in the database files until the next scrub: %s", str(exc).splitlines()[0])
        return False
    if busy:
        log.warning("the WAL could not be emptied (a reader kept it busy): deleted rows may stay in it until then")
    return not busy


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # Alembic only where it migrates: every other command starts faster

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("liumai.storage") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']?([\w-]+|None)["\']?', re.MULTILINE)


@cache
def revisions() -> dict[str, str | None]:
    """Every migration's revision -> its parent, read from the migration files' `revision` and
    `down_revision` lines. Checking the schema at every start needs only this, not Alembic's
    script machinery (a fifth of the CLI's start-up); tests/test_storage.py checks it agrees."""
    found: dict[str, str | None] = {}
    for path in (resources.files("liumai.storage") / "migrations" / "versions").iterdir():
        if not path.name.endswith(".py"):
            continue
        values = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in values:
            parent = values.get("down_revision")
            found[values["revision"]] = None if parent in (None, "None") else parent
    return found


def head_revision() -> str:
    """The one revision no other migration builds on (the history is linear)."""
    parents = set(revisions().values())
    heads = [rev for rev in revisions() if rev not in parents]
    assert len(heads) == 1, f"migrations must form one line, found heads {heads}"
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision Alembic recorded in `alembic_version`; None on a database it never touched."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to `revision`; returns (before, after)."""
    from alembic import command

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
        if current in revisions():
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
