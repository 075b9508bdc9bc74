"""Benchmark of the dosing core: `dose` and `check`, in-process and as whole processes.

    .venv/bin/python bench/bench_core.py [--quick]

Prints each figure with its baseline measured in the same run, and the ratio (these machines
are noisy; ratios travel, absolute times less so):
- dose_from_rate() per call, against a trivial pint conversion (72 kg -> lb);
- assess() of a patient with a year of observations (two checks a month: 24 troughs,
  creatinines and blood pressures, 4 dose changes), per call;
- assess() of a two-year treatment course: 10 events (start, dose changes, a hold and resume,
  a switch to Envarsus and back) and 150 results; target under 5 ms;
- `python -m tacrocalc dose ...` as a whole process, against `python -c pass`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from datetime import time as dtime

from common import installed_env

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.dosing import dose_from_rate
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Regimen,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import q, registry
from tacrocalc.records.protocol_files import load_protocol


def per_call(fn, repeat: int, rounds: int = 5) -> float:
    """Best of `rounds` of the mean time per call, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def year_record():
    start = date(2025, 1, 6)
    observations = [Creatinine(date=start - timedelta(days=3), value=q(80, "umol/L"))]
    for n in range(24):
        day = start + timedelta(days=7 + 15 * n)
        observations += [
            Trough(date=day, value=q(6 + n % 9, "ug/L")),
            Creatinine(date=day, value=q(80 + n % 7, "umol/L")),
            BloodPressure(date=day, systolic=q(120 + n % 15, "mmHg"), diastolic=q(80, "mmHg")),
        ]
    regimens = [
        Regimen(
            start=start + timedelta(days=90 * k),
            formulation=FormulationId.IR_CAPSULE,
            dose=q(3 + 0.5 * k, "mg"),
            times=(),
        )
        for k in range(4)
    ]
    return make_record(
        patient=Patient(id="B1", name="Bench", birth_date=date(1980, 1, 1), sex=None),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=start, value=q(70, "kg")),),
        regimens=tuple(regimens),
        observations=tuple(observations),
    )


def two_year_course():
    """10 events over two years and 50 complete checks (150 results), every 14 days."""
    start = date(2024, 1, 8)
    bid, morning = (dtime(8), dtime(20)), (dtime(8),)
    ir, envarsus = FormulationId.IR_CAPSULE, FormulationId.ENVARSUS

    def event(kind, days, mg=None, formulation=ir):
        if mg is None:
            return CourseEvent(kind=kind, date=start + timedelta(days=days), reason="bench")
        return CourseEvent(
            kind=kind,
            date=start + timedelta(days=days),
            formulation=formulation,
            dose=q(mg, "mg"),
            times=morning if formulation is envarsus else bid,
        )

    events = (
        event(EventKind.START, 0, 3.0),
        event(EventKind.CHANGE, 60, 3.5),
        event(EventKind.CHANGE, 150, 4.0),
        event(EventKind.HOLD, 240),
        event(EventKind.RESUME, 250, 4.0),
        event(EventKind.CHANGE, 330, 3.5),
        event(EventKind.SWITCH, 420, 5.0, envarsus),
        event(EventKind.SWITCH, 510, 3.5),
        event(EventKind.CHANGE, 600, 3.0),
        event(EventKind.CHANGE, 680, 2.5),
    )
    observations = [Creatinine(date=start - timedelta(days=3), value=q(80, "umol/L"))]
    for n in range(50):
        day = start + timedelta(days=7 + 14 * n)
        observations += [
            Trough(date=day, value=q(5 + n % 15, "ug/L")),
            Creatinine(date=day, value=q(80 + n % 9, "umol/L")),
            BloodPressure(date=day, systolic=q(120 + n % 25, "mmHg"), diastolic=q(80, "mmHg")),
        ]
    return make_record(
        patient=Patient(id="B2", name="Bench course", birth_date=date(1980, 1, 1), sex=None),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=start, value=q(70, "kg")),),
        events=events,
        observations=(*tuple(observations[1:]), observations[0]),
    ), start + timedelta(days=7 + 14 * 50)


def whole_process(argv: list[str], runs: int) -> float:
    env = installed_env()
    subprocess.run(argv, check=True, capture_output=True, env=env)  # bytecode cached, as installed
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name: str, value: float, unit: str, ratio: float | None = None) -> None:
    versus = f"  ratio {ratio:6.1f}" if ratio is not None else ""
    print(f"  {name:<44} {value:9.3f} {unit}{versus}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    quick = parser.parse_args().quick
    protocol = load_protocol()
    weight, rate = q(72, "kg"), q(0.1, "mg/kg/day")

    baseline = per_call(lambda: registry().Quantity(72, "kg").to("lb"), 200 if quick else 2000)
    dose = per_call(
        lambda: dose_from_rate(
            weight=weight, rate=rate, formulation="ir-capsule", protocol=protocol
        ),
        100 if quick else 1000,
    )
    record = year_record()
    today = date(2026, 1, 10)
    schedule_length = len(assess(record, protocol, today).schedule)
    check = per_call(lambda: assess(record, protocol, today), 20 if quick else 200)

    print("in-process, per call (best of 5 rounds)")
    row("baseline: pint conversion 72 kg -> lb", baseline * 1e6, "µs")
    row("dose_from_rate()", dose * 1e6, "µs", dose / baseline)
    row(
        f"assess(): a year, {len(record.observations)} observations",
        check * 1e3,
        "ms",
        check / baseline,
    )
    print(f"  ({schedule_length} scheduled checks)")
    course, course_today = two_year_course()
    assert len(course.events) == 10 and len(course.observations) == 151
    course_time = per_call(lambda: assess(course, protocol, course_today), 20 if quick else 200)
    row(
        f"assess(): 2 years, {len(course.events)} events, {len(course.observations)} results",
        course_time * 1e3,
        "ms",
        course_time / baseline,
    )
    verdict = "met" if course_time < 0.005 else "NOT met"
    print(f"  assess() of the course, target under 5 ms: {verdict}")

    runs = 3 if quick else 10
    python = whole_process([sys.executable, "-c", "pass"], runs)
    cli = whole_process(
        [
            sys.executable,
            "-m",
            "tacrocalc",
            "dose",
            "--weight",
            "72kg",
            "--rate",
            "0.1mg/kg/day",
            "--json",
        ],
        runs,
    )
    print(f"whole process, median of {runs}")
    row("baseline: python -c pass", python * 1e3, "ms")
    row("python -m tacrocalc dose --json", cli * 1e3, "ms", cli / python)


if __name__ == "__main__":
    main()
