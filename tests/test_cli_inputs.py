"""Issue 12: every failure of a command is one line on stderr, never a traceback, and what a
value brings (ESC, a newline, U+202E) is shown escaped, never sent to the terminal."""

from pathlib import Path

import pytest

from tacrocalc import cli
from tacrocalc.app import main

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "example-patient.json"


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse ends a refused argument list this way
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", str(EXAMPLE), "--today", "9999-12-31"], "outside the dates"),
        (["list", "--limit", "9223372036854775808"], "between 1 and 100000"),
        (["list", "--limit", "9" * 5000], "--limit"),
        (["adjust", "--dose", "3mg", "--trough", "5ug/L", "--days-on-dose", "x"], "'x'"),
        (["dose"], "required: --weight"),
        (["dose", "--weight", "60kg", "--rate", "0.1mg/kg/day", "--dose", "3mg"], "not allowed"),
        (["bogus"], "invalid choice"),
        (["check", "--trough-unit", "kg", str(EXAMPLE)], '"kg"'),
        (["event", "H1", "start", "--date", "99999-01-01"], "not a date"),
        (["list", "--limit", "1\n2"], "\\n"),
    ],
)
def test_a_refused_argument_is_one_line_with_status_2(capsys, argv, words):
    """argparse printed its whole usage first: four or five lines, the error last."""
    code, out, err = run(capsys, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("refused: tacrocalc") and "usage:" not in err
    assert words in err and "--help" in err


@pytest.mark.parametrize(
    ("text", "escaped"), [("A\x1b[31m", "\\x1b"), ("A\u202eB", "\\u202e"), ("A\x85B", "\\x85")]
)
def test_a_value_is_shown_escaped_in_a_refusal(capsys, tmp_path, text, escaped):
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "check", text)
    assert code == 2 and err.count("\n") == 1
    assert escaped in err and text not in err


