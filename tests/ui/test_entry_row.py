"""The results entry row says only what is true now (issue 11, safe entry): the question before
another patient is asked only when something that would be filed is typed, and names the
patient and each value with its unit; the patient list follows the patient shown; a refusal goes
once what it refused is edited or cleared, or once another entry succeeds (R12.6, R12.10)."""

from datetime import date, timedelta

from PySide6.QtCore import Qt

from tacrocalc.domain.course import EventKind
from tacrocalc.domain.record import Patient, Sex
from tests.ui import enter, start_regimen, type_date
from tests.ui.conftest import TODAY


def new_patient(window, store, pid="W001", name="Zoë Walker"):
    store.save_patient(
        Patient(id=pid, name=name, birth_date=date(1971, 5, 3), sex=Sex.FEMALE),
        protocol_id="seed-1997",
        today=TODAY,
    )
    window.patients.refresh()
    assert window.open_patient(pid)
    return window.view


def two_patients(window, store):
    """W002 opened once, then W001 on screen."""
    view = new_patient(window, store, pid="W002", name="Other Patient")
    new_patient(window, store)
    return view


def answering(monkeypatch, window, button):
    """Every question before another patient is answered with `button` ("Stay", "Discard",
    "Add to …"); returns the questions asked."""
    asked = []

    def answer(box):
        asked.append(box.text().replace("\u00a0", " "))  # a value and its unit kept together
        return next(b for b in box.buttons() if b.text().startswith(button))

    monkeypatch.setattr(window, "_ask", answer)
    return asked


