"""Alembic's entry point for the patient store's migrations (see `records/migrate.py`).

TacroCalc always hands Alembic an open connection (`config.attributes["connection"]`): a
SQLite store file or the ward's PostgreSQL database. There is no alembic.ini and no URL here.
"""

from __future__ import annotations

from alembic import context

from tacrocalc.records.sql_schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot alter most of a table in place: Alembic copies it ("batch") when needed.
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
