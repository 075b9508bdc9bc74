"""The course panel's rows and sentences, without Qt: the course newest first (R15), the
refusals in words (R15.1, R12.6), the time an event of today is recorded at (R12.8), the R11
note and the R15.5 weight history."""

from datetime import date, datetime, time

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind, check_course, complete_event, periods
from tacrocalc.domain.issues import Issue, IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import CoMedicationChange, Patient, Sex, WeightEntry, make_record
from tacrocalc.domain.units import q
from tacrocalc.present.course import (
    course_rows,
    drug_rows,
    drug_summary,
    event_time,
    read_co_medication,
    read_drug_correction,
    read_event,
    read_weight,
    refusal_lines,
    weight_rows,
    weight_warning,
)
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words

TODAY = date(2026, 1, 20)
NOW = datetime(2026, 1, 20, 9, 30, 41)
START = CourseEvent(
    kind=EventKind.START,
    date=date(2025, 12, 1),
    formulation=FormulationId.IR_CAPSULE,
    dose=q(3, "mg"),
    times=(time(8), time(20)),
    reason="lupus nephritis",
)
SWITCH = CourseEvent(
    kind=EventKind.SWITCH,
    date=date(2026, 1, 5),
    formulation=FormulationId.ENVARSUS,
    dose=q(3, "mg"),
    times=(time(8),),
)
HOLD = CourseEvent(
    kind=EventKind.HOLD, date=date(2026, 1, 16), reason="pneumonia", resume_on=date(2026, 1, 23)
)


def assessed(seed, events, *, weights=(60,), co_medication=()):
    record = make_record(
        patient=Patient(id="H1", name="Ann Lee", birth_date=date(1970, 3, 2), sex=Sex.FEMALE),
        protocol_id="seed-1997",
        events=tuple(events),
        weights=tuple(
            WeightEntry(
                date=date(2025, 12, 1) if i == 0 else date(2026, 1, 10 + i), value=q(w, "kg")
            )
            for i, w in enumerate(weights)
        ),
        co_medication=tuple(co_medication),
    )
    return assess(record, seed, TODAY)


def test_a_course_with_a_switch_and_a_hold_reads_newest_first(seed):
    events = [(1, START), (2, SWITCH), (3, HOLD)]
    assessment = assessed(seed, [e for _, e in events])
    rows = course_rows(events, assessment, Words(DisplayUnits(), seed))
    assert [(r.date, r.what, r.dose, r.product, r.reason, r.in_force) for r in rows] == [
        ("2026-01-16", "Hold", "no doses", "", "pneumonia; resume planned 2026-01-23", True),
        (
            "2026-01-05",
            "Switch",
            "3 mg once daily",
            "Envarsus prolonged-release tablets (once daily)",
            "",
            False,
        ),
        (
            "2025-12-01",
            "Start",
            "3 mg every 12 hours",
            "Immediate-release tacrolimus capsules (Prograf and generics)",
            "lupus nephritis",
            False,
        ),
    ]
    assert [r.event_id for r in rows] == [3, 2, 1]
    assert rows[2].times == "08:00 and 20:00"


def test_an_interacting_drug_is_a_note_with_the_trough_check_it_adds(seed):
    """R11: a change after the latest dosing event adds a trough check the protocol's days
    later; one before it is followed by the schedule of that event instead."""
    later = CoMedicationChange(date=date(2026, 1, 15), note="fluconazole started")
    earlier = CoMedicationChange(date=date(2026, 1, 2), note="prednisolone dose changed")
    assessment = assessed(seed, [START, SWITCH], co_medication=[later, earlier])
    rows = course_rows([(1, START), (2, SWITCH)], assessment, Words(DisplayUnits(), seed))
    notes = [(r.date, r.dose, r.reason) for r in rows if r.event_id is None]
    assert notes == [
        ("2026-01-15", "fluconazole started", "trough check due 2026-01-22 (planned) (R11)"),
        (
            "2026-01-02",
            "prednisolone dose changed",
            "no trough check of its own now: the course changed after it (R8.2)",
        ),
    ]
    assert [r.what for r in rows] == ["Interacting drug", "Switch", "Interacting drug", "Start"]


