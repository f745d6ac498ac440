"""digest run per destination

A digest is posted once per (team, week, destination) - "slack:C123", "feishu:oc_abc" - instead of
once per (team, week): posting a week to one platform must not use up the other platform's post.

Existing rows are kept. A row names the platforms it reached in `detail` ({"slack": ts, ...}); it
becomes one posted row per platform, with the team's current channel on that platform as destination
("legacy:<platform>" if the team no longer has one there). A row that names none (a poster that never
finished, status "claimed") becomes "legacy": it blocks nothing, and the platforms' own checks (Slack
message metadata, the Feishu marker) still find a message it may have sent.

Downgrade folds each (team, week) back into one row: "posted" if each of the team's channels had
it, else an expired claim, which the older code takes over and finishes (its platform checks skip
what is already there).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:12:41.208311
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_UNIQUE = "uq_digest_run_team_week_destination"
OLD_UNIQUE = "digest_run_team_id_week_key"  # PostgreSQL's name for 0001's unnamed constraint
# SQLite keeps 0001's constraint unnamed; batch mode names reflected constraints by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
LEGACY = "legacy"
PLATFORMS = {"slack": "slack_channel_id", "feishu": "feishu_chat_id"}

digest_run = sa.table(
    "digest_run",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("week", sa.String),
    sa.column("status", sa.String),
    sa.column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("claimed_by", sa.String),
    sa.column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("detail", sa.Text),
    sa.column("destination", sa.String),
)
team = sa.table("team", sa.column("id", sa.Integer), *(sa.column(c, sa.String) for c in PLATFORMS.values()))


def _unique_name(columns: list[str]) -> str | None:
    for uc in sa.inspect(op.get_bind()).get_unique_constraints("digest_run"):
        if sorted(uc["column_names"]) == sorted(columns):
            return uc["name"] or "uq_digest_run_" + "_".join(uc["column_names"])
    return None


def _detail(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _backfill() -> None:
    """One posted row per platform a run reached; a run that reached none becomes "legacy"."""
    bind = op.get_bind()
    channels = {r.id: r for r in bind.execute(sa.select(team)).all()}
    for row in bind.execute(sa.select(digest_run).order_by(digest_run.c.id)).all():
        detail = _detail(row.detail)
        reached = [p for p in PLATFORMS if p in detail]  # `detail` names only platforms posted to
        if not reached:
            bind.execute(digest_run.update().where(digest_run.c.id == row.id).values(destination=LEGACY))
            continue
        chans = channels.get(row.team_id)
        for i, platform in enumerate(reached):
            channel = getattr(chans, PLATFORMS[platform], None) if chans is not None else None
            values = {
                "destination": f"{platform}:{channel}" if channel else f"{LEGACY}:{platform}",
                "detail": json.dumps({platform: detail[platform]}),
                "status": "posted",
                "posted_at": row.posted_at or row.created_at,
                "lease_until": None,
            }
            if i == 0:
                bind.execute(digest_run.update().where(digest_run.c.id == row.id).values(**values))
            else:
                keep = ("team_id", "week", "created_at", "claimed_by")
                bind.execute(digest_run.insert().values(**{k: getattr(row, k) for k in keep}, **values))


def upgrade() -> None:
    # The old key goes first: splitting a run into one row per destination repeats (team, week).
    old = _unique_name(["team_id", "week"])
    with op.batch_alter_table("digest_run", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        if old:
            batch_op.drop_constraint(old, type_="unique")
    _backfill()
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.alter_column("destination", existing_type=sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False)
        batch_op.create_unique_constraint(NEW_UNIQUE, ["team_id", "week", "destination"])


def _fold() -> None:
    """One row per (team, week): the first row, "posted" only if each of the team's channels has it."""
    bind = op.get_bind()
    channels = {r.id: r for r in bind.execute(sa.select(team)).all()}
    groups: dict[tuple, list] = {}
    for row in bind.execute(sa.select(digest_run).order_by(digest_run.c.id)).all():
        groups.setdefault((row.team_id, row.week), []).append(row)
    for rows in groups.values():
        if len(rows) == 1 and rows[0].destination == LEGACY:
            continue
        detail: dict = {}
        for r in rows:
            detail.update(_detail(r.detail))
        chans = channels.get(rows[0].team_id)
        wanted = {p for p, col in PLATFORMS.items() if chans is not None and getattr(chans, col, None)}
        values: dict[str, str | None] = {"detail": json.dumps(detail)}
        if not (all(r.status == "posted" for r in rows) and wanted <= set(detail)):
            values.update(status="claimed", claimed_by="downgrade-0005", lease_until=None, posted_at=None)
        bind.execute(digest_run.update().where(digest_run.c.id == rows[0].id).values(**values))
        extra = [r.id for r in rows[1:]]
        if extra:
            bind.execute(digest_run.delete().where(digest_run.c.id.in_(extra)))


def downgrade() -> None:
    _fold()
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.drop_constraint(NEW_UNIQUE, type_="unique")
        batch_op.drop_column("destination")
        batch_op.create_unique_constraint(OLD_UNIQUE, ["team_id", "week"])
