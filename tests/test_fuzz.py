"""Fuzzing the command line (issue 12): whatever the patient file or the arguments, the run ends
with status 0 or 2, at most one line on stderr (one when refused), no traceback, under 2 s and
200 MB. A bounded number of examples here; `bench/fuzz_cli.py` runs thousands, each in a
process of its own."""

import io
import json
import resource
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from tacrocalc.app import main
from tests.fuzz_inputs import EXAMPLE, Call, broken, calls, patient_files

VERSION_1_HUGE_DOSE = {
    **{k: v for k, v in EXAMPLE.items() if k != "events"},
    "version": 1,
    "regimens": [{"start": "2026-01-05", "formulation": "ir-capsule", "dose": "100000000 mg"}],
}
SWITCH = {
    **EXAMPLE,
    "events": [
        *EXAMPLE["events"],
        {"date": "2026-02-01", "kind": "switch", "formulation": "advagraf", "ratio": 1},
    ],
}

# The inputs issue 12 found, always run besides the generated ones.
ISSUE_12_FILES = [
    json.dumps({**EXAMPLE, "events": [{**EXAMPLE["events"][0], "dose": "100000000 mg"}]}).encode(),
    json.dumps(EXAMPLE).encode("utf-16"),
    "Zoë".encode("latin-1"),
    b"[" * 1000 + b"]" * 1000,
    json.dumps(EXAMPLE)[:-1].encode() + b', "x": ' + b"9" * 4300 + b"}",
    b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode(),
    b'{"format": "tacrocalc.patient", "format": "tacrocalc.patient"}',
    json.dumps({**EXAMPLE, "patient": {**EXAMPLE["patient"], "name": "\ud800"}}).encode(),
    json.dumps(VERSION_1_HUGE_DOSE).encode(),
    json.dumps(SWITCH).replace('"ratio": 1', '"ratio": ' + "9" * 4300).encode(),
    json.dumps(
        {**EXAMPLE, "weights": [{"date": "2026-01-05\n\x1b[2J", "value": "60 kg"}]}
    ).encode(),
]
ISSUE_12_ARGUMENTS = [
    ["check", "{tmp}/p.json", "--today", "9999-12-31"],
    ["dose", "--weight", "60kg", "--dose", "99999999999999999999999999mg"],
    ["list", "--limit", "9223372036854775808"],
    ["switch", "--dose", "3000000mg", "--to", "advagraf"],
    ["adjust", "--dose", "3mg", "--trough", "0.001ug/L", "--days-on-dose", "5"],
    ["export", "H123", "--out", "{tmp}/missing/x.json"],
    ["export", "H123", "--out", ""],
    ["restore", "{tmp}/nothing"],
    ["restore", "{tmp}"],
    ["import", "/dev/zero"],
    ["check", "H1\x1b[2J"],
]


def _status(field: str) -> float:
    """A memory figure of this process from /proc (Linux), in MB; 0 where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> None:
    """Start the peak resident memory (VmHWM) again from what is resident now."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run_in_process(call: Call, folder: Path) -> tuple[object, str, str, float, float]:
    """Status, stdout, stderr, seconds and megabytes of one command line, run as
    `python -m tacrocalc` runs it (argparse's exit included). The megabytes are how far the
    peak resident memory rose above what this process held before; the address space may not
    grow by more than 1 GB, so that a run that would exhaust memory ends in a MemoryError."""
    if call.file is not None:
        (folder / "p.json").write_bytes(call.file)
    out, err = io.StringIO(), io.StringIO()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    before = _status("VmRSS")
    _reset_peak()
    resource.setrlimit(resource.RLIMIT_AS, (int((_status("VmSize") + 1024) * 2**20), hard))
    start = time.perf_counter()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code: object = main(call.resolved(folder))
    except SystemExit as exit_:
        code = exit_.code
    finally:
        seconds = time.perf_counter() - start
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    grown = max(_status("VmHWM") - before, 0.0)
    return code, out.getvalue(), err.getvalue(), seconds, grown


@pytest.fixture(scope="module")
def folder():
    """One data folder for the module, with what the first plan imports (reportlab, its fonts)
    imported already, as the other commands' modules are by the time the examples run;
    `bench/fuzz_cli.py` measures every run in a process of its own, imports included."""
    with tempfile.TemporaryDirectory() as name:
        warm = Call(argv=("--data-dir", "{tmp}/d", "plan", "{tmp}/p.json", "--out", "{tmp}/w.pdf"))
        (Path(name) / "p.json").write_text(json.dumps(EXAMPLE), encoding="utf-8")
        stored = Call(argv=("--data-dir", "{tmp}/d", "import", "{tmp}/p.json"))
        with redirect_stdout(io.StringIO()):
            assert main(warm.resolved(Path(name))) == 0
            assert main(stored.resolved(Path(name))) == 0  # H123, for the commands on an id
        yield Path(name)


def check(call: Call, folder: Path) -> None:
    code, _, err, seconds, peak = run_in_process(call, folder)
    faults = broken(code, err, seconds, peak)
    assert not faults, f"{call.resolved(folder)!r}: {', '.join(faults)}\n{err}"


def _file_example(data: bytes):
    return example(data=data)


@given(data=patient_files())
@settings(
    max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@_file_example(ISSUE_12_FILES[0])
@_file_example(ISSUE_12_FILES[1])
@_file_example(ISSUE_12_FILES[2])
@_file_example(ISSUE_12_FILES[3])
@_file_example(ISSUE_12_FILES[4])
@_file_example(ISSUE_12_FILES[5])
@_file_example(ISSUE_12_FILES[6])
@_file_example(ISSUE_12_FILES[7])
@_file_example(ISSUE_12_FILES[8])
@_file_example(ISSUE_12_FILES[9])
@_file_example(ISSUE_12_FILES[10])
def test_any_patient_file_is_imported_or_refused_in_one_line(folder, data):
    """`import` and `check` of a mutated, re-encoded, truncated or random patient file."""
    for argv in (("import", "--replace", "{tmp}/p.json"), ("check", "{tmp}/p.json", "--json")):
        check(Call(argv=("--data-dir", "{tmp}/d", *argv), file=data), folder)


@given(call=calls())
@settings(
    max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_any_argument_list_ends_in_an_answer_or_one_refusal(folder, call):
    check(call, folder)


@pytest.mark.parametrize("argv", ISSUE_12_ARGUMENTS)
def test_the_argument_lists_of_issue_12(folder, argv):
    check(Call(argv=("--data-dir", "{tmp}/d", *argv), file=json.dumps(EXAMPLE).encode()), folder)


def test_the_property_catches_what_it_is_about(folder, monkeypatch):
    """The property fails a traceback, a second line, another status, and a slow run."""
    assert broken(1, "Traceback (most recent call last):\n  ...\n", 0.1, 10)
    assert broken(2, "refused: a\nb\n", 0.1, 10) == ["2 lines on stderr"]
    assert broken(0, "", 2.5, 10) == ["2.5 s"]
    assert broken(0, "", 0.1, 250) == ["250 MB"]
    assert broken(2, "refused: x\n", 0.1, 10) == []