def test_a_reason_with_control_characters_is_refused_and_nothing_is_recorded(capsys, tmp_path):
    """R12.9: `event --reason` stored an ESC that `check` printed raw. The store refuses it,
    naming the event's reason, showing the ESC escaped."""
    data = str(tmp_path / "d")
    assert run(capsys, "--data-dir", data, "import", str(EXAMPLE))[0] == 0
    code, _, err = run(
        capsys, "--data-dir", data, "event", "H123", "stop", "--date", "2026-02-01",
        "--reason", "renal\x1b[2J",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert "stop on 2026-02-01: reason" in err and "U+001B" in err
    assert "renal\\x1b[2J" in err and "\x1b" not in err
    code, out, _ = run(capsys, "--data-dir", data, "history", "H123", "--json")
    assert code == 0 and '"stop"' not in out


def test_a_fault_of_tacrocalc_is_one_line_asking_for_a_report(capsys, monkeypatch):
    def broken(args, out):
        raise KeyError("nothing of the user's")

    monkeypatch.setattr(cli, "_cmd_dose", broken)
    code, out, err = run(capsys, "dose", "--weight", "60kg", "--rate", "0.1mg/kg/day")
    assert (code, out, err.count("\n")) == (cli.EXIT_FAULT, "", 1)
    assert "KeyError" in err and "please report it" in err and "Traceback" not in err


def test_ctrl_c_is_one_line(capsys, monkeypatch):
    def interrupted(args, out):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_dose", interrupted)
    code, _, err = run(capsys, "dose", "--weight", "60kg", "--rate", "0.1mg/kg/day")
    assert (code, err) == (130, "interrupted\n")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["adjust", "--dose", "3mg", "--trough", "0.001ug/L", "--days-on-dose", "5"], '"<2 ug/L"'),
        (["switch", "--dose", "99mg", "--to", "envarsus"], "above 90 mg a day"),
        (
            [
                "adjust",
                "--dose",
                "99mg",
                "--trough",
                "0.5ug/L",
                "--target",
                "20ug/L",
                "--days-on-dose",
                "5",
            ],
            "396 mg a day is above 90 mg a day",
        ),
        (["switch", "--dose", "3000000mg", "--to", "advagraf"], "above 0 mg, up to 100 mg"),
    ],
)
def test_doses_no_patient_could_take_are_refused_before_rounding(capsys, argv, words):
    """Issue 12: 0.001 µg/L gave 43,500 mg every 12 hours; 99 mg switched gave 138.6 mg a day."""
    code, out, err = run(capsys, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert words in err


def test_a_unit_pint_cannot_tokenize_is_refused(capsys):
    """Found by the fuzz corpus: pint's tokenizer asserts on some characters, and the
    AssertionError ended `dose` in a traceback."""
    code, out, err = run(capsys, "dose", "--weight", "60kg", "--dose", "9\U00060183")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "is not in a unit TacroCalc accepts for a dose" in err


def test_a_unit_pint_divides_by_zero_in_is_refused(capsys):
    """Found by the fuzz corpus: "0x10/0 mmHg" made pint divide by zero while TacroCalc asked
    it what kind of unit had been typed."""
    code, out, err = run(capsys, "dose", "--weight", "60kg", "--dose", "0x10/0 mmHg")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "dose" in err


ADJUST = ["adjust", "--dose", "3mg", "--days-on-dose", "10"]


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (  # R12.1: was "10 kg is outside the accepted range 10 kg to 300 kg"
            ["dose", "--weight", "9.99kg", "--rate", "0.1mg/kg/day"],
            "weight: 9.99 kg is outside the accepted range 10 kg to 300 kg (R12.1). Check the"
            " value and its unit.",
        ),
        (
            ["dose", "--weight", "300.04kg", "--rate", "0.1mg/kg/day"],
            "weight: 300.04 kg is outside the accepted range 10 kg to 300 kg (R12.1). Check the"
            " value and its unit.",
        ),
        (  # R4.5
            ["dose", "--weight", "60kg", "--rate", "0.3001mg/kg/day"],
            "rate: 0.3001 mg/kg/day is above the maximum of 0.3 mg/kg/day; no dose is given"
            " above it (R4.5).",
        ),
        (  # R12.7
            ["dose", "--weight", "60kg", "--dose", "100.0004mg"],
            "dose: 100.0004 mg is outside the accepted range: above 0 mg, up to 100 mg (R12.7)."
            " Check the value and its unit.",
        ),
        (  # R12.2
            [*ADJUST, "--trough", "0.499ug/L"],
            "trough: 0.499 µg/L is below 0.5 µg/L, which no assay measures; enter such a result"
            ' as below the assay\'s limit, such as "<2 ug/L" (R12.2).',
        ),
        (
            [*ADJUST, "--trough", "200.001ug/L"],
            "trough: 200.001 µg/L is outside the accepted range 0.5 µg/L to 200 µg/L (R12.2)."
            " Check the value and its unit.",
        ),
        (  # R9.2
            [*ADJUST, "--trough", "8ug/L", "--target", "25.001ug/L"],
            "target: 25.001 µg/L is outside the patient's target range 4 µg/L-25 µg/L; choose a"
            " target within it (R9.2).",
        ),
        (
            [*ADJUST, "--trough", "8ug/L", "--target", "3.999ug/L"],
            "target: 3.999 µg/L is outside the patient's target range 4 µg/L-25 µg/L; choose a"
            " target within it (R9.2).",
        ),
        (  # R12.5: was "not in a unit TacroCalc accepts", "e+03kg" read as the unit
            ["dose", "--weight", "1.6e+03kg", "--rate", "0.1mg/kg/day"],
            'weight: "1.6e+03kg" is written as a power of ten, which TacroCalc does not accept;'
            ' type the number in plain digits: "1600 kg".',
        ),
        (  # R12.2: was "has no unit", and in the window "enter it as below the limit"
            [*ADJUST, "--trough", "<0"],
            'trough: "<0": a result below the assay\'s limit is entered as "<" and that limit,'
            ' a level above zero, such as "<2 ug/L" (R12.2).',
        ),
        (  # R12.2: was "enter such a result as below the assay's limit", which it was
            [*ADJUST, "--trough", "<0.3ug/L"],
            "trough: <0.3 µg/L: no assay has a limit below 0.5 µg/L; enter the limit the"
            ' laboratory reports, such as "<2 ug/L" (R12.2).',
        ),
        (
            [*ADJUST, "--trough", "<0ug/L"],
            'trough: "<0ug/L": a result below the assay\'s limit is entered as "<" and that'
            ' limit, a level above zero, such as "<2 ug/L" (R12.2).',
        ),
    ],
)
def test_a_refused_value_is_named_as_typed(capsys, argv, shown):
    """Issue 12: the window's field fuzz found refusals that read wrongly; the command line
    runs the same parser and the same sentences."""
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", f"refused: {shown}\n")
