"""Opening and upgrading the database for a surface: adapters reach `liumai.storage` only through here.

The import contracts in pyproject.toml forbid `liumai.cli`, `liumai.slack` and `liumai.feishu` to
import storage; the CLI still has to open an engine and run `liumai migrate`, so it asks this module.
"""

from __future__ import annotations

from sqlalchemy import Engine

from liumai.config import DEFAULT_DB_PATH
from liumai.files import private_dir
from liumai.storage.db import SchemaError, make_engine, migrate, open_database, sqlite_path

__all__ = ["SchemaError", "migrate_schema", "open_engine"]


def open_engine(url: str, *, check_schema: bool = True) -> Engine:
    """An engine for `url`; with `check_schema`, raises `SchemaError` unless the schema is at head."""
    if sqlite_path(url) == DEFAULT_DB_PATH:
        private_dir(DEFAULT_DB_PATH.parent, tighten=True)  # Liumai's own ~/.liumai, 0755 before
    return open_database(url) if check_schema else make_engine(url)


def migrate_schema(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest schema (Alembic); returns the revisions (before, after)."""
    return migrate(engine)
