"""The patient's details form in words: a protocol by its title, source and range, the patient's
own trough range (R5.6) read from what was typed, and the refusals of a form not filled in.

Qt-free, so that the dialog only places these sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tacrocalc.domain.protocol import Protocol, TargetRange
from tacrocalc.domain.units import Kind, parse
from tacrocalc.domain.validation import check_target_trough
from tacrocalc.present.words import Words

OWN_RANGE: Final = "Own trough range"
OWN_RANGE_SOURCE: Final = "set for this patient"
SEX_NEEDED: Final = "Sex: choose female, male or other."


def range_text(target: TargetRange, words: Words) -> str:
    """ "4 to 25 µg/L, upper end from 20 µg/L" in the display unit (R5.2, R5.3)."""
    low = words.units.number(target.low, Kind.TROUGH)
    text = f"{low} to {words.quantity(target.high, Kind.TROUGH)}"
    if target.caution is not None:
        text += f", upper end from {words.quantity(target.caution, Kind.TROUGH)}"
    return text


def protocol_summary(protocol: Protocol, words: Words) -> str:
    """What the protocol list shows under the title: its trough range and its source."""
    return f"Trough range {range_text(protocol.target, words)}.\nSource: {protocol.source}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnRange:
    """The range typed for a patient: None when both ends are empty (the protocol's range
    applies), or the refusals that stop it, each naming the field, the value and why."""

    target: TargetRange | None = None
    refusals: tuple[str, ...] = ()


def own_range(
    low_text: str,
    high_text: str,
    source_text: str,
    protocol: Protocol,
    words: Words,
    *,
    decimal_comma: bool,
) -> OwnRange:
    """R5.6: a patient's own trough range, typed in the display unit (a bare number) or with its
    unit. Each end must lie within the protocol's input bounds for a trough (R12.2), and the low
    end below the high. The protocol's upper-end caution (R5.3) is kept when it falls inside the
    range; the source is what was typed, or "set for this patient"."""
    low_text, high_text = low_text.strip(), high_text.strip()
    if not low_text and not high_text:
        return OwnRange()
    if not low_text or not high_text:
        missing = "low" if not low_text else "high"
        return OwnRange(
            refusals=(
                f"{OWN_RANGE}: the {missing} end is empty; give both ends, or neither to use"
                " the protocol's range.",
            )
        )
    ends = []
    refusals: list[str] = []
    for end, text in (("low", low_text), ("high", high_text)):
        field = f"{OWN_RANGE}, {end} end"
        parsed = parse(
            text,
            Kind.TROUGH,
            field=field,
            default_unit=words.units.unit(Kind.TROUGH),
            decimal_comma=decimal_comma,
        )
        if parsed.issue is not None or parsed.quantity is None:
            refusals += [words.message(parsed.issue)] if parsed.issue else []
            continue
        bounds = [
            i for i in check_target_trough(parsed.quantity, protocol, field=field) if i.refuses
        ]
        refusals += [words.message(i) for i in bounds]
        ends.append(parsed.quantity)
    if refusals:
        return OwnRange(refusals=tuple(refusals))
    low, high = ends
    if not low < high:
        return OwnRange(
            refusals=(
                f"{OWN_RANGE}: the low end {words.quantity(low, Kind.TROUGH)} must be below the"
                f" high end {words.quantity(high, Kind.TROUGH)}.",
            )
        )
    caution = protocol.values.trough_caution
    return OwnRange(
        target=TargetRange(
            low=low,
            high=high,
            caution=caution if caution is not None and low < caution <= high else None,
            source=source_text.strip() or OWN_RANGE_SOURCE,
        )
    )
