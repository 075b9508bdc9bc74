"""The command line: JSON keys and values, human-readable answers, refusals with status 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tacrocalc.app import main
from tacrocalc.records.patient_file import dumps
from tests.seed_cases import case_3

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "example-patient.json"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_dose_json(capsys):
    """72 kg × 0.10 = 7.2 mg/day; 3.6 mg -> 3.5 mg = 3 × 1 mg + 1 × 0.5 mg (R2, R3)."""
    code, out, _ = run(capsys, "dose", "--weight", "72kg", "--rate", "0.10mg/kg/day", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["weight_kg"] == 72
    assert data["rate_mg_per_kg_day"] == 0.1
    assert data["daily_dose_mg"] == 7.2
    assert data["formulation"] == "ir-capsule"
    assert (data["administrations_per_day"], data["interval_h"]) == (2, 12)
    assert (data["exact_dose_mg"], data["dose_mg"]) == (3.6, 3.5)
    assert data["units"] == [{"strength_mg": 1.0, "count": 3}, {"strength_mg": 0.5, "count": 1}]
    assert data["achieved_rate_mg_per_kg_day"] == pytest.approx(7 / 72, abs=1e-6)
    assert data["rounding_change_pct"] == -2.78
    assert data["warnings"] == []


def test_dose_human_readable(capsys):
    code, out, _ = run(capsys, "dose", "--weight", "154 lb", "--rate", "0,1 mg/kg/day")
    assert code == 0
    assert "Dose every 12 hours: 3.5 mg at 08:00 and 20:00" in out
    assert "Give: 3 × 1 mg capsules + 1 × 0.5 mg capsule at each dose" in out


def test_dose_warnings_in_json(capsys):
    code, out, _ = run(
        capsys,
        "dose",
        "--weight",
        "60kg",
        "--rate",
        "0.18mg/kg/day",
        "--formulation",
        "advagraf",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert [w["code"] for w in data["warnings"]] == ["rate_above_ceiling"]
    assert "0.15 mg/kg/day" in data["warnings"][0]["message"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["dose", "--weight", "70mg", "--rate", "0.1mg/kg/day"],
            ["weight", "70mg", "not a body weight", "kg, g, lb"],
        ),
        (
            ["dose", "--weight", "72kg", "--rate", "0.5mg/kg/day"],
            ["rate", "0.5 mg/kg/day", "above the maximum", "0.3 mg/kg/day"],
        ),
        (
            ["dose", "--weight", "5kg", "--rate", "0.1mg/kg/day"],
            ["weight", "5 kg", "10 kg to 300 kg"],
        ),
        (
            ["adjust", "--dose", "3mg", "--trough", "<2ug/L", "--days-on-dose", "10"],
            ["trough", "<2 µg/L", "below the assay's limit"],
        ),
        (  # R9.6: no record, so the days on the dose are needed
            ["adjust", "--dose", "3mg", "--trough", "8ug/L"],
            ["--days-on-dose", "steady state"],
        ),
        (  # R12.7: the bounds of R12 on every path
            ["adjust", "--dose", "3mg", "--trough", "250ug/L", "--days-on-dose", "10"],
            ["trough", "250 µg/L", "0.5 µg/L to 200 µg/L"],
        ),
        (  # R9.2: a target outside the range
            [
                "adjust",
                "--dose",
                "3mg",
                "--trough",
                "8ug/L",
                "--days-on-dose",
                "10",
                "--target",
                "30ug/L",
            ],
            ["target", "30 µg/L", "4 µg/L-25 µg/L"],
        ),
        (
            ["adjust", "--dose", "3mg", "--trough", "8ug/L", "--days-on-dose", "2"],
            ["trough", "8 µg/L", "steady state"],
        ),
        (  # R12.7: a dose no rate of R4 reaches is refused before any rounding table is built
            ["switch", "--dose", "3000000mg", "--to", "envarsus"],
            ["dose", "3000000 mg", "above 0 mg, up to 100 mg"],
        ),
        (
            ["dose", "--weight", "60kg", "--dose", "99999999999999999999999999mg"],
            ["dose", "mg", "above 0 mg, up to 100 mg"],
        ),
        (
            ["adjust", "--dose", "100000000mg", "--trough", "8ug/L", "--days-on-dose", "10"],
            ["dose", "100000000 mg", "above 0 mg, up to 100 mg"],
        ),
        (
            ["switch", "--dose", "3mg", "--from", "envarsus", "--to", "advagraf"],
            ["to", "envarsus → advagraf", "no conversion"],
        ),
    ],
)
def test_refusals_exit_2_with_one_line_naming_field_value_and_reason(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    for word in words:
        assert word in err


def test_adjust_json(capsys):
    """R9: 3 mg × 2 = 6 mg/day × 8 / 14 = 3.4286 mg/day -> 1.5 mg twice daily."""
    code, out, _ = run(
        capsys,
        "adjust",
        "--dose",
        "3mg",
        "--trough",
        "14ug/L",
        "--target",
        "8ug/L",
        "--days-on-dose",
        "10",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["current_daily_mg"] == 6
    assert (data["measured_trough_ug_per_l"], data["target_trough_ug_per_l"]) == (14, 8)
    assert data["new_daily_dose_mg"] == 3.4286
    assert data["dose_mg"] == 1.5
    assert data["units"] == [{"strength_mg": 1.0, "count": 1}, {"strength_mg": 0.5, "count": 1}]
    assert data["warnings"] == []
    assert data["advice"] == "change"  # an explicit target always computes (R9.6)


def test_adjust_keeps_an_in_range_dose_without_a_target(capsys):
    """R9.4, R9.6: 6 µg/L is in 4-25 and below 20: keep 3 mg (v1 suggested 3 × 14.5 / 6 =
    7.25 -> 7 mg, above the ceiling). With the protocol's target of 12 µg/L on a trough of
    22: 6 × 12 / 22 = 3.27 mg/day -> 1.5 mg."""
    code, out, _ = run(
        capsys, "adjust", "--dose", "3mg", "--trough", "6ug/L", "--days-on-dose", "10", "--json"
    )
    data = json.loads(out)
    assert (code, data["advice"], data["dose_mg"], data["target_trough_ug_per_l"]) == (
        0,
        "keep",
        3.0,
        12,
    )
    code, out, _ = run(
        capsys, "adjust", "--dose", "3mg", "--trough", "6ug/L", "--days-on-dose", "10"
    )
    assert "Keep the dose: 3 mg every 12 hours" in out
    code, out, _ = run(
        capsys, "adjust", "--dose", "3mg", "--trough", "22ug/L", "--days-on-dose", "10", "--json"
    )
    assert (json.loads(out)["advice"], json.loads(out)["dose_mg"]) == ("change", 1.5)


def test_dose_json_gives_the_daily_dose_given(capsys):
    """R2.4: 72 kg × 0.1 = 7.2 mg/day -> 3.6 -> 3.5 mg twice = 7 mg/day given."""
    _code, out, _ = run(capsys, "dose", "--weight", "72kg", "--rate", "0.1mg/kg/day", "--json")
    data = json.loads(out)
    assert (data["daily_dose_mg"], data["given_daily_dose_mg"]) == (7.2, 7.0)


def test_switch_json(capsys):
    code, out, _ = run(capsys, "switch", "--dose", "5mg", "--to", "envarsus", "--json")
    data = json.loads(out)
    assert (code, data["ratio"], data["dose_mg"], data["given_daily_dose_mg"]) == (0, 0.7, 7.0, 7.0)
    code, out, _ = run(
        capsys, "switch", "--dose", "7mg", "--from", "envarsus", "--to", "ir-capsule", "--json"
    )
    data = json.loads(out)
    assert (data["dose_mg"], data["warnings"][0]["code"]) == (5.0, "switch_trough_due_soon")


def test_check_json(capsys):
    """The example patient on 2026-01-20: check 1 done on 01-14 with 150/95 (hypertension)."""
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--today", "2026-01-20", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["protocol"]["id"] == "seed-1997"
    assert (data["protocol"]["trough_low_ug_per_l"], data["protocol"]["trough_high_ug_per_l"]) == (
        4,
        25,
    )
    assert data["protocol"]["trough_caution_ug_per_l"] == 20
    assert "4-25" in data["protocol"]["source"]
    assert data["baseline_creatinine_umol_l"] == 80
    assert data["troughs"] == [
        {
            "date": "2026-01-14",
            "value_ug_per_l": 8.1,
            "below_assay_limit": False,
            "class": "in_range",
            "steady_state": True,
            "true_trough": True,
            "extra": False,
            "regimen": {"formulation": "ir-capsule", "dose_mg": 3.0, "since": "2026-01-05"},
        }
    ]
    assert data["creatinine"][-1] == {
        "date": "2026-01-14",
        "value_umol_l": 85,
        "change_pct": 6.2,
        "significant": False,
        "extra": False,
        "regimen": {"formulation": "ir-capsule", "dose_mg": 3.0, "since": "2026-01-05"},
    }
    assert data["blood_pressure"] == [
        {
            "date": "2026-01-14",
            "systolic": 150,
            "diastolic": 95,
            "hypertension": True,
            "urgent": False,
            "extra": False,
            "regimen": {"formulation": "ir-capsule", "dose_mg": 3.0, "since": "2026-01-05"},
        }
    ]
    assert [(a["code"], a["severity"]) for a in data["alerts"]] == [("hypertension", "warning")]
    assert data["regimen_now"]["status"] == "on"
    assert (data["regimen_now"]["dose_mg"], data["regimen_now"]["since"]) == (3.0, "2026-01-05")
    # R9.4: 8.1 µg/L is in range and below 20: keep the dose
    assert (data["adjustment"]["advice"], data["adjustment"]["dose_mg"]) == ("keep", 3.0)
    assert data["adjustment"]["target_trough_ug_per_l"] == 12
    first, second = data["schedule"][:2]
    assert (first["due"], first["latest"], first["status"], first["done_on"]) == (
        "2026-01-12",
        "2026-01-19",
        "done",
        "2026-01-14",
    )
    assert first["checks"] == ["trough", "creatinine", "blood_pressure"]
    assert first["earliest"] == "2026-01-10"  # A + 5 (R8.7)
    assert (second["due"], second["latest"], second["status"]) == ("2026-01-28", None, "planned")


def test_check_human_readable_with_urgent_alert(capsys, tmp_path):
    path = tmp_path / "case3.json"
    path.write_text(dumps(case_3()), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--today", "1997-01-13")
    assert code == 0
    assert "URGENT: Creatinine 208 µmol/L is 131.1 % above the baseline of 90 µmol/L" in out
    assert "Consider withholding tacrolimus and rechecking creatinine within 7 days" in out
    assert "Regimen: Immediate-release tacrolimus capsules (Prograf and generics): 5 mg" in out
    assert "Schedule (R8):" in out
    code, out, _ = run(capsys, "check", str(path), "--today", "1997-01-25")
    assert "Regimen: stopped on 1997-01-14 (nephrotoxicity: creatinine 208 µmol/L)" in out
    assert "creatinine recheck" in out


def test_check_refuses_a_bad_file(capsys, tmp_path):
    path = tmp_path / "bad.json"
    doc = json.loads(EXAMPLE.read_text())
    doc["observations"][1]["value"] = "8.1 mg"
    path.write_text(json.dumps(doc))
    code, _, err = run(capsys, "check", str(path), "--today", "2026-01-20")
    assert code == 2
    assert "$.observations[1].value" in err and "8.1 mg" in err


def test_missing_file_is_a_refusal(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.json"))
    assert code == 2
    assert "nope.json" in err


def test_whole_process_entry_point():
    """`python -m tacrocalc` as a user runs it, in its own process."""
    done = subprocess.run(
        [sys.executable, "-m", "tacrocalc", "dose", "--weight", "70mg", "--rate", "0.1mg/kg/day"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("refused: weight:")
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "tacrocalc",
            "dose",
            "--weight",
            "72kg",
            "--rate",
            "0.1mg/kg/day",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(ok.stdout)["dose_mg"] == 3.5


def test_pint_is_not_imported_until_a_quantity_is_made():
    """The window can be painted before pint's ~150 ms import (see tacrocalc.domain.units)."""
    code = (
        "import sys, tacrocalc.cli, tacrocalc.records.protocol_files, tacrocalc.records.store, "
        "tacrocalc.domain.assessment; before = 'pint' in sys.modules; "
        "from tacrocalc.domain.units import q; q(1, 'kg'); print(before, 'pint' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["plan", str(EXAMPLE), "--out", "/nonexistent-folder/x.pdf"],
            ["/nonexistent-folder", "does not exist"],
        ),
        (["plan", str(EXAMPLE), "--out", "{tmp}"], ["{tmp}", "a file name is needed"]),
        (
            ["--data-dir", "{tmp}/d", "restore", "{tmp}/missing.sqlite3"],
            ["missing.sqlite3", "no such file"],
        ),
        (["--data-dir", "{tmp}/d", "restore", "{tmp}"], ["{tmp}", "a folder, not a backup"]),
        (["--data-dir", "{tmp}/afile", "list"], ["afile"]),
    ],
)
def test_files_and_folders_that_cannot_be_used_are_refused_in_one_line(
    capsys, tmp_path, argv, words
):
    """Issue 12's argument probe: each ended in a traceback; now one line, exit 2."""
    (tmp_path / "afile").write_text("x")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("refused: ")
    for word in words:
        assert word.replace("{tmp}", str(tmp_path)) in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", str(EXAMPLE), "--today", "9999-12-31"],
        ["list", "--limit", "9223372036854775808"],
    ],
)
def test_arguments_out_of_range_are_refused_by_the_parser(capsys, argv):
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "outside the dates" in err or "between 1 and 100000" in err


