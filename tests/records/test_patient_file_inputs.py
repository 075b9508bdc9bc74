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


def with_switch(ratio: object, *, to="advagraf", dose="6 mg", first=None) -> dict:
    """The example (Prograf capsules 3 mg every 12 hours from 2026-01-05, or `first`'s product
    and dose), switched on 2026-02-01 to `to` at `dose` once daily with `ratio`."""
    doc = good()
    if first is not None:
        doc["events"][0].update(formulation=first[0], dose=first[1], times=["08:00"])
    doc["events"].append(
        {"date": "2026-02-01", "kind": "switch", "formulation": to, "dose": dose, "ratio": ratio}
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


@pytest.mark.parametrize("ratio", ["9" * 4300, "1e400", "1e300", "0", "-1"])
def test_a_switch_ratio_that_is_no_ratio_is_refused(ratio):
    """A 4,300-digit ratio ended in an OverflowError traceback; 1e400 was stored as infinity
    and 1e300 as it was."""
    text = json.dumps(with_switch(1)).replace('"ratio": 1', f'"ratio": {ratio}')
    with pytest.raises(PatientFileError) as raised:
        patient_file.loads(text, protocol_for=load_protocol, today=TODAY)
    message = said(raised.value)
    assert "$.events[1].ratio" in message and "a number above 0, such as 0.7" in message
    assert len(message) < 300  # the number is not printed back whole


@pytest.mark.parametrize("ratio", ["0.7", True, [0.7], None])
def test_a_switch_ratio_that_is_not_a_number_is_refused(ratio):
    doc = with_switch(ratio)
    if ratio is None:
        doc["events"][-1]["ratio"] = {"value": 0.7}
    message = refusal(doc)
    assert "$.events[1].ratio" in message and "a conversion ratio of R10" in message


ENVARSUS = ("envarsus", "4 mg")  # once daily
ADVAGRAF = ("advagraf", "6 mg")  # once daily


@pytest.mark.parametrize(
    ("protocol", "first", "to", "dose", "ratio"),
    [
        ("seed-1997", None, "advagraf", "6 mg", 1),  # R10.2
        ("seed-1997", None, "envarsus", "4 mg", 0.7),  # R10.3, EU
        ("prograf-us-kidney-mmf", None, "envarsus", "4.75 mg", 0.8),  # R10.3, US
        ("seed-1997", ADVAGRAF, "envarsus", "4 mg", 0.7),  # R10.3
        ("seed-1997", ENVARSUS, "ir-capsule", "3 mg", 1 / 0.7),  # R10.4: the inverse, back
        ("seed-1997", ENVARSUS, "ir-capsule", "3 mg", 1.43),  # written to two decimals
        ("prograf-us-kidney-mmf", ENVARSUS, "ir-capsule", "2.5 mg", 1.25),  # 1/0.8
        ("seed-1997", ADVAGRAF, "ir-capsule", "3 mg", 1),  # R10.4
    ],
)
def test_a_switch_ratio_r10_gives_for_that_switch_is_read(protocol, first, to, dose, ratio):
    doc = with_switch(ratio, to=to, dose=dose, first=first)
    doc["protocol"] = protocol
    record = read_patient(doc, protocol_for=load_protocol, today=TODAY)
    assert record.events[-1].ratio == ratio


@pytest.mark.parametrize(
    ("protocol", "first", "to", "dose", "ratio", "expected"),
    [
        # any R10 ratio was read for any switch: 0.7 (Envarsus) for a switch to Advagraf
        (
            "seed-1997",
            None,
            "advagraf",
            "6 mg",
            0.7,
            "to Advagraf prolonged-release capsules (once daily): R10 gives 1 for",
        ),
        # the inverse of the Envarsus ratio is for the switch back, not the switch there
        ("seed-1997", None, "envarsus", "4 mg", 1 / 0.7, "to Envarsus"),
        # the other region's ratio
        ("prograf-us-kidney-mmf", None, "envarsus", "4.75 mg", 0.7, "R10 gives 0.8"),
        ("seed-1997", None, "envarsus", "4 mg", 0.8, "R10 gives 0.7 for"),
        # back to capsules from Envarsus is at the inverse (1/0.7), not the ratio there
        ("seed-1997", ENVARSUS, "ir-capsule", "3 mg", 0.7, "R10 gives 1.43 for"),
        ("seed-1997", ENVARSUS, "ir-capsule", "3 mg", 1.4, "R10 gives 1.43 for"),
    ],
)
def test_a_switch_ratio_other_than_r10_gives_for_that_switch_is_refused(
    protocol, first, to, dose, ratio, expected
):
    """R10.1, R12.7: the ratio recorded with a switch is the one R10 gives from the product
    before to the product after, worked out as the window and `switch` work it out; the
    refusal names the field, the value and the ratio expected."""
    doc = with_switch(ratio, to=to, dose=dose, first=first)
    doc["protocol"] = protocol
    message = refusal(doc)
    assert message.startswith(f"$.events[1].ratio: {ratio:g} is not the conversion ratio")
    assert expected in message and "(R10.1)" in message


def test_a_switch_ratio_where_r10_gives_no_conversion_is_refused():
    """Envarsus to Advagraf: R10 has no conversion, so no ratio can be recorded for it."""
    doc = with_switch(0.7, to="advagraf", dose="6 mg", first=ENVARSUS)
    message = refusal(doc)
    assert message.startswith("$.events[1].ratio: the switch envarsus → advagraf has no")


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


def test_a_result_below_a_limit_no_assay_has_is_refused_saying_so():
    """R12.2: "<0.3 ug/L" was told to be entered "as below the assay's limit", which it was."""
    doc = good()
    at = next(i for i, o in enumerate(doc["observations"]) if o["kind"] == "trough")
    doc["observations"][at]["value"] = "<0.3 ug/L"
    assert refusal(doc) == (
        f"$.observations[{at}].value: <0.3 µg/L: no assay has a limit below 0.5 µg/L; enter the"
        ' limit the laboratory reports, such as "<2 ug/L" (R12.2).'
    )
