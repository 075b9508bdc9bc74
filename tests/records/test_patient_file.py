"""The patient file: the documented example, lossless round trips, refusals with JSON paths."""

import copy
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tacrocalc.domain.dosing import switch_ratio
from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.units import magnitude
from tacrocalc.records.patient_file import PatientFileError, dumps, loads, read_patient
from tacrocalc.records.protocol_files import load_protocol
from tests import shown
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
        (("version",), 3, "$.version", IssueCode.BAD_PATIENT_FILE),
        (("version",), True, "$.version", IssueCode.BAD_PATIENT_FILE),
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
        # R2.2 applies to version 1 files too
        (
            ("regimens", 0, "times"),
            ["08:00", "08:00"],
            "$.regimens[0].times",
            IssueCode.DOSE_TIMES_NOT_12_HOURS,
        ),
        (("regimens", 0, "times"), ["08:00", "21:00"], None, None),  # 13 hours: accepted
        # R12.8: a start in the future
        (("regimens", 0, "start"), "2026-06-02", "$.regimens[0].start", IssueCode.DATE_IN_FUTURE),
        (("events",), [], "$.events", IssueCode.BAD_PATIENT_FILE),  # not in version 1
        (("baselines",), [], "$.baselines", IssueCode.BAD_PATIENT_FILE),
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
    issue = raised.value.issue
    assert (issue.code, issue.field) == (IssueCode.UNREADABLE_FILE, "patient file")
    assert "line 1 column 12" in issue.param("reason")


# -- version 2: the treatment course (R15) and baselines (R6.5) ----------------------------

EXAMPLE_V2 = {
    **{k: v for k, v in EXAMPLE.items() if k != "regimens"},
    "version": 2,
    "events": [
        {
            "date": "2026-01-05",
            "kind": "start",
            "formulation": "ir-capsule",
            "dose": "3 mg",
            "times": ["08:00", "20:00"],
            "recorded_by": "dr.a",
        },
        {
            "date": "2026-02-02",
            "time": "09:00",
            "kind": "hold",
            "reason": "creatinine rise",
            "resume_on": "2026-02-09",
        },
        {"date": "2026-02-09", "kind": "resume"},  # at the dose before the hold
        {
            "date": "2026-03-02",
            "kind": "switch",
            "formulation": "advagraf",
            "dose": "6 mg",
            "ratio": 1,
            "reason": "adherence",
        },
        {"date": "2026-04-01", "kind": "stop", "reason": "nephrotoxicity"},
        {"date": "2026-05-04", "kind": "restart", "dose": "3 mg"},
    ],
    "baselines": [{"date": "2026-04-20", "value": "95 umol/L", "reason": "after the stop"}],
}


def test_reads_a_version_2_course_completing_what_an_event_leaves_out():
    """R15.1: a resume keeps product, dose and times; a restart keeps product and times; a
    switch to a once-daily product takes the protocol's morning time (R2.3)."""
    record = read(EXAMPLE_V2)
    kinds = [(e.kind.value, e.date.isoformat()) for e in record.events]
    assert kinds == [
        ("start", "2026-01-05"),
        ("hold", "2026-02-02"),
        ("resume", "2026-02-09"),
        ("switch", "2026-03-02"),
        ("stop", "2026-04-01"),
        ("restart", "2026-05-04"),
    ]
    resume, switch, restart = record.events[2], record.events[3], record.events[5]
    assert (resume.formulation.value, magnitude(resume.dose, "mg")) == ("ir-capsule", 3)
    assert [t.hour for t in resume.times] == [8, 20]
    assert [t.hour for t in switch.times] == [8] and switch.ratio == 1.0
    assert (restart.formulation.value, magnitude(restart.dose, "mg")) == ("advagraf", 3)
    assert record.events[1].resume_on == date(2026, 2, 9)
    assert record.events[0].recorded_by == "dr.a"
    assert record.baselines[0].reason == "after the stop"
    assert magnitude(record.baselines[0].value, "umol/L") == 95


def test_version_2_write_then_read_is_the_identity():
    record = read(EXAMPLE_V2)
    text = dumps(record)
    doc = json.loads(text)
    assert doc["version"] == 2 and "regimens" not in doc
    assert doc["events"][2] == {
        "date": "2026-02-09",
        "kind": "resume",
        "formulation": "ir-capsule",
        "dose": "3 mg",
        "times": ["08:00", "20:00"],
    }
    assert doc["events"][1] == {
        "date": "2026-02-02",
        "time": "09:00",
        "kind": "hold",
        "reason": "creatinine rise",
        "resume_on": "2026-02-09",
    }
    assert doc["baselines"] == EXAMPLE_V2["baselines"]
    again = loads(text, protocol_for=load_protocol, today=TODAY)
    assert again == record
    assert dumps(again) == text


