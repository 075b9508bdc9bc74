"""One schema definition and one migration history (Alembic) for the SQLite store.

The same checks run on PostgreSQL in tests/records/test_server_store.py.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tacrocalc.records import migrate
from tacrocalc.records.sql_schema import metadata
from tacrocalc.records.store import DB_NAME, SCHEMA_VERSION
from tests.records.test_store import open_store

DATA = Path(__file__).resolve().parent.parent / "data"


def schema_differences(connection: sa.Connection) -> list[object]:
    """What the database on `connection` lacks or has beyond `sql_schema` (empty: the same)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _sqlite_differences(path: Path) -> list[object]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return schema_differences(connection)
    finally:
        engine.dispose()


def test_the_newest_revision_is_the_schema_version():
    assert migrate.head() == SCHEMA_VERSION == 6


def test_a_new_store_is_created_by_the_migrations_as_the_schema_defines(tmp_path):
    with open_store(tmp_path / "data", daily_backup=False) as s:
        assert s.schema_version == SCHEMA_VERSION
        path = s.path
    assert _sqlite_differences(path) == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0006",)]


def _shape(path: Path) -> dict[str, object]:
    """Each table's columns (name, type, not null, default, primary key), foreign keys and
    indexes, as SQLite itself describes them."""
    with sqlite3.connect(path) as db:
        names = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        shape: dict[str, object] = {}
        for table in names:
            columns = [
                (name, kind.replace("REAL", "FLOAT"), bool(notnull or pk), default, pk)
                for _, name, kind, notnull, default, pk in db.execute(f"PRAGMA table_info({table})")
            ]
            keys = sorted(
                (r[2], r[3], r[4], r[6]) for r in db.execute(f"PRAGMA foreign_key_list({table})")
            )
            indexes = sorted(
                (
                    r[1],
                    tuple(c[2] for c in db.execute(f"PRAGMA index_info('{r[1]}')")),
                )
                for r in db.execute(f"PRAGMA index_list({table})")
                if r[3] == "c"  # made by CREATE INDEX, not by a key
            )
            shape[table] = (sorted(columns), keys, indexes)
    return shape


def test_an_older_store_migrated_has_the_schema_a_new_one_has(tmp_path):
    with open_store(tmp_path / "new", daily_backup=False) as s:
        new = _shape(s.path)
    assert {"patients", "course_events", "audit", "alembic_version"} <= set(new)
    for old in ("store-v1.sqlite3", "store-v2.sqlite3"):
        folder = tmp_path / old
        folder.mkdir()
        shutil.copy(DATA / old, folder / DB_NAME)
        with open_store(folder, daily_backup=False) as s:
            assert s.schema_version == SCHEMA_VERSION
        # Schema 3 was written by hand before Alembic; from there on both are one history.
        assert _shape(folder / DB_NAME) == new, old


def test_a_migration_that_fails_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA / "store-v2.sqlite3", folder / DB_NAME)

    def broken(connection, *, from_version):
        connection.exec_driver_sql("ALTER TABLE patients ADD COLUMN half_done INTEGER")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(migrate, "upgrade", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        open_store(folder, daily_backup=False)
    with sqlite3.connect(folder / DB_NAME) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(patients)")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert "half_done" not in columns
    assert version == 3  # the legacy migration to 3 committed; Alembic's step did not


def test_opening_an_up_to_date_store_imports_neither_sqlalchemy_nor_alembic(tmp_path):
    with open_store(tmp_path / "data", daily_backup=False):
        pass
    code = (
        "import sys; from pathlib import Path;"
        "from tacrocalc.records.store import Store;"
        "from tacrocalc.records.protocol_files import load_protocol;"
        f"Store(Path({str(tmp_path / 'data')!r}), protocol_for=load_protocol).close();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic',"
        " 'psycopg')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
