"""Issue 12: bad data that `import` let through (the window refuses it), and inputs that ended in
a traceback or built a rounding table as large as the dose. Each is refused at its JSON path,
by the validators the window and the store use (R12)."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from tacrocalc.app import main
from tacrocalc.present.words import Words
from tacrocalc.records import patient_file
from tacrocalc.records.patient_file import PatientFileError, read_patient
from tacrocalc.records.protocol_files import load_protocol

TODAY = date(2026, 6, 1)
EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "example-patient.json"


def good() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def version_1() -> dict:
    doc = good()
    doc["version"] = 1
    del doc["events"]
    doc["regimens"] = [{"start": "2026-01-05", "formulation": "ir-capsule", "dose": "3 mg"}]
    return doc


def said(error: PatientFileError) -> str:
    """The refusal as the user reads it (the sentence names the field: its JSON path)."""
    return Words().message(error.issue)


def refusal(doc: dict) -> str:
    with pytest.raises(PatientFileError) as raised:
        read_patient(doc, protocol_for=load_protocol, today=TODAY)
    return said(raised.value)


def with_switch(ratio: object) -> dict:
    doc = good()
    doc["events"].append(
        {"date": "2026-02-01", "kind": "switch", "formulation": "advagraf", "ratio": ratio}
    )
    return doc


def test_a_version_1_dose_is_bounded_before_any_rounding_table_is_built(monkeypatch):
    """A regimen of 100,000,000 mg in a version 1 file took 65 s and 4 GB (a coin-change table
    as long as the dose) before the dose was refused: R12.7 now refuses it first."""
    rounded = []

    def spy(dose, product, **kwargs):
        rounded.append(dose)
        return ()

    monkeypatch.setattr(patient_file, "check_dispensable", spy)
    doc = version_1()
    doc["regimens"][0]["dose"] = "100000000 mg"
    message = refusal(doc)
    assert "$.regimens[0].dose" in message and "R12.7" in message
    assert rounded == []


@pytest.mark.parametrize("ratio", ["9" * 4300, "1e400", "1e300", "0.0001", "-1"])
def test_a_switch_ratio_outside_the_conversions_of_r10_is_refused(ratio):
    """A 4,300-digit ratio ended in an OverflowError traceback; 1e400 was stored as infinity
    and 1e300 as it was. R10 converts at 0.7 to 1/0.7 (either region's Envarsus ratio)."""
    text = json.dumps(with_switch(1)).replace('"ratio": 1', f'"ratio": {ratio}')
    with pytest.raises(PatientFileError) as raised:
        patient_file.loads(text, protocol_for=load_protocol, today=TODAY)
    message = said(raised.value)
    assert "$.events[1].ratio" in message and "from 0.70 to 1.43" in message
    assert len(message) < 300  # the number is not printed back whole


@pytest.mark.parametrize("ratio", ["0.7", True, [0.7], None])
def test_a_switch_ratio_that_is_not_a_number_is_refused(ratio):
    doc = with_switch(ratio)
    if ratio is None:
        doc["events"][-1]["ratio"] = {"value": 0.7}
    message = refusal(doc)
    assert "$.events[1].ratio" in message and "a conversion ratio of R10" in message


def test_a_switch_ratio_of_the_protocol_is_read():
    record = read_patient(with_switch(0.7), protocol_for=load_protocol, today=TODAY)
    assert record.events[-1].ratio == 0.7


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ({"low": "0 ug/L", "high": "500 ug/L"}, "$.target_trough.low"),
        ({"low": "-5 ug/L", "high": "10 ug/L"}, "$.target_trough.low"),
        ({"low": "0.1 ug/L", "high": "0.2 ug/L"}, "$.target_trough.low"),
        ({"low": "4 ug/L", "high": "500 ug/L"}, "$.target_trough.high"),
        ({"low": "4 ug/L", "high": "10 ug/L", "caution": "0.2 ug/L"}, "$.target_trough.caution"),
    ],
)
def test_an_own_trough_range_outside_the_bounds_of_a_trough_is_refused(target, path):
    """R5.6, R12.2: the window refused these ends; import stored them."""
    doc = good()
    doc["target_trough"] = target
    message = refusal(doc)
    assert path in message and "0.5 µg/L to 200 µg/L" in message and "R12.2" in message


@pytest.mark.parametrize("birth", ["0001-01-01", "1800-06-01", "1901-05-31"])
def test_a_birth_date_before_any_living_patient_is_refused(birth):
    """R12.4: more than the protocol's oldest age (125 years) before today."""
    doc = good()
    doc["patient"]["birth_date"] = birth
    message = refusal(doc)
    assert "$.patient.birth_date" in message and "more than 125 years ago" in message


