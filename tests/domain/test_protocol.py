"""Protocols as data: loading, sources, inheritance and validation."""

import copy
import dataclasses
import tomllib

import pytest

from tacrocalc.domain.protocol import (
    ProtocolError,
    ProtocolValues,
    Region,
    merge,
    protocol_from_document,
)
from tacrocalc.domain.units import Kind, magnitude, stored_unit, unit_of
from tacrocalc.paths import protocols_dir
from tacrocalc.records.protocol_files import available_protocols, load_protocol


def seed_doc():
    with (protocols_dir() / "seed-1997.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_shipped_protocols_load():
    assert {"seed-1997", "prograf-us-kidney-mmf"} <= set(available_protocols())
    for protocol_id in available_protocols():
        assert load_protocol(protocol_id).id == protocol_id


def test_seed_values_and_sources(seed):
    """The seed's numbers (R4, R5, R6, R7) with their sources."""
    assert magnitude(seed.values.start_rate, "mg/kg/day") == 0.10
    assert magnitude(seed.values.titration_ceiling, "mg/kg/day") == 0.15
    assert (magnitude(seed.target.low, "ug/L"), magnitude(seed.target.high, "ug/L")) == (4, 25)
    assert magnitude(seed.target.caution, "ug/L") == 20
    assert seed.values.creatinine_significant_rise_pct == 30
    assert "4-25" in seed.target.source
    assert all(s.source.strip() and s.rule.startswith("R") for s in seed.sources.values())
    assert seed.region is Region.EU


def test_prograf_protocol_extends_the_seed(prograf):
    """R5.6: 4-11 ng/mL from the Prograf US label; the rest inherited."""
    assert (magnitude(prograf.target.low, "ug/L"), magnitude(prograf.target.high, "ug/L")) == (
        4,
        11,
    )
    assert prograf.target.caution is None
    assert "Prograf" in prograf.target.source
    assert magnitude(prograf.values.start_rate, "mg/kg/day") == 0.10
    assert prograf.region is Region.US


VALUE_FIELDS = dataclasses.fields(ProtocolValues)
SHIPPED = sorted(path.stem for path in protocols_dir().glob("*.toml"))


def _annotation(kind, optional):
    """The type a field of `kind` is declared with: a Kind is a quantity, a pct a float."""
    declared = "Quantity" if isinstance(kind, Kind) else {"pct": "float"}.get(kind, kind)
    return f"{declared} | None" if optional else declared


def test_each_value_is_declared_with_the_type_of_its_kind():
    mismatched = [
        (value.name, value.type)
        for value in VALUE_FIELDS
        if value.type != _annotation(value.metadata["kind"], value.metadata.get("optional"))
    ]
    assert mismatched == []


@pytest.mark.parametrize("protocol_id", SHIPPED)
def test_each_shipped_protocol_gives_every_value_field(protocol_id):
    """After `extends` is merged, every field is written in the file, with its rule and source,
    and holds a value of its declared type."""
    protocol = load_protocol(protocol_id)
    assert set(protocol.sources) == {value.name for value in VALUE_FIELDS}
    for value in VALUE_FIELDS:
        kind, held = value.metadata["kind"], getattr(protocol.values, value.name)
        if held is None:
            assert value.metadata.get("optional"), value.name
        elif isinstance(kind, Kind):
            assert held.units == unit_of(stored_unit(kind)), value.name
        else:
            assert type(held) is (int if kind == "int" else float), value.name


def test_the_accepted_value_keys_are_the_fields():
    """The seed writes every value; without any one of them it is refused for that key, and a
    key that is no field is refused too."""
    names = [value.name for value in VALUE_FIELDS]
    assert sorted(seed_doc()["values"]) == sorted(names)
    protocol_from_document(seed_doc())
    for name in names:
        with pytest.raises(ProtocolError) as raised:
            protocol_from_document(_broken(("values", name), None))
        assert (raised.value.issue.field, dict(raised.value.issue.params)["reason"]) == (
            f"values.{name}",
            "missing",
        )
    extra = _broken(("values", "trough_lo"), {"value": "4 ug/L", "rule": "R5.6", "source": "x"})
    with pytest.raises(ProtocolError) as raised:
        protocol_from_document(extra)
    assert raised.value.issue.field == "values.trough_lo"


def _broken(path, value):
    doc = copy.deepcopy(seed_doc())
    table = doc
    *parents, last = path
    for key in parents:
        table = table[key]
    if value is None:
        del table[last]
    else:
        table[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("values", "trough_low"), None, "values.trough_low"),  # missing
        (("values", "trough_low", "value"), "4 kg", "values.trough_low"),  # wrong unit
        (("values", "trough_low", "source"), "", "values.trough_low"),  # no source
        (("values", "trough_low", "value"), "30 ug/L", "values.trough_low"),  # above high
        (("values", "trough_caution", "value"), "26 ug/L", "values.trough_caution"),
        (("values", "titration_ceiling", "value"), "0.4 mg/kg/day", "values.titration_ceiling"),
        (("values", "early_checks", "value"), 2.5, "values.early_checks"),
        (("values", "made_up"), {"value": 1, "rule": "R1", "source": "x"}, "values.made_up"),
        (
            ("formulations", "ir-capsule", "strengths"),
            ["0 mg"],
            "formulations.ir-capsule.strengths",
        ),
        (("dose_times", "twice_daily", "value"), ["8am", "20:00"], "dose_times.twice_daily"),
        (("region",), "UK", "region"),
    ],
)
def test_a_broken_protocol_is_refused_naming_the_key(path, value, field):
    with pytest.raises(ProtocolError) as raised:
        protocol_from_document(_broken(path, value))
    assert raised.value.issue.field == field


def test_merge_overrides_entries_of_tables():
    merged = merge({"a": 1, "values": {"x": 1, "y": 2}}, {"extends": "p", "values": {"y": 3}})
    assert merged == {"a": 1, "values": {"x": 1, "y": 3}}


def test_missing_protocol_is_refused(tmp_path):
    with pytest.raises(ProtocolError) as raised:
        load_protocol("no-such", tmp_path)
    assert raised.value.issue.value == "no-such"


def test_circular_extends_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('id = "a"\nextends = "b"\n')
    (tmp_path / "b.toml").write_text('id = "b"\nextends = "a"\n')
    with pytest.raises(ProtocolError, match="circle"):
        load_protocol("a", tmp_path)
