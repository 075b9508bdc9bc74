"""What is typed for the open patient and not yet added, in words: the question asked before
another patient (or another store) is opened.

A date or a time alone is not an entry: they are kept after a result is added, for the next
result of the same sample, and nothing is filed from them. Only what would be filed counts (a
trough, a creatinine, a blood pressure; in the Course tab a reason, an interacting drug, a
weight), each said as it would be filed, with its unit (R1.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from tacrocalc.domain.issues import Pressure
from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
from tacrocalc.domain.units import Kind, parse
from tacrocalc.present.patient import read_quick_entry
from tacrocalc.present.text import printable
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words, clock

NBSP = "\u00a0"

# What the row would file, as the question names it.
RESULT_NAMES = {"trough": "trough", "creatinine": "creatinine", "blood_pressure": "BP"}


@dataclass(frozen=True, slots=True, kw_only=True)
class TypedResults:
    """The quick-entry row as typed: the text of each field, and the date it understood (None
    when the date field is empty or refused)."""

    day: date | None
    day_text: str = ""
    sample_time: str = ""
    last_dose_time: str = ""
    trough: str = ""
    creatinine: str = ""
    blood_pressure: str = ""

    @property
    def would_file(self) -> bool:
        """Whether a result is typed (a date or a time alone is not one)."""
        return any(text.strip() for text in (self.trough, self.creatinine, self.blood_pressure))


def _as_typed(text: str) -> str:
    return f'"{printable(text.strip())}"'


def _result(name: str, text: str, units: DisplayUnits, *, decimal_comma: bool) -> str:
    """One result as it would be filed ("trough 6.5 µg/L", "BP 120/80 mmHg", the value and its
    unit joined by a no-break space), read as Add reads it (a bare number in the display unit,
    R12.5); what Add would refuse, as typed."""
    read = read_quick_entry(
        day=date.min,  # the values only: their date is said once, after them
        sample_time="",
        last_dose_time="",
        trough=text if name == "trough" else "",
        creatinine=text if name == "creatinine" else "",
        blood_pressure=text if name == "blood_pressure" else "",
        units=units,
        decimal_comma=decimal_comma,
    )
    label = RESULT_NAMES[name]
    if not read.observations:
        return f"{label} {_as_typed(text)} (cannot be added as typed)"
    words = Words(units)
    found = read.observations[0]
    if isinstance(found, Trough):
        value = words.quantity(found.value, Kind.TROUGH, below_limit=found.below_limit)
    elif isinstance(found, Creatinine):
        value = words.quantity(found.value, Kind.CREATININE)
    else:
        assert isinstance(found, BloodPressure)
        value = words.render(Pressure(found.systolic, found.diastolic))
    return f"{label} {value.replace(' ', NBSP)}"  # a value never wraps away from its unit


def _clock(text: str) -> str:
    """A time as Add reads it ("8" is 08:00); else as typed."""
    text = text.strip()
    try:
        return clock(time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00"))
    except ValueError:
        return _as_typed(text)


def typed_results(typed: TypedResults, units: DisplayUnits, *, decimal_comma: bool) -> str:
    """ "trough 6.5 µg/L, creatinine 90 µmol/L, taken on 2026-01-20 at 08:00, last dose at
    20:00"; "" when no result is typed, whatever the date and times hold."""
    if not typed.would_file:
        return ""
    parts = [
        _result(name, text, units, decimal_comma=decimal_comma)
        for name, text in (
            ("trough", typed.trough),
            ("creatinine", typed.creatinine),
            ("blood_pressure", typed.blood_pressure),
        )
        if text.strip()
    ]
    if typed.day is not None:
        when = f"taken on {typed.day.isoformat()}"
    elif typed.day_text.strip():
        when = f"dated {_as_typed(typed.day_text)} (not a date they can be filed under)"
    else:
        when = "with no date"
    if typed.sample_time.strip():
        when += f" at {_clock(typed.sample_time)}"
    parts.append(when)
    if typed.last_dose_time.strip():
        parts.append(f"last dose at {_clock(typed.last_dose_time)}")
    return ", ".join(parts)


def typed_in_course(
    *,
    reason: str,
    event_time: str,
    drug: str,
    weight: str,
    units: DisplayUnits,
    decimal_comma: bool,
) -> str:
    """What the Course tab would record: "reason infection at 08:00, interacting drug
    fluconazole, weight 62 kg"; "" when only a time is typed there."""
    parts = []
    if reason.strip():
        at = f" at {_clock(event_time)}" if event_time.strip() else ""
        parts.append(f"reason {printable(reason.strip())}{at}")
    if drug.strip():
        parts.append(f"interacting drug {printable(drug.strip())}")
    if weight.strip():
        parsed = parse(
            weight,
            Kind.WEIGHT,
            field="weight",
            default_unit=units.unit(Kind.WEIGHT),
            decimal_comma=decimal_comma,
        )
        if parsed.quantity is None:
            parts.append(f"weight {_as_typed(weight)} (cannot be recorded as typed)")
        else:
            value = Words(units).quantity(parsed.quantity, Kind.WEIGHT)
            parts.append(f"weight {value.replace(' ', NBSP)}")
    return ", ".join(parts)


def unfiled(results: str, course: str) -> str:
    """Everything typed and not yet added, in one line ("" when nothing)."""
    parts = [results] if results else []
    if course:
        parts.append(f"in the Course tab: {course}")
    return "; ".join(parts)


def patient_name(name: str, patient_id: str) -> str:
    """ "Zoë Walker (W001)": the patient named as a clinician checks a wristband."""
    return f"{name} ({patient_id})" if name else patient_id


def unfiled_question(name: str, patient_id: str, typed: str) -> str:
    """The question asked before another patient is opened with something typed for this one."""
    who = patient_name(name, patient_id)
    return (
        f"For {who}, these are typed but not added: {typed}.\n\n"
        f"Add them to {who}, discard them, or stay on {who}?"
    )
