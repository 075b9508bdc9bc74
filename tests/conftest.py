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
