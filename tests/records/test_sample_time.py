"""R12.4 on both stores: a sample taken today is not timed later than now. A trough typed at
06:10 as "08:00" today would be filed after a dose change recorded at 06:09, on the new dose,
and judged against it."""

from datetime import date, datetime, time

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.record import Creatinine, Trough
from tacrocalc.domain.units import q
from tacrocalc.present.words import Words
from tests.records.stores import Clock, open_store
from tests.records.test_store import add_patient

pytestmark = pytest.mark.usefixtures("each_store")

TODAY = date(2026, 6, 1)


@pytest.fixture
def store(tmp_path):
    clock = Clock()
    clock.now = datetime(2026, 6, 1, 9, 0).astimezone()  # 09:00 where the workstation is
    with open_store(tmp_path / "data", clock=clock) as opened:
        add_patient(opened)
        yield opened


def test_a_sample_timed_later_today_than_now_is_refused(store):
    written = store.add_observation(
        "H123", Trough(date=TODAY, time=time(9, 30), value=q(8, "ug/L")), today=TODAY
    )
    assert [i.code for i in written.issues] == [IssueCode.TIME_IN_FUTURE]
    assert Words().message(written.issues[0]) == (
        "time of the sample: 09:30 on 2026-06-01 is later than now (09:00); a result cannot be"
        " recorded before its sample is taken (R12.4)."
    )
    assert store.load("H123").observations == ()


@pytest.mark.parametrize(
    ("day", "at"),
    [(TODAY, time(9, 0)), (TODAY, time(8, 0)), (date(2026, 5, 31), time(23, 30)), (TODAY, None)],
)
def test_a_sample_timed_now_or_before_or_on_an_earlier_day_is_added(store, day, at):
    assert store.add_observation(
        "H123", Creatinine(date=day, time=at, value=q(80, "umol/L")), today=TODAY
    ).ok


def test_a_correction_cannot_move_a_sample_later_than_now(store):
    assert store.add_observation(
        "H123", Trough(date=TODAY, time=time(8), value=q(8, "ug/L")), today=TODAY
    ).ok
    (row_id, _, _), *_ = store.observations("H123")
    written = store.correct_observation(
        row_id,
        Trough(date=TODAY, time=time(10), value=q(8, "ug/L")),
        today=TODAY,
        reason="time mistyped",
    )
    assert [i.code for i in written.issues] == [IssueCode.TIME_IN_FUTURE]
