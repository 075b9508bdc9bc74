"""A patient's history as a reader sees it: when (local time), by whom, what changed in words
("trough corrected"), and the values before and after in the user's display units (R1.4). The
window shows the rows as a table; `history` on the command line prints them as `text_table`.

The audit trail keeps each value as the patient file writes it ("8.1 ug/L"); here it is read
back into a quantity and shown in the units chosen, like every other value of the window. Row
ids and JSON never reach the reader: a value that cannot be read is shown as the text stored.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import Sex
from tacrocalc.domain.units import Kind, parse, parse_blood_pressure
from tacrocalc.present.words import Words, how_often, product_name, reason_words

HEADERS: Final = ("When (local time)", "By", "What changed", "Before", "After", "Reason")
# On a terminal before and after share a column; the long columns wrap within these widths.
TEXT_HEADERS: Final = ("When (local time)", "By", "What changed", "Before -> after", "Reason")
TEXT_WIDTHS: Final = {"Before -> after": 60, "Reason": 40}  # characters
ARROW: Final = " -> "
_NUMBER_UNIT: Final = re.compile(r"(?<=\d) (?=[^\W\d_]|%)")  # "2 mg", "11.3 nmol/L", "10 %"
_NO_BREAK: Final = "\u00a0"

VERBS: Final[dict[str, str]] = {
    "insert": "added",
    "update": "changed",
    "correct": "corrected",
    "delete": "deleted",
    "restore": "restored",
}
OBSERVATION_WORDS: Final[dict[str, str]] = {
    "trough": "trough",
    "creatinine": "creatinine",
    "blood_pressure": "blood pressure",
}
EVENT_WORDS: Final[dict[str, str]] = {  # R15.1
    "start": "start of treatment",
    "change": "dose change",
    "switch": "product switch",
    "hold": "hold",
    "resume": "resume",
    "stop": "stop",
    "restart": "restart",
}
WHOLE_RECORD: Final[dict[str, str]] = {
    "import": "record imported from a patient file",
    "replace": "record replaced by an imported patient file",
}
SEX_WORDS: Final[dict[str, str]] = {
    Sex.FEMALE.value: "female",
    Sex.MALE.value: "male",
    Sex.OTHER.value: "other",
}
_OBSERVATION_KINDS: Final[dict[str, Kind]] = {
    "trough": Kind.TROUGH,
    "creatinine": Kind.CREATININE,
}


class Audited(Protocol):
    """One entry of the audit trail, as the store gives it."""

    @property
    def at(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRow:
    when: str  # "2026-01-20 11:05", local time
    user: str
    what: str  # "trough corrected"
    before: str  # "8.1 µg/L on 2026-01-10"
    after: str
    reason: str

    def cells(self) -> tuple[str, str, str, str, str, str]:
        return (self.when, self.user, self.what, self.before, self.after, self.reason)

    def change(self) -> str:
        """ "8.1 µg/L on 2026-06-29 -> 9.1 µg/L on 2026-06-29"; only the side there is for an
        entry added or deleted (what changed says which)."""
        return ARROW.join(side for side in (self.before, self.after) if side)


def history_rows(
    entries: Iterable[Audited],
    words: Words,
    *,
    to_local: Callable[[datetime], datetime],
    protocol_titles: Mapping[str, str] | None = None,
) -> list[HistoryRow]:
    """The rows of the history table, oldest first. `to_local` turns a UTC time into the
    workstation's local time; `protocol_titles` names the protocols by title."""
    titles = protocol_titles or {}
    rows = []
    for entry in entries:
        before, after = _values(entry, words, titles)
        rows.append(
            HistoryRow(
                when=local_time(entry.at, to_local),
                user=entry.user,
                what=what_changed(entry),
                before=before,
                after=after,
                reason=entry.reason,
            )
        )
    return rows