def test_a_birth_date_within_the_oldest_age_is_read():
    doc = good()
    doc["patient"]["birth_date"] = "1901-06-01"
    record = read_patient(doc, protocol_for=load_protocol, today=TODAY)
    assert record.patient.birth_date == date(1901, 6, 1)


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d: d["observations"][0].update(date="0001-01-01"), "$.observations[0].date"),
        (lambda d: d["weights"][0].update(date="1066-10-14"), "$.weights[0].date"),
        (lambda d: d["events"][0].update(date="0001-01-01"), "$.events[0].date"),
    ],
)
def test_a_date_before_any_living_patient_is_refused_without_a_birth_date(where, path):
    doc = good()
    doc["patient"]["birth_date"] = None
    where(doc)
    message = refusal(doc)
    assert path in message and "R12.4" in message


def test_a_version_1_start_before_any_living_patient_is_refused():
    doc = version_1()
    doc["patient"]["birth_date"] = None
    doc["regimens"][0]["start"] = "0001-01-01"
    assert "$.regimens[0].start" in refusal(doc)


CONTROL = ["\x00", "\n", "\x1b[2J", "\u202e", "\u2066", "\x85"]


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d, t: d["events"][0].update(reason=f"renal {t}"), "$.events[0].reason"),
        (lambda d, t: d["events"][0].update(recorded_by=f"Dr {t}X"), "$.events[0].recorded_by"),
        (
            lambda d, t: d.update(co_medication=[{"date": "2026-01-03", "note": f"x{t}"}]),
            "$.co_medication[0].note",
        ),
        (
            lambda d, t: d.update(
                baselines=[{"date": "2026-01-03", "value": "80 umol/L", "reason": f"a{t}"}]
            ),
            "$.baselines[0].reason",
        ),
        (
            lambda d, t: d.update(
                target_trough={"low": "4 ug/L", "high": "10 ug/L", "source": f"ward{t}"}
            ),
            "$.target_trough.source",
        ),
    ],
)
def test_free_text_with_control_or_bidi_characters_is_refused(char, where, path):
    """Reasons, notes and sources printed raw (an ESC clears the terminal, U+202E reverses what
    follows); they are refused at their path, naming the character."""
    doc = good()
    where(doc, char)
    message = refusal(doc)
    assert path in message and f"U+{ord(char[0]):04X}" in message


def test_free_text_in_any_script_and_with_joiners_is_read():
    doc = good()
    doc["events"][0]["reason"] = "نفروتوکسی\u200cسیتی; Niere 👩\u200d⚕️ — ½ dose"
    record = read_patient(doc, protocol_for=load_protocol, today=TODAY)
    assert record.events[0].reason == doc["events"][0]["reason"]


def test_import_of_several_files_reports_a_file_that_crashed_and_imports_the_rest(tmp_path, capsys):
    """A 4,300-digit ratio in the second of three files stopped `import` with a traceback:
    the first was imported, the third never read, no refusal printed."""
    first, third = good(), good()
    third["patient"]["id"] = "H124"
    (tmp_path / "1.json").write_text(json.dumps(first), encoding="utf-8")
    (tmp_path / "2.json").write_text(
        json.dumps(with_switch(1)).replace('"ratio": 1', '"ratio": ' + "9" * 4300),
        encoding="utf-8",
    )
    (tmp_path / "3.json").write_text(json.dumps(third), encoding="utf-8")
    code = main(
        ["--data-dir", str(tmp_path / "d"), "import", *(str(tmp_path / f"{n}.json") for n in "123")]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "imported H123" in out and "imported H124" in out
    assert err.count("\n") == 1 and "1 file(s) not imported" in err and "2.json" in err
    assert "$.events[1].ratio" in err


def test_the_example_still_reads_whole():
    """The bounds refuse nothing the documented example holds."""
    doc = copy.deepcopy(good())
    record = read_patient(doc, protocol_for=load_protocol, today=TODAY)
    assert (record.patient.id, len(record.observations)) == ("H123", 4)


def test_an_event_without_its_kind_is_refused_as_missing():
    """Found by the fuzz corpus: the refusal of a missing kind was taken for an unknown one,
    whose message read the missing member again: a KeyError traceback."""
    doc = good()
    del doc["events"][0]["kind"]
    message = refusal(doc)
    assert "$.events[0].kind" in message and "missing" in message
