"""Interacting-drug notes (R11) corrected and deleted in the store, on both stores: the date and
text checked as a new note's (R12.4, R12.8, R12.9), a reason required (R15.3), an unknown note
named, a stale write refused, every change in the audit trail with before and after; a deleted
note takes its trough check out of the schedule."""

from datetime import date, time, timedelta

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import CoMedicationChange
from tacrocalc.domain.schedule import Phase
from tacrocalc.domain.units import q
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import StaleRecord
from tests.records.stores import dump, open_store
from tests.records.test_store import TODAY, add_patient

pytestmark = pytest.mark.usefixtures("each_store")

DAY = date(2026, 5, 20)
FLUCONAZOLE = CoMedicationChange(date=DAY, note="fluconazole started")


@pytest.fixture
def folder(tmp_path):
    """H123 (born 1990-02-01) on Prograf since 2026-05-01, with fluconazole started on
    2026-05-20."""
    with open_store(tmp_path / "data") as store:
        add_patient(store)
        start = CourseEvent(
            kind=EventKind.START,
            date=date(2026, 5, 1),
            formulation=FormulationId.IR_CAPSULE,
            dose=q(3, "mg"),
            times=(time(8), time(20)),
        )
        assert store.add_event("H123", start, today=TODAY).ok
        assert store.add_co_medication("H123", FLUCONAZOLE, today=TODAY).ok
    return tmp_path / "data"


@pytest.fixture
def store(folder):
    with open_store(folder) as opened:
        opened.load("H123")  # as the window does: its writes state the version it read
        yield opened


def note_id(store):
    ((row_id, change),) = store.co_medication("H123")
    assert change == FLUCONAZOLE
    return row_id


def r11_checks(store):
    """(due, reason) of the trough checks the interacting-drug notes add (R11)."""
    record = store.load("H123")
    assessment = assess(record, load_protocol(record.protocol_id), TODAY)
    return [(c.due, c.reason) for c in assessment.schedule if c.phase is Phase.CO_MEDICATION]


def messages(written):
    return [Words().message(issue) for issue in written.issues if issue.refuses]


def test_a_correction_changes_the_date_and_text_and_moves_the_r11_check(store):
    days = load_protocol("seed-1997").values.co_medication_trough_days  # R11: 7
    assert r11_checks(store) == [(DAY + timedelta(days=days), "fluconazole started")]
    row_id = note_id(store)
    corrected = CoMedicationChange(date=date(2026, 5, 18), note="voriconazole started")
    written = store.correct_co_medication(
        row_id, corrected, today=TODAY, reason="the azole was voriconazole, from the 18th"
    )
    assert written.ok and written.id == row_id
    assert store.co_medication("H123") == [(row_id, corrected)]
    assert store.load("H123").co_medication == (corrected,)
    assert r11_checks(store) == [(date(2026, 5, 25), "voriconazole started")]
    entry = store.history("H123")[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.user) == (
        "correct",
        "co_medication",
        str(row_id),
        "dr.test",
    )
    assert (entry.before, entry.after, entry.reason) == (
        {"date": "2026-05-20", "note": "fluconazole started"},
        {"date": "2026-05-18", "note": "voriconazole started"},
        "the azole was voriconazole, from the 18th",
    )


def test_a_deletion_takes_the_note_and_its_r11_check_out_and_the_history_keeps_it(store):
    row_id = note_id(store)
    written = store.delete_co_medication(row_id, today=TODAY, reason="typed on the wrong patient")
    assert written.ok and written.id == row_id
    assert store.co_medication("H123") == []
    assert store.load("H123").co_medication == ()
    assert r11_checks(store) == []
    entry = store.history("H123")[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.before, entry.after) == (
        "delete",
        "co_medication",
        str(row_id),
        {"date": "2026-05-20", "note": "fluconazole started"},
        None,
    )
    assert entry.reason == "typed on the wrong patient"
    # deleted once: a second deletion or a correction names the note it cannot find
    for again in (
        store.delete_co_medication(row_id, today=TODAY, reason="again"),
        store.correct_co_medication(row_id, FLUCONAZOLE, today=TODAY, reason="again"),
    ):
        assert messages(again) == [
            f"interacting drug: there is no entry {row_id} that can be changed"
            " (it may already be deleted or restored)."
        ]


