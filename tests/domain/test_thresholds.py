"""R5 trough, R6 creatinine, R7 blood pressure."""

from datetime import date, time

import pytest

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Regimen,
    Trough,
    make_record,
)
from tacrocalc.domain.thresholds import (
    TroughClass,
    at_steady_state,
    classify_trough,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    is_true_trough,
    rise_limit,
    significant_rise,
)
from tacrocalc.domain.units import magnitude, q

PATIENT = Patient(id="T1", name="Test", birth_date=date(1980, 1, 1), sex=None)


def record(regimens=(), observations=()):
    return make_record(
        patient=PATIENT, protocol_id="seed-1997", regimens=regimens, observations=observations
    )


def ir(start, mg=3.0, formulation=FormulationId.IR_CAPSULE, times=(time(8), time(20))):
    return Regimen(start=start, formulation=formulation, dose=q(mg, "mg"), times=times)


@pytest.mark.parametrize(
    ("level", "klass"),
    [
        (3.9, TroughClass.BELOW),  # R5.4: < 4
        (4.0, TroughClass.IN_RANGE),  # 4 is in range
        (19.9, TroughClass.IN_RANGE),
        (20.0, TroughClass.UPPER_END),  # R5.3: >= 20
        (20.2, TroughClass.UPPER_END),  # seed case 2
        (23.2, TroughClass.UPPER_END),  # seed case 3
        (25.0, TroughClass.UPPER_END),  # <= 25 still in range, at the upper end
        (25.1, TroughClass.ABOVE),  # > 25
    ],
)
def test_seed_trough_classes(seed, level, klass):
    assert classify_trough(q(level, "ug/L"), seed.target) is klass


@pytest.mark.parametrize(
    ("level", "klass"),
    [
        (3.9, TroughClass.BELOW),
        (11.0, TroughClass.IN_RANGE),
        (11.1, TroughClass.ABOVE),
        (20.0, TroughClass.ABOVE),
    ],
)
def test_prograf_kidney_range_has_no_upper_end_band(prograf, level, klass):
    """R5.6: 4-11 ng/mL (= µg/L); the label gives no caution level."""
    assert classify_trough(q(level, "ug/L"), prograf.target) is klass


def test_below_assay_limit_counts_as_below(seed):
    """R12.2: "<2" is below range whatever the range."""
    assert classify_trough(q(5, "ug/L"), seed.target, below_limit=True) is TroughClass.BELOW


@pytest.mark.parametrize(("days", "steady"), [(0, True), (1, False), (2, False), (3, True)])
def test_steady_state_three_days_after_a_change(seed, days, steady):
    """R5.5: less than 3 days after the latest dose change is not at steady state. A trough of
    the day of the change, without times, was taken before it (R15.2): on the old dose, 9 days
    after its start."""
    start = date(2026, 1, 10)
    trough = Trough(date=date.fromordinal(start.toordinal() + days), value=q(8, "ug/L"))
    rec = record(regimens=(ir(date(2026, 1, 1)), ir(start, 4.0)), observations=(trough,))
    assert at_steady_state(trough, rec, seed) is steady


@pytest.mark.parametrize(
    ("sample", "last_dose", "formulation", "true_trough"),
    [
        (time(8), time(20), FormulationId.IR_CAPSULE, True),  # 12 h
        (time(10), time(20), FormulationId.IR_CAPSULE, True),  # 14 h: within ± 2 h
        (time(10, 1), time(20), FormulationId.IR_CAPSULE, False),  # 14 h 1 min
        (time(14), time(8), FormulationId.IR_CAPSULE, False),  # 6 h: a peak, not a trough
        (time(8), time(8), FormulationId.ADVAGRAF, True),  # 24 h for once daily
        (time(8), time(20), FormulationId.ADVAGRAF, False),  # 12 h after a once-daily dose
    ],
)
def test_true_trough_window(seed, sample, last_dose, formulation, true_trough):
    """R5.1: the gap from the last dose is the interval ± 2 hours."""
    trough = Trough(
        date=date(2026, 1, 20), time=sample, last_dose_time=last_dose, value=q(8, "ug/L")
    )
    times = (time(8),) if formulation is FormulationId.ADVAGRAF else (time(8), time(20))
    rec = record(
        regimens=(ir(date(2026, 1, 1), formulation=formulation, times=times),),
        observations=(trough,),
    )
    assert is_true_trough(trough, rec, seed) is true_trough


