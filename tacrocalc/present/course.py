"""What the course panel shows, worked out without Qt: the treatment course as rows (R15), the
interacting-drug notes with the trough check they add (R11), the weight history with the
weight the dose was worked out from (R15.5), and the panel's refusals in words.

Every value is in the user's units (R1.4); every refusal names the field, the value and the
reason (R12.6).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final, Generic, TypeVar

from tacrocalc.domain.course import DOSING, CourseEvent, EventKind, Status, periods
from tacrocalc.domain.issues import Issue, IssueCode, Percent
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import CoMedicationChange, WeightEntry
from tacrocalc.domain.schedule import Phase, ScheduledCheck
from tacrocalc.domain.units import Kind, magnitude, parse
from tacrocalc.domain.validation import NAME_MAX_LENGTH, check_label, check_text
from tacrocalc.present.text import printable
from tacrocalc.present.words import STATUS_WORDS, Words, clock, clocks, how_often

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment
    from tacrocalc.domain.course import Regimen
    from tacrocalc.domain.units import Quantity

KIND_WORDS: Final[dict[EventKind, str]] = {
    EventKind.START: "Start",
    EventKind.CHANGE: "Dose change",
    EventKind.SWITCH: "Switch",
    EventKind.HOLD: "Hold",
    EventKind.RESUME: "Resume",
    EventKind.STOP: "Stop",
    EventKind.RESTART: "Restart",
}
T = TypeVar("T")

NOTE_WORDS: Final = "Interacting drug"

# The events the panel records itself; dose changes and switches come from the calculator's
# "Apply as new regimen", a start from it too (R15.1).
PANEL_KINDS: Final[tuple[EventKind, ...]] = (
    EventKind.HOLD,
    EventKind.RESUME,
    EventKind.STOP,
    EventKind.RESTART,
)
# What the panel offers first for each state of the course.
NEXT_KIND: Final[dict[Status, EventKind]] = {
    Status.NONE: EventKind.HOLD,
    Status.ON: EventKind.HOLD,
    Status.HELD: EventKind.RESUME,
    Status.STOPPED: EventKind.RESTART,
}
# What an event needs before it (R15.1), said when it is refused.
NEEDS_WORDS: Final[dict[EventKind, str]] = {
    EventKind.START: "a course is started once; after a stop, record a restart",
    EventKind.CHANGE: "a dose change needs treatment in progress",
    EventKind.SWITCH: "a switch needs treatment in progress",
    EventKind.HOLD: "a hold needs treatment in progress",
    EventKind.RESUME: "a resume needs a hold before it",
    EventKind.STOP: "a stop needs treatment in progress or on hold",
    EventKind.RESTART: "a restart needs a stop before it",
}
CO_MEDICATION_CHANGES: Final[tuple[str, ...]] = ("started", "stopped", "dose changed")

DOSE_HINT: Final = (
    "A resume or a restart gives the dose given before the hold or stop. For another dose, a "
    "dose change or a switch of product, use the calculator's Apply as new regimen."
)
CO_MEDICATION_HINT: Final = (
    "Azole antifungals, clarithromycin, erythromycin, diltiazem, verapamil, protease "
    "inhibitors and grapefruit raise tacrolimus levels; rifampicin, enzyme-inducing "
    "antiepileptics and St John's wort lower them; a change of steroid dose moves them too. "
    "Each change recorded here adds a trough check (R11)."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseRow:
    """One line of the course list: an event (with its id) or an interacting-drug note."""

    event_id: int | None  # None for an interacting-drug note
    kind: EventKind | None
    date: str  # "2026-01-05", or "2026-01-05 14:05" when the time is known
    what: str  # "Switch", "Hold", "Interacting drug"
    dose: str  # "2 mg every 12 hours", "no doses"; for a note, the change ("fluconazole started")
    product: str  # the product by name
    times: str  # "08:00 and 20:00"
    reason: str  # the event's reason, or the trough check a note adds
    recorded_by: str
    in_force: bool  # the event the course stands on now (R15.4)


def _when(day: date, at: time | None) -> str:
    return day.isoformat() + (f" {clock(at)}" if at is not None else "")


def dose_words(regimen: Regimen, words: Words) -> str:
    """ "2 mg every 12 hours": the dose per administration in the user's units, how often."""
    protocol = words.protocol
    text = words.dose(regimen.dose)
    if protocol is not None and regimen.formulation in protocol.formulations:
        text += " " + how_often(protocol.formulations[regimen.formulation].administrations_per_day)
    return text


