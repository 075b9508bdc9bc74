"""Issue 12: a plan printed on a French workstation had French month labels ("août 2026") in an
English document: the chart's date axis used the C library's %b. Every date on the plan is
English whatever the computer's language."""

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from tacrocalc.domain.assessment import assess
from tacrocalc.report import pdf, plan_pdf
from tests.french import FRENCH_MONTHS, french_time
from tests.present.course_records import TODAY, switch_and_hold

GENERATED = datetime(2026, 11, 26, 9, 0)


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    with french_time(tmp_path_factory.mktemp("locales")):
        yield


@pytest.mark.usefixtures("french")
@pytest.mark.parametrize(
    ("start", "end", "labels"),
    [
        (date(2026, 7, 28), date(2026, 8, 25), ["28 Jul 2026", "4 Aug 2026", "11 Aug 2026"]),
        (date(2025, 11, 1), date(2026, 9, 30), ["Nov 2025", "Jan 2026", "Mar 2026"]),
    ],
)
def test_the_plan_charts_date_axis_is_english_on_a_french_workstation(start, end, labels):
    ticks = [label for _, label in pdf._date_ticks(start, end)]
    assert ticks[:3] == labels
    assert not [t for t in ticks if FRENCH_MONTHS.search(t)]


@pytest.mark.usefixtures("french")
def test_no_french_month_on_a_plan_printed_on_a_french_workstation(seed):
    document = plan_pdf(assess(switch_and_hold(), seed, TODAY), generated_at=GENERATED)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert FRENCH_MONTHS.findall(text) == []
    assert "Aug 2026" in text or "Jul 2026" in text  # the charts' months, in English
