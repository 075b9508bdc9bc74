"""assess(): the seed's three cases (see tests/seed_cases.py for what is from the paper and
what is assumed), and the alerts of R4-R8."""

from datetime import date

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.issues import IssueCode, Severity
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import magnitude
from tests import shown
from tests.seed_cases import case_1, case_2, case_3


def alert_codes(assessment):
    return {a.issue.code for a in assessment.alerts}


def test_case_1_nine_months(seed):
    """Creatinine 81 -> 70 µmol/L: (70 - 81) / 81 = -13.6 %, never significant. The single
    160/105 reading made that check unstable. 5.5 mg twice / 60 kg = 0.183 mg/kg/day: above the
    0.15 titration ceiling (R4.2), as the paper's 0.18 mg/kg/day was."""
    result = assess(case_1(), seed, date(1997, 3, 10))
    assert magnitude(result.baseline.value, "umol/L") == 81
    assert result.creatinine[-1].change_pct == pytest.approx(-13.58, abs=0.01)
    assert not any(c.significant for c in result.creatinine)
    assert [p.hypertension for p in result.blood_pressure].count(True) == 1
    assert magnitude(result.current_rate, "mg/kg/day") == pytest.approx(11 / 60)
    assert IssueCode.RATE_ABOVE_CEILING in alert_codes(result)
    assert IssueCode.CREATININE_RISE not in alert_codes(result)
    # the dose was raised on 1996-11-04: its checks 1-3 are done, monthly after
    done = [c for c in result.schedule if c.done_on is not None]
    assert [c.done_on.isoformat() for c in done[:3]] == ["1996-11-18", "1996-12-02", "1996-12-16"]


def test_case_2_one_month(seed):
    """At one month: trough 20.2 µg/L is upper end (R5.3); 160/100 is hypertension (R7);
    creatinine 77 -> 81 = +5.2 %, not significant (R6.3)."""
    result = assess(case_2(), seed, date(1996, 11, 7))
    assert result.troughs[-1].klass is TroughClass.UPPER_END
    assert result.creatinine[-1].change_pct == pytest.approx(5.19, abs=0.01)
    assert alert_codes(result) >= {IssueCode.TROUGH_UPPER_END, IssueCode.HYPERTENSION}
    assert IssueCode.CREATININE_RISE not in alert_codes(result)


def test_case_2_six_months_change_is_against_baseline(seed):
    """The paper reports 77 -> 92 µmol/L as 'risen by 16 %' (15 / 92). R6.2 divides by the
    baseline: 15 / 77 = +19.5 %, still below 30 %."""
    result = assess(case_2(), seed, date(1997, 4, 8))
    assert result.creatinine[-1].change_pct == pytest.approx(19.48, abs=0.01)
    assert not result.creatinine[-1].significant


def test_case_3_nephrotoxicity_is_urgent(seed):
    """Prior ciclosporin nephrotoxicity (R4.4): creatinine 90 -> 208 = +131 % (R6.3) with a
    trough of 23.2 µg/L (upper end) is an urgent alert; BP 190/110 was hypertensive; the 5 mg
    twice-daily dose is 10 / 60 = 0.167 mg/kg/day, above the ceiling."""
    result = assess(case_3(), seed, date(1997, 1, 13))
    rise = next(a for a in result.alerts if a.issue.code is IssueCode.CREATININE_RISE)
    assert rise.issue.severity is Severity.URGENT
    assert shown(rise.issue.param("change")) == "131.1 %"
    assert shown(rise.issue.param("limit")) == "117 µmol/L"  # 90 × 1.30
    assert result.alerts[0].issue.severity is Severity.URGENT  # urgent first
    assert result.troughs[-1].klass is TroughClass.UPPER_END
    assert result.blood_pressure[0].hypertension
    assert IssueCode.RATE_ABOVE_CEILING in alert_codes(result)


