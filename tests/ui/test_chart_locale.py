"""Issue 12: the window's chart axis wrote its months in Qt's default locale ("3 août 2026" on
a French workstation) in an otherwise English window. The axis is English whatever the
computer's language."""

import re

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QGraphicsTextItem

from tests.french import FRENCH_MONTHS
from tests.present.course_records import switch_and_hold
from tests.ui.test_chart_reading import show

ENGLISH_DAY = re.compile(r"^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")


@pytest.fixture
def french_qt():
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    yield
    QLocale.setDefault(previous)


def axis_dates(panel) -> list[str]:
    QApplication.processEvents()
    texts = [i.toPlainText() for i in panel.scene().items() if isinstance(i, QGraphicsTextItem)]
    return [t for t in texts if re.search(r"\d{4}$", t)]


@pytest.mark.usefixtures("french_qt")
def test_the_date_axis_is_english_on_a_french_workstation(qtbot, seed):
    assert QLocale().toString(QLocale().toDate("2026-08-03", "yyyy-MM-dd"), "MMM") == "août"
    view = show(qtbot, switch_and_hold(), seed)
    for panel in view.panels:
        dates = axis_dates(panel)
        assert len(dates) >= 4
        assert [d for d in dates if FRENCH_MONTHS.search(d)] == []
        assert all(ENGLISH_DAY.match(d) for d in dates), dates
