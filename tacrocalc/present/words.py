"""The words of TacroCalc: a sentence for every issue code, the suggestions of R14.2, and how
each value an issue carries is shown, in the units the user chose (R1.4).

Each sentence names the field and the value, says why, and where it helps, what to do. The
window, the printed plan and the command line all take their sentences from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum
from typing import TYPE_CHECKING, Final

from tacrocalc.domain.course import RATIO_TOLERANCE, Regimen, Status
from tacrocalc.domain.dosing import UnitCount, round_to_dispensable
from tacrocalc.domain.issues import (
    Action,
    Issue,
    IssueCode,
    Measure,
    Percent,
    Pressure,
    Severity,
)
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import ObservationKind
from tacrocalc.domain.schedule import Phase
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import Kind, format_number, magnitude
from tacrocalc.present.text import printable
from tacrocalc.present.units import DECIMALS, DisplayUnits

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.domain.units import Quantity

MESSAGES: Final[dict[IssueCode, str]] = {
    IssueCode.NOT_A_NUMBER: '{field}: "{value}" is not a number with a unit (for example "72 kg").',
    IssueCode.AMBIGUOUS_NUMBER: '{field}: "{value}" is ambiguous: is the comma a decimal comma or a thousands separator? Type it without the comma, or with a decimal point.',
    IssueCode.MISSING_UNIT: '{field}: "{value}" has no unit. Type the unit after the number ({expected}).',
    IssueCode.UNKNOWN_UNIT: '{field}: "{value}" is not in a unit TacroCalc accepts for {description} ({expected}).',
    IssueCode.WRONG_KIND_OF_UNIT: '{field}: "{value}" is not {description}; expected one of {expected}.',
    IssueCode.SCIENTIFIC_NOTATION: '{field}: "{value}" is written as a power of ten, which TacroCalc does not accept; type the number in plain digits: "{digits}".',
    IssueCode.BELOW_LIMIT_NOT_POSITIVE: '{field}: "{value}": a result below the assay\'s limit is entered as "<" and that limit, a level above zero, such as "<2 ug/L" (R12.2).',
    IssueCode.BELOW_LIMIT_NOT_ALLOWED: '{field}: "{value}": only a trough level can be entered as below the assay\'s limit ("<2 ug/L").',
    IssueCode.OUT_OF_BOUNDS: "{field}: {value} is outside the accepted range {low} to {high} ({rule}). Check the value and its unit.",
    IssueCode.NOT_ABOVE_LOWER_BOUND: "{field}: {value} is outside the accepted range: above {low}, up to {high} ({rule}). Check the value and its unit.",
    IssueCode.TROUGH_NOT_MEASURABLE: '{field}: {value} is below {limit}, which no assay measures; enter such a result as below the assay\'s limit, such as "<2 ug/L" (R12.2).',
    IssueCode.LIMIT_NOT_MEASURABLE: '{field}: {value}: no assay has a limit below {limit}; enter the limit the laboratory reports, such as "<2 ug/L" (R12.2).',
    IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC: "{field}: {value}: the systolic pressure must be above the diastolic (R12.3).",
    IssueCode.BAD_BLOOD_PRESSURE: '{field}: "{value}" is not a blood pressure; write systolic/diastolic, such as "130/80 mmHg".',
    IssueCode.TIME_IN_FUTURE: "{field}: {value} on {day} is later than now ({now}); a result cannot be recorded before its sample is taken (R12.4).",
    IssueCode.DATE_IN_FUTURE: "{field}: {value} is in the future (today is {today}); an observation cannot be dated after today (R12.4).",
    IssueCode.DATE_BEFORE_BIRTH: "{field}: {value} is before the patient's birth date {birth_date} (R12.4).",
    IssueCode.DATE_TOO_EARLY: "{field}: {value} is more than {years} years ago, before any living patient's birth ({earliest}); check the year (R12.4).",
    IssueCode.WEIGHT_BELOW_ADULT: "{field}: {value} is below {limit}: the protocol was written for adults (R12.1).",
    IssueCode.UNKNOWN_FORMULATION: '{field}: "{value}" is not a product TacroCalc knows; use one of {known}.',
    IssueCode.BELOW_SMALLEST_DOSE: "{field}: {value} per dose is below the smallest dispensable dose of {product} ({smallest}); no dose can be given at this rate (R3.4).",
    IssueCode.NOT_DISPENSABLE: "{field}: {value} cannot be made up from {product} ({strengths}); the nearest dose that can is {nearest} (R3.1).",
    IssueCode.ROUNDING_OVER_LIMIT: "{field}: rounding to what can be dispensed moves the dose from {value} to {rounded} ({change}, more than {limit}) (R3.5).",
    IssueCode.RATE_NOT_POSITIVE: "{field}: {value} is not a dose; it must be above zero (R4.5).",
    IssueCode.RATE_ABOVE_MAXIMUM: "{field}: {value} is above the maximum of {limit}; no dose is given above it (R4.5).",
    IssueCode.DAILY_DOSE_ABOVE_MAXIMUM: "{field}: {value} a day is above {limit} a day, the most the maximum rate {rate} gives at the heaviest accepted weight ({weight}); with no weight to check it against, no dose is given above it (R4.5, R12.7).",
    IssueCode.RATE_ABOVE_CEILING: "{field}: {value} is above the protocol's titration ceiling of {limit} (R4.2).",
    IssueCode.RATE_BELOW_EFFICACY: "{field}: {value} is below {limit}, a rate of low efficacy in other autoimmune disease (R4.3).",
    IssueCode.TROUGH_BELOW: "Trough {value} is below the target range {low}-{high} (R5.4).",
    IssueCode.TROUGH_UPPER_END: "Trough {value} is at the upper end of the range (at or above {limit}): hypertension and nephrotoxicity came with such levels in the seed cases (R5.3).",
    IssueCode.TROUGH_ABOVE: "Trough {value} is above the target range {low}-{high} (R5.4).",
    IssueCode.NOT_STEADY_STATE: "Trough {value} was taken less than {days} days after a dose change: not at steady state (R5.5).",
    IssueCode.NOT_TRUE_TROUGH: "Trough {value} was sampled at {sample} after a dose at {last_dose}: more than {hours} hours off the dosing interval, not a true trough (R5.1).",
    IssueCode.CREATININE_RISE: "Creatinine {value} is {change} above the baseline of {baseline} ({baseline_date}): a rise of {pct} or more (limit {limit}) is significant (R6.3).",
    IssueCode.BASELINE_AFTER_START: "Creatinine baseline {value} was taken after tacrolimus started: no earlier value is recorded (R6.1).",
    IssueCode.NO_BASELINE: "No creatinine is recorded: there is no baseline to judge a rise against (R6.1).",
    IssueCode.HYPERTENSION: "Blood pressure {value} is at or above {limit}: hypertension (R7.1).",
    IssueCode.URGENT_HYPERTENSION: "Blood pressure {value} is at or above {limit}: severe hypertension (R14.1).",
    IssueCode.CHECK_OVERDUE: "{check} was due on {value}{by} and is {late} overdue (R8.9).",
    IssueCode.CHECK_DUE: "{check} is due now (from {value}) (R8).",
    IssueCode.NO_REGIMEN: "No tacrolimus regimen is recorded: there is no schedule yet (R8.2).",
    IssueCode.CREATININE_RECHECK_DUE: "A creatinine recheck after stopping or holding tacrolimus is due on {value} (R8.11).",
    IssueCode.OFF_TREATMENT_TROUGH: "Trough {value} was taken while tacrolimus was held or stopped: not compared with the target and not used to adjust the dose (R5.7).",
    IssueCode.TREATMENT_HELD: "Tacrolimus is on hold since {value} ({reason}); no trough checks fall due while it is held (R8.11).",
    IssueCode.TREATMENT_STOPPED: "Tacrolimus was stopped on {value} ({reason}); no trough checks fall due (R8.11).",
    IssueCode.ADJUST_NOT_STEADY_STATE: "{field}: the trough {value} was taken less than {days} days after a dose change; a dose is not adjusted on a level that is not at steady state (R9.3).",
    IssueCode.ADJUST_STEADY_STATE_UNVERIFIED: "{field}: {value}: make sure it was taken at least {days} days after the last dose change (steady state, R9.2).",
    IssueCode.ADJUST_BELOW_ASSAY_LIMIT: "{field}: {value} is below the assay's limit; a dose is never adjusted proportionally on it (R9.2, R12.2).",
    IssueCode.ADJUST_TROUGH_ZERO: "{field}: {value}: a proportional adjustment needs a measured level above zero (R9.2).",
    IssueCode.ADJUST_MORE_THAN_DOUBLE: "{field}: {value} is more than {factor} times the current {current} (R9.3).",
    IssueCode.ADJUST_LESS_THAN_HALF: "{field}: {value} is less than 1/{factor} of the current {current} (R9.5).",
    IssueCode.ADJUST_CAPPED_DOUBLE: "{field}: the proportional dose {proportional} is more than {factor} times the current {current}; the increase is capped at {value} (R9.5).",
    IssueCode.ADJUST_CAPPED_CEILING: "{field}: the proportional dose {proportional} would go past the titration ceiling of {limit}; the increase is capped at {value} (R9.5).",
    IssueCode.ADJUST_DAYS_ON_DOSE_NEEDED: "{field}: give the days on the current dose (--days-on-dose N); a dose is adjusted only on a trough at steady state (R9.6).",
    IssueCode.TARGET_OUTSIDE_RANGE: "{field}: {value} is outside the patient's target range {low}-{high}; choose a target within it (R9.2).",
    IssueCode.NO_TROUGH: "No trough is recorded on the current dose yet; one is due on {due} (R9.3).",
    IssueCode.TROUGH_ON_OTHER_REGIMEN: "The latest trough ({value}, {taken}) was taken on {then}; the dose is now {now} since {since}: wait for a trough on the current dose, due {due} (R9.3).",
    IssueCode.TROUGH_NOT_TRUE: "The latest trough ({value}, {taken}) was not taken 12 hours after a dose: not used to adjust the dose; take a true trough, due {due} (R5.1, R9.3).",
    IssueCode.TROUGH_OFF_TREATMENT: "The latest trough ({value}, {taken}) was taken while tacrolimus was held or stopped: not used to adjust the dose (R5.7).",
    IssueCode.NO_TREATMENT: "Tacrolimus is not being given ({status}): no dose adjustment (R9.3).",
    IssueCode.TROUGH_IN_RANGE: "The latest trough ({value}, {taken}) is in range and below the upper end: keep the dose (R9.4).",
    IssueCode.TROUGH_OUT_OF_AIM: "The latest trough ({value}, {taken}) is {klass}: a change toward the target is suggested (R9.4).",
    IssueCode.SWITCH_NOT_IN_PROTOCOL: "{field}: the switch {value} has no conversion in the protocol (R10.2-R10.5).",
    IssueCode.SWITCH_RATIO_NOT_R10: "{field}: {value} is not the conversion ratio of a switch from {source} to {target}: R10 gives {expected} for that switch (R10.1).",
    IssueCode.SWITCH_SAME_PRODUCT: "{field}: {value} is the product already given; there is nothing to switch (R10).",
    IssueCode.SWITCH_TROUGH_MAY_FALL: "After a switch to {value}, trough levels may fall (R10.2).",
    IssueCode.SWITCH_TROUGH_DUE: "After a switch to {value}, take a trough within {days} days (R10.6).",
    IssueCode.SWITCH_TROUGH_DUE_SOON: "After a switch back to {value}, take a trough within {low} to {high} days (R10.4).",
    IssueCode.SWITCH_FIRST_DOSE_MORNING: "Give the first dose of {value} the morning after the last evening dose of the twice-daily product (R10.7).",
    IssueCode.EVENT_NOT_POSSIBLE: '{field}: a "{value}" cannot follow a course that is {status} (a resume needs a hold, a restart a stop, a change or a switch treatment in progress; another product is a switch) (R15.1).',
    IssueCode.EVENTS_SAME_DAY: "{field}: two events on {value} ({first}, {second}) need their times to be put in order (R12.8).",
    IssueCode.DOSE_UNCHANGED: "{field}: {value} is the dose already given; there is no change to record (R15.1).",
    IssueCode.WEIGHT_DRIFT: "Weight {value} differs by {change} from the {was} ({was_date}) the current dose was worked out from ({pct} or more): review the dose (R15.5).",
    IssueCode.NO_WEIGHT: "No weight is recorded: the dose cannot be checked against the protocol's mg/kg/day limits (R12.8).",
    IssueCode.DOSE_TIMES_NOT_12_HOURS: "{field}: {value}: the two doses must be 12 hours apart (between {low} and {high} hours) (R2.2).",
    IssueCode.CO_MEDICATION_CHANGE: "A co-medication change can move tacrolimus levels; take a trough {days} days after it (R11).",
    IssueCode.UNKNOWN_PATIENT: '{field}: there is no patient "{value}" in this TacroCalc.',
    IssueCode.ALREADY_RECORDED: "{field}: {value} ({taken}) is already recorded; it was not added a second time (R12.10).",
    IssueCode.SAMPLE_HAS_RESULT: "{field}: {value} was not added: {recorded} is already recorded for the sample of {taken}, and one sample has one result. If that result is wrong, select it and use Correct… (R12.10).",
    IssueCode.UNKNOWN_OBSERVATION: "{field}: there is no entry {value} that can be changed (it may already be deleted or restored).",
    IssueCode.PATIENT_EXISTS: '{field}: a patient "{value}" is already here; nothing was changed. Use --replace to replace that record (the old one stays in the history).',
    IssueCode.MISSING_VALUE: "{field}: a value is needed.",
    IssueCode.BAD_TEXT: '{field}: "{value}" cannot be used: {reason}.',
    IssueCode.BAD_DOSE_TIMES: '{field}: "{value}": this product is given {count} time(s) a day; give that many times (HH:MM).',
    IssueCode.STORE_UNUSABLE: "The patient store cannot be used: {reason}",
    IssueCode.CHANGED_ELSEWHERE: "{reason}",
    IssueCode.IMPORT_REFUSED: "{value} file(s) not imported: {reason}",
    IssueCode.BAD_PROTOCOL: 'Protocol {field}: "{value}": {reason}.',
    IssueCode.BAD_PATIENT_FILE: '{field}: "{value}": {reason}.',
    IssueCode.UNREADABLE_FILE: "{field}: {reason}.",
}


ACTIONS: Final[dict[Action, str]] = {
    Action.WITHHOLD_AND_RECHECK_CREATININE: "Consider withholding tacrolimus and rechecking creatinine within 7 days (seed case 3).",
    Action.REDUCE_DOSE_AND_TREAT_BP: "Consider a dose reduction and treating the blood pressure (seed case 2).",
    Action.RECHECK_BP_NEXT_VISIT: "A single raised blood pressure just after a dose increase, with no creatinine rise: recheck at the next visit (seed case 1).",
    Action.HOLD_NEXT_DOSE_AND_RECHECK_TROUGH: "Consider holding the next dose and rechecking the trough (R9.5).",
}


def how_often(administrations_per_day: int) -> str:
    return "every 12 hours" if administrations_per_day == 2 else "once daily"


# A product as a nurse knows it, where the protocol does not name it: never its id (R16).
PRODUCT_WORDS: Final[dict[FormulationId, str]] = {
    FormulationId.IR_CAPSULE: "Immediate-release tacrolimus capsules",
    FormulationId.GRANULES: "Tacrolimus granules for oral suspension",
    FormulationId.ADVAGRAF: "Advagraf prolonged-release capsules",
    FormulationId.ENVARSUS: "Envarsus prolonged-release tablets",
}


def product_name(formulation: FormulationId, protocol: Protocol | None) -> str:
    """A product as a nurse knows it, without the protocol's note in brackets: "Advagraf
    prolonged-release capsules" (the protocol's "Advagraf prolonged-release capsules (once
    daily)")."""
    product = protocol.formulations.get(formulation) if protocol is not None else None
    if product is not None:
        return product.name.split(" (")[0]
    return PRODUCT_WORDS.get(formulation, formulation.value)


