"""Headless commands: dose, adjust, switch, check.

Every command prints a short answer for a person, or JSON with `--json`. A refusal exits with
status 2 and one line on stderr naming the field, the value and the reason; a fault of the
computer (a full or read-only disk, a permission, the store busy or shared) exits with status 3
and one line naming the file and what to do. A fault of TacroCalc itself exits with status 70 and
one line asking for a report: no command ends in a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import locale
import os
import sys
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from tacrocalc.domain.assessment import Advice, Assessment, assess
from tacrocalc.domain.course import CourseEvent, EventKind, Regimen
from tacrocalc.domain.dosing import (
    Dose,
    UnitCount,
    adjust,
    dose_from_amount,
    dose_from_rate,
    switch,
)
from tacrocalc.domain.issues import Issue, IssueCode, Measure, Percent, refusals
from tacrocalc.domain.protocol import FormulationId, Protocol, ProtocolError
from tacrocalc.domain.record import PatientRecord
from tacrocalc.domain.schedule import CheckStatus, counted_days
from tacrocalc.domain.thresholds import TroughClass, classify_trough
from tacrocalc.domain.units import Kind, Quantity, format_number, magnitude, parse
from tacrocalc.present.units import DisplayUnits, unit_from_text
from tacrocalc.present.words import (
    SEVERITY_WORDS,
    Words,
    action_text,
    clocks,
    how_often,
    units_to_give,
)
from tacrocalc.records.files import write_atomic
from tacrocalc.records.patient_file import PatientFileError, read_file
from tacrocalc.records.protocol_files import DEFAULT_PROTOCOL, available_protocols, load_protocol
from tacrocalc.records.store import (
    CLINICIAN,
    VIEWER,
    Store,
    StoreDamaged,
    StoreError,
    StoreTooNew,
    StoreUnavailable,
    chosen_server,
    describe,
    init_server,
    is_server_url,
    restore,
)

EXIT_REFUSED = 2
EXIT_ENVIRONMENT = 3
EXIT_FAULT = 70  # a fault of TacroCalc itself (EX_SOFTWARE): one line, please report it
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports it
# OSErrors that are faults of the computer, not of what was typed.
_ENVIRONMENT_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EBUSY}
)


def one_line(text: str) -> str:
    """A message as one printable line: a control, format or bidirectional character that a
    value brings (a newline, ESC, U+202E) is shown as its escape, never sent to the terminal."""
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        else c
        for c in text
    )


class Refused(Exception):
    """Raised inside a command to end it with status 2 and the issue's sentence on stderr."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code.value)
        self.issue = issue


def _words(args: argparse.Namespace, protocol: Protocol | None = None) -> Words:
    """Values into words in the units asked for (--trough-unit, --creatinine-unit), else in
    the protocol's own units (R1.4)."""
    units = DisplayUnits.of_protocol(protocol) if protocol is not None else DisplayUnits()
    trough = getattr(args, "trough_unit", None) or units.trough
    creatinine = getattr(args, "creatinine_unit", None) or units.creatinine
    return Words(DisplayUnits(trough=trough, creatinine=creatinine), protocol)


def _decimal_comma() -> bool:
    """R12.5: whether the user's locale writes decimals with a comma."""
    try:
        locale.setlocale(locale.LC_NUMERIC, "")
    except locale.Error:
        return False
    return str(locale.localeconv().get("decimal_point")) == ","


def _quantity(
    text: str, kind: Kind, field: str, *, allow_below_limit: bool = False
) -> tuple[Quantity, bool]:
    parsed = parse(
        text, kind, field=field, decimal_comma=_decimal_comma(), allow_below_limit=allow_below_limit
    )
    if parsed.issue is not None:
        raise Refused(parsed.issue)
    assert parsed.quantity is not None
    return parsed.quantity, parsed.below_limit


def _protocol(protocol_id: str) -> Protocol:
    try:
        return load_protocol(protocol_id)
    except ProtocolError as error:
        raise Refused(error.issue) from None


def _first_refusal(issues: tuple[Issue, ...]) -> None:
    for issue in refusals(issues):
        raise Refused(issue)


def _warnings(issues: tuple[Issue, ...], words: Words) -> list[dict[str, str]]:
    return [
        {"code": i.code.value, "severity": i.severity.value, "message": words.message(i)}
        for i in issues
        if not i.refuses
    ]


def _units(units: tuple[UnitCount, ...]) -> list[dict[str, Any]]:
    return [{"strength_mg": magnitude(u.strength, "mg"), "count": u.count} for u in units]


def _r(value: float, digits: int = 4) -> float:
    return round(value, digits)


def _rate(quantity: Quantity) -> str:
    """A rate as the calculator shows it, to 4 decimals."""
    return f"{format_number(magnitude(quantity, 'mg/kg/day'), 4)} mg/kg/day"


def _print_warnings(issues: tuple[Issue, ...], out: TextIO, words: Words) -> None:
    for issue in sorted(issues, key=lambda i: i.severity.rank):
        if not issue.refuses:
            print(f"{SEVERITY_WORDS[issue.severity]}: {words.message(issue)}", file=out)


# -- dose ----------------------------------------------------------------------------------


