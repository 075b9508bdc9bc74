"""What the monitoring plan says, as text and tables, before any PDF is drawn.

`build_plan(assessment, generated_at=...)` gathers every sentence and number from the one
assessment (nothing is re-derived here); `tacrocalc.report.pdf.render` lays it out.

R16: the plan opens with the instruction (what to give now, or that tacrolimus is held or
stopped), then says when to call the prescriber, with this patient's own levels in the chosen
units; the previous doses come under a heading of their own; and no rule number stands inside a
sentence a nurse reads: each sentence is a `Line` whose rules are printed in a column apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from tacrocalc.domain.assessment import Assessment
from tacrocalc.domain.course import EventKind, Period, Status
from tacrocalc.domain.issues import Percent, Pressure, Severity
from tacrocalc.domain.protocol import Protocol
from tacrocalc.domain.record import Observation
from tacrocalc.domain.schedule import CheckStatus
from tacrocalc.domain.units import Kind
from tacrocalc.present.charts import Charts, build_charts
from tacrocalc.present.patient import row_dose
from tacrocalc.present.words import (
    CLASS_TEXT,
    PHASE_TEXT,
    SEVERITY_COLOURS,
    SEVERITY_WORDS,
    Words,
    action_text,
    born,
    dose_words,
    once_daily,
    product_name,
    ratio_words,
    reason_words,
    switch_reason,
    take_text,
    without_rules,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A sentence a nurse reads, and the rules it follows, printed apart from it (R16.2)."""

    text: str
    rules: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    urgent: bool
    text: str  # without rule numbers (R16.2)
    severity: str = "Warning"  # the word printed before it (R14.1)
    colour: str = ""  # and its colour ("" for the ink of the text)
    rules: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    title: str
    header: str  # on every page: name, id, date of birth
    instruction: tuple[str, ...]  # R16.1: what to give, the units and times (or held, stopped)
    since: str  # since when, after what, at what mg/kg/day
    call_today: tuple[Line, ...]  # R16.3: call the prescriber the same day if ... (R14 urgent)
    call_visit: tuple[Line, ...]  # tell the prescriber at this visit if ... (R14 warning)
    patient: tuple[tuple[str, str, str], ...]  # what, value, rule
    history: tuple[tuple[str, str, str, str], ...]  # previous doses: from, to, given, event
    thresholds: tuple[tuple[str, str, str], ...]  # what, value, rule
    alerts: tuple[Alert, ...]
    charts: Charts
    results: tuple[tuple[str, str, str, str, str], ...]  # date, trough, creatinine, BP, dose
    schedule: tuple[tuple[str, str, str, str], ...]  # check, due, what to take, why
    schedule_note: Line
    notes: tuple[Line, ...]
    footer: str
    generated: str


# How the plan names an event of the course (R15.1), in "Previous doses" and "since".
EVENT_TEXT: Final[dict[EventKind, str]] = {
    EventKind.START: "started",
    EventKind.CHANGE: "dose changed",
    EventKind.SWITCH: "switched to this product",
    EventKind.HOLD: "on hold",
    EventKind.RESUME: "resumed",
    EventKind.RESTART: "restarted",
    EventKind.STOP: "stopped",
}


def split_rules(text: str) -> Line:
    """R16.2: a sentence without its rule references, and the references, for a column."""
    sentence, rules = without_rules(text)
    return Line(text=sentence, rules=rules)


def _sentence(text: str) -> str:
    """A sentence that begins with a capital, as a sentence that begins with a field name
    ("current regimen: ...") does not."""
    return text[:1].upper() + text[1:]