def ratio_words(ratio: float) -> str:
    """A switch's conversion (R10.1) in words: "milligram for milligram" for a ratio of 1,
    "at 0.8 × the previous total daily dose" for another."""
    if abs(ratio - 1) < RATIO_TOLERANCE:
        return "milligram for milligram"
    return f"at {format_number(ratio, 2)} × the previous total daily dose"


# The reason earlier versions of the window recorded with a switch, still in stored records:
# "switch ir-capsule → advagraf (ratio 1)". A switch is now recorded with no reason of its own.
_SWITCH_REASON: Final = re.compile(r"switch (?P<old>[\w-]+) → (?P<new>[\w-]+) \(ratio [\d.]+\)")


def switch_reason(reason: str) -> tuple[FormulationId, FormulationId] | None:
    """The products a switch's recorded reason names when it is the window's own note of the
    switch ("switch ir-capsule → advagraf (ratio 1)"), which says nothing the switch itself
    does not; None for a reason someone wrote."""
    found = _SWITCH_REASON.fullmatch(reason.strip())
    if found is None:
        return None
    try:
        return FormulationId(found["old"]), FormulationId(found["new"])
    except ValueError:
        return None


def reason_words(reason: str, protocol: Protocol | None) -> str:
    """A recorded reason as a reader is shown it: the window's note of a switch in products'
    names ("switched from Immediate-release tacrolimus capsules"), any other as written."""
    products = switch_reason(reason)
    if products is None:
        return printable(reason)
    return f"switched from {product_name(products[0], protocol)}"