def test_check_speaks_the_units_asked_for_and_no_other(capsys, tmp_path):
    """R1.4: with --trough-unit and --creatinine-unit every sentence, threshold and alert is in
    those units. Seed case 3: 208 µmol/L = 2.35 mg/dL against a limit of 1.32 mg/dL."""
    path = tmp_path / "case3.json"
    path.write_text(dumps(case_3()), encoding="utf-8")
    argv = ("check", str(path), "--today", "1997-01-13")
    code, out, _ = run(capsys, *argv, "--trough-unit", "nmol/L", "--creatinine-unit", "mg/dL")
    assert code == 0
    assert "URGENT: Creatinine 2.35 mg/dL is 131.1 % above the baseline of 1.02 mg/dL" in out
    assert "(limit 1.32 mg/dL)" in out
    assert "trough 5 nmol/L to 31.1 nmol/L" in out  # 4-25 µg/L × 1.2437 (R1.3)
    for other in ("µmol/L", "µg/L", "ng/mL"):
        assert other not in out
    code, out, _ = run(capsys, *argv, "--trough-unit", "ng/mL")
    assert "trough 4 ng/mL to 25 ng/mL" in out and "µg/L" not in out
    assert "Creatinine 208 µmol/L" in out  # the protocol's own unit, by default


def test_a_unit_that_is_not_offered_is_refused_by_the_parser(capsys, tmp_path):
    with pytest.raises(SystemExit) as raised:
        main(["check", str(EXAMPLE), "--creatinine-unit", "mmol/L"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert '"mmol/L" is not a unit TacroCalc shows creatinine in; use one of umol/L, mg/dL' in err
