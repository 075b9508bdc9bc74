"""Shared fixtures. Qt runs offscreen in every test process (set before anything imports Qt)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

import pytest
from hypothesis import settings

from tacrocalc.domain.protocol import Protocol
from tacrocalc.records.protocol_files import load_protocol

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def seed() -> Protocol:
    return load_protocol("seed-1997")


@pytest.fixture(scope="session")
def prograf() -> Protocol:
    return load_protocol("prograf-us-kidney-mmf")


@pytest.fixture
def today() -> date:
    return date(2026, 6, 1)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of the test run's own (tests/pg_server.py), or a skip saying how to
    get the binaries."""
    from tests.pg_server import MISSING, running_server, server_binaries

    binaries = server_binaries()
    if binaries is None:
        pytest.skip(MISSING)
    with running_server(binaries) as server:
        yield server
