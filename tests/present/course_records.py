"""Two patients whose course has every kind of event (R15.1), for the tests of the charts:
one with a switch, a hold and a resume, one with a stop and a restart. The values are made
up to look like a ward's; only their dates and the events matter here."""

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

TODAY = date(2026, 11, 26)
BID = (time(8), time(20))
ONCE = (time(8),)
IR, ADVAGRAF = FormulationId.IR_CAPSULE, FormulationId.ADVAGRAF


def _event(
    kind: EventKind,
    day: date,
    product: FormulationId | None = None,
    mg: float | None = None,
    times: tuple[time, ...] = (),
    reason: str = "",
) -> CourseEvent:
    return CourseEvent(
        kind=kind,
        date=day,
        formulation=product,
        dose=q(mg, "mg") if mg is not None else None,
        times=times,
        reason=reason,
        ratio=1.0 if kind is EventKind.SWITCH else None,
    )


def _checks(rows: list[tuple[date, float | None, float, tuple[int, int]]]) -> tuple:
    observations: list = []
    for day, trough, creatinine, (systolic, diastolic) in rows:
        if trough is not None:
            observations.append(
                Trough(date=day, time=time(8), value=q(trough, "ug/L"), last_dose_time=time(20))
            )
        observations.append(Creatinine(date=day, value=q(creatinine, "umol/L")))
        observations.append(
            BloodPressure(date=day, systolic=q(systolic, "mmHg"), diastolic=q(diastolic, "mmHg"))
        )
    return tuple(observations)


def switch_and_hold() -> PatientRecord:
    """Capsules twice daily, a dose change, a switch to Advagraf once daily, a week on hold
    for diarrhoea with a trough of 18 µg/L, a resume at a lower dose and a last change."""
    d = date
    return make_record(
        patient=Patient(
            id="COURSE-1", name="Ada Example", birth_date=d(1975, 3, 14), sex=Sex.FEMALE
        ),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=d(2026, 5, 28), value=q(72, "kg")),),
        events=(
            _event(EventKind.START, d(2026, 6, 1), IR, 3, BID),
            _event(EventKind.CHANGE, d(2026, 6, 22), IR, 4, BID, "trough below range"),
            _event(EventKind.SWITCH, d(2026, 8, 3), ADVAGRAF, 8, ONCE, "adherence"),
            _event(EventKind.HOLD, d(2026, 9, 14), reason="diarrhoea, trough 18 µg/L"),
            _event(EventKind.RESUME, d(2026, 9, 21), ADVAGRAF, 6, ONCE),
            _event(EventKind.CHANGE, d(2026, 10, 26), ADVAGRAF, 5, ONCE, "trough at upper end"),
        ),
        observations=_checks(
            [
                (d(2026, 5, 28), None, 80, (124, 80)),
                (d(2026, 6, 15), 4.5, 81, (128, 82)),
                (d(2026, 6, 29), 7.5, 83, (130, 84)),
                (d(2026, 7, 13), 8.8, 84, (132, 84)),
                (d(2026, 7, 27), 9.5, 86, (130, 82)),
                (d(2026, 8, 17), 11.0, 88, (136, 88)),
                (d(2026, 8, 31), 13.5, 92, (142, 90)),
                (d(2026, 9, 14), 18.0, 109, (150, 96)),
                (d(2026, 9, 18), 4.0, 95, (134, 86)),
                (d(2026, 10, 5), 10.0, 90, (130, 84)),
                (d(2026, 10, 19), 12.5, 91, (132, 84)),
                (d(2026, 11, 9), 9.0, 88, (128, 82)),
                (d(2026, 11, 23), 8.5, 87, (126, 80)),
            ]
        ),
    )


def stop_and_restart() -> PatientRecord:
    """Capsules, a dose change, a stop for nephrotoxicity and a restart at a lower dose."""
    d = date
    return make_record(
        patient=Patient(id="COURSE-2", name="Ben Example", birth_date=d(1962, 9, 2), sex=Sex.MALE),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=d(2026, 7, 2), value=q(80, "kg")),),
        events=(
            _event(EventKind.START, d(2026, 7, 6), IR, 3, BID),
            _event(EventKind.CHANGE, d(2026, 7, 27), IR, 4, BID, "trough below range"),
            _event(EventKind.STOP, d(2026, 9, 7), reason="nephrotoxicity"),
            _event(EventKind.RESTART, d(2026, 10, 12), IR, 2, BID, "creatinine at baseline"),
        ),
        observations=_checks(
            [
                (d(2026, 7, 2), None, 82, (126, 80)),
                (d(2026, 7, 20), 5.0, 84, (128, 82)),
                (d(2026, 8, 10), 9.0, 96, (134, 86)),
                (d(2026, 8, 24), 12.0, 112, (140, 90)),
                (d(2026, 9, 7), 14.5, 130, (146, 92)),
                (d(2026, 9, 28), None, 88, (128, 82)),
                (d(2026, 10, 26), 6.5, 86, (126, 80)),
                (d(2026, 11, 16), 7.5, 87, (126, 80)),
            ]
        ),
    )