def dose_json(
    dose: Dose, protocol: Protocol, issues: tuple[Issue, ...], words: Words
) -> dict[str, Any]:
    return {
        "protocol": protocol.id,
        "weight_kg": _r(magnitude(dose.weight, "kg")),
        "rate_mg_per_kg_day": _r(magnitude(dose.rate, "mg/kg/day"), 6),
        "daily_dose_mg": _r(magnitude(dose.daily, "mg")),
        "given_daily_dose_mg": _r(magnitude(dose.given_daily, "mg")),
        "formulation": dose.formulation.id.value,
        "administrations_per_day": dose.administrations_per_day,
        "interval_h": dose.formulation.interval.total_seconds() / 3600,
        "times": [t.strftime("%H:%M") for t in dose.times],
        "exact_dose_mg": _r(magnitude(dose.exact, "mg")),
        "dose_mg": magnitude(dose.dose, "mg"),
        "units": _units(dose.units),
        "units_text": units_to_give(dose.units, dose.formulation.unit_name),
        "achieved_rate_mg_per_kg_day": _r(magnitude(dose.achieved_rate, "mg/kg/day"), 6),
        "rounding_change_pct": _r(dose.rounding_change_pct, 2),
        "warnings": _warnings(issues, words),
    }


def _cmd_dose(args: argparse.Namespace, out: TextIO) -> int:
    protocol = _protocol(args.protocol)
    weight, _ = _quantity(args.weight, Kind.WEIGHT, "weight")
    if args.rate is not None:
        rate, _ = _quantity(args.rate, Kind.DOSE_RATE, "rate")
        outcome = dose_from_rate(
            weight=weight, rate=rate, formulation=args.formulation, protocol=protocol
        )
    else:
        amount, _ = _quantity(args.dose, Kind.DOSE, "dose")
        outcome = dose_from_amount(
            weight=weight, dose=amount, formulation=args.formulation, protocol=protocol
        )
    _first_refusal(outcome.issues)
    dose = outcome.dose
    assert dose is not None
    words = _words(args, protocol)
    _mg = words.dose
    if args.json:
        json.dump(
            dose_json(dose, protocol, outcome.issues, words), out, ensure_ascii=False, indent=2
        )
        print(file=out)
        return 0
    product = dose.formulation
    times = clocks(dose.times)
    how = how_often(product.administrations_per_day)
    print(f"{product.name}", file=out)
    print(
        f"Weight {words.quantity(dose.weight, Kind.WEIGHT)} × {_rate(dose.rate)}"
        f" = {_mg(dose.daily)}/day (unrounded)",
        file=out,
    )
    print(f"Dose {how}: {_mg(dose.dose)} at {times} (unrounded {_mg(dose.exact)})", file=out)
    print(f"Daily dose given: {_mg(dose.given_daily)}/day", file=out)
    print(f"Give: {units_to_give(dose.units, product.unit_name)} at each dose", file=out)
    print(
        f"Rate achieved: {_rate(dose.achieved_rate)}"
        f" (rounding {words.render(Percent(dose.rounding_change_pct, signed=True))})",
        file=out,
    )
    _print_warnings(outcome.issues, out, words)
    return 0


# -- adjust --------------------------------------------------------------------------------


