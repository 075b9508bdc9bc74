"""What the patient view shows, worked out without Qt: header, observation rows, alerts,
schedule, the adjustment suggestion and the quick-entry parsing, every value in the user's
units (R1.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from tacrocalc.domain.assessment import Advice, Assessment
from tacrocalc.domain.course import Regimen, Status, period_at
from tacrocalc.domain.dosing import SwitchOutcome
from tacrocalc.domain.issues import Issue, Percent, Pressure, Severity
from tacrocalc.domain.record import BloodPressure, Creatinine, Observation, Trough
from tacrocalc.domain.schedule import CheckStatus, Phase
from tacrocalc.domain.thresholds import (
    TroughClass,
    at_steady_state,
    classify,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    significant_rise,
)
from tacrocalc.domain.units import Kind, magnitude, parse, parse_blood_pressure, q
from tacrocalc.present.text import printable
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import (
    CLASS_TEXT,
    NO_DOSE_TEXT,
    PHASE_TEXT,
    Words,
    action_text,
    age_in_years,
    clock,
    how_often,
    once_daily,
    take_text,
    units_to_give,
    without_rules,
)


def header(assessment: Assessment, words: Words) -> dict[str, str]:
    record = assessment.record
    patient = record.patient
    today = assessment.today
    age = f"{age_in_years(patient.birth_date, today)} years" if patient.birth_date else ""
    weight = record.weight_on(today)
    target = assessment.target
    return {
        "name": patient.name,
        "id": patient.id,
        "age": f"born {patient.birth_date.isoformat()} ({age})"
        if patient.birth_date
        else "birth date not recorded",
        "sex": patient.sex.value if patient.sex else "sex not recorded",
        "weight": (
            f"{words.quantity(weight.value, Kind.WEIGHT)} on {weight.date.isoformat()}"
            if weight
            else "no weight recorded"
        ),
        "protocol": f"{assessment.protocol.title} ({assessment.protocol.id})",
        "target": (
            f"target {words.quantity(target.low, Kind.TROUGH)}"
            f"–{words.quantity(target.high, Kind.TROUGH)}"
        ),
        "regimen": words.regimen_line(assessment),  # R15.4
        "nephrotoxicity": (
            "prior ciclosporin nephrotoxicity" if patient.prior_ciclosporin_nephrotoxicity else ""
        ),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ObservationRow:
    id: int
    date: str
    time: str
    kind: str
    value: str
    assessment: str
    flagged: bool
    deleted: bool


# What the results table calls each kind of result (VALUE_COLUMNS holds the same names).
KIND_NAMES: dict[type, str] = {
    Trough: "trough",
    Creatinine: "creatinine",
    BloodPressure: "blood pressure",
}


def observation_row(
    obs_id: int, obs: Observation, deleted: bool, assessment: Assessment, words: Words
) -> ObservationRow:
    """One row of the observation table, classified as the domain classifies it."""
    protocol, record = assessment.protocol, assessment.record
    flagged = False
    kind = KIND_NAMES[type(obs)]
    if isinstance(obs, Trough):
        value = words.quantity(obs.value, Kind.TROUGH, below_limit=obs.below_limit)
        klass = classify(obs, record, protocol)  # off treatment while held or stopped (R5.7)
        steady = at_steady_state(obs, record, protocol)
        text = CLASS_TEXT[klass] + (", not at steady state" if steady is False else "")
        flagged = klass in (TroughClass.BELOW, TroughClass.ABOVE, TroughClass.UPPER_END)
    elif isinstance(obs, Creatinine):
        value = words.quantity(obs.value, Kind.CREATININE)
        baseline = creatinine_baseline(record, obs.date)  # R6.5: the one in force that day
        if baseline is None:
            text = "no baseline"
        else:
            change = creatinine_change_pct(obs, baseline)
            flagged = significant_rise(change, protocol)
            text = f"{change:+.1f} % vs baseline" + (" (significant)" if flagged else "")
    else:
        assert isinstance(obs, BloodPressure)
        value = words.render(Pressure(obs.systolic, obs.diastolic))
        flagged = is_hypertensive(obs, protocol)
        text = "hypertension" if flagged else "normal"
    return ObservationRow(
        id=obs_id,
        date=obs.date.isoformat(),
        time=clock(obs.time) if obs.time else "",
        kind=kind,
        value=value,
        assessment=text,
        flagged=flagged,
        deleted=deleted,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultCell:
    """One value of a day's row: the observation it shows, in words."""

    id: int
    text: str
    flagged: bool
    deleted: bool
    detail: str = ""  # the whole classification, for a tooltip
    value: str = ""  # the value alone, as a correction starts from it


