"""What is accepted as input (R12): bounds of observations and dates."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time

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
    below_limit: bool = False,
) -> tuple[Issue, ...]:
    unit = stored_unit(kind)
    number = magnitude(value, unit)
    lo, hi = magnitude(low, unit), magnitude(high, unit)
    above_low = number >= lo if low_inclusive else number > lo
    if above_low and number <= hi:
        return ()
    return (
        Issue.refusal(
            # "0 mg is outside 0 mg to 100 mg" would read as inside: an open lower end is named
            IssueCode.OUT_OF_BOUNDS if low_inclusive else IssueCode.NOT_ABOVE_LOWER_BOUND,
            field=field,
            value=Measure(kind, value, below_limit=below_limit),
            low=Measure(kind, low),
            high=Measure(kind, high),
            rule=rule,
        ),
    )


def check_trough(
    value: Quantity, protocol: Protocol, *, field: str = "trough", below_limit: bool = False
) -> tuple[Issue, ...]:
    """R12.2: 0.5-200 µg/L in the seed protocol. A number below the lower bound, which no assay
    measures, is refused with what to enter instead: a result below the assay's limit ("<2").
    A result entered so (`below_limit`, "<0.3") names the assay's limit, which no assay has
    below that bound either: refused with the limit to enter instead."""
    low = protocol.values.trough_min
    if magnitude(value, stored_unit(Kind.TROUGH)) < magnitude(low, stored_unit(Kind.TROUGH)):
        return (
            Issue.refusal(
                IssueCode.LIMIT_NOT_MEASURABLE if below_limit else IssueCode.TROUGH_NOT_MEASURABLE,
                field=field,
                value=Measure(Kind.TROUGH, value, below_limit=below_limit),
                limit=Measure(Kind.TROUGH, low),
            ),
        )
    return _bounds(
        value,
        protocol.values.trough_min,
        protocol.values.trough_max,
        Kind.TROUGH,
        field=field,
        rule="R12.2",
        below_limit=below_limit,
    )


def check_target_trough(
    value: Quantity, protocol: Protocol, *, field: str = "target trough"
) -> tuple[Issue, ...]:
    """R5.6 and R12.2: a trough, an end (or the upper-end caution) of a patient's own trough
    range, lies within the bounds of a trough, however it arrives (typed, imported, stored)."""
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


def earliest_date(today: date, protocol: Protocol) -> date:
    """R12.4: the earliest date TacroCalc accepts for a birth, and so for anything dated: the
    protocol's oldest age before today."""
    years = protocol.values.age_max_years
    try:
        return today.replace(year=max(today.year - years, 1))
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=max(today.year - years, 1), day=28)


def check_birth_date(
    day: date, *, today: date, protocol: Protocol, field: str = "birth date"
) -> tuple[Issue, ...]:
    """R12.4: a birth date not in the future and at most the protocol's oldest age ago."""
    return check_date(
        day, today=today, birth_date=None, field=field, earliest=earliest_date(today, protocol)
    )


def check_sample_time(
    day: date, at: time | None, *, now: datetime, field: str = "time"
) -> tuple[Issue, ...]:
    """R12.4: a sample taken today is not timed later than now (the local time `now`): a
    result is recorded after its sample is taken, and a time in the future would put it after
    a dose change recorded since, on the wrong dose."""
    if at is None or day != now.date() or at.replace(second=0, microsecond=0) <= now.time():
        return ()
    return (
        Issue.refusal(
            IssueCode.TIME_IN_FUTURE,
            field=field,
            value=at,
            day=day,
            now=now.time().replace(second=0, microsecond=0),
        ),
    )


def check_date(
    day: date,
    *,
    today: date,
    birth_date: date | None,
    field: str = "date",
    earliest: date | None = None,
) -> tuple[Issue, ...]:
    """R12.4: not in the future, not before the patient's birth; with `earliest` (from
    `earliest_date`), not before any living patient's birth either, birth date known or not."""
    if earliest is not None and day < earliest:
        return (
            Issue.refusal(
                IssueCode.DATE_TOO_EARLY,
                field=field,
                value=day,
                earliest=earliest,
                years=today.year - earliest.year,
            ),
        )
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
# any person's full name; any other text (a reason, a note, who recorded an event, the source
# of a range) a paragraph.
ID_MAX_LENGTH = 40
NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 2000

# Bidirectional controls: they reorder what follows them on screen (U+202E shows "ABC" as
# "CBA"), so that a text reads as another.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


SHOWN_LENGTH = 40  # characters of a refused text shown back in the refusal


def _hidden(c: str, *, format_too: bool) -> bool:
    """A character that prints raw or reorders the text around it: control characters, lone
    surrogates, line and paragraph separators, bidirectional controls; with `format_too`, every
    format character (the zero-width space too)."""
    category = unicodedata.category(c)
    return (
        category in ("Cc", "Cs", "Zl", "Zp")
        or c in _BIDI_CONTROLS
        or (format_too and category == "Cf")
    )


def shown(text: str, *, format_too: bool = True) -> str:
    """A refused text as a refusal shows it back: each hidden character written as its escape
    ("\\x1b", "\\u202e"), other characters as they are, at most `SHOWN_LENGTH` characters."""
    escaped = "".join(
        c.encode("unicode_escape").decode("ascii") if _hidden(c, format_too=format_too) else c
        for c in text[: SHOWN_LENGTH + 1]
    )
    return escaped if len(escaped) <= SHOWN_LENGTH else escaped[:SHOWN_LENGTH] + "…"


def _check_printable(
    text: str, *, field: str, max_length: int, format_too: bool
) -> tuple[Issue, ...]:
    if len(text) > max_length:
        return (
            Issue.refusal(
                IssueCode.BAD_TEXT,
                field=field,
                value=shown(text, format_too=format_too),
                reason=f"longer than {max_length} characters",
            ),
        )
    hidden = next((c for c in text if _hidden(c, format_too=format_too)), None)
    if hidden is not None:
        return (
            Issue.refusal(
                IssueCode.BAD_TEXT,
                field=field,
                value=shown(text, format_too=format_too),
                reason=f"it holds an invisible or control character (U+{ord(hidden):04X})",
            ),
        )
    return ()


def check_label(text: str, *, field: str, max_length: int) -> tuple[Issue, ...]:
    """R12.9: an id or a name that reads as what it is: not empty, not too long, and without
    control, format or bidirectional characters (NUL, newline, ESC, zero-width space,
    right-to-left override), which print raw or make one id look like another."""
    if not text.strip():
        return (Issue.refusal(IssueCode.MISSING_VALUE, field=field, value=""),)
    return _check_printable(text, field=field, max_length=max_length, format_too=True)


def check_text(text: str, *, field: str, max_length: int = TEXT_MAX_LENGTH) -> tuple[Issue, ...]:
    """R12.9: free text (a reason, a note, who recorded an event, the source of a range):
    possibly empty, not too long, and without control characters (NUL, newline, ESC: they
    print raw) or bidirectional controls. Other format characters stay: the zero-width joiner
    and non-joiner are part of how some scripts and emoji are written."""
    return _check_printable(text, field=field, max_length=max_length, format_too=False)
