"""The patient file: one patient as JSON, for moving between workstations and for the command line.

Versioned, human-readable, every value a string with its unit ("60 kg", "8.1 ug/L",
"150/95 mmHg"). A malformed file is refused with the JSON path of the first bad field and why;
read from disk, the refusal names the file once ("p.json: $.patient.name: ..."), and a file that
cannot be read at all is refused as "p.json: what is wrong — what to do".
Reading checks every value as the window would (R1, R12); writing is lossless.

Version 2 records the treatment course as dated events (R15) and the creatinine baselines set
by the user (R6.5). Version 1 recorded a list of regimens; it is still read, each regimen
becoming a start, a switch (another product) or a dose change, so a version 1 file reads into
the record its version 2 export reads into.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any, Final

from tacrocalc.domain.course import (
    DOSING,
    CourseEvent,
    EventKind,
    check_course,
    complete_event,
    event_order,
    events_from_regimens,
    periods,
)
from tacrocalc.domain.dosing import check_dispensable, check_weight
from tacrocalc.domain.issues import Issue, IssueCode
from tacrocalc.domain.protocol import FormulationId, Protocol, TargetRange
from tacrocalc.domain.record import (
    BaselineSetting,
    BloodPressure,
    CoMedicationChange,
    Creatinine,
    Observation,
    Patient,
    PatientRecord,
    Regimen,
    Sex,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import Kind, Quantity, magnitude, parse, parse_blood_pressure
from tacrocalc.domain.validation import (
    ID_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    check_birth_date,
    check_blood_pressure,
    check_creatinine,
    check_date,
    check_dose,
    check_dose_times,
    check_label,
    check_target_trough,
    check_text,
    check_trough,
    earliest_date,
    shown,
)

FORMAT: Final = "tacrocalc.patient"
VERSION: Final = 2  # what is written
READABLE: Final = (1, 2)


class PatientFileError(ValueError):
    """The first problem found in a patient file; `issue.field` is its JSON path (after the
    file's name when it was read from disk), or the file's name when the file as a whole
    cannot be read."""

    def __init__(self, issue: Issue) -> None:
        reason = dict(issue.params).get("reason", issue.code.value)
        value = f" {issue.value!r}:" if issue.value != "" else ""
        super().__init__(f"{issue.field}:{value} {reason}")
        self.issue = issue

    def in_file(self, name: str) -> PatientFileError:
        """The same refusal with the file's name before its JSON path."""
        return PatientFileError(replace(self.issue, field=f"{name}: {self.issue.field}"))


def _bad(path: str, value: object, reason: str) -> PatientFileError:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return PatientFileError(
        Issue.refusal(IssueCode.BAD_PATIENT_FILE, field=path, value=shown(text), reason=reason)
    )


def _unreadable(name: str, reason: str) -> PatientFileError:
    """A file that cannot be read as a patient file at all: its name, what is wrong and what
    to do, once."""
    return PatientFileError(
        Issue.refusal(IssueCode.UNREADABLE_FILE, field=name, value="", reason=reason)
    )


def _from_issue(path: str, issues: tuple[Issue, ...] | Issue) -> None:
    """Raise the first refusal among `issues`, located at `path`."""
    for issue in (issues,) if isinstance(issues, Issue) else issues:
        if issue.refuses:
            raise PatientFileError(
                Issue(
                    code=issue.code,
                    severity=issue.severity,
                    field=path,
                    value=issue.value,
                    params=issue.params,
                )
            )


def _get(doc: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if key not in doc:
        raise _bad(f"{path}.{key}", "", "missing")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = {str: "text", bool: "true or false", list: "a list", dict: "an object"}
        wanted = names.get(kind, "another type") if isinstance(kind, type) else "another type"
        raise _bad(f"{path}.{key}", value, f"must be {wanted}")
    return value


def _date(text: Any, path: str) -> date:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _bad(path, text, "a date is written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(path, text, "not a calendar date") from None


def _time(text: Any, path: str) -> time:
    if not isinstance(text, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
        raise _bad(path, text, "a time is written HH:MM, 24-hour clock")
    return time.fromisoformat(text)


def _quantity(
    text: Any, kind: Kind, path: str, *, allow_below_limit: bool = False
) -> tuple[Quantity, bool]:
    if not isinstance(text, str):
        raise _bad(path, text, 'a value is text with its unit, such as "60 kg"')
    parsed = parse(text, kind, field=path, allow_below_limit=allow_below_limit)
    if parsed.issue is not None:
        _from_issue(path, parsed.issue)
    assert parsed.quantity is not None
    return parsed.quantity, parsed.below_limit


def _patient(doc: Any, today: date) -> Patient:
    if not isinstance(doc, dict):
        raise _bad("$.patient", doc, "must be an object")
    pid = _get(doc, "id", "$.patient", str).strip()
    name = _get(doc, "name", "$.patient", str).strip()
    for key, text, limit in (("id", pid, ID_MAX_LENGTH), ("name", name, NAME_MAX_LENGTH)):
        for issue in check_label(text, field=f"$.patient.{key}", max_length=limit):
            reason = dict(issue.params).get("reason", "a value is needed")
            raise _bad(issue.field, str(issue.value), str(reason))
    birth = None
    if doc.get("birth_date") is not None:
        birth = _date(doc["birth_date"], "$.patient.birth_date")
        if birth > today:
            raise _bad("$.patient.birth_date", doc["birth_date"], "in the future")
    sex = None
    if doc.get("sex") is not None:
        try:
            sex = Sex(doc["sex"])
        except ValueError:
            raise _bad("$.patient.sex", doc["sex"], "F, M or X") from None
    flag = doc.get("prior_ciclosporin_nephrotoxicity", False)
    if not isinstance(flag, bool):
        raise _bad("$.patient.prior_ciclosporin_nephrotoxicity", flag, "must be true or false")
    return Patient(
        id=pid, name=name, birth_date=birth, sex=sex, prior_ciclosporin_nephrotoxicity=flag
    )


def _list(doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise _bad(f"$.{key}", value, "must be a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _bad(f"$.{key}[{index}]", item, "must be an object")
    return value


def _dated(
    item: Mapping[str, Any],
    key: str,
    path: str,
    protocol: Protocol,
    today: date,
    birth: date | None,
) -> date:
    """The date member `key` of an item: a date, not in the future, not before the patient's
    birth nor before any living patient's (R12.4)."""
    day = _date(_get(item, key, path, str), f"{path}.{key}")
    _from_issue(
        f"{path}.{key}",
        check_date(day, today=today, birth_date=birth, earliest=earliest_date(today, protocol)),
    )
    return day


def _observation(
    item: Mapping[str, Any], path: str, protocol: Protocol, today: date, birth: date | None
) -> Observation:
    day = _dated(item, "date", path, protocol, today, birth)
    sample = _time(item["time"], f"{path}.time") if item.get("time") is not None else None
    kind = _get(item, "kind", path, str)
    value = _get(item, "value", path, str)
    if kind == "trough":
        level, below = _quantity(value, Kind.TROUGH, f"{path}.value", allow_below_limit=True)
        _from_issue(f"{path}.value", check_trough(level, protocol, below_limit=below))
        last = item.get("last_dose_time")
        return Trough(
            date=day,
            time=sample,
            value=level,
            below_limit=below,
            last_dose_time=_time(last, f"{path}.last_dose_time") if last else None,
        )
    if kind == "creatinine":
        level, _ = _quantity(value, Kind.CREATININE, f"{path}.value")
        _from_issue(f"{path}.value", check_creatinine(level, protocol))
        return Creatinine(date=day, time=sample, value=level)
    if kind == "blood_pressure":
        pair = parse_blood_pressure(value, field=f"{path}.value")
        if isinstance(pair, Issue):
            _from_issue(f"{path}.value", pair)
            raise AssertionError("unreachable")
        _from_issue(f"{path}.value", check_blood_pressure(*pair, protocol))
        return BloodPressure(date=day, time=sample, systolic=pair[0], diastolic=pair[1])
    raise _bad(f"{path}.kind", kind, "trough, creatinine or blood_pressure")


def _target(doc: Any, protocol: Protocol) -> TargetRange | None:
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise _bad("$.target_trough", doc, "must be an object with low and high")
    low, _ = _quantity(_get(doc, "low", "$.target_trough", str), Kind.TROUGH, "$.target_trough.low")
    high, _ = _quantity(
        _get(doc, "high", "$.target_trough", str), Kind.TROUGH, "$.target_trough.high"
    )
    caution = None
    if doc.get("caution") is not None:
        caution, _ = _quantity(doc["caution"], Kind.TROUGH, "$.target_trough.caution")
    for end, value in (("low", low), ("high", high), ("caution", caution)):  # R5.6, R12.2
        if value is not None:
            _from_issue(f"$.target_trough.{end}", check_target_trough(value, protocol))
    if not low < high:
        raise _bad("$.target_trough.high", doc["high"], "must be above the low end of the range")
    if caution is not None and not low < caution <= high:
        raise _bad("$.target_trough.caution", doc["caution"], "must lie within the range")
    source = doc.get("source", "set for this patient")
    if not isinstance(source, str) or not source.strip():
        raise _bad("$.target_trough.source", source, "text is needed")
    _from_issue("$.target_trough.source", check_text(source, field="$.target_trough.source"))
    return TargetRange(low=low, high=high, caution=caution, source=source)


def _text(item: Mapping[str, Any], key: str, path: str) -> str:
    """An optional text member ("" when absent)."""
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{path}.{key}", value, "must be text")
    _from_issue(f"{path}.{key}", check_text(value, field=f"{path}.{key}"))
    return value


def _formulation(value: Any, path: str, protocol: Protocol) -> FormulationId:
    if not isinstance(value, str):
        raise _bad(path, value, "must be text")
    try:
        formulation = FormulationId(value)
    except ValueError:
        known = ", ".join(f.value for f in FormulationId)
        raise _bad(path, value, known) from None
    if formulation not in protocol.formulations:
        raise _bad(path, value, "not in this protocol")
    return formulation


def _regimen(item: Mapping[str, Any], path: str, protocol: Protocol, today: date) -> Regimen:
    """One regimen of a version 1 file; its dose within the bounds of R12.7 before it is
    rounded (R3.1), its dose times checked as typed ones (R2.2)."""
    start = _dated(item, "start", path, protocol, today, None)
    named = _get(item, "formulation", path, str)
    formulation = _formulation(named, f"{path}.formulation", protocol)
    product = protocol.formulations[formulation]
    dose, _ = _quantity(_get(item, "dose", path, str), Kind.DOSE, f"{path}.dose")
    if magnitude(dose, "mg") <= 0:
        raise _bad(f"{path}.dose", item["dose"], "a dose above 0 mg is needed")
    _from_issue(f"{path}.dose", check_dose(dose, protocol))  # R12.7
    _from_issue(f"{path}.dose", check_dispensable(dose, product))
    default = protocol.times_for(product)
    times_doc = item.get("times")
    if times_doc is None:
        times = default
    elif isinstance(times_doc, list) and len(times_doc) == len(default):
        times = tuple(_time(t, f"{path}.times[{i}]") for i, t in enumerate(times_doc))
    else:
        raise _bad(
            f"{path}.times",
            times_doc,
            f"{len(default)} time(s) a day for this product, such as {default[0]:%H:%M}",
        )
    _from_issue(f"{path}.times", check_dose_times(times, product, protocol))
    return Regimen(start=start, formulation=formulation, dose=dose, times=times)


_KINDS: Final = ", ".join(k.value for k in EventKind)


def _ratio(value: Any, path: str) -> float:
    """A switch's conversion ratio (R10.1) as written: a number above 0. Whether it is the ratio
    R10 gives for that switch (from the product before it) is checked with the course, as the
    store checks it (`check_course`)."""
    number = math.nan  # text, true or false, a list: not a ratio
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an integer of thousands of digits
            number = float(value)
    if not 0 < number < 1e6:  # also NaN and infinity
        huge = isinstance(value, int | float) and not abs(value) < 1e15  # NaN too
        shown = "that number" if huge else value
        raise _bad(path, shown, "a conversion ratio of R10 is a number above 0, such as 0.7")
    return number


def _event(item: Mapping[str, Any], path: str, protocol: Protocol, today: date) -> CourseEvent:
    """One event of a version 2 file as written; what it leaves out is filled in, and the
    course checked, by `_course`."""
    day = _dated(item, "date", path, protocol, today, None)
    at = _time(item["time"], f"{path}.time") if item.get("time") is not None else None
    named = _get(item, "kind", path, str)  # missing: refused as missing, not as unknown
    try:
        kind = EventKind(named)
    except ValueError:
        raise _bad(f"{path}.kind", named, _KINDS) from None
    if kind not in DOSING:
        for key in ("formulation", "dose", "times"):
            if item.get(key) is not None:
                raise _bad(f"{path}.{key}", item[key], f"a {kind.value} gives no dose (R15.1)")
    formulation = None
    if item.get("formulation") is not None:
        formulation = _formulation(item["formulation"], f"{path}.formulation", protocol)
    dose = None
    if item.get("dose") is not None:
        dose, _ = _quantity(item["dose"], Kind.DOSE, f"{path}.dose")
    times: tuple[time, ...] = ()
    if item.get("times") is not None:
        times_doc = item["times"]
        if not isinstance(times_doc, list) or not times_doc:
            raise _bad(f"{path}.times", times_doc, 'a list of times, such as ["08:00", "20:00"]')
        times = tuple(_time(t, f"{path}.times[{i}]") for i, t in enumerate(times_doc))
    resume_on = None
    if item.get("resume_on") is not None:
        if kind is not EventKind.HOLD:
            raise _bad(f"{path}.resume_on", item["resume_on"], "only a hold has a resume date")
        resume_on = _date(item["resume_on"], f"{path}.resume_on")
        if resume_on < day:
            raise _bad(f"{path}.resume_on", item["resume_on"], "before the hold itself")
    ratio = None
    if item.get("ratio") is not None:
        value = item["ratio"]
        if kind is not EventKind.SWITCH:
            raise _bad(f"{path}.ratio", value, "only a switch has a conversion ratio (R10.1)")
        ratio = _ratio(value, f"{path}.ratio")
    return CourseEvent(
        kind=kind,
        date=day,
        time=at,
        formulation=formulation,
        dose=dose,
        times=times,
        reason=_text(item, "reason", path),
        recorded_by=_text(item, "recorded_by", path),
        resume_on=resume_on,
        ratio=ratio,
    )


def _member(issue: Issue) -> str:
    """The member of an event a refusal of `check_course` is about: by the end of its field
    ("switch on 2026-03-02: dose"), else by its code."""
    for suffix, member in (
        (": dose", "dose"),
        (": times", "times"),
        (": product", "formulation"),
        (": ratio", "ratio"),
    ):
        if issue.field.endswith(suffix):
            return member
    if issue.code in (
        IssueCode.DATE_IN_FUTURE,
        IssueCode.DATE_BEFORE_BIRTH,
        IssueCode.EVENTS_SAME_DAY,
    ):
        return "date"
    return "kind"


def _course(
    located: Sequence[tuple[str, CourseEvent]],
    protocol: Protocol,
    *,
    today: date,
    birth: date | None,
    members: Mapping[str, str] | None = None,
) -> tuple[CourseEvent, ...]:
    """The events (each with its JSON path) in date order, each completed from the regimen
    before it, checked as a course (R15.1, R12.8, R3.1, R2.2). A refusal is raised at the path
    of the first event, in date order, that brings it: the refusals of the course up to an
    event are those of the course before it and those the event adds. `members` renames the
    members of an event to those of the file ("date" is "start" in a version 1 regimen)."""
    rename = members or {}
    done: list[CourseEvent] = []
    for path, written in sorted(located, key=lambda pair: event_order(pair[1])):
        done.append(complete_event(written, periods(tuple(done)), protocol))
        for issue in check_course(tuple(done), protocol, today=today, birth_date=birth):
            if issue.refuses:
                member = _member(issue)
                _from_issue(f"{path}.{rename.get(member, member)}", issue)
    return tuple(done)


def _events(
    data: Mapping[str, Any], version: int, protocol: Protocol, today: date, birth: date | None
) -> tuple[CourseEvent, ...]:
    if version == 1:
        if "events" in data:
            raise _bad("$.events", data["events"], "a version 1 file has regimens instead")
        located = [
            (f"$.regimens[{i}]", _regimen(item, f"$.regimens[{i}]", protocol, today))
            for i, item in enumerate(_list(data, "regimens"))
        ]
        # A start, then a switch (another product) or a dose change for each later one.
        located.sort(key=lambda pair: pair[1].start)
        events = events_from_regimens(tuple(regimen for _, regimen in located))
        return _course(
            [(path, event) for (path, _), event in zip(located, events, strict=True)],
            protocol,
            today=today,
            birth=birth,
            members={"date": "start", "kind": "formulation"},
        )
    if "regimens" in data:
        raise _bad("$.regimens", data["regimens"], "a version 2 file has events instead")
    return _course(
        [
            (f"$.events[{i}]", _event(item, f"$.events[{i}]", protocol, today))
            for i, item in enumerate(_list(data, "events"))
        ],
        protocol,
        today=today,
        birth=birth,
    )


def _baselines(
    data: Mapping[str, Any], protocol: Protocol, today: date, birth: date | None
) -> tuple[BaselineSetting, ...]:
    """Creatinine baselines set by the user, each with a reason (R6.5)."""
    baselines = []
    for index, item in enumerate(_list(data, "baselines")):
        path = f"$.baselines[{index}]"
        day = _dated(item, "date", path, protocol, today, birth)
        value, _ = _quantity(_get(item, "value", path, str), Kind.CREATININE, f"{path}.value")
        _from_issue(f"{path}.value", check_creatinine(value, protocol))
        reason = _get(item, "reason", path, str)
        if not reason.strip():
            raise _bad(f"{path}.reason", reason, "a new baseline needs its reason (R6.5)")
        _from_issue(f"{path}.reason", check_text(reason, field=f"{path}.reason"))
        baselines.append(BaselineSetting(date=day, value=value, reason=reason))
    return tuple(baselines)


def read_patient(
    data: Any, *, protocol_for: Callable[[str], Protocol], today: date
) -> PatientRecord:
    """A patient record from a parsed patient file. Raises PatientFileError at the first fault."""
    if not isinstance(data, dict):
        raise _bad("$", data, "a patient file is a JSON object")
    if data.get("format") != FORMAT:
        raise _bad("$.format", data.get("format", ""), f"not a TacroCalc patient file ({FORMAT})")
    version = data.get("version")
    if isinstance(version, bool) or version not in READABLE:
        raise _bad(
            "$.version",
            data.get("version", ""),
            "this TacroCalc reads version 1 and 2 patient files",
        )
    if version == 1 and "baselines" in data:
        raise _bad("$.baselines", data["baselines"], "a version 1 file has no baselines")
    patient = _patient(data.get("patient"), today)
    protocol_id = _get(data, "protocol", "$", str)
    try:
        protocol = protocol_for(protocol_id)
    except ValueError as error:
        raise _bad("$.protocol", protocol_id, f"no such protocol here ({error})") from None
    birth = patient.birth_date
    if birth is not None:  # R12.4: not before any living patient's birth
        _from_issue("$.patient.birth_date", check_birth_date(birth, today=today, protocol=protocol))
    weights = []
    for index, item in enumerate(_list(data, "weights")):
        path = f"$.weights[{index}]"
        day = _dated(item, "date", path, protocol, today, birth)
        value, _ = _quantity(_get(item, "value", path, str), Kind.WEIGHT, f"{path}.value")
        _from_issue(f"{path}.value", check_weight(value, protocol))
        weights.append(WeightEntry(date=day, value=value))
    events = _events(data, version, protocol, today, birth)
    observations = [
        _observation(item, f"$.observations[{i}]", protocol, today, birth)
        for i, item in enumerate(_list(data, "observations"))
    ]
    changes = []
    for index, item in enumerate(_list(data, "co_medication")):
        path = f"$.co_medication[{index}]"
        day = _dated(item, "date", path, protocol, today, birth)
        note = _get(item, "note", path, str)
        _from_issue(f"{path}.note", check_text(note, field=f"{path}.note"))
        changes.append(CoMedicationChange(date=day, note=note))
    return make_record(
        patient=patient,
        protocol_id=protocol_id,
        weights=tuple(weights),
        events=events,
        observations=tuple(observations),
        co_medication=tuple(changes),
        target_trough=_target(data.get("target_trough"), protocol),
        baselines=_baselines(data, protocol, today, birth),
    )


MAX_FILE_BYTES: Final = 20 * 1024 * 1024  # a patient of decades of results is under 1 MB
MAX_TEXT: Final = TEXT_MAX_LENGTH  # characters in any one text of a patient file


def read_file(path: Path, *, protocol_for: Callable[[str], Protocol], today: date) -> PatientRecord:
    """A patient file from disk. Refused, never hung or crashed on: something that is not a
    regular file (a folder, a pipe, a device), a file too large to be one, or text that is not
    UTF-8 (a byte-order mark, as Notepad writes, is accepted). Every refusal names the file
    once, as it was given."""
    name = str(path)
    try:
        if not path.is_file():
            if path.exists():
                raise _unreadable(
                    name, "it is not a regular file (a folder, a pipe or a device) — give a file"
                )
            raise _unreadable(name, "it does not exist — check its name and folder")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _unreadable(
                name,
                f"it is too large to be a patient file (over {MAX_FILE_BYTES // 2**20} MB)"
                " — export it again from TacroCalc",
            )
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(
            name, f"it cannot be read ({error.strerror or error}) — check that you may read it"
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable(
            name, "it is not UTF-8 text — save it as UTF-8, or export it again from TacroCalc"
        ) from None
    return loads(text, protocol_for=protocol_for, today=today, name=name)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(f'the key "{shown(key)}" appears twice in one object')
        seen[key] = value
    return seen


def _check_texts(data: Any) -> None:
    """Every text is text (no lone surrogate) and of a sensible length, named by its path."""
    stack: list[tuple[str, Any]] = [("$", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{path}.{key}", value) for key, value in node.items())
            for key in node:
                stack.append((f"{path} (a key)", key))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", value) for i, value in enumerate(node))
        elif isinstance(node, str):
            if len(node) > MAX_TEXT:
                raise _bad(path, node, f"longer than {MAX_TEXT} characters")
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise _bad(path, node, "holds a character that is not text") from None


def loads(
    text: str, *, protocol_for: Callable[[str], Protocol], today: date, name: str = ""
) -> PatientRecord:
    """A patient record from the text of a patient file; `name`, the file's, is put before
    every refusal (once)."""
    whole = name or "patient file"
    try:
        data = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise _unreadable(
            whole,
            f"it is not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"
            " — export it again from TacroCalc",
        ) from None
    except RecursionError:
        raise _unreadable(
            whole, "it is nested too deeply to be a patient file — export it again from TacroCalc"
        ) from None
    except _DuplicateKey as error:
        raise _unreadable(
            whole, f"{error} — keep one of them, or export the file again from TacroCalc"
        ) from None
    except ValueError:  # a number of thousands of digits
        raise _unreadable(
            whole,
            "it is not a patient file: it holds a number too long to be a value"
            " — export it again from TacroCalc",
        ) from None
    try:
        _check_texts(data)
        return read_patient(data, protocol_for=protocol_for, today=today)
    except PatientFileError as error:
        raise (error.in_file(name) if name else error) from None


# -- writing -------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _value(quantity: Quantity, unit: str) -> str:
    return f"{_num(magnitude(quantity, unit))} {unit}"


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def observation_json(obs: Observation) -> dict[str, Any]:
    """One observation as the patient file (and the audit trail) writes it."""
    item: dict[str, Any] = {"date": obs.date.isoformat()}
    if obs.time is not None:
        item["time"] = _hhmm(obs.time)
    item["kind"] = obs.kind.value
    if isinstance(obs, Trough):
        item["value"] = ("<" if obs.below_limit else "") + _value(obs.value, "ug/L")
        if obs.last_dose_time is not None:
            item["last_dose_time"] = _hhmm(obs.last_dose_time)
    elif isinstance(obs, Creatinine):
        item["value"] = _value(obs.value, "umol/L")
    else:
        item["value"] = (
            f"{_num(magnitude(obs.systolic, 'mmHg'))}/{_num(magnitude(obs.diastolic, 'mmHg'))} mmHg"
        )
    return item


def patient_json(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "name": patient.name,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "sex": patient.sex.value if patient.sex else None,
        "prior_ciclosporin_nephrotoxicity": patient.prior_ciclosporin_nephrotoxicity,
    }


def target_json(target: TargetRange) -> dict[str, Any]:
    return {
        "low": _value(target.low, "ug/L"),
        "high": _value(target.high, "ug/L"),
        **({"caution": _value(target.caution, "ug/L")} if target.caution else {}),
        "source": target.source,
    }


def weight_json(weight: WeightEntry) -> dict[str, Any]:
    return {"date": weight.date.isoformat(), "value": _value(weight.value, "kg")}


def event_json(event: CourseEvent) -> dict[str, Any]:
    """One event of the course as the patient file (and the audit trail) writes it: only the
    members that apply to it (R15.1)."""
    item: dict[str, Any] = {"date": event.date.isoformat()}
    if event.time is not None:
        item["time"] = _hhmm(event.time)
    item["kind"] = event.kind.value
    if event.formulation is not None:
        item["formulation"] = event.formulation.value
    if event.dose is not None:
        item["dose"] = _value(event.dose, "mg")
    if event.times:
        item["times"] = [_hhmm(t) for t in event.times]
    if event.reason:
        item["reason"] = event.reason
    if event.recorded_by:
        item["recorded_by"] = event.recorded_by
    if event.resume_on is not None:
        item["resume_on"] = event.resume_on.isoformat()
    if event.ratio is not None:
        item["ratio"] = event.ratio
    return item


def baseline_json(baseline: BaselineSetting) -> dict[str, Any]:
    return {
        "date": baseline.date.isoformat(),
        "value": _value(baseline.value, "umol/L"),
        "reason": baseline.reason,
    }


def to_document(record: PatientRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "patient": patient_json(record.patient),
        "protocol": record.protocol_id,
    }
    if record.target_trough is not None:
        doc["target_trough"] = target_json(record.target_trough)
    doc["weights"] = [weight_json(w) for w in record.weights]
    doc["events"] = [event_json(e) for e in record.events]
    doc["observations"] = [observation_json(o) for o in record.observations]
    doc["co_medication"] = [
        {"date": c.date.isoformat(), "note": c.note} for c in record.co_medication
    ]
    if record.baselines:
        doc["baselines"] = [baseline_json(b) for b in record.baselines]
    return doc


def dumps(record: PatientRecord) -> str:
    """The patient file text: stable key order, UTF-8, one value per line, trailing newline."""
    return json.dumps(to_document(record), ensure_ascii=False, indent=2) + "\n"
