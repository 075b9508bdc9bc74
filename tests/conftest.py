"""Shared fixtures. Qt runs offscreen in every test process (set before anything imports Qt)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tacrocalc.domain.protocol import Protocol  # noqa: E402
from tacrocalc.protocols import load_protocol  # noqa: E402

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
