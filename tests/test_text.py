"""Every issue code has a sentence, and every sentence uses only what its issues carry."""

import string
from datetime import date

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.dosing import adjust, dose_from_rate, switch
from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.units import Kind, parse, q
from tacrocalc.text import MESSAGES, message
from tests.seed_cases import case_1, case_2, case_3


def test_every_code_has_a_message():
    assert set(MESSAGES) == set(IssueCode)


def _issues(seed):
    """Issues produced for real by the domain, across many codes."""
    out = []
    for text, kind in [
        ("70 mg", Kind.WEIGHT),
        ("72", Kind.WEIGHT),
        ("x", Kind.WEIGHT),
        ("1,200 umol/L", Kind.CREATININE),
        ("3 parsecs", Kind.DOSE),
        ("<2 kg", Kind.WEIGHT),
    ]:
        out.append(parse(text, kind, field="f").issue)
    for weight, rate in [
        (5, 0.1),
        (20, 0.07),
        (70, 0.31),
        (70, 0.0),
        (70, 0.2),
        (70, 0.03),
        (30, 0.1),
        (10, 0.04),
    ]:
        out += dose_from_rate(
            weight=q(weight, "kg"),
            rate=q(rate, "mg/kg/day"),
            formulation="ir-capsule",
            protocol=seed,
        ).issues
    out += adjust(
        dose=q(1, "mg"), formulation="ir-capsule", trough=q(3, "ug/L"), protocol=seed
    ).issues
    out += adjust(
        dose=q(5, "mg"),
        formulation="ir-capsule",
        trough=q(30, "ug/L"),
        target=q(8, "ug/L"),
        protocol=seed,
        steady_state=True,
    ).issues
    out += adjust(
        dose=q(1, "mg"),
        formulation="ir-capsule",
        trough=q(3, "ug/L"),
        protocol=seed,
        steady_state=False,
    ).issues
    out += switch(dose=q(3, "mg"), source="ir-capsule", target="advagraf", protocol=seed).issues
    for record, today in [
        (case_1(), date(1997, 4, 10)),
        (case_2(), date(1996, 11, 7)),
        (case_3(), date(1997, 1, 13)),
    ]:
        out += [a.issue for a in assess(record, seed, today).alerts]
    return [i for i in out if i is not None]


def test_real_issues_fill_every_placeholder(seed):
    """A sentence must not ask for a number its issue does not carry."""
    issues = _issues(seed)
    assert len({i.code for i in issues}) >= 20
    for issue in issues:
        names = {f for _, f, _, _ in string.Formatter().parse(MESSAGES[issue.code]) if f}
        assert names <= set(issue.text_fields()), (issue.code, names - set(issue.text_fields()))
        text = message(issue)
        assert text and "{" not in text


@pytest.mark.parametrize("code", list(IssueCode))
def test_refusal_sentences_name_the_field_or_the_value(code):
    template = MESSAGES[code]
    assert (
        "{field}" in template
        or "{value}" in template
        or code
        in {
            IssueCode.NO_BASELINE,
            IssueCode.NO_REGIMEN,
            IssueCode.CO_MEDICATION_CHANGE,
            IssueCode.STORE_UNUSABLE,  # its reason names the file and what is wrong with it
        }
    )
