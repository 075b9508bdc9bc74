"""The ward's shared database on PostgreSQL: what `Store` reads and writes when it is given a
server (`--server URL`, `TACROCALC_SERVER`, File → Ward server…) instead of a data folder.

- The same tables (`sql_schema`), the same migrations (Alembic) and the same SQL (`tables`) as
  the SQLite store; only the connection differs. psycopg is imported when a server is first
  used, so a workstation on its own data folder never loads it.
- The URL names host, database and user; the password comes from `~/.pgpass` / `PGPASSFILE`,
  the prompt of the window, or the server's own authentication (peer, GSSAPI). TLS follows the
  URL's `sslmode` and `sslrootcert`. A URL is shown without its password, always.
- A write is reported saved only once the server has committed it. A lost connection is one
  sentence naming the server (`ServerUnavailable`); nothing is kept locally that could drift.
  The next use connects again: the window and the commands go on once the server is back,
  without a restart.
- Changes made by anyone to a patient are heard by `Listener` (LISTEN/NOTIFY, on a connection
  of its own), so the windows showing that patient reload it.
- Who may do what is the server's business (`server init`, `roles.sql`): a write refused for
  lack of privilege is `ReadOnlyRole`, one sentence.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from tacrocalc.records.database import StoreError, StoreUnavailable
from tacrocalc.records.migrate import SCHEMA_VERSION

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S: Final = 5
# The channel the database notifies with the id of each patient changed (migration 0005).
CHANNEL: Final = "tacrocalc_patients"
T = TypeVar("T")
URL_PREFIXES: Final = ("postgresql://", "postgres://")


def is_server_url(text: str) -> bool:
    return text.startswith(URL_PREFIXES)


def chosen_server(given: str | None, data_dir: str | None) -> str | None:
    """The ward server to use: `--server` when given, else TACROCALC_SERVER unless a data
    folder was named (`--data-dir`); None for the data folder."""
    if given is not None or data_dir is not None:
        return given
    return os.environ.get("TACROCALC_SERVER") or None


def describe(url: str) -> str:
    """The server as a user reads it, never with a password: "ward database tacrocalc on
    db.ward.example as drjones"."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # a URL psycopg cannot read: say so without echoing it
        return "the ward server (its address could not be read)"
    database = parts.get("dbname") or parts.get("user") or "?"
    host = parts.get("host") or "this computer"
    if str(host).startswith("/"):
        host = f"this computer ({host})"
    user = parts.get("user")
    return f"ward database {database} on {host}" + (f" as {user}" if user else "")


class ServerUnavailable(StoreUnavailable):
    """The server cannot be reached, or the connection was lost: nothing was saved."""


class ServerPasswordNeeded(ServerUnavailable):
    """The server asks for a password that ~/.pgpass does not give (or the one given was
    wrong): the window asks for it; it is never stored."""


class ServerNotReady(StoreError):
    """The database is there but not a TacroCalc ward database of this version."""


class ReadOnlyRole(StoreError):
    """The user's role may read patients but not change them (tacrocalc_viewer)."""


@cache
def _format_style(sql: str) -> str:
    """`tables` writes its parameters as "?" (SQLite's style); psycopg's are "%s"."""
    return sql.replace("%", "%%").replace("?", "%s")