def test_overdue_check_alert(seed):
    """Case 1: after the increase of 1996-11-04, checks 11-18, 12-02, 12-16, then monthly 01-16
    and 02-17 (due 02-16). The next is due 03-17 and counts from 03-10, so the set of 03-03 is
    an extra result (R8.7); on 1997-04-10 that check is 24 days overdue (R8.9)."""
    result = assess(case_1(), seed, date(1997, 4, 10))
    overdue = [a for a in result.alerts if a.issue.code is IssueCode.CHECK_OVERDUE]
    assert [(a.issue.value, a.issue.param("days")) for a in overdue] == [(date(1997, 3, 17), 24)]
    assert [t.extra for t in result.troughs][-2:] == [False, True]


def test_latest_trough_not_at_steady_state_alerts(seed):
    """Case 2: dose reduced 1996-11-08; a trough on 11-09 would be 1 day after (R5.5)."""
    from dataclasses import replace

    from tacrocalc.domain.record import Trough
    from tacrocalc.domain.units import q

    record = case_2()
    early = Trough(date=date(1996, 11, 9), value=q(12, "ug/L"))
    record = replace(record, observations=(*record.observations[:10], early))
    result = assess(record, seed, date(1996, 11, 9))
    assert result.troughs[-1].steady_state is False
    assert IssueCode.NOT_STEADY_STATE in alert_codes(result)


def test_empty_record(seed):
    from tacrocalc.domain.record import Patient, make_record

    record = make_record(
        patient=Patient(id="E", name="Empty", birth_date=None, sex=None), protocol_id="seed-1997"
    )
    result = assess(record, seed, date(2026, 1, 1))
    assert result.schedule == ()
    assert alert_codes(result) == {IssueCode.NO_REGIMEN}


def test_a_patients_own_range_overrides_the_protocol(seed):
    """R5.6: a custom 5-10 µg/L range; case 2's 12 µg/L first check is then above range, and
    the assessment says which range and source it used."""
    from dataclasses import replace

    from tacrocalc.domain.protocol import TargetRange
    from tacrocalc.domain.units import q

    custom = TargetRange(
        low=q(5, "ug/L"), high=q(10, "ug/L"), caution=None, source="renal team, 2026"
    )
    result = assess(replace(case_2(), target_trough=custom), seed, date(1996, 10, 21))
    assert result.target.source == "renal team, 2026"
    assert result.troughs[-1].klass is TroughClass.ABOVE
    assert IssueCode.TROUGH_ABOVE in alert_codes(result)


# -- R14 severity and actions; R15 the course; R12.7-R12.8 ------------------------------------


def _alert(result, code):
    return next(a for a in result.alerts if a.issue.code is code)


def test_case_3_replayed_as_a_course_ends_stopped(seed):
    """Seed case 3 (R14.2, R15, R8.11): on 01-13 the +131 % rise with a trough at the upper end
    suggests withholding and a creatinine within 7 days; it was stopped on 01-14 for
    nephrotoxicity. Afterwards: no dose, no trough check, no adjustment; the creatinine recheck
    (due 01-21) is done by 112 µmol/L on 01-20 (+24 %, no longer significant)."""
    from tacrocalc.domain.assessment import Advice
    from tacrocalc.domain.course import Status
    from tacrocalc.domain.issues import Action
    from tacrocalc.domain.schedule import Phase

    before = assess(case_3(), seed, date(1997, 1, 13))
    rise = _alert(before, IssueCode.CREATININE_RISE)
    assert rise.action is Action.WITHHOLD_AND_RECHECK_CREATININE
    after = assess(case_3(), seed, date(1997, 1, 25))
    assert (after.now.status, after.now.since, after.now.regimen) == (
        Status.STOPPED,
        date(1997, 1, 14),
        None,
    )
    assert after.current_regimen is None
    assert [(c.phase, c.due, c.done_on) for c in after.schedule] == [
        (Phase.CREATININE_RECHECK, date(1997, 1, 21), date(1997, 1, 20))
    ]
    assert after.adjustment.advice is Advice.UNAVAILABLE
    assert IssueCode.TREATMENT_STOPPED in alert_codes(after)
    assert after.creatinine[-1].change_pct == pytest.approx(24.44, abs=0.01)


