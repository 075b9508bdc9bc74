"""A writer killed with SIGKILL loses nothing it reported as written (bench/crash_test.py runs
the same 50 times)."""

import sys

import pytest

from tests.records.crash_harness import run_trials


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_writer_loses_no_committed_observation(tmp_path):
    trials = run_trials(tmp_path, count=4, seed=7)
    assert [t.integrity for t in trials] == ["ok"] * 4
    assert [t.lost for t in trials] == [0] * 4
    assert sum(t.reported for t in trials) > 0  # the writer did write before each kill