def click_patient(qtbot, window, pid):
    """Click a patient in the list, as a doctor opens another patient."""
    patients = window.patients
    row = next(r for r in range(patients.model.rowCount()) if patients.model.patient_id(r) == pid)
    rect = patients.list_view.visualRect(patients.model.index(row))
    qtbot.mouseClick(patients.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def highlighted(window):
    """The patients the list highlights (its current row and its selection)."""
    patients = window.patients
    current = patients.list_view.currentIndex()
    selected = patients.list_view.selectionModel().selectedIndexes()
    return (
        patients.model.patient_id(current.row()) if current.isValid() else None,
        [patients.model.patient_id(i.row()) for i in selected],
    )


# -- 1. asked only when something would be filed, and in words that name it -----------------


def test_a_date_and_time_kept_after_an_add_do_not_ask_before_another_patient(
    qtbot, window, store, monkeypatch
):
    """The date, time and last dose stay after a result is added (the next result is usually
    of the same sample): they alone are not an entry, so opening another patient asks nothing,
    and the leftovers are not carried to it."""
    view = two_patients(window, store)
    qtbot.keyClicks(view.time_edit, "23:30")
    qtbot.keyClicks(view.last_dose_edit, "11:30")
    enter(qtbot, view, days_ago=1, trough="6.5")
    assert (view.time_edit.text(), view.trough_edit.text()) == ("23:30", "")
    asked = answering(monkeypatch, window, "Stay")
    assert window.open_patient("W002")
    assert asked == []
    assert view.patient_id == "W002"
    assert (view.time_edit.text(), view.last_dose_edit.text()) == ("", "")
    assert [o.value.magnitude for o in store.load("W001").observations] == [6.5]


def test_a_time_alone_in_the_course_tab_is_not_an_entry(qtbot, window, store, monkeypatch):
    view = two_patients(window, store)
    qtbot.keyClicks(view.course_panel.event_time, "08:00")
    asked = answering(monkeypatch, window, "Stay")
    assert window.open_patient("W002")
    assert asked == []


def test_the_question_names_the_patient_and_each_value_as_it_would_be_filed(
    qtbot, window, store, monkeypatch
):
    """A bare number in the display unit, a creatinine typed in mg/dL as filed in µmol/L
    (R1.3: 1.2 mg/dL = 106.1 µmol/L), a time typed as "8" as 08:00; the weight typed in the
    Course tab with its unit."""
    view = two_patients(window, store)
    qtbot.keyClicks(view.time_edit, "8")
    qtbot.keyClicks(view.last_dose_edit, "20:00")
    qtbot.keyClicks(view.trough_edit, "6.5")
    qtbot.keyClicks(view.creatinine_edit, "1.2 mg/dL")
    qtbot.keyClicks(view.bp_edit, "120/80")
    qtbot.keyClicks(view.course_panel.weight_edit, "62")
    asked = answering(monkeypatch, window, "Stay")
    assert not window.open_patient("W002")
    assert asked == [
        "For Zoë Walker (W001), these are typed but not added: trough 6.5 µg/L, creatinine"
        " 106.1 µmol/L, BP 120/80 mmHg, taken on 2026-01-20 at 08:00, last dose at 20:00; in the"
        " Course tab: weight 62 kg.\n\nAdd them to Zoë Walker (W001), discard them, or stay on"
        " Zoë Walker (W001)?"
    ]
    assert view.patient_id == "W001" and view.trough_edit.text() == "6.5"


def test_a_value_that_cannot_be_added_is_named_as_typed(qtbot, window, store, monkeypatch):
    view = two_patients(window, store)
    qtbot.keyClicks(view.trough_edit, "14 mg")
    asked = answering(monkeypatch, window, "Stay")
    assert not window.open_patient("W002")
    assert 'not added: trough "14 mg" (cannot be added as typed), taken on 2026-01-20.' in asked[0]


# -- 2. the list follows the patient shown ----------------------------------------------------


def test_after_stay_the_list_highlights_the_patient_shown_not_the_one_clicked(
    qtbot, window, store, monkeypatch
):
    view = two_patients(window, store)
    qtbot.keyClicks(view.trough_edit, "6.5")
    answering(monkeypatch, window, "Stay")
    click_patient(qtbot, window, "W002")
    assert view.name_label.text() == "Zoë Walker  ·  W001"
    assert highlighted(window) == ("W001", ["W001"])
    answering(monkeypatch, window, "Discard")
    click_patient(qtbot, window, "W002")
    assert view.name_label.text() == "Other Patient  ·  W002"
    assert highlighted(window) == ("W002", ["W002"])


def test_after_a_refused_add_the_list_highlights_the_patient_shown(
    qtbot, window, store, monkeypatch
):
    view = two_patients(window, store)
    qtbot.keyClicks(view.trough_edit, "14 mg")
    answering(monkeypatch, window, "Add to W001")
    click_patient(qtbot, window, "W002")
    assert view.patient_id == "W001" and "14 mg" in view.entry_error.text()
    assert highlighted(window) == ("W001", ["W001"])


def test_the_list_keeps_the_patient_shown_highlighted_through_a_search(qtbot, window, store):
    two_patients(window, store)
    window.focus_search()
    qtbot.keyClicks(window.patients.search_edit, "other")  # W001 is not listed
    assert highlighted(window) == (None, [])
    window.patients.search_edit.clear()  # listed again: highlighted again
    assert highlighted(window) == ("W001", ["W001"])


def test_a_patient_opened_from_the_keyboard_is_highlighted_in_the_list(qtbot, window, store):
    two_patients(window, store)
    assert window.open_patient("W002")  # as Ctrl+L, a new patient or an import open it
    assert highlighted(window) == ("W002", ["W002"])


# -- 3. a message that no longer applies goes ---------------------------------------------------


def test_a_refused_trough_is_no_longer_said_once_the_field_is_cleared(qtbot, window, store):
    """R12.10: a second result for a sample already recorded is refused; once the trough is
    cleared nothing is refused any more."""
    view = new_patient(window, store)
    start_regimen(qtbot, view)
    qtbot.keyClicks(view.time_edit, "08:00")
    enter(qtbot, view, days_ago=1, trough="3.1")
    enter(qtbot, view, days_ago=1, trough="3.4")
    assert view.entry_error.text().startswith(
        "trough: 3.4 µg/L was not added: 3.1 µg/L is already recorded for the sample of"
    )
    view.trough_edit.clear()
    assert view.entry_error.isHidden() and view.entry_error.text() == ""


def test_only_the_refusal_of_the_field_edited_goes(qtbot, window, store):
    view = new_patient(window, store)
    enter(qtbot, view, days_ago=1, trough="14 mg", creatinine="85 kg")
    lines = view.entry_error.text().split("\n")
    assert [line.split(":")[0] for line in lines] == ["trough", "creatinine"]
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Backspace)  # "14 m": still being edited
    assert view.entry_error.text() == lines[1]  # the creatinine's refusal stays
    assert view.entry_error.isVisible()
    assert (view.trough_edit.text(), view.creatinine_edit.text()) == ("14 m", "85 kg")