def test_case_2_replayed_ends_on_the_reduced_dose(seed):
    """Seed case 2: 0.10 mg/kg/day = 3 mg twice; at one month 160/100 with a trough at the
    upper end (20.2): consider reducing the dose and treating the pressure (R14.2); the R9
    suggestion is 6 × 12 / 20.2 = 3.56 mg/day -> 1.78 -> 2 mg, the paper's 0.06 mg/kg/day
    (1.8 mg). Recorded on 11-08, the course then ends on 2 mg: 4 / 60 = 0.067 mg/kg/day."""
    from tacrocalc.domain.issues import Action

    month = assess(case_2(), seed, date(1996, 11, 7))
    assert _alert(month, IssueCode.HYPERTENSION).action is Action.REDUCE_DOSE_AND_TREAT_BP
    assert magnitude(month.adjustment.adjustment.dose, "mg") == 2.0
    later = assess(case_2(), seed, date(1997, 4, 8))
    assert magnitude(later.current_regimen.dose, "mg") == 2.0
    assert later.now.since == date(1996, 11, 8)
    assert magnitude(later.current_rate, "mg/kg/day") == pytest.approx(4 / 60)


def test_case_1_a_single_raised_pressure_after_an_increase_is_rechecked(seed):
    """Seed case 1 (R14.2): increased on 06-10; 160/105 on 06-24 (within two weeks), the only
    raised reading, creatinine not risen: recheck at the next visit."""
    from tacrocalc.domain.issues import Action

    result = assess(case_1(), seed, date(1996, 6, 25))
    assert _alert(result, IssueCode.HYPERTENSION).action is Action.RECHECK_BP_NEXT_VISIT


def _with(record, **changes):
    from dataclasses import replace

    return replace(record, **changes)


@pytest.mark.parametrize(
    ("change", "code", "severity"),
    [
        # R14.1 urgent: a trough above the range; 180/110 or more
        ({"trough": 26.0}, IssueCode.TROUGH_ABOVE, Severity.URGENT),
        ({"bp": (182, 100)}, IssueCode.URGENT_HYPERTENSION, Severity.URGENT),
        ({"bp": (150, 110)}, IssueCode.URGENT_HYPERTENSION, Severity.URGENT),
        ({"creatinine": 104.0}, IssueCode.CREATININE_RISE, Severity.URGENT),  # 77 × 1.3 = 100.1
        # R14.1 warning: hypertension; a trough at the upper end or below the range
        ({"bp": (141, 85)}, IssueCode.HYPERTENSION, Severity.WARNING),
        ({"trough": 21.0}, IssueCode.TROUGH_UPPER_END, Severity.WARNING),
        ({"trough": 3.0}, IssueCode.TROUGH_BELOW, Severity.WARNING),
        # R14.1 note: not a true trough (sampled 4 h after a dose)
        ({"sample": "12:00"}, IssueCode.NOT_TRUE_TROUGH, Severity.NOTE),
    ],
)
def test_severity_of_each_alert(seed, change, code, severity):
    """R14.1 on case 2's first check (10-21), with one value changed: a creatinine rise of
    35 % is urgent, a blood pressure of 141/85 a warning (v1 called both warnings)."""
    from datetime import time

    from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
    from tacrocalc.domain.units import q

    day = date(1996, 10, 21)
    record = case_2()
    others = tuple(o for o in record.observations if o.date != day)
    bp = change.get("bp", (132, 84))
    sample = time(12) if "sample" in change else time(8)
    observations = (
        *others,
        Trough(
            date=day,
            time=sample,
            last_dose_time=time(8 if "sample" in change else 20),
            value=q(change.get("trough", 12.0), "ug/L"),
        ),
        Creatinine(date=day, value=q(change.get("creatinine", 78.0), "umol/L")),
        BloodPressure(date=day, systolic=q(bp[0], "mmHg"), diastolic=q(bp[1], "mmHg")),
    )
    result = assess(_with(record, observations=observations), seed, day)
    assert _alert(result, code).severity is severity
    ranks = [a.severity.rank for a in result.alerts]
    assert ranks == sorted(ranks)  # most severe first


