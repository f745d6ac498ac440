"""Migration 0005: digest runs become unique per (team, week, destination), keeping existing rows.

Runs on SQLite (batch mode rebuilds the table) and PostgreSQL: upgrade from a 0004 database with
posted, half-posted and unfinished runs, the new uniqueness, a downgrade that folds the rows back
to one per (team, week), and the upgrade again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from liumai.storage.db import _alembic_config, current_revision, head_revision, make_engine, migrate

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def table(eng, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=eng)


def rows(eng) -> list[tuple]:
    run, team = table(eng, "digest_run"), table(eng, "team")
    has_dest = "destination" in run.c
    with eng.connect() as c:
        keys = dict(c.execute(sa.select(team.c.id, team.c.key)).all())
        out = []
        for r in c.execute(sa.select(run).order_by(run.c.id)).mappings():
            dest = (r["destination"],) if has_dest else ()
            out.append((keys[r["team_id"]], r["week"], *dest, r["status"], json.loads(r["detail"])))
    return sorted(out)


@pytest.fixture
def v4(db_url):
    """A database at 0004 with three teams and their digest runs of two weeks."""
    eng = make_engine(db_url)
    migrate(eng, "0004")
    team, run = table(eng, "team"), table(eng, "digest_run")
    with eng.begin() as c:
        c.execute(
            team.insert(),
            [
                {
                    "id": 1,
                    "key": "alpha",
                    "name_zh": "",
                    "name_en": "",
                    "slack_channel_id": "C0A",
                    "feishu_chat_id": "oc_a",
                },
                {
                    "id": 2,
                    "key": "beta",
                    "name_zh": "",
                    "name_en": "",
                    "slack_channel_id": "C0B",
                    "feishu_chat_id": None,
                },
                {
                    "id": 3,
                    "key": "gamma",
                    "name_zh": "",
                    "name_en": "",
                    "slack_channel_id": None,
                    "feishu_chat_id": None,
                },
            ],
        )
        base = {"created_at": T0, "claimed_by": "srv", "lease_until": None, "posted_at": T0}
        c.execute(
            run.insert(),
            [
                # posted to both platforms
                {
                    **base,
                    "team_id": 1,
                    "week": "2026-W46",
                    "status": "posted",
                    "detail": '{"slack": "1.1", "feishu": "om_1"}',
                },
                # the bug: Feishu posted, so Slack answered "already posted" and never posted
                {**base, "team_id": 1, "week": "2026-W47", "status": "posted", "detail": '{"feishu": "om_2"}'},
                # a poster that crashed mid-way
                {**base, "team_id": 2, "week": "2026-W47", "status": "claimed", "detail": "{}", "posted_at": None},
                # posted to a channel the team no longer has
                {**base, "team_id": 3, "week": "2026-W47", "status": "posted", "detail": '{"slack": "2.2"}'},
            ],
        )
    yield eng
    eng.dispose()


def test_upgrade_keeps_every_run_one_row_per_destination(v4):
    migrate(v4)
    assert current_revision(v4) == head_revision()
    assert rows(v4) == [
        ("alpha", "2026-W46", "feishu:oc_a", "posted", {"feishu": "om_1"}),
        ("alpha", "2026-W46", "slack:C0A", "posted", {"slack": "1.1"}),
        ("alpha", "2026-W47", "feishu:oc_a", "posted", {"feishu": "om_2"}),
        ("beta", "2026-W47", "legacy", "claimed", {}),
        ("gamma", "2026-W47", "legacy:slack", "posted", {"slack": "2.2"}),
    ]
    run = table(v4, "digest_run")
    new = {"team_id": 1, "week": "2026-W47", "status": "claimed", "created_at": T0, "detail": "{}"}
    with v4.begin() as c:  # Slack's post of W47 is no longer blocked by Feishu's
        c.execute(run.insert().values(**new, destination="slack:C0A"))
    with pytest.raises(IntegrityError), v4.begin() as c:  # but each destination still posts once
        c.execute(run.insert().values(**new, destination="feishu:oc_a"))


def test_downgrade_folds_back_to_one_run_per_team_and_week(v4):
    migrate(v4)
    command.downgrade(_alembic_config(v4), "0004")
    assert current_revision(v4) == "0004"
    assert rows(v4) == [
        ("alpha", "2026-W46", "posted", {"slack": "1.1", "feishu": "om_1"}),
        # alpha's Slack channel never had it: an expired claim the older code takes over and finishes
        ("alpha", "2026-W47", "claimed", {"feishu": "om_2"}),
        ("beta", "2026-W47", "claimed", {}),
        ("gamma", "2026-W47", "posted", {"slack": "2.2"}),
    ]
    with pytest.raises(IntegrityError), v4.begin() as c:
        c.execute(
            table(v4, "digest_run")
            .insert()
            .values(team_id=1, week="2026-W46", status="claimed", created_at=T0, detail="{}")
        )
    migrate(v4)  # and up again
    assert [r[2] for r in rows(v4)] == ["feishu:oc_a", "slack:C0A", "feishu:oc_a", "legacy", "legacy:slack"]
