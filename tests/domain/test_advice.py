"""R9.3-R9.4: which trough may adjust the dose, keep versus change, and that a trough gives at
most one change, however often the advice is acted on."""

from dataclasses import replace
from datetime import date, time, timedelta

from hypothesis import event, given
from hypothesis import strategies as st

from tacrocalc.domain.assessment import Advice, assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.issues import Action, IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import magnitude, q
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tests import shown

A = date(2026, 1, 5)
BID = (time(8), time(20))
IR, ENVARSUS = FormulationId.IR_CAPSULE, FormulationId.ENVARSUS


def dosing(kind, day, mg, formulation=IR):
    times = (time(8),) if formulation is ENVARSUS else BID
    return CourseEvent(kind=kind, date=day, formulation=formulation, dose=q(mg, "mg"), times=times)


def record(events, troughs, weight=60.0):
    return make_record(
        patient=Patient(id="A1", name="Advice", birth_date=date(1980, 1, 1), sex=None),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=date(2026, 1, 2), value=q(weight, "kg")),),
        events=events,
        observations=(
            Creatinine(date=date(2026, 1, 2), value=q(80, "umol/L")),
            *(
                Trough(date=d, value=q(v, "ug/L"), below_limit=below)
                for d, v, below in [(*t, False)[:3] for t in troughs]
            ),
        ),
    )


def mg(quantity):
    return magnitude(quantity, "mg")


def test_a_high_trough_suggests_a_cut_once_and_never_again():
    """R9.1-R9.5: 3 mg × 2 = 6 mg/day; trough 22 µg/L on 01-19 (14 days on the dose):
    6 × 12 / 22 = 3.27 mg/day -> 1.64 -> 1.5 mg. Once the change is recorded (01-20), the same
    trough was taken on 3 mg and the advice is unavailable until a trough on 1.5 mg, due on
    check 1 of the new dose, 01-27."""
    before = record((dosing(EventKind.START, A, 3.0),), [(date(2026, 1, 19), 22.0)])
    advice = assess(before, _seed(), date(2026, 1, 20)).adjustment
    assert advice.advice is Advice.CHANGE
    assert mg(advice.adjustment.dose) == 1.5
    after = replace(
        before, events=(*before.events, dosing(EventKind.CHANGE, date(2026, 1, 20), 1.5))
    )
    for day in (date(2026, 1, 20), date(2026, 1, 26), date(2026, 3, 1)):
        again = assess(after, _seed(), day).adjustment
        assert again.advice is Advice.UNAVAILABLE
        assert again.reason.code is IssueCode.TROUGH_ON_OTHER_REGIMEN
    reason = assess(after, _seed(), date(2026, 1, 21)).adjustment.reason
    assert shown(reason.param("due")) == "2026-01-27"
    # the regimen is named by its product and how often, not by an internal id
    words = Words(DisplayUnits(), _seed())
    assert words.render(reason.param("then")) == (
        "3 mg Immediate-release tacrolimus capsules (Prograf and generics) every 12 hours"
    )


def test_a_trough_in_range_below_the_caution_keeps_the_dose():
    """R9.4: 6 µg/L is in 4-25 and below 20: keep 3 mg (v1 suggested more than doubling)."""
    rec = record((dosing(EventKind.START, A, 3.0),), [(date(2026, 1, 19), 6.0)])
    advice = assess(rec, _seed(), date(2026, 1, 20)).adjustment
    assert advice.advice is Advice.KEEP
    assert advice.reason.code is IssueCode.TROUGH_IN_RANGE
    assert magnitude(advice.target, "ug/L") == 12.0  # R9.2: the protocol's target


def test_a_trough_at_the_upper_end_suggests_a_change():
    """R9.4: 21 µg/L is at the upper end: 3 mg × 2 × 12 / 21 = 3.43 mg/day -> 1.71 -> 1.5 mg."""
    rec = record((dosing(EventKind.START, A, 3.0),), [(date(2026, 1, 19), 21.0)])
    advice = assess(rec, _seed(), date(2026, 1, 20)).adjustment
    assert (advice.advice, mg(advice.adjustment.dose)) == (Advice.CHANGE, 1.5)