def test_weight_warnings_wherever_the_weight_is_used(seed):
    """R12.7: 30 kg is below the adult 40 kg: a note in the assessment, not only in `dose`.
    R15.5: 60 kg when the dose was set; 66 kg later is +10 %: review the dose; 65.9 kg is not.
    R12.8: no weight at all: R4 cannot be checked."""
    from tacrocalc.domain.record import WeightEntry
    from tacrocalc.domain.units import q

    record = case_2()
    light = _with(record, weights=(WeightEntry(date=date(1996, 10, 3), value=q(30, "kg")),))
    note = _alert(assess(light, seed, date(1996, 10, 21)), IssueCode.WEIGHT_BELOW_ADULT)
    assert note.severity is Severity.NOTE
    for kg, drift in [(66.0, True), (65.9, False)]:
        heavier = _with(
            record,
            weights=(*record.weights, WeightEntry(date=date(1996, 12, 1), value=q(kg, "kg"))),
        )
        codes = alert_codes(assess(heavier, seed, date(1996, 12, 2)))
        assert (IssueCode.WEIGHT_DRIFT in codes) is drift
    assert IssueCode.NO_WEIGHT in alert_codes(
        assess(_with(record, weights=()), seed, date(1996, 10, 21))
    )


def test_an_explicit_baseline_after_a_restart(seed):
    """R6.5: after a stop and a restart the baseline stays the pre-treatment one (90 µmol/L);
    a baseline set by the user (112 µmol/L from 1997-01-20, with a reason) is used from its
    date: 130 µmol/L is then +16 %, not +44 %."""
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.record import BaselineSetting, Creatinine
    from tacrocalc.domain.units import q

    record = case_3()
    restarted = _with(
        record,
        events=(
            *record.events,
            CourseEvent(
                kind=EventKind.RESTART,
                date=date(1997, 2, 3),
                formulation=record.events[0].formulation,
                dose=q(1, "mg"),
                times=record.events[0].times,
            ),
        ),
        observations=(
            *record.observations,
            Creatinine(date=date(1997, 2, 17), value=q(130, "umol/L")),
        ),
    )
    result = assess(restarted, seed, date(1997, 2, 18))
    assert magnitude(result.creatinine[-1].baseline.value, "umol/L") == 90
    assert result.creatinine[-1].change_pct == pytest.approx(44.44, abs=0.01)
    rebased = _with(
        restarted,
        baselines=(
            BaselineSetting(
                date=date(1997, 1, 20), value=q(112, "umol/L"), reason="new renal baseline"
            ),
        ),
    )
    result = assess(rebased, seed, date(1997, 2, 18))
    assert result.creatinine[-1].baseline.reason == "new renal baseline"
    assert result.creatinine[-1].change_pct == pytest.approx(16.07, abs=0.01)
    assert result.creatinine[0].change_pct == 0  # 90 before the new baseline's date


def test_a_suggestion_pairs_results_of_the_same_day(seed):
    """R14.2: case 2's 160/100 of 11-07 with the trough of 20.2 the same day: consider a dose
    reduction. With that trough taken three days later instead, the pressure of 11-07 is not
    paired with it."""
    from dataclasses import replace

    from tacrocalc.domain.record import Trough
    from tacrocalc.domain.units import q

    record = case_2()
    moved = tuple(
        replace(o, date=date(1996, 11, 10))
        if isinstance(o, Trough) and o.date == date(1996, 11, 7)
        else o
        for o in record.observations
    )
    result = assess(replace(record, observations=moved), seed, date(1996, 11, 10))
    assert result.troughs[-1].trough.value == q(20.2, "ug/L")
    assert _alert(result, IssueCode.HYPERTENSION).action is None
