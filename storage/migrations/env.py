"""Alembic environment: runs against the engine the caller passes in `config.attributes`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import liumai.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # slack-sdk's OAuth tables are created by migration 0003 from the library's own definitions.
    return not (type_ == "table" and name and name.startswith("slack_"))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` CLI use during development
        engine = create_engine(config.get_main_option("sqlalchemy.url", ""))
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        context.run_migrations()


run_migrations_online()
