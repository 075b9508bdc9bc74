"""The history in words, Qt-free: local time, what changed, before and after in the display
units (R1.4), and never a Python dict or a row id."""

import re
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

import pytest

from tacrocalc.present.history import (
    TEXT_WIDTHS,
    HistoryRow,
    history_rows,
    local_time,
    text_table,
    what_changed,
)
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words

PLUS_TWO = timezone(timedelta(hours=2))


@dataclass(frozen=True)
class Entry:
    action: str
    entity: str
    before: Any = None
    after: Any = None
    at: str = "2026-06-30T22:30:00+00:00"
    user: str = "dr.ana"
    reason: str = ""


def row(entry, units=None, protocol=None, titles=None):
    (only,) = history_rows(
        [entry],
        Words(units or DisplayUnits(), protocol),
        to_local=lambda t: t.astimezone(PLUS_TWO),
        protocol_titles=titles,
    )
    return only


TROUGH = {"date": "2026-06-29", "time": "08:00", "kind": "trough", "value": "8.1 ug/L"}


def test_the_time_is_local_and_crosses_midnight():
    assert row(Entry("insert", "observation", after=TROUGH)).when == "2026-07-01 00:30"


def test_a_time_stored_without_offset_is_utc():
    assert local_time("2026-06-30T22:30:00", lambda t: t.astimezone(PLUS_TWO)) == (
        "2026-07-01 00:30"
    )
    assert local_time("not a time", lambda t: t) == "not a time"


@pytest.mark.parametrize(
    ("action", "entity", "item", "words"),
    [
        ("insert", "observation", TROUGH, "trough added"),
        ("correct", "observation", TROUGH, "trough corrected"),
        ("delete", "observation", TROUGH, "trough deleted"),
        ("restore", "observation", TROUGH, "trough restored"),
        ("insert", "observation", {"kind": "blood_pressure"}, "blood pressure added"),
        ("insert", "weight", {"date": "2026-06-01", "value": "70 kg"}, "weight added"),
        ("insert", "event", {"kind": "change"}, "dose change added"),
        ("correct", "event", {"kind": "hold"}, "hold corrected"),
        ("delete", "event", {"kind": "switch"}, "product switch deleted"),
        ("insert", "baseline", {}, "creatinine baseline set"),
        ("insert", "co_medication", {}, "co-medication change added"),
        ("insert", "patient", {}, "patient added"),
        ("update", "patient", {}, "patient details changed"),
        ("import", "patient", {}, "record imported from a patient file"),
        ("replace", "patient", {}, "record replaced by an imported patient file"),
        ("insert", "regimen", {}, "regimen added"),
    ],
)
def test_what_changed_in_words(action, entity, item, words):
    before = item if action == "delete" else None
    after = None if action == "delete" else item
    assert what_changed(Entry(action, entity, before=before, after=after)) == words


def test_a_corrected_trough_before_and_after_in_the_display_unit():
    corrected = {**TROUGH, "value": "<2 ug/L", "last_dose_time": "20:00"}
    shown = row(
        Entry("correct", "observation", before=TROUGH, after=corrected),
        units=DisplayUnits(trough="ng/mL"),
    )
    assert (shown.before, shown.after) == (
        "8.1 ng/mL on 2026-06-29 08:00",
        "<2 ng/mL on 2026-06-29 08:00 (last dose 20:00)",
    )


def test_creatinine_weight_and_pressure_in_their_units():
    creatinine = {"date": "2026-06-29", "kind": "creatinine", "value": "88.4 umol/L"}
    units = DisplayUnits(creatinine="mg/dL", weight="lb")
    assert row(Entry("insert", "observation", after=creatinine), units).after == (
        "1 mg/dL on 2026-06-29"
    )
    weight = {"date": "2026-06-01", "value": "70 kg"}
    assert row(Entry("insert", "weight", after=weight), units).after == "154.3 lb on 2026-06-01"
    pressure = {"date": "2026-06-29", "kind": "blood_pressure", "value": "150/95 mmHg"}
    assert row(Entry("insert", "observation", after=pressure)).after == (
        "150/95 mmHg on 2026-06-29"
    )


def test_a_course_event_with_its_product_and_reason(seed):
    hold = {
        "date": "2026-06-10",
        "kind": "hold",
        "reason": "creatinine rise",
        "resume_on": "2026-06-17",
        "recorded_by": "dr.ana",
    }
    shown = row(Entry("delete", "event", before=hold, reason="wrong patient"), protocol=seed)
    assert shown.before == "2026-06-10: resume planned on 2026-06-17 (creatinine rise)"
    assert shown.reason == "wrong patient"
    switch = {
        "date": "2026-06-12",
        "kind": "switch",
        "formulation": "advagraf",
        "dose": "3.5 mg",
        "times": ["08:00"],
        "ratio": 1.0,
    }
    advagraf = seed.formulations["advagraf"].name
    assert row(Entry("insert", "event", after=switch), protocol=seed).after == (
        f"2026-06-12: 3.5 mg {advagraf} once daily at 08:00; conversion ratio 1.0"
    )


# The reason the window records with a switch, in the protocol's ids of the products.
WINDOW_SWITCH = {
    "date": "2026-11-27",
    "time": "07:00",
    "kind": "switch",
    "formulation": "advagraf",
    "dose": "9 mg",
    "times": ["08:00"],
    "ratio": 1.0,
    "reason": "switch ir-capsule → advagraf (ratio 1)",
}


