"""Issue 12, one validation path: the store (the window writes through it) refuses the dates a
patient file is refused for (R12.4)."""

from datetime import date

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.record import Creatinine, Patient, WeightEntry
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store

TODAY = date(2026, 6, 1)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "d", protocol_for=load_protocol) as opened:
        yield opened


def patient(birth):
    return Patient(id="H9", name="Someone", birth_date=birth, sex=None)


@pytest.mark.parametrize(
    ("birth", "code"),
    [(date(1, 1, 1), IssueCode.DATE_TOO_EARLY), (date(2027, 1, 1), IssueCode.DATE_IN_FUTURE)],
)
def test_a_birth_date_outside_a_life_is_refused(store, birth, code):
    written = store.save_patient(patient(birth), protocol_id="seed-1997", today=TODAY)
    assert [i.code for i in written.issues if i.refuses] == [code]
    assert store.list_patients() == []


def test_a_birth_date_within_the_oldest_age_is_saved(store):
    written = store.save_patient(patient(date(1901, 6, 1)), protocol_id="seed-1997", today=TODAY)
    assert written.ok


def test_results_dated_before_any_living_patient_are_refused_without_a_birth_date(store):
    assert store.save_patient(patient(None), protocol_id="seed-1997", today=TODAY).ok
    old = date(1066, 10, 14)
    written = store.add_observation(
        "H9", Creatinine(date=old, time=None, value=q(80, "umol/L")), today=TODAY
    )
    assert [i.code for i in written.issues] == [IssueCode.DATE_TOO_EARLY]
    written = store.add_weight("H9", WeightEntry(date=old, value=q(60, "kg")), today=TODAY)
    assert [i.code for i in written.issues] == [IssueCode.DATE_TOO_EARLY]
    assert store.load("H9").observations == () and store.load("H9").weights == ()
