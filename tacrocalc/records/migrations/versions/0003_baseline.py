"""Schema 3, the first one kept by Alembic: patients, weights, observations, co-medication,
the treatment course (R15), creatinine baselines (R6.5), search terms and the audit trail.

A SQLite store of schema 1 or 2 reaches schema 3 by the migrations of `records/schema.py`
(written before Alembic kept this history) and is then marked as being at this revision; a
new store, or a new ward database, is created by it.

Revision ID: 0003
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = None
branch_labels = None
depends_on = None

TERM = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _patient_id() -> sa.Column[str]:
    return sa.Column(
        "patient_id", sa.Text, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.Text),
        sa.Column("sex", sa.Text),
        sa.Column(
            "prior_ciclosporin_nephrotoxicity",
            sa.Integer,
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column("protocol_id", sa.Text, nullable=False),
        sa.Column("target_low", sa.Float),
        sa.Column("target_high", sa.Float),
        sa.Column("target_caution", sa.Float),
        sa.Column("target_unit", sa.Text),
        sa.Column("target_source", sa.Text),
    )
    op.create_table(
        "patient_terms",
        sa.Column("term", TERM, primary_key=True),
        sa.Column(
            "patient_id",
            sa.Text,
            sa.ForeignKey("patients.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "weights",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
    )
    op.create_index("weights_patient", "weights", ["patient_id"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("time", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("value2", sa.Float),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("below_limit", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_dose_time", sa.Text),
        sa.Column("deleted_at", sa.Text),
    )
    op.create_index("observations_patient", "observations", ["patient_id", "date"])
    op.create_table(
        "co_medication",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("co_medication_patient", "co_medication", ["patient_id"])
    op.create_table(
        "course_events",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("time", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("formulation", sa.Text),
        sa.Column("dose", sa.Float),
        sa.Column("unit", sa.Text),
        sa.Column("times", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by", sa.Text, nullable=False, server_default=""),
        sa.Column("resume_on", sa.Text),
        sa.Column("ratio", sa.Float),
        sa.Column("deleted_at", sa.Text),
    )
    op.create_index("course_events_patient", "course_events", ["patient_id", "date"])
    op.create_table(
        "creatinine_baselines",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_id(),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("creatinine_baselines_patient", "creatinine_baselines", ["patient_id", "date"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("os_user", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("reason", sa.Text),
    )
    op.create_index("audit_patient", "audit", ["patient_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("a patient store is never migrated back; restore a backup")
