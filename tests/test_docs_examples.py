"""The example files in docs/ are the seed cases of the tests, in the current file format."""

from datetime import date
from pathlib import Path

import pytest

from tacrocalc.records.patient_file import FORMAT, VERSION, loads
from tacrocalc.records.protocol_files import load_protocol
from tests.seed_cases import case_1, case_2, case_3

DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.mark.parametrize(("number", "case"), [(1, case_1), (2, case_2), (3, case_3)])
def test_the_seed_case_files_hold_the_seed_cases(number, case):
    text = (DOCS / f"seed-case-{number}.json").read_text(encoding="utf-8")
    assert f'"format": "{FORMAT}"' in text and f'"version": {VERSION}' in text
    assert loads(text, protocol_for=load_protocol, today=date(2026, 1, 1)) == case()


def test_the_switch_and_hold_file_holds_the_course_the_screenshots_show():
    from tests.present.course_records import switch_and_hold

    text = (DOCS / "switch-and-hold.json").read_text(encoding="utf-8")
    assert loads(text, protocol_for=load_protocol, today=date(2026, 11, 26)) == switch_and_hold()
