"""The audit trail reads the same on both stores: on SQLite TacroCalc writes each entry, on the
ward server the database's triggers do (migration 0006), and the history (`tacrocalc history`,
the window's History table) cannot tell them apart."""

from dataclasses import replace
from datetime import date, time

import pytest

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId, TargetRange
from tacrocalc.domain.record import (
    BaselineSetting,
    BloodPressure,
    CoMedicationChange,
    Patient,
    Sex,
    Trough,
    WeightEntry,
)
from tacrocalc.domain.units import q
from tacrocalc.present.history import history_rows
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
from tests.records.stores import Clock, open_store

pytestmark = pytest.mark.usefixtures("each_store")

TODAY = date(2026, 6, 1)
PATIENT = Patient(id="H123", name="Zoë Ångström-Lee", birth_date=date(1990, 2, 1), sex=Sex.FEMALE)
TROUGH = Trough(date=date(2026, 1, 14), time=time(8), value=q(8.1, "ug/L"), last_dose_time=time(20))
START = CourseEvent(
    kind=EventKind.START,
    date=date(2026, 1, 5),
    formulation=FormulationId.IR_CAPSULE,
    dose=q(3, "mg"),
    times=(time(8), time(20)),
)


def ward_round(store: Store) -> None:
    """One patient's story, every kind of write the store makes."""

    def ok(written):
        assert written.ok, written.issues
        return written.id

    ok(store.save_patient(PATIENT, protocol_id="seed-1997", today=TODAY))
    target = TargetRange(
        low=q(5, "ug/L"), high=q(8, "ug/L"), caution=q(12, "ug/L"), source="clinic letter"
    )
    ok(
        store.save_patient(
            replace(PATIENT, name="Zoë Lee"), protocol_id="seed-1997", target=target, today=TODAY
        )
    )
    ok(
        store.add_weight(
            "H123", WeightEntry(date=date(2026, 1, 5), value=q(61.5, "kg")), today=TODAY
        )
    )
    start = ok(store.add_event("H123", START, today=TODAY))
    trough = ok(store.add_observation("H123", TROUGH, today=TODAY))
    ok(
        store.add_observations(
            "H123",
            (
                BloodPressure(
                    date=date(2026, 1, 14), systolic=q(128, "mmHg"), diastolic=q(81, "mmHg")
                ),
                Trough(date=date(2026, 1, 20), value=q(2, "ug/L"), below_limit=True),
            ),
            today=TODAY,
        )
    )
    ok(store.correct_observation(trough, replace(TROUGH, value=q(9.1, "ug/L")), today=TODAY))
    ok(store.delete_observation(trough, reason="drawn two hours after the dose"))
    ok(store.restore_observation(trough))
    ok(store.delete_observation(trough, reason="entered on the wrong patient"))
    corrected = replace(START, dose=q(2.5, "mg"), reason="prescribed 2.5 mg")
    ok(store.correct_event(start, corrected, today=TODAY, reason="the chart says 2.5 mg"))
    switch = CourseEvent(
        kind=EventKind.SWITCH,
        date=date(2026, 2, 2),
        formulation=FormulationId.ADVAGRAF,
        dose=q(5, "mg"),
        ratio=1.0,
        reason="adherence",
    )
    switched = ok(store.add_event("H123", switch, today=TODAY))
    ok(store.delete_event(switched, today=TODAY, reason="switch postponed"))
    baseline = BaselineSetting(
        date=date(2026, 1, 5), value=q(95, "umol/L"), reason="stable after transplant"
    )
    ok(store.set_baseline("H123", baseline, today=TODAY))
    azole = ok(
        store.add_co_medication(
            "H123", CoMedicationChange(date=date(2026, 2, 10), note="fluconazole"), today=TODAY
        )
    )
    ok(
        store.correct_co_medication(
            azole,
            CoMedicationChange(date=date(2026, 2, 9), note="fluconazole started"),
            today=TODAY,
            reason="started the day before",
        )
    )
    ok(store.delete_co_medication(azole, today=TODAY, reason="entered on the wrong patient"))