# The columns of the results table, and which kind of result each value column shows.
DAY_COLUMNS = ("Date", "Time", "Trough", "Creatinine", "BP", "Dose at the time", "Check")
VALUE_COLUMNS = {2: "trough", 3: "creatinine", 4: "blood pressure"}


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRow:
    """One day of results (R15.2: with the dose at the time; R8.7: check or extra result);
    a day with two results of one kind has a second row."""

    date: str
    time: str
    cells: dict[str, ResultCell]  # by kind: "trough", "creatinine", "blood pressure"
    dose: str
    marker: str  # "check", "extra", and the course events of the day ("switch", "hold", …)

    def texts(self) -> tuple[str, ...]:
        def cell(kind: str) -> str:
            found = self.cells.get(kind)
            if found is None:
                return ""
            return f"{found.text} (deleted)" if found.deleted else found.text

        values = tuple(cell(kind) for kind in VALUE_COLUMNS.values())
        return (self.date, self.time, *values, self.dose, self.marker)


def _cell_text(row: ObservationRow) -> str:
    """The value with what it means, short enough for a column: "13 µg/L, in range",
    "104 µmol/L (+30.0 %)", "150/96 mmHg, hypertension"."""
    if row.kind == "blood pressure":
        return row.value + (", hypertension" if row.flagged else "")
    if row.kind == "creatinine":
        change = row.assessment.removesuffix(" (significant)").removesuffix(" vs baseline")
        return f"{row.value} ({change})"
    return f"{row.value}, {row.assessment}"


def dose_at_time(obs: Observation, assessment: Assessment, words: Words) -> str:
    """The dose at the time of a result (R15.2), short for a column: "3 mg twice daily", or
    "on hold", "stopped", "not started". The window's results table, the plan's "Results so
    far" and `check --json` (`regimen` of each result) all follow `PatientRecord.regimen_of`:
    an event of the result's day counts only when both times are known and it came first."""
    record = assessment.record
    regimen = record.regimen_of(obs)
    if regimen is not None:
        per_day = 2
        if regimen.formulation in assessment.protocol.formulations:
            per_day = assessment.protocol.formulations[regimen.formulation].administrations_per_day
        # short for a column: "3 mg twice daily" (the header and the plan say every 12 hours)
        return f"{words.dose(regimen.dose)} {'twice daily' if per_day == 2 else 'once daily'}"
    # Held, stopped or not yet started when it was sampled: the same walk of the course as
    # `regimen_of`, so a result taken before the day's resume is "on hold", not "not started".
    period = period_at(record.course(), obs.date, obs.time, sample=True)
    status = period.status if period is not None else Status.NONE
    return NO_DOSE_TEXT.get(status, NO_DOSE_TEXT[Status.NONE])


def row_dose(results: Sequence[Observation], assessment: Assessment, words: Words) -> str:
    """The dose at the time of a row of results of one day: its trough's, as the trough is the
    result the dose is judged by (R5, R9); in a row without a trough, its first result's. A
    creatinine without a time, taken the morning of a switch, does not decide the dose shown
    beside the trough taken after it."""
    if not results:
        return ""
    troughs = [r for r in results if isinstance(r, Trough)]
    first = min(troughs or results, key=lambda r: r.time or time())
    return dose_at_time(first, assessment, words)


