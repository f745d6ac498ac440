"""indexes for the reads of a large org

Measured with bench/scale.py (10,000 people, 1,000,000 evidence items) and EXPLAIN ANALYZE on
PostgreSQL: without these, a week's digests read the stored history (no index on
`nomination.created_at`; "first recognition ever" took a minimum over each person's whole
history), and one person's export or erasure scanned `audit_log`, `evidence` and `concern` whole
for the rows they did or decided. A partial index holds just the private nominations, which a
digest must leave out.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns)
INDEXES = (
    ("ix_nomination_created_at", "nomination", ["created_at"]),
    ("ix_evidence_subject_occurred", "evidence", ["subject_id", "occurred_at"]),
    ("ix_evidence_occurred_at", "evidence", ["occurred_at"]),
    ("ix_evidence_nominator_id", "evidence", ["nominator_id"]),
    ("ix_evidence_decided_by_id", "evidence", ["decided_by_id"]),
    ("ix_concern_manager_id", "concern", ["manager_id"]),
    ("ix_audit_log_actor_id", "audit_log", ["actor_id"]),
    ("ix_audit_log_entity", "audit_log", ["entity", "entity_id"]),
)


PRIVATE = sa.text("private")


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.create_index(
        "ix_nomination_private_created", "nomination", ["created_at"], postgresql_where=PRIVATE, sqlite_where=PRIVATE
    )


def downgrade() -> None:
    op.drop_index("ix_nomination_private_created", table_name="nomination")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
