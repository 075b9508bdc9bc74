"""What the monitoring plan says, as text and tables, before any PDF is drawn.

`build_plan(assessment, generated_at=...)` gathers every sentence and number from the one
assessment (nothing is re-derived here); `tacrocalc.report.pdf.render` lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tacrocalc.domain.assessment import Assessment
from tacrocalc.domain.course import period_at
from tacrocalc.domain.issues import Percent, Pressure, Severity
from tacrocalc.domain.schedule import CheckStatus
from tacrocalc.domain.units import Kind
from tacrocalc.present.charts import Charts, build_charts
from tacrocalc.present.words import (
    CLASS_TEXT,
    PHASE_TEXT,
    SEVERITY_WORDS,
    TAKE_TEXT,
    Words,
    action_text,
    born,
    dose_words,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    urgent: bool
    text: str
    severity: str = "Warning"  # the word printed before it (R14.1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    title: str
    header: str  # on every page: name, id, date of birth
    patient: tuple[tuple[str, str], ...]
    regimen: tuple[str, ...]  # the current regimen, in words a nurse can follow
    history: tuple[tuple[str, str, str], ...]  # previous regimens: from, product, dose
    thresholds: tuple[tuple[str, str, str], ...]  # what, value, rule
    alerts: tuple[Alert, ...]
    charts: Charts
    results: tuple[tuple[str, str, str, str, str], ...]  # date, trough, creatinine, BP, dose
    schedule: tuple[tuple[str, str, str, str], ...]  # check, due, what to take, why
    schedule_note: str
    notes: tuple[str, ...]
    footer: str
    generated: str


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
        ("Name", patient.name),
        ("Patient id", patient.id),
        ("Date of birth", born(patient.birth_date, today)),
        ("Sex", patient.sex.value if patient.sex else "not recorded"),
        (
            "Weight used",
            f"{words.quantity(weight.value, Kind.WEIGHT)} ({weight.date.isoformat()})"
            if weight
            else "not recorded",
        ),
        ("Protocol", f"{protocol.title} (version {protocol.version}). {protocol.source}"),
        (
            "Target trough",
            f"{span}; source: {target.source}",
        ),
    ]
    if patient.prior_ciclosporin_nephrotoxicity:
        rows.append(
            (
                "Prior ciclosporin nephrotoxicity",
                "YES: low start dose, close monitoring, every renal alert is urgent (R4.4)",
            )
        )

    regimen_lines: list[str] = []
    current = assessment.current_regimen
    if current is None and assessment.now.since is not None:  # held or stopped (R15.4)
        regimen_lines += [
            f"Tacrolimus {words.regimen_line(assessment)}.",
            "Do not give tacrolimus until the prescriber restarts it.",
        ]
    elif current is None:
        regimen_lines.append("No tacrolimus regimen is recorded.")
    else:
        product = protocol.formulations[current.formulation]
        dose, units = dose_words(current, protocol, words)
        regimen_lines += [
            f"{product.name}: {dose}",
            f"Give {units}.",
            f"Started {current.start.isoformat()}"
            + (
                f"; {words.quantity(assessment.current_rate, Kind.DOSE_RATE)}"
                f" at {words.quantity(weight.value, Kind.WEIGHT)}"
                if assessment.current_rate is not None and weight
                else ""
            ),
        ]
    history = tuple(
        (
            r.start.isoformat(),
            protocol.formulations[r.formulation].name.split(" (")[0],
            dose_words(r, protocol, words)[0],
        )
        for r in reversed(record.regimens)
        if r != current  # previous regimens only (R16.1)
    )

    caution = (
        f"at or above {words.quantity(target.caution, Kind.TROUGH)} (upper end)"
        if target.caution is not None
        else "no upper-end level in this range"
    )
    thresholds = [
        (
            "Trough target range",
            span,
            "R5.2, R5.6",
        ),
        ("Trough caution", caution, "R5.3"),
        ("Steady state", f"{protocol.values.steady_state_days} days after a dose change", "R5.5"),
    ]
    if assessment.baseline is not None and assessment.rise_limit is not None:
        after = " (taken after the start)" if assessment.baseline.after_start else ""
        pct = words.render(Percent(protocol.values.creatinine_significant_rise_pct, 0))
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

    alerts = tuple(
        Alert(
            urgent=a.issue.severity is Severity.URGENT,
            severity=SEVERITY_WORDS.get(a.issue.severity, "Warning"),
            text=words.message(a.issue) + (f" {action_text(a.action)}" if a.action else ""),
        )
        for a in assessment.alerts
    )

    by_day: dict[date, list[str]] = {}
    for t in assessment.troughs:
        value = words.quantity(t.trough.value, Kind.TROUGH, below_limit=t.trough.below_limit)
        note = CLASS_TEXT[t.klass] + ("" if t.steady_state is not False else ", not steady")
        by_day.setdefault(t.trough.date, ["", "", "", ""])[0] = f"{value} ({note})"
    for c in assessment.creatinine:
        change = f" ({c.change_pct:+.0f} %)" if c.change_pct is not None else ""
        mark = " !" if c.significant else ""
        by_day.setdefault(c.creatinine.date, ["", "", "", ""])[1] = (
            words.quantity(c.creatinine.value, Kind.CREATININE) + change + mark
        )
    for p in assessment.blood_pressure:
        mark = " !" if p.hypertension else ""
        by_day.setdefault(p.reading.date, ["", "", "", ""])[2] = (
            words.render(Pressure(p.reading.systolic, p.reading.diastolic)) + mark
        )
    results: list[tuple[str, str, str, str, str]] = []
    for day in sorted(by_day):
        cells = by_day[day]
        period = period_at(record.course(), day, sample=True)  # the dose at the time (R15.2)
        regimen = period.regimen if period is not None else None
        cells[3] = dose_words(regimen, protocol, words)[0] if regimen else "none"
        results.append((day.isoformat(), cells[0], cells[1], cells[2], cells[3]))

    schedule = []
    for check in assessment.schedule:
        if check.status is CheckStatus.DONE:
            continue
        name = str(check.number) if check.number else "extra"
        due = check.due.isoformat() + (f" to {check.latest.isoformat()}" if check.latest else "")
        if check.status is CheckStatus.OVERDUE:
            due += " OVERDUE"
        why = PHASE_TEXT[check.phase] + (f": {check.reason}" if check.reason else "")
        schedule.append((name, due, ", ".join(TAKE_TEXT[k] for k in check.takes), why))

    notes = (
        "A true trough is taken just before the morning dose, 12 hours after the evening dose "
        "(24 hours after the dose for once-daily products); write the time of the sample and of "
        "the last dose (R5.1).",
        "A level taken less than "
        f"{protocol.values.steady_state_days} days after a dose change is not at steady state "
        "(R5.5).",
        "Azole antifungals, clarithromycin or erythromycin, diltiazem or verapamil, protease "
        "inhibitors and grapefruit raise tacrolimus levels; rifampicin, enzyme-inducing "
        "antiepileptics and St John's wort lower them; steroid dose changes move them. After any "
        "such change, take a trough "
        f"{protocol.values.co_medication_trough_days} days later (R11).",
    )
    stamp = generated_at.strftime("%Y-%m-%d %H:%M")
    return Plan(
        title="Tacrolimus monitoring plan",
        header=f"{patient.name} · id {patient.id} · born "
        f"{patient.birth_date.isoformat() if patient.birth_date else 'not recorded'}",
        patient=tuple(rows),
        regimen=tuple(regimen_lines),
        history=history,
        thresholds=tuple(thresholds),
        alerts=alerts,
        charts=build_charts(assessment, words.units),
        results=tuple(results),
        schedule=tuple(schedule),
        schedule_note=(
            "Checks after the third are planned on the assumption that each check is "
            "stable; if one is not (creatinine rise, hypertension, trough out of "
            "range or at its upper end), checks stay every 2 weeks until one is (R8.5, R8.10)."
        ),
        notes=notes,
        footer=(
            f"TacroCalc {version} · protocol {protocol.id} {protocol.version} · "
            f"generated {stamp} · check against the prescription chart"
        ),
        generated=stamp,
    )