def build_plan(
    assessment: Assessment, *, generated_at: datetime, version: str, words: Words
) -> Plan:
    """The plan for `assessment`, every value in `words.units` (R1.4, R16)."""
    record = assessment.record
    patient = record.patient
    protocol = assessment.protocol
    target = assessment.target
    today = assessment.today
    weight = record.weight_on(today)
    span = (
        f"{words.quantity(target.low, Kind.TROUGH)} to {words.quantity(target.high, Kind.TROUGH)}"
    )

    rows = [
        ("Name", patient.name, ""),
        ("Patient id", patient.id, ""),
        ("Date of birth", born(patient.birth_date, today), ""),
        ("Sex", patient.sex.value if patient.sex else "not recorded", ""),
        (
            "Weight used",
            f"{words.quantity(weight.value, Kind.WEIGHT)} ({weight.date.isoformat()})"
            if weight
            else "not recorded",
            "",
        ),
        ("Protocol", f"{protocol.title} (version {protocol.version}). {protocol.source}", ""),
        ("Target trough", f"{span}; source: {target.source}", "R5.6"),
    ]
    if patient.prior_ciclosporin_nephrotoxicity:
        rows.append(
            (
                "Prior ciclosporin nephrotoxicity",
                "YES: low start dose, close monitoring, every renal alert is urgent",
                "R4.4",
            )
        )

    course = record.course()
    now = assessment.now
    instruction, since = _instruction(assessment, course, words)
    history = tuple(
        _previous(period, following, words)
        for period, following in reversed(list(zip(course, (*course[1:], None), strict=False)))
        if period.event is not now.event  # the instruction is not a previous dose (R16.1)
    )

    caution = (
        f"at or above {words.quantity(target.caution, Kind.TROUGH)} (upper end)"
        if target.caution is not None
        else "no upper-end level in this range"
    )
    thresholds = [
        ("Trough target range", span, "R5.2, R5.6"),
        ("Trough caution", caution, "R5.3"),
        ("Steady state", f"{protocol.values.steady_state_days} days after a dose change", "R5.5"),
    ]
    pct = words.render(Percent(protocol.values.creatinine_significant_rise_pct, 0))
    if assessment.baseline is not None and assessment.rise_limit is not None:
        after = " (taken after the start)" if assessment.baseline.after_start else ""
        thresholds += [
            (
                "Creatinine baseline",
                f"{words.quantity(assessment.baseline.value, Kind.CREATININE)},"
                f" {assessment.baseline.date.isoformat()}{after}",
                "R6.1",
            ),
            (
                f"Creatinine +{pct}",
                f"{words.quantity(assessment.rise_limit, Kind.CREATININE)} or above is significant",
                "R6.3",
            ),
        ]
    else:
        thresholds.append(("Creatinine baseline", "none recorded: take one", "R6.1"))
    systolic = words.quantity(protocol.values.systolic_limit, Kind.PRESSURE)
    diastolic = words.quantity(protocol.values.diastolic_limit, Kind.PRESSURE)
    thresholds.append(("Hypertension", f"systolic ≥ {systolic} or diastolic ≥ {diastolic}", "R7.1"))

    alerts = []
    for a in assessment.alerts:
        said = split_rules(words.message(a.issue))
        action = split_rules(action_text(a.action) or "")
        alerts.append(
            Alert(
                urgent=a.issue.severity is Severity.URGENT,
                severity=SEVERITY_WORDS.get(a.issue.severity, "Warning"),
                colour=SEVERITY_COLOURS.get(a.issue.severity, ""),
                text=_sentence(f"{said.text} {action.text}".strip()),
                rules=", ".join(r for r in (said.rules, action.rules) if r),
            )
        )

    # one row a day, as in the window; two results of one kind on a day share the cell
    by_day: dict[date, list[list[str]]] = {}
    taken: dict[date, list[Observation]] = {}

    def add(day: date, column: int, text: str, obs: Observation) -> None:
        by_day.setdefault(day, [[], [], []])[column].append(text)
        taken.setdefault(day, []).append(obs)

    for t in assessment.troughs:
        value = words.quantity(t.trough.value, Kind.TROUGH, below_limit=t.trough.below_limit)
        note = CLASS_TEXT[t.klass] + ("" if t.steady_state is not False else ", not steady")
        add(t.trough.date, 0, f"{value} ({note})", t.trough)
    for c in assessment.creatinine:
        change = f" ({c.change_pct:+.0f} %)" if c.change_pct is not None else ""
        mark = " !" if c.significant else ""
        add(
            c.creatinine.date,
            1,
            words.quantity(c.creatinine.value, Kind.CREATININE) + change + mark,
            c.creatinine,
        )
    for p in assessment.blood_pressure:
        mark = " !" if p.hypertension else ""
        add(
            p.reading.date,
            2,
            words.render(Pressure(p.reading.systolic, p.reading.diastolic)) + mark,
            p.reading,
        )
    results: list[tuple[str, str, str, str, str]] = []
    for day in sorted(by_day):
        trough, creatinine, pressure = ("; ".join(cell) for cell in by_day[day])
        # the dose at the time as the window's results table gives it (R15.2)
        dose = row_dose(taken[day], assessment, words)
        results.append((day.isoformat(), trough, creatinine, pressure, dose))

    once = once_daily(assessment.now.regimen or assessment.now.previous, protocol)  # R5.7
    schedule = []
    for check in assessment.schedule:
        if check.status is CheckStatus.DONE:
            continue
        name = str(check.number) if check.number else "extra"
        due = check.due.isoformat() + (f" to {check.latest.isoformat()}" if check.latest else "")
        if check.status is CheckStatus.OVERDUE:
            due += " OVERDUE"
        reason = check.reason
        why = PHASE_TEXT[check.phase] + (f": {reason}" if reason else "")
        if check.switch is not None:  # the product by name, as the nurse knows it (R10.6, R16);
            # the one switched from is in the instruction and under Previous doses
            why = f"trough after the switch to {product_name(check.switch[-1], protocol)}"
        takes = ", ".join(take_text(k, once_daily=once) for k in check.takes)
        schedule.append((name, due, takes, why))

    notes = (
        Line(
            text="A true trough is taken just before the morning dose, 12 hours after the "
            "evening dose (24 hours after the dose for once-daily products); write the time of "
            "the sample and of the last dose.",
            rules="R5.1",
        ),
        Line(
            text=f"A level taken less than {protocol.values.steady_state_days} days after a dose "
            "change is not at steady state.",
            rules="R5.5",
        ),
        Line(
            text="Azole antifungals, clarithromycin or erythromycin, diltiazem or verapamil, "
            "protease inhibitors and grapefruit raise tacrolimus levels; rifampicin, "
            "enzyme-inducing antiepileptics and St John's wort lower them; steroid dose changes "
            "move them. After any such change, take a trough "
            f"{protocol.values.co_medication_trough_days} days later.",
            rules="R11",
        ),
    )
    stamp = generated_at.strftime("%Y-%m-%d %H:%M")
    today_lines, visit_lines = _when_to_call(assessment, words, pct)
    return Plan(
        title="Tacrolimus monitoring plan",
        header=f"{patient.name} · id {patient.id} · born "
        f"{patient.birth_date.isoformat() if patient.birth_date else 'not recorded'}",
        instruction=instruction,
        since=since,
        call_today=today_lines,
        call_visit=visit_lines,
        patient=tuple(rows),
        history=history,
        thresholds=tuple(thresholds),
        alerts=tuple(alerts),
        charts=build_charts(assessment, words.units),
        results=tuple(results),
        schedule=tuple(schedule),
        schedule_note=Line(
            text="Checks after the third are planned on the assumption that each check is "
            "stable; if one is not (creatinine rise, hypertension, trough out of range or at "
            "its upper end), checks stay every 2 weeks until one is.",
            rules="R8.5, R8.10",
        ),
        notes=notes,
        footer=(
            f"TacroCalc {version} · protocol {protocol.id} {protocol.version} · "
            f"generated {stamp} · check against the prescription chart"
        ),
        generated=stamp,
    )