class ServerConnection:
    """The ward database's connection as `tables` and `Store` use it: the SQL of `tables` (its
    "?" parameters) over psycopg, on whatever connection `ServerDatabase` holds now (it
    connects again after a lost connection)."""

    def __init__(self, database: ServerDatabase) -> None:
        self._database = database

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._database.raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        query, values = _format_style(sql), tuple(params)
        return self._database.run(lambda raw: raw.execute(query, values))

    def fetch_all(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        """The rows of several reads, sent together (psycopg's pipeline mode): one wait for the
        server instead of one for each, which is what a busy ward server makes slow."""
        prepared = [(_format_style(sql), tuple(params)) for sql, params in statements]

        def run(raw: psycopg.Connection[Any]) -> list[list[Any]]:
            with raw.pipeline():
                cursors = [raw.execute(query, values) for query, values in prepared]
                return [cursor.fetchall() for cursor in cursors]

        return self._database.run(run)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor[Any]:
        query, values = _format_style(sql), [tuple(r) for r in rows]

        def run(raw: psycopg.Connection[Any]) -> psycopg.Cursor[Any]:
            cursor = raw.cursor()
            cursor.executemany(query, values)
            return cursor

        return self._database.run(run)


class ServerDatabase:
    """The ward database at `url`, checked to be at this TacroCalc's schema."""

    def __init__(
        self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT_S, password: str | None = None
    ) -> None:
        self.url = url
        self.where = describe(url)
        self._timeout = connect_timeout
        self._password = password  # typed in the window: kept in memory, to connect again
        self.raw = _connect(url, self.where, connect_timeout, password)
        self._in_transaction = False
        self.connection = ServerConnection(self)
        version = self._version()
        if version is None:
            self.raw.close()
            raise ServerNotReady(
                f"The {self.where} has no TacroCalc tables yet: the ward's administrator sets it"
                " up with `tacrocalc --server URL server init` (docs/ward-server.md)."
            )
        if version != SCHEMA_VERSION:
            self.raw.close()
            newer = version > SCHEMA_VERSION
            raise ServerNotReady(
                f"The {self.where} is at data format {version} and this TacroCalc reads"
                f" {SCHEMA_VERSION}: "
                + (
                    "use the newer TacroCalc the ward has moved to."
                    if newer
                    else "the administrator brings it up to date with `server init`."
                )
            )
        self.user = str(self.raw.execute("SELECT current_user").fetchone()[0])  # type: ignore[index]

    def _version(self) -> int | None:
        found = self.raw.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return None
        row = self.raw.execute("SELECT version_num FROM alembic_version").fetchone()
        return int(row[0]) if row else None

    @property
    def schema_version(self) -> int:
        return self._version() or 0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()

    def checkpoint(self) -> bool:
        """Nothing to fold in: the server keeps its own journal."""
        return True

    def backup(self, destination: Path) -> Path:
        raise StoreError(
            f"The {self.where} is backed up on the server (pg_dump; docs/ward-server.md), not by"
            " a workstation. To keep a copy of one patient, use `export`."
        )

    # -- the connection, and connecting again after it was lost ------------------------------

    def _lost(self) -> bool:
        return bool(self.raw.closed or self.raw.broken)

    def _reconnect(self, *, reading: bool) -> None:
        """A new connection in place of one that was lost: `ServerUnavailable` while the server
        cannot be reached."""
        import psycopg

        self.close()
        try:
            self.raw = _open(self.url, self._timeout, self._password)
        except psycopg.Error as error:
            raise self._unavailable(error, reading=reading) from None

    def run(self, action: Callable[[psycopg.Connection[Any]], T], *, reading: bool = True) -> T:
        """`action` on the connection. Outside a transaction, a connection found lost is made
        again and the action (a read, or the BEGIN of a write) run once more; inside one, the
        loss is the transaction's (`write`, `read`)."""
        import psycopg

        if self._in_transaction:
            return action(self.raw)
        if self._lost():
            self._reconnect(reading=reading)
        try:
            return action(self.raw)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            if not self._lost():
                raise
            self._reconnect(reading=reading)
            try:
                return action(self.raw)
            except (psycopg.OperationalError, psycopg.InterfaceError) as again:
                raise self._unavailable(again, reading=reading) from None

    @contextlib.contextmanager
    def _transaction(self, begin: str, *, reading: bool) -> Iterator[ServerConnection]:
        import psycopg

        # A connection lost while idle (the server restarted) is made again.
        self.run(lambda raw: raw.execute(begin), reading=reading)
        self._in_transaction = True
        committing = False
        try:
            yield self.connection
            committing = not reading
            self.raw.execute("ROLLBACK" if reading else "COMMIT")
        except BaseException as error:
            if not self._lost():
                with contextlib.suppress(psycopg.Error):
                    self.raw.execute("ROLLBACK")
            elif committing:  # the server may have committed it, or not: it cannot tell us now
                raise ServerUnavailable(
                    f"The connection to the {self.where} was lost while it was saving"
                    f" ({_first_line(error)}): once it is back, reload the patient to see whether"
                    " the change is there before entering it again. What you typed is kept."
                ) from None
            if isinstance(error, Exception):
                explained = self.explain(error, reading=reading)
                if explained is not None and explained is not error:
                    raise explained from None
            raise
        finally:
            self._in_transaction = False

    def write(self) -> contextlib.AbstractContextManager[ServerConnection]:
        """One transaction, committed by the server before this returns: all or nothing. A
        connection lost while idle (the server restarted) is made again first; one lost during
        the transaction is `ServerUnavailable`, and nothing is reported saved."""
        return self._transaction("BEGIN", reading=False)

    @contextlib.contextmanager
    def read(self) -> Iterator[ServerConnection]:
        """Several reads that see one moment of the database (a patient's whole record)."""
        if self._in_transaction:  # already inside a write
            yield self.connection
            return
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", reading=True):
            yield self.connection

    def listen(self) -> Listener:
        return Listener(self.url, self.where, self._password)

    def explain(self, error: BaseException, *, reading: bool = False) -> StoreError | None:
        """One sentence for an error of the server or of the connection to it; None for an
        error that is not the store's."""
        import psycopg
        from psycopg import errors

        if isinstance(error, StoreError):
            return error
        if isinstance(error, errors.InsufficientPrivilege):
            return ReadOnlyRole(
                f"Not saved: your login on the {self.where} may read patients but not change"
                " them (ask the ward's administrator for the clinician role)."
            )
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            if self._lost() or isinstance(error, psycopg.InterfaceError):
                return self._unavailable(error, reading=reading)
            return ServerUnavailable(
                f"Not saved: the {self.where} could not finish the change ({_first_line(error)})."
                " What you typed is kept; try again."
            )
        return None

    def _unavailable(self, error: BaseException, *, reading: bool) -> ServerUnavailable:
        if reading:
            return ServerUnavailable(  # a read, maybe the one a Save starts with
                f"The connection to the {self.where} was lost ({_first_line(error)}): nothing is"
                " saved while it is away, and what you typed is kept; try again when the server"
                " is back."
            )
        return ServerUnavailable(
            f"Not saved: the connection to the {self.where} was lost ({_first_line(error)})."
            " What you typed is kept; try again when the server is back."
        )


class Listener:
    """Changes to the ward's patients as they happen, on a connection of its own (LISTEN on
    `CHANNEL`; the database notifies it for every change to a patient's rows, made by
    TacroCalc or not: migration 0005).

    For the window: watch `fileno()` (a QSocketNotifier) and call `changed()` when it is
    readable. `changed()` never waits. When the connection is lost it raises
    `ServerUnavailable`: changes made meanwhile were not heard, so reload what is shown and
    `Store.listen()` again once the server is back (the new listener has another fileno)."""

    def __init__(self, url: str, where: str, password: str | None = None) -> None:
        self.where = where
        self._raw = _connect(url, where, CONNECT_TIMEOUT_S, password)
        self._raw.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return self._raw.fileno()

    def changed(self) -> set[str]:
        """The ids of the patients changed since the last call (by anyone, this workstation
        included); empty when none."""
        import psycopg

        heard: set[str] = set()
        try:
            # Twice: a server going down says so just before it closes the connection, and
            # the second look finds it closed.
            for _ in range(2):
                heard |= {n.payload for n in self._raw.notifies(timeout=0) if n.channel == CHANNEL}
        except psycopg.Error as error:
            raise ServerUnavailable(
                f"The connection to the {self.where} was lost ({_first_line(error)}): changes"
                " made by others are not seen until it is back."
            ) from None
        return heard

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    # libpq's messages may carry the connection string; never its password.
    return re.sub(r"password=\S+", "password=…", line)[:200]


def _open(url: str, timeout: int, password: str | None) -> psycopg.Connection[Any]:
    """A connection in autocommit (`ServerDatabase` opens its transactions itself), named in
    pg_stat_activity, that notices a dead network in about 20 s rather than the system's two
    hours (keepalives: TCP only, a unix socket needs none)."""
    import psycopg

    extra: dict[str, Any] = {"password": password} if password else {}
    return psycopg.connect(
        url,
        autocommit=True,
        connect_timeout=timeout,
        application_name="tacrocalc",
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=2,
        **extra,
    )


def _connect(
    url: str, where: str, timeout: int, password: str | None = None
) -> psycopg.Connection[Any]:
    import psycopg

    try:
        return _open(url, timeout, password)
    except psycopg.OperationalError as error:
        text = str(error)
        if "no password supplied" in text or "password authentication failed" in text:
            raise ServerPasswordNeeded(
                f"The {where} asks for a password"
                + (" and the one given was not accepted" if password else "")
                + ": type it when TacroCalc asks, or put it in ~/.pgpass (docs/ward-server.md)."
            ) from None
        raise ServerUnavailable(
            f"Could not reach the {where} ({_first_line(error)}): check the network and the"
            " server address, and that your password is in ~/.pgpass (docs/ward-server.md)."
        ) from None
    except psycopg.ProgrammingError as error:  # a URL libpq cannot read
        raise ServerUnavailable(
            f"The ward server's address cannot be used ({_first_line(error)}): it should look"
            " like postgresql://USER@HOST/DATABASE?sslmode=verify-full."
        ) from None


# -- setting up the ward database (`tacrocalc --server URL server init`) -------------------

CLINICIAN: Final = "tacrocalc_clinician"
VIEWER: Final = "tacrocalc_viewer"
DATA_TABLES: Final = (
    "patients",
    "patient_terms",
    "weights",
    "observations",
    "co_medication",
    "course_events",
    "creatinine_baselines",
)
_ROLES_AND_GRANTS: Final = (
    f"""
    DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{CLINICIAN}') THEN
            CREATE ROLE {CLINICIAN} NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{VIEWER}') THEN
            CREATE ROLE {VIEWER} NOLOGIN;
        END IF;
    END $$
    """,
    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA public TO {CLINICIAN}, {VIEWER}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {CLINICIAN}, {VIEWER}",
    f"GRANT INSERT, UPDATE, DELETE ON {', '.join(DATA_TABLES)} TO {CLINICIAN}",
    # The audit trail: added to, never changed (and its triggers refuse even the owner).
    f"GRANT INSERT ON audit TO {CLINICIAN}",
    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {CLINICIAN}",
)


def init(url: str) -> tuple[int, int]:
    """Create or bring up to date the ward database at `url` (as a user who owns it and may
    create roles): the schema by the migrations, the two group roles and what each may do.
    Returns (data format before, after); 0 before for a new database. Safe to run again."""
    import psycopg
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.pool import NullPool

    from tacrocalc.records import migrate

    where = describe(url)
    _connect(url, where, CONNECT_TIMEOUT_S).close()  # one sentence if it cannot be reached
    engine = sa.create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S),
        poolclass=NullPool,
    )
    try:
        with engine.connect() as connection, connection.begin():
            current = MigrationContext.configure(connection).get_current_revision()
            before = int(current) if current else 0
            if before > SCHEMA_VERSION:
                raise ServerNotReady(
                    f"The {where} is at data format {before}, newer than this TacroCalc's"
                    f" {SCHEMA_VERSION}: it has not been changed."
                )
            migrate.upgrade(connection, from_version=before)
            for statement in _ROLES_AND_GRANTS:
                connection.exec_driver_sql(statement)
    except sa.exc.DBAPIError as error:
        if isinstance(error.orig, psycopg.errors.InsufficientPrivilege):
            raise ServerNotReady(
                f"`server init` needs a login that owns the {where} and may create roles"
                f" ({_first_line(error.orig)}); nothing was changed."
            ) from None
        raise
    finally:
        engine.dispose()
    return before, SCHEMA_VERSION