CLASS_WORDS: Final[dict[TroughClass, str]] = {
    TroughClass.BELOW: "below the range",
    TroughClass.IN_RANGE: "in range",
    TroughClass.UPPER_END: "at the upper end of the range",
    TroughClass.ABOVE: "above the range",
    TroughClass.OFF_TREATMENT: "off treatment",
}
STATUS_WORDS: Final[dict[Status, str]] = {
    Status.NONE: "not started",
    Status.ON: "in progress",
    Status.HELD: "on hold",
    Status.STOPPED: "stopped",
}


CLASS_TEXT: Final[dict[TroughClass, str]] = {  # short, for tables
    TroughClass.BELOW: "below range",
    TroughClass.IN_RANGE: "in range",
    TroughClass.UPPER_END: "upper end",
    TroughClass.ABOVE: "above range",
    TroughClass.OFF_TREATMENT: "off treatment",
}
PHASE_TEXT: Final[dict[Phase, str]] = {
    Phase.FIRST: "1-2 weeks after the change",
    Phase.TWO_WEEKLY: "2 weeks after the last check",
    Phase.MONTHLY: "monthly, if stable",
    Phase.LONG_TERM: "long-term, if stable",
    Phase.AFTER_SWITCH: "trough after a product switch",
    Phase.CO_MEDICATION: "trough after a co-medication change",
    Phase.CREATININE_RECHECK: "creatinine after stopping or holding",
}
TAKE_TEXT: Final[dict[ObservationKind, str]] = {
    ObservationKind.TROUGH: "12-h trough (before the morning dose)",
    ObservationKind.CREATININE: "creatinine",
    ObservationKind.BLOOD_PRESSURE: "BP",
}
# R5.7: a once-daily product's trough is a 24-hour trough, on screen, on the plan and in the
# schedule.
ONCE_DAILY_TAKE_TEXT: Final[dict[ObservationKind, str]] = {
    **TAKE_TEXT,
    ObservationKind.TROUGH: "24-h trough (before the morning dose)",
}