def course_rows(
    events: list[tuple[int, CourseEvent]], assessment: Assessment, words: Words
) -> list[CourseRow]:
    """The course, newest first: every event with its date, what was given from it (dose and
    product by name) and its reason; interacting-drug notes among them with the trough check
    each adds (R11)."""
    by_event = {id(p.event): p for p in periods(tuple(e for _, e in events))}
    now_event = assessment.now.event
    rows: list[tuple[tuple[date, time, int], CourseRow]] = []
    for event_id, event in events:
        period = by_event.get(id(event))
        regimen = period.regimen if period is not None else None
        if regimen is not None:
            dose, product, times = (
                dose_words(regimen, words),
                words.product(regimen),
                clocks(regimen.times),
            )
        else:
            dose, product, times = "no doses", "", ""
        reason = event.reason
        if event.kind is EventKind.HOLD and event.resume_on is not None:
            planned = f"resume planned {event.resume_on.isoformat()}"
            reason = f"{reason}; {planned}" if reason else planned
        row = CourseRow(
            event_id=event_id,
            kind=event.kind,
            date=_when(event.date, event.time),
            what=KIND_WORDS[event.kind],
            dose=dose,
            product=product,
            times=times,
            reason=reason,
            recorded_by=event.recorded_by,
            in_force=now_event is not None and event == now_event,
        )
        rows.append(((event.date, event.time or time(0), 1), row))
    for change in assessment.record.co_medication:
        row = CourseRow(
            event_id=None,
            kind=None,
            date=change.date.isoformat(),
            what=NOTE_WORDS,
            dose=change.note,
            product="",
            times="",
            reason=co_medication_check(change, assessment),
            recorded_by="",
            in_force=False,
        )
        rows.append(((change.date, time(0), 0), row))
    rows.sort(key=lambda item: item[0], reverse=True)
    return [row for _, row in rows]


def _check_of(change: CoMedicationChange, assessment: Assessment) -> ScheduledCheck | None:
    """The trough check an interacting-drug change added to the schedule (R11), if it has one
    of its own still."""
    due = change.date + timedelta(days=assessment.protocol.values.co_medication_trough_days)
    return next(
        (
            check
            for check in assessment.schedule
            if check.phase is Phase.CO_MEDICATION
            and check.reason == change.note
            and check.due == due  # the same note on two dates: each its own check
        ),
        None,
    )


def co_medication_check(change: CoMedicationChange, assessment: Assessment) -> str:
    """The trough check an interacting-drug change adds (R11), as the schedule has it."""
    check = _check_of(change, assessment)
    if check is None:
        return "no trough check of its own now: the course changed after it (R8.2)"
    if check.done_on is not None:
        return f"trough check done {check.done_on.isoformat()} (R11)"
    return f"trough check due {check.due.isoformat()} ({check.status.value}) (R11)"


def _drug_check(change: CoMedicationChange, assessment: Assessment) -> str:
    """The check in the list's column "Trough check (R11)": "due 2026-01-22 (planned)"."""
    check = _check_of(change, assessment)
    if check is None:
        return "none of its own: the course changed after it (R8.2)"
    if check.done_on is not None:
        return f"done {check.done_on.isoformat()}"
    return f"due {check.due.isoformat()} ({check.status.value})"