def test_a_trough_above_range_with_a_large_cut_suggests_holding_the_next_dose():
    """R9.5, R14: 5 mg × 2 = 10 × 12 / 30 = 4 mg/day -> 2 mg, less than half of 5 mg."""
    rec = record((dosing(EventKind.START, A, 5.0),), [(date(2026, 1, 19), 30.0)], weight=70)
    advice = assess(rec, _seed(), date(2026, 1, 20)).adjustment
    assert mg(advice.adjustment.dose) == 2.0
    assert advice.adjustment.action is Action.HOLD_NEXT_DOSE_AND_RECHECK_TROUGH


def test_an_immediate_release_trough_is_not_applied_after_a_switch():
    """R9.3, R10: switched to Envarsus on 01-20; the trough of 01-19 was on capsules."""
    events = (
        dosing(EventKind.START, A, 3.0),
        dosing(EventKind.SWITCH, date(2026, 1, 20), 4.0, ENVARSUS),
    )
    rec = record(events, [(date(2026, 1, 19), 22.0)])
    advice = assess(rec, _seed(), date(2026, 1, 21)).adjustment
    assert advice.advice is Advice.UNAVAILABLE
    assert advice.reason.code is IssueCode.TROUGH_ON_OTHER_REGIMEN


def test_a_trough_not_at_steady_state_is_not_used():
    """R9.3 + R5.5: changed on 01-19; a trough on 01-20 is 1 day after. Due: check 1, 01-26."""
    events = (dosing(EventKind.START, A, 3.0), dosing(EventKind.CHANGE, date(2026, 1, 19), 2.0))
    rec = record(events, [(date(2026, 1, 20), 22.0)])
    advice = assess(rec, _seed(), date(2026, 1, 21)).adjustment
    assert advice.advice is Advice.UNAVAILABLE
    assert advice.reason.code is IssueCode.ADJUST_NOT_STEADY_STATE
    assert advice.due == date(2026, 1, 26)


def test_a_trough_below_the_assay_limit_is_not_used():
    rec = record((dosing(EventKind.START, A, 3.0),), [(date(2026, 1, 19), 2.0, True)])
    advice = assess(rec, _seed(), date(2026, 1, 20)).adjustment
    assert advice.reason.code is IssueCode.ADJUST_BELOW_ASSAY_LIMIT


def test_no_advice_while_held_or_stopped():
    """R9.3, R5.7: on hold from 01-20: no advice; a trough taken while held is off treatment."""
    events = (
        dosing(EventKind.START, A, 3.0),
        CourseEvent(kind=EventKind.HOLD, date=date(2026, 1, 20), reason="infection"),
    )
    rec = record(events, [(date(2026, 1, 19), 22.0), (date(2026, 1, 22), 9.0)])
    result = assess(rec, _seed(), date(2026, 1, 23))
    assert result.adjustment.reason.code is IssueCode.NO_TREATMENT
    assert result.troughs[-1].klass.value == "off_treatment"


def test_a_resume_needs_a_new_trough():
    """Held 01-20, resumed at the same 3 mg on 01-26: the trough of 01-19 came before the
    resume: no change from it (a new steady state is needed)."""
    events = (
        dosing(EventKind.START, A, 3.0),
        CourseEvent(kind=EventKind.HOLD, date=date(2026, 1, 20)),
        dosing(EventKind.RESUME, date(2026, 1, 26), 3.0),
    )
    rec = record(events, [(date(2026, 1, 19), 22.0)])
    advice = assess(rec, _seed(), date(2026, 1, 27)).adjustment
    assert advice.reason.code is IssueCode.TROUGH_ON_OTHER_REGIMEN


# -- properties -------------------------------------------------------------------------------


def _seed():
    from tacrocalc.records.protocol_files import load_protocol

    return load_protocol("seed-1997")