def once_daily(regimen: Regimen | None, protocol: Protocol) -> bool:
    """Whether `regimen` is of a once-daily product, whose trough is a 24-hour one (R5.7)."""
    if regimen is None:
        return False
    product = protocol.formulations.get(regimen.formulation)
    return product is not None and product.administrations_per_day == 1


def take_text(kind: ObservationKind, *, once_daily: bool) -> str:
    """What a check takes, in the schedule's words (R5.7 names the trough by its interval)."""
    return (ONCE_DAILY_TAKE_TEXT if once_daily else TAKE_TEXT)[kind]


def trough_title(*, twice_daily: bool, once_daily: bool) -> str:
    """The trough chart's title, named by the dosing interval of the products charted (R5.7)."""
    if once_daily and not twice_daily:
        return "Tacrolimus 24-hour trough"
    if once_daily:
        return "Tacrolimus trough: 12-hour, 24-hour on once-daily products"
    return "Tacrolimus 12-hour trough"


# "(R5.4)", "(R5.1, R9.3)", "(R10.2-R10.5)", "(R8)": the rule references of a sentence.
_RULES = re.compile(r"\s*\((R\d+(?:\.\d+)?(?:\s*(?:,|-|–|and)\s*R\d+(?:\.\d+)?)*)\)")