def _instruction(
    assessment: Assessment, course: tuple[Period, ...], words: Words
) -> tuple[tuple[str, ...], str]:
    """R16.1, R15.4: the lines to act on, and since when (with what came before)."""
    now = assessment.now
    protocol = assessment.protocol
    current = assessment.current_regimen
    if now.since is None or now.event is None:
        return ("No tacrolimus regimen is recorded.",), ""
    index = next(i for i, p in enumerate(course) if p.event is now.event)
    before = course[index - 1] if index > 0 else None
    if current is None:  # held or stopped
        held = now.status is Status.HELD
        lines = (
            f"Tacrolimus {words.regimen_line(assessment)}.",
            "Do not give tacrolimus until the prescriber "
            + ("resumes it." if held else "restarts it."),
        )
        parts = []
        if held and now.event.resume_on is not None:
            parts.append(f"Planned resume: {now.event.resume_on.isoformat()}.")
        if now.previous is not None:
            parts.append(
                f"Last dose given before it: {dose_words(now.previous, protocol, words)[0]}"
                " (under Previous doses)."
            )
        return lines, " ".join(parts)
    product = protocol.formulations[current.formulation]
    dose, units = dose_words(current, protocol, words)
    since = f"{_sentence(_event_words(course[index], protocol))} on {current.start.isoformat()}"
    if now.event.kind is EventKind.SWITCH and now.event.ratio is not None:
        since += f", {ratio_words(now.event.ratio)}"
    if reason := _reason(now.event.reason):
        since += f" ({reason})"
    if before is not None and before.regimen is None:  # after a hold or a stop
        since += f", after the {before.event.kind.value} of {before.start.isoformat()}"
        if reason := _reason(before.event.reason):
            since += f" ({reason})"
    weight = assessment.record.weight_on(assessment.today)
    if assessment.current_rate is not None and weight:
        since += (
            f"; {words.quantity(assessment.current_rate, Kind.DOSE_RATE)}"
            f" at {words.quantity(weight.value, Kind.WEIGHT)}"
        )
    given: tuple[str, ...] = (f"{product.name}: {dose}", f"Give {units}.")
    old = before.regimen if before is not None and now.event.kind is EventKind.SWITCH else None
    old_product = protocol.formulations.get(old.formulation) if old is not None else None
    if (
        old is not None
        and old_product is not None
        and old_product.administrations_per_day > 1
        and product.administrations_per_day == 1
    ):  # R10.7: the first once-daily dose follows the last evening dose of the old product
        first = current.start
        given += (
            f"First dose of {product_name(current.formulation, protocol)} on the morning of"
            f" {first.isoformat()}, after the last evening dose of"
            f" {product_name(old.formulation, protocol)}"
            f" on {(first - timedelta(days=1)).isoformat()}.",
        )
    return given, since + "."


