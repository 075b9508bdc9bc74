"""The three patients of the seed paper (Duddridge & Powell, Ann Rheum Dis 1997) as records.

What the paper gives is used as it is: dates of starting, dose rates, blood pressures,
creatinines and troughs. What it does not give is marked ASSUMED: body weights (none are
reported; 60 kg is used and the doses per administration follow from the rates by R2/R3),
exact days within a month, and the routine values of checks where the paper reports nothing
abnormal (in-range troughs, normal pressures). Each case is a treatment course (R15): a start
and dose changes; case 3 ends with the stop for nephrotoxicity and the creatinine of the week
after it.
"""

from datetime import date, time

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    PatientRecord,
    Sex,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import q

BID = (time(8), time(20))
WEIGHT = q(60, "kg")  # ASSUMED: the paper reports no weights


def _check(day: date, trough: float, creatinine: float, bp: tuple[int, int]) -> tuple:
    return (
        Trough(date=day, time=time(8), value=q(trough, "ug/L"), last_dose_time=time(20)),
        Creatinine(date=day, value=q(creatinine, "umol/L")),
        BloodPressure(date=day, systolic=q(bp[0], "mmHg"), diastolic=q(bp[1], "mmHg")),
    )


def _ir(day: date, mg: float, kind: EventKind = EventKind.CHANGE, reason: str = "") -> CourseEvent:
    return CourseEvent(
        kind=kind,
        date=day,
        formulation=FormulationId.IR_CAPSULE,
        dose=q(mg, "mg"),
        times=BID,
        reason=reason,
    )


def case_1() -> PatientRecord:
    """29-year-old woman. June 1996: 0.07 mg/kg/day, after one week 0.11 mg/kg/day; after
    five months 0.18 mg/kg/day. BP 160/105 'at a single visit immediately after a dose
    increment'. Creatinine 81 µmol/L before tacrolimus, 70 µmol/L after nine months."""
    start = date(1996, 6, 3)  # ASSUMED day of June 1996
    observations = (
        Creatinine(date=date(1996, 5, 30), value=q(81, "umol/L")),  # paper: before treatment
        *_check(date(1996, 6, 24), 9.0, 80, (160, 105)),  # paper's BP; trough, creat ASSUMED
        *_check(date(1996, 7, 8), 10.0, 78, (130, 85)),  # ASSUMED routine check
        *_check(date(1996, 7, 22), 11.0, 77, (128, 82)),  # ASSUMED routine check
        *_check(date(1996, 8, 22), 10.5, 76, (126, 80)),  # ASSUMED routine check
        *_check(date(1996, 9, 23), 9.5, 75, (125, 80)),  # ASSUMED routine check
        *_check(date(1996, 10, 23), 9.0, 74, (124, 78)),  # ASSUMED routine check
        *_check(date(1996, 11, 18), 14.0, 73, (130, 84)),  # ASSUMED, 2 weeks after increase
        *_check(date(1996, 12, 2), 15.0, 72, (128, 82)),  # ASSUMED
        *_check(date(1996, 12, 16), 14.5, 71, (126, 80)),  # ASSUMED
        *_check(date(1997, 1, 16), 14.0, 71, (126, 80)),  # ASSUMED
        *_check(date(1997, 2, 17), 13.5, 70, (124, 80)),  # ASSUMED
        *_check(date(1997, 3, 3), 13.0, 70, (124, 78)),  # paper: creatinine 70 at nine months
    )
    return make_record(
        patient=Patient(
            id="SEED-1", name="Seed case one", birth_date=date(1967, 1, 1), sex=Sex.FEMALE
        ),  # ASSUMED birth date (29 years old in 1996)
        protocol_id="seed-1997",
        weights=(WeightEntry(date=date(1996, 5, 30), value=WEIGHT),),
        events=(
            _ir(start, 2.0, EventKind.START),  # 0.07 × 60 / 2 = 2.1 mg -> 2 mg (R3)
            _ir(date(1996, 6, 10), 3.5, reason="paper: increased after one week"),  # 0.11 -> 3.3
            _ir(date(1996, 11, 4), 5.5, reason="digital vasculitis"),  # 0.18 × 60 / 2 = 5.4 mg
        ),
        observations=observations,
    )


