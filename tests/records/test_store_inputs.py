"""Issue 12, one validation path: the store (the window writes through it) refuses the dates a
patient file is refused for (R12.4), on both stores."""

import json
from datetime import date

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.record import Creatinine, Patient, WeightEntry
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tests.records.stores import open_store

TODAY = date(2026, 6, 1)

pytestmark = pytest.mark.usefixtures("each_store")


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "d") as opened:
        yield opened


def patient(birth):
    return Patient(id="H9", name="Someone", birth_date=birth, sex=None)


@pytest.mark.parametrize(
    ("birth", "code"),
    [(date(1, 1, 1), IssueCode.DATE_TOO_EARLY), (date(2027, 1, 1), IssueCode.DATE_IN_FUTURE)],
)
def test_a_birth_date_outside_a_life_is_refused(store, birth, code):
    written = store.save_patient(patient(birth), protocol_id="seed-1997", today=TODAY)
    assert [i.code for i in written.issues if i.refuses] == [code]
    assert store.list_patients() == []


def test_a_birth_date_within_the_oldest_age_is_saved(store):
    written = store.save_patient(patient(date(1901, 6, 1)), protocol_id="seed-1997", today=TODAY)
    assert written.ok


def test_results_dated_before_any_living_patient_are_refused_without_a_birth_date(store):
    assert store.save_patient(patient(None), protocol_id="seed-1997", today=TODAY).ok
    old = date(1066, 10, 14)
    written = store.add_observation(
        "H9", Creatinine(date=old, time=None, value=q(80, "umol/L")), today=TODAY
    )
    assert [i.code for i in written.issues] == [IssueCode.DATE_TOO_EARLY]
    written = store.add_weight("H9", WeightEntry(date=old, value=q(60, "kg")), today=TODAY)
    assert [i.code for i in written.issues] == [IssueCode.DATE_TOO_EARLY]
    assert store.load("H9").observations == () and store.load("H9").weights == ()


# -- R12.9: free text, whatever writes it --------------------------------------------------------

# (text, what the refusal says about it, how it shows the text back: escaped, shortened)
BAD_TEXTS = [
    ("renal\x1b[2J", "U+001B", '"renal\\x1b[2J"'),
    ("renal \u202elatot", "U+202E", '"renal \\u202elatot"'),
    ("x" * 10_000, "longer than 2000 characters", '"' + "x" * 40 + '…"'),
]


@pytest.fixture
def course(tmp_path):
    """A patient on treatment since 2026-01-05 with one trough (ids: event, observation)."""
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.protocol import FormulationId
    from tacrocalc.domain.record import Trough

    with open_store(tmp_path / "d") as opened:  # as dr.test
        assert opened.save_patient(patient(None), protocol_id="seed-1997", today=TODAY).ok
        started = opened.add_event(
            "H9",
            CourseEvent(
                kind=EventKind.START,
                date=date(2026, 1, 5),
                formulation=FormulationId.IR_CAPSULE,
                dose=q(3, "mg"),
            ),
            today=TODAY,
        )
        trough = Trough(date=date(2026, 1, 19), time=None, value=q(8.1, "ug/L"))
        observed = opened.add_observation("H9", trough, today=TODAY)
        assert started.ok and observed.ok
        yield opened, started.id, observed.id


def _writes(store, event_id, obs_id, text):
    """Every write of the store that takes free text, with `text` in it, and the field its
    refusal names."""
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.protocol import TargetRange
    from tacrocalc.domain.record import BaselineSetting, CoMedicationChange

    stop = CourseEvent(kind=EventKind.STOP, date=date(2026, 2, 1), reason=text)
    signed = CourseEvent(kind=EventKind.STOP, date=date(2026, 2, 1), reason="x", recorded_by=text)
    (_, started), *_ = store.events("H9")
    corrected = started.__class__(**{**_fields(started), "reason": text})
    target = TargetRange(low=q(5, "ug/L"), high=q(10, "ug/L"), caution=None, source=text)
    return [
        ("stop on 2026-02-01: reason", lambda: store.add_event("H9", stop, today=TODAY)),
        ("stop on 2026-02-01: recorded by", lambda: store.add_event("H9", signed, today=TODAY)),
        (
            "start on 2026-01-05: reason",
            lambda: store.correct_event(event_id, corrected, today=TODAY, reason="typo"),
        ),
        (
            "why corrected",
            lambda: store.correct_event(event_id, started, today=TODAY, reason=text),
        ),
        ("why deleted", lambda: store.delete_event(event_id, today=TODAY, reason=text)),
        ("why deleted", lambda: store.delete_observation(obs_id, reason=text)),
        (
            "baseline reason",
            lambda: store.set_baseline(
                "H9",
                BaselineSetting(date=date(2026, 1, 2), value=q(80, "umol/L"), reason=text),
                today=TODAY,
            ),
        ),
        (
            "interacting drug",
            lambda: store.add_co_medication(
                "H9", CoMedicationChange(date=date(2026, 2, 1), note=text), today=TODAY
            ),
        ),
        (
            "target range: source",
            lambda: store.save_patient(
                patient(None), protocol_id="seed-1997", target=target, today=TODAY
            ),
        ),
    ]


