"""What is accepted as input (R12): bounds of observations and dates."""

from __future__ import annotations

import unicodedata
from datetime import date, time

from tacrocalc.domain.issues import Issue, IssueCode, Measure, Pressure
from tacrocalc.domain.protocol import Formulation, Protocol
from tacrocalc.domain.units import Kind, Quantity, magnitude, stored_unit


def _bounds(
    value: Quantity,
    low: Quantity,
    high: Quantity,
    kind: Kind,
    *,
    field: str,
    rule: str,
    low_inclusive: bool = True,
) -> tuple[Issue, ...]:
    unit = stored_unit(kind)
    number = magnitude(value, unit)
    lo, hi = magnitude(low, unit), magnitude(high, unit)
    above_low = number >= lo if low_inclusive else number > lo
    if above_low and number <= hi:
        return ()
    return (
        Issue.refusal(
            IssueCode.OUT_OF_BOUNDS,
            field=field,
            value=Measure(kind, value),
            low=Measure(kind, low),
            high=Measure(kind, high),
            rule=rule,
        ),
    )


def check_trough(
    value: Quantity, protocol: Protocol, *, field: str = "trough"
) -> tuple[Issue, ...]:
    """R12.2: 0-200 µg/L."""
    return _bounds(
        value,
        protocol.values.trough_min,
        protocol.values.trough_max,
        Kind.TROUGH,
        field=field,
        rule="R12.2",
    )


def check_dose(value: Quantity, protocol: Protocol, *, field: str = "dose") -> tuple[Issue, ...]:
    """R12.7: a dose per administration above 0 and at most the input bound (a dose no rate of
    R4 can reach); a larger number is a typing error, refused before any arithmetic."""
    return _bounds(
        value,
        protocol.values.dose_min,
        protocol.values.dose_max,
        Kind.DOSE,
        field=field,
        rule="R12.7",
        low_inclusive=False,
    )


def check_creatinine(
    value: Quantity, protocol: Protocol, *, field: str = "creatinine"
) -> tuple[Issue, ...]:
    """R12.3: 10-2000 µmol/L."""
    return _bounds(
        value,
        protocol.values.creatinine_min,
        protocol.values.creatinine_max,
        Kind.CREATININE,
        field=field,
        rule="R12.3",
    )


def check_blood_pressure(
    systolic: Quantity, diastolic: Quantity, protocol: Protocol, *, field: str = "blood pressure"
) -> tuple[Issue, ...]:
    """R12.3: systolic 50-300, diastolic 20-200 mmHg, systolic above diastolic."""
    issues = _bounds(
        systolic,
        protocol.values.systolic_min,
        protocol.values.systolic_max,
        Kind.PRESSURE,
        field=f"{field} (systolic)",
        rule="R12.3",
    )
    issues += _bounds(
        diastolic,
        protocol.values.diastolic_min,
        protocol.values.diastolic_max,
        Kind.PRESSURE,
        field=f"{field} (diastolic)",
        rule="R12.3",
    )
    if not issues and magnitude(systolic, "mmHg") <= magnitude(diastolic, "mmHg"):
        issues = (
            Issue.refusal(
                IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC,
                field=field,
                value=Pressure(systolic, diastolic),
            ),
        )
    return issues


def check_date(
    day: date, *, today: date, birth_date: date | None, field: str = "date"
) -> tuple[Issue, ...]:
    """R12.4: not in the future, not before the patient's birth."""
    if day > today:
        return (
            Issue.refusal(
                IssueCode.DATE_IN_FUTURE,
                field=field,
                value=day,
                today=today,
            ),
        )
    if birth_date is not None and day < birth_date:
        return (
            Issue.refusal(
                IssueCode.DATE_BEFORE_BIRTH,
                field=field,
                value=day,
                birth_date=birth_date,
            ),
        )
    return ()


def check_dose_times(
    times: tuple[time, ...], formulation: Formulation, protocol: Protocol, *, field: str = "times"
) -> tuple[Issue, ...]:
    """R2.2: as many times as the product's administrations a day; two times 12 hours apart,
    within the protocol's tolerance (11 to 13 hours)."""
    shown = times
    if len(times) != formulation.administrations_per_day:
        return (
            Issue.refusal(
                IssueCode.BAD_DOSE_TIMES,
                field=field,
                value=shown,
                count=formulation.administrations_per_day,
            ),
        )
    if len(times) == 2:
        first, second = (t.hour * 60 + t.minute for t in times)
        gap = (second - first) % (24 * 60)
        interval = formulation.interval.total_seconds() / 60
        tolerance = protocol.values.dose_interval_tolerance_hours * 60
        if abs(gap - interval) > tolerance:
            return (
                Issue.refusal(
                    IssueCode.DOSE_TIMES_NOT_12_HOURS,
                    field=field,
                    value=shown,
                    low=round((interval - tolerance) / 60),
                    high=round((interval + tolerance) / 60),
                ),
            )
    return ()


# Lengths of what identifies a patient: an id fits a hospital number with room to spare, a name
# any person's full name.
ID_MAX_LENGTH = 40
NAME_MAX_LENGTH = 200


def check_label(text: str, *, field: str, max_length: int) -> tuple[Issue, ...]:
    """An id or a name that reads as what it is: not empty, not too long, and without control,
    format or bidirectional characters (NUL, newline, ESC, zero-width space, right-to-left
    override), which print raw or make one id look like another."""
    if not text.strip():
        return (Issue.refusal(IssueCode.MISSING_VALUE, field=field, value=""),)
    if len(text) > max_length:
        return (
            Issue.refusal(
                IssueCode.BAD_TEXT,
                field=field,
                value=text[:40] + "…",
                reason=f"longer than {max_length} characters",
            ),
        )
    hidden = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if hidden:
        return (
            Issue.refusal(
                IssueCode.BAD_TEXT,
                field=field,
                value=text.encode("unicode_escape").decode("ascii"),
                reason=f"it holds an invisible or control character (U+{ord(hidden[0]):04X})",
            ),
        )
    return ()
