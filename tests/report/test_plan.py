"""The printed monitoring plan, checked on what it says (text extracted with pypdf)."""

import io
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from tacrocalc.app import main
from tacrocalc.domain.assessment import assess
from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
from tacrocalc.domain.units import q
from tacrocalc.records.patient_file import dumps
from tacrocalc.report import plan_pdf
from tests.seed_cases import case_1, case_3

GENERATED = datetime(1997, 1, 14, 9, 30)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def case3_pdf(seed):
    """Case 3 on 1997-01-13, the day of the creatinine of 208 µmol/L (stopped the next day)."""
    return plan_pdf(assess(case_3(), seed, date(1997, 1, 13)), generated_at=GENERATED)


def test_a_stopped_course_says_so_and_gives_no_dose(seed):
    """R15.4: after the stop of 1997-01-14 the plan says stopped, with the reason, and no dose
    to give; the 5 mg of before is under the previous regimens."""
    pdf = plan_pdf(assess(case_3(), seed, date(1997, 1, 25)), generated_at=GENERATED)
    text = " ".join(" ".join(pages(pdf)).split())
    assert "Tacrolimus stopped on 1997-01-14 (nephrotoxicity: creatinine 208 µmol/L)." in text
    assert "Do not give tacrolimus until the prescriber restarts it." in text
    assert "Give 1 × 5 mg capsule" not in text
    assert "5 mg every 12 hours" in text  # previous


def test_every_page_names_the_patient(case3_pdf):
    texts = pages(case3_pdf)
    assert len(texts) >= 2
    for number, text in enumerate(texts, 1):
        assert "Seed case three · id SEED-3 · born 1960-01-01" in text
        assert f"page {number} of {len(texts)}" in text


def test_regimen_in_words_a_nurse_can_follow(case3_pdf):
    text = " ".join(" ".join(pages(case3_pdf)).split())
    assert "5 mg every 12 hours" in text
    assert "Give 1 × 5 mg capsule at 08:00 and at 20:00." in text
    assert "0.167 mg/kg/day at 60 kg" in text  # 10 mg/day / 60 kg
    assert "4 mg every 12 hours" in text  # the previous regimens, under their own heading
    assert text.index("Previous doses (no longer given)") < text.index("4 mg every 12 hours")


def test_thresholds_with_units_and_rules(case3_pdf):
    text = " ".join(" ".join(pages(case3_pdf)).split())
    assert "4 µg/L to 25 µg/L" in text
    assert "at or above 20 µg/L (upper end)" in text
    assert "90 µmol/L, 1996-11-01" in text  # baseline (R6.1)
    assert "117 µmol/L or above is significant" in text  # 90 × 1.30 (R6.3)
    assert "systolic ≥ 140 mmHg or diastolic ≥ 90 mmHg" in text  # R7.1
    assert "prescription chart" in text


def test_alerts_worded_as_on_screen(case3_pdf):
    text = " ".join(" ".join(pages(case3_pdf)).split())
    assert "URGENT Creatinine 208 µmol/L is 131.1 % above the baseline of 90 µmol/L" in text
    assert "Warning Trough 23.2 µg/L is at the upper end of the range" in text  # R14.1
    # R14.2: the seed's suggestion beside the alert
    assert "Consider withholding tacrolimus and rechecking creatinine within 7 days" in text


def test_results_and_schedule(case3_pdf):
    text = " ".join(" ".join(pages(case3_pdf)).split())
    assert "208 µmol/L (+131 %) !" in text
    assert "170/105 mmHg !" in text
    # R8: dose changed 1996-12-30 -> check 1 from 01-06 to 01-13, done 01-13; check 2 due
    # 01-27, check 3 02-10, then monthly
    for due in ("1997-01-27", "1997-02-10", "1997-03-10"):
        assert due in text
    assert "Initials" in text
    assert "12-h trough (before the morning dose), creatinine, BP" in text
    assert "on the assumption that each check is stable" in text  # R8.10


def test_every_font_is_embedded(case3_pdf):
    """What pdffonts shows: no font without an embedded file."""
    reader = PdfReader(io.BytesIO(case3_pdf))
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts
    assert all(fonts.values()), fonts
    assert all("DejaVuSans" in name for name in fonts)


def test_metadata_has_a_title_and_no_patient_data(case3_pdf):
    meta = PdfReader(io.BytesIO(case3_pdf)).metadata
    assert meta.title == "Tacrolimus monitoring plan"
    assert "SEED-3" not in str(dict(meta)) and "Seed case" not in str(dict(meta))