def case_2() -> PatientRecord:
    """18-year-old man. October 1996: 0.10 mg/kg/day. After one month BP 160/100 mmHg,
    creatinine 77 -> 81 µmol/L, trough peak 20.2 µg/L; dose reduced to 0.06 mg/kg/day.
    After six months creatinine 92 µmol/L."""
    start = date(1996, 10, 7)  # ASSUMED day of October 1996
    observations = (
        Creatinine(date=date(1996, 10, 3), value=q(77, "umol/L")),  # paper: before
        *_check(date(1996, 10, 21), 12.0, 78, (132, 84)),  # ASSUMED first check
        *_check(date(1996, 11, 7), 20.2, 81, (160, 100)),  # paper: one month
        *_check(date(1996, 11, 21), 11.0, 82, (138, 88)),  # ASSUMED, after reduction
        *_check(date(1996, 12, 5), 10.0, 84, (134, 86)),  # ASSUMED
        *_check(date(1996, 12, 19), 9.5, 86, (132, 84)),  # ASSUMED
        *_check(date(1997, 1, 20), 9.0, 88, (130, 84)),  # ASSUMED
        *_check(date(1997, 2, 20), 9.0, 90, (130, 82)),  # ASSUMED
        *_check(date(1997, 3, 20), 8.5, 91, (128, 82)),  # ASSUMED
        *_check(date(1997, 4, 7), 8.5, 92, (128, 80)),  # paper: creatinine 92 at six months
    )
    return make_record(
        patient=Patient(
            id="SEED-2", name="Seed case two", birth_date=date(1978, 1, 1), sex=Sex.MALE
        ),  # ASSUMED birth date (18 years old in 1996)
        protocol_id="seed-1997",
        weights=(WeightEntry(date=date(1996, 10, 3), value=WEIGHT),),
        events=(
            _ir(start, 3.0, EventKind.START),  # 0.10 × 60 / 2 = 3 mg
            # paper: reduced to 0.06 mg/kg/day for hypertension; 0.06 × 60 / 2 = 1.8 mg -> 2 mg
            _ir(date(1996, 11, 8), 2.0, reason="hypertension, trough at the upper end"),
        ),
        observations=observations,
    )


def case_3() -> PatientRecord:
    """36-year-old woman with prior ciclosporin nephrotoxicity. November 1996: 0.04 mg/kg/day,
    increased to 0.17 mg/kg/day over two months. BP 190/110 at the lowest dose. At the highest
    dose creatinine rose from 90 to 208 µmol/L with a trough of 23.2 µg/L; withdrawn."""
    observations = (
        Creatinine(date=date(1996, 11, 1), value=q(90, "umol/L")),  # paper: baseline 90
        *_check(date(1996, 11, 14), 4.5, 92, (190, 110)),  # paper's BP at the lowest dose
        *_check(
            date(1996, 12, 12), 9.0, 110, (150, 95)
        ),  # ASSUMED, at 0.13 (paper: first nephrotoxicity)
        *_check(date(1997, 1, 13), 23.2, 208, (170, 105)),  # paper: trough 23.2, creat 208
        Creatinine(date=date(1997, 1, 20), value=q(112, "umol/L")),  # paper: within seven days
    )
    return make_record(
        patient=Patient(
            id="SEED-3",
            name="Seed case three",
            birth_date=date(1960, 1, 1),
            sex=Sex.FEMALE,
            prior_ciclosporin_nephrotoxicity=True,
        ),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=date(1996, 11, 1), value=WEIGHT),),
        events=(
            _ir(date(1996, 11, 4), 1.0, EventKind.START),  # 0.04 × 60 / 2 = 1.2 mg -> 1 mg
            _ir(date(1996, 11, 28), 4.0),  # 0.13 × 60 / 2 = 3.9 mg -> 4 mg
            _ir(date(1996, 12, 30), 5.0),  # 0.17 × 60 / 2 = 5.1 mg -> 5 mg
            # paper: withdrawn for nephrotoxicity (creatinine 90 -> 208 µmol/L); day ASSUMED
            CourseEvent(
                kind=EventKind.STOP,
                date=date(1997, 1, 14),
                reason="nephrotoxicity: creatinine 208 µmol/L",
            ),
        ),
        observations=observations,
    )
