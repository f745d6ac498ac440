"""processed events and slack oauth stores

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:15:09.587121
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slack_tables() -> list[sa.Table]:
    """slack-sdk's installation and OAuth state tables, as its SQLAlchemy stores define them.

    Built from the library's own table builders so the stores find exactly what they expect.
    """
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    md = sa.MetaData()
    return [
        SQLAlchemyInstallationStore.build_installations_table(md, "slack_installations"),
        SQLAlchemyInstallationStore.build_bots_table(md, "slack_bots"),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(md, "slack_oauth_states"),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    for table in _slack_tables():
        table.create(bind, checkfirst=True)

    op.create_table(
        "processed_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "event_id"),
    )
    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_event_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_slack_tables()):
        table.drop(bind, checkfirst=True)

    with op.batch_alter_table("processed_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_event_received_at"))

    op.drop_table("processed_event")
