"""The course panel driven like a doctor: recording a hold, a resume, a stop and a restart,
correcting and deleting an event with a reason, an interacting drug (R11) and a weight (R15.5);
asserting on what the panel shows and on what the store then holds (R15)."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
)

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import Patient, Sex, WeightEntry
from tacrocalc.domain.schedule import Phase
from tacrocalc.domain.units import magnitude, q
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.ui.course_panel import CoursePanel
from tacrocalc.ui.dialogs import qdate
from tacrocalc.ui.open_patient import OpenPatient
from tests.ui.conftest import TODAY

NOW = datetime(2026, 1, 20, 9, 30)  # the wall clock when an event of today is recorded
START, SWITCH = date(2025, 12, 1), date(2026, 1, 5)


def new_patient(store, pid="H1", name="Ann Lee"):
    store.save_patient(
        Patient(id=pid, name=name, birth_date=date(1970, 3, 2), sex=Sex.FEMALE),
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
    panel.event_date.setDate(qdate(day))
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
    panel.resume_check.setChecked(True)
    panel.resume_date.setDate(qdate(date(2026, 1, 27)))
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


def test_an_interacting_drug_is_a_course_note_that_adds_the_r11_trough_check(
    qtbot, panel, course, seed
):
    qtbot.mouseClick(panel.drug_button, Qt.MouseButton.LeftButton)
    assert panel.drug_error.text() == "interacting drug: a value is needed."
    day = TODAY - timedelta(days=5)
    due = day + timedelta(days=seed.values.co_medication_trough_days)  # R11: 7 days later
    qtbot.keyClicks(panel.drug_edit, "fluconazole")
    panel.change_combo.setCurrentText("started")
    panel.drug_date.setDate(qdate(day))
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
    assert panel.notes_label.text() == f"{day.isoformat()}  fluconazole started — {note}"


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
    panel.weight_date.setDate(qdate(date(2026, 1, 18)))
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


def test_mnemonics_are_unique_inputs_are_named_and_tab_follows_the_reading_order(panel):
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
    panel.course_table.selectRow(0)
    panel.resume_check.setChecked(True)
    order = []
    widget = panel.course_table
    while len(order) < 10:
        if (
            widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not widget.objectName().startswith("qt_")  # a date edit's own line edit
        ):
            order.append(widget.objectName())
        widget = widget.nextInFocusChain()
    assert order == [
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
    panel.drug_date.setDate(qdate(day))
    qtbot.mouseClick(panel.drug_button, Qt.MouseButton.LeftButton)
    assert (
        "Trough check",
        due.isoformat(),
        "planned",
        "12-h trough (before the morning dose)",
    ) in (schedule())
    assert saved == ["Recorded the interacting drug; a trough check is added (R11)"]
    assert "review the dose" not in view.alerts_label.text()
    qtbot.keyClicks(panel.weight_edit, "54")  # 60 kg → 54 kg: −10 % (R15.5)
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert "Weight 54 kg differs by -10 %" in view.alerts_label.text()
    assert "review the dose: <small" not in view.alerts_label.text()  # rules apart, small
    assert "review the dose. <small style='color:gray'>(R15.5)</small>" in (
        view.alerts_label.text()
    )


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
