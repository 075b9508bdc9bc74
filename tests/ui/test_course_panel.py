"""The course panel driven like a doctor: recording a hold, a resume, a stop and a restart,
correcting and deleting an event with a reason, an interacting drug (R11) and a weight (R15.5),
dates typed as ISO or in the locale's short format and refused next to the panel when in the
future or before birth (R12.4, R12.8); asserting on what the panel shows and on what the store
then holds (R15)."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
)

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import CoMedicationChange, Patient, Sex, WeightEntry
from tacrocalc.domain.schedule import Phase
from tacrocalc.domain.units import magnitude, q
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.course_panel import CorrectDrugDialog, CoursePanel
from tacrocalc.ui.date_edit import DateEdit
from tacrocalc.ui.open_patient import OpenPatient
from tests.ui import paste, type_date
from tests.ui.conftest import TODAY

NOW = datetime(2026, 1, 20, 9, 30)  # the wall clock when an event of today is recorded
START, SWITCH = date(2025, 12, 1), date(2026, 1, 5)
BIRTH = date(1970, 3, 2)


def new_patient(store, pid="H1", name="Ann Lee"):
    store.save_patient(
        Patient(id=pid, name=name, birth_date=BIRTH, sex=Sex.FEMALE),
        protocol_id="seed-1997",
        today=TODAY,
    )


@pytest.fixture
def course(store):
    """Prograf capsules 3 mg every 12 hours from 2025-12-01 (worked out from 60 kg), switched
    to Envarsus 3 mg once daily on 2026-01-05."""
    new_patient(store)
    assert store.add_weight("H1", WeightEntry(date=START, value=q(60, "kg")), today=TODAY).ok
    for event in (
        CourseEvent(
            kind=EventKind.START,
            date=START,
            formulation=FormulationId.IR_CAPSULE,
            dose=q(3, "mg"),
            times=(time(8), time(20)),
            reason="lupus nephritis",
        ),
        CourseEvent(
            kind=EventKind.SWITCH,
            date=SWITCH,
            formulation=FormulationId.ENVARSUS,
            dose=q(3, "mg"),
            reason="once daily for adherence",
        ),
    ):
        assert store.add_event("H1", event, today=TODAY).ok
    return store


@pytest.fixture
def panel(qtbot, course):
    model = OpenPatient(lambda: course, load_protocol, lambda: TODAY)

    def words():
        assessment = model.assessment
        return Words(DisplayUnits(), assessment.protocol if assessment else None)

    widget = CoursePanel(model, lambda: TODAY, words, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(800, 460)
    widget.show()
    assert model.open("H1")
    return widget


def rows(panel):
    table = panel.course_table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def select(panel, what):
    """Select the first row (newest first) whose event starts with `what`."""
    index = next(i for i, row in enumerate(rows(panel)) if row[1].startswith(what))
    panel.course_table.selectRow(index)


def record(qtbot, panel, kind, *, day=TODAY, reason=""):
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(kind.value))
    type_date(qtbot, panel.event_date, day)
    if reason:
        qtbot.keyClicks(panel.reason_edit, reason)
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)


def kinds(store):
    return [e.kind.value for e in store.load("H1").events]


def test_the_course_is_listed_newest_first_with_dose_product_and_reason(panel):
    assert rows(panel) == [
        (
            "2026-01-05",
            "Switch (in force)",
            "3 mg once daily",
            "Envarsus prolonged-release tablets (once daily)",
            "once daily for adherence",
            panel._model.events[1][1].recorded_by,
        ),
        (
            "2025-12-01",
            "Start",
            "3 mg every 12 hours",
            "Immediate-release tacrolimus capsules (Prograf and generics)",
            "lupus nephritis",
            panel._model.events[0][1].recorded_by,
        ),
    ]
    assert panel.course_table.item(0, 1).font().bold()  # the event in force stands out
    assert not panel.course_table.item(1, 1).font().bold()
    assert not panel.correct_button.isEnabled()  # nothing selected: nothing to correct


def test_a_hold_with_a_planned_resume_then_the_resume(qtbot, panel, course):
    assert panel.kind_combo.currentText() == "Hold"  # on treatment: a hold is offered
    qtbot.mouseClick(panel.resume_check, Qt.MouseButton.LeftButton)
    type_date(qtbot, panel.resume_date, date(2026, 1, 27))  # a plan: after today is allowed
    assert panel.resume_date.understood_label.text() == "27 January 2026"
    record(qtbot, panel, EventKind.HOLD, day=date(2026, 1, 16), reason="pneumonia")
    assert panel.event_error.text() == ""
    hold = course.load("H1").events[-1]
    assert (hold.kind, hold.resume_on, hold.reason) == (
        EventKind.HOLD,
        date(2026, 1, 27),
        "pneumonia",
    )
    assert rows(panel)[0][:5] == (
        "2026-01-16",
        "Hold (in force)",
        "no doses",
        "",
        "pneumonia; resume planned 2026-01-27",
    )
    assert panel.reason_edit.text() == "" and not panel.resume_check.isChecked()
    assert panel.resume_date.text() == ""  # the plan was the hold's: not offered again
    assert panel.kind_combo.currentText() == "Resume"  # held: a resume is offered next
    record(qtbot, panel, EventKind.RESUME, day=date(2026, 1, 19), reason="pneumonia treated")
    resume = course.load("H1").events[-1]
    assert resume.kind is EventKind.RESUME
    assert (resume.formulation, magnitude(resume.dose, "mg")) == (FormulationId.ENVARSUS, 3)
    assert rows(panel)[0][:4] == (
        "2026-01-19",
        "Resume (in force)",
        "3 mg once daily",
        "Envarsus prolonged-release tablets (once daily)",
    )


def test_a_resume_without_a_hold_is_refused_in_words_and_nothing_typed_is_lost(
    qtbot, panel, course
):
    changes = []
    panel._model.changed.connect(lambda: changes.append(True))
    record(qtbot, panel, EventKind.RESUME, reason="back from holiday")
    assert panel.event_error.text() == (
        "resume on 2026-01-20: a resume cannot be recorded there: tacrolimus is in progress"
        " on that date, and a resume needs a hold before it (R15.1)."
    )
    assert panel.reason_edit.text() == "back from holiday"
    assert panel.kind_combo.currentText() == "Resume"
    assert kinds(course) == ["start", "switch"] and changes == []


def test_a_stop_needs_its_reason_and_a_restart_gives_the_dose_before(qtbot, panel, course):
    record(qtbot, panel, EventKind.STOP, day=date(2026, 1, 18))
    assert "stop on 2026-01-18: reason: a stop needs its reason" in panel.event_error.text()
    assert kinds(course) == ["start", "switch"]
    qtbot.keyClicks(panel.reason_edit, "nephrotoxicity")
    qtbot.keyClick(panel.reason_edit, Qt.Key.Key_Return)  # Enter records, like the button
    assert panel.event_error.text() == ""
    assert rows(panel)[0][:5] == (
        "2026-01-18",
        "Stop (in force)",
        "no doses",
        "",
        "nephrotoxicity",
    )
    assert panel.kind_combo.currentText() == "Restart"
    record(qtbot, panel, EventKind.RESTART, reason="creatinine back to baseline")
    restart = course.load("H1").events[-1]
    assert (restart.kind, restart.formulation, magnitude(restart.dose, "mg")) == (
        EventKind.RESTART,
        FormulationId.ENVARSUS,
        3,
    )
    assert restart.time == time(9, 30)  # dated today: recorded at the time it was entered
    assert rows(panel)[0][:2] == ("2026-01-20 09:30", "Restart (in force)")


@pytest.fixture
def en_gb():
    """The locale of a ward in Britain for the widgets built in the test (12/04/1968 is the
    12th of April); restored after."""
    before = QLocale()
    QLocale.setDefault(QLocale("en_GB"))
    yield
    QLocale.setDefault(before)


def test_a_date_typed_in_the_locales_short_format_is_understood(qtbot, en_gb, panel, course):
    """16/01/2026 in en_GB is the 16th of January, said back in words before it is recorded;
    the QDateEdit this replaces read typed dates by its sections."""
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(EventKind.HOLD.value))
    panel.event_date.clear()
    qtbot.keyClicks(panel.event_date.line_edit, "16/01/2026")
    assert panel.event_date.understood_label.text() == "16 January 2026"
    qtbot.mouseClick(panel.resume_check, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.resume_date.line_edit, "2/2/2026")  # one-digit day and month
    assert panel.resume_date.understood_label.text() == "2 February 2026"
    qtbot.keyClicks(panel.reason_edit, "pneumonia")
    qtbot.keyClick(panel.reason_edit, Qt.Key.Key_Return)
    assert panel.event_error.text() == ""
    hold = course.load("H1").events[-1]
    assert (hold.kind, hold.date, hold.resume_on) == (
        EventKind.HOLD,
        date(2026, 1, 16),
        date(2026, 2, 2),
    )
    panel.tabs.setCurrentIndex(2)
    qtbot.keyClicks(panel.weight_edit, "61")
    panel.weight_date.clear()
    qtbot.keyClicks(panel.weight_date.line_edit, "18/01/2026")
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert [w.date for w in course.load("H1").weights] == [START, date(2026, 1, 18)]


def test_a_future_event_date_is_refused_next_to_the_panel_and_nothing_typed_is_lost(
    qtbot, panel, course
):
    """R12.8: no event in the future. The field says why under it, the panel's message says it
    again when Record is pressed, nothing is recorded, and the message goes once it is fixed."""
    changes = []
    panel._model.changed.connect(lambda: changes.append(True))
    panel.resize(320, 700)  # the column of a 1024-pixel screen: the refusal takes lines
    understood = panel.event_date.understood_label
    one_line = understood.fontMetrics().height()
    tomorrow = TODAY + timedelta(days=1)
    reason = "Date of the event: 21 January 2026 is in the future (today is 20 January 2026)."
    record(qtbot, panel, EventKind.STOP, day=tomorrow, reason="nephrotoxicity")
    assert understood.text() == reason  # next to the field
    qtbot.waitUntil(lambda: understood.height() >= 3 * one_line)  # all of it, not one line
    assert (
        panel.event_date.line_edit.height() >= panel.event_date.line_edit.minimumSizeHint().height()
    )
    assert panel.event_error.text() == reason and panel.event_error.isVisible()
    assert panel.event_date.text() == tomorrow.isoformat()  # nothing typed is lost
    assert panel.reason_edit.text() == "nephrotoxicity"
    assert panel.event_date.line_edit.hasFocus()  # where to correct it
    assert kinds(course) == ["start", "switch"] and changes == []
    type_date(qtbot, panel.event_date, TODAY)
    assert panel.event_error.text() == "" and panel.event_error.isHidden()
    assert understood.text() == "20 January 2026"
    qtbot.waitUntil(lambda: understood.height() == one_line)  # the form closes up again
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert kinds(course) == ["start", "switch", "stop"]


def test_a_date_before_birth_or_none_refuses_the_weight_and_the_drug_with_the_reason(
    qtbot, panel, course
):
    """R12.4: nothing is dated before the patient's birth (1970-03-02); an empty date is said
    to be needed. What was typed stays."""
    panel.tabs.setCurrentIndex(2)
    qtbot.keyClicks(panel.weight_edit, "61")
    type_date(qtbot, panel.weight_date, BIRTH - timedelta(days=1))
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert panel.weight_error.text() == (
        "Date of the weight: 1 March 1970 is before the patient's birth (2 March 1970)."
    )
    assert panel.weight_edit.text() == "61" and panel.weight_date.text() == "1970-03-01"
    panel.tabs.setCurrentIndex(1)
    qtbot.keyClicks(panel.drug_edit, "fluconazole")
    panel.drug_date.clear()
    qtbot.keyClick(panel.drug_edit, Qt.Key.Key_Return)
    assert panel.drug_error.text() == "Date of the change: a date is needed."
    assert panel.drug_edit.text() == "fluconazole"
    stored = course.load("H1")
    assert ([w.date for w in stored.weights], stored.co_medication) == ([START], ())


def test_a_planned_resume_is_checked_when_planned_and_the_hold_waits_for_it(qtbot, panel, course):
    """A planned resume may be after today, not before birth; planned with no date, the hold
    is refused with why, and recorded once the date is typed."""
    qtbot.mouseClick(panel.resume_check, Qt.MouseButton.LeftButton)
    record(qtbot, panel, EventKind.HOLD, day=date(2026, 1, 16), reason="pneumonia")
    assert panel.event_error.text() == "Planned resume date: a date is needed."
    assert panel.resume_date.line_edit.hasFocus()
    qtbot.keyClicks(panel.resume_date.line_edit, "1969-01-01")
    assert panel.event_error.text() == ""  # the refusal is taken back as the date is typed
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.event_error.text() == (
        "Planned resume date: 1 January 1969 is before the patient's birth (2 March 1970)."
    )
    assert kinds(course) == ["start", "switch"]
    type_date(qtbot, panel.resume_date, TODAY + timedelta(days=60))
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.event_error.text() == ""
    assert course.load("H1").events[-1].resume_on == TODAY + timedelta(days=60)


def test_correcting_an_event_asks_why_and_the_history_keeps_it(qtbot, panel, course):
    select(panel, "Start")
    qtbot.mouseClick(panel.correct_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog.isVisible()
    assert dialog.summary_label.text().startswith("Start on 2025-12-01: 3 mg every 12 hours")
    dialog.dose_edit.clear()
    qtbot.keyClicks(dialog.dose_edit, "2.3")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "why: a reason is needed" in dialog.error_label.text()  # asked before anything
    qtbot.keyClicks(dialog.why_edit, "2.5 mg was prescribed")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "cannot be made up from" in dialog.error_label.text()  # the store's refusal (R3.1)
    assert dialog.isVisible() and dialog.why_edit.text() == "2.5 mg was prescribed"
    assert magnitude(course.load("H1").events[0].dose, "mg") == 3
    dialog.dose_edit.clear()
    qtbot.keyClicks(dialog.dose_edit, "2.5")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert magnitude(course.load("H1").events[0].dose, "mg") == 2.5
    assert rows(panel)[1][:3] == ("2025-12-01", "Start", "2.5 mg every 12 hours")
    entry = course.history("H1")[-1]
    assert (entry.action, entry.entity, entry.reason) == (
        "correct",
        "event",
        "2.5 mg was prescribed",
    )
    assert "3" in str(entry.before) and "2.5" in str(entry.after)


def test_correcting_a_date_types_it_and_a_future_or_empty_date_keeps_the_dialog(
    qtbot, panel, course
):
    """The correction's dates are typed like the panel's: refused with why next to the field
    and under the form, everything typed kept (R12.4, R12.6, R12.8)."""
    for event in (
        CourseEvent(kind=EventKind.HOLD, date=date(2026, 1, 16), reason="pneumonia"),
        CourseEvent(kind=EventKind.RESUME, date=date(2026, 1, 19)),
    ):
        assert course.add_event("H1", event, today=TODAY).ok
    panel._model.reload()
    select(panel, "Hold")
    qtbot.mouseClick(panel.correct_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog.date_edit.text() == "2026-01-16"
    assert dialog.date_edit.understood_label.text() == "16 January 2026"
    assert dialog.resume_date.text() == "" and not dialog.resume_check.isChecked()
    type_date(qtbot, dialog.date_edit, TODAY + timedelta(days=2))
    qtbot.keyClicks(dialog.why_edit, "typed on the wrong day")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    future = "Date of the event: 22 January 2026 is in the future (today is 20 January 2026)."
    assert dialog.error_label.text() == future
    assert dialog.date_edit.understood_label.text() == future
    assert dialog.isVisible() and dialog.why_edit.text() == "typed on the wrong day"
    dialog.date_edit.clear()
    assert dialog.error_label.text() == ""  # fixed or not, the field now says what it has
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == "Date of the event: a date is needed."
    qtbot.keyClicks(dialog.date_edit.line_edit, "2026-01-15")
    qtbot.mouseClick(dialog.resume_check, Qt.MouseButton.LeftButton)
    type_date(qtbot, dialog.resume_date, date(2026, 1, 19))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    hold = course.load("H1").events[-2]
    assert (hold.kind, hold.date, hold.resume_on) == (
        EventKind.HOLD,
        date(2026, 1, 15),
        date(2026, 1, 19),
    )
    entry = course.history("H1")[-1]
    assert (entry.action, entry.reason) == ("correct", "typed on the wrong day")


def test_deleting_an_event_asks_why_and_a_refusal_keeps_the_dialog(qtbot, panel, course):
    for event in (
        CourseEvent(kind=EventKind.HOLD, date=date(2026, 1, 16), reason="pneumonia"),
        CourseEvent(kind=EventKind.RESUME, date=date(2026, 1, 19)),
    ):
        assert course.add_event("H1", event, today=TODAY).ok
    panel._model.reload()
    select(panel, "Hold")
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert "Hold on 2026-01-16: no doses (pneumonia)" in dialog.summary_label.text()
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "deletion: why: a reason is needed" in dialog.error_label.text()
    qtbot.keyClicks(dialog.why_edit, "recorded on the wrong patient")
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == (  # the resume after it would follow no hold (R15.1)
        "resume on 2026-01-19: a resume cannot be recorded there: tacrolimus is in progress"
        " on that date, and a resume needs a hold before it (R15.1)."
    )
    assert dialog.isVisible() and dialog.why_edit.text() == "recorded on the wrong patient"
    dialog.reject()
    select(panel, "Resume")
    panel.course_table.setFocus()
    qtbot.keyClick(panel.course_table, Qt.Key.Key_Delete)  # the Delete key asks the same
    qtbot.keyClicks(panel.dialog.why_edit, "recorded on the wrong patient")
    qtbot.mouseClick(panel.dialog.delete_button, Qt.MouseButton.LeftButton)
    assert not panel.dialog.isVisible()
    assert kinds(course) == ["start", "switch", "hold"]
    assert [row[1] for row in rows(panel)] == ["Hold (in force)", "Switch", "Start"]
    entry = course.history("H1")[-1]
    assert (entry.action, entry.reason, entry.after) == (
        "delete",
        "recorded on the wrong patient",
        None,
    )
    assert entry.before["kind"] == "resume"


# A reason a doctor might paste: "renal" with a right-to-left override before "total", which
# would show as "renal latot" reversed on screen and on the plan (R12.9).
OVERRIDDEN = "renal \u202elatot"
OVERRIDE_REFUSED = (
    '"renal \\u202elatot" cannot be used: it holds an invisible or control character (U+202E).'
)


def test_a_stop_reason_with_a_bidi_override_is_refused_and_stays_typed(qtbot, panel, course):
    """R12.9: the store refuses it; the panel says which field, shows the text escaped and why,
    and keeps what was typed; nothing is recorded, not even in the history."""
    history = course.history("H1")
    paste(qtbot, panel.reason_edit, OVERRIDDEN)
    record(qtbot, panel, EventKind.STOP, day=date(2026, 1, 18))
    assert panel.event_error.text() == f"stop on 2026-01-18: reason: {OVERRIDE_REFUSED}"
    assert panel.event_error.isVisible()
    assert panel.reason_edit.text() == OVERRIDDEN
    assert kinds(course) == ["start", "switch"] and course.history("H1") == history
    panel.reason_edit.clear()
    qtbot.keyClicks(panel.reason_edit, "renal total")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.event_error.text() == ""
    assert kinds(course) == ["start", "switch", "stop"]


def test_a_deletion_reason_with_a_bidi_override_keeps_the_dialog(qtbot, panel, course):
    history = course.history("H1")
    select(panel, "Switch")
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    paste(qtbot, dialog.why_edit, OVERRIDDEN)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == f"why deleted: {OVERRIDE_REFUSED}"
    assert dialog.isVisible() and dialog.why_edit.text() == OVERRIDDEN
    assert kinds(course) == ["start", "switch"] and course.history("H1") == history


def test_an_interacting_drug_is_a_course_note_that_adds_the_r11_trough_check(
    qtbot, panel, course, seed
):
    qtbot.mouseClick(panel.drug_button, Qt.MouseButton.LeftButton)
    assert panel.drug_error.text() == "interacting drug: a value is needed."
    day = TODAY - timedelta(days=5)
    due = day + timedelta(days=seed.values.co_medication_trough_days)  # R11: 7 days later
    qtbot.keyClicks(panel.drug_edit, "fluconazole")
    panel.change_combo.setCurrentText("started")
    type_date(qtbot, panel.drug_date, day)
    qtbot.keyClick(panel.drug_edit, Qt.Key.Key_Return)
    assert panel.drug_error.text() == "" and panel.drug_edit.text() == ""
    assert [c.note for c in course.load("H1").co_medication] == ["fluconazole started"]
    checks = [c for c in panel._model.assessment.schedule if c.phase is Phase.CO_MEDICATION]
    assert [(c.due, c.reason) for c in checks] == [(due, "fluconazole started")]
    note = f"trough check due {due.isoformat()} (planned) (R11)"
    assert rows(panel)[0][:5] == (
        day.isoformat(),
        "Interacting drug",
        "fluconazole started",
        "",
        note,
    )
    assert drugs(panel) == [
        (day.isoformat(), "fluconazole started", f"due {due.isoformat()} (planned)")
    ]


def drugs(panel):
    """The list of interacting drugs as the panel shows it: date, change, trough check."""
    table = panel.drugs_table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def show_drugs(qtbot, panel):
    """Click the "Interacting drugs" tab."""
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert panel.tabs.currentIndex() == 1


def click_drug(qtbot, panel, note):
    """Click the interacting drug whose change is `note` in the list."""
    table = panel.drugs_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == note)
    rect = table.visualItemRect(table.item(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_an_interacting_drug_is_corrected_with_a_reason_and_its_r11_check_follows(
    qtbot, panel, course
):
    """Issue 11, points 1 and 8: a note typed under the wrong date or with the wrong drug is
    corrected in place (R11, R15.3); the date and note are checked as a new one's (R12.4,
    R12.9); whatever is refused keeps the dialog and what was typed."""
    assert course.add_co_medication(
        "H1", CoMedicationChange(date=date(2026, 1, 12), note="fluconazole started"), today=TODAY
    ).ok
    panel._model.reload()
    said = []
    panel.written.connect(said.append)
    show_drugs(qtbot, panel)
    assert drugs(panel) == [("2026-01-12", "fluconazole started", "due 2026-01-19 (overdue)")]
    assert not panel.correct_drug_button.isEnabled()  # until a note is chosen
    assert not panel.delete_drug_button.isEnabled()
    click_drug(qtbot, panel, "fluconazole started")
    assert panel.correct_drug_button.isEnabled() and panel.delete_drug_button.isEnabled()
    qtbot.mouseClick(panel.correct_drug_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Correct an interacting drug"
    assert dialog.summary_label.text() == (
        "fluconazole started on 2026-01-12: trough check due 2026-01-19 (overdue) (R11)"
    )
    assert (dialog.date_edit.text(), dialog.note_edit.text()) == (
        "2026-01-12",
        "fluconazole started",
    )
    # a date in the future is refused next to the field, and nothing is written
    type_date(qtbot, dialog.date_edit, TODAY + timedelta(days=2))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    future = "Date of the change: 22 January 2026 is in the future (today is 20 January 2026)."
    assert dialog.error_label.text() == future
    assert dialog.date_edit.understood_label.text() == future
    type_date(qtbot, dialog.date_edit, date(2026, 1, 14))
    # no reason, no note: both said at once
    dialog.note_edit.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == (
        "interacting drug: a value is needed.\n"
        "correction of the interacting drug: why: a reason is needed; it is kept in the"
        " patient's history."
    )
    paste(qtbot, dialog.note_edit, "voriconazole \u202estarted")
    qtbot.keyClicks(dialog.why_edit, "the azole was voriconazole, from the 14th")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == (
        'interacting drug: "voriconazole \\u202estarted" cannot be used: it holds an invisible'
        " or control character (U+202E)."
    )
    assert dialog.isVisible()
    assert dialog.why_edit.text() == "the azole was voriconazole, from the 14th"
    assert [c.note for c in course.load("H1").co_medication] == ["fluconazole started"]
    dialog.note_edit.clear()
    qtbot.keyClicks(dialog.note_edit, "voriconazole started")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert course.load("H1").co_medication == (
        CoMedicationChange(date=date(2026, 1, 14), note="voriconazole started"),
    )
    # the record is read again: the list and the schedule's R11 check follow the note
    assert drugs(panel) == [("2026-01-14", "voriconazole started", "due 2026-01-21 (planned)")]
    checks = [c for c in panel._model.assessment.schedule if c.phase is Phase.CO_MEDICATION]
    assert [(c.due, c.reason) for c in checks] == [(date(2026, 1, 21), "voriconazole started")]
    assert said == [
        "Corrected voriconazole started on 2026-01-14: trough check due 2026-01-21 (planned) (R11)"
    ]
    assert panel.drugs_table.selectionModel().selectedRows()[0].row() == 0  # still chosen
    assert panel.correct_drug_button.isEnabled()
    entry = course.history("H1")[-1]
    assert (entry.action, entry.entity, entry.before, entry.after, entry.reason) == (
        "correct",
        "co_medication",
        {"date": "2026-01-12", "note": "fluconazole started"},
        {"date": "2026-01-14", "note": "voriconazole started"},
        "the azole was voriconazole, from the 14th",
    )


def test_a_correction_on_a_patient_changed_elsewhere_keeps_the_dialog(qtbot, panel, course):
    """Another workstation wrote to the patient after it was shown: the correction is not
    saved, the dialog says who and keeps what was typed."""
    assert course.add_co_medication(
        "H1", CoMedicationChange(date=date(2026, 1, 12), note="fluconazole started"), today=TODAY
    ).ok
    panel._model.reload()
    with Store(course.folder, protocol_for=load_protocol, user="drjones") as theirs:
        assert theirs.add_weight(
            "H1", WeightEntry(date=date(2026, 1, 19), value=q(61, "kg")), today=TODAY
        ).ok
    show_drugs(qtbot, panel)
    click_drug(qtbot, panel, "fluconazole started")
    qtbot.mouseClick(panel.correct_drug_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    qtbot.keyClicks(dialog.why_edit, "typo")
    type_date(qtbot, dialog.date_edit, date(2026, 1, 13))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Not saved: H1 was changed by drjones at ")
    assert dialog.date_edit.text() == "2026-01-13" and dialog.why_edit.text() == "typo"
    assert course.load("H1").co_medication[0].date == date(2026, 1, 12)


def test_the_correction_dialogs_alt_letters_are_its_own_and_go_to_their_fields(
    qtbot, panel, course
):
    assert course.add_co_medication(
        "H1", CoMedicationChange(date=date(2026, 1, 12), note="fluconazole started"), today=TODAY
    ).ok
    panel._model.reload()
    show_drugs(qtbot, panel)
    click_drug(qtbot, panel, "fluconazole started")
    panel.drugs_table.setFocus()
    qtbot.keyClick(panel.drugs_table, Qt.Key.Key_Return)  # nothing: Return is not Correct
    assert panel.dialog is None
    qtbot.mouseDClick(
        panel.drugs_table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.drugs_table.visualItemRect(panel.drugs_table.item(0, 1)).center(),
    )  # a double click corrects, as on the course list
    dialog = panel.dialog
    assert isinstance(dialog, CorrectDrugDialog)
    letters = [_mnemonic(w.text()) for w in dialog.findChildren(QLabel)]
    letters += [_mnemonic(w.text()) for w in dialog.findChildren(QAbstractButton)]
    assert sorted(m for m in letters if m) == ["d", "n", "w"]
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    for letter, field in (("n", dialog.note_edit), ("d", dialog.date_edit.line_edit)):
        qtbot.keyClick(dialog, letter, Qt.KeyboardModifier.AltModifier)
        assert field.hasFocus(), letter
    assert [w.objectName() for w in dialog.findChildren(QLineEdit) if not w.accessibleName()] == []


def test_the_weight_history_warns_when_the_weight_drifts_by_the_protocols_percentage(
    qtbot, panel, course, seed
):
    """R15.5: from 60 kg, 65 kg (+8.3 %) says nothing; 66 kg (+10 %) warns."""
    assert seed.values.weight_drift_pct == 10
    qtbot.keyClicks(panel.weight_edit, "500")
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert "weight: 500 kg is outside the accepted range" in panel.weight_error.text()
    assert panel.weight_edit.text() == "500"
    panel.weight_edit.clear()
    qtbot.keyClicks(panel.weight_edit, "65")
    type_date(qtbot, panel.weight_date, date(2026, 1, 18))
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    table = panel.weight_table
    shown = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert shown == [
        ("2026-01-18", "65 kg", "+8.3 % from the dose's weight"),
        ("2025-12-01", "60 kg", "the dose of 2026-01-05 was worked out from this weight"),
    ]
    assert panel.weight_warning.isHidden()
    assert panel.tabs.tabText(2) == "Weight history"
    qtbot.keyClicks(panel.weight_edit, "66 kg")
    qtbot.keyClick(panel.weight_edit, Qt.Key.Key_Return)
    assert not panel.weight_warning.isHidden()
    assert panel.weight_warning.text() == (
        "Weight 66 kg differs by +10 % from the 60 kg (2025-12-01) the current dose was worked"
        " out from (10 % or more): review the dose (R15.5)."
    )
    assert panel.tabs.tabText(2) == "Weight history – review the dose"


def test_what_was_typed_for_one_patient_is_gone_when_another_is_shown(qtbot, panel, course):
    new_patient(course, pid="H2", name="Other Patient")
    record(qtbot, panel, EventKind.RESUME, reason="typed for Ann")
    qtbot.keyClicks(panel.weight_edit, "70")
    assert panel.typed_entry() == "reason typed for Ann, weight 70"
    assert panel.event_error.text() != ""
    assert panel._model.open("H2")
    assert panel.typed_entry() == "" and panel.event_error.text() == ""
    assert rows(panel) == []


def _mnemonic(text):
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def test_mnemonics_are_unique_and_inputs_are_named(panel):
    texts = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    texts += [w.text() for w in panel.findChildren(QAbstractButton)]
    texts += [w.text() for w in panel.findChildren(QLabel)]
    letters = [m for m in map(_mnemonic, texts) if m]
    assert sorted(letters) == ["k", "v"]  # unique, and left free by the ward window
    inputs = [
        w
        for kind in (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QCheckBox)
        for w in panel.findChildren(kind)
        if not isinstance(w.parent(), QAbstractSpinBox | QComboBox)  # their own line edits
        and not isinstance(w.parent().parent(), QComboBox)  # a combo's popup list
        and not isinstance(w, QHeaderView)
    ]
    assert len(inputs) >= 12
    assert [w.objectName() for w in inputs if not w.accessibleName()] == []
    assert panel.event_date.line_edit.accessibleName() == "Date of the event"


def tab_walk(qtbot, start, count):
    """Press Tab from `start` as a doctor does; the widgets that get the focus, by name (a date
    field's line edit counts as the date field)."""
    start.setFocus()
    order = []
    for _ in range(count):
        widget = QApplication.focusWidget()
        if isinstance(widget.parent(), DateEdit):
            widget = widget.parent()
        order.append(widget.objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    return order


def test_tab_runs_through_the_form_in_reading_order_and_a_date_does_not_hold_it(
    qtbot, panel, course
):
    """QDateEdit kept Tab in its day, month and year; a date field is one stop."""
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    panel.course_table.selectRow(0)  # Correct and Delete act on a selected event
    qtbot.mouseClick(panel.resume_check, Qt.MouseButton.LeftButton)  # its date is typed next
    expected = [
        "course_table",
        "correct_button",
        "delete_button",
        "kind_combo",
        "event_date",
        "event_time",
        "reason_edit",
        "resume_check",
        "resume_date",
        "record_button",
    ]
    assert tab_walk(qtbot, panel.course_table, len(expected)) == expected
    panel.tabs.setCurrentIndex(1)
    drugs = [
        "drugs_table",
        "correct_drug_button",
        "delete_drug_button",
        "drug_edit",
        "change_combo",
        "drug_date",
        "drug_button",
    ]
    assert course.add_co_medication(
        "H1", CoMedicationChange(date=date(2026, 1, 12), note="fluconazole started"), today=TODAY
    ).ok
    panel._model.reload()
    panel.drugs_table.selectRow(0)  # Correct and Delete act on a selected note
    assert tab_walk(qtbot, panel.drugs_table, len(drugs)) == drugs
    panel.tabs.setCurrentIndex(2)
    weights = ["weight_table", "weight_edit", "weight_date", "weight_button"]
    assert tab_walk(qtbot, panel.weight_table, len(weights)) == weights


def test_in_the_window_the_r11_check_joins_the_schedule_and_a_drifted_weight_the_alerts(
    qtbot, window, course, seed
):
    assert window.open_patient("H1")
    view = window.view
    panel = view.course_panel
    saved = []
    view.saved.connect(saved.append)

    def schedule():
        table = view.schedule_table
        return [
            tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())
        ]

    day = TODAY - timedelta(days=5)
    due = day + timedelta(days=seed.values.co_medication_trough_days)
    assert not any(row[1] == due.isoformat() for row in schedule())
    qtbot.keyClicks(panel.drug_edit, "rifampicin")
    panel.change_combo.setCurrentText("stopped")
    type_date(qtbot, panel.drug_date, day)
    qtbot.mouseClick(panel.drug_button, Qt.MouseButton.LeftButton)
    assert (
        "Trough check after rifampicin stopped",
        due.isoformat(),
        "planned",
        "24-h trough (before the morning dose)",  # on a once-daily product (R5.7)
    ) in (schedule())
    assert saved == [
        f"Recorded rifampicin stopped on {day.isoformat()}: trough check due {due.isoformat()}"
        " (planned) (R11)"
    ]
    assert "review the dose" not in view.alerts_label.text()
    qtbot.keyClicks(panel.weight_edit, "54")  # 60 kg → 54 kg: −10 % (R15.5)
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert "Weight 54 kg differs by -10 %" in view.alerts_label.text()
    assert "review the dose: <small" not in view.alerts_label.text()  # rules apart, small
    assert "review the dose. <small style='color:gray'>(R15.5)</small>" in (
        view.alerts_label.text()
    )


def test_in_the_window_deleting_an_interacting_drug_takes_its_r11_check_off_the_schedule(
    qtbot, window, course, seed
):
    """Issue 11, points 1 and 8: rifampicin recorded under the wrong patient is deleted with
    the Delete key and a reason; the schedule loses the trough check it added (R11), the
    other note keeps its own, and the history keeps the note with the reason (R15.3)."""
    assert window.open_patient("H1")
    view = window.view
    panel = view.course_panel
    saved = []
    view.saved.connect(saved.append)

    def r11_rows():
        table = view.schedule_table
        texts = [
            tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())
        ]
        return [row[1] for row in texts if row[1] in (wrong_due.isoformat(), kept_due.isoformat())]

    days = seed.values.co_medication_trough_days  # R11: 7
    wrong, kept = TODAY - timedelta(days=5), TODAY - timedelta(days=2)
    bar = view.left_tabs.tabBar()  # the doctor opens the Course tab
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert panel.isVisible()
    wrong_due, kept_due = wrong + timedelta(days=days), kept + timedelta(days=days)
    show_drugs(qtbot, panel)
    for drug, day in (("rifampicin", wrong), ("prednisolone", kept)):
        qtbot.keyClicks(panel.drug_edit, drug)
        panel.change_combo.setCurrentText("started" if drug == "rifampicin" else "dose changed")
        type_date(qtbot, panel.drug_date, day)
        qtbot.mouseClick(panel.drug_button, Qt.MouseButton.LeftButton)
    assert [row[1] for row in drugs(panel)] == ["prednisolone dose changed", "rifampicin started"]
    assert r11_rows() == [wrong_due.isoformat(), kept_due.isoformat()]

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    click_drug(qtbot, panel, "rifampicin started")
    assert panel.drugs_table.hasFocus()
    qtbot.keyClick(panel.drugs_table, Qt.Key.Key_Delete)
    dialog = panel.dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Delete an interacting drug"
    assert dialog.summary_label.text() == (
        "Delete this interacting drug from the record?\n"
        f"rifampicin started on {wrong.isoformat()}:"
        f" trough check due {wrong_due.isoformat()} (planned) (R11)"
    )
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == (
        "deletion: why: a reason is needed; it is kept in the patient's history."
    )
    assert r11_rows() == [wrong_due.isoformat(), kept_due.isoformat()]  # nothing deleted yet
    qtbot.keyClicks(dialog.why_edit, "recorded on the wrong patient")
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert r11_rows() == [kept_due.isoformat()]
    assert drugs(panel) == [
        (
            kept.isoformat(),
            "prednisolone dose changed",
            f"due {kept_due.isoformat()} (planned)",
        )
    ]
    assert [c.note for c in course.load("H1").co_medication] == ["prednisolone dose changed"]
    assert (
        saved[-1] == "Deleted the interacting drug and its trough check (it stays in the history)"
    )
    entry = course.history("H1")[-1]
    assert (entry.action, entry.entity, entry.before, entry.after, entry.reason) == (
        "delete",
        "co_medication",
        {"date": wrong.isoformat(), "note": "rifampicin started"},
        None,
        "recorded on the wrong patient",
    )
    assert not panel.delete_drug_button.isEnabled()  # nothing is selected any more


def test_in_the_window_a_hold_shows_nothing_to_give_and_a_resume_the_dose_again(
    qtbot, window, course
):
    """R15.4: while held, the calculator says nothing is to be given; after the resume it
    shows the regimen in force again. Print and Export were disabled until a patient opened."""
    assert not any(a.isEnabled() for a in window.patient_actions)
    assert window.open_patient("H1")
    assert all(a.isEnabled() for a in window.patient_actions)
    view = window.view
    panel = view.course_panel
    record(qtbot, panel, EventKind.HOLD, day=date(2026, 1, 16), reason="pneumonia")
    assert view.switch_label.text().startswith(
        "Tacrolimus is on hold since 2026-01-16 (pneumonia): nothing is to be given now."
    )
    view.calculator.dose_edit.clear()
    record(qtbot, panel, EventKind.RESUME, day=date(2026, 1, 19), reason="pneumonia treated")
    assert view.switch_label.text() == ""
    assert view.calculator.dose_edit.text() == "3"
    assert view.calculator.formulation == FormulationId.ENVARSUS
