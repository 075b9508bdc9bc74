"""The plan of a ward doctor's walkthrough (R16, R15.2, R10), checked on the text pdftotext
extracts: started at 0.1 mg/kg/day at 64 kg, a trough of 3.1 µg/L, a dose change, a hold and a
resume, and a switch to Advagraf recorded in the window today at 07:00 (with the reason the
window writes, in the products' ids), a trough at 08:00 after it."""

import re
import shutil
from datetime import date, datetime, time

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Sex,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import q
from tacrocalc.report import plan_pdf
from tests.report.test_plan_r16 import flat, page_lines, pdftotext

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

TODAY = date(2026, 11, 27)
BID, ONCE = (time(8), time(20)), (time(8),)
IR, ADVAGRAF = FormulationId.IR_CAPSULE, FormulationId.ADVAGRAF


def walkthrough():
    d = date
    events = (
        CourseEvent(kind=EventKind.START, date=d(2026, 10, 5), formulation=IR, dose=q(3, "mg"),
                    times=BID, reason="from the regimen calculator"),
        CourseEvent(kind=EventKind.CHANGE, date=d(2026, 10, 19), formulation=IR,
                    dose=q(4.5, "mg"), times=BID, reason="trough below range"),
        CourseEvent(kind=EventKind.HOLD, date=d(2026, 11, 2), reason="diarrhoea"),
        CourseEvent(kind=EventKind.RESUME, date=d(2026, 11, 9), formulation=IR,
                    dose=q(4.5, "mg"), times=BID),
        CourseEvent(kind=EventKind.SWITCH, date=TODAY, time=time(7), formulation=ADVAGRAF,
                    dose=q(9, "mg"), times=ONCE, ratio=1.0,
                    reason="switch ir-capsule → advagraf (ratio 1)"),
    )  # fmt: skip
    observations: list = [Creatinine(date=d(2026, 10, 1), value=q(80, "umol/L"))]
    for day, trough in ((d(2026, 10, 12), 3.1), (d(2026, 10, 26), 6), (TODAY, 9)):
        observations += [
            Trough(date=day, time=time(8), value=q(trough, "ug/L"), last_dose_time=time(20)),
            Creatinine(date=day, value=q(80, "umol/L")),  # written down without a time
            BloodPressure(date=day, systolic=q(128, "mmHg"), diastolic=q(80, "mmHg")),
        ]
    return make_record(
        patient=Patient(
            id="WALK-1", name="Walk Through", birth_date=d(1970, 4, 12), sex=Sex.FEMALE
        ),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=d(2026, 10, 1), value=q(64, "kg")),),
        events=events,
        observations=tuple(observations),
    )


@pytest.fixture(scope="module", params=["a4", "letter"])
def layout(seed, request, tmp_path_factory):
    """The plan as pdftotext lays it out, one string per page."""
    pdf = plan_pdf(
        assess(walkthrough(), seed, TODAY),
        generated_at=datetime(2026, 11, 27, 9),
        paper=request.param,
    )
    return pdftotext(pdf, tmp_path_factory.mktemp("walk"), "-layout")


def test_the_switch_is_said_in_the_products_names(layout):
    """R16, R10: the instruction box says from which product to which, and how the dose was
    converted, in words; no product id and no nested brackets anywhere on the plan."""
    text = flat(layout)
    assert (
        "Switched from Immediate-release tacrolimus capsules to Advagraf prolonged-release "
        "capsules on 2026-11-27, milligram for milligram; 0.141 mg/kg/day at 64 kg."
    ) in text
    assert not re.search(r"ir-capsule|advagraf|granules\b|envarsus|\(ratio", text)


def test_todays_trough_has_the_dose_the_window_and_check_give(layout):
    """R15.2: the trough of 08:00, after the switch of 07:00, was taken on Advagraf 9 mg once
    daily, as the window's results table and `check --json` say; the creatinine written down
    without a time on that day does not make it the old dose."""
    rows = [" ".join(line.split()) for page in page_lines(layout) for line in page]
    (today,) = [r for r in rows if r.startswith("2026-11-27 9 µg/L")]
    assert today.endswith("9 mg once daily")
    (first,) = [r for r in rows if r.startswith("2026-10-12 3.1 µg/L")]
    assert first.endswith("3 mg twice daily")


def test_the_why_of_a_check_fits_its_column(layout):
    """The schedule's columns are as wide as their content: the reason of the check after
    the switch, which names the product, takes at most four lines (nine before)."""
    lines = layout.splitlines()
    start = next(n for n, line in enumerate(lines) if re.match(r"\s*extra\s+2026-", line))
    end = next(n for n in range(start + 1, len(lines)) if re.match(r"\s*1\s+2026-", lines[n]))
    cell = [line for line in lines[start:end] if line.strip()]
    assert 1 <= len(cell) <= 4, cell
    why = flat(" ".join(cell))
    assert "Advagraf" in why
