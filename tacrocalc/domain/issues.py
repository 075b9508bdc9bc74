"""Codes for everything TacroCalc refuses or warns about.

The domain returns these codes with the field, the value and the numbers that matter, as
values (quantities, dates, counts), never as text: `tacrocalc.present` turns a code into its
sentence, with every quantity in the unit the user chose (R1.4), and a test checks that every
code has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacrocalc.domain.units import Kind, Quantity


class Severity(StrEnum):
    """R14.1: urgent (act today), warning (act at this visit), note (information)."""

    REFUSAL = "refusal"  # the value is not accepted; nothing is computed from it
    URGENT = "urgent"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Most severe first (R14.1)."""
        return _RANK[self]


_RANK = {Severity.REFUSAL: 0, Severity.URGENT: 0, Severity.WARNING: 1, Severity.NOTE: 2}


class Action(StrEnum):
    """What the seed's authors did, offered as "consider ..." (R14.2, R9.5)."""

    WITHHOLD_AND_RECHECK_CREATININE = "withhold_and_recheck_creatinine"  # seed case 3
    REDUCE_DOSE_AND_TREAT_BP = "reduce_dose_and_treat_bp"  # seed case 2
    RECHECK_BP_NEXT_VISIT = "recheck_bp_next_visit"  # seed case 1
    HOLD_NEXT_DOSE_AND_RECHECK_TROUGH = "hold_next_dose_and_recheck_trough"  # R9.5


class IssueCode(StrEnum):
    # R1 / R12 input
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    MISSING_UNIT = "missing_unit"
    UNKNOWN_UNIT = "unknown_unit"
    WRONG_KIND_OF_UNIT = "wrong_kind_of_unit"
    SCIENTIFIC_NOTATION = "scientific_notation"
    BELOW_LIMIT_NOT_ALLOWED = "below_limit_not_allowed"
    BELOW_LIMIT_NOT_POSITIVE = "below_limit_not_positive"
    OUT_OF_BOUNDS = "out_of_bounds"
    NOT_ABOVE_LOWER_BOUND = "not_above_lower_bound"
    TROUGH_NOT_MEASURABLE = "trough_not_measurable"
    LIMIT_NOT_MEASURABLE = "limit_not_measurable"
    SYSTOLIC_NOT_ABOVE_DIASTOLIC = "systolic_not_above_diastolic"
    BAD_BLOOD_PRESSURE = "bad_blood_pressure"
    DATE_IN_FUTURE = "date_in_future"
    TIME_IN_FUTURE = "time_in_future"
    DATE_BEFORE_BIRTH = "date_before_birth"
    DATE_TOO_EARLY = "date_too_early"
    WEIGHT_BELOW_ADULT = "weight_below_adult"
    UNKNOWN_FORMULATION = "unknown_formulation"
    # R3 rounding
    BELOW_SMALLEST_DOSE = "below_smallest_dose"
    NOT_DISPENSABLE = "not_dispensable"
    ROUNDING_OVER_LIMIT = "rounding_over_limit"
    # R4 dose-rate limits
    RATE_NOT_POSITIVE = "rate_not_positive"
    RATE_ABOVE_MAXIMUM = "rate_above_maximum"
    DAILY_DOSE_ABOVE_MAXIMUM = "daily_dose_above_maximum"
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
    URGENT_HYPERTENSION = "urgent_hypertension"
    # R8 schedule
    CHECK_OVERDUE = "check_overdue"
    CHECK_DUE = "check_due"
    NO_REGIMEN = "no_regimen"
    CREATININE_RECHECK_DUE = "creatinine_recheck_due"
    OFF_TREATMENT_TROUGH = "off_treatment_trough"
    TREATMENT_HELD = "treatment_held"
    TREATMENT_STOPPED = "treatment_stopped"
    # R9 adjustment
    ADJUST_NOT_STEADY_STATE = "adjust_not_steady_state"
    ADJUST_STEADY_STATE_UNVERIFIED = "adjust_steady_state_unverified"
    ADJUST_BELOW_ASSAY_LIMIT = "adjust_below_assay_limit"
    ADJUST_TROUGH_ZERO = "adjust_trough_zero"
    ADJUST_MORE_THAN_DOUBLE = "adjust_more_than_double"
    ADJUST_LESS_THAN_HALF = "adjust_less_than_half"
    ADJUST_CAPPED_DOUBLE = "adjust_capped_double"
    ADJUST_CAPPED_CEILING = "adjust_capped_ceiling"
    ADJUST_DAYS_ON_DOSE_NEEDED = "adjust_days_on_dose_needed"
    TARGET_OUTSIDE_RANGE = "target_outside_range"
    # R9.3: why no adjustment is offered
    NO_TROUGH = "no_trough"
    TROUGH_ON_OTHER_REGIMEN = "trough_on_other_regimen"
    TROUGH_NOT_TRUE = "trough_not_true"
    TROUGH_OFF_TREATMENT = "trough_off_treatment"
    NO_TREATMENT = "no_treatment"
    TROUGH_IN_RANGE = "trough_in_range"  # R9.4: keep the dose
    TROUGH_OUT_OF_AIM = "trough_out_of_aim"  # R9.4: a change toward the target
    # R10 switches
    SWITCH_NOT_IN_PROTOCOL = "switch_not_in_protocol"
    SWITCH_SAME_PRODUCT = "switch_same_product"
    SWITCH_RATIO_NOT_R10 = "switch_ratio_not_r10"
    SWITCH_TROUGH_MAY_FALL = "switch_trough_may_fall"
    SWITCH_TROUGH_DUE = "switch_trough_due"
    SWITCH_TROUGH_DUE_SOON = "switch_trough_due_soon"
    SWITCH_FIRST_DOSE_MORNING = "switch_first_dose_morning"
    # R15 the course
    EVENT_NOT_POSSIBLE = "event_not_possible"
    EVENTS_SAME_DAY = "events_same_day"
    DOSE_UNCHANGED = "dose_unchanged"
    WEIGHT_DRIFT = "weight_drift"
    NO_WEIGHT = "no_weight"
    DOSE_TIMES_NOT_12_HOURS = "dose_times_not_12_hours"
    # R11
    CO_MEDICATION_CHANGE = "co_medication_change"
    # the patient store
    UNKNOWN_PATIENT = "unknown_patient"
    UNKNOWN_OBSERVATION = "unknown_observation"
    ALREADY_RECORDED = "already_recorded"  # R12.10: the same result added again
    SAMPLE_HAS_RESULT = "sample_has_result"  # R12.10: another value for one sample
    PATIENT_EXISTS = "patient_exists"
    MISSING_VALUE = "missing_value"
    BAD_TEXT = "bad_text"
    BAD_DOSE_TIMES = "bad_dose_times"
    STORE_UNUSABLE = "store_unusable"
    CHANGED_ELSEWHERE = "changed_elsewhere"  # another workstation wrote first: reload
    IMPORT_REFUSED = "import_refused"
    # protocols and patient files
    BAD_PROTOCOL = "bad_protocol"
    BAD_PATIENT_FILE = "bad_patient_file"  # a member of a patient file, named by its path
    UNREADABLE_FILE = "unreadable_file"  # a whole file: not a file, not UTF-8, not JSON