def without_rules(text: str) -> tuple[str, str]:
    """A sentence without its rule references, and the references ("R5.4, R14.2"): a nurse
    reads the sentence, the rules go small at the end or in a column (R16.2)."""
    rules = [m.group(1) for m in _RULES.finditer(text)]
    return _RULES.sub("", text), ", ".join(rules)


# What a day of the results was given when no dose was (R15.2), on screen and on paper.
NO_DOSE_TEXT: Final[dict[Status, str]] = {
    Status.NONE: "not started",
    Status.HELD: "on hold",
    Status.STOPPED: "stopped",
}

SEVERITY_WORDS: Final[dict[Severity, str]] = {
    Severity.URGENT: "URGENT",
    Severity.WARNING: "Warning",
    Severity.NOTE: "Note",
}
SEVERITY_COLOURS: Final[dict[Severity, str]] = {
    Severity.URGENT: "#b00020",
    Severity.WARNING: "#a15c00",
    Severity.NOTE: "",
}


def age_in_years(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def born(birth: date | None, today: date) -> str:
    """ "1968-04-12 (58 years)", or "not recorded"."""
    if birth is None:
        return "not recorded"
    return f"{birth.isoformat()} ({age_in_years(birth, today)} years)"


def dose_words(regimen: Regimen, protocol: Protocol, words: Words) -> tuple[str, str]:
    """("3.5 mg every 12 hours", "3 × 1 mg capsules + 1 × 0.5 mg capsule at 08:00 and at 20:00")"""
    product = protocol.formulations[regimen.formulation]
    units = units_to_give(round_to_dispensable(regimen.dose, product).units, product.unit_name)
    return (
        f"{words.dose(regimen.dose)} {how_often(product.administrations_per_day)}",
        f"{units} at {clocks(regimen.times, ' and at ')}",
    )


def action_text(action: Action | None) -> str | None:
    return ACTIONS[action] if action is not None else None


def units_to_give(units: tuple[UnitCount, ...], unit_name: str = "") -> str:
    """ "3 × 1 mg + 1 × 0.5 mg" (with `unit_name`: "3 × 1 mg capsules + 1 × 0.5 mg capsule")."""
    parts = []
    for unit in units:
        noun = f" {unit_name}{'s' if unit.count > 1 else ''}" if unit_name else ""
        parts.append(f"{unit.count} × {format_number(magnitude(unit.strength, 'mg'), 3)} mg{noun}")
    return " + ".join(parts)


def clock(value: time) -> str:
    """24-hour clock, as on a drug chart: "08:00"."""
    return value.strftime("%H:%M")


def clocks(values: tuple[time, ...], joiner: str = " and ") -> str:
    return joiner.join(clock(t) for t in values)


@dataclass(frozen=True, slots=True)
class Words:
    """Values into words, in `units`; `protocol` names the products of a regimen."""

    units: DisplayUnits = field(default_factory=DisplayUnits)
    protocol: Protocol | None = None

    def quantity(
        self,
        value: Quantity,
        kind: Kind,
        *,
        below_limit: bool = False,
        decimals: int | None = None,
    ) -> str:
        """ "8.2 µg/L": a quantity in the user's unit for its kind, with the unit (R1.4); with
        the unit's usual decimals unless `decimals` says how many."""
        return self.units.text(value, kind, below_limit=below_limit, decimals=decimals)

    def dose(self, value: Quantity) -> str:
        return self.units.text(value, Kind.DOSE)

    def product(self, regimen: Regimen) -> str:
        if self.protocol is not None and regimen.formulation in self.protocol.formulations:
            return self.protocol.formulations[regimen.formulation].name
        return product_name(regimen.formulation, None)

    def regimen(self, regimen: Regimen | None) -> str:
        """ "3 mg Prograf capsules every 12 hours": a dose with its product, as issues name it."""
        if regimen is None:
            return "no regimen"
        text = f"{self.dose(regimen.dose)} {self.product(regimen)}"
        if self.protocol is not None and regimen.formulation in self.protocol.formulations:
            per_day = self.protocol.formulations[regimen.formulation].administrations_per_day
            text += f" {how_often(per_day)}"
        return text

    def render(self, value: object, *, decimals: int | None = None) -> str:
        """One value an issue carries, as text; anything else is a programming error.
        `decimals`, when given, is how many a quantity is shown with."""
        if value is None:
            return ""
        if isinstance(value, str) and not isinstance(value, Enum):  # what was typed, as it is
            return printable(value)
        if isinstance(value, Measure):
            return self.quantity(
                value.quantity, value.kind, below_limit=value.below_limit, decimals=decimals
            )
        if isinstance(value, Pressure):
            systolic = self.units.number(value.systolic, Kind.PRESSURE)
            return f"{systolic}/{self.quantity(value.diastolic, Kind.PRESSURE)}"
        if isinstance(value, Percent):
            sign = "+" if value.signed and value.value > 0 else ""
            return f"{sign}{format_number(value.value, value.decimals)} %"
        if isinstance(value, TroughClass):
            return CLASS_WORDS[value]
        if isinstance(value, Status):
            return STATUS_WORDS[value]
        if isinstance(value, Regimen):
            return self.regimen(value)
        if isinstance(value, bool):
            raise TypeError(f"an issue carries no bare truth value: {value!r}")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return format_number(value, 2)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, time):
            return clock(value)
        if isinstance(value, Enum):
            return str(value.value)
        if isinstance(value, tuple):
            return ", ".join(self.render(v) for v in value)
        raise TypeError(f"no words for {type(value).__name__}: {value!r}")

    def message(self, issue: Issue) -> str:
        """The sentence for an issue, with its field, value and numbers in the user's units."""
        values = issue.fields()
        places = self._decimals_against_bounds(values)
        fields = {
            name: self.render(value, decimals=places if name in _COMPARED else None)
            for name, value in values.items()
        }
        if "number" in values:  # "Check 2", or an extra check by what it is (R8.11, R10.6, R11)
            phase = values.get("phase")
            fields["check"] = (
                f"Check {fields['number']}"
                if fields["number"]
                else f"The check ({PHASE_TEXT[phase]})"
                if isinstance(phase, Phase)
                else "The check"
            )
        if issue.code is IssueCode.CHECK_OVERDUE:  # counted from the window's end (R8.9)
            latest = values.get("latest")
            fields["by"] = (
                f" (at the latest {fields['latest']})" if isinstance(latest, date) else ""
            )
            days = values.get("days")
            fields["late"] = f"{days} day" if days == 1 else f"{days} days"
        return MESSAGES[issue.code].format_map(_Blank(fields))

    def _decimals_against_bounds(self, values: dict[str, object]) -> int | None:
        """How many decimals an issue's value and its bounds need for the sentence to read
        the way the numbers compare (R12.6: a refusal names the value typed): rounded to the
        unit's usual decimals, a weight of 9.99 kg would be refused as "10 kg is outside 10 kg
        to 300 kg", a trough of 0.499 µg/L as "0.5 µg/L is below 0.5 µg/L". None when the
        usual decimals already do."""
        value = values.get("value")
        if not isinstance(value, Measure):
            return None
        bounds = [
            self.units.value(bound.quantity, bound.kind)
            for name in _BOUNDS
            if isinstance(bound := values.get(name), Measure) and bound.kind is value.kind
        ]
        if not bounds:
            return None
        number = self.units.value(value.quantity, value.kind)
        usual = DECIMALS[self.units.unit(value.kind)]
        for places in range(usual, _MOST_DECIMALS + 1):
            shown = float(format_number(number, places))
            if all(
                _order(shown, float(format_number(b, places))) == _order(number, b) for b in bounds
            ):
                return None if places == usual else places
        return _MOST_DECIMALS

    def regimen_line(self, assessment: Assessment) -> str:
        """R15.4: the regimen in force in one line: the product, dose and times since a date, or
        on hold since one, or stopped on one, with the reason."""
        now = assessment.now
        reason = f" ({now.event.reason})" if now.event is not None and now.event.reason else ""
        if now.status is Status.NONE or now.since is None:
            return "no tacrolimus course recorded"
        if now.status is Status.HELD:
            return f"on hold since {now.since.isoformat()}{reason}"
        if now.status is Status.STOPPED:
            return f"stopped on {now.since.isoformat()}{reason}"
        regimen = now.regimen
        assert regimen is not None
        product = assessment.protocol.formulations[regimen.formulation]
        return (
            f"{product.name}: {self.dose(regimen.dose)}"
            f" {how_often(product.administrations_per_day)} at {clocks(regimen.times)},"
            f" since {now.since.isoformat()}"
        )


# The bounds an issue's value is compared with, and the values shown with as many decimals as
# that comparison needs; at most `_MOST_DECIMALS` (a value is kept to 12 significant digits).
_BOUNDS: Final = ("low", "high", "limit")
_COMPARED: Final = frozenset({"value", *_BOUNDS})
_MOST_DECIMALS: Final = 9


def _order(a: float, b: float) -> int:
    return (a > b) - (a < b)


def message(issue: Issue, units: DisplayUnits) -> str:
    """The sentence for an issue, in `units`."""
    return Words(units).message(issue)


class _Blank(dict[str, str]):
    """A missing parameter prints as nothing rather than failing the message."""

    def __missing__(self, key: str) -> str:
        return ""
