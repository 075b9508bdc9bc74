"""Each patient carries a version, raised by every write to the patient or a row of theirs, so
that a write based on what an earlier version showed is refused (two people on one patient).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    raise NotImplementedError("a patient store is never migrated back; restore a backup")
