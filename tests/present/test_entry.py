"""What is typed and not yet added, in words (present/entry.py): only what would be filed,
each value with its unit as it would be filed (R1.4, R12.5)."""

from datetime import date

import pytest

from tacrocalc.present.entry import TypedResults, typed_in_course, typed_results
from tacrocalc.present.units import DisplayUnits

DAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (TypedResults(day=DAY, sample_time="23:30", last_dose_time="11:30"), ""),
        (TypedResults(day=DAY, trough="6.5"), "trough 6.5 µg/L, taken on 2026-11-27"),
        (
            TypedResults(day=DAY, sample_time="8", trough="<2", blood_pressure="140/90"),
            "trough <2 µg/L, BP 140/90 mmHg, taken on 2026-11-27 at 08:00",
        ),
        (
            TypedResults(day=None, day_text="31/02", creatinine="1 mg/dL"),
            'creatinine 88.4 µmol/L, dated "31/02" (not a date they can be filed under)',
        ),
        (
            TypedResults(day=None, trough="8 kg"),
            'trough "8 kg" (cannot be added as typed), with no date',
        ),
    ],
)
def test_only_what_would_be_filed_is_said_with_its_unit(typed, said):
    """A value and its unit are joined by a no-break space: never wrapped apart."""
    shown = typed_results(typed, DisplayUnits(), decimal_comma=False)
    assert shown.replace("\u00a0", " ") == said
    assert " µg/L" not in shown and " µmol/L" not in shown and " mmHg" not in shown


def test_the_course_tab_says_what_it_would_record_and_not_a_time_alone():
    units = DisplayUnits()
    assert (
        typed_in_course(
            reason="", event_time="08:00", drug="", weight="", units=units, decimal_comma=False
        )
        == ""
    )
    assert typed_in_course(
        reason="infection",
        event_time="8",
        drug="fluconazole",
        weight="62,5",
        units=units,
        decimal_comma=True,
    ) == ("reason infection at 08:00, interacting drug fluconazole, weight 62.5\u00a0kg")