@dataclass(frozen=True, slots=True, kw_only=True)
class DrugRow:
    """One line of the list of interacting drugs: the note (with its id) and its check."""

    note_id: int
    date: str  # "2026-01-15"
    note: str  # "fluconazole started"
    check: str  # the trough check it adds (R11), as the schedule has it: "due 2026-01-22 (planned)"


def drug_rows(notes: list[tuple[int, CoMedicationChange]], assessment: Assessment) -> list[DrugRow]:
    """The interacting-drug notes, newest first (the latest entered first on one date), each
    with the trough check it adds (R11)."""
    ordered = sorted(notes, key=lambda item: (item[1].date, item[0]), reverse=True)
    return [
        DrugRow(
            note_id=note_id,
            date=change.date.isoformat(),
            note=change.note,
            check=_drug_check(change, assessment),
        )
        for note_id, change in ordered
    ]


def drug_summary(change: CoMedicationChange, assessment: Assessment) -> str:
    """One note in words, for the question before it is corrected or deleted: "fluconazole
    started on 2026-01-15: trough check due 2026-01-22 (planned) (R11)"."""
    return f"{change.note} on {change.date.isoformat()}: {co_medication_check(change, assessment)}"


DRUG_CORRECT_TITLE: Final = "Correct an interacting drug"
DRUG_CORRECT_KEPT: Final = "The date and note before the correction stay in the patient's history."
DRUG_DELETE_TITLE: Final = "Delete an interacting drug"
DRUG_DELETE_QUESTION: Final = "Delete this interacting drug from the record?"
DRUG_DELETE_KEPT: Final = (
    "The note and the trough check it adds (R11) leave the record; the note stays in the "
    "patient's history."
)


def drug_written(done: str, change: CoMedicationChange, assessment: Assessment | None) -> str:
    """The status line once a note is recorded or corrected ("Recorded", "Corrected"), with
    the check it has in the record just read, which may be none (R8.2): "Recorded fluconazole
    started on 2026-01-15: trough check due 2026-01-22 (planned) (R11)"."""
    if assessment is None:
        return f"{done} {change.note} on {change.date.isoformat()} (R11)"
    return f"{done} {drug_summary(change, assessment)}"


DRUG_DELETED: Final = "Deleted the interacting drug and its trough check (it stays in the history)"


def in_force_line(assessment: Assessment, words: Words) -> str:
    """ "Now: …": the regimen in force, or on hold since, or stopped on (R15.4)."""
    return "Now: " + words.regimen_line(assessment)


def next_kind(assessment: Assessment | None) -> EventKind:
    """The event a doctor most likely records next: a hold while on treatment, a resume while
    held, a restart once stopped."""
    if assessment is None:
        return EventKind.HOLD
    return NEXT_KIND[assessment.now.status]


def event_summary(event: CourseEvent, assessment: Assessment, words: Words) -> str:
    """One event in words, for the question before it is corrected or deleted: "Switch on
    2026-01-05: 3 mg once daily, Envarsus prolonged-release tablets (once daily)"."""
    row = next(r for r in course_rows([(0, event)], assessment, words) if r.event_id == 0)
    given = ", ".join(part for part in (row.dose, row.product) if part)
    reason = f" ({event.reason})" if event.reason else ""
    return f"{row.what} on {row.date}: {given}{reason}"


# -- reading what was typed ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Read(Generic[T]):
    """A value read from what was typed, or the refusals that say why it was not."""

    value: T | None = None
    errors: tuple[str, ...] = ()


