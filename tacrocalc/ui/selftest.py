"""`tacrocalc --self-test`: the window built offscreen on a temporary store, one patient entered
through the same code paths as a user's clicks, and what it then shows checked. The smoke test
of installed and frozen builds; exit status 0 when every check passes."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path


def run_self_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tacrocalc.ui.app import _prepare_environment, load_fonts

    _prepare_environment()
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tacrocalc.domain.record import Patient, Sex
    from tacrocalc.records.protocol_files import available_protocols, load_protocol
    from tacrocalc.records.store import Store
    from tacrocalc.ui.main_window import MainWindow
    from tacrocalc.ui.settings import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    failures: list[str] = []

    def check(what: str, ok: bool) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    check("the bundled font loads", bool(load_fonts()))
    today = date(2026, 1, 20)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "data", protocol_for=load_protocol)
        window = MainWindow(
            store,
            load_protocol,
            available_protocols(),
            Settings(Path(folder) / "settings.ini"),
            today=lambda: today,
        )
        window.show()
        store.save_patient(
            Patient(id="SELFTEST", name="Self Test", birth_date=date(1980, 1, 1), sex=Sex.FEMALE),
            protocol_id="seed-1997",
            today=today,
        )
        window.patients.refresh()
        QTest.keyClicks(window.patients.search_edit, "self")
        check("the search finds the patient", window.patients.model.rowCount() == 1)
        check("the patient opens", window.open_patient("SELFTEST"))
        view = window.view
        calculator = view.calculator
        assert calculator is not None
        view.start_edit.clear()
        QTest.keyClicks(view.start_edit.line_edit, "2026-01-05")  # typed as a doctor types it
        QTest.keyClicks(calculator.weight_edit, "72")
        QTest.keyClicks(calculator.rate_edit, "0.1")
        check(
            "72 kg × 0.1 mg/kg/day gives 3.5 mg every 12 hours",
            calculator.dose_label.text() == "3.5 mg every 12 hours",
        )
        view.apply_button.click()
        check("the regimen is saved", len(store.load("SELFTEST").regimens) == 1)  # type: ignore[union-attr]
        view.date_edit.clear()
        QTest.keyClicks(view.date_edit.line_edit, "2026-01-14")
        QTest.keyClicks(view.trough_edit, "8.1")
        QTest.keyClicks(view.creatinine_edit, "85")
        QTest.keyClicks(view.bp_edit, "150/95")
        view.add_button.click()
        check(
            "the three results in one row of the table",
            [len(view.table_model.row(r).cells) for r in range(view.table_model.rowCount())]
            == [0, 3],  # the start of 2026-01-05, then the day of the results
        )
        check("hypertension is an alert", "hypertension" in view.alerts_label.text())
        first = view.schedule_table.item(0, 2)
        check("check 1 is done", first is not None and first.text().startswith("done 2026-01-14"))
        check("the trough is on the chart", view.charts.trough_chart.point_count() == 1)
        pdf = window.plan_bytes()
        check("the plan renders", pdf is not None and pdf.startswith(b"%PDF"))
        from tacrocalc.ui.app import tear_down

        tear_down(app, window)
        store.close()
    print("self-test passed" if not failures else f"self-test FAILED: {len(failures)} check(s)")
    return 0 if not failures else 1