@pytest.mark.parametrize("with_protocol", [True, False], ids=["protocol", "no protocol"])
def test_a_switch_names_the_products_never_their_ids(seed, with_protocol):
    """R16, R10: History says which products a switch went from and to by their names,
    not "ir-capsule", "advagraf" or a nested "(ratio 1)"."""
    shown = row(
        Entry("insert", "event", after=WINDOW_SWITCH), protocol=seed if with_protocol else None
    )
    assert shown.what == "product switch added"
    assert "Advagraf prolonged-release capsules" in shown.after
    assert shown.after.endswith(
        "conversion ratio 1.0 (switched from Immediate-release tacrolimus capsules)"
    )
    assert not re.search(r"ir-capsule|advagraf|\(ratio", shown.after)
    # a reason someone wrote is kept as written
    typed = {**WINDOW_SWITCH, "reason": "switch to once daily for adherence (ratio per SmPC)"}
    shown = row(Entry("insert", "event", after=typed), protocol=seed if with_protocol else None)
    assert shown.after.endswith("(switch to once daily for adherence (ratio per SmPC))")


def test_a_patient_change_shows_only_what_changed():
    before = {
        "id": "H1",
        "name": "Ann",
        "birth_date": "1980-01-01",
        "sex": "F",
        "prior_ciclosporin_nephrotoxicity": False,
        "protocol": "seed-1997",
    }
    after = {
        **before,
        "birth_date": "1968-04-12",
        "target_trough": {"low": "5 ug/L", "high": "10 ug/L", "source": "renal team"},
    }
    shown = row(Entry("update", "patient", before=before, after=after))
    assert shown.before == "born: 1980-01-01; own trough range: none (the protocol's)"
    assert shown.after == "born: 1968-04-12; own trough range: 5 µg/L to 10 µg/L (renal team)"


def test_protocols_are_named_by_title():
    doc = {"name": "Ann", "protocol": "seed-1997"}
    shown = row(Entry("insert", "patient", after=doc), titles={"seed-1997": "Seed 1997"})
    assert "protocol: Seed 1997" in shown.after


def test_a_whole_record_is_summed_up_not_dumped():
    doc = {"patient": {"id": "H1"}, "weights": [{}], "events": [{}, {}], "observations": []}
    shown = row(Entry("replace", "patient", before=doc, after={"observations": [{}] * 3}))
    assert (shown.before, shown.after) == ("1 weight, 2 course events", "3 results")


def test_an_unknown_entry_is_labelled_text_not_a_dict():
    shown = row(Entry("insert", "allergy", after={"drug_name": "penicillin", "codes": [1, 2]}))
    assert shown.what == "allergy added"
    assert shown.after == "drug name: penicillin; codes: 1, 2"
    assert not re.search(r"[{}\[\]]", shown.after)


def test_a_value_that_cannot_be_read_is_shown_as_stored():
    odd = {**TROUGH, "value": "eight"}
    assert row(Entry("insert", "observation", after=odd)).after == "eight on 2026-06-29 08:00"


def history_row(**values):
    base = dict(when="2026-07-01 00:30", user="dr.ana", what="", before="", after="", reason="")
    return HistoryRow(**(base | values))


def test_on_a_terminal_before_and_after_share_a_column_with_an_arrow():
    corrected = history_row(what="trough corrected", before="8.1 µg/L", after="9.1 µg/L")
    assert corrected.change() == "8.1 µg/L -> 9.1 µg/L"
    assert history_row(what="trough added", after="9.1 µg/L").change() == "9.1 µg/L"
    assert history_row(what="trough deleted", before="8.1 µg/L").change() == "8.1 µg/L"


def test_the_terminal_table_wraps_long_values_in_their_column_and_keeps_units_on_the_number():
    long_change = "2 mg Immediate-release tacrolimus capsules (Prograf and generics) " * 2
    reason = "the trough of 2026-01-14 was taken 2 hours after the evening dose, not before it"
    table = text_table(
        [
            history_row(what="dose change added", after=long_change.strip(), reason=reason),
            history_row(what="trough corrected", before="10.1 nmol/L", after="11.3 nmol/L"),
        ]
    )
    lines = table.splitlines()
    assert lines[0] == (
        "When (local time)  By      What changed       "
        + "Before -> after".ljust(TEXT_WIDTHS["Before -> after"])
        + "  Reason"
    )
    change_at = lines[0].index("Before -> after")
    reason_at = lines[0].index("Reason")
    assert reason_at - change_at - 2 == TEXT_WIDTHS["Before -> after"]  # capped, then wraps
    first = [line for line in lines[2:] if line.startswith("2026")]
    assert len(first) == 2 and len(lines) > 4  # the first entry takes several lines
    for line in lines[2:]:
        cell = line[change_at:reason_at].strip()
        assert not re.search(r"\d$", cell)  # "2" never ends a line with "mg" on the next
        assert len(line[reason_at:]) <= TEXT_WIDTHS["Reason"]
    assert lines[-1][change_at:].strip() == "10.1 nmol/L -> 11.3 nmol/L"
    width = TEXT_WIDTHS["Before -> after"]
    edge = text_table([history_row(after="x" * (width - 5) + " 11.3 nmol/L")]).splitlines()
    at = edge[0].index("Before -> after")
    assert [line[at:].strip() for line in edge[2:]] == ["x" * (width - 5), "11.3 nmol/L"]
    assert text_table([]) == "Nothing has been recorded for this patient yet."
