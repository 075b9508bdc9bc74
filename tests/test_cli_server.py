"""The command line on the ward server (issue 13): `server init`, every command with
`--server URL` or TACROCALC_SERVER, `server import-local`, and one line for every refusal.
Runs against the PostgreSQL server the test run starts (tests/pg_server.py)."""

from __future__ import annotations

import json

import pytest

from tacrocalc.app import main
from tacrocalc.records.patient_file import dumps
from tests.seed_cases import case_1, case_3


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def ward(pg_server, capsys):
    """A new ward database set up by `server init` (as its owner), and the URL a clinician
    (dr.cli) and a viewer (nurse.view) log in with."""
    name = pg_server.new_database()
    code, out, err = run(capsys, "--server", pg_server.url(name), "server", "init")
    assert (code, err) == (0, "")
    assert "set up: data format none -> 6" in out and "tacrocalc_clinician" in out
    pg_server.sql(
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dr.cli') THEN"
        ' CREATE ROLE "dr.cli" LOGIN IN ROLE tacrocalc_clinician; END IF;'
        " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nurse.view') THEN"
        ' CREATE ROLE "nurse.view" LOGIN IN ROLE tacrocalc_viewer; END IF; END $$'
    )
    return {
        "admin": pg_server.url(name),
        "clinician": pg_server.url(name, user="dr.cli"),
        "viewer": pg_server.url(name, user="nurse.view"),
    }


def _files(tmp_path):
    paths = []
    for record in (case_1(), case_3()):
        path = tmp_path / f"{record.patient.id}.json"
        path.write_text(dumps(record), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_server_init_twice_says_up_to_date(ward, capsys):
    code, out, err = run(capsys, "--server", ward["admin"], "server", "init")
    assert (code, err) == (0, "")
    assert "is up to date (data format 6)" in out


def test_the_commands_work_unchanged_on_the_server(ward, capsys, tmp_path):
    url = ward["clinician"]
    code, out, err = run(capsys, "--server", url, "import", *_files(tmp_path))
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "--server", url, "list", "--json")
    assert [r["id"] for r in json.loads(out)] == ["SEED-1", "SEED-3"]
    code, out, _ = run(capsys, "--server", url, "check", "SEED-3", "--today", "1997-06-01")
    assert code == 0 and "Creatinine" in out
    code, out, _ = run(capsys, "--server", url, "history", "SEED-1", "--json")
    entries = json.loads(out)
    assert code == 0 and entries[-1]["action"] == "import"
    assert entries[-1]["user"] == "dr.cli"  # the server's user, not the OS user


def test_the_environment_variable_names_the_server(ward, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TACROCALC_SERVER", ward["clinician"])
    code, _, err = run(capsys, "import", _files(tmp_path)[0])
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "list", "--json")
    assert [r["id"] for r in json.loads(out)] == ["SEED-1"]
    # --data-dir given: the local folder, not the server
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "local"), "list", "--json")
    assert json.loads(out) == []


def test_a_viewer_reads_but_its_write_is_refused_in_one_line(ward, capsys, tmp_path):
    run(capsys, "--server", ward["clinician"], "import", _files(tmp_path)[0])
    code, out, _ = run(capsys, "--server", ward["viewer"], "list", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["SEED-1"]
    code, out, err = run(capsys, "--server", ward["viewer"], "import", _files(tmp_path)[1])
    assert code == 2
    assert err.count("\n") == 1
    assert "may read patients but not change them" in err
    code, out, _ = run(capsys, "--server", ward["admin"], "list", "--json")
    assert [r["id"] for r in json.loads(out)] == ["SEED-1"]


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (["--server", "postgresql://nobody@/nodb?host=/nonexistent", "list"], 3, "Could not reach"),
        (["--server", "mysql://x/y", "list"], 2, "postgresql:// address"),
        (["--server", "postgresql://a@/b", "--data-dir", "/tmp/x", "list"], 2, "not both"),
    ],
)
def test_a_server_that_cannot_be_used_is_one_line(capsys, argv, status, words):
    code, _, err = run(capsys, *argv)
    assert code == status
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_database_not_set_up_is_named_with_what_to_do(pg_server, capsys):
    url = pg_server.url(pg_server.new_database())
    code, _, err = run(capsys, "--server", url, "list")
    assert code == 2
    assert "has no TacroCalc tables yet" in err and "server init" in err


def test_backup_and_restore_are_the_servers_business(ward, capsys, tmp_path):
    code, _, err = run(
        capsys, "--server", ward["clinician"], "backup", "--out", str(tmp_path / "b")
    )
    assert code == 2 and "pg_dump" in err
    code, _, err = run(capsys, "--server", ward["clinician"], "restore", str(tmp_path / "b"))
    assert code == 2 and "pg_restore" in err


def test_import_local_copies_patients_with_their_history(ward, capsys, tmp_path):
    local = str(tmp_path / "local")
    files = _files(tmp_path)
    assert run(capsys, "--data-dir", local, "import", *files)[0] == 0
    before = (tmp_path / "local" / "tacrocalc.sqlite3").read_bytes()
    code, out, err = run(
        capsys, "--server", ward["clinician"], "server", "import-local", "--data-dir", local
    )
    assert (code, err) == (0, "")
    assert "copied 2 patients" in out and "The local store was not changed" in out
    assert (tmp_path / "local" / "tacrocalc.sqlite3").read_bytes() == before
    code, out, _ = run(capsys, "--server", ward["clinician"], "history", "SEED-1", "--json")
    entries = json.loads(out)
    # the workstation's own entry, with its user, and the note of who copied it
    local_user = entries[0]["user"]
    assert local_user != "dr.cli"
    assert "[copied from" in entries[0]["reason"] and "[by dr.cli at" in entries[0]["reason"]
    assert entries[-1]["action"] == "import" and entries[-1]["user"] == "dr.cli"
    # the copy is that one entry (the whole record), not one more for each of its rows
    code, out, _ = run(capsys, "--data-dir", local, "history", "SEED-1", "--json")
    local_entries = json.loads(out)
    assert len(entries) == len(local_entries) + 1
    assert [e["time"] for e in entries[:-1]] == [e["time"] for e in local_entries]
    assert entries[-1]["after"] == local_entries[-1]["after"]  # the record as it was copied
    # again: every id is there, nothing copied without being told
    code, out, err = run(
        capsys, "--server", ward["clinician"], "server", "import-local", "--data-dir", local
    )
    assert code == 2 and "2 of the 2 patients are already" in err and "--existing" in err
    code, out, _ = run(
        capsys,
        "--server",
        ward["clinician"],
        "server",
        "import-local",
        "--data-dir",
        local,
        "--existing",
        "skip",
    )
    assert code == 0 and "copied 0 patients" in out and "2 already there" in out