def test_a_version_1_file_reads_into_the_record_its_version_2_export_reads_into():
    """Regimens become a start, then a dose change (same product) or a switch (another)."""
    doc = copy.deepcopy(EXAMPLE)
    doc["regimens"] = [
        # listed out of date order on purpose
        {"start": "2026-03-02", "formulation": "advagraf", "dose": "8 mg", "times": ["08:00"]},
        {"start": "2026-01-05", "formulation": "ir-capsule", "dose": "3 mg"},
        {
            "start": "2026-02-02",
            "formulation": "ir-capsule",
            "dose": "4 mg",
            "times": ["09:00", "21:00"],
        },
    ]
    v1 = read(doc)
    assert [e.kind.value for e in v1.events] == ["start", "change", "switch"]
    assert [magnitude(r.dose, "mg") for r in v1.regimens] == [3, 4, 8]
    text = dumps(v1)
    assert json.loads(text)["version"] == 2
    v2 = loads(text, protocol_for=load_protocol, today=TODAY)
    assert v2 == v1
    assert dumps(v2) == text


def _v2_with(index, **members):
    doc = copy.deepcopy(EXAMPLE_V2)
    for key, value in members.items():
        if value is ...:
            del doc["events"][index][key]
        else:
            doc["events"][index][key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "json_path", "code", "value"),
    [
        # R12.8: in the future, before birth
        (
            _v2_with(5, date="2026-06-02"),
            "$.events[5].date",
            IssueCode.DATE_IN_FUTURE,
            "2026-06-02",
        ),
        (
            _v2_with(0, date="1990-01-01"),
            "$.events[0].date",
            IssueCode.DATE_BEFORE_BIRTH,
            "1990-01-01",
        ),
        # R15.1: a resume needs a hold (the hold is now a stop), a restart a stop
        (
            _v2_with(1, kind="stop", resume_on=...),
            "$.events[2].kind",
            IssueCode.EVENT_NOT_POSSIBLE,
            "resume",
        ),
        (_v2_with(4, kind="hold"), "$.events[5].kind", IssueCode.EVENT_NOT_POSSIBLE, "restart"),
        # R12.8: two events on one date without times to order them
        (
            _v2_with(2, date="2026-01-05"),
            "$.events[2].date",
            IssueCode.EVENTS_SAME_DAY,
            "2026-01-05",
        ),
        # R3.1, R2.2, R10.1 on the completed event
        (_v2_with(0, dose="3.3 mg"), "$.events[0].dose", IssueCode.NOT_DISPENSABLE, "3.3 mg"),
        (_v2_with(5, dose="0 mg"), "$.events[5].dose", IssueCode.RATE_NOT_POSITIVE, "0 mg"),
        (
            _v2_with(0, times=["08:00", "08:00"]),
            "$.events[0].times",
            IssueCode.DOSE_TIMES_NOT_12_HOURS,
            "08:00, 08:00",
        ),
        (
            _v2_with(3, formulation="ir-capsule"),
            "$.events[3].kind",
            IssueCode.SWITCH_SAME_PRODUCT,
            "ir-capsule",
        ),
        (_v2_with(0, formulation=...), "$.events[0].dose", IssueCode.MISSING_VALUE, ""),
        # the file itself
        (_v2_with(0, kind="pause"), "$.events[0].kind", IssueCode.BAD_PATIENT_FILE, "pause"),
        (_v2_with(1, dose="3 mg"), "$.events[1].dose", IssueCode.BAD_PATIENT_FILE, "3 mg"),
        (_v2_with(0, ratio=0.7), "$.events[0].ratio", IssueCode.BAD_PATIENT_FILE, "0.7"),
        (_v2_with(3, ratio=0), "$.events[3].ratio", IssueCode.BAD_PATIENT_FILE, "0"),
        (
            _v2_with(1, resume_on="2026-02-01"),
            "$.events[1].resume_on",
            IssueCode.BAD_PATIENT_FILE,
            "2026-02-01",
        ),
        (_v2_with(0, time="8am"), "$.events[0].time", IssueCode.BAD_PATIENT_FILE, "8am"),
        (_v2_with(0, reason=3), "$.events[0].reason", IssueCode.BAD_PATIENT_FILE, "3"),
        (
            _v2_with(0, formulation="xl"),
            "$.events[0].formulation",
            IssueCode.BAD_PATIENT_FILE,
            "xl",
        ),
        (
            {**EXAMPLE_V2, "regimens": EXAMPLE["regimens"]},
            "$.regimens",
            IssueCode.BAD_PATIENT_FILE,
            None,
        ),
        (
            {
                **EXAMPLE_V2,
                "baselines": [{"date": "2026-04-20", "value": "5 umol/L", "reason": "x"}],
            },
            "$.baselines[0].value",
            IssueCode.OUT_OF_BOUNDS,
            None,
        ),
        (
            {
                **EXAMPLE_V2,
                "baselines": [{"date": "2026-04-20", "value": "95 umol/L", "reason": " "}],
            },
            "$.baselines[0].reason",
            IssueCode.BAD_PATIENT_FILE,
            None,
        ),
        (
            {
                **EXAMPLE_V2,
                "baselines": [{"date": "2027-01-01", "value": "95 umol/L", "reason": "x"}],
            },
            "$.baselines[0].date",
            IssueCode.DATE_IN_FUTURE,
            None,
        ),
    ],
)
def test_a_version_2_course_that_makes_no_sense_is_refused_at_its_json_path(
    doc, json_path, code, value
):
    with pytest.raises(PatientFileError) as raised:
        read(doc)
    assert raised.value.issue.field == json_path
    assert raised.value.issue.code is code
    if value is not None:
        assert shown(raised.value.issue.value) == value