def local_time(at: str, to_local: Callable[[datetime], datetime]) -> str:
    """ "2026-01-20 11:05" from "2026-01-20T10:05:00+00:00" in a place one hour ahead of UTC.
    A time stored without its offset is UTC, as the store writes it."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def what_changed(entry: Audited) -> str:
    """ "trough corrected", "dose change added", "patient details changed"."""
    if entry.action in WHOLE_RECORD:
        return WHOLE_RECORD[entry.action]
    verb = VERBS.get(entry.action, entry.action)
    item = entry.before if entry.after is None else entry.after
    kind = str(item.get("kind", "")) if isinstance(item, Mapping) else ""
    if entry.entity == "observation":
        return f"{OBSERVATION_WORDS.get(kind, 'result')} {verb}"
    if entry.entity == "event":
        return f"{EVENT_WORDS.get(kind, 'course event')} {verb}"
    if entry.entity == "patient":
        return "patient added" if entry.action == "insert" else f"patient details {verb}"
    if entry.entity == "baseline":
        return "creatinine baseline set" if entry.action == "insert" else f"baseline {verb}"
    if entry.entity == "co_medication":
        return f"co-medication change {verb}"
    if entry.entity == "regimen":
        return f"regimen {verb}"
    return f"{entry.entity.replace('_', ' ')} {verb}"


# -- the values -----------------------------------------------------------------------------


def _values(entry: Audited, words: Words, titles: Mapping[str, str]) -> tuple[str, str]:
    if entry.action in WHOLE_RECORD:
        return _record_summary(entry.before), _record_summary(entry.after)
    if entry.entity == "patient":
        return _patient_change(entry.before, entry.after, words, titles)
    return _item(entry.entity, entry.before, words), _item(entry.entity, entry.after, words)


def _item(entity: str, item: Any, words: Words) -> str:
    if item is None:
        return ""
    if not isinstance(item, Mapping):
        return str(item)
    if entity == "observation":
        return _observation(item, words)
    if entity == "weight":
        return f"{_quantity(item.get('value'), Kind.WEIGHT, words)} on {item.get('date', '')}"
    if entity in ("event", "regimen"):
        return _event(item, words)
    if entity == "baseline":
        value = _quantity(item.get("value"), Kind.CREATININE, words)
        return _with_reason(f"{value} from {item.get('date', '')}", item.get("reason"))
    if entity == "co_medication":
        return f"{item.get('date', '')}: {item.get('note', '')}"
    return _plain(item)


def _observation(item: Mapping[str, Any], words: Words) -> str:
    kind = str(item.get("kind", ""))
    text = str(item.get("value", ""))
    if kind == "blood_pressure":
        pair = parse_blood_pressure(text, field="blood pressure", default_unit="mmHg")
        if isinstance(pair, tuple):
            systolic = words.units.number(pair[0], Kind.PRESSURE)
            text = f"{systolic}/{words.quantity(pair[1], Kind.PRESSURE)}"
    elif kind in _OBSERVATION_KINDS:
        text = _quantity(text, _OBSERVATION_KINDS[kind], words)
    when = str(item.get("date", ""))
    if item.get("time"):
        when += f" {item['time']}"
    shown = f"{text} on {when}"
    if item.get("last_dose_time"):
        shown += f" (last dose {item['last_dose_time']})"
    return shown


def _quantity(text: Any, kind: Kind, words: Words) -> str:
    """A stored value ("8.1 ug/L", "<2 ug/L") in the display unit of its kind."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    parsed = parse(text, kind, field=kind.value, allow_below_limit=kind is Kind.TROUGH)
    if parsed.quantity is None:
        return text
    return words.quantity(parsed.quantity, kind, below_limit=parsed.below_limit)


def _product(value: Any, words: Words) -> tuple[str, str]:
    """(name, how often) of a product id: the protocol's name of it, and how often it gives
    it; where the protocol does not list it, the name a nurse knows it by, never the id."""
    protocol = words.protocol
    try:
        fid = FormulationId(str(value))
    except ValueError:
        return str(value), ""
    if protocol is None or fid not in protocol.formulations:
        return product_name(fid, protocol), ""
    product = protocol.formulations[fid]
    return product.name, how_often(product.administrations_per_day)


def _event(item: Mapping[str, Any], words: Words) -> str:
    """ "2026-11-05: 2 mg Prograf capsules every 12 hours at 08:00 and 20:00 (trough high)"."""
    when = str(item.get("date", item.get("start", "")))
    if item.get("time"):
        when += f" {item['time']}"
    parts = []
    if item.get("dose") is not None:
        parts.append(_quantity(item["dose"], Kind.DOSE, words))
    if item.get("formulation") is not None:
        name, often = _product(item["formulation"], words)
        parts += [name, often] if often else [name]
    times = item.get("times")
    if isinstance(times, list) and times:
        parts.append("at " + " and ".join(str(t) for t in times))
    elif isinstance(times, str) and times:
        parts.append("at " + times.replace(",", " and "))
    extras = []
    if item.get("resume_on"):
        extras.append(f"resume planned on {item['resume_on']}")
    if item.get("ratio") is not None:
        extras.append(f"conversion ratio {item['ratio']}")
    text = "; ".join(e for e in (" ".join(p for p in parts if p), *extras) if e)
    text = f"{when}: {text}" if text else when
    reason = item.get("reason")
    return _with_reason(
        text, reason_words(reason, words.protocol) if isinstance(reason, str) else reason
    )


