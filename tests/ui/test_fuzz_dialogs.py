"""Fuzzing the window's fields (issue 12): whatever is typed into the quick-entry row (date,
times, trough, creatinine, BP), the regimen calculator (weight, rate, dose, start date) and the
new-patient dialog, then Enter, Add, Apply or Save: no exception escapes a slot, the store only
ever holds values within the bounds of R12, and every refusal shown is one line naming its
field. A bounded, derandomized run (a few hundred examples in a few seconds)."""

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_outcome
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMessageBox

from tacrocalc.domain.course import EventKind
from tacrocalc.domain.dosing import check_weight
from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
from tacrocalc.domain.validation import (
    ID_MAX_LENGTH,
    NAME_MAX_LENGTH,
    check_birth_date,
    check_blood_pressure,
    check_creatinine,
    check_date,
    check_dose,
    check_label,
    check_trough,
)
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.ui.dialogs import PatientDialog
from tacrocalc.ui.none_guard import keep_none_alive
from tests.fuzz_inputs import AWKWARD, DATES, NUMBERS, QUANTITIES, TEXT, TIMES
from tests.ui.test_main_window import TODAY, new_patient

pytestmark = pytest.mark.qt_log_ignore("does not support raise")  # a tooltip, offscreen

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as a ward computer can put into a field: typed, pasted (control and bidirectional
# characters, huge numbers), odd units, nothing at all.
ODD = st.sampled_from(
    ["", " ", "<", "<2", "<0.00001 ug/L", "9" * 400, "1e308", "1e-308", "-0", "nan", "inf"]
)
ODD_UNITS = st.builds(
    lambda n, u: f"{n} {u}",
    NUMBERS,
    st.sampled_from(["parsecs", "mg/kg/day/day", "µ", "kg kg", "ng/mL/min", "%", "°C", "mmHg/"]),
)
FIELD_TEXT = st.one_of(
    QUANTITIES,
    ODD,
    ODD_UNITS,
    st.builds(lambda a, b: a + b, QUANTITIES, st.lists(AWKWARD, max_size=2).map("".join)),
)
# Numbers on and beside the bounds of R12 (trough 0.5-200 µg/L, creatinine 10-2000 µmol/L,
# weight 10-300 kg, BP 50-300/20-200 mmHg) and of a dose (up to 100 mg), so that many entries
# are saved and the store's bounds are tested from both sides.
EDGES = st.one_of(
    st.sampled_from(
        ["0.5", "0.49", "200", "200.1", "10", "9.99", "2000", "2001", "300", "300.5", "100", "0,1"]
    ),
    st.decimals(min_value=0, max_value=2100, places=2).map(str),
)
RECENT = st.integers(min_value=0, max_value=400).map(lambda d: (TODAY - timedelta(d)).isoformat())
PRESSURES = st.one_of(
    st.just(""),
    st.builds(lambda s, d, sep: f"{s}{sep}{d}", EDGES, EDGES, st.sampled_from(["/", " / "])),
    st.builds(lambda s, d, sep: f"{s}{sep}{d}", NUMBERS, NUMBERS, st.sampled_from(["/", " / "])),
    FIELD_TEXT,
)
VALUES = st.one_of(st.just(""), EDGES, FIELD_TEXT)
EDGE_TROUGHS = st.one_of(
    st.sampled_from(["", "0.5", "4.5", "8", "200", "<2", "6 ng/mL", "9,5"]), EDGES.map("<{}".format)
)
EDGE_CREATININES = st.one_of(st.sampled_from(["", "10", "80", "2000", "1.1 mg/dL"]), EDGES)
EDGE_PRESSURES = st.one_of(
    st.sampled_from(["", "120/80", "300/200", "50/20", "80/80", "181/111"]),
    st.builds(lambda s, d: f"{s}/{d}", EDGES, EDGES),
)
EDGE_CLOCKS = st.sampled_from(["", "08:00", "8", "20:00", "23:59"])
WEIGHTS = st.one_of(st.sampled_from(["60", "72.5", "10", "300", "45 kg", "165 lb", "9.9"]), EDGES)
DOSES = st.one_of(st.sampled_from(["3", "0.5", "100", "5 mg", "100.5", "0"]), EDGES)
RATES = ["0.1", "0.05", "0.3", "0.31", "0,2", "0.075"]
BIRTHS = ["1980-01-01", "2020-06-30", "1901-01-21", "1900-01-01", TODAY.isoformat()]
CLOCKS = st.one_of(TIMES, TEXT, ODD)


def put(edit: QLineEdit, text: str) -> None:
    """Replace a field's text as a paste does (textEdited is emitted, as for typing). Each
    Qt call costs the binding a reference to None on Python 3.11: topped up as the window
    does (none_guard)."""
    keep_none_alive()
    edit.selectAll()
    edit.del_()
    edit.insert(text)


def shown_lines(label: QLabel) -> list[str]:
    return label.text().split("\n") if label.isVisible() and label.text() else []


def assert_one_line_each(lines: list[str], fields: tuple[str, ...]) -> None:
    """Each refusal shown is one line, naming its field, with nothing that breaks or reorders
    the line (a control, line-separator or bidirectional character brought by the value)."""
    for line in lines:
        assert line.strip(), lines
        assert any(f in line.lower() for f in fields), line
        odd = [c for c in line if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
        assert odd == [], line


def stored(store) -> int:
    """How many values the store holds: patients, results, weights, course events."""
    total = 0
    for summary in store.list_patients():
        record = store.load(summary.id)
        assert record is not None
        total += 1 + len(record.observations) + len(record.weights) + len(record.events)
    return total


def assert_store_within_bounds(store, before: int) -> None:
    """Every value in the store lies within R12, whatever reached the fields."""
    note_outcome("saved" if stored(store) > before else "refused")  # --hypothesis-show-statistics
    for summary in store.list_patients():
        record = store.load(summary.id)
        assert record is not None
        protocol = load_protocol(record.protocol_id)
        patient = record.patient
        for text, field, longest in (
            (patient.id, "id", ID_MAX_LENGTH),
            (patient.name, "name", NAME_MAX_LENGTH),
        ):
            assert not check_label(text, field=field, max_length=longest), repr(text)
        birth = patient.birth_date
        if birth is not None:
            assert not check_birth_date(birth, today=TODAY, protocol=protocol)
        for observation in record.observations:
            assert not check_date(observation.date, today=TODAY, birth_date=birth, field="date")
            if isinstance(observation, Trough) and not observation.below_limit:
                assert not check_trough(observation.value, protocol), observation
            elif isinstance(observation, Creatinine):
                assert not check_creatinine(observation.value, protocol), observation
            elif isinstance(observation, BloodPressure):
                issues = check_blood_pressure(observation.systolic, observation.diastolic, protocol)
                assert not issues, observation
        for weight in record.weights:
            assert not [i for i in check_weight(weight.value, protocol) if i.refuses], weight
        for event in record.events:
            assert event.date <= TODAY
            if event.kind not in (EventKind.HOLD, EventKind.STOP) and event.dose is not None:
                assert not check_dose(event.dose, protocol), event


@pytest.fixture
def view(qtbot, window, store, monkeypatch):
    monkeypatch.setattr(  # a switch asks to confirm: yes
        QMessageBox, "question", lambda *_args, **_kw: QMessageBox.StandardButton.Yes
    )
    return new_patient(window, store)


ENTRY_FIELDS = ("trough", "creatinine", "blood pressure", "time", "last dose", "date")


@FUZZ
@given(data=st.data(), tame=st.booleans(), add=st.booleans())
def test_whatever_is_typed_in_the_entry_row_is_saved_within_bounds_or_refused_in_a_line(
    qtbot, view, store, data, tame, add
):
    """Half the examples `tame` (values near the bounds, so that many are saved), half wild."""
    day = data.draw(RECENT if tame else st.one_of(RECENT, DATES), "date")
    at = data.draw(EDGE_CLOCKS if tame else CLOCKS, "time")
    last_dose = data.draw(EDGE_CLOCKS if tame else CLOCKS, "last dose")
    trough = data.draw(EDGE_TROUGHS if tame else VALUES, "trough")
    creatinine = data.draw(EDGE_CREATININES if tame else VALUES, "creatinine")
    bp = data.draw(EDGE_PRESSURES if tame else PRESSURES, "BP")
    before = stored(store)
    with qtbot.capture_exceptions() as raised:
        put(view.date_edit.line_edit, day)
        for edit, text in (
            (view.time_edit, at),
            (view.last_dose_edit, last_dose),
            (view.trough_edit, trough),
            (view.creatinine_edit, creatinine),
            (view.bp_edit, bp),
        ):
            put(edit, text)
        if add:
            qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert raised == []
    assert_one_line_each(shown_lines(view.entry_error), ENTRY_FIELDS)
    assert_store_within_bounds(store, before)


CALCULATOR_FIELDS = ("weight", "rate", "dose", "from", "start", "date")


@FUZZ
@given(data=st.data(), tame=st.booleans(), by_dose=st.booleans(), apply=st.booleans())
def test_whatever_is_typed_in_the_calculator_is_applied_within_bounds_or_refused_in_a_line(
    qtbot, view, store, data, tame, by_dose, apply
):
    weight = data.draw(WEIGHTS if tame else VALUES, "weight")
    rate = data.draw(st.sampled_from(RATES) if tame else st.one_of(EDGES, VALUES), "rate")
    dose = data.draw(DOSES if tame else VALUES, "dose")
    start = data.draw(RECENT if tame else st.one_of(RECENT, DATES), "from")
    calculator = view.calculator
    before = stored(store)
    with qtbot.capture_exceptions() as raised:
        put(calculator.weight_edit, weight)
        put(calculator.rate_edit, rate)
        if by_dose:
            put(calculator.dose_edit, dose)
        put(view.start_edit.line_edit, start)
        if apply:
            qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert raised == []
    for label in (calculator.weight_error, calculator.rate_error, calculator.dose_error):
        assert len(shown_lines(label)) <= 1
        assert_one_line_each(shown_lines(label), CALCULATOR_FIELDS)
    assert_one_line_each(
        [line for line in view.apply_error.text().split("\n") if line], CALCULATOR_FIELDS
    )
    assert_store_within_bounds(store, before)


DIALOG_FIELDS = ("patient id", "name", "date of birth", "sex", "range", "source", "already here")


@FUZZ
@given(data=st.data(), tame=st.booleans(), sex=st.integers(min_value=-1, max_value=2))
def test_whatever_is_typed_in_the_new_patient_dialog_is_saved_within_bounds_or_refused(
    qtbot, window, store, monkeypatch, data, tame, sex
):
    wild_id = st.one_of(TEXT, st.sampled_from(["", "H1", "x" * 41, "A\u202eB", "tab\tid"]))
    pid = data.draw(st.from_regex(r"\A[A-Z]{1,3}[0-9]{1,6}\Z") if tame else wild_id, "id")
    name = data.draw(st.just("A Person") if tame else st.one_of(TEXT, st.just("n" * 201)), "name")
    birth = data.draw(
        st.sampled_from(BIRTHS) if tame else st.one_of(st.sampled_from(BIRTHS), DATES), "birth"
    )
    low = data.draw(st.one_of(st.just(""), EDGES) if tame else VALUES, "low")
    high = data.draw(st.one_of(st.just(""), EDGES) if tame else VALUES, "high")
    source = data.draw(st.just("") if tame else st.one_of(TEXT, st.just("s" * 2001)), "source")
    shown: list[list[str]] = []

    def fill_and_save(dialog: PatientDialog) -> int:
        if shown:  # the second time round the loop: the user cancels
            return QDialog.DialogCode.Rejected
        for edit, text in (
            (dialog.id_edit, pid),
            (dialog.name_edit, name),
            (dialog.birth_edit.line_edit, birth),
            (dialog.low_edit, low),
            (dialog.high_edit, high),
            (dialog.source_edit, source),
        ):
            put(edit, text)
        dialog.sex_combo.setCurrentIndex(sex)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        shown.append([line for line in dialog.error_label.text().split("\n") if line])
        return dialog.result()

    monkeypatch.setattr(PatientDialog, "exec", fill_and_save)
    before = stored(store)
    with qtbot.capture_exceptions() as raised:
        window.new_patient()
    assert raised == []
    for lines in shown:
        assert_one_line_each(lines, DIALOG_FIELDS)
    assert_store_within_bounds(store, before)


def test_the_fuzzing_reaches_the_store(qtbot, view, store):
    """The fields above are the ones a saved entry comes from (the property is not vacuous)."""
    put(view.date_edit.line_edit, date(2026, 1, 19).isoformat())
    put(view.trough_edit, "8.1")
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    record = store.load("H1")
    assert record is not None
    assert [t.value.magnitude for t in record.troughs()] == [8.1]


@pytest.mark.parametrize(
    ("field", "text", "shown"),
    [
        ("date_edit", "0\n0", 'Date of the results: "0\\n0" is not a date;'),
        ("time_edit", "8\u202e", 'time: "8\\u202e" is not a time;'),
        ("trough_edit", "8\x1b[2J", 'trough: "8\\x1b[2J" is not in a unit'),
    ],
)
def test_a_refused_value_is_shown_back_on_one_line_as_typed_with_escapes(
    qtbot, view, field, text, shown
):
    """What the fuzzing found: a newline, ESC or right-to-left override typed or pasted into a
    field came back raw inside its refusal, breaking it onto two lines or reordering it."""
    put(view.date_edit.line_edit, "2026-01-19")
    edit = getattr(view, field)
    put(getattr(edit, "line_edit", edit), text)
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert view.entry_error.text().startswith(shown)
    assert "\n" not in view.entry_error.text()


def test_a_refused_weight_in_the_calculator_is_shown_with_its_hidden_character(view):
    put(view.calculator.weight_edit, "6\u200b0")
    assert view.calculator.weight_error.text().startswith('weight: "6\\u200b0" is not')
