"""Migration 0006: the unused `workspace` table is dropped, and a downgrade recreates it as 0001 made it.

Runs on SQLite and PostgreSQL (the `db_url` fixture): upgrade from a 0005 database that holds
data, the exact shape of the recreated table, and `liumai migrate` as a real process.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from liumai.storage.db import _alembic_config, check_schema, current_revision, head_revision, make_engine, migrate
from liumai.storage.models import SQLModel
from tests.cli_subprocess import liumai, ok

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def shape(eng: sa.Engine, name: str) -> dict:
    """What a schema comparison needs of a table: columns, primary key and unique constraints."""
    insp = sa.inspect(eng)
    cols = [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)]
    uniques = sorted(tuple(sorted(u["column_names"])) for u in insp.get_unique_constraints(name))
    return {"columns": cols, "pk": insp.get_pk_constraint(name)["constrained_columns"], "uniques": uniques}


def tables(eng: sa.Engine) -> set[str]:
    return set(sa.inspect(eng).get_table_names())


def test_upgrade_drops_workspace_and_downgrade_recreates_it_exactly(db_url):
    eng = make_engine(db_url)
    migrate(eng, "0005")
    before = shape(eng, "workspace")
    assert [c[0] for c in before["columns"]] == ["id", "platform", "external_id", "name", "created_at"]
    migrate(eng, "0006")
    assert current_revision(eng) == "0006"
    assert "workspace" not in tables(eng)
    migrate(eng)  # later migrations build on it
    assert current_revision(eng) == head_revision()
    check_schema(eng)
    command.downgrade(_alembic_config(eng), "0005")
    assert current_revision(eng) == "0005"
    assert shape(eng, "workspace") == before
    migrate(eng)  # and up again
    assert "workspace" not in tables(eng)
    eng.dispose()


def test_no_model_names_the_workspace_table():
    assert "workspace" not in SQLModel.metadata.tables


def test_cli_migrate_upgrades_a_0005_database_keeping_its_rows(db_url):
    eng = make_engine(db_url)
    migrate(eng, "0005")
    team = sa.Table("team", sa.MetaData(), autoload_with=eng)
    ws = sa.Table("workspace", sa.MetaData(), autoload_with=eng)
    with eng.begin() as c:
        c.execute(team.insert().values(id=1, key="alpha", name_zh="甲", name_en="Alpha"))
        c.execute(ws.insert().values(id=1, platform="slack", external_id="T1", name="Acme", created_at=T0))
    eng.dispose()
    out = json.loads(ok(liumai(db_url, "migrate", "--json")).stdout)
    assert out["from"] == "0005" and out["to"] == head_revision()
    eng = make_engine(db_url)
    assert "workspace" not in tables(eng)
    with eng.connect() as c:
        assert c.execute(sa.select(team.c.key, team.c.name_en)).all() == [("alpha", "Alpha")]
    eng.dispose()
