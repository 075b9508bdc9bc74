"""R16: what a nurse reads on the plan, checked on the text pdftotext extracts from the PDF.

The patient of most tests is seed case 3 (stopped on 1997-01-14 for nephrotoxicity) restarted
on 1997-02-17 at 1 mg every 12 hours, with a first check on the new dose on 1997-02-24.
"""

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from tacrocalc.app import main
from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId, TargetRange
from tacrocalc.domain.record import BloodPressure, Creatinine, Trough
from tacrocalc.domain.units import q
from tacrocalc.present.plan import build_plan, split_rules
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.records.patient_file import dumps
from tacrocalc.report import plan_pdf
from tacrocalc.report.pdf import MARGIN, RULE_WIDTH
from tests.present.test_words import alert_patients
from tests.seed_cases import BID, case_1, case_2, case_3

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

GENERATED = datetime(1997, 3, 10, 9, 30)
TODAY = date(1997, 3, 10)
HEADINGS = (
    "Tacrolimus now",
    "Alerts",
    "Previous doses (no longer given)",
    "Thresholds in force",
    "Patient",
    "Charts",
    "Results so far",
    "Monitoring schedule",
    "Notes",
)
RULE_CODE = re.compile(r"\bR\d+(\.\d+)?\b")


def stop_and_restart():
    """Seed case 3, stopped for nephrotoxicity on 1997-01-14, restarted at the low start dose of
    R4.4 once the creatinine was back near its baseline, and checked a week later."""
    record = case_3()
    restart = CourseEvent(
        kind=EventKind.RESTART,
        date=date(1997, 2, 17),
        formulation=FormulationId.IR_CAPSULE,
        dose=q(1, "mg"),
        times=BID,
        reason="creatinine back to 95 µmol/L",
    )
    day = date(1997, 2, 24)
    checks = (
        Trough(date=day, time=time(8), value=q(3.1, "ug/L"), last_dose_time=time(20)),
        Creatinine(date=day, value=q(96, "umol/L")),
        BloodPressure(date=day, systolic=q(132, "mmHg"), diastolic=q(84, "mmHg")),
    )
    return replace(
        record,
        events=(*record.events, restart),
        observations=(*record.observations, *checks),
    )