def test_true_trough_unknown_without_times(seed):
    trough = Trough(date=date(2026, 1, 20), value=q(8, "ug/L"))
    assert is_true_trough(trough, record(regimens=(ir(date(2026, 1, 1)),)), seed) is None


def creat(day, value):
    return Creatinine(date=day, value=q(value, "umol/L"))


def test_baseline_is_the_latest_before_the_start():
    """R6.1: of 85 (Jan 1) and 80 (Jan 5), with the start on Jan 5, the baseline is 80."""
    rec = record(
        regimens=(ir(date(2026, 1, 5)), ir(date(2026, 3, 1), 4.0)),
        observations=(
            creat(date(2026, 1, 1), 85),
            creat(date(2026, 1, 5), 80),
            creat(date(2026, 2, 1), 120),
        ),
    )
    baseline = creatinine_baseline(rec)
    assert (magnitude(baseline.value, "umol/L"), baseline.date, baseline.after_start) == (
        80,
        date(2026, 1, 5),
        False,
    )


def test_baseline_after_start_is_marked():
    """R6.1: no value before the start: the first after it, marked."""
    rec = record(
        regimens=(ir(date(2026, 1, 5)),),
        observations=(creat(date(2026, 1, 20), 90), creat(date(2026, 2, 1), 120)),
    )
    baseline = creatinine_baseline(rec)
    assert (magnitude(baseline.value, "umol/L"), baseline.after_start) == (90, True)


@pytest.mark.parametrize(
    ("value", "change", "significant"),
    [
        (80, 0.0, False),
        (103.9, 29.875, False),  # (103.9 - 80) / 80 = 29.875 %
        (104, 30.0, True),  # exactly 30 %: significant (R6.3 ">= 30 %")
        (70, -12.5, False),
        (208, 160.0, True),
    ],
)
def test_creatinine_change_against_baseline(seed, value, change, significant):
    """R6.2-R6.3 with a baseline of 80 µmol/L."""
    rec = record(regimens=(ir(date(2026, 1, 5)),), observations=(creat(date(2026, 1, 1), 80),))
    baseline = creatinine_baseline(rec)
    pct = creatinine_change_pct(creat(date(2026, 2, 1), value), baseline)
    assert pct == pytest.approx(change)
    assert significant_rise(pct, seed) is significant


def test_rise_limit_is_baseline_times_1_30(seed):
    rec = record(regimens=(ir(date(2026, 1, 5)),), observations=(creat(date(2026, 1, 1), 90),))
    assert magnitude(rise_limit(creatinine_baseline(rec), seed), "umol/L") == pytest.approx(117)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "hypertensive"),
    [(139, 89, False), (140, 80, True), (120, 90, True), (160, 105, True), (130, 85, False)],
)
def test_hypertension_140_90(seed, systolic, diastolic, hypertensive):
    """R7.1: systolic >= 140 or diastolic >= 90 mmHg."""
    reading = BloodPressure(
        date=date(2026, 1, 1), systolic=q(systolic, "mmHg"), diastolic=q(diastolic, "mmHg")
    )
    assert is_hypertensive(reading, seed) is hypertensive


def test_a_trough_timed_after_a_timed_change_is_on_the_new_dose(seed):
    """R15.2: changed at 08:00 on 01-10; a trough at 20:00 that day is 0 days on 4 mg."""
    from dataclasses import replace

    start = date(2026, 1, 10)
    trough = Trough(date=start, time=time(20), value=q(8, "ug/L"))
    rec = record(regimens=(ir(date(2026, 1, 1)), ir(start, 4.0)), observations=(trough,))
    rec = replace(rec, events=(rec.events[0], replace(rec.events[1], time=time(8))))
    assert rec.regimen_of(trough).dose.magnitude == 4.0
    assert at_steady_state(trough, rec, seed) is False
