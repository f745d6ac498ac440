"""Schema migrations, the schema gate, SQLite settings, and constraints that protect data."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from liumai.storage.db import SchemaError, check_schema, current_revision, head_revision, make_engine, migrate
from liumai.storage.models import Nomination, Person


def test_migrate_creates_every_table_and_is_idempotent(db_url):
    eng = make_engine(db_url)
    before, after = migrate(eng)
    assert before is None and after == head_revision()
    tables = set(inspect(eng).get_table_names())
    assert {
        "person",
        "team",
        "nomination",
        "suggestion",
        "evidence",
        "concern",
        "tag_job",
        "digest_run",
        "audit_log",
        "tag_cache",
        "alembic_version",
    } <= tables
    assert "workspace" not in tables  # unused since 0001, dropped by 0006
    assert migrate(eng) == (head_revision(), head_revision())
    check_schema(eng)
    eng.dispose()


def test_unmigrated_database_is_refused_with_one_line(db_url):
    eng = make_engine(db_url)
    with pytest.raises(SchemaError) as exc:
        check_schema(eng)
    msg = str(exc.value)
    assert "liumai migrate" in msg and "\n" not in msg
    eng.dispose()


def test_older_database_is_refused_then_upgraded(db_url):
    eng = make_engine(db_url)
    migrate(eng, "0001")
    with pytest.raises(SchemaError, match=r"at schema 0001, this version needs .*liumai migrate"):
        check_schema(eng)
    migrate(eng)
    check_schema(eng)
    eng.dispose()


def test_newer_unknown_schema_is_refused(db_url):
    eng = make_engine(db_url)
    migrate(eng)
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(SchemaError, match="unknown to this version"):
        check_schema(eng)
    assert current_revision(eng) == "ffff9999"
    eng.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(eng)
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with Session(eng) as s:
        s.add(Nomination(nominator_id=999, nominee_id=998, story="x", idempotency_key="k"))
        with pytest.raises(IntegrityError):
            s.commit()
    eng.dispose()


def test_unique_email_and_idempotency_key(engine):
    with Session(engine) as s:
        s.add(Person(email="a@x.io", display_name="A"))
        s.add(Person(email="a@x.io", display_name="A2"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_unreachable_database_is_one_clear_line():
    eng = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(SchemaError, match="cannot open the database") as exc:
        check_schema(eng)
    assert "\n" not in str(exc.value)


def test_the_migrations_build_exactly_the_models_schema(db_url):
    """Tables, columns and indexes the models declare are what `liumai migrate` creates (Alembic's
    own comparison); slack-sdk's OAuth tables are created by migration 0003 and are not models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    eng = make_engine(db_url)
    migrate(eng)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    eng.dispose()

    def slack_sdk_own(change: tuple) -> bool:
        kind, obj = change[0], change[1]
        table = obj if kind == "remove_table" else getattr(obj, "table", None)
        return kind in ("remove_table", "remove_index") and table is not None and table.name.startswith("slack_")

    assert [d for d in diff if not slack_sdk_own(d)] == []