def _fields(event):
    from dataclasses import fields

    return {f.name: getattr(event, f.name) for f in fields(event)}


@pytest.mark.parametrize(("text", "why", "escaped"), BAD_TEXTS)
def test_every_free_text_the_store_writes_is_refused_with_its_field_value_and_reason(
    course, text, why, escaped
):
    """R12.9: the store wrote an ESC, a right-to-left override or 10,000 characters in a reason,
    a note or a source from the window, which only `import` and `event --reason` refused. The
    store refuses them itself: one refusal naming the field, the text escaped and shortened,
    and why; nothing is written, not even to the history."""
    from tacrocalc.present.words import Words

    store, event_id, obs_id = course
    before = (store.history("H9"), store.events("H9"), store.load("H9"))
    for field, write in _writes(store, event_id, obs_id, text):
        written = write()
        assert not written.ok, field
        (issue,) = written.issues
        message = Words().message(issue)
        assert message.startswith(f"{field}: {escaped} cannot be used"), message
        assert why in message and len(message) < 200
        assert text not in message
    assert (store.history("H9"), store.events("H9"), store.load("H9")) == before


@pytest.mark.parametrize("which", range(9))
def test_free_text_that_is_text_is_written(course, which):
    """Accents, dashes, Persian with its zero-width non-joiner: text, written as typed."""
    store, event_id, obs_id = course
    text = "Zoë’s GP — ½ dose, نفروتوکسی\u200cسیتی"
    field, write = _writes(store, event_id, obs_id, text)[which]
    written = write()
    assert written.ok, (field, written.issues)
    last = store.history("H9")[-1]
    assert text in (last.reason, *json.dumps(last.after, ensure_ascii=False).split('"'))


# -- R10.1: a switch's ratio is the one R10 gives for that switch --------------------------------


@pytest.mark.parametrize(("ratio", "ok"), [(0.7, True), (1 / 0.7, False), (0.8, False)])
def test_a_switch_is_stored_with_the_ratio_r10_gives_for_it_and_no_other(course, ratio, ok):
    """Capsules to Envarsus in an EU protocol is 0.7 (R10.3); 1/0.7 is for the switch back and
    0.8 is the US label's. The store checks it as import does, with the ratio `switch` gives."""
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.dosing import switch
    from tacrocalc.domain.protocol import FormulationId
    from tacrocalc.present.words import Words

    store, *_ = course
    worked_out = switch(
        dose=q(3, "mg"),
        source=FormulationId.IR_CAPSULE,
        target=FormulationId.ENVARSUS,
        protocol=load_protocol("seed-1997"),
    ).switch
    assert worked_out is not None and worked_out.ratio == 0.7  # what the window records
    written = store.add_event(
        "H9",
        CourseEvent(
            kind=EventKind.SWITCH,
            date=date(2026, 2, 1),
            formulation=FormulationId.ENVARSUS,
            dose=worked_out.dose,
            ratio=ratio,
        ),
        today=TODAY,
    )
    assert written.ok is ok
    if not ok:
        (issue,) = written.issues
        assert issue.code is IssueCode.SWITCH_RATIO_NOT_R10
        message = Words().message(issue)
        assert message.startswith(f"switch on 2026-02-01: ratio: {ratio:g} is not")
        assert "R10 gives 0.7 for that switch" in message
        assert [e.kind for _, e in store.events("H9")] == [EventKind.START]
