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
- Who may do what is the server's business (`server init`, `roles.sql`): a write refused for
  lack of privilege is `ReadOnlyRole`, one sentence.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from tacrocalc.records.database import StoreError, StoreUnavailable
from tacrocalc.records.migrate import SCHEMA_VERSION

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S: Final = 5
URL_PREFIXES: Final = ("postgresql://", "postgres://")


def is_server_url(text: str) -> bool:
    return text.startswith(URL_PREFIXES)


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
    """A psycopg connection that speaks the SQL of `tables` (its "?" parameters)."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.raw = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_format_style(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(_format_style(sql), [tuple(r) for r in rows])
        return cursor


class ServerDatabase:
    """The ward database at `url`, checked to be at this TacroCalc's schema."""

    def __init__(
        self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT_S, password: str | None = None
    ) -> None:
        self.url = url
        self.where = describe(url)
        self._raw = _connect(url, self.where, connect_timeout, password)
        self.connection = ServerConnection(self._raw)
        version = self._version()
        if version is None:
            self._raw.close()
            raise ServerNotReady(
                f"The {self.where} has no TacroCalc tables yet: the ward's administrator sets it"
                " up with `tacrocalc --server URL server init` (docs/ward-server.md)."
            )
        if version != SCHEMA_VERSION:
            self._raw.close()
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
        self.user = str(self._raw.execute("SELECT current_user").fetchone()[0])  # type: ignore[index]

    def _version(self) -> int | None:
        found = self._raw.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return None
        row = self._raw.execute("SELECT version_num FROM alembic_version").fetchone()
        return int(row[0]) if row else None

    @property
    def schema_version(self) -> int:
        return self._version() or 0

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()

    def checkpoint(self) -> bool:
        """Nothing to fold in: the server keeps its own journal."""
        return True

    def backup(self, destination: Path) -> Path:
        raise StoreError(
            f"The {self.where} is backed up on the server (pg_dump; docs/ward-server.md), not by"
            " a workstation. To keep a copy of one patient, use `export`."
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[ServerConnection]:
        """One transaction, committed by the server before this returns: all or nothing."""
        try:
            with self._raw.transaction():
                yield self.connection
        except Exception as error:
            explained = self.explain(error)
            if explained is not None and explained is not error:
                raise explained from None
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[ServerConnection]:
        """Several reads that see one moment of the database (a patient's whole record)."""
        if self._raw.info.transaction_status != 0:  # already inside a write
            yield self.connection
            return
        try:
            self._raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield self.connection
            finally:
                if not self._raw.closed:
                    self._raw.execute("ROLLBACK")
        except Exception as error:
            explained = self.explain(error)
            if explained is not None and explained is not error:
                raise explained from None
            raise

    def explain(self, error: BaseException) -> StoreError | None:
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
            return ServerUnavailable(
                f"Not saved: the connection to the {self.where} was lost ({_first_line(error)})."
                " What you typed is kept; try again when the server is back."
            )
        return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    # libpq's messages may carry the connection string; never its password.
    return re.sub(r"password=\S+", "password=…", line)[:200]


def _connect(
    url: str, where: str, timeout: int, password: str | None = None
) -> psycopg.Connection[Any]:
    import psycopg

    extra: dict[str, Any] = {"password": password} if password else {}
    try:
        return psycopg.connect(
            url, autocommit=True, connect_timeout=timeout, application_name="tacrocalc", **extra
        )
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