def pdftotext(pdf: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def page_lines(text: str) -> list[list[str]]:
    """The non-empty lines of each page (pdftotext ends each page with a form feed)."""
    return [
        [line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")
    ]


def _plan(seed, record=None, today=TODAY, units=None, paper="a4", protocol=None):
    assessment = assess(record or stop_and_restart(), protocol or seed, today)
    return plan_pdf(assessment, generated_at=GENERATED, units=units, paper=paper)


@pytest.fixture(scope="module")
def restarted(seed, tmp_path_factory):
    return pdftotext(_plan(seed), tmp_path_factory.mktemp("r16"))


@pytest.fixture(scope="module")
def restarted_rows(seed, tmp_path_factory):
    """The plan's lines as laid out (`pdftotext -layout`), spaces squeezed: a table row is a
    line."""
    text = pdftotext(_plan(seed), tmp_path_factory.mktemp("r16"), "-layout")
    return "\n".join(" ".join(line.split()) for page in page_lines(text) for line in page)


def test_the_instruction_is_the_first_thing_on_the_plan(restarted):
    """R16.1: product, dose, units to give and times, and the date it started, before anything
    else: before the call box, the alerts, the previous doses and the patient's details."""
    first = page_lines(restarted)[0]
    body = first[first.index("Generated 1997-03-10 09:30") + 1 :]
    assert body[0] == "Tacrolimus now"
    start = flat(" ".join(body[1:6]))
    assert start.startswith(
        "Immediate-release tacrolimus capsules (Prograf and generics): 1 mg every 12 hours "
        "Give 1 × 1 mg capsule at 08:00 and at 20:00. "
        "Restarted on 1997-02-17 (creatinine back to 95 µmol/L), after the stop of 1997-01-14 "
        "(nephrotoxicity: creatinine 208 µmol/L); 0.033 mg/kg/day at 60 kg."
    )
    text = flat(restarted)
    order = [
        "Give 1 × 1 mg capsule",
        "Call the prescriber the same day if",
        "Alerts",
        "Previous doses (no longer given)",
        "Patient id",
    ]
    assert [text.index(t) for t in order] == sorted(text.index(t) for t in order)


def test_previous_doses_come_under_their_own_heading(restarted, restarted_rows):
    """R16.1: nothing given before the restart stands under the instruction; the stop, and
    each dose before it with its dates, come under "Previous doses (no longer given)"."""
    text = flat(restarted)
    heading = text.index("Previous doses (no longer given)")
    for old in ("5 mg every 12 hours", "4 mg every 12 hours", "no tacrolimus"):
        assert heading < text.index(old), old
    layout = restarted_rows
    assert "1997-01-14 1997-02-17 no tacrolimus stopped (nephrotoxicity: creatinine" in layout
    assert "1996-12-30 1997-01-14 5 mg every 12 hours, Immediate-release dose changed" in layout
    assert "1996-11-04 1996-11-28 1 mg every 12 hours, Immediate-release started" in layout
    # the current dose is the instruction, not a previous dose
    assert "1997-02-17 1 mg every 12 hours" not in layout


def test_the_call_box_gives_this_patients_levels(restarted):
    """R16.3: the urgent levels of R14.1 for this patient: above the range, the creatinine
    baseline + 30 % (90 × 1.30 = 117 µmol/L), 180/110 mmHg, and with prior ciclosporin
    nephrotoxicity every renal alert; the warnings apart, to tell at this visit."""
    text = flat(restarted)
    box = text[text.index("Call the prescriber the same day if") : text.index("Alerts")]
    today, visit = box.split("Tell the prescriber at this visit if")
    for line in (
        "a trough is above 25 µg/L",
        "a creatinine is 117 µmol/L or more (30 % above the baseline of 90 µmol/L)",
        "a blood pressure is 180/110 mmHg or more (either number)",
        "this patient had ciclosporin nephrotoxicity",
    ):
        assert line in today, line
    for line in (
        "a trough is below 4 µg/L",
        "a trough is 20 µg/L or more (the upper end of the range)",
        "a blood pressure is 140/90 mmHg or more (either number)",
    ):
        assert line in visit, line


@pytest.mark.parametrize(
    ("units", "levels"),
    [
        (
            DisplayUnits(trough="ng/mL", creatinine="mg/dL"),
            ("a trough is above 25 ng/mL", "a creatinine is 1.32 mg/dL or more"),
        ),
        (  # 25 µg/L × 1.2437 = 31.1 nmol/L (R1.3)
            DisplayUnits(trough="nmol/L", creatinine="umol/L"),
            ("a trough is above 31.1 nmol/L", "a creatinine is 117 µmol/L or more"),
        ),
    ],
    ids=["ng/mL, mg/dL", "nmol/L, µmol/L"],
)
def test_the_call_box_speaks_the_chosen_units(seed, tmp_path, units, levels):
    """R1.4: the levels to call on are in the units of the screen, and in no other."""
    text = flat(pdftotext(_plan(seed, units=units), tmp_path))
    box = text[text.index("Call the prescriber the same day if") : text.index("Alerts")]
    for level in levels:
        assert level in box
    assert "µg/L" not in text
    if units.creatinine == "mg/dL":
        assert "µmol/L" not in box.replace("(creatinine back to 95 µmol/L)", "")


def test_the_levels_come_from_the_protocol_and_the_patient(prograf, seed, tmp_path):
    """The numbers are the protocol's (Prograf label: 4-11 ng/mL, no upper-end level) or the
    patient's own range (R5.6), never fixed in the plan."""
    record = replace(stop_and_restart(), protocol_id=prograf.id)
    units = DisplayUnits(trough="ng/mL")
    text = flat(pdftotext(_plan(seed, record=record, protocol=prograf, units=units), tmp_path))
    assert "a trough is above 11 ng/mL" in text
    assert "a trough is below 4 ng/mL" in text
    assert "(the upper end of the range)" not in text

    own = TargetRange(low=q(5, "ug/L"), high=q(15, "ug/L"), caution=q(12, "ug/L"), source="own")
    record = replace(stop_and_restart(), target_trough=own)
    text = flat(pdftotext(_plan(seed, record=record), tmp_path))
    assert "a trough is above 15 µg/L" in text
    assert "a trough is below 5 µg/L" in text
    assert "a trough is 12 µg/L or more (the upper end of the range)" in text


def test_a_stopped_course_calls_on_creatinine_and_pressure_but_not_on_a_trough(seed, tmp_path):
    """R15.4, R5.7: stopped, the plan says so and gives no dose; a trough taken off treatment is
    not judged against the range, so the box lists no trough level."""
    text = flat(pdftotext(_plan(seed, record=case_3(), today=date(1997, 1, 25)), tmp_path))
    assert text.index("Tacrolimus now") < text.index(
        "Tacrolimus stopped on 1997-01-14 (nephrotoxicity: creatinine 208 µmol/L)."
    )
    assert "Do not give tacrolimus until the prescriber restarts it." in text
    assert "Last dose given before it: 5 mg every 12 hours (under Previous doses)." in text
    assert "Give 1 ×" not in text
    box = text[text.index("Call the prescriber the same day if") : text.index("Alerts")]
    assert "a creatinine is 117 µmol/L or more" in box
    assert "a blood pressure is 180/110 mmHg or more" in box
    assert "trough" not in box


def test_a_hold_says_when_it_is_planned_to_resume(seed, tmp_path):
    """R15.1, R15.4: on hold since a date, with its reason and the planned resume date."""
    hold = CourseEvent(
        kind=EventKind.HOLD,
        date=date(1996, 11, 14),
        reason="infection",
        resume_on=date(1996, 11, 28),
    )
    record = replace(case_2(), events=(*case_2().events, hold))
    text = flat(pdftotext(_plan(seed, record=record, today=date(1996, 11, 20)), tmp_path))
    assert "Tacrolimus on hold since 1996-11-14 (infection)." in text
    assert "Do not give tacrolimus until the prescriber resumes it." in text
    assert "Planned resume: 1996-11-28." in text
    assert "1996-11-08 1996-11-14 2 mg every 12 hours" in " ".join(text.split())


def _rule_words_outside_the_column(pdf: bytes, tmp_path) -> list[str]:
    """Words of `pdftotext -bbox` that hold a rule number and start left of the rule column."""
    boxes = pdftotext(pdf, tmp_path, "-bbox")
    page = re.search(r'<page width="([\d.]+)"', boxes)
    assert page is not None
    column = float(page.group(1)) - MARGIN - RULE_WIDTH
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', boxes
    )
    return [w for x, w in words if RULE_CODE.search(w) and float(x) < column - 0.5]


@pytest.mark.parametrize(("record", "today"), [(stop_and_restart(), TODAY), *alert_patients()])
def test_rule_numbers_stand_only_in_the_rule_column(seed, tmp_path, record, today):
    """R16.2: every rule number on the plan (where words of every kind of alert, the notes,
    the thresholds and the schedule cite them) is printed in the one column at the right."""
    pdf = _plan(seed, record=record, today=today)
    assert RULE_CODE.search(pdftotext(pdf, tmp_path))  # the rules are on the plan ...
    assert _rule_words_outside_the_column(pdf, tmp_path) == []  # ... in their column only


def test_no_sentence_of_the_plan_holds_a_rule_number(seed):
    """R16.2 on the content: the sentences carry their rules apart."""
    for record, today in [(stop_and_restart(), TODAY), *alert_patients()]:
        assessment = assess(record, seed, today)
        plan = build_plan(
            assessment, generated_at=GENERATED, version="test", words=Words(protocol=seed)
        )
        sentences = [
            *plan.instruction,
            plan.since,
            *(line.text for line in (*plan.call_today, *plan.call_visit, *plan.notes)),
            plan.schedule_note.text,
            *(alert.text for alert in plan.alerts),
            *(row[1] for row in plan.patient),
            *(cell for row in plan.history for cell in row),
        ]
        assert [s for s in sentences if RULE_CODE.search(s)] == []
        assert all(alert.rules for alert in plan.alerts)  # ... and none is lost


@pytest.mark.parametrize(
    ("text", "sentence", "rules"),
    [
        ("Trough 30 µg/L is above the range 4-25 µg/L (R5.4).", "Trough 30 µg/L is above the range 4-25 µg/L.", "R5.4"),  # noqa: E501
        ("not used to adjust the dose (R5.1, R9.3).", "not used to adjust the dose.", "R5.1, R9.3"),
        ("has no conversion (R10.2-R10.5).", "has no conversion.", "R10.2-R10.5"),
        ("Check 2 is due (from 1997-01-01) (R8).", "Check 2 is due (from 1997-01-01).", "R8"),
        ("Consider withholding (seed case 3).", "Consider withholding (seed case 3).", ""),
    ],
)  # fmt: skip
def test_split_rules(text, sentence, rules):
    line = split_rules(text)
    assert (line.text, line.rules) == (sentence, rules)


def _with_results(count: int):
    """Seed case 1 with `count` more fortnightly results: each moves every section further
    down the pages, so that over the range each heading falls near the foot of one."""
    record = case_1()
    extra = []
    for n in range(count):
        day = date(1997, 3, 10) + timedelta(weeks=2 * n)
        extra += [
            Trough(date=day, value=q(12, "ug/L")),
            Creatinine(date=day, value=q(72, "umol/L")),
            BloodPressure(date=day, systolic=q(125, "mmHg"), diastolic=q(80, "mmHg")),
        ]
    return replace(record, observations=record.observations + tuple(extra))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_heading_is_left_at_the_foot_of_a_page(seed, tmp_path, paper):
    """R16.4: whatever the length of the plan, each heading has the first lines of its section
    under it on its own page."""
    stranded = []
    for count in range(0, 40, 3):
        record = _with_results(count)
        today = date(1997, 3, 10) + timedelta(weeks=2 * count)
        text = pdftotext(_plan(seed, record=record, today=today, paper=paper), tmp_path, "-layout")
        for number, lines in enumerate(page_lines(text), 1):
            body = [line for line in lines if "page " not in line and "· born" not in line]
            for index, line in enumerate(body):
                if line in HEADINGS and index > len(body) - 3:
                    stranded.append((count, number, line))
    assert stranded == []


def test_the_plan_command_writes_the_same_plan(tmp_path, capsys):
    """The CLI writes the plan the window prints: the instruction, the call box, the previous
    doses."""
    patient = tmp_path / "restarted.json"
    patient.write_text(dumps(stop_and_restart()), encoding="utf-8")
    out = tmp_path / "plan.pdf"
    assert main(["plan", str(patient), "--out", str(out), "--today", "1997-03-10"]) == 0
    assert f"to {out}" in capsys.readouterr().out
    text = flat(pdftotext(out.read_bytes(), tmp_path))
    assert "Give 1 × 1 mg capsule at 08:00 and at 20:00." in text
    assert "Call the prescriber the same day if • a trough is above 25 µg/L" in text
    assert "Previous doses (no longer given)" in text