def read_time(text: str, field: str) -> Read[time]:
    """ "14:05" (or "14"), or nothing typed; anything else refused with the field and value."""
    text = text.strip()
    if not text:
        return Read()
    try:
        return Read(value=time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00"))
    except ValueError:
        return Read(
            errors=(f'{field}: "{printable(text)}" is not a time; write it HH:MM (24-hour clock).',)
        )


def event_time(
    day: date, typed: time | None, events: tuple[CourseEvent, ...], today: date, now: datetime
) -> time | None:
    """The time an event is recorded at. A time typed is kept. An event dated today gets the
    time it is recorded, so that another event of the same day can be put before or after it
    (R12.8); recorded within the same minute as the latest of the day, it goes one minute after
    it. An earlier date without a time typed has none."""
    if typed is not None:
        return typed
    if day != today:
        return None
    at = now.replace(second=0, microsecond=0)
    times = [e.time for e in events if e.date == day and e.time is not None]
    if times and max(times) >= at.time():
        after = datetime.combine(day, max(times)) + timedelta(minutes=1)
        if after.date() == day:
            return after.time()
    return at.time()


def read_event(
    *,
    kind: EventKind,
    day: date,
    typed_time: str,
    reason: str,
    resume_on: date | None,
    events: tuple[CourseEvent, ...],
    today: date,
    now: datetime,
) -> Read[CourseEvent]:
    """A hold, resume, stop or restart from the panel's fields. A stop needs its reason
    (R15.1); a resume or restart gives the dose before (the store fills it in); a planned
    resume date is a hold's only."""
    field = f"{kind.value} on {day.isoformat()}"
    at = read_time(typed_time, f"{field}: time")
    errors = list(at.errors)
    reason = reason.strip()
    if kind is EventKind.STOP and not reason:
        errors.append(
            f"{field}: reason: a stop needs its reason (for example nephrotoxicity, "
            "hypertension, inefficacy) (R15.1)."
        )
    if kind is EventKind.HOLD and resume_on is not None and resume_on <= day:
        errors.append(
            f"{field}: planned resume {resume_on.isoformat()} is not after the hold; "
            "choose a later date or none."
        )
    if errors:
        return Read(errors=tuple(errors))
    event = CourseEvent(
        kind=kind,
        date=day,
        time=event_time(day, at.value, events, today, now),
        reason=reason,
        resume_on=resume_on if kind is EventKind.HOLD else None,
    )
    return Read(value=event)


def read_correction(
    original: CourseEvent,
    *,
    day: date,
    typed_time: str,
    product: str | None,
    dose: str,
    reason: str,
    resume_on: date | None,
    decimal_comma: bool,
    words: Words,
) -> Read[CourseEvent]:
    """The event as corrected: its date and time, its reason, a hold's planned resume, and for
    an event that gives doses its product and dose per administration (a bare number is mg).
    The kind of an event is not corrected: a wrong kind is deleted and recorded again."""
    field = f"{original.kind.value} on {day.isoformat()}"
    at = read_time(typed_time, f"{field}: time")
    errors = list(at.errors)
    new_dose: Quantity | None = original.dose
    formulation = original.formulation
    if original.kind in DOSING:
        parsed = parse(
            dose, Kind.DOSE, field=f"{field}: dose", default_unit="mg", decimal_comma=decimal_comma
        )
        if parsed.issue is not None:
            errors.append(words.message(parsed.issue))
        else:
            new_dose = parsed.quantity
        if product:
            formulation = FormulationId(product)
    if original.kind is EventKind.STOP and not reason.strip():
        errors.append(f"{field}: reason: a stop needs its reason (R15.1).")
    if errors:
        return Read(errors=tuple(errors))
    times = original.times
    if formulation != original.formulation:
        times = ()  # the store gives the new product's times (R2.2, R2.3)
    return Read(
        value=replace(
            original,
            date=day,
            time=at.value,
            formulation=formulation,
            dose=new_dose,
            times=times,
            reason=reason.strip(),
            resume_on=resume_on if original.kind is EventKind.HOLD else None,
        )
    )


def read_why(text: str, field: str) -> Read[str]:
    """The reason for a correction or a deletion, kept in the audit trail (R15.3)."""
    if not text.strip():
        return Read(
            errors=(f"{field}: why: a reason is needed; it is kept in the patient's history.",)
        )
    return Read(value=text.strip())


def read_co_medication(drug: str, change: str, day: date) -> Read[CoMedicationChange]:
    """An interacting drug started, stopped or its dose changed, as a course note (R11)."""
    issues = check_label(drug, field="interacting drug", max_length=NAME_MAX_LENGTH)
    if issues:
        return Read(errors=tuple(Words().message(i) for i in issues))
    return Read(value=CoMedicationChange(date=day, note=f"{drug.strip()} {change}"))


def read_drug_correction(note: str, day: date) -> Read[CoMedicationChange]:
    """An interacting-drug note as corrected: its date and its text ("fluconazole started"),
    not empty, and text as the store takes it (R12.9)."""
    field = "interacting drug"
    issues = check_text(note, field=field)
    if not note.strip():
        issues = (Issue.refusal(IssueCode.MISSING_VALUE, field=field, value=""),)
    if issues:
        return Read(errors=tuple(Words().message(i) for i in issues))
    return Read(value=CoMedicationChange(date=day, note=note.strip()))


def read_weight(text: str, day: date, words: Words, *, decimal_comma: bool) -> Read[WeightEntry]:
    """A weight typed with or without its unit (a bare number is in the display unit)."""
    parsed = parse(
        text,
        Kind.WEIGHT,
        field="weight",
        default_unit=words.units.unit(Kind.WEIGHT),
        decimal_comma=decimal_comma,
    )
    if parsed.issue is not None or parsed.quantity is None:
        return Read(errors=(words.message(parsed.issue),) if parsed.issue else ())
    return Read(value=WeightEntry(date=day, value=parsed.quantity))


def refusal_lines(issues: tuple[Issue, ...], words: Words) -> list[str]:
    """The store's refusals in words. An event that cannot follow the course says what the
    course was and what the event needs (R15.1)."""
    lines = []
    for issue in issues:
        if not issue.refuses:
            continue
        if issue.code is IssueCode.EVENT_NOT_POSSIBLE:
            lines.append(_not_possible(issue))
        else:
            lines.append(words.message(issue))
    return lines


def _not_possible(issue: Issue) -> str:
    kind = EventKind(str(issue.value))
    status = str(issue.param("status"))
    if status == "other_product":
        return (
            f"{issue.field}: a {KIND_WORDS[kind].lower()} keeps the product; another product "
            "is a switch, made in the calculator (R10, R15.1)."
        )
    return (
        f"{issue.field}: a {KIND_WORDS[kind].lower()} cannot be recorded there: tacrolimus is "
        f"{STATUS_WORDS[Status(status)]} on that date, and {NEEDS_WORDS[kind]} (R15.1)."
    )


# -- the weight history (R15.5) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightRow:
    date: str
    weight: str
    note: str  # the one the dose was worked out from, or the drift from it


def weight_rows(assessment: Assessment, words: Words) -> list[WeightRow]:
    """Every weight with its date, newest first; the one the current dose was worked out from
    is marked, and each later one says how far it has drifted from it (R15.5)."""
    record = assessment.record
    regimen = assessment.now.regimen or assessment.now.previous  # before a hold or stop too
    basis = record.weight_on(regimen.start) if regimen is not None else None
    rows = []
    for entry in reversed(record.weights):
        note = ""
        if basis is not None and entry == basis:
            assert regimen is not None
            note = f"the dose of {regimen.start.isoformat()} was worked out from this weight"
        elif basis is not None and entry.date > basis.date:
            was = magnitude(basis.value, "kg")
            drift = (magnitude(entry.value, "kg") - was) / was * 100
            note = f"{words.render(Percent(drift, signed=True))} from the dose's weight"
        rows.append(
            WeightRow(
                date=entry.date.isoformat(),
                weight=words.quantity(entry.value, Kind.WEIGHT),
                note=note,
            )
        )
    return rows


def weight_warning(assessment: Assessment, words: Words) -> str:
    """The R15.5 warning when the weight has drifted from the one the dose was worked out
    from by the protocol's percentage, else ""."""
    for alert in assessment.alerts:
        if alert.issue.code is IssueCode.WEIGHT_DRIFT:
            return words.message(alert.issue)
    return ""
