"""Dates in words: what a date field understood, and why it refused a date.

A typed date is echoed back with the month written out ("12 April 1968"), so that 12/04/1968
read as the 4th of December shows at once. Every month written out is English whatever the
computer's language: the window and the plan are English documents. A refusal names the field,
the date and the reason (R12.4, R12.6).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from tacrocalc.present.text import printable

MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """ "12 April 1968": a date no reader can take for another."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: date) -> str:
    """ "Aug 2026": a month on a date axis, in English whatever the computer's language (the
    C library's %b would follow it: "août 2026" on a French workstation)."""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def short_date(day: date) -> str:
    """ "3 Aug 2026": a day on a date axis, the year in full."""
    return f"{day.day} {month_year(day)}"


def not_a_date(field: str, text: str, *, example: str) -> str:
    """'Date of birth: "31/02/1968" is not a date; type it as 1968-04-12 or 12/04/1968.'"""
    return f'{field}: "{printable(text)}" is not a date; type it as 1968-04-12 or {example}.'


def after_latest(field: str, day: date, latest: date, *, latest_is_today: bool) -> str:
    """A date after the latest one allowed (R12.4: nothing is dated in the future)."""
    if latest_is_today:
        return f"{field}: {long_date(day)} is in the future (today is {long_date(latest)})."
    return f"{field}: {long_date(day)} is after {long_date(latest)}, the latest date allowed."


def before_earliest(field: str, day: date, earliest: date, *, what: str) -> str:
    """A date before the earliest one allowed, named by `what` ("the patient's birth", R12.4)."""
    return f"{field}: {long_date(day)} is before {what} ({long_date(earliest)})."


def missing(field: str) -> str:
    return f"{field}: a date is needed."