@dataclass(frozen=True, slots=True)
class Measure:
    """A quantity of a known kind in an issue. It has no text of its own: `present/` shows it in
    the unit the user chose, so that one screen never shows one quantity in two units (R1.4)."""

    kind: Kind
    quantity: Quantity
    below_limit: bool = False  # a trough below the assay's limit, shown "<2 µg/L" (R12.2)


@dataclass(frozen=True, slots=True)
class Pressure:
    """A blood pressure, systolic over diastolic (R7)."""

    systolic: Quantity
    diastolic: Quantity


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage (a change, a limit); `decimals` is how many are meaningful."""

    value: float
    decimals: int = 1
    signed: bool = False  # "+31.1 %": a change rather than a limit


# What an issue's value and parameters may be: text the user typed (str), a count (int), a
# factor (float), a date or time, a Measure, a Pressure, a Percent, an enum member, a regimen,
# or a tuple of these. `present.words.render` says how each is shown and refuses anything else.
Param = object


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One refusal or warning: what, about which field and value, with the numbers behind it."""

    code: IssueCode
    severity: Severity
    field: str = ""
    value: Param = ""
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def refusal(cls, code: IssueCode, *, field: str, value: Param, **params: Param) -> Issue:
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
        value: Param = "",
        urgent: bool = False,
        **params: Param,
    ) -> Issue:
        """A warning (R14.1: act at this visit), or urgent when `urgent`."""
        return cls._alert(code, Severity.WARNING, field, value, urgent, params)

    @classmethod
    def note(
        cls,
        code: IssueCode,
        *,
        field: str = "",
        value: Param = "",
        urgent: bool = False,
        **params: Param,
    ) -> Issue:
        """A note (R14.1: information), or urgent when `urgent` (R4.4)."""
        return cls._alert(code, Severity.NOTE, field, value, urgent, params)

    @classmethod
    def _alert(
        cls,
        code: IssueCode,
        severity: Severity,
        field: str,
        value: Param,
        urgent: bool,
        params: dict[str, Param],
    ) -> Issue:
        return cls(
            code=code,
            severity=Severity.URGENT if urgent else severity,
            field=field,
            value=value,
            params=tuple(params.items()),
        )

    def with_severity(self, severity: Severity) -> Issue:
        return Issue(
            code=self.code,
            severity=severity,
            field=self.field,
            value=self.value,
            params=self.params,
        )

    @property
    def refuses(self) -> bool:
        return self.severity is Severity.REFUSAL

    def param(self, name: str) -> Param:
        return dict(self.params)[name]

    def fields(self) -> dict[str, Param]:
        """Everything a message template may use: field, value and the named parameters."""
        return {"field": self.field, "value": self.value, **dict(self.params)}


def refusals(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    return tuple(i for i in issues if i.refuses)