def test_the_list_of_interacting_drugs_is_newest_first_with_ids_and_checks(seed):
    """The notes a correction or a deletion picks from (R11): newest first, the one entered
    last first on one date, each with its id and the check it adds."""
    later = CoMedicationChange(date=date(2026, 1, 15), note="fluconazole started")
    same_day = CoMedicationChange(date=date(2026, 1, 15), note="prednisolone dose changed")
    earlier = CoMedicationChange(date=date(2026, 1, 2), note="diltiazem stopped")
    assessment = assessed(seed, [START, SWITCH], co_medication=[later, same_day, earlier])
    rows = drug_rows([(4, later), (9, earlier), (7, same_day)], assessment)
    assert [(r.note_id, r.date, r.note, r.check) for r in rows] == [
        (7, "2026-01-15", "prednisolone dose changed", "due 2026-01-22 (planned)"),
        (4, "2026-01-15", "fluconazole started", "due 2026-01-22 (planned)"),
        (
            9,
            "2026-01-02",
            "diltiazem stopped",
            "none of its own: the course changed after it (R8.2)",
        ),
    ]
    assert drug_summary(later, assessment) == (
        "fluconazole started on 2026-01-15: trough check due 2026-01-22 (planned) (R11)"
    )


def test_a_corrected_note_is_read_or_refused_with_field_value_and_reason():
    assert read_drug_correction(" voriconazole started ", TODAY).value == CoMedicationChange(
        date=TODAY, note="voriconazole started"
    )
    assert read_drug_correction(" ", TODAY).errors == ("interacting drug: a value is needed.",)
    assert read_drug_correction("a\x1bb", TODAY).errors == (
        'interacting drug: "a\\x1bb" cannot be used: it holds an invisible or control'
        " character (U+001B).",
    )


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (
            EventKind.RESUME,
            "on",
            "resume on 2026-01-20: a resume cannot be recorded there: tacrolimus is in progress"
            " on that date, and a resume needs a hold before it (R15.1).",
        ),
        (
            EventKind.RESTART,
            "held",
            "restart on 2026-01-20: a restart cannot be recorded there: tacrolimus is on hold"
            " on that date, and a restart needs a stop before it (R15.1).",
        ),
        (
            EventKind.HOLD,
            "stopped",
            "hold on 2026-01-20: a hold cannot be recorded there: tacrolimus is stopped on that"
            " date, and a hold needs treatment in progress (R15.1).",
        ),
    ],
)
def test_an_event_that_cannot_follow_the_course_says_what_it_needs(seed, kind, status, expected):
    issue = Issue.refusal(
        IssueCode.EVENT_NOT_POSSIBLE,
        field=f"{kind.value} on 2026-01-20",
        value=kind.value,
        status=status,
    )
    assert refusal_lines((issue,), Words()) == [expected]


def test_the_refusal_the_domain_gives_reads_in_words(seed):
    resume = complete_event(CourseEvent(kind=EventKind.RESUME, date=TODAY), periods((START,)), seed)
    issues = check_course((START, resume), seed, today=TODAY, birth_date=None)
    assert refusal_lines(issues, Words(DisplayUnits(), seed)) == [
        "resume on 2026-01-20: a resume cannot be recorded there: tacrolimus is in progress"
        " on that date, and a resume needs a hold before it (R15.1)."
    ]


def test_an_event_of_today_gets_the_time_it_is_recorded_at_after_any_of_the_same_day():
    assert event_time(TODAY, None, (), TODAY, NOW) == time(9, 30)
    same_minute = CourseEvent(kind=EventKind.CHANGE, date=TODAY, time=time(9, 30))
    assert event_time(TODAY, None, (same_minute,), TODAY, NOW) == time(9, 31)
    assert event_time(TODAY, time(7, 0), (same_minute,), TODAY, NOW) == time(7, 0)  # typed
    assert event_time(date(2026, 1, 19), None, (), TODAY, NOW) is None


