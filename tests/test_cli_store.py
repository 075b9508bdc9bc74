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
    assert rows[0]["regimen"] == (
        "5.5 mg Immediate-release tacrolimus capsules (Prograf and generics) every 12 hours"
        " from 1996-11-04"
    )
    # 1997-03-03 came before the earliest date of the check due 03-17 (03-10): an extra result,
    # not a check (R8.7); the last check done is that of 02-17
    assert rows[0]["last_check"] == "1997-02-17"
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


def test_events_from_the_command_line_and_the_history(capsys, tmp_path):
    """R15 through `event`: the example patient starts 3 mg twice daily on 2026-01-05."""
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "import", str(EXAMPLE))

    def event(*argv):
        return run(capsys, "--data-dir", data, "event", "H123", *argv)

    code, out, err = event(
        "change", "--date", "2026-01-20", "--dose", "2mg", "--reason", "trough 22"
    )
    assert (code, err) == (0, "")
    assert "2 mg every 12 hours at 08:00 and 20:00, since 2026-01-20" in out
    code, out, err = event("resume", "--date", "2026-01-21")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "resume" in err and "2026-01-21" in err
    code, _, err = event("change", "--date", "2099-01-01", "--dose", "1mg")
    assert code == 2 and "2099-01-01" in err and "future" in err
    code, _, err = event("change", "--date", "2026-01-22", "--dose", "2mg")
    assert code == 2 and "already given" in err  # the dose in force
    # R10: 2 mg × 2 = 4 mg/day × 0.7 (EU) = 2.8 mg -> Envarsus 2.75 mg once daily
    code, out, _ = event("switch", "--date", "2026-02-02", "--to", "envarsus")
    assert code == 0
    assert "Envarsus prolonged-release tablets (once daily): 2.75 mg once daily at 08:00" in out
    assert "take a trough within 7 days" in out
    code, out, _ = event("hold", "--date", "2026-02-10", "--reason", "infection")
    assert "on hold since 2026-02-10 (infection)" in out
    code, out, _ = run(
        capsys, "--data-dir", data, "check", "H123", "--today", "2026-02-12", "--json"
    )
    now = json.loads(out)["regimen_now"]
    assert (now["status"], now["since"], now["dose_mg"]) == ("held", "2026-02-10", None)
    code, out, _ = run(capsys, "--data-dir", data, "list", "--json")
    assert json.loads(out)[0]["last_check"] == "2026-01-14"  # a check of an earlier dose
    code, out, _ = run(capsys, "--data-dir", data, "history", "H123", "--json")
    entries = json.loads(out)
    events = [e for e in entries if e["what"] == "event"]
    assert [e["after"]["kind"] for e in events] == ["change", "switch", "hold"]
    assert all({"time", "user", "action", "before", "after"} <= set(e) for e in entries)
    code, out, _ = run(capsys, "--data-dir", data, "history", "H123")
    assert code == 0
    assert [w in out for w in ("dose change added", "product switch added", "hold added")] == [
        True
    ] * 3


def test_restore_exits_2_for_a_file_that_is_no_store_and_3_while_the_store_is_open(
    capsys, tmp_path
):
    """Issue 12: `restore` accepted any SQLite file and ran under an open window. A file that
    cannot be a store is refused input (2); the store being open is the computer's state (3).
    Each is one line, and the store is left as it was."""
    import sqlite3

    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.records.store import Store

    data = tmp_path / "data"
    run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))
    run(capsys, "--data-dir", str(data), "backup", "--out", str(tmp_path / "b.sqlite3"))
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE songs (title)")
    db.close()
    code, out, err = run(capsys, "--data-dir", str(data), "restore", str(foreign))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err == (
        f"refused: {foreign} cannot be restored: it is another application's database, not a"
        " TacroCalc store. Nothing was changed.\n"
    )
    window = Store(data, protocol_for=load_protocol)
    try:
        code, out, err = run(
            capsys, "--data-dir", str(data), "restore", str(tmp_path / "b.sqlite3")
        )
    finally:
        window.close()
    assert (code, out, err.count("\n")) == (3, "", 1)
    assert err.startswith(f"error: {data / 'tacrocalc.sqlite3'} is open in another TacroCalc")
    assert "Close it, then restore again." in err
    code, out, _ = run(capsys, "--data-dir", str(data), "list")
    assert code == 0 and "H123" in out


def test_a_shared_data_folder_is_explained_with_status_3_and_left_alone(capsys, tmp_path):
    import os
    import stat

    ward = tmp_path / "ward"
    ward.mkdir()
    os.chmod(ward, 0o2770)
    code, out, err = run(capsys, "--data-dir", str(ward), "list")
    assert (code, out, err.count("\n")) == (3, "", 1)
    assert err.startswith(f"error: {ward} is shared (other users can change it: mode 2770)")
    assert stat.S_IMODE(ward.stat().st_mode) == 0o2770 and list(ward.iterdir()) == []


def test_a_backup_to_a_device_is_written_straight_through(capsys, tmp_path):
    """As root, `backup --out /dev/null` replaced the device node with a regular file. Here the
    device is /dev/stdout's pipe: the bytes go through it, the node is left alone."""
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tacrocalc",
            "--data-dir",
            str(data),
            "backup",
            "--out",
            "/dev/stdout",
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"SQLite format 3\x00")
    assert done.stderr.decode().startswith("backed up ")
    assert not os.path.isfile("/dev/stdout") or os.path.islink("/dev/stdout")
