"""A throwaway PostgreSQL server for the tests: `initdb` and `pg_ctl` in a temporary folder,
listening on a unix socket only, from the server binaries of Debian's `postgresql` package
(which `packaging/quickstart.sh` installs when it runs as root).

As root (as in CI), the server runs as the `postgres` user (or `nobody`), since PostgreSQL
refuses to run as root. A machine without the binaries skips the tests that need a server,
saying how to get them.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "tacrocalc_admin"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql "
    "package (`apt-get install postgresql`; packaging/quickstart.sh does it when run as root)"
)


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (15 or newer), or None."""
    candidates = []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


@dataclass
class PgServer:
    socket_dir: Path
    _counter: itertools.count[int]
    _control: list[str | Path]  # pg_ctl -D DATA -o OPTIONS -l LOG
    _env: dict[str, str]
    _run_as: dict[str, object]
    password: str | None = None  # the superuser's, on a server that asks for passwords

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; "immediate" is a crash as far as the data are concerned: only
        what the server committed (and synced) before is there when it starts again."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "start")

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            [*self._control, *arguments],
            check=True,
            capture_output=True,
            env=self._env,
            **self._run_as,  # type: ignore[arg-type]
        )

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """The name of a new empty database."""
        import psycopg

        name = f"ward_{next(self._counter)}"
        with psycopg.connect(self.url("postgres"), autocommit=True, password=self.password) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return name

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, password=self.password) as db:
            db.execute(statement)


def _run_as() -> dict[str, object]:
    """subprocess arguments that drop root for the server (it refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return {"user": entry.pw_uid, "group": entry.pw_gid}
    raise RuntimeError("running as root, and no postgres or nobody user to run the server as")


@contextlib.contextmanager
def running_server(
    binaries: Path, *, durable: bool = False, password: str | None = None
) -> Iterator[PgServer]:
    """A server in a temporary folder, stopped and removed at the end. Tests run it without
    syncing to disk (a crash of the test machine loses nothing of value); `durable` keeps
    PostgreSQL's defaults (fsync, synchronous commit), as a ward's server and a benchmark
    should, and as a test that crashes the server needs. Every login is trusted or, given a
    `password`, asked for its password (scram-sha-256; the superuser's is `password`)."""
    folder = Path(tempfile.mkdtemp(prefix="tacrocalc-pg-"))
    run_as = _run_as()
    if run_as:
        os.chown(folder, int(run_as["user"]), int(run_as["group"]))  # type: ignore[call-overload]
    data = folder / "data"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    auth = ["--auth=trust"]
    if password is not None:
        (folder / "pw").write_text(password)
        if run_as:
            os.chown(folder / "pw", int(run_as["user"]), int(run_as["group"]))  # type: ignore[call-overload]
        auth = ["--auth=scram-sha-256", f"--pwfile={folder / 'pw'}"]
    try:
        subprocess.run(
            [
                binaries / "initdb",
                "-D",
                data,
                "-U",
                SUPERUSER,
                *auth,
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            env=env,
            **run_as,  # type: ignore[arg-type]
        )
        options = f"-k {folder} -c listen_addresses='' -c max_connections=60"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        server = PgServer(
            socket_dir=folder,
            _counter=itertools.count(1),
            _control=[binaries / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log"],
            _env=env,
            _run_as=run_as,
            password=password,
        )
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            subprocess.run(
                [binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                check=True,
                capture_output=True,
                env=env,
                **run_as,  # type: ignore[arg-type]
            )
        shutil.rmtree(folder, ignore_errors=True)