def day_rows(
    observations: list[tuple[int, Observation, str | None]], assessment: Assessment, words: Words
) -> list[DayRow]:
    """The results table: one row per day, newest last, with the course events of the day
    marked (R15) and whether the day counted as a check (R8.7)."""
    from collections import defaultdict

    extra_days = {r.trough.date for r in assessment.troughs if r.extra}
    extra_days |= {r.creatinine.date for r in assessment.creatinine if r.extra}
    extra_days |= {r.reading.date for r in assessment.blood_pressure if r.extra}
    first = assessment.record.first_start
    by_day: dict[date, dict[str, list[tuple[int, Observation, bool]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for obs_id, obs, deleted_at in observations:
        kind = KIND_NAMES[type(obs)]  # classified once, below
        by_day[obs.date][kind].append((obs_id, obs, deleted_at is not None))
    events: dict[date, list[str]] = defaultdict(list)
    for event in assessment.record.events:
        events[event.date].append(event.kind.value)
    rows = []
    for day in sorted(set(by_day) | set(events)):
        kinds = by_day.get(day, {})
        height = max((len(v) for v in kinds.values()), default=1)
        for n in range(height):
            cells: dict[str, ResultCell] = {}
            times: list[time] = []
            shown: list[Observation] = []
            for kind, found in kinds.items():
                if n >= len(found):
                    continue
                obs_id, obs, gone = sorted(found, key=lambda f: f[1].time or time())[n]
                row = observation_row(obs_id, obs, gone, assessment, words)
                cells[kind] = ResultCell(
                    id=obs_id,
                    text=_cell_text(row),
                    flagged=row.flagged,
                    deleted=gone,
                    detail=f"{row.value}: {row.assessment}",
                    value=row.value,
                )
                if obs.time is not None:
                    times.append(obs.time)
                shown.append(obs)
            marks = []
            if any(not c.deleted for c in cells.values()) and first is not None and day >= first:
                marks.append("extra" if day in extra_days else "check")
            if n == 0:
                marks += events.get(day, [])
            rows.append(
                DayRow(
                    date=day.isoformat(),
                    time=clock(min(times)) if times else "",
                    cells=cells,
                    dose=row_dose(shown, assessment, words),
                    marker=", ".join(marks),
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One item of Needs attention (R14): what was found, what to do, and the rules."""

    severity: Severity
    text: str  # the sentence, without its rule references
    action: str  # the suggestion of R14.2 ("" when the seed gives none)
    rules: str  # "R6.3, R14.2": shown small, at the end


def entry_hints(assessment: Assessment) -> tuple[str, str]:
    """(sample time, last dose) shown greyed in the empty entry fields: a trough is taken just
    before the morning dose (R5.1); the dose before it is the evening one of a twice-daily
    product, and the morning before's of a once-daily product (R5.7). The times are those of
    the regimen in force (or before a hold), else the protocol's for twice daily (R2.2)."""
    now = assessment.now
    regimen = now.regimen or now.previous
    times = regimen.times if regimen is not None and regimen.times else ()
    if not times:
        times = assessment.protocol.twice_daily_times
    return clock(min(times)), clock(max(times))


def alert_lines(assessment: Assessment, words: Words) -> list[AlertLine]:
    """Most severe first (R14.1), each with its suggested action (R14.2); notes last."""
    lines = []
    for a in sorted(assessment.alerts, key=lambda a: a.issue.severity.rank):
        text, rules = without_rules(words.message(a.issue))
        action, action_rules = without_rules(action_text(a.action) or "")
        rules = ", ".join(r for r in dict.fromkeys((rules, action_rules)) if r)
        lines.append(AlertLine(a.issue.severity, text, action, rules))
    return lines


def schedule_lines(assessment: Assessment) -> list[tuple[str, str, str, str]]:
    """(check, when, status, what to take) of the checks still to come and the recent ones."""
    now = assessment.now
    once = once_daily(now.regimen or now.previous, assessment.protocol)  # R5.7
    rows = []
    for check in assessment.schedule:
        name = (
            f"Check {check.number}"
            if check.number
            else "Creatinine recheck"
            if check.phase is Phase.CREATININE_RECHECK  # R8.11: no trough while held
            else f"Trough check after {printable(check.reason)}"  # R11: the drug named
            if check.phase is Phase.CO_MEDICATION
            else "Trough check after the switch"
            if check.phase is Phase.AFTER_SWITCH  # R10.6
            else "Trough check"
        )
        when = check.due.isoformat() + (f" to {check.latest.isoformat()}" if check.latest else "")
        if check.status is CheckStatus.DONE and check.done_on:
            status = f"done {check.done_on.isoformat()}" + ("" if check.stable else " (not stable)")
        else:
            status = check.status.value + (
                " — " + PHASE_TEXT[check.phase] if check.assumes_stable else ""
            )
        takes = ", ".join(take_text(k, once_daily=once) for k in check.takes)
        rows.append((name, when, status, takes))
    return rows


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    """What the adjustment panel shows (R9). `dose_mg` is set only when a change can be
    applied; otherwise `text` says why not, in words, and when a usable trough is due."""

    text: str
    dose_mg: float | None = None  # the new dose per administration, when one can be applied
    current_mg: float | None = None
    refused: bool = False
    trough: Trough | None = None  # the trough the suggestion comes from


def adjustment(assessment: Assessment, words: Words) -> Suggestion:
    """R9 from the domain's advice: change, keep or unavailable; never applied without a click
    and a confirmation."""
    advice = assessment.adjustment
    reason = words.message(advice.reason)
    regimen = advice.regimen
    trough = advice.trough.trough if advice.trough is not None else None
    if advice.advice is Advice.UNAVAILABLE or regimen is None:
        return Suggestion(text=reason, refused=True, trough=trough)
    result = advice.adjustment
    assert result is not None
    current = magnitude(regimen.dose, "mg")
    per_day = result.formulation.administrations_per_day
    target = words.quantity(advice.target, Kind.TROUGH)
    if advice.advice is Advice.KEEP:
        return Suggestion(
            text=f"{reason}\nKeep {words.dose(regimen.dose)} {how_often(per_day)}"
            f" (target {target}).",
            current_mg=current,
            refused=True,
            trough=trough,
        )
    new = magnitude(result.dose, "mg")
    lines = [
        reason,
        f"{words.dose(result.current_daily)}/day × {target} (target) / measured ="
        f" {words.dose(result.proportional_daily)}/day (unrounded).",
        f"Suggested: {words.dose(result.dose)} {how_often(per_day)}"
        f" ({units_to_give(result.units, result.formulation.unit_name)}).",
    ]
    lines += [words.message(i) for i in advice.issues if not i.refuses]
    if result.action is not None:
        lines.append(action_text(result.action) or "")
    if new == current:
        return Suggestion(
            text="\n".join([*lines, "Rounded, this is the dose already given."]),
            current_mg=current,
            refused=True,
            trough=trough,
        )
    return Suggestion(text="\n".join(lines), dose_mg=new, current_mg=current, trough=trough)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickEntry:
    observations: tuple[Observation, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # field -> refusal sentence


def read_quick_entry(
    *,
    day: date,
    sample_time: str,
    last_dose_time: str,
    trough: str,
    creatinine: str,
    blood_pressure: str,
    units: DisplayUnits,
    decimal_comma: bool,
) -> QuickEntry:
    """The quick-entry row: each field filled becomes an observation of that day. Units typed
    by the user win; a bare number takes the display unit (R1.2, R12.5)."""
    errors: dict[str, str] = {}
    observations: list[Observation] = []
    words = Words(units)

    def clock(text: str, name: str) -> time | None:
        text = text.strip()
        if not text:
            return None
        try:
            return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
        except ValueError:
            errors[name] = (
                f'{name}: "{printable(text)}" is not a time; write it HH:MM (24-hour clock).'
            )
            return None

    at = clock(sample_time, "time")
    last = clock(last_dose_time, "last dose")
    if trough.strip():
        parsed = parse(
            trough,
            Kind.TROUGH,
            field="trough",
            default_unit=units.trough,
            decimal_comma=decimal_comma,
            allow_below_limit=True,
        )
        if parsed.issue is not None:
            errors["trough"] = words.message(parsed.issue)
        else:
            assert parsed.quantity is not None
            observations.append(
                Trough(
                    date=day,
                    time=at,
                    value=parsed.quantity,
                    below_limit=parsed.below_limit,
                    last_dose_time=last,
                )
            )
    if creatinine.strip():
        parsed = parse(
            creatinine,
            Kind.CREATININE,
            field="creatinine",
            default_unit=units.creatinine,
            decimal_comma=decimal_comma,
        )
        if parsed.issue is not None:
            errors["creatinine"] = words.message(parsed.issue)
        else:
            assert parsed.quantity is not None
            observations.append(Creatinine(date=day, time=at, value=parsed.quantity))
    if blood_pressure.strip():
        pair = parse_blood_pressure(blood_pressure, field="blood pressure", default_unit="mmHg")
        if isinstance(pair, Issue):
            errors["blood pressure"] = words.message(pair)
        else:
            observations.append(
                BloodPressure(date=day, time=at, systolic=pair[0], diastolic=pair[1])
            )
    if not errors and not observations:
        errors["entry"] = "Type a trough, a creatinine or a blood pressure to add."
    return QuickEntry(observations=() if errors else tuple(observations), errors=errors)


def none_added(observations: Sequence[Observation]) -> str:
    """Said under the refusals of an entry of several results the store refused: the others
    were not filed either (a check is written whole or not at all)."""
    names = ", ".join(KIND_NAMES[type(obs)] for obs in observations)
    return f"Nothing was added ({names}): the results typed are added together or not at all."


def field_of(issue: Issue) -> str:
    """Which quick-entry field a store refusal belongs to."""
    if issue.field.startswith("blood pressure"):
        return "blood pressure"
    return issue.field if issue.field in ("trough", "creatinine") else "date"


def adjust_confirmation(
    assessment: Assessment, suggestion: Suggestion, today: date, words: Words
) -> tuple[str, str]:
    """(the question before an R9 change is recorded, the reason stored with it): the old and
    new dose side by side, and the trough they come from."""
    assert suggestion.dose_mg is not None and suggestion.trough is not None
    regimen = assessment.current_regimen
    assert regimen is not None
    product = assessment.protocol.formulations[regimen.formulation]
    how = how_often(product.administrations_per_day)
    trough = suggestion.trough
    level = words.quantity(trough.value, Kind.TROUGH)
    patient = assessment.record.patient
    new = words.dose(q(suggestion.dose_mg, "mg"))
    text = (
        f"Change the dose of {patient.name} ({patient.id}) from today, {today.isoformat()}:\n\n"
        f"  now: {words.dose(regimen.dose)} {how}\n"
        f"  new: {new} {how}\n\n"
        f"From the trough of {level} on {trough.date.isoformat()} (R9)."
    )
    # the stored reason is a record of fact: in the stored unit, whatever the display (R1.2)
    stored = Words(DisplayUnits()).quantity(trough.value, Kind.TROUGH)
    return text, f"R9 from the trough of {stored} on {trough.date.isoformat()}"


def switch_preview(outcome: SwitchOutcome, words: Words) -> str:
    """R10.1: what the calculator shows when another product than the one in force is chosen."""
    if outcome.switch is None:
        return "\n".join(words.message(i) for i in outcome.issues)
    result = outcome.switch
    return (
        f"A switch from {result.source.name} (R10): {words.dose(result.current_daily)}/day ×"
        f" {words.render(Percent(result.ratio * 100))} = {words.dose(result.new_daily)}/day"
        " (unrounded),"
        f" given as {words.dose(result.dose)}. Apply records the switch."
    )


def switch_confirmation(
    outcome: SwitchOutcome, current: Regimen, patient_line: str, start: date, words: Words
) -> str:
    """R10: the question before a switch is recorded, the old and new dose side by side."""
    result = outcome.switch
    assert result is not None
    old, new = result.source, result.target
    return (
        f"Switch {patient_line} from {start.isoformat()}:\n\n"
        f"  now: {old.name}, {words.dose(current.dose)} {how_often(old.administrations_per_day)}\n"
        f"  new: {new.name}, {words.dose(result.dose)} {how_often(new.administrations_per_day)}"
        f" ({units_to_give(result.units, new.unit_name)})\n\n"
        f"The new dose is {words.render(Percent(result.ratio * 100))} of the daily dose"
        f" ({words.dose(result.current_daily)}/day -> {words.dose(result.new_daily)}/day unrounded,"
        " rounded to what the product makes up) (R10), not the dose typed in the calculator.\n"
        + "\n".join(words.message(i) for i in outcome.issues)
    )
