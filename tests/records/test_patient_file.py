"""The patient file: the documented example, lossless round trips, refusals with JSON paths."""

import copy
import json
from datetime import date

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.units import magnitude
from tacrocalc.protocols import load_protocol
from tacrocalc.records.patient_file import PatientFileError, dumps, loads, read_patient
from tests.seed_cases import case_1, case_2, case_3

TODAY = date(2026, 6, 1)

EXAMPLE = {
    "format": "tacrocalc.patient",
    "version": 1,
    "patient": {
        "id": "H123",
        "name": "A Person",
        "birth_date": "1990-02-01",
        "sex": "F",
        "prior_ciclosporin_nephrotoxicity": False,
    },
    "protocol": "seed-1997",
    "weights": [{"date": "2026-01-05", "value": "60 kg"}],
    "regimens": [
        {
            "start": "2026-01-05",
            "formulation": "ir-capsule",
            "dose": "3 mg",
            "times": ["08:00", "20:00"],
        }
    ],
    "observations": [
        {
            "date": "2026-01-14",
            "time": "08:00",
            "kind": "trough",
            "value": "8.1 ug/L",
            "last_dose_time": "20:00",
        },
        {"date": "2026-01-14", "kind": "creatinine", "value": "85 umol/L"},
        {"date": "2026-01-14", "kind": "blood_pressure", "value": "150/95 mmHg"},
    ],
}


def read(doc):
    return read_patient(doc, protocol_for=load_protocol, today=TODAY)


def test_reads_the_documented_example():
    record = read(EXAMPLE)
    assert record.patient.name == "A Person"
    assert magnitude(record.weights[0].value, "kg") == 60
    assert magnitude(record.regimens[0].dose, "mg") == 3
    trough = record.troughs()[0]
    assert (magnitude(trough.value, "ug/L"), trough.last_dose_time.hour) == (8.1, 20)
    bp = record.blood_pressures()[0]
    assert (magnitude(bp.systolic, "mmHg"), magnitude(bp.diastolic, "mmHg")) == (150, 95)


def test_values_in_other_units_are_converted_on_reading():
    doc = copy.deepcopy(EXAMPLE)
    doc["weights"][0]["value"] = "132.277 lb"
    doc["observations"][0]["value"] = "10 nmol/L"
    doc["observations"][1]["value"] = "1.1 mg/dL"
    record = read(doc)
    # 132.277 lb × 0.45359237 kg/lb = 59.999838 kg
    assert magnitude(record.weights[0].value, "kg") == pytest.approx(59.9998379, abs=1e-7)
    assert magnitude(record.troughs()[0].value, "ug/L") == pytest.approx(8.0402)
    assert magnitude(record.creatinines()[0].value, "umol/L") == pytest.approx(97.2419, abs=1e-4)


@pytest.mark.parametrize("record", [case_1(), case_2(), case_3()], ids=["case1", "case2", "case3"])
def test_round_trip_is_lossless(record):
    text = dumps(record)
    again = loads(text, protocol_for=load_protocol, today=TODAY)
    assert again == record
    assert dumps(again) == text


def test_below_limit_and_target_override_round_trip():
    doc = copy.deepcopy(EXAMPLE)
    doc["observations"][0]["value"] = "<2 ug/L"
    doc["target_trough"] = {"low": "5 ug/L", "high": "10 ug/L", "source": "renal team, 2026"}
    record = read(doc)
    assert record.troughs()[0].below_limit
    assert record.target_trough.source == "renal team, 2026"
    assert json.loads(dumps(record))["observations"][2]["value"] == "<2 ug/L"
    assert loads(dumps(record), protocol_for=load_protocol, today=TODAY) == record


def _with(path, value):
    doc = copy.deepcopy(EXAMPLE)
    table = doc
    *parents, last = path
    for key in parents:
        table = table[key]
    if value is ...:
        del table[last]
    else:
        table[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "json_path", "code"),
    [
        (("format",), "other", "$.format", IssueCode.BAD_PATIENT_FILE),
        (("version",), 2, "$.version", IssueCode.BAD_PATIENT_FILE),
        (("patient", "id"), ..., "$.patient.id", IssueCode.BAD_PATIENT_FILE),
        (("patient", "sex"), "female", "$.patient.sex", IssueCode.BAD_PATIENT_FILE),
        (("protocol",), "no-such", "$.protocol", IssueCode.BAD_PATIENT_FILE),
        (("weights", 0, "value"), "60", "$.weights[0].value", IssueCode.MISSING_UNIT),
        (("weights", 0, "value"), "60 mg", "$.weights[0].value", IssueCode.WRONG_KIND_OF_UNIT),
        (("weights", 0, "value"), "400 kg", "$.weights[0].value", IssueCode.OUT_OF_BOUNDS),
        (
            ("regimens", 0, "formulation"),
            "xl",
            "$.regimens[0].formulation",
            IssueCode.BAD_PATIENT_FILE,
        ),
        (("regimens", 0, "dose"), "3000 ug", None, None),  # 3 mg: accepted
        (("regimens", 0, "dose"), "3.3 mg", "$.regimens[0].dose", IssueCode.NOT_DISPENSABLE),
        (("regimens", 0, "times"), ["08:00"], "$.regimens[0].times", IssueCode.BAD_PATIENT_FILE),
        (
            ("observations", 0, "value"),
            "300 ug/L",
            "$.observations[0].value",
            IssueCode.OUT_OF_BOUNDS,
        ),
        (("observations", 0, "time"), "8am", "$.observations[0].time", IssueCode.BAD_PATIENT_FILE),
        (
            ("observations", 1, "date"),
            "2026-02-30",
            "$.observations[1].date",
            IssueCode.BAD_PATIENT_FILE,
        ),
        (
            ("observations", 1, "date"),
            "2026-06-02",
            "$.observations[1].date",
            IssueCode.DATE_IN_FUTURE,
        ),
        (
            ("observations", 1, "date"),
            "1990-01-31",
            "$.observations[1].date",
            IssueCode.DATE_BEFORE_BIRTH,
        ),
        (
            ("observations", 1, "kind"),
            "potassium",
            "$.observations[1].kind",
            IssueCode.BAD_PATIENT_FILE,
        ),
        (
            ("observations", 2, "value"),
            "95/150 mmHg",
            "$.observations[2].value",
            IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC,
        ),
        (("observations", 2, "value"), 150, "$.observations[2].value", IssueCode.BAD_PATIENT_FILE),
    ],
)
def test_malformed_fields_are_refused_with_their_json_path(path, value, json_path, code):
    doc = _with(path, value)
    if json_path is None:
        read(doc)
        return
    with pytest.raises(PatientFileError) as raised:
        read(doc)
    assert raised.value.issue.field == json_path
    assert raised.value.issue.code is code


def test_not_json_names_line_and_column():
    with pytest.raises(PatientFileError) as raised:
        loads('{"format": ', protocol_for=load_protocol, today=TODAY)
    assert raised.value.issue.field == "$"
    assert "line 1 column 12" in raised.value.issue.value
