"""Opening a store in the records tests: a data folder, or (inside `on_server`) a ward database
of the test run's PostgreSQL server standing for that folder (the same folder, the same
database, so a test can close and reopen its store). On the server the tests log in as
"dr.test", a member of the clinician role, as a doctor would."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tacrocalc.records import server as ward
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store

USER = "dr.test"
_databases: dict[Path, str] | None = None  # folder -> database name
_server: Any = None


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@contextlib.contextmanager
def on_server(server: Any) -> Iterator[None]:
    global _databases, _server
    _databases, _server = {}, server
    try:
        yield
    finally:
        _databases, _server = None, None


def on_postgresql() -> bool:
    return _databases is not None


def _database(folder: Path) -> str:
    assert _databases is not None
    folder = Path(folder)
    if folder not in _databases:
        name = _server.new_database()
        ward.init(_server.url(name))
        login(_server, USER)
        _databases[folder] = name
    return _databases[folder]


def login(server: Any, user: str, group: str = ward.CLINICIAN) -> None:
    """A person's login in one of the groups `server init` makes (roles are the server's, so
    every ward database of the test run knows them)."""
    server.sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN"
        f' CREATE ROLE "{user}" LOGIN IN ROLE {group}; END IF; END $$'
    )


def server_url(folder: Path, user: str = USER) -> str | None:
    """The ward database standing for `folder` as `user` (made and set up on first use, and
    the user a clinician), or None when the tests run on SQLite."""
    if _databases is None:
        return None
    database = _database(folder)
    if user != USER:
        login(_server, user)
    return str(_server.url(database, user=user))


def open_store(folder: Path, **kwargs: Any) -> Store:
    """The store of `folder`, used by `user` (dr.test unless given): another Store on the same
    folder or ward database is another workstation."""
    kwargs.setdefault("clock", Clock())
    kwargs.setdefault("user", USER)
    url = server_url(folder, kwargs["user"])
    if url is not None:
        kwargs.pop("daily_backup", None)
        kwargs.pop("user")
        return Store(server=url, protocol_for=load_protocol, **kwargs)
    return Store(folder, protocol_for=load_protocol, **kwargs)


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, by table: what "unchanged" is checked against."""
    if store.server is None:
        with contextlib.closing(sqlite3.connect(store.path)) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {
                t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in sorted(names)
            }
    import psycopg

    assert _databases is not None
    database = store.server.split("@/", 1)[1].split("?", 1)[0]  # as any login opened it
    with psycopg.connect(_server.url(database)) as db:
        names = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in names}
