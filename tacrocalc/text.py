"""Plain-text sentences for every issue code: what the command line prints.

Each sentence names the field and the value, says why, and where it helps, what to do. The
window and the printed plan have tables of their own; a test checks all of them cover every code.
"""

from __future__ import annotations

from typing import Final

from tacrocalc.domain.issues import Issue, IssueCode

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
    IssueCode.CHECK_OVERDUE: "Check {number} was due on {value} and is overdue (R8.7).",
    IssueCode.CHECK_DUE: "Check {number} is due now (from {value}) (R8).",
    IssueCode.NO_REGIMEN: "No tacrolimus regimen is recorded: there is no schedule yet (R8.2).",
    IssueCode.ADJUST_NOT_STEADY_STATE: "{field}: {value} was taken less than {days} days after a dose change; a dose is not adjusted on a level that is not at steady state (R9.2).",
    IssueCode.ADJUST_STEADY_STATE_UNVERIFIED: "{field}: {value}: make sure it was taken at least {days} days after the last dose change (steady state, R9.2).",
    IssueCode.ADJUST_BELOW_ASSAY_LIMIT: "{field}: {value} is below the assay's limit; a dose is never adjusted proportionally on it (R9.2, R12.2).",
    IssueCode.ADJUST_TROUGH_ZERO: "{field}: {value}: a proportional adjustment needs a measured level above zero (R9.2).",
    IssueCode.ADJUST_MORE_THAN_DOUBLE: "{field}: {value} is more than {factor} times the current {current} (R9.3).",
    IssueCode.ADJUST_LESS_THAN_HALF: "{field}: {value} is less than 1/{factor} of the current {current} (R9.3).",
    IssueCode.SWITCH_NOT_IN_PROTOCOL: "{field}: the switch {value} has no conversion in the protocol; only immediate-release capsules to Advagraf or Envarsus (R10).",
    IssueCode.SWITCH_SAME_PRODUCT: "{field}: {value} is the product already given; there is nothing to switch (R10).",
    IssueCode.SWITCH_TROUGH_MAY_FALL: "After a switch to {value}, trough levels may fall (R10.2).",
    IssueCode.SWITCH_TROUGH_DUE: "After a switch to {value}, take a trough within {days} days (R10.4).",
    IssueCode.CO_MEDICATION_CHANGE: "A co-medication change can move tacrolimus levels; take a trough {days} days after it (R11).",
    IssueCode.UNKNOWN_PATIENT: '{field}: there is no patient "{value}" in this TacroCalc.',
    IssueCode.UNKNOWN_OBSERVATION: "{field}: there is no entry {value} that can be changed (it may already be deleted or restored).",
    IssueCode.PATIENT_EXISTS: '{field}: a patient "{value}" is already here; nothing was changed. Use --replace to replace that record (the old one stays in the history).',
    IssueCode.MISSING_VALUE: "{field}: a value is needed.",
    IssueCode.BAD_DOSE_TIMES: '{field}: "{value}": this product is given {count} time(s) a day; give that many times (HH:MM).',
    IssueCode.STORE_UNUSABLE: "The patient store cannot be used: {reason}",
    IssueCode.IMPORT_REFUSED: "{value} file(s) not imported: {reason}",
    IssueCode.BAD_PROTOCOL: 'Protocol {field}: "{value}": {reason}.',
    IssueCode.BAD_PATIENT_FILE: 'Patient file {field}: "{value}": {reason}.',
}


def message(issue: Issue) -> str:
    """The sentence for an issue, with its field, value and numbers filled in."""
    return MESSAGES[issue.code].format_map(_Blank(issue.text_fields()))


class _Blank(dict[str, str]):
    """A missing parameter prints as nothing rather than failing the message."""

    def __missing__(self, key: str) -> str:
        return ""