def _cmd_adjust(args: argparse.Namespace, out: TextIO) -> int:
    """R9.6: no patient record, so the days on the current dose are stated (R9.3 needs a trough
    at steady state). Without --target: the protocol's target, and "keep" for a trough in range
    below the upper-end caution (R9.4); with --target: always the proportional dose."""
    protocol = _protocol(args.protocol)
    words = _words(args, protocol)
    _mg = words.dose
    dose, _ = _quantity(args.dose, Kind.DOSE, "dose")
    trough, below = _quantity(args.trough, Kind.TROUGH, "trough", allow_below_limit=True)
    weight = _quantity(args.weight, Kind.WEIGHT, "weight")[0] if args.weight else None
    if args.days_on_dose is None:
        raise Refused(
            Issue.refusal(IssueCode.ADJUST_DAYS_ON_DOSE_NEEDED, field="--days-on-dose", value="")
        )
    if args.days_on_dose < 0:
        raise Refused(
            Issue.refusal(
                IssueCode.OUT_OF_BOUNDS,
                field="--days-on-dose",
                value=args.days_on_dose,
                low=0,
                high="",
                rule="R9.6",
            )
        )
    range_ = protocol.target
    if args.target:
        target = _quantity(args.target, Kind.TROUGH, "target")[0]
        if not range_.contains(target):  # R9.2
            raise Refused(
                Issue.refusal(
                    IssueCode.TARGET_OUTSIDE_RANGE,
                    field="target",
                    value=Measure(Kind.TROUGH, target),
                    low=Measure(Kind.TROUGH, range_.low),
                    high=Measure(Kind.TROUGH, range_.high),
                )
            )
    else:
        target = range_.aim
    klass = classify_trough(trough, range_, below_limit=below)
    outcome = adjust(
        dose=dose,
        formulation=args.formulation,
        trough=trough,
        target=target,
        protocol=protocol,
        steady_state=args.days_on_dose >= protocol.values.steady_state_days,
        below_assay_limit=below,
        above_range=klass is TroughClass.ABOVE,
        weight=weight,
    )
    _first_refusal(outcome.issues)
    result = outcome.adjustment
    assert result is not None
    keep = not args.target and klass is TroughClass.IN_RANGE  # R9.4
    per_day = result.formulation.administrations_per_day
    new_dose = dose if keep else result.dose
    if args.json:
        payload = {
            "protocol": protocol.id,
            "advice": Advice.KEEP.value if keep else Advice.CHANGE.value,
            "trough_class": klass.value,
            "formulation": result.formulation.id.value,
            "current_daily_mg": _r(magnitude(result.current_daily, "mg")),
            "measured_trough_ug_per_l": _r(magnitude(result.measured, "ug/L")),
            "target_trough_ug_per_l": _r(magnitude(result.target, "ug/L")),
            "target_source": (
                "--target" if args.target else protocol.sources["trough_target"].source
            ),
            "proportional_daily_dose_mg": _r(magnitude(result.proportional_daily, "mg")),
            "new_daily_dose_mg": _r(magnitude(result.new_daily, "mg")),
            "exact_dose_mg": _r(magnitude(result.new_daily, "mg") / per_day),
            "dose_mg": magnitude(new_dose, "mg"),
            "given_daily_dose_mg": _r(magnitude(new_dose, "mg") * per_day),
            "capped": result.capped.value if result.capped else None,
            "administrations_per_day": per_day,
            "units": [] if keep else _units(result.units),
            "units_text": "" if keep else units_to_give(result.units, result.formulation.unit_name),
            "achieved_rate_mg_per_kg_day": (
                _r(magnitude(result.achieved_rate, "mg/kg/day"), 6)
                if result.achieved_rate is not None
                else None
            ),
            "action": action_text(result.action),
            "warnings": [] if keep else _warnings(outcome.issues, words),
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    how = how_often(per_day)
    level = words.quantity(result.measured, Kind.TROUGH, below_limit=below)
    print(
        f"Current {_mg(result.current_daily)}/day; trough {level}"
        f" ({klass.value.replace('_', ' ')});"
        f" target {words.quantity(result.target, Kind.TROUGH)} (R9.2)",
        file=out,
    )
    if keep:
        print(
            f"Keep the dose: {_mg(dose)} {how}. The trough is in range and below the upper end"
            " (R9.4); give --target to see the proportional figure.",
            file=out,
        )
        return 0
    print(
        f"New daily dose {_mg(result.new_daily)}/day (unrounded) -> {_mg(result.dose)} {how}"
        f" ({_mg(result.given_daily)}/day given)",
        file=out,
    )
    print(
        f"Give: {units_to_give(result.units, result.formulation.unit_name)} at each dose", file=out
    )
    if result.achieved_rate is not None:
        print(f"Rate: {_rate(result.achieved_rate)}", file=out)
    _print_warnings(outcome.issues, out, words)
    if result.action is not None:
        print(f"Suggestion: {action_text(result.action)}", file=out)
    return 0


# -- switch --------------------------------------------------------------------------------


def _cmd_switch(args: argparse.Namespace, out: TextIO) -> int:
    protocol = _protocol(args.protocol)
    dose, _ = _quantity(args.dose, Kind.DOSE, "dose")
    outcome = switch(dose=dose, source=args.source, target=args.target, protocol=protocol)
    _first_refusal(outcome.issues)
    words = _words(args, protocol)
    _mg = words.dose
    result = outcome.switch
    assert result is not None
    if args.json:
        payload = {
            "protocol": protocol.id,
            "from": result.source.id.value,
            "to": result.target.id.value,
            "current_daily_mg": _r(magnitude(result.current_daily, "mg")),
            "ratio": result.ratio,
            "new_daily_dose_mg": _r(magnitude(result.new_daily, "mg")),
            "dose_mg": magnitude(result.dose, "mg"),
            "given_daily_dose_mg": _r(magnitude(result.given_daily, "mg")),
            "administrations_per_day": result.target.administrations_per_day,
            "units": _units(result.units),
            "units_text": units_to_give(result.units, result.target.unit_name),
            "warnings": _warnings(outcome.issues, words),
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    print(f"{result.source.name} -> {result.target.name} (ratio {result.ratio:g}, R10)", file=out)
    print(
        f"{_mg(result.current_daily)}/day -> {_mg(result.new_daily)}/day (unrounded) -> "
        f"give {_mg(result.dose)} "
        f"{how_often(result.target.administrations_per_day)}: "
        f"{units_to_give(result.units, result.target.unit_name)}",
        file=out,
    )
    _print_warnings(outcome.issues, out, words)
    return 0


# -- check ---------------------------------------------------------------------------------


def server_of(args: argparse.Namespace) -> str | None:
    """The ward server named by `--server` or, without `--data-dir`, by TACROCALC_SERVER."""
    given = getattr(args, "server", None)
    if given is not None and getattr(args, "data_dir", None) is not None:
        raise Refused(
            Issue.refusal(
                IssueCode.STORE_UNUSABLE,
                field="--server",
                value=given,
                reason="give --server or --data-dir, not both",
            )
        )
    given = chosen_server(given, getattr(args, "data_dir", None))
    if given is not None and not is_server_url(given):
        raise Refused(
            Issue.refusal(
                IssueCode.STORE_UNUSABLE,
                field="--server",
                value=given[:80],
                reason="a ward server is named by a postgresql:// address",
            )
        )
    return given


def _store(args: argparse.Namespace) -> Store:
    from tacrocalc.paths import user_data_dir

    server = server_of(args)
    try:
        if server is not None:
            store = Store(server=server, protocol_for=load_protocol)
        else:
            store = Store(user_data_dir(args.data_dir), protocol_for=load_protocol)
    except (StoreDamaged, StoreTooNew) as error:
        raise Refused(
            Issue.refusal(IssueCode.STORE_UNUSABLE, field="data", value="", reason=str(error))
        ) from None
    for notice in store.notices:  # a read-only or full disk: reading goes on
        print(one_line(f"note: {notice}"), file=sys.stderr)
    return store


def _patient_record(args: argparse.Namespace, today: date) -> PatientRecord:
    """A patient file's record, or a stored patient's when the argument is an id."""
    path = Path(args.patient)
    if path.suffix.lower() in (".json", ".tacrocalc") or path.is_file():
        return read_patient_file(path, _today())  # entries are checked against the real date
    with _store(args) as store:
        record = store.load(args.patient)
    if record is None:
        raise Refused(Issue.refusal(IssueCode.UNKNOWN_PATIENT, field="patient", value=args.patient))
    return record


def read_patient_file(path: Path, today: date) -> PatientRecord:
    try:
        return read_file(path, protocol_for=load_protocol, today=today)
    except PatientFileError as error:
        raise Refused(error.issue) from None


def _regimen_json(regimen: Regimen | None) -> dict[str, Any] | None:
    """The dose at the time of a result (R15.2)."""
    if regimen is None:
        return None
    return {
        "formulation": regimen.formulation.value,
        "dose_mg": magnitude(regimen.dose, "mg"),
        "since": regimen.start.isoformat(),
    }


def _regimen_now_json(assessment: Assessment) -> dict[str, Any]:
    now = assessment.now
    regimen = now.regimen or now.previous
    return {
        "status": now.status.value,
        "formulation": regimen.formulation.value if regimen and now.regimen else None,
        "dose_mg": magnitude(now.regimen.dose, "mg") if now.regimen else None,
        "times": [t.strftime("%H:%M") for t in now.regimen.times] if now.regimen else [],
        "since": now.since.isoformat() if now.since else None,
        "reason": now.event.reason if now.event is not None else None,
        "previous": _regimen_json(now.previous),
    }


def _adjustment_json(assessment: Assessment, words: Words) -> dict[str, Any]:
    advice = assessment.adjustment
    suggested = advice.adjustment
    dose = None
    if advice.advice is Advice.KEEP and advice.regimen is not None:
        dose = magnitude(advice.regimen.dose, "mg")
    elif advice.advice is Advice.CHANGE and suggested is not None:
        dose = magnitude(suggested.dose, "mg")
    return {
        "advice": advice.advice.value,
        "reason": words.message(advice.reason),
        "reason_code": advice.reason.code.value,
        "dose_mg": dose,
        "target_trough_ug_per_l": magnitude(advice.target, "ug/L"),
        "target_source": advice.target_source,
        "trough_date": advice.trough.trough.date.isoformat() if advice.trough else None,
        "due": advice.due.isoformat() if advice.due else None,
        "capped": suggested.capped.value if suggested and suggested.capped else None,
        "action": action_text(suggested.action) if suggested else None,
        "warnings": _warnings(advice.issues, words) if advice.advice is Advice.CHANGE else [],
    }


def check_json(assessment: Assessment, words: Words) -> dict[str, Any]:
    """The assessment for programs: numbers in the stored units named by each key, sentences
    (alert and advice messages) in `words.units`."""
    target = assessment.target
    protocol = assessment.protocol
    return {
        "protocol": {
            "id": protocol.id,
            "version": protocol.version,
            "title": protocol.title,
            "trough_low_ug_per_l": magnitude(target.low, "ug/L"),
            "trough_high_ug_per_l": magnitude(target.high, "ug/L"),
            "trough_caution_ug_per_l": (
                magnitude(target.caution, "ug/L") if target.caution is not None else None
            ),
            "source": target.source,
            "protocol_source": protocol.source,
        },
        "today": assessment.today.isoformat(),
        "baseline_creatinine_umol_l": (
            magnitude(assessment.baseline.value, "umol/L") if assessment.baseline else None
        ),
        "baseline_date": assessment.baseline.date.isoformat() if assessment.baseline else None,
        "baseline_after_start": assessment.baseline.after_start if assessment.baseline else None,
        "creatinine_limit_umol_l": (
            _r(magnitude(assessment.rise_limit, "umol/L"), 2)
            if assessment.rise_limit is not None
            else None
        ),
        "current_rate_mg_per_kg_day": (
            _r(magnitude(assessment.current_rate, "mg/kg/day"), 4)
            if assessment.current_rate is not None
            else None
        ),
        "regimen_now": _regimen_now_json(assessment),
        "adjustment": _adjustment_json(assessment, words),
        "events": [
            {
                "date": e.date.isoformat(),
                "time": e.time.strftime("%H:%M") if e.time else None,
                "kind": e.kind.value,
                "formulation": e.formulation.value if e.formulation else None,
                "dose_mg": magnitude(e.dose, "mg") if e.dose is not None else None,
                "reason": e.reason,
            }
            for e in assessment.record.events
        ],
        "troughs": [
            {
                "date": t.trough.date.isoformat(),
                "value_ug_per_l": magnitude(t.trough.value, "ug/L"),
                "below_assay_limit": t.trough.below_limit,
                "class": t.klass.value,
                "steady_state": t.steady_state,
                "true_trough": t.true_trough,
                "extra": t.extra,
                "regimen": _regimen_json(t.regimen),
            }
            for t in assessment.troughs
        ],
        "creatinine": [
            {
                "date": c.creatinine.date.isoformat(),
                "value_umol_l": magnitude(c.creatinine.value, "umol/L"),
                "change_pct": _r(c.change_pct, 1) if c.change_pct is not None else None,
                "significant": c.significant,
                "extra": c.extra,
                "regimen": _regimen_json(c.regimen),
            }
            for c in assessment.creatinine
        ],
        "blood_pressure": [
            {
                "date": p.reading.date.isoformat(),
                "systolic": magnitude(p.reading.systolic, "mmHg"),
                "diastolic": magnitude(p.reading.diastolic, "mmHg"),
                "hypertension": p.hypertension,
                "urgent": p.urgent,
                "extra": p.extra,
                "regimen": _regimen_json(p.regimen),
            }
            for p in assessment.blood_pressure
        ],
        "alerts": [
            {
                "code": a.issue.code.value,
                "severity": a.issue.severity.value,
                "date": a.date.isoformat() if a.date else None,
                "message": words.message(a.issue),
                "action": action_text(a.action),
            }
            for a in assessment.alerts
        ],
        "schedule": [
            {
                "number": c.number,
                "phase": c.phase.value,
                "due": c.due.isoformat(),
                "earliest": c.earliest.isoformat(),
                "latest": c.latest.isoformat() if c.latest else None,
                "overdue_days": c.overdue_days,
                "checks": [k.value for k in c.takes],
                "status": c.status.value,
                "done_on": c.done_on.isoformat() if c.done_on else None,
                "stable": c.stable,
                "assumes_stable": c.assumes_stable,
                "reason": c.reason,
            }
            for c in assessment.schedule
        ],
    }


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    today = args.today or _today()
    record = _patient_record(args, today)
    protocol = _protocol(record.protocol_id)
    assessment = assess(record, protocol, today)
    words = _words(args, protocol)
    if args.json:
        json.dump(check_json(assessment, words), out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    patient = record.patient
    target = assessment.target
    print(f"{patient.name} ({patient.id}), {today.isoformat()}", file=out)
    caution = (
        f", upper end from {words.quantity(target.caution, Kind.TROUGH)}"
        if target.caution is not None
        else ""
    )
    print(
        f"Protocol {protocol.id}: trough {words.quantity(target.low, Kind.TROUGH)} to"
        f" {words.quantity(target.high, Kind.TROUGH)}{caution} ({target.source})",
        file=out,
    )
    print(f"Regimen: {words.regimen_line(assessment)}", file=out)
    if assessment.baseline is not None:
        print(
            "Creatinine baseline "
            f"{words.quantity(assessment.baseline.value, Kind.CREATININE)}"
            f" ({assessment.baseline.date.isoformat()})",
            file=out,
        )
    print("Alerts:" if assessment.alerts else "Alerts: none", file=out)
    for alert in assessment.alerts:
        print(f"  {SEVERITY_WORDS[alert.severity]}: {words.message(alert.issue)}", file=out)
        if alert.action is not None:
            print(f"      {action_text(alert.action)}", file=out)
    advice = assessment.adjustment
    print(f"Dose adjustment (R9): {advice.advice.value}: {words.message(advice.reason)}", file=out)
    if advice.advice is Advice.CHANGE and advice.adjustment is not None:
        suggestion = advice.adjustment
        print(
            f"  suggested {words.dose(suggestion.dose)}"
            f" {how_often(suggestion.formulation.administrations_per_day)}"
            f" ({units_to_give(suggestion.units, suggestion.formulation.unit_name)}),"
            f" target {words.quantity(advice.target, Kind.TROUGH)}",
            file=out,
        )
        _print_warnings(advice.issues, out, words)
    print("Schedule (R8):" if assessment.schedule else "Schedule: none", file=out)
    for check in assessment.schedule:
        name = f"check {check.number}" if check.number else check.phase.value.replace("_", " ")
        when = check.due.isoformat() + (f" to {check.latest.isoformat()}" if check.latest else "")
        if check.done_on is not None:
            state = f"done {check.done_on.isoformat()}"
            if check.stable is False:
                state += " (not stable)"
        else:
            state = check.status.value
            if check.overdue_days:
                state += f" by {check.overdue_days} day(s)"
            if check.assumes_stable:
                state += ", if stable (otherwise every 2 weeks) (R8.10)"
        takes = ", ".join(k.value.replace("_", " ") for k in check.takes)
        print(f"  {name:<18} {when:<25} {state}  [{takes}]", file=out)
    extras = sum(r.extra for r in assessment.troughs)
    if extras:
        print(f"Extra results (not checks, R8.7): {extras} trough(s)", file=out)
    return 0


# -- the store --------------------------------------------------------------------------------


def _today() -> date:
    return date.today()  # noqa: DTZ011 - the ward's local date is meant


def _cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    refused = []
    with _store(args) as store:
        for name in args.files:
            try:
                record = read_patient_file(Path(name), _today())
            except Refused as error:  # the refusal names the file
                refused.append(_words(args).message(error.issue))
                continue
            written = store.import_record(record, replace=args.replace)
            if written.ok:
                print(f"imported {record.patient.id} ({record.patient.name}) from {name}", file=out)
            else:
                refused.extend(
                    f"{name}: {_words(args).message(i)}" for i in written.issues if i.refuses
                )
    if refused:
        raise Refused(
            Issue.refusal(
                IssueCode.IMPORT_REFUSED,
                field="import",
                value=str(len(refused)),
                reason=" | ".join(refused),
            )
        )
    return 0


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    with _store(args) as store:
        text = store.export_text(args.patient_id)
    if text is None:
        raise Refused(
            Issue.refusal(IssueCode.UNKNOWN_PATIENT, field="patient", value=args.patient_id)
        )
    write_atomic(Path(args.out), text.encode("utf-8"))
    print(f"exported {args.patient_id} to {args.out}", file=out)
    return 0


def summary_row(record: PatientRecord, protocol: Protocol, today: date) -> dict[str, Any]:
    """What `list` shows of a patient: regimen, last check done, next check due (R8)."""
    assessment = assess(record, protocol, today)
    words = Words(DisplayUnits.of_protocol(protocol), protocol)
    regimen = assessment.current_regimen
    done = counted_days(assessment.record, protocol, today)  # in every period of the course
    pending = [c for c in assessment.schedule if c.status is not CheckStatus.DONE]
    return {
        "id": record.patient.id,
        "name": record.patient.name,
        "regimen": (
            f"{words.regimen(regimen)} from {regimen.start.isoformat()}"
            if regimen
            else (words.regimen_line(assessment) if assessment.now.since else None)
        ),
        "last_check": max(done).isoformat() if done else None,
        "next_due": pending[0].due.isoformat() if pending else None,
        "next_status": pending[0].status.value if pending else None,
    }


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    today = _today()
    with _store(args) as store:
        found = store.search(args.query or "", limit=args.limit)
        rows = []
        for summary in found:
            record = store.load(summary.id)
            assert record is not None
            rows.append(summary_row(record, _protocol(record.protocol_id), today))
    if args.json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    if not rows:
        print("no patients", file=out)
    for row in rows:
        due = f"next {row['next_due']} ({row['next_status']})" if row["next_due"] else ""
        print(
            f"{row['id']:<12} {row['name']:<28} {row['regimen'] or 'no regimen':<36} "
            f"last check {row['last_check'] or '-':<10}  {due}",
            file=out,
        )
    return 0


def _times_arg(text: str) -> tuple[time, ...]:
    times = []
    for part in text.split(","):
        try:
            times.append(time.fromisoformat(part.strip()))
        except ValueError:
            raise Refused(
                Issue.refusal(IssueCode.BAD_DOSE_TIMES, field="--times", value=text, count="1 or 2")
            ) from None
    return tuple(times)


def _cmd_event(args: argparse.Namespace, out: TextIO) -> int:
    """R15: record a course event; the store checks it against the whole course (R12.8)."""
    today = _today()
    kind = EventKind(args.kind)
    at = None
    if args.time:
        at = _times_arg(args.time)[0]
    with _store(args) as store:
        record = store.load(args.patient_id)
        if record is None:
            raise Refused(
                Issue.refusal(IssueCode.UNKNOWN_PATIENT, field="patient", value=args.patient_id)
            )
        protocol = _protocol(record.protocol_id)
        dose = _quantity(args.dose, Kind.DOSE, "--dose")[0] if args.dose else None
        formulation = None
        if args.to:
            try:
                formulation = FormulationId(args.to)
            except ValueError:
                raise Refused(
                    Issue.refusal(
                        IssueCode.UNKNOWN_FORMULATION,
                        field="--to",
                        value=args.to,
                        known=", ".join(protocol.formulations),
                    )
                ) from None
        ratio = None
        issues: tuple[Issue, ...] = ()
        if kind is EventKind.SWITCH:
            current = record.regimen_on(args.date, at)
            if formulation is None:
                raise Refused(Issue.refusal(IssueCode.MISSING_VALUE, field="--to", value=""))
            if current is None:
                raise Refused(
                    Issue.refusal(
                        IssueCode.EVENT_NOT_POSSIBLE,
                        field=f"switch on {args.date.isoformat()}",
                        value="switch",
                        status=record.status_on(args.date).value,
                    )
                )
            converted = switch(
                dose=current.dose,
                source=current.formulation,
                target=formulation,
                protocol=protocol,
            )  # R10: the dose by the conversion unless --dose says otherwise
            _first_refusal(converted.issues)
            assert converted.switch is not None
            ratio = converted.switch.ratio
            issues = converted.issues
            if dose is None:
                dose = converted.switch.dose
        elif formulation is not None and kind in (EventKind.CHANGE, EventKind.RESUME):
            raise Refused(
                Issue.refusal(
                    IssueCode.EVENT_NOT_POSSIBLE,
                    field="--to",
                    value=kind.value,
                    status="other_product",
                )
            )
        event = CourseEvent(
            kind=kind,
            date=args.date,
            time=at,
            formulation=formulation,
            dose=dose,
            times=_times_arg(args.times) if args.times else (),
            reason=args.reason or "",
            ratio=ratio,
        )
        written = store.add_event(args.patient_id, event, today=today)
        _first_refusal(written.issues)
        updated = store.load(args.patient_id)
    assert updated is not None
    assessment = assess(updated, protocol, today)
    print(f"recorded {kind.value} on {args.date.isoformat()} for {args.patient_id}", file=out)
    words = _words(args, assessment.protocol)
    print(f"Regimen: {words.regimen_line(assessment)}", file=out)
    _print_warnings(issues + written.issues, out, words)
    return 0


def _cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    """The audit trail of one patient as the window's History shows it: local time, user, what
    changed in words, before -> after in the display units (R1.4), reason. `--json` gives the
    entries as stored, for a program."""
    from tacrocalc.present.history import history_rows, text_table

    with _store(args) as store:
        record = store.load(args.patient_id)
        if record is None:
            raise Refused(
                Issue.refusal(IssueCode.UNKNOWN_PATIENT, field="patient", value=args.patient_id)
            )
        entries = store.history(args.patient_id)
    if args.json:
        rows = [
            {
                "time": e.at,  # UTC, ISO 8601
                "user": e.user,
                "action": e.action,
                "what": e.entity,
                "id": e.entity_id,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
            }
            for e in entries
        ]
        json.dump(rows, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    words = _words(args, _protocol(record.protocol_id))
    shown = history_rows(entries, words, to_local=_local, protocol_titles=_protocol_titles())
    print(text_table(shown), file=out)
    return 0


def _local(moment: datetime) -> datetime:
    """The workstation's local time, daylight saving included."""
    return moment.astimezone()


def _protocol_titles() -> dict[str, str]:
    """Protocols by title, as the window names them."""
    titles = {}
    for pid in available_protocols():
        try:
            titles[pid] = load_protocol(pid).title
        except ProtocolError:
            continue  # a broken file is named by its id
    return titles


def _cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from tacrocalc.report import plan_pdf

    today = args.today or _today()
    record = _patient_record(args, today)
    assessment = assess(record, _protocol(record.protocol_id), today)
    generated = datetime.now().astimezone()  # the ward's local time, printed on the plan
    pdf = plan_pdf(
        assessment,
        generated_at=generated,
        paper=args.paper,
        units=_words(args, assessment.protocol).units,
    )
    write_atomic(Path(args.out), pdf)
    print(f"wrote the monitoring plan of {record.patient.id} to {args.out}", file=out)
    return 0


def _cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """A copy of the store; to a device or a pipe (/dev/stdout) it is written straight."""
    with _store(args) as store:
        path = store.backup(Path(args.out))
    print(
        f"backed up {store.where} to {path}",
        file=out if path != Path("/dev/stdout") else sys.stderr,
    )
    return 0


# -- the ward server -------------------------------------------------------------------------


def _cmd_server_init(args: argparse.Namespace, out: TextIO) -> int:
    """Create or update the ward database: schema, roles, grants (as its owner)."""

    server = server_of(args)
    if server is None:
        raise StoreError("`server init` needs the ward server: give --server URL.")
    before, after = init_server(server)
    where = describe(server)
    if before == after:
        print(f"{where} is up to date (data format {after}).", file=out)
    else:
        print(f"{where} set up: data format {before or 'none'} -> {after}.", file=out)
    print(
        f"Roles: {CLINICIAN} (reads and writes patients), {VIEWER} (reads only). Give each"
        f' person a login in one of them: CREATE ROLE "name" LOGIN IN ROLE {CLINICIAN};',
        file=out,
    )
    return 0


def _cmd_server_import_local(args: argparse.Namespace, out: TextIO) -> int:
    """Copy every patient of a local store (with course, results and audit trail) to the ward
    server; ids already there are refused unless --existing says what to do. The local store
    is only read."""
    from tacrocalc.paths import user_data_dir

    server = chosen_server(getattr(args, "server", None), None)
    if not server or not is_server_url(server):
        raise StoreError("`server import-local` needs the ward server: give --server URL.")
    with (
        Store(
            user_data_dir(args.data_dir), protocol_for=load_protocol, daily_backup=False
        ) as local,
        Store(server=server, protocol_for=load_protocol) as ward,
    ):
        ids = [p.id for p in local.list_patients()]
        clashes = [pid for pid in ids if ward.exists(pid)]
        if clashes and args.existing == "refuse":
            shown = ", ".join(clashes[:10]) + (" …" if len(clashes) > 10 else "")
            raise StoreError(
                f"{len(clashes)} of the {len(ids)} patients are already on the {ward.where}"
                f" ({shown}); nothing was copied. Run again with --existing skip (keep the"
                " server's) or --existing replace (the server's record is kept in its history)."
            )
        copied = skipped = 0
        for pid in ids:
            if pid in clashes and args.existing == "skip":
                skipped += 1
                continue
            record = local.load(pid)
            if record is None:
                continue
            written = ward.import_record(
                record,
                replace=pid in clashes,
                history=local.history(pid),
                copied_from=f"{local.where} ({local.user})",
            )
            if not written.ok:
                raise Refused(next(i for i in written.issues if i.refuses))
            copied += 1
    print(
        f"copied {copied} patients from {local.where} to the {ward.where}"
        + (f"; {skipped} already there were left as they are" if skipped else "")
        + ". The local store was not changed.",
        file=out,
    )
    return 0


def _cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Refused (2) when the file is not a TacroCalc store this version reads, or is the store
    itself; a fault (3) while the store is open in a window or a command."""
    from tacrocalc.paths import user_data_dir

    if server_of(args) is not None:
        raise StoreError(
            "A ward server is restored on the server (pg_restore; docs/ward-server.md), not by"
            " a workstation. Nothing was changed."
        )

    folder = user_data_dir(args.data_dir)
    kept = restore(folder, Path(args.file))
    print(f"restored {args.file} into {folder}", file=out)
    if kept is not None:
        print(f"the file it replaced is kept as {kept}", file=out)
    return 0


# -- parser --------------------------------------------------------------------------------


# Dates a monitoring plan can be worked out for: every date TacroCalc adds months or days to
# stays within what a calendar date can hold (9999-12-31 overflowed).
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def _date_arg(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"{text} is outside the dates TacroCalc plans for"
            f" ({_FIRST_DAY.isoformat()} to {_LAST_DAY.isoformat()})"
        )
    return day


def _limit_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"{text} is not between 1 and 100000")
    return value


def _unit_arg(kind: Kind) -> Callable[[str], str]:
    def read(text: str) -> str:
        try:
            return unit_from_text(kind, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return read


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    formulations = [f.value for f in FormulationId]

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.add_argument(
            "--protocol", default=DEFAULT_PROTOCOL, help="protocol id (default %(default)s)"
        )

    p = sub.add_parser(
        "dose", help="dose every 12 hours (or once daily) from weight and rate (R2-R4)"
    )
    p.add_argument("--weight", required=True, help="body weight, such as 72kg or 154lb")
    rate = p.add_mutually_exclusive_group(required=True)
    rate.add_argument("--rate", help="dose rate, such as 0.10mg/kg/day")
    rate.add_argument("--dose", help="dose per administration, such as 3mg (gives the rate)")
    p.add_argument("--formulation", default="ir-capsule", choices=formulations)
    common(p)
    p.set_defaults(run=_cmd_dose)

    p = sub.add_parser("adjust", help="proportional dose adjustment from a trough (R9)")
    p.add_argument("--dose", required=True, help="current dose per administration, such as 3mg")
    p.add_argument(
        "--trough", required=True, help="measured 12-hour trough, such as 14ug/L or <2ug/L"
    )
    p.add_argument("--target", help="target trough (default: the protocol's target, R9.2)")
    p.add_argument("--formulation", default="ir-capsule", choices=formulations)
    p.add_argument("--weight", help="body weight, to check the new rate against R4")
    p.add_argument(
        "--days-on-dose",
        type=int,
        metavar="N",
        help="days between the last dose change and the trough (R5.5); required (R9.6)",
    )
    common(p)
    p.set_defaults(run=_cmd_adjust)

    p = sub.add_parser("switch", help="convert to another product (R10)")
    p.add_argument("--dose", required=True, help="current dose per administration, such as 3mg")
    p.add_argument("--from", dest="source", default="ir-capsule", choices=formulations)
    p.add_argument("--to", dest="target", required=True, choices=formulations)
    common(p)
    p.set_defaults(run=_cmd_switch)

    def display_units(p: argparse.ArgumentParser) -> None:
        """R1.4: every value of the output in these units and no other."""
        p.add_argument(
            "--trough-unit",
            type=_unit_arg(Kind.TROUGH),
            metavar="ug/L|ng/mL|nmol/L",
            help="unit of trough levels (default: the protocol's)",
        )
        p.add_argument(
            "--creatinine-unit",
            type=_unit_arg(Kind.CREATININE),
            metavar="umol/L|mg/dL",
            help="unit of creatinine (default: the protocol's)",
        )

    p = sub.add_parser("check", help="classify a patient's results and plan the checks (R5-R8)")
    p.add_argument("patient", help="patient file (.json) or the id of a stored patient")
    p.add_argument("--today", type=_date_arg, help="date to assess on (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    display_units(p)
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser("event", help="record a treatment event: start, change, switch ... (R15)")
    p.add_argument("patient_id", metavar="PATIENT_ID")
    p.add_argument("kind", choices=[k.value for k in EventKind])
    p.add_argument("--date", required=True, type=_date_arg, help="YYYY-MM-DD")
    p.add_argument("--time", help="HH:MM, to order two events of one day")
    p.add_argument("--dose", help="dose per administration, such as 2mg")
    p.add_argument("--to", help="the new product of a switch (or of a start or restart)")
    p.add_argument(
        "--reason",
        help="why, such as 'nephrotoxicity' (a renal reason asks for a creatinine recheck)",
    )
    p.add_argument("--times", help="dose times HH:MM,HH:MM (12 hours apart)")
    p.set_defaults(run=_cmd_event)

    p = sub.add_parser(
        "history", help="the audit trail of a patient: when, who, what changed, before -> after"
    )
    p.add_argument("patient_id", metavar="PATIENT_ID")
    p.add_argument(
        "--json",
        action="store_true",
        help="the entries for a program: time (UTC), user, action, what, id, before, after, reason",
    )
    display_units(p)
    p.set_defaults(run=_cmd_history)

    p = sub.add_parser("plan", help="write the monitoring plan as a PDF")
    p.add_argument("patient", help="patient file (.json) or the id of a stored patient")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--today", type=_date_arg, help="date of the plan (default: today)")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4")
    display_units(p)
    p.set_defaults(run=_cmd_plan)

    p = sub.add_parser("import", help="add patient files to the store")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace a stored patient with the same id (the old record is kept in the history)",
    )
    p.set_defaults(run=_cmd_import)

    p = sub.add_parser("export", help="write a stored patient to a patient file")
    p.add_argument("patient_id", metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("list", help="stored patients: regimen, last check, next check due")
    p.add_argument("query", nargs="?", help="id or name prefix (case and accents ignored)")
    p.add_argument("--limit", type=_limit_arg, default=200, help="at most this many (1-100000)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_cmd_list)

    p = sub.add_parser("backup", help="copy the store to a file (SQLite backup API)")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(run=_cmd_backup)

    p = sub.add_parser("restore", help="replace the store by a backup (the old file is kept)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=_cmd_restore)

    p = sub.add_parser("server", help="the ward's PostgreSQL database (docs/ward-server.md)")
    server = p.add_subparsers(title="server commands", metavar="SERVER_COMMAND", required=True)
    q = server.add_parser(
        "init", help="create or update the ward database: tables, roles, grants (as its owner)"
    )
    q.set_defaults(run=_cmd_server_init)
    q = server.add_parser(
        "import-local",
        help="copy every patient of this workstation's store to the ward server",
    )
    q.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the local store to copy (default: the user's data folder)",
    )
    q.add_argument(
        "--existing",
        choices=["refuse", "skip", "replace"],
        default="refuse",
        help="an id already on the server: refuse everything (default), skip it, or replace"
        " the server's record (kept in its history)",
    )
    q.set_defaults(run=_cmd_server_import_local)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a command: its status, and on failure one line on stderr (never a traceback)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return _run(args, out, err)
    except KeyboardInterrupt:  # Ctrl+C: what was written is whole (each write is one commit)
        print("interrupted", file=err)
        return EXIT_INTERRUPTED
    except (MemoryError, RecursionError) as error:  # an input no bound caught: still one line
        print(one_line(f"error: {type(error).__name__}: the input is too large"), file=err)
        return EXIT_FAULT
    except Exception as error:  # a fault of TacroCalc itself: one line, never a traceback
        print(
            one_line(
                f"error: TacroCalc failed ({type(error).__name__}: {error}); please report it"
            ),
            file=err,
        )
        return EXIT_FAULT


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        code: int = args.run(args, out)
    except Refused as refused:
        print(one_line(f"refused: {_words(args).message(refused.issue)}"), file=err)
        return EXIT_REFUSED
    except StoreUnavailable as error:  # the computer's fault: says what to do
        print(one_line(f"error: {error}"), file=err)
        return EXIT_ENVIRONMENT
    except StoreError as error:  # a file that cannot be a store (restore), the store itself
        print(one_line(f"refused: {error}"), file=err)
        return EXIT_REFUSED
    except BrokenPipeError:  # the reader (| head) stopped reading: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes it at exit
        return 0
    except OSError as error:  # a file or folder named on the command line cannot be used
        where = error.filename if error.filename is not None else ""
        if error.errno in _ENVIRONMENT_ERRORS:
            print(one_line(f"error: {where or 'file'}: {error.strerror or error}"), file=err)
            return EXIT_ENVIRONMENT
        print(one_line(f"refused: {where or 'file'}: {error.strerror or error}"), file=err)
        return EXIT_REFUSED
    return code
