"""Bad patient files are refused in one line naming what is wrong: never a traceback, a hang
or memory exhaustion (inputs from a fuzz probe of the command line)."""

import gzip
import json
import os
import sys
from datetime import date
from pathlib import Path

import pytest

from tacrocalc.app import main
from tacrocalc.records.patient_file import PatientFileError, read_file
from tacrocalc.records.protocol_files import load_protocol

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "example-patient.json"


def good() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def refused(path: Path) -> str:
    with pytest.raises(PatientFileError) as raised:
        read_file(path, protocol_for=load_protocol, today=date(2026, 6, 1))
    return str(raised.value)


def test_a_byte_order_mark_is_accepted(tmp_path):
    """Notepad writes UTF-8 with a BOM: it is valid UTF-8 and is read."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert read_file(path, protocol_for=load_protocol, today=date(2026, 6, 1)).patient.id == "H123"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("Zoë".encode("latin-1"), "not UTF-8"),
        (json.dumps(good(), ensure_ascii=False).encode("utf-16"), "not UTF-8"),
        (gzip.compress(EXAMPLE.read_bytes()), "not UTF-8"),
        (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        (b'{"format": ' + b"9" * 5000 + b"}", "not a patient file"),
        (b'{"format": "a", "format": "b"}', "appears twice"),
    ],
)
def test_files_that_are_not_patient_files(tmp_path, data, words):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    assert words in refused(path)


def test_a_lone_surrogate_or_a_huge_text_is_refused_at_its_path(tmp_path):
    doc = good()
    doc["patient"]["name"] = "\ud800"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # ensure_ascii: "\\ud800" escapes
    assert "$.patient.name" in refused(path)
    doc = good()
    doc["patient"]["id"] = "H" * 10_000_000
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "$.patient.id" in refused(path) and "longer than 2000 characters" in refused(path)


def test_what_is_not_a_regular_file_is_refused_without_reading(tmp_path):
    assert "is not a regular file" in refused(tmp_path)
    assert "does not exist" in refused(tmp_path / "missing.json")
    if sys.platform != "win32":
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        assert "is not a regular file" in refused(fifo)  # would block forever if read
        assert "is not a regular file" in refused(Path("/dev/zero"))


def test_import_reports_every_refusal_and_imports_the_rest(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_bytes("Zoë".encode("latin-1"))
    code = main(
        ["--data-dir", str(tmp_path / "d"), "import", str(bad), str(EXAMPLE), str(tmp_path)]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "imported H123" in out
    assert err.count("\n") == 1 and "2 file(s) not imported" in err
    assert "bad.json" in err and "not UTF-8" in err and "not a regular file" in err


@pytest.mark.parametrize(
    ("key", "text", "words"),
    [
        ("id", "H1\x00", "U+0000"),
        ("id", "H1\nH2", "U+000A"),
        ("name", "A \x1b[31mPerson", "U+001B"),
        ("id", "H\u200b123", "U+200B"),  # zero-width space: looks like H123
        ("name", "A \u202eNOSREP", "U+202E"),  # right-to-left override
        ("id", "H" * 41, "longer than 40 characters"),
        ("name", "   ", "a value is needed"),
    ],
)
def test_ids_and_names_that_would_not_read_as_themselves(tmp_path, key, text, words):
    """Issue 12: ids and names with NUL, newline, ESC, U+200B or U+202E printed raw and looked
    like other ids; they are refused, naming the field, in files and in the store alike."""
    from tacrocalc.domain.record import Patient
    from tacrocalc.records.store import Store

    doc = good()
    doc["patient"][key] = text
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = refused(path)
    assert f"$.patient.{key}" in message and words in message
    with Store(tmp_path / "d", protocol_for=load_protocol) as store:
        fields = {"id": "H9", "name": "Someone", key: text}
        written = store.save_patient(
            Patient(id=fields["id"], name=fields["name"], birth_date=None, sex=None),
            protocol_id="seed-1997",
            today=date(2026, 6, 1),
        )
        assert not written.ok
        assert store.list_patients() == []


def _bad_files(folder: Path) -> dict[str, Path]:
    """One file of each kind a patient file is refused for, as a whole or at a member."""
    doc = good()
    doc["patient"]["name"] = "A \u202ePerson"
    made = {
        "latin-1": ("Zoë".encode("latin-1"), "it is not UTF-8 text — save it as UTF-8"),
        "bom-json": (b"\xef\xbb\xbf{bad", "it is not valid JSON (line 1 column 2"),
        "duplicate": (b'{"format": "a", "format": "b"}', 'the key "format" appears twice'),
        "nested": (b"[" * 1000 + b"]" * 1000, "it is nested too deeply"),
        "huge-number": (b'{"format": ' + b"9" * 5000 + b"}", "a number too long"),
        "other-json": (b'{"format": "x"}', '$.format: "x": not a TacroCalc patient file'),
        "bidi-name": (json.dumps(doc).encode(), "$.patient.name:"),
    }
    files = {}
    for kind, (data, _) in made.items():
        files[kind] = folder / f"{kind}.json"
        files[kind].write_bytes(data)
    files["folder"] = folder / "folder.json"
    files["folder"].mkdir()
    files["missing"] = folder / "missing.json"
    return files


WHAT = {
    "latin-1": "it is not UTF-8 text — save it as UTF-8, or export it again from TacroCalc.",
    "bom-json": "it is not valid JSON (line 1 column 2: Expecting property name enclosed in"
    " double quotes) — export it again from TacroCalc.",
    "duplicate": 'the key "format" appears twice in one object — keep one of them, or export'
    " the file again from TacroCalc.",
    "nested": "it is nested too deeply to be a patient file — export it again from TacroCalc.",
    "huge-number": "it is not a patient file: it holds a number too long to be a value — export"
    " it again from TacroCalc.",
    "other-json": '$.format: "x": not a TacroCalc patient file (tacrocalc.patient).',
    "bidi-name": '$.patient.name: "A \\u202ePerson": it holds an invisible or control character'
    " (U+202E).",
    "folder": "it is not a regular file (a folder, a pipe or a device) — give a file.",
    "missing": "it does not exist — check its name and folder.",
}


@pytest.mark.parametrize("kind", list(WHAT))
@pytest.mark.parametrize("command", ["import", "check"])
def test_a_refused_file_is_named_once(tmp_path, capsys, command, kind):
    """Issue 12: `import` of a non-UTF-8 file printed "x.json: Patient file x.json: "x.json":
    ..." (the name three times; twice in `check`), and a JSON fault not at all in `check`.
    One line, the file's name once as it was given, what is wrong and what to do."""
    path = _bad_files(tmp_path)[kind]
    argv = [command, str(path)] if command == "check" else ["import", str(path)]
    code = main(["--data-dir", str(tmp_path / "d"), *argv])
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.count(path.name) == 1 and err.count(str(tmp_path)) == 1
    lead = "refused: 1 file(s) not imported: " if command == "import" else "refused: "
    assert err == f"{lead}{path}: {WHAT[kind]}\n"


def test_import_of_many_bad_files_names_each_once(tmp_path, capsys):
    files = _bad_files(tmp_path)
    code = main(["--data-dir", str(tmp_path / "d"), "import", *map(str, files.values())])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"refused: {len(files)} file(s) not imported: ")
    for kind, path in files.items():
        assert err.count(path.name) == 1, kind
        assert f"{path}: {WHAT[kind]}" in err
