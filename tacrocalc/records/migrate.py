"""Running the schema's migrations (Alembic, `migrations/versions`) on a store of either kind.

Revisions are numbered "0003", "0004", … and a store's schema version is that number: SQLite
keeps it in `PRAGMA user_version` as well (so opening a store that is up to date reads one
pragma and imports neither SQLAlchemy nor Alembic), PostgreSQL in Alembic's own table.
Schemas 1 to 3 of the SQLite store came before Alembic (`records/schema.py`); a store of
schema 3 is marked as being at revision 0003 and goes on from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import sqlalchemy as sa
    from alembic.config import Config

FIRST_REVISION: Final = 3
"""The first schema Alembic keeps (its baseline)."""

SCHEMA_VERSION: Final = 6
"""The newest schema: the number of the newest revision (the tests check the two agree)."""

MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")


def revision(version: int) -> str:
    return f"{version:04d}"


def config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> int:
    """The newest revision in `migrations/versions`, as a number."""
    from alembic.script import ScriptDirectory

    cfg = config(None)  # type: ignore[arg-type]
    heads = ScriptDirectory.from_config(cfg).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {heads}")
    return int(heads[0])


def upgrade(connection: sa.Connection, *, from_version: int) -> None:
    """Take the database on `connection` from schema `from_version` (0: empty) to the newest,
    inside the connection's transaction (the caller commits). A store of a schema Alembic
    keeps but that has no mark of it yet (SQLite stores of schema 3) is marked first."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    cfg = config(connection)
    if from_version >= FIRST_REVISION:
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None:
            command.stamp(cfg, revision(from_version))
    command.upgrade(cfg, revision(SCHEMA_VERSION))


def upgrade_sqlite(path: Path, *, from_version: int) -> None:
    """Migrate the SQLite store at `path` (schema `from_version`, 0 for a new empty file) to
    the newest schema in one immediate transaction, with the store's pragmas, and set its
    `user_version`. A failure leaves the file as it was."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # transactions as below, not the driver's
        for pragma in ("busy_timeout=5000", "synchronous=FULL", "foreign_keys=OFF"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.connect() as connection, connection.begin():
            upgrade(connection, from_version=from_version)
            connection.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")
    finally:
        engine.dispose()
