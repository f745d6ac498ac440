"""digest run claims

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:17:52.352157
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:

    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