def test_a_stop_needs_its_reason_and_a_planned_resume_comes_after_the_hold():
    def read(kind, reason="", resume_on=None, typed_time=""):
        return read_event(
            kind=kind,
            day=date(2026, 1, 18),
            typed_time=typed_time,
            reason=reason,
            resume_on=resume_on,
            events=(),
            today=TODAY,
            now=NOW,
        )

    assert read(EventKind.STOP).errors == (
        "stop on 2026-01-18: reason: a stop needs its reason (for example nephrotoxicity,"
        " hypertension, inefficacy) (R15.1).",
    )
    assert read(EventKind.STOP, " nephrotoxicity ").value.reason == "nephrotoxicity"
    assert read(EventKind.HOLD, resume_on=date(2026, 1, 18)).errors == (
        "hold on 2026-01-18: planned resume 2026-01-18 is not after the hold; choose a later"
        " date or none.",
    )
    assert read(EventKind.RESUME, resume_on=date(2026, 1, 25)).value.resume_on is None
    assert read(EventKind.HOLD, typed_time="9.30").errors == (
        'hold on 2026-01-18: time: "9.30" is not a time; write it HH:MM (24-hour clock).',
    )


def test_what_is_typed_for_a_drug_or_a_weight_is_read_or_refused_with_field_and_value():
    assert read_co_medication("  ", "started", TODAY).errors == (
        "interacting drug: a value is needed.",
    )
    assert read_co_medication(" diltiazem ", "stopped", TODAY).value == CoMedicationChange(
        date=TODAY, note="diltiazem stopped"
    )
    words = Words(DisplayUnits(weight="lb"))
    assert read_weight("150", TODAY, words, decimal_comma=False).value.value.to("kg").magnitude == (
        pytest.approx(68.04, abs=0.01)
    )
    assert read_weight("sixty", TODAY, words, decimal_comma=False).errors == (
        'weight: "sixty" is not a number with a unit (for example "72 kg").',
    )


@pytest.mark.parametrize(
    ("later", "note", "warns"),
    [(65, "+8.3 % from the dose's weight", False), (66, "+10 % from the dose's weight", True)],
)
def test_the_weight_history_marks_the_dose_weight_and_warns_at_the_protocols_drift(
    seed, later, note, warns
):
    """R15.5: the protocol's 10 % from the weight the dose was worked out from."""
    assert seed.values.weight_drift_pct == 10
    assessment = assessed(seed, [START, SWITCH], weights=(60, later))
    words = Words(DisplayUnits(), seed)
    assert [(r.date, r.weight, r.note) for r in weight_rows(assessment, words)] == [
        ("2026-01-11", f"{later} kg", note),
        ("2025-12-01", "60 kg", "the dose of 2026-01-05 was worked out from this weight"),
    ]
    assert ("review the dose (R15.5)" in weight_warning(assessment, words)) is warns


def test_while_held_the_history_still_names_the_weight_of_the_dose_before(seed):
    assessment = assessed(seed, [START, SWITCH, HOLD], weights=(60, 70))
    rows = weight_rows(assessment, Words(DisplayUnits(), seed))
    assert rows[0].note == "+16.7 % from the dose's weight"
    assert weight_warning(assessment, Words(DisplayUnits(), seed)) == ""  # nothing is given


def test_the_same_note_on_two_dates_shows_each_its_own_check(seed):
    """A steroid dose changed twice (R11): each change has the trough check it added, not the
    first one's."""
    first = CoMedicationChange(date=date(2026, 1, 8), note="prednisolone dose changed")
    second = CoMedicationChange(date=date(2026, 1, 15), note="prednisolone dose changed")
    assessment = assessed(seed, [START, SWITCH], co_medication=[first, second])
    rows = drug_rows([(1, first), (2, second)], assessment)
    assert [(r.date, r.check) for r in rows] == [
        ("2026-01-15", "due 2026-01-22 (planned)"),
        ("2026-01-08", "due 2026-01-15 (overdue)"),
    ]


def test_the_status_line_of_a_recorded_note_says_the_check_it_really_has(seed):
    """Seen in a ward round: "a trough check is added (R11)" said of a note whose list row read
    "none of its own". The line now says what the record just read has."""
    from tacrocalc.present.course import drug_written

    later = CoMedicationChange(date=date(2026, 1, 15), note="fluconazole started")
    earlier = CoMedicationChange(date=date(2026, 1, 2), note="diltiazem stopped")
    assessment = assessed(seed, [START, SWITCH], co_medication=[later, earlier])
    assert drug_written("Recorded", later, assessment) == (
        "Recorded fluconazole started on 2026-01-15: trough check due 2026-01-22 (planned) (R11)"
    )
    assert drug_written("Recorded", earlier, assessment) == (
        "Recorded diltiazem stopped on 2026-01-02: no trough check of its own now: the course"
        " changed after it (R8.2)"
    )
