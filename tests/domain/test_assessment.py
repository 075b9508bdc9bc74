"""assess(): the seed's three cases (see tests/seed_cases.py for what is from the paper and
what is assumed), and the alerts of R4-R8."""

from datetime import date

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.issues import IssueCode, Severity
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import magnitude
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
    assert rise.issue.param("change") == "131.1 %"
    assert rise.issue.param("limit") == "117 µmol/L"  # 90 × 1.30
    assert result.alerts[0].issue.severity is Severity.URGENT  # urgent first
    assert result.troughs[-1].klass is TroughClass.UPPER_END
    assert result.blood_pressure[0].hypertension
    assert IssueCode.RATE_ABOVE_CEILING in alert_codes(result)


def test_overdue_check_alert(seed):
    """Case 1 with nothing after 1997-03-03: the next monthly check (04-03) is overdue on
    1997-04-10."""
    result = assess(case_1(), seed, date(1997, 4, 10))
    overdue = [a for a in result.alerts if a.issue.code is IssueCode.CHECK_OVERDUE]
    assert [a.issue.value for a in overdue] == ["1997-04-03"]


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