def _event_words(period: Period, protocol: Protocol) -> str:
    """How the plan names the event that began `period`: "dose changed", "switched from
    Immediate-release tacrolimus capsules to Advagraf prolonged-release capsules" (R10, by the
    products' names, never their ids)."""
    regimen, old = period.regimen, period.previous
    if period.event.kind is EventKind.SWITCH and regimen is not None and old is not None:
        return (
            f"switched from {product_name(old.formulation, protocol)}"
            f" to {product_name(regimen.formulation, protocol)}"
        )
    return EVENT_TEXT[period.event.kind]


def _reason(reason: str) -> str:
    """An event's reason as the plan shows it: the window's note of a switch ("switch
    ir-capsule → advagraf (ratio 1)") is left out, as the sentence names the products."""
    return "" if switch_reason(reason) is not None else reason_words(reason, None)


def _previous(period: Period, following: Period | None, words: Words) -> tuple[str, str, str, str]:
    """One row of "Previous doses": from, to, what was given (or held, stopped), and why."""
    protocol = words.protocol
    assert protocol is not None
    if period.regimen is not None:
        product = product_name(period.regimen.formulation, protocol)
        given = f"{dose_words(period.regimen, protocol, words)[0]}, {product}"
    else:
        given = "no tacrolimus"
    event = _event_words(period, protocol)
    if period.event.kind is EventKind.SWITCH and period.event.ratio is not None:
        event += f", {ratio_words(period.event.ratio)}"
    if reason := _reason(period.event.reason):
        event += f" ({reason})"
    until = following.start.isoformat() if following is not None else ""
    return (period.start.isoformat(), until, given, event)


def _when_to_call(
    assessment: Assessment, words: Words, pct: str
) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """R16.3: the results that make the prescriber's call the same day (urgent, R14.1) and
    those to tell at this visit (warning), with this patient's own levels in `words.units`."""
    protocol = assessment.protocol
    values = protocol.values
    target = assessment.target
    on = assessment.now.status is Status.ON  # a trough off treatment is not judged (R5.7)
    urgent_pressure = words.render(Pressure(values.urgent_systolic, values.urgent_diastolic))
    pressure = words.render(Pressure(values.systolic_limit, values.diastolic_limit))
    today: list[Line] = []
    visit: list[Line] = []
    if on:
        today.append(
            Line(
                text=f"a trough is above {words.quantity(target.high, Kind.TROUGH)}",
                rules="R5.4, R14.1",
            )
        )
    baseline = assessment.baseline
    if baseline is not None and assessment.rise_limit is not None:
        today.append(
            Line(
                text=f"a creatinine is {words.quantity(assessment.rise_limit, Kind.CREATININE)}"
                f" or more ({pct} above the baseline of "
                f"{words.quantity(baseline.value, Kind.CREATININE)})",
                rules="R6.3, R14.1",
            )
        )
    today.append(
        Line(
            text=f"a blood pressure is {urgent_pressure} or more (either number)",
            rules="R14.1",
        )
    )
    if assessment.record.patient.prior_ciclosporin_nephrotoxicity:
        today.append(
            Line(
                text="a creatinine recheck is due or missed, or a creatinine has no baseline "
                "to compare with: this patient had ciclosporin nephrotoxicity",
                rules="R4.4, R14.1",
            )
        )
    elif baseline is None:
        visit.append(
            Line(
                text="a creatinine is taken: there is no baseline yet to judge a rise against",
                rules="R6.1",
            )
        )
    if on:
        visit.append(
            Line(
                text=f"a trough is below {words.quantity(target.low, Kind.TROUGH)}",
                rules="R5.4, R14.1",
            )
        )
        if target.caution is not None:
            visit.append(
                Line(
                    text=f"a trough is {words.quantity(target.caution, Kind.TROUGH)} or more"
                    " (the upper end of the range)",
                    rules="R5.3, R14.1",
                )
            )
    visit.append(
        Line(text=f"a blood pressure is {pressure} or more (either number)", rules="R7.1, R14.1")
    )
    visit.append(Line(text="a check of the schedule below is missed", rules="R8.9, R14.1"))
    return tuple(today), tuple(visit)
