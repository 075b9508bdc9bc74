"""The patient store's tables as one SQLAlchemy Core definition, for SQLite and PostgreSQL.

This is the schema at the newest migration (`migrations/versions`); the tests upgrade an empty
database of each dialect and compare it with this definition, so the two cannot drift. The
running store does not import it: reads and writes are the plain SQL of `tables`, which both
dialects accept. It is imported only to create or migrate a store (Alembic) and by the tests.

Types are the common ground of both engines: dates and times as ISO text ("2026-11-05",
"08:00"), quantities as floating point in one unit per column, flags as integers 0/1.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Search terms are compared by code point (a prefix is the range [word, word + U+10FFFF)):
# PostgreSQL's default collation orders by language rules, so the column says "C" there.
TERM = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _patient_id() -> sa.Column[str]:
    return sa.Column(
        "patient_id", sa.Text, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False
    )


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


patients = sa.Table(
    "patients",
    metadata,
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
    # Raised by every write to the patient or a row of theirs: a write based on an older
    # version is refused (two people on one patient, issue 13).
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
)

patient_terms = sa.Table(
    "patient_terms",
    metadata,
    sa.Column("term", TERM, primary_key=True),
    sa.Column(
        "patient_id",
        sa.Text,
        sa.ForeignKey("patients.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sqlite_with_rowid=False,
)

weights = sa.Table(
    "weights",
    metadata,
    _id(),
    _patient_id(),
    sa.Column("date", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Index("weights_patient", "patient_id"),
)

observations = sa.Table(
    "observations",
    metadata,
    _id(),
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
    sa.Index("observations_patient", "patient_id", "date"),
)

co_medication = sa.Table(
    "co_medication",
    metadata,
    _id(),
    _patient_id(),
    sa.Column("date", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Index("co_medication_patient", "patient_id"),
)

course_events = sa.Table(
    "course_events",
    metadata,
    _id(),
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
    sa.Index("course_events_patient", "patient_id", "date"),
)

creatinine_baselines = sa.Table(
    "creatinine_baselines",
    metadata,
    _id(),
    _patient_id(),
    sa.Column("date", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index("creatinine_baselines_patient", "patient_id", "date"),
)

# The audit trail keeps no foreign key: it outlives the rows (and patients) it tells of.
audit = sa.Table(
    "audit",
    metadata,
    _id(),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("os_user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("patient_id", sa.Text, nullable=False),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Index("audit_patient", "patient_id", "id"),
)
