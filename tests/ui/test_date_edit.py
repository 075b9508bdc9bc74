"""The date field typed into like a doctor: ISO and the locale's short format, what it
understood in words, and refusals next to the field with nothing typed lost (R12.4, R12.6)."""

from datetime import date

import pytest
from PySide6.QtCore import QLocale

from tacrocalc.ui.date_edit import DateEdit

TODAY = date(2026, 1, 20)


@pytest.fixture
def locale_named():
    """Sets the default locale for the widgets built in the test; restores it after."""
    before = QLocale()

    def use(name):
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)


def typed(qtbot, text, *, locale_named, name="en_GB", **bounds):
    locale_named(name)
    edit = DateEdit("Date of birth", today=TODAY, **bounds)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.keyClicks(edit.line_edit, text)
    return edit


@pytest.mark.parametrize(
    ("name", "text", "expected", "shown"),
    [
        # the QDateEdit this replaces gave 1980-04-12 and 1968-01-01 for the first two
        ("en_GB", "1968-04-12", date(1968, 4, 12), "12 April 1968"),
        ("en_GB", "12/04/1968", date(1968, 4, 12), "12 April 1968"),
        ("en_GB", "1/4/1968", date(1968, 4, 1), "1 April 1968"),
        ("en_US", "4/12/1968", date(1968, 4, 12), "12 April 1968"),
        ("en_US", "4/12/68", date(1968, 4, 12), "12 April 1968"),  # M/d/yy: the past century
        ("en_US", "1/5/26", date(2026, 1, 5), "5 January 2026"),  # not after today: this one
        ("de_DE", "12.04.1968", date(1968, 4, 12), "12 April 1968"),
        ("de_DE", "1968-04-12", date(1968, 4, 12), "12 April 1968"),
        ("nl_NL", "12-04-1968", date(1968, 4, 12), "12 April 1968"),
    ],
)
def test_iso_and_the_locales_short_format_are_read_and_said_in_words(
    qtbot, locale_named, name, text, expected, shown
):
    edit = typed(qtbot, text, locale_named=locale_named, name=name)
    assert edit.date() == expected
    assert edit.error() == ""
    assert edit.understood_label.text() == shown
    assert edit.understood_label.isVisible()


def test_the_example_in_the_placeholder_is_the_locales_own(qtbot, locale_named):
    edit = typed(qtbot, "", locale_named=locale_named, name="en_GB")
    assert edit.line_edit.placeholderText() == "1968-04-12 or 12/04/1968"
    assert edit.line_edit.accessibleName() == "Date of birth"
    assert not edit.understood_label.isVisible()


def test_a_future_date_is_refused_next_to_the_field_and_the_text_stays(qtbot, locale_named):
    edit = typed(qtbot, "21/01/2026", locale_named=locale_named)
    assert edit.date() is None
    assert edit.line_edit.text() == "21/01/2026"
    assert edit.understood_label.text() == (
        "Date of birth: 21 January 2026 is in the future (today is 20 January 2026)."
    )
    assert edit.understood_label.isVisible()
    assert "b00020" in edit.understood_label.styleSheet()  # red, as every refusal


def test_today_itself_is_accepted(qtbot, locale_named):
    assert typed(qtbot, "2026-01-20", locale_named=locale_named).date() == TODAY


def test_a_date_before_the_earliest_is_refused_with_its_name(qtbot, locale_named):
    edit = typed(
        qtbot,
        "1968-04-11",
        locale_named=locale_named,
        earliest=date(1968, 4, 12),
    )
    assert edit.date() is None
    assert edit.error() == (
        "Date of birth: 11 April 1968 is before the patient's birth (12 April 1968)."
    )
    qtbot.keyClicks(edit.line_edit, "\b2")  # correcting the last digit is enough
    assert edit.date() == date(1968, 4, 12)
    assert edit.error() == ""
    assert edit.understood_label.styleSheet() == ""


def test_not_a_date_says_how_to_type_one(qtbot, locale_named):
    edit = typed(qtbot, "31/02/1968", locale_named=locale_named)
    assert edit.date() is None
    assert edit.error() == (
        'Date of birth: "31/02/1968" is not a date; type it as 1968-04-12 or 12/04/1968.'
    )
    assert edit.line_edit.text() == "31/02/1968"


def test_empty_is_no_date_and_no_refusal(qtbot, locale_named):
    edit = typed(qtbot, "12/04/1968", locale_named=locale_named)
    seen = []
    edit.changed.connect(lambda _text: seen.append(edit.date()))
    edit.line_edit.clear()
    assert seen == [None]
    assert (edit.date(), edit.error(), edit.is_empty()) == (None, "", True)
    assert not edit.understood_label.isVisible()


def test_a_change_is_told_after_the_date_is_understood(qtbot, locale_named):
    edit = typed(qtbot, "12/04/196", locale_named=locale_named)
    seen = []
    edit.changed.connect(lambda _text: seen.append((edit.date(), edit.understood_label.text())))
    qtbot.keyClicks(edit.line_edit, "8")
    assert seen == [(date(1968, 4, 12), "12 April 1968")]


def test_a_date_set_by_the_program_is_shown_as_iso(qtbot, locale_named):
    edit = typed(qtbot, "", locale_named=locale_named, name="en_US")
    edit.set_date(date(1968, 4, 12))
    assert (edit.line_edit.text(), edit.date()) == ("1968-04-12", date(1968, 4, 12))


def test_bounds_moved_later_check_what_is_typed_again(qtbot, locale_named):
    edit = typed(qtbot, "2026-01-05", locale_named=locale_named)
    edit.set_bounds(earliest=date(2026, 1, 10), earliest_what="the start of treatment")
    assert edit.error() == (
        "Date of birth: 5 January 2026 is before the start of treatment (10 January 2026)."
    )


def test_focus_goes_to_the_line_edit(qtbot, locale_named):
    edit = typed(qtbot, "", locale_named=locale_named)
    assert edit.focusProxy() is edit.line_edit