def _with_reason(text: str, reason: Any) -> str:
    return f"{text} ({reason})" if reason else text


def _patient_fields(
    doc: Mapping[str, Any], words: Words, titles: Mapping[str, str]
) -> dict[str, str]:
    """The patient's details that a reader would recognise, labelled."""
    shown: dict[str, str] = {}
    if doc.get("name"):
        shown["name"] = str(doc["name"])
    shown["born"] = str(doc.get("birth_date") or "not recorded")
    shown["sex"] = SEX_WORDS.get(str(doc.get("sex")), "not recorded")
    if doc.get("protocol"):
        shown["protocol"] = titles.get(str(doc["protocol"]), str(doc["protocol"]))
    shown["prior ciclosporin nephrotoxicity"] = (
        "yes" if doc.get("prior_ciclosporin_nephrotoxicity") else "no"
    )
    target = doc.get("target_trough")
    if isinstance(target, Mapping):
        low = _quantity(target.get("low"), Kind.TROUGH, words)
        high = _quantity(target.get("high"), Kind.TROUGH, words)
        shown["own trough range"] = _with_reason(f"{low} to {high}", target.get("source"))
    else:
        shown["own trough range"] = "none (the protocol's)"
    return shown


def _patient_change(
    before: Any, after: Any, words: Words, titles: Mapping[str, str]
) -> tuple[str, str]:
    """A new patient's details; for a change, only the details that changed, on both sides."""
    old = _patient_fields(before, words, titles) if isinstance(before, Mapping) else {}
    new = _patient_fields(after, words, titles) if isinstance(after, Mapping) else {}
    if old and new:
        changed = [key for key in new if old.get(key) != new[key]]
        changed += [key for key in old if key not in new]
        return _labelled(old, changed), _labelled(new, changed)
    return _labelled(old, list(old)), _labelled(new, list(new))


def _labelled(values: Mapping[str, str], keys: list[str]) -> str:
    return "; ".join(f"{key}: {values.get(key, 'none')}" for key in keys)


def _record_summary(doc: Any) -> str:
    """A whole record in a line: "2 weights, 3 course events, 12 results"."""
    if not isinstance(doc, Mapping):
        return ""
    counts = (
        ("weights", "weight", "weights"),
        ("events", "course event", "course events"),
        ("observations", "result", "results"),
        ("co_medication", "co-medication change", "co-medication changes"),
        ("baselines", "creatinine baseline", "creatinine baselines"),
    )
    parts = []
    for key, one, many in counts:
        items = doc.get(key)
        if isinstance(items, list) and items:
            parts.append(f"{len(items)} {one if len(items) == 1 else many}")
    return ", ".join(parts) or "no entries"


def _plain(item: Mapping[str, Any]) -> str:
    """Whatever else the trail holds, as labelled text rather than a Python dict."""
    parts = []
    for key, value in item.items():
        if isinstance(value, Mapping):
            value = _plain(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{str(key).replace('_', ' ')}: {value}")
    return "; ".join(parts)


# -- as text ---------------------------------------------------------------------------------


def text_table(rows: Sequence[HistoryRow]) -> str:
    """The history as a table for a terminal, oldest first: the columns of the window's table,
    before and after in one column, long values wrapped within their column."""
    if not rows:
        return "Nothing has been recorded for this patient yet."
    table = [(row.when, row.user, row.what, row.change(), row.reason) for row in rows]
    widths = []
    for c, header in enumerate(TEXT_HEADERS):
        widest = max(len(header), *(len(cells[c]) for cells in table))
        widths.append(min(widest, TEXT_WIDTHS.get(header, widest)))
    lines = [_text_line(TEXT_HEADERS, widths), _text_line(["-" * w for w in widths], widths)]
    for cells in table:
        wrapped = [_wrap(text, width) for text, width in zip(cells, widths, strict=True)]
        for n in range(max(len(column) for column in wrapped)):
            lines.append(
                _text_line([column[n] if n < len(column) else "" for column in wrapped], widths)
            )
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """The lines of a cell; a number is never parted from its unit ("11.3 nmol/L")."""
    kept = _NUMBER_UNIT.sub(_NO_BREAK, text)
    lines = textwrap.wrap(kept, width, break_on_hyphens=False)
    return [line.replace(_NO_BREAK, " ") for line in lines] or [""]


def _text_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
