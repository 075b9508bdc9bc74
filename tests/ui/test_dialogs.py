"""The small dialogs typed into and clicked like a doctor: a new patient (no default date of
birth or sex, protocols by title, an own trough range, R5.6), the reason asked before a
deletion, and the history as a table."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QLabel

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import Patient, Sex, Trough
from tacrocalc.domain.units import q
from tacrocalc.present.units import DisplayUnits
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.dialogs import HistoryDialog, PatientDialog, ReasonDialog

TODAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def en_gb():
    before = QLocale()
    QLocale.setDefault(QLocale("en_GB"))
    yield
    QLocale.setDefault(before)


def patient_dialog(qtbot, **kwargs):
    kwargs.setdefault("today", TODAY)
    dialog = PatientDialog(available_protocols(), "seed-1997", **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def save(qtbot, dialog):
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def fill(qtbot, dialog, *, pid="N1", name="Nia Okafor", born="12/04/1968", sex="f"):
    qtbot.keyClicks(dialog.id_edit, pid)
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClicks(dialog.birth_edit.line_edit, born)
    if sex:
        qtbot.keyClicks(dialog.sex_combo, sex)


# -- a new patient ------------------------------------------------------------------------------


def test_a_new_patient_has_no_date_of_birth_or_sex_until_typed(qtbot):
    dialog = patient_dialog(qtbot)
    assert dialog.birth_edit.text() == ""
    assert dialog.sex_combo.currentIndex() == -1
    assert dialog.sex_combo.currentText() == ""  # the placeholder "choose" shows, not "female"
    qtbot.keyClicks(dialog.id_edit, "N1")
    qtbot.keyClicks(dialog.name_edit, "Nia Okafor")
    save(qtbot, dialog)
    assert dialog.isVisible()  # not saved
    assert dialog.error_label.text().splitlines() == [
        "Date of birth: a date is needed.",
        "Sex: choose female, male or other.",
    ]


def test_a_new_patient_typed_like_a_doctor(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog, born="12/04/1968", sex="m")
    assert dialog.birth_edit.understood_label.text() == "12 April 1968"
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.patient() == Patient(
        id="N1", name="Nia Okafor", birth_date=date(1968, 4, 12), sex=Sex.MALE
    )
    assert (dialog.protocol_id, dialog.target) == ("seed-1997", None)


def test_iso_date_of_birth_is_not_turned_into_another_year(qtbot):
    # the QDateEdit this replaces gave 1980-04-12 for these keys
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog, born="1968-04-12")
    save(qtbot, dialog)
    assert dialog.patient().birth_date == date(1968, 4, 12)


def test_a_future_date_of_birth_is_refused_beside_the_field_and_kept(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog, born="21/01/2026")
    assert dialog.birth_edit.understood_label.text() == (
        "Date of birth: 21 January 2026 is in the future (today is 20 January 2026)."
    )
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "Date of birth: 21 January 2026 is in the future" in dialog.error_label.text()
    assert dialog.birth_edit.text() == "21/01/2026"
    assert dialog.name_edit.text() == "Nia Okafor"  # nothing else typed is lost (R12.6)


def test_an_empty_id_is_refused_by_name(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog, pid="")
    save(qtbot, dialog)
    assert dialog.error_label.text() == "Patient id: a value is needed."


def test_an_existing_patients_details_are_shown(qtbot):
    patient = Patient(id="H1", name="Ann", birth_date=date(1968, 4, 12), sex=Sex.OTHER)
    dialog = patient_dialog(qtbot, patient=patient, protocol_id="prograf-us-kidney-mmf")
    assert dialog.id_edit.isReadOnly()
    assert dialog.birth_edit.text() == "1968-04-12"
    assert dialog.sex_combo.currentText() == "other"
    assert dialog.protocol_id == "prograf-us-kidney-mmf"
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert dialog.patient() == patient


# -- protocols by title, with source and range ---------------------------------------------------


def test_protocols_are_listed_by_title_with_source_and_range(qtbot):
    dialog = patient_dialog(qtbot, units=DisplayUnits(trough="ng/mL"))
    titles = [dialog.protocol_combo.itemText(i) for i in range(dialog.protocol_combo.count())]
    assert "Tacrolimus in severe SLE (Duddridge & Powell 1997)" in titles
    assert not set(titles) & set(available_protocols())  # no bare ids
    first, *rest = dialog.protocol_label.text().splitlines()
    assert first == "Trough range 4 to 25 ng/mL, upper end from 20 ng/mL."
    assert " ".join(rest) == f"Source: {load_protocol('seed-1997').source}"
    dialog.protocol_combo.setCurrentIndex(
        dialog.protocol_combo.findData("kdigo-2024-lupus-nephritis")
    )
    assert dialog.protocol_label.text().startswith("Trough range 4 to 6 ng/mL.\nSource: KDIGO")
    assert dialog.protocol_id == "kdigo-2024-lupus-nephritis"
    assert dialog.low_edit.placeholderText() == "4"
    assert dialog.high_edit.placeholderText() == "6"


# -- the patient's own trough range (R5.6) --------------------------------------------------------


def test_an_own_trough_range_in_the_display_unit(qtbot):
    dialog = patient_dialog(qtbot, units=DisplayUnits(trough="nmol/L"))
    fill(qtbot, dialog)
    qtbot.keyClicks(dialog.low_edit, "6")
    qtbot.keyClicks(dialog.high_edit, "12")
    qtbot.keyClicks(dialog.source_edit, "renal team, 2026-01-19")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    target = dialog.target
    # nmol/L to µg/L through the molar mass of tacrolimus (804.0 g/mol): 6 nmol/L = 4.82 µg/L
    assert round(target.low.to("ug/L").magnitude, 2) == 4.82
    assert round(target.high.to("ug/L").magnitude, 2) == 9.65
    assert target.caution is None  # the seed's 20 µg/L lies outside this range
    assert target.source == "renal team, 2026-01-19"


def test_an_own_range_outside_the_protocols_bounds_is_refused_with_the_reason(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog)
    qtbot.keyClicks(dialog.low_edit, "4")
    qtbot.keyClicks(dialog.high_edit, "250")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_label.text() == (
        "Own trough range, high end: 250 µg/L is outside the accepted range 0.5 µg/L to"
        " 200 µg/L (R12.2). Check the value and its unit."
    )


def test_an_own_range_upside_down_or_half_typed_is_refused(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog)
    qtbot.keyClicks(dialog.low_edit, "10")
    save(qtbot, dialog)
    assert dialog.error_label.text() == (
        "Own trough range: the high end is empty; give both ends, or neither to use the"
        " protocol's range."
    )
    qtbot.keyClicks(dialog.high_edit, "5")
    save(qtbot, dialog)
    assert dialog.error_label.text() == (
        "Own trough range: the low end 10 µg/L must be below the high end 5 µg/L."
    )
    assert dialog.isVisible()


def test_the_range_kept_is_shown_again_and_the_protocols_caution_kept_inside_it(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog)
    qtbot.keyClicks(dialog.low_edit, "5")
    qtbot.keyClicks(dialog.high_edit, "22")
    save(qtbot, dialog)
    target = dialog.target
    assert target.caution == load_protocol("seed-1997").values.trough_caution  # 20 µg/L (R5.3)
    assert target.source == "set for this patient"
    again = patient_dialog(qtbot, patient=dialog.patient(), target=target)
    assert (again.low_edit.text(), again.high_edit.text()) == ("5", "22")
    assert again.source_edit.text() == ""  # the default source is not typed text


# -- the keyboard -----------------------------------------------------------------------------


def mnemonics(widget):
    """The Alt+letter of every label and button of a window that has one."""
    letters = []
    for child in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton):
        match = re.search(r"&([^&\s])", child.text().replace("&&", ""))
        if match and child.isVisibleTo(widget):
            letters.append(match[1].lower())
    return letters


@pytest.mark.parametrize(
    "build",
    [
        lambda: PatientDialog(available_protocols(), "seed-1997", today=TODAY),
        lambda: ReasonDialog("Delete the trough of 2026-01-19 (8.1 µg/L)?"),
    ],
    ids=["patient", "reason"],
)
def test_no_two_widgets_of_a_dialog_share_a_mnemonic(qtbot, build):
    dialog = build()
    qtbot.addWidget(dialog)
    letters = mnemonics(dialog)
    assert letters  # a dialog without any proves nothing
    assert len(letters) == len(set(letters)), letters


def test_alt_letters_go_to_their_fields(qtbot):
    dialog = patient_dialog(qtbot)
    dialog.id_edit.setFocus()
    for key, field in (
        (Qt.Key.Key_B, dialog.birth_edit.line_edit),
        (Qt.Key.Key_S, dialog.sex_combo),
        (Qt.Key.Key_P, dialog.protocol_combo),
        (Qt.Key.Key_T, dialog.low_edit),
        (Qt.Key.Key_O, dialog.source_edit),
        (Qt.Key.Key_N, dialog.name_edit),
    ):
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is field, key


def test_tab_follows_the_reading_order(qtbot):
    dialog = patient_dialog(qtbot)
    dialog.id_edit.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in range(10):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert [w.objectName() or w.text() for w in seen] == [
        "id_edit",
        "name_edit",
        "line_edit",  # the date of birth
        "sex_combo",
        "protocol_combo",
        "low_edit",
        "high_edit",
        "source_edit",
        "nephrotoxicity_check",
        "Save",
        "Cancel",
    ]
    assert seen[2] is dialog.birth_edit.line_edit


def test_every_input_has_an_accessible_name(qtbot):
    dialog = patient_dialog(qtbot)
    for field in (
        dialog.id_edit,
        dialog.name_edit,
        dialog.birth_edit.line_edit,
        dialog.sex_combo,
        dialog.protocol_combo,
        dialog.low_edit,
        dialog.high_edit,
        dialog.source_edit,
    ):
        assert field.accessibleName(), field.objectName()


# -- a reason before a deletion ----------------------------------------------------------------


def test_delete_is_disabled_until_a_reason_is_typed(qtbot):
    dialog = ReasonDialog("Delete the trough of 2026-01-19 (8.1 µg/L)?")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ok_button.text() == "Delete"
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason_edit, "entered under the wrong patient")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.reason() == "entered under the wrong patient"


def test_cancel_deletes_nothing(qtbot):
    dialog = ReasonDialog("Delete the hold of 2026-01-10?")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.reason_edit, "typo")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected


# -- the history as a table ------------------------------------------------------------------


def test_the_history_is_a_readable_table(qtbot, tmp_path):
    clock = iter(
        datetime(2026, 1, 19, 9, minute, tzinfo=UTC) for minute in range(0, 60, 5)
    ).__next__
    with Store(tmp_path / "d", protocol_for=load_protocol, clock=clock, user="dr.ana") as store:
        store.save_patient(
            Patient(id="H1", name="Ann", birth_date=date(1968, 4, 12), sex=Sex.FEMALE),
            protocol_id="seed-1997",
            today=TODAY,
        )
        written = store.add_observation(
            "H1", Trough(date=date(2026, 1, 19), value=q(8.1, "ug/L")), today=TODAY
        )
        store.correct_observation(
            written.id, Trough(date=date(2026, 1, 19), value=q(9.2, "ug/L")), today=TODAY
        )
        event = store.add_event(
            "H1",
            CourseEvent(
                kind=EventKind.START,
                date=date(2026, 1, 5),
                formulation=FormulationId.IR_CAPSULE,
                dose=q(2, "mg"),
            ),
            today=TODAY,
        )
        store.delete_event(event.id, today=TODAY, reason="entered twice")
        entries = store.history("H1")
    plus_one = timezone(timedelta(hours=1))
    dialog = HistoryDialog(
        entries,
        units=DisplayUnits(trough="ng/mL"),
        protocol=load_protocol("seed-1997"),
        to_local=lambda t: t.astimezone(plus_one),
    )
    qtbot.addWidget(dialog)
    table = dialog.table
    cells = [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["When (local time)", "By", "What changed", "Before", "After", "Reason"]
    assert cells[0][0] == "2026-01-19 10:00"  # stored at 09:00 UTC; shown one hour ahead
    assert all(row[0].startswith("2026-01-19 10:") for row in cells)
    assert [row[1:3] for row in cells] == [
        ["dr.ana", "patient added"],
        ["dr.ana", "trough added"],
        ["dr.ana", "trough corrected"],
        ["dr.ana", "start of treatment added"],
        ["dr.ana", "start of treatment deleted"],
    ]
    assert cells[2][3:5] == ["8.1 ng/mL on 2026-01-19", "9.2 ng/mL on 2026-01-19"]
    assert cells[4][3] == (
        "2026-01-05: 2 mg Immediate-release tacrolimus capsules (Prograf and generics)"
        " every 12 hours at 08:00 and 20:00"
    )
    assert cells[4][4] == ""
    assert cells[4][5] == "entered twice"
    text = " ".join(" ".join(row) for row in cells)
    assert not re.search(r"[{}]|'\w+': ", text)  # no Python dicts
    assert cells[0][4] == (
        "name: Ann; born: 1968-04-12; sex: female;"
        " protocol: Tacrolimus in severe SLE (Duddridge & Powell 1997);"
        " prior ciclosporin nephrotoxicity: no; own trough range: none (the protocol's)"
    )
    assert str(written.id) not in [c for row in cells for c in row]  # no row ids
    assert not dialog.empty_label.isVisible()


def test_refusals_and_the_date_read_never_squeeze_the_fields(qtbot):
    dialog = patient_dialog(qtbot)
    fill(qtbot, dialog, born="21/01/2026", sex="")
    qtbot.keyClicks(dialog.high_edit, "250")
    save(qtbot, dialog)
    qtbot.wait(50)  # the layout request is handled in the event loop
    assert len(dialog.error_label.text().splitlines()) == 3
    for widget in (
        dialog.birth_edit.line_edit,
        dialog.birth_edit.understood_label,
        dialog.sex_combo,
        dialog.protocol_label,
        dialog.low_edit,
        dialog.error_label,
    ):
        assert widget.height() >= widget.minimumSizeHint().height(), widget.objectName()
        if widget.hasHeightForWidth():  # wrapped text: every line of it shown
            needed = widget.heightForWidth(widget.width())
            assert widget.height() >= needed, widget.objectName()
    assert dialog.protocol_label.height() >= dialog.protocol_label.sizeHint().height()


def test_the_own_range_typed_in_the_window_is_stored_and_shown_again(
    qtbot, window, store, monkeypatch
):
    """R5.6 end to end: typed in the new-patient dialog, kept by the store, shown on edit."""
    from tacrocalc.ui import dialogs as module

    shown = []

    class Typed(module.PatientDialog):
        def exec(self):
            shown.append((self.low_edit.text(), self.high_edit.text(), self.source_edit.text()))
            if len(shown) == 1:
                fill(qtbot, self)
                qtbot.keyClicks(self.low_edit, "5")
                qtbot.keyClicks(self.high_edit, "10")
                qtbot.keyClicks(self.source_edit, "renal team")
            self._on_buttons_accepted()
            return self.result() == self.DialogCode.Accepted

    monkeypatch.setattr(module, "PatientDialog", Typed)
    window.new_patient()
    target = store.load("N1").target_trough
    assert (target.low.to("ug/L").magnitude, target.high.to("ug/L").magnitude) == (5, 10)
    assert target.source == "renal team"
    window.edit_patient()
    assert shown == [("", "", ""), ("5", "10", "renal team")]
    assert store.load("N1").target_trough.source == "renal team"  # kept, not dropped on edit
