"""Plain-text sentences for every issue code: what the command line prints.

Each sentence names the field and the value, says why, and where it helps, what to do. The
window and the printed plan have tables of their own; a test checks all of them cover every code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from tacrocalc.domain.course import Status
from tacrocalc.domain.issues import Action, Issue, IssueCode
from tacrocalc.domain.units import format_number, magnitude

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment

MESSAGES: Final[dict[IssueCode, str]] = {
    IssueCode.NOT_A_NUMBER: '{field}: "{value}" is not a number with a unit (for example "72 kg").',
    IssueCode.AMBIGUOUS_NUMBER: '{field}: "{value}" is ambiguous: is the comma a decimal comma or a thousands separator? Type it without the comma, or with a decimal point.',
    IssueCode.MISSING_UNIT: '{field}: "{value}" has no unit. Type the unit after the number ({expected}).',
    IssueCode.UNKNOWN_UNIT: '{field}: "{value}" is not in a unit TacroCalc accepts for {description} ({expected}).',
    IssueCode.WRONG_KIND_OF_UNIT: '{field}: "{value}" is not {description}; expected one of {expected}.',
    IssueCode.BELOW_LIMIT_NOT_ALLOWED: '{field}: "{value}": only a trough level can be entered as below the assay\'s limit ("<2 ug/L").',
    IssueCode.OUT_OF_BOUNDS: "{field}: {value} is outside the accepted range {low} to {high} ({rule}). Check the value and its unit.",
    IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC: "{field}: {value}: the systolic pressure must be above the diastolic (R12.3).",
    IssueCode.BAD_BLOOD_PRESSURE: '{field}: "{value}" is not a blood pressure; write systolic/diastolic, such as "130/80 mmHg".',
    IssueCode.DATE_IN_FUTURE: "{field}: {value} is in the future (today is {today}); an observation cannot be dated after today (R12.4).",
    IssueCode.DATE_BEFORE_BIRTH: "{field}: {value} is before the patient's birth date {birth_date} (R12.4).",
    IssueCode.WEIGHT_BELOW_ADULT: "{field}: {value} is below {limit}: the protocol was written for adults (R12.1).",
    IssueCode.UNKNOWN_FORMULATION: '{field}: "{value}" is not a product TacroCalc knows; use one of {known}.',
    IssueCode.BELOW_SMALLEST_DOSE: "{field}: {value} per dose is below the smallest dispensable dose of {product} ({smallest}); no dose can be given at this rate (R3.4).",
    IssueCode.NOT_DISPENSABLE: "{field}: {value} cannot be made up from {product} ({strengths}); the nearest dose that can is {nearest} (R3.1).",
    IssueCode.ROUNDING_OVER_LIMIT: "{field}: rounding to what can be dispensed moves the dose from {value} to {rounded} ({change}, more than {limit}) (R3.5).",
    IssueCode.RATE_NOT_POSITIVE: "{field}: {value} is not a dose; it must be above zero (R4.5).",
    IssueCode.RATE_ABOVE_MAXIMUM: "{field}: {value} is above the maximum of {limit}; no dose is given above it (R4.5).",
    IssueCode.RATE_ABOVE_CEILING: "{field}: {value} is above the protocol's titration ceiling of {limit} (R4.2).",
    IssueCode.RATE_BELOW_EFFICACY: "{field}: {value} is below {limit}, a rate of low efficacy in other autoimmune disease (R4.3).",
    IssueCode.TROUGH_BELOW: "Trough {value} is below the target range {low}-{high} (R5.4).",
    IssueCode.TROUGH_UPPER_END: "Trough {value} is at the upper end of the range (at or above {limit}): hypertension and nephrotoxicity came with such levels in the seed cases (R5.3).",
    IssueCode.TROUGH_ABOVE: "Trough {value} is above the target range {low}-{high} (R5.4).",
    IssueCode.NOT_STEADY_STATE: "Trough {value} was taken less than {days} days after a dose change: not at steady state (R5.5).",
    IssueCode.NOT_TRUE_TROUGH: "Trough {value} was sampled at {sample} after a dose at {last_dose}: more than {hours} hours off the dosing interval, not a true trough (R5.1).",
    IssueCode.CREATININE_RISE: "Creatinine {value} is {change} above the baseline of {baseline} ({baseline_date}): a rise of {pct} % or more (limit {limit}) is significant (R6.3).",
    IssueCode.BASELINE_AFTER_START: "Creatinine baseline {value} was taken after tacrolimus started: no earlier value is recorded (R6.1).",
    IssueCode.NO_BASELINE: "No creatinine is recorded: there is no baseline to judge a rise against (R6.1).",
    IssueCode.HYPERTENSION: "Blood pressure {value} is at or above {systolic}/{diastolic} mmHg: hypertension (R7.1).",
    IssueCode.URGENT_HYPERTENSION: "Blood pressure {value} is at or above {systolic}/{diastolic} mmHg: severe hypertension (R14.1).",
    IssueCode.CHECK_OVERDUE: "Check {number} was due on {value} and is {days} day(s) overdue (R8.9).",
    IssueCode.CHECK_DUE: "Check {number} is due now (from {value}) (R8).",
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
    IssueCode.SWITCH_SAME_PRODUCT: "{field}: {value} is the product already given; there is nothing to switch (R10).",
    IssueCode.SWITCH_TROUGH_MAY_FALL: "After a switch to {value}, trough levels may fall (R10.2).",
    IssueCode.SWITCH_TROUGH_DUE: "After a switch to {value}, take a trough within {days} days (R10.6).",
    IssueCode.SWITCH_TROUGH_DUE_SOON: "After a switch back to {value}, take a trough within {low} to {high} days (R10.4).",
    IssueCode.SWITCH_FIRST_DOSE_MORNING: "Give the first dose of {value} the morning after the last evening dose of the twice-daily product (R10.7).",
    IssueCode.EVENT_NOT_POSSIBLE: '{field}: a "{value}" cannot follow a course that is {status} (a resume needs a hold, a restart a stop, a change or a switch treatment in progress; another product is a switch) (R15.1).',
    IssueCode.EVENTS_SAME_DAY: "{field}: two events on {value} ({first}, {second}) need their times to be put in order (R12.8).",
    IssueCode.DOSE_UNCHANGED: "{field}: {value} is the dose already given; there is no change to record (R15.1).",
    IssueCode.WEIGHT_DRIFT: "Weight {value} differs by {change} from the {was} ({was_date}) the current dose was worked out from ({pct} % or more): review the dose (R15.5).",
    IssueCode.NO_WEIGHT: "No weight is recorded: the dose cannot be checked against the protocol's mg/kg/day limits (R12.8).",
    IssueCode.DOSE_TIMES_NOT_12_HOURS: "{field}: {value}: the two doses must be 12 hours apart (between {low} and {high} hours) (R2.2).",
    IssueCode.CO_MEDICATION_CHANGE: "A co-medication change can move tacrolimus levels; take a trough {days} days after it (R11).",
    IssueCode.UNKNOWN_PATIENT: '{field}: there is no patient "{value}" in this TacroCalc.',
    IssueCode.UNKNOWN_OBSERVATION: "{field}: there is no entry {value} that can be changed (it may already be deleted or restored).",
    IssueCode.PATIENT_EXISTS: '{field}: a patient "{value}" is already here; nothing was changed. Use --replace to replace that record (the old one stays in the history).',
    IssueCode.MISSING_VALUE: "{field}: a value is needed.",
    IssueCode.BAD_TEXT: '{field}: "{value}" cannot be used: {reason}.',
    IssueCode.BAD_DOSE_TIMES: '{field}: "{value}": this product is given {count} time(s) a day; give that many times (HH:MM).',
    IssueCode.STORE_UNUSABLE: "The patient store cannot be used: {reason}",
    IssueCode.IMPORT_REFUSED: "{value} file(s) not imported: {reason}",
    IssueCode.BAD_PROTOCOL: 'Protocol {field}: "{value}": {reason}.',
    IssueCode.BAD_PATIENT_FILE: 'Patient file {field}: "{value}": {reason}.',
}


ACTIONS: Final[dict[Action, str]] = {
    Action.WITHHOLD_AND_RECHECK_CREATININE: "Consider withholding tacrolimus and rechecking creatinine within 7 days (seed case 3).",
    Action.REDUCE_DOSE_AND_TREAT_BP: "Consider a dose reduction and treating the blood pressure (seed case 2).",
    Action.RECHECK_BP_NEXT_VISIT: "A single raised blood pressure just after a dose increase, with no creatinine rise: recheck at the next visit (seed case 1).",
    Action.HOLD_NEXT_DOSE_AND_RECHECK_TROUGH: "Consider holding the next dose and rechecking the trough (R9.5).",
}


def how_often(administrations_per_day: int) -> str:
    return "every 12 hours" if administrations_per_day == 2 else "once daily"


def regimen_line(assessment: Assessment) -> str:
    """R15.4: the regimen in force in one line: the product, dose and times since a date, or on
    hold since one, or stopped on one, with the reason."""
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
    times = " and ".join(t.strftime("%H:%M") for t in regimen.times)
    dose = f"{format_number(magnitude(regimen.dose, 'mg'), 3)} mg"
    return (
        f"{product.name}: {dose} {how_often(product.administrations_per_day)} at {times},"
        f" since {now.since.isoformat()}"
    )


def action_text(action: Action | None) -> str | None:
    return ACTIONS[action] if action is not None else None


def message(issue: Issue) -> str:
    """The sentence for an issue, with its field, value and numbers filled in."""
    return MESSAGES[issue.code].format_map(_Blank(issue.text_fields()))


class _Blank(dict[str, str]):
    """A missing parameter prints as nothing rather than failing the message."""

    def __missing__(self, key: str) -> str:
        return ""
