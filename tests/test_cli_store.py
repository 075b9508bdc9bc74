"""The store from the command line: import, export, list, check by id, backup, restore."""

import json
from pathlib import Path

from tacrocalc.app import main
from tacrocalc.records.patient_file import dumps
from tests.seed_cases import case_1, case_3

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "example-patient.json"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_export_round_trip(capsys, tmp_path):
    data = str(tmp_path / "data")
    code, out, _ = run(capsys, "--data-dir", data, "import", str(EXAMPLE))
    assert (code, out) == (0, f"imported H123 (A Person) from {EXAMPLE}\n")
    code, _, _ = run(
        capsys, "--data-dir", data, "export", "H123", "--out", str(tmp_path / "x.json")
    )
    assert code == 0
    exported = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    original = json.loads(EXAMPLE.read_text())
    key = lambda o: (o["date"], o.get("time", ""), o["kind"])  # noqa: E731 - exports sort by date
    assert sorted(exported.pop("observations"), key=key) == sorted(
        original.pop("observations"), key=key
    )
    assert exported == original | {"co_medication": []}


def test_import_of_an_existing_id_is_refused_unless_replace(capsys, tmp_path):
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "import", str(EXAMPLE))
    code, _, err = run(capsys, "--data-dir", data, "import", str(EXAMPLE))
    assert code == 2
    assert "H123" in err and "--replace" in err
    code, out, _ = run(capsys, "--data-dir", data, "import", "--replace", str(EXAMPLE))
    assert (code, out) == (0, f"imported H123 (A Person) from {EXAMPLE}\n")


def test_list_and_check_by_id(capsys, tmp_path):
    data = str(tmp_path / "data")
    for record in (case_1(), case_3()):
        path = tmp_path / f"{record.patient.id}.json"
        path.write_text(dumps(record), encoding="utf-8")
        run(capsys, "--data-dir", data, "import", str(path))
    code, out, _ = run(capsys, "--data-dir", data, "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [r["id"] for r in rows] == ["SEED-1", "SEED-3"]
    assert rows[0]["regimen"] == "ir-capsule 5.5 mg from 1996-11-04"
    assert rows[0]["last_check"] == "1997-03-03"
    code, out, _ = run(capsys, "--data-dir", data, "list", "three")
    assert "SEED-3" in out and "SEED-1" not in out
    code, out, _ = run(
        capsys, "--data-dir", data, "check", "SEED-3", "--today", "1997-01-13", "--json"
    )
    assert "creatinine_rise" in [a["code"] for a in json.loads(out)["alerts"]]
    code, _, err = run(capsys, "--data-dir", data, "check", "NOPE")
    assert code == 2 and "NOPE" in err


def test_backup_and_restore_commands(capsys, tmp_path):
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "import", str(EXAMPLE))
    code, out, _ = run(capsys, "--data-dir", data, "backup", "--out", str(tmp_path / "b.sqlite3"))
    assert code == 0 and (tmp_path / "b.sqlite3").exists()
    code, out, _ = run(
        capsys, "--data-dir", str(tmp_path / "other"), "restore", str(tmp_path / "b.sqlite3")
    )
    assert code == 0
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "other"), "list")
    assert "H123" in out


def test_a_damaged_store_is_reported_with_status_2(capsys, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tacrocalc.sqlite3").write_bytes(b"not a database" * 50)
    code, _, err = run(capsys, "--data-dir", str(data), "list")
    assert code == 2
    assert "is damaged" in err and "not an SQLite database" in err
    code, _, _ = run(capsys, "dose", "--weight", "72kg", "--rate", "0.1mg/kg/day")
    assert code == 0  # what needs no store still works