@pytest.mark.parametrize(
    ("change", "reason", "said"),
    [
        (
            CoMedicationChange(date=date(2026, 6, 2), note="fluconazole started"),
            "date typed wrong",
            [
                "date: 2026-06-02 is in the future (today is 2026-06-01); an observation cannot"
                " be dated after today (R12.4)."
            ],
        ),
        (
            CoMedicationChange(date=date(1989, 12, 31), note="fluconazole started"),
            "date typed wrong",
            ["date: 1989-12-31 is before the patient's birth date 1990-02-01 (R12.4)."],
        ),
        (
            CoMedicationChange(date=DAY, note="  "),
            "date typed wrong",
            ["interacting drug: a value is needed."],
        ),
        (
            CoMedicationChange(date=DAY, note="fluconazole \u202estarted"),
            "typo",
            [
                'interacting drug: "fluconazole \\u202estarted" cannot be used: it holds an'
                " invisible or control character (U+202E)."
            ],
        ),
        (FLUCONAZOLE, " ", ["why corrected: a value is needed."]),
        (
            CoMedicationChange(date=date(2026, 6, 2), note=""),
            "typo",
            [
                "date: 2026-06-02 is in the future (today is 2026-06-01); an observation cannot"
                " be dated after today (R12.4).",
                "interacting drug: a value is needed.",
            ],
        ),
    ],
    ids=["future", "before-birth", "empty-note", "bidi-note", "no-reason", "all-at-once"],
)
def test_a_correction_that_cannot_be_is_refused_in_words_and_writes_nothing(
    store, change, reason, said
):
    row_id = note_id(store)
    before = dump(store)
    written = store.correct_co_medication(row_id, change, today=TODAY, reason=reason)
    assert messages(written) == said
    assert dump(store) == before


def test_a_date_before_any_living_patient_is_refused_as_a_typing_error(store):
    """R12.4: 125 years, whether or not a birth date is known."""
    written = store.correct_co_medication(
        note_id(store),
        CoMedicationChange(date=date(1066, 10, 14), note="fluconazole started"),
        today=TODAY,
        reason="typo",
    )
    assert [i.code.value for i in written.issues] == ["date_too_early"]
    assert Words().message(written.issues[0]).startswith("date: 1066-10-14 ")


@pytest.mark.parametrize("reason", ["", "\t"])
def test_a_deletion_needs_its_reason(store, reason):
    before = dump(store)
    written = store.delete_co_medication(note_id(store), today=TODAY, reason=reason)
    assert messages(written) == ["why deleted: a value is needed."]
    assert dump(store) == before


def test_an_unknown_note_is_refused_naming_it(store):
    before = dump(store)
    for written in (
        store.correct_co_medication(999, FLUCONAZOLE, today=TODAY, reason="typo"),
        store.delete_co_medication(999, today=TODAY, reason="typo"),
    ):
        assert messages(written) == [
            "interacting drug: there is no entry 999 that can be changed"
            " (it may already be deleted or restored)."
        ]
    assert dump(store) == before


def test_a_correction_or_deletion_on_a_stale_version_is_refused_and_writes_nothing(folder):
    with open_store(folder) as mine, open_store(folder, user="drjones") as theirs:
        mine.load("H123")
        row_id = note_id(mine)
        version = mine.version("H123")
        moved = CoMedicationChange(date=date(2026, 5, 19), note="fluconazole started")
        assert theirs.correct_co_medication(row_id, moved, today=TODAY, reason="the 19th").ok
        unchanged = dump(mine)
        with pytest.raises(StaleRecord, match="changed by drjones at "):
            mine.delete_co_medication(row_id, today=TODAY, reason="wrong patient")
        with pytest.raises(StaleRecord, match="changed by drjones at "):
            mine.correct_co_medication(row_id, FLUCONAZOLE, today=TODAY, reason="typo")
        assert dump(mine) == unchanged
        # once read again, mine goes through, and raises the version once
        mine.load("H123")
        assert mine.version("H123") == version + 1
        assert mine.delete_co_medication(row_id, today=TODAY, reason="wrong patient").ok
        assert mine.version("H123") == version + 2
        assert theirs.load("H123").co_medication == ()
