"""`history PATIENT_ID` reads like the window's History: local time, user, what changed in
words, before -> after in the display units (R1.4) and the reason (R15.3); `--json` keeps the
entries as stored for a program."""

import json
import time as clock
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tacrocalc.app import main
from tacrocalc.domain.record import Trough
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "example-patient.json"
TODAY = date(2026, 1, 20)
IST = timezone(timedelta(hours=5, minutes=30))  # no daylight saving: the test holds all year


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def india(monkeypatch):
    """The workstation's clock set to India (UTC+05:30); the zone restored after."""
    monkeypatch.setenv("TZ", "IST-05:30")
    clock.tzset()
    yield
    monkeypatch.undo()
    clock.tzset()


@pytest.fixture
def data(capsys, tmp_path):
    """The example patient, its 8.1 µg/L trough corrected to 9.1 µg/L and its blood pressure
    deleted with a reason, then a dose change with its reason from the command line."""
    folder = str(tmp_path / "data")
    assert run(capsys, "--data-dir", folder, "import", str(EXAMPLE))[0] == 0
    with Store(Path(folder), protocol_for=load_protocol) as store:
        rows = store.observations("H123")
        trough_id, trough, _ = next(r for r in rows if isinstance(r[1], Trough))
        assert trough.value == q(8.1, "ug/L")
        written = store.correct_observation(
            trough_id, replace(trough, value=q(9.1, "ug/L")), today=TODAY
        )
        assert written.ok
        pressure_id = next(r[0] for r in rows if r[1].kind.value == "blood_pressure")
        assert store.delete_observation(pressure_id, reason="another patient's").ok
    code, _, _ = run(
        capsys,
        "--data-dir",
        folder,
        "event",
        "H123",
        "change",
        "--date",
        "2026-01-20",
        "--dose",
        "2mg",
        "--reason",
        "trough 22",
    )
    assert code == 0
    return folder


def stored(capsys, data):
    code, out, _ = run(capsys, "--data-dir", data, "history", "H123", "--json")
    assert code == 0
    return json.loads(out)


def test_the_history_is_a_table_in_local_time_words_and_the_display_units(capsys, india, data):
    entries = stored(capsys, data)
    code, out, err = run(capsys, "--data-dir", data, "history", "H123", "--trough-unit", "nmol/L")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split("  ")[0] == "When (local time)"
    assert [h.strip() for h in lines[0].split("  ") if h.strip()] == [
        "When (local time)",
        "By",
        "What changed",
        "Before -> after",
        "Reason",
    ]
    assert set(lines[1]) == {"-", " "}
    local = [
        datetime.fromisoformat(e["time"]).astimezone(IST).strftime("%Y-%m-%d %H:%M")
        for e in entries
    ]
    user = entries[0]["user"]
    starts = [line for line in lines[2:] if line[:1].strip()]  # the first line of each entry
    assert [line[:16] for line in starts] == local  # oldest first, in the local time
    assert [line.split("  ")[1].strip() for line in starts] == [user] * 4
    text = " ".join(" ".join(line.split()) for line in lines[2:])  # the wrapped cells joined
    assert "record imported from a patient file 1 weight, 1 course event, 4 results" in text
    # 8.1 µg/L = 10.1 nmol/L and 9.1 µg/L = 11.3 nmol/L (R1.4: the unit asked for)
    assert (
        "trough corrected 10.1 nmol/L on 2026-01-14 08:00 (last dose 20:00) ->"
        " 11.3 nmol/L on 2026-01-14 08:00 (last dose 20:00)"
    ) in text
    assert "blood pressure deleted 150/95 mmHg on 2026-01-14 another patient's" in text
    assert (
        "dose change added 2026-01-20: 2 mg Immediate-release tacrolimus capsules (Prograf and"
        " generics) every 12 hours at 08:00 and 20:00 (trough 22)"
    ) in text
    assert "ug/L" not in out and "µg/L" not in out  # no value left in the stored unit
    assert "{" not in out and "'kind'" not in out and "None" not in out  # no dict, no None
    assert all(len(line) <= 160 for line in lines)  # long values wrap within their column


def test_json_keeps_the_entries_as_stored_with_their_reason(capsys, data):
    entries = stored(capsys, data)
    assert [(e["action"], e["what"]) for e in entries] == [
        ("import", "patient"),
        ("correct", "observation"),
        ("delete", "observation"),
        ("insert", "event"),
    ]
    assert all(
        set(e) == {"time", "user", "action", "what", "id", "before", "after", "reason"}
        for e in entries
    )
    assert all(datetime.fromisoformat(e["time"]).utcoffset() == timedelta(0) for e in entries)
    correct, delete, change = entries[1:]
    assert (correct["before"]["value"], correct["after"]["value"]) == ("8.1 ug/L", "9.1 ug/L")
    assert (delete["after"], delete["reason"]) == (None, "another patient's")
    assert (change["after"]["kind"], change["after"]["reason"]) == ("change", "trough 22")


def test_an_unknown_patient_is_refused_in_words(capsys, tmp_path):
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "history", "NOPE")
    assert (code, out) == (2, "")
    assert err.strip() == 'refused: patient: there is no patient "NOPE" in this TacroCalc.'