def test_a_refusal_of_a_sample_goes_when_its_time_is_changed(qtbot, window, store):
    """R12.10 refuses a second result of the same sample (date and time): another time is
    another sample, and the refusal no longer applies."""
    view = new_patient(window, store)
    start_regimen(qtbot, view)
    qtbot.keyClicks(view.time_edit, "08:00")
    enter(qtbot, view, days_ago=1, trough="3.1")
    enter(qtbot, view, days_ago=1, trough="3.4")
    assert view.entry_error.isVisible()
    view.time_edit.clear()
    qtbot.keyClicks(view.time_edit, "20:00")
    assert view.entry_error.isHidden()
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert view.entry_error.isHidden()
    assert sorted(t.value.magnitude for t in store.load("W001").troughs()) == [3.1, 3.4]


def test_a_refused_trough_is_no_longer_said_after_a_dose_change_is_applied(qtbot, window, store):
    view = new_patient(window, store)
    start_regimen(qtbot, view)
    qtbot.keyClicks(view.time_edit, "08:00")
    enter(qtbot, view, days_ago=1, trough="3.1")
    enter(qtbot, view, days_ago=1, trough="3.4")
    assert view.entry_error.isVisible()
    view.calculator.rate_edit.clear()
    qtbot.keyClicks(view.calculator.rate_edit, "0.12")
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert [e.kind for e in store.load("W001").events] == [EventKind.START, EventKind.CHANGE]
    assert view.entry_error.isHidden() and view.entry_error.text() == ""


def test_a_refused_course_change_is_no_longer_said_after_the_next_result_is_added(
    qtbot, window, store
):
    """A stop needs its reason (R15): refused in the Course tab; Apply of the dose already
    given (R15.1): refused under the calculator. The next result added makes both old news."""
    view = new_patient(window, store)
    start_regimen(qtbot, view)
    panel = view.course_panel
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(EventKind.STOP.value))
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "a stop needs its reason" in panel.event_error.text()
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert view.apply_error.text() == (
        "change on 2026-01-20: dose: 3 mg is the dose already given; there is no change to"
        " record (R15.1)."
    )
    enter(qtbot, view, days_ago=1, trough="8.1")
    assert window.statusBar().currentMessage().startswith("Saved 1 result(s)")
    assert (panel.event_error.text(), view.apply_error.text()) == ("", "")
    assert panel.event_error.isHidden() and view.apply_error.isHidden()


def test_a_refused_apply_goes_when_the_start_date_is_edited(qtbot, window, store):
    view = new_patient(window, store)
    view.start_edit.clear()
    qtbot.keyClicks(view.calculator.weight_edit, "60")
    qtbot.keyClicks(view.calculator.rate_edit, "0.1")
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert view.apply_error.text() == "From: enter the start date."
    type_date(qtbot, view.start_edit, TODAY - timedelta(days=3))
    assert view.apply_error.text() == "" and view.apply_error.isHidden()


def test_select_a_result_first_goes_once_a_result_is_selected(qtbot, window, store):
    from tests.ui import click_result

    view = new_patient(window, store)
    enter(qtbot, view, days_ago=1, trough="8")
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert view.entry_error.text().startswith("Select a result first")
    click_result(qtbot, view, 0, "trough")
    assert view.entry_error.isHidden()
