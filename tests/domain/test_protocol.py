"""Protocols as data: loading, sources, inheritance and validation."""

import copy
import tomllib

import pytest

from tacrocalc.domain.protocol import ProtocolError, Region, merge, protocol_from_document
from tacrocalc.domain.units import magnitude
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