@st.composite
def courses(draw):
    """A start and up to 4 dose changes with troughs in between, all within 120 days."""
    day = A
    events = [dosing(EventKind.START, day, draw(st.sampled_from([1.0, 2.0, 3.0, 4.0])))]
    troughs = []
    for _ in range(draw(st.integers(0, 4))):
        for _ in range(draw(st.integers(0, 2))):
            day += timedelta(days=draw(st.integers(1, 10)))
            troughs.append((day, draw(st.floats(1.0, 40.0).map(lambda v: round(v, 1)))))
        day += timedelta(days=draw(st.integers(1, 10)))
        current = mg(events[-1].dose)
        new = draw(st.sampled_from([m for m in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0) if m != current]))
        events.append(dosing(EventKind.CHANGE, day, new))
    for _ in range(draw(st.integers(1, 3))):
        day += timedelta(days=draw(st.integers(1, 10)))
        troughs.append((day, draw(st.floats(1.0, 40.0).map(lambda v: round(v, 1)))))
    return tuple(events), troughs, day + timedelta(days=draw(st.integers(0, 5)))


@given(courses(), st.integers(0, 30))
def test_a_trough_never_gives_two_changes(course, later):
    """Acting on a suggested change records a dose change; from then on, with no new trough,
    no change is suggested again, on any later day."""
    events, troughs, today = course
    seed = _seed()
    rec = record(events, troughs)
    first = assess(rec, seed, today).adjustment
    changed = first.advice is Advice.CHANGE and mg(first.adjustment.dose) != mg(first.regimen.dose)
    event(f"a change to record: {changed}")  # both branches are reached (hypothesis --statistics)
    if not changed:
        return
    applied = replace(
        rec, events=(*rec.events, dosing(EventKind.CHANGE, today, mg(first.adjustment.dose)))
    )
    again = assess(applied, seed, today + timedelta(days=later)).adjustment
    assert again.advice is Advice.UNAVAILABLE
    assert again.trough is not None and again.trough.trough == first.trough.trough


@given(
    st.lists(st.sampled_from(["t", "c", "b"]), min_size=3, max_size=3, unique=True),
    st.lists(st.one_of(st.none(), st.times()), min_size=3, max_size=3),
    st.sampled_from([6.0, 22.0, 30.0]),
)
def test_results_of_one_day_count_together_in_any_order(order, times, level):
    """R8.1: a trough, creatinine and blood pressure of the same day, entered in any order,
    with or without times, give the same schedule, alerts and advice."""
    seed = _seed()
    day = date(2026, 1, 14)
    make = {
        "t": lambda at: Trough(date=day, time=at, value=q(level, "ug/L")),
        "c": lambda at: Creatinine(date=day, time=at, value=q(85, "umol/L")),
        "b": lambda at: BloodPressure(
            date=day, time=at, systolic=q(150, "mmHg"), diastolic=q(95, "mmHg")
        ),
    }
    base = record((dosing(EventKind.START, A, 3.0),), [])
    plain = replace(base, observations=(*base.observations, *(make[k](None) for k in "tcb")))
    shuffled = make_record(
        patient=base.patient,
        protocol_id=base.protocol_id,
        weights=base.weights,
        events=base.events,
        observations=(*base.observations, *(make[k](t) for k, t in zip(order, times, strict=True))),
    )
    today = date(2026, 1, 20)
    a, b = assess(plain, seed, today), assess(shuffled, seed, today)
    assert a.schedule == b.schedule
    assert [x.issue.code for x in a.alerts] == [x.issue.code for x in b.alerts]
    assert (a.adjustment.advice, a.adjustment.reason.code) == (
        b.adjustment.advice,
        b.adjustment.reason.code,
    )


def test_a_trough_of_the_day_of_the_change_is_credited_to_the_dose_before():
    """R15.2, R9.3: a trough of 22 µg/L taken on 01-20 (no time) and a change recorded that
    day: the trough reflects 3 mg, so the reason is 'taken on 3 mg', not 'not at steady state',
    and a usable trough is due on check 1 of the new dose, 01-27."""
    events = (dosing(EventKind.START, A, 3.0), dosing(EventKind.CHANGE, date(2026, 1, 20), 1.5))
    rec = record(events, [(date(2026, 1, 20), 22.0)])
    result = assess(rec, _seed(), date(2026, 1, 20))
    assert result.troughs[-1].steady_state is True
    assert mg(result.troughs[-1].regimen.dose) == 3.0
    advice = result.adjustment
    assert advice.reason.code is IssueCode.TROUGH_ON_OTHER_REGIMEN
    assert advice.due == date(2026, 1, 27)
