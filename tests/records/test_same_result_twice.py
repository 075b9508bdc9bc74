"""R12.10 on both stores: a result already recorded is not added again (Enter pressed twice, a
result sent again after a lost connection, one result typed at two workstations), and one
sample is not given a second result; repeats of a day without a time are kept."""

from datetime import date, time

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
from tacrocalc.domain.units import q
from tacrocalc.present.words import Words
from tests.records.stores import dump, open_store
from tests.records.test_store import TODAY, add_patient

pytestmark = pytest.mark.usefixtures("each_store")

DAY = date(2026, 5, 20)
TROUGH = Trough(date=DAY, time=time(8), value=q(7.5, "ug/L"), last_dose_time=time(20))


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "data") as opened:
        add_patient(opened)
        assert opened.add_observation("H123", TROUGH, today=TODAY).ok
        yield opened


def test_the_same_trough_added_again_is_refused_and_nothing_is_written(store):
    before = dump(store)
    written = store.add_observation("H123", TROUGH, today=TODAY)
    assert [i.code for i in written.issues] == [IssueCode.ALREADY_RECORDED]
    assert Words().message(written.issues[0]) == (
        "trough: 7.5 µg/L (2026-05-20, 08:00) is already recorded; it was not added a second"
        " time (R12.10)."
    )
    assert dump(store) == before  # not even the patient's version moved
    assert store.load("H123").observations == (TROUGH,)


def test_another_value_for_the_same_sample_is_refused_pointing_to_correct(store):
    before = dump(store)
    written = store.add_observation(
        "H123", Trough(date=DAY, time=time(8), value=q(75, "ug/L")), today=TODAY
    )
    assert [i.code for i in written.issues] == [IssueCode.SAMPLE_HAS_RESULT]
    assert Words().message(written.issues[0]) == (
        "trough: 75 µg/L was not added: 7.5 µg/L is already recorded for the sample of"
        " 2026-05-20, 08:00, and one sample has one result. If that result is wrong, select it"
        " and use Correct… (R12.10)."
    )
    assert dump(store) == before


def test_a_result_below_the_assay_limit_differs_from_the_limit_itself(store):
    """ "<7.5" is not "7.5" (R12.2): a second result for the same sample, not the same one."""
    written = store.add_observation(
        "H123",
        Trough(date=DAY, time=time(8), value=q(7.5, "ug/L"), below_limit=True),
        today=TODAY,
    )
    assert [i.code for i in written.issues] == [IssueCode.SAMPLE_HAS_RESULT]


def test_another_sample_time_or_day_is_added(store):
    assert store.add_observation(
        "H123", Trough(date=DAY, time=time(9), value=q(7.5, "ug/L")), today=TODAY
    ).ok
    assert store.add_observation(
        "H123", Trough(date=date(2026, 5, 21), time=time(8), value=q(7.5, "ug/L")), today=TODAY
    ).ok
    assert len(store.load("H123").troughs()) == 3


def test_repeats_of_a_day_without_a_time_are_kept_but_not_the_same_one_twice(store):
    first = Creatinine(date=DAY, value=q(80, "umol/L"))
    assert store.add_observation("H123", first, today=TODAY).ok
    assert store.add_observation(
        "H123", Creatinine(date=DAY, value=q(95, "umol/L")), today=TODAY
    ).ok
    again = store.add_observation("H123", first, today=TODAY)
    assert [i.code for i in again.issues] == [IssueCode.ALREADY_RECORDED]
    assert Words().message(again.issues[0]) == (
        "creatinine: 80 µmol/L (2026-05-20) is already recorded; it was not added a second"
        " time (R12.10)."
    )
    pressure = BloodPressure(date=DAY, systolic=q(128, "mmHg"), diastolic=q(82, "mmHg"))
    assert store.add_observation("H123", pressure, today=TODAY).ok
    twice = store.add_observation("H123", pressure, today=TODAY)
    assert Words().message(twice.issues[0]) == (
        "blood pressure: 128/82 mmHg (2026-05-20) is already recorded; it was not added a"
        " second time (R12.10)."
    )
    assert len(store.load("H123").creatinines()) == 2
    assert len(store.load("H123").blood_pressures()) == 1


def test_a_check_with_one_result_already_recorded_writes_none_of_it(store):
    before = dump(store)
    written = store.add_observations(
        "H123",
        (TROUGH, Creatinine(date=DAY, time=time(8), value=q(80, "umol/L"))),
        today=TODAY,
    )
    assert [i.code for i in written.issues] == [IssueCode.ALREADY_RECORDED]
    assert dump(store) == before


def test_one_check_cannot_carry_the_same_result_twice(store):
    other = Trough(date=date(2026, 5, 22), time=time(8), value=q(6, "ug/L"))
    written = store.add_observations("H123", (other, other), today=TODAY)
    assert [i.code for i in written.issues] == [IssueCode.ALREADY_RECORDED]
    assert len(store.load("H123").troughs()) == 1


def test_a_deleted_result_can_be_entered_again(store):
    (row_id, _, _), *_ = store.observations("H123")
    assert store.delete_observation(row_id, reason="wrong patient's tube").ok
    assert store.add_observation("H123", TROUGH, today=TODAY).ok
