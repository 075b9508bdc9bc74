"""The records tests that are not about the SQLite file run against both stores: the local
SQLite store and a ward database on a PostgreSQL server the test run starts itself
(tests/pg_server.py). A module opts in with `pytestmark = pytest.mark.usefixtures("each_store")`
and opens stores through `tests.records.stores.open_store`; a test about the file alone is
marked `sqlite_only`."""

from __future__ import annotations

import pytest

from tests.records import stores


@pytest.fixture(params=["sqlite", "postgresql"])
def each_store(request):
    if request.param == "sqlite":
        yield "sqlite"
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("about the SQLite file itself")
    server = request.getfixturevalue("pg_server")
    with stores.on_server(server):
        yield "postgresql"