def test_same_plan_same_bytes(seed, case3_pdf):
    again = plan_pdf(assess(case_3(), seed, date(1997, 1, 13)), generated_at=GENERATED)
    assert again == case3_pdf


@pytest.mark.parametrize(("paper", "size"), [("a4", (595.3, 841.9)), ("letter", (612, 792))])
def test_paper_sizes(seed, paper, size):
    pdf = plan_pdf(assess(case_3(), seed, date(1997, 1, 14)), generated_at=GENERATED, paper=paper)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == size


def test_two_years_of_results_paginate_with_headers_repeated(seed):
    record = case_1()
    start = date(1997, 3, 10)
    extra = []
    for week in range(0, 104, 2):
        day = start + timedelta(weeks=week)
        extra += [
            Trough(date=day, value=q(12, "ug/L")),
            Creatinine(date=day, value=q(72, "umol/L")),
            BloodPressure(date=day, systolic=q(125, "mmHg"), diastolic=q(80, "mmHg")),
        ]
    record = replace(record, observations=record.observations + tuple(extra))
    texts = pages(plan_pdf(assess(record, seed, date(1999, 3, 20)), generated_at=GENERATED))
    assert len(texts) >= 4
    result_pages = [t for t in texts if "mg twice daily" in t and "µg/L (in range)" in t]
    assert len(result_pages) >= 2
    for text in result_pages:  # the table's header row is repeated on each page it runs onto
        assert "Creatinine (vs baseline)" in text
    for number, text in enumerate(texts, 1):
        assert "id SEED-1" in text and f"page {number} of {len(texts)}" in text


def test_a_patient_with_no_observations_gets_a_complete_plan(seed):
    record = replace(case_1(), observations=())
    text = " ".join(
        " ".join(
            pages(plan_pdf(assess(record, seed, date(1996, 6, 4)), generated_at=GENERATED))
        ).split()
    )
    assert "No results recorded yet." in text
    assert "2 mg every 12 hours" in text
    assert "1996-06-10 to 1996-06-17" in text  # check 1 window of the regimen of 06-03
    assert "Creatinine baseline none recorded: take one" in text
    assert "Prescriber:" in text


def test_plan_command_writes_the_pdf(capsys, tmp_path):
    patient = tmp_path / "case3.json"
    patient.write_text(dumps(case_3()), encoding="utf-8")
    out = tmp_path / "plan.pdf"
    code = main(
        ["plan", str(patient), "--out", str(out), "--today", "1997-01-14", "--paper", "letter"]
    )
    assert code == 0
    assert f"to {out}" in capsys.readouterr().out
    reader = PdfReader(out)
    assert "SEED-3" in reader.pages[0].extract_text()
    assert round(float(reader.pages[0].mediabox.width)) == 612


def test_reportlab_is_not_imported_until_a_plan_is_made():
    code = (
        "import sys, tacrocalc.cli, tacrocalc.app; "
        "print(any(m.startswith('reportlab') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_plan_speaks_the_units_of_the_screen(seed):
    """R1.4: the sheet for the nurse says what the screen said, in the same units."""
    from tacrocalc.present.units import DisplayUnits

    units = DisplayUnits(trough="ng/mL", creatinine="mg/dL")
    pdf = plan_pdf(assess(case_3(), seed, date(1997, 1, 13)), generated_at=GENERATED, units=units)
    text = " ".join(" ".join(pages(pdf)).split())
    assert "Creatinine 2.35 mg/dL is 131.1 % above the baseline of 1.02 mg/dL" in text
    assert "4 ng/mL to 25 ng/mL" in text
    assert "µmol/L" not in text and "µg/L" not in text


def test_the_check_after_a_switch_names_the_products_as_a_nurse_knows_them(seed):
    """R10.6, R16: the schedule's "Why" of the trough after a switch reads "trough after the
    switch to Advagraf prolonged-release capsules", not the products' ids."""
    from tacrocalc.present.plan import build_plan
    from tacrocalc.present.words import Words
    from tests.present.course_records import switch_and_hold

    assessment = assess(switch_and_hold(), seed, date(2026, 8, 10))
    plan = build_plan(assessment, generated_at=GENERATED, version="t", words=Words(protocol=seed))
    assert plan.schedule[0][3] == "trough after the switch to Advagraf prolonged-release capsules"
    text = " ".join(pages(plan_pdf(assessment, generated_at=GENERATED)))
    assert "ir-capsule" not in text and "advagraf" not in text
    # The "Why" column breaks a long name between words or at its own hyphen, never inside one.
    lines = text.splitlines()
    assert not any(
        line.startswith(("mmediate", "ged-release", "release capsules")) for line in lines
    )
