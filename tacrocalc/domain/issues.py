"""Codes for everything TacroCalc refuses or warns about.

The domain returns these codes with the field, the value and the numbers that matter; each
front end (command line, window, printed plan) turns a code into a sentence from its own table,
and a test checks that every code has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    REFUSAL = "refusal"  # the value is not accepted; nothing is computed from it
    URGENT = "urgent"  # a warning shown first and marked urgent (R4.4)
    WARNING = "warning"
    INFO = "info"


class IssueCode(StrEnum):
    # R1 / R12 input
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    MISSING_UNIT = "missing_unit"
    UNKNOWN_UNIT = "unknown_unit"
    WRONG_KIND_OF_UNIT = "wrong_kind_of_unit"
    BELOW_LIMIT_NOT_ALLOWED = "below_limit_not_allowed"
    OUT_OF_BOUNDS = "out_of_bounds"
    SYSTOLIC_NOT_ABOVE_DIASTOLIC = "systolic_not_above_diastolic"
    BAD_BLOOD_PRESSURE = "bad_blood_pressure"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_BIRTH = "date_before_birth"
    WEIGHT_BELOW_ADULT = "weight_below_adult"
    UNKNOWN_FORMULATION = "unknown_formulation"
    # R3 rounding
    BELOW_SMALLEST_DOSE = "below_smallest_dose"
    NOT_DISPENSABLE = "not_dispensable"
    ROUNDING_OVER_LIMIT = "rounding_over_limit"
    # R4 dose-rate limits
    RATE_NOT_POSITIVE = "rate_not_positive"
    RATE_ABOVE_MAXIMUM = "rate_above_maximum"
    RATE_ABOVE_CEILING = "rate_above_ceiling"
    RATE_BELOW_EFFICACY = "rate_below_efficacy"
    # R5 troughs
    TROUGH_BELOW = "trough_below"
    TROUGH_UPPER_END = "trough_upper_end"
    TROUGH_ABOVE = "trough_above"
    NOT_STEADY_STATE = "not_steady_state"
    NOT_TRUE_TROUGH = "not_true_trough"
    # R6 / R7
    CREATININE_RISE = "creatinine_rise"
    BASELINE_AFTER_START = "baseline_after_start"
    NO_BASELINE = "no_baseline"
    HYPERTENSION = "hypertension"
    # R8 schedule
    CHECK_OVERDUE = "check_overdue"
    CHECK_DUE = "check_due"
    NO_REGIMEN = "no_regimen"
    # R9 adjustment
    ADJUST_NOT_STEADY_STATE = "adjust_not_steady_state"
    ADJUST_STEADY_STATE_UNVERIFIED = "adjust_steady_state_unverified"
    ADJUST_BELOW_ASSAY_LIMIT = "adjust_below_assay_limit"
    ADJUST_TROUGH_ZERO = "adjust_trough_zero"
    ADJUST_MORE_THAN_DOUBLE = "adjust_more_than_double"
    ADJUST_LESS_THAN_HALF = "adjust_less_than_half"
    # R10 switches
    SWITCH_NOT_IN_PROTOCOL = "switch_not_in_protocol"
    SWITCH_SAME_PRODUCT = "switch_same_product"
    SWITCH_TROUGH_MAY_FALL = "switch_trough_may_fall"
    SWITCH_TROUGH_DUE = "switch_trough_due"
    # R11
    CO_MEDICATION_CHANGE = "co_medication_change"
    # the patient store
    UNKNOWN_PATIENT = "unknown_patient"
    UNKNOWN_OBSERVATION = "unknown_observation"
    PATIENT_EXISTS = "patient_exists"
    MISSING_VALUE = "missing_value"
    BAD_DOSE_TIMES = "bad_dose_times"
    STORE_UNUSABLE = "store_unusable"
    IMPORT_REFUSED = "import_refused"
    # protocols and patient files
    BAD_PROTOCOL = "bad_protocol"
    BAD_PATIENT_FILE = "bad_patient_file"


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One refusal or warning: what, about which field and value, with the numbers behind it."""

    code: IssueCode
    severity: Severity
    field: str = ""
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def refusal(cls, code: IssueCode, *, field: str, value: str, **params: str) -> Issue:
        return cls(
            code=code,
            severity=Severity.REFUSAL,
            field=field,
            value=value,
            params=tuple(params.items()),
        )

    @classmethod
    def warning(
        cls,
        code: IssueCode,
        *,
        field: str = "",
        value: str = "",
        urgent: bool = False,
        **params: str,
    ) -> Issue:
        severity = Severity.URGENT if urgent else Severity.WARNING
        return cls(
            code=code, severity=severity, field=field, value=value, params=tuple(params.items())
        )

    @property
    def refuses(self) -> bool:
        return self.severity is Severity.REFUSAL

    def param(self, name: str) -> str:
        return dict(self.params)[name]

    def text_fields(self) -> dict[str, str]:
        """Everything a message template may use: field, value and the named parameters."""
        return {"field": self.field, "value": self.value, **dict(self.params)}


def refusals(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    return tuple(i for i in issues if i.refuses)