def test_two_events_on_one_date_with_times_are_accepted():
    doc = _v2_with(2, date="2026-02-02", time="18:00")
    record = read(doc)
    assert [e.kind.value for e in record.events][1:3] == ["hold", "resume"]


# -- property: any sensible course survives a file and a store ------------------------------

BID = ("08:00", "20:00")
PRODUCTS = {  # doses each product makes up (R3.1), its times (R2.2, R2.3)
    "ir-capsule": ([0.5 * k for k in range(1, 21)], [BID, ("09:00", "21:00")]),
    "granules": ([round(0.2 * k, 1) for k in range(1, 26)], [BID]),
    "advagraf": ([0.5 * k for k in range(1, 21)], [("08:00",)]),
}
WHO = ["", "dr.a", "Zoë Ångström"]
SEED = load_protocol("seed-1997")


@st.composite
def courses(draw):
    """A course that makes sense (R15.1): each event one the status before it allows."""
    day = date(2020, 1, 1)
    events = []
    status, product, dose = "none", None, None
    for _ in range(draw(st.integers(1, 8))):
        allowed = {
            "none": ["start"],
            "on": ["change", "switch", "hold", "stop"],
            "held": ["resume", "stop"],
            "stopped": ["restart"],
        }[status]
        kind = draw(st.sampled_from(allowed))
        day = day + timedelta(days=draw(st.integers(1, 90)))
        item = {"date": day.isoformat(), "kind": kind}
        if draw(st.booleans()):
            item["time"] = draw(st.sampled_from(["07:30", "12:00", "18:45"]))
        if kind in ("start", "switch", "restart") or (kind == "resume" and draw(st.booleans())):
            if kind == "switch":
                before = product
                product = draw(st.sampled_from(sorted(set(PRODUCTS) - {product})))
            elif kind in ("start", "restart"):
                product = draw(st.sampled_from(sorted(PRODUCTS)))
            doses, times = PRODUCTS[product]
            dose = draw(st.sampled_from(doses))
            item.update(
                formulation=product, dose=f"{dose:g} mg", times=list(draw(st.sampled_from(times)))
            )
        elif kind == "change":
            doses, times = PRODUCTS[product]
            dose = draw(st.sampled_from([d for d in doses if d != dose]))
            item.update(formulation=product, dose=f"{dose:g} mg", times=list(times[0]))
        if kind == "switch" and draw(st.booleans()):  # the ratio R10 gives for it (R10.1)
            ratio = switch_ratio(FormulationId(before), FormulationId(product), SEED)
            if ratio is not None:
                item["ratio"] = float(ratio)
        if kind == "hold" and draw(st.booleans()):
            item["resume_on"] = (day + timedelta(days=7)).isoformat()
        if kind in ("hold", "stop", "change") and draw(st.booleans()):
            item["reason"] = draw(st.sampled_from(["nephrotoxicity", "hypertension", "trough 14"]))
        if who := draw(st.sampled_from(WHO)):
            item["recorded_by"] = who
        events.append(item)
        status = {"hold": "held", "stop": "stopped"}.get(kind, "on")
    return {**{k: v for k, v in EXAMPLE_V2.items() if k != "baselines"}, "events": events}


@settings(max_examples=60)
@given(courses())
def test_any_sensible_course_reads_writes_and_reads_again_the_same(doc):
    record = read(doc)
    assert len(record.events) == len(doc["events"])
    text = dumps(record)
    again = loads(text, protocol_for=load_protocol, today=TODAY)
    assert again == record
    assert dumps(again) == text