def lines(store: Store) -> list[tuple[str, ...]]:
    """The history as the window's table shows it, without the time and the user."""
    words = Words(protocol=load_protocol("seed-1997"))
    rows = history_rows(store.history("H123"), words, to_local=lambda moment: moment)
    return [(r.what, r.before, r.after, r.reason) for r in rows]


def stored(store: Store) -> list[tuple[object, ...]]:
    """The entries as `history --json` gives them, without the time and the user."""
    return [
        (e.action, e.entity, e.entity_id, e.before, e.after, e.reason)
        for e in store.history("H123")
    ]


EXPECTED = [
    ("patient added", "", "", ""),
    ("patient details changed", "", "", ""),
    ("weight added", "", "61.5 kg on 2026-01-05", ""),
    ("start of treatment added", "", "", ""),
    ("trough added", "", "8.1 µg/L on 2026-01-14 08:00 (last dose 20:00)", ""),
    ("blood pressure added", "", "128/81 mmHg on 2026-01-14", ""),
    ("trough added", "", "<2 µg/L on 2026-01-20", ""),
    (
        "trough corrected",
        "8.1 µg/L on 2026-01-14 08:00 (last dose 20:00)",
        "9.1 µg/L on 2026-01-14 08:00 (last dose 20:00)",
        "",
    ),
    ("trough deleted", "9.1 µg/L on 2026-01-14 08:00 (last dose 20:00)", "", "drawn two hours"),
    ("trough restored", "", "9.1 µg/L on 2026-01-14 08:00 (last dose 20:00)", ""),
    ("trough deleted", "9.1 µg/L on 2026-01-14 08:00 (last dose 20:00)", "", "entered on the"),
    ("start of treatment corrected", "", "", "the chart says 2.5 mg"),
    ("product switch added", "", "", ""),
    ("product switch deleted", "", "", "switch postponed"),
    ("creatinine baseline set", "", "95 µmol/L from 2026-01-05 (stable after transplant)", ""),
    ("co-medication change added", "", "2026-02-10: fluconazole", ""),
    (
        "co-medication change corrected",
        "2026-02-10: fluconazole",
        "2026-02-09: fluconazole started",
        "started the day before",
    ),
    ("co-medication change deleted", "2026-02-09: fluconazole started", "", "entered on the"),
]


def test_one_ward_round_reads_the_same_in_the_history_of_either_store(tmp_path):
    """The same writes on the store under test and on a SQLite store of this computer give the
    same history, line for line, and the same entries as stored (what `history --json`
    prints), but for the time and the user."""
    with open_store(tmp_path / "data") as store:
        ward_round(store)
        tested_lines, tested_entries = lines(store), stored(store)
        users = {e.user for e in store.history("H123")}
    with Store(
        tmp_path / "local", protocol_for=load_protocol, clock=Clock(), user="dr.test"
    ) as local:
        ward_round(local)
        assert tested_lines == lines(local)
        assert tested_entries == stored(local)
    assert users == {"dr.test"}
    # and what they read is the story told (a sample of each line's words)
    assert len(tested_lines) == len(EXPECTED)
    for line, (what, before, after, reason) in zip(tested_lines, EXPECTED, strict=True):
        assert line[0] == what
        assert line[1].startswith(before) and line[2].startswith(after)
        assert line[3].startswith(reason)
    assert "conversion ratio 1.0" in tested_lines[12][2]
    assert tested_lines[-2:] == [  # an interacting-drug note corrected, then deleted (R11)
        (
            "co-medication change corrected",
            "2026-02-10: fluconazole",
            "2026-02-09: fluconazole started",
            "started the day before",
        ),
        (
            "co-medication change deleted",
            "2026-02-09: fluconazole started",
            "",
            "entered on the wrong patient",
        ),
    ]
    assert "name: Zoë Ångström-Lee" in tested_lines[1][1]
    assert "own trough range: 5 µg/L to 8 µg/L (clinic letter)" in tested_lines[1][2]
