"""The fuzz corpus of the command line (issue 12): hypothesis strategies over patient files and
argument lists, and the property every run must have.

    exit status 0 or 2, at most one line on stderr (exactly one when refused), no traceback,
    under 2 s and 200 MB.

`tests/test_fuzz.py` runs a bounded number of examples in every test run; `bench/fuzz_cli.py`
runs many more, each in a process of its own, measuring its memory as the system does.
"""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

EXAMPLE_PATH = Path(__file__).resolve().parent.parent / "resources/examples/example-patient.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))

SECONDS = 2.0
MEGABYTES = 200

# -- values --------------------------------------------------------------------------------

UNITS = [
    "mg",
    "mcg",
    "ug",
    "µg",
    "kg",
    "g",
    "lb",
    "ug/L",
    "ng/mL",
    "nmol/L",
    "umol/L",
    "mg/dL",
    "mmHg",
    "mg/kg/day",
    "mg/kg/d",
    "",
    "parsecs",
    "mg/kg",
    "%",
]

NUMBERS = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "0.00001",
            "1e-5",
            "0.49",
            "0.5",
            "3",
            "45",
            "90",
            "99.9",
            "100",
            "100.5",
            "300",
            "1e8",
            "100000000",
            "3000000",
            "99999999999999999999999999",
            "9" * 400,
            "inf",
            "nan",
            "1,5",
            "1.000,5",
            "0x10",
            "",
            " ",
            "½",
            "٣",
        ]
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)

# Characters that print raw or reorder text (issue 12), and some of every other kind; never NUL
# in an argument (no operating system passes one) and no lone surrogate (not text).
AWKWARD = st.sampled_from(
    [
        "\n",
        "\r",
        "\t",
        "\x1b[2J",
        "\x1b[31m",
        "\u200b",
        "\u202e",
        "\u2066",
        "\x85",
        "\u2028",
        "\ufeff",
        "é",
        "µ",
        "👩\u200d⚕️",
        "ß",
        "İ",
        "Ω",
        "<",
        "<2",
        "/",
        "..",
        "'",
        '"',
        "\\",
        "%s",
    ]
)
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
    st.lists(AWKWARD, max_size=4).map("".join),
)

QUANTITIES = st.one_of(
    st.builds(
        lambda n, sep, u: f"{n}{sep}{u}",
        NUMBERS,
        st.sampled_from(["", " "]),
        st.sampled_from(UNITS),
    ),
    st.builds(lambda n: f"<{n} ug/L", NUMBERS),
    st.builds(lambda a, b: f"{a}/{b} mmHg", NUMBERS, NUMBERS),
    TEXT,
)

DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),  # 0001-01-01 to 9999-12-31
    st.sampled_from(["2026-02-30", "2026-13-01", "26-01-01", "9999-12-31", "0001-01-01", "today"]),
    TEXT,
)
TIMES = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "8:00", "08:00:00", "08:60", "20:00", "08:00,20:00", "08:00,10:00"]),
)

# Any JSON value, including what the issue found: a number of 4,300 digits, NaN and infinity
# (which Python writes), deep nesting, long text.
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),  # NaN, infinity
    st.just(int("9" * 4300)),
    QUANTITIES,
    DATES,
    TIMES,
    st.text(max_size=5).map(lambda t: t * 5000),  # long text
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


# -- patient files -------------------------------------------------------------------------


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item of a document, by its path of keys and indexes."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _version_1() -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    doc["version"] = 1
    del doc["events"]
    doc["regimens"] = [
        {
            "start": "2026-01-05",
            "formulation": "ir-capsule",
            "dose": "3 mg",
            "times": ["08:00", "20:00"],
        }
    ]
    return doc


@st.composite
def patient_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The documented example (or its version 1 form) with a few members replaced, removed or
    added: any JSON value, a quantity, a date, text with control characters."""
    doc = _version_1() if draw(st.booleans()) else copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(doc)[1:]
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["ratio", "time", "caution", "x", "resume_on"]))] = draw(
                JSON_VALUES
            )
        elif action == "add" and isinstance(parent, list):
            parent.append(copy.deepcopy(draw(st.sampled_from(parent or [None]))))
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return doc


def _encode(doc: dict[str, Any], how: str, extra: bytes) -> bytes:
    text = json.dumps(doc, ensure_ascii=how == "ascii")
    if how == "duplicate key":
        text = text.replace('"patient": {', '"patient": {"id": "X", ', 1)
    if how == "deep":
        text = text[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"
    data = text.encode("utf-8", "surrogatepass")
    return {
        "utf-8-sig": lambda: b"\xef\xbb\xbf" + data,
        "utf-16": lambda: text.encode("utf-16", "surrogatepass"),
        "latin-1": lambda: text.encode("latin-1", "replace"),
        "gzip": lambda: gzip.compress(data),
        "truncated": lambda: data[: len(data) // 2],
        "bytes": lambda: extra,
    }.get(how, lambda: data)()


@st.composite
def patient_files(draw: st.DrawFn) -> bytes:
    """A patient file's bytes: a mutated document in UTF-8, with a byte-order mark, in another
    encoding, compressed, cut short, nested deep, with a key twice, or random bytes."""
    doc = draw(patient_documents())
    how = draw(
        st.sampled_from(
            ["utf-8"] * 6
            + ["ascii", "utf-8-sig", "utf-16", "latin-1", "gzip", "truncated", "duplicate key"]
            + ["deep", "bytes"]
        )
    )
    return _encode(doc, how, draw(st.binary(max_size=200)))


# -- argument lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One command line; `file` is written to `{file}` first when given."""

    argv: tuple[str, ...]
    file: bytes | None = None

    def resolved(self, folder: Path) -> list[str]:
        return [a.replace("{tmp}", str(folder)) for a in self.argv]


def _options(**choices: st.SearchStrategy[str] | None) -> st.SearchStrategy[list[str]]:
    """Some of the options given, each with a value drawn from its strategy (None: a flag)."""
    items = list(choices.items())

    def build(picked: list[tuple[str, str | None]]) -> list[str]:
        out: list[str] = []
        for name, value in picked:
            out += [f"--{name.replace('_', '-')}"] + ([value] if value is not None else [])
        return out

    return st.lists(
        st.sampled_from(items).flatmap(
            lambda item: (
                st.just((item[0], None))
                if item[1] is None
                else item[1].map(lambda value, n=item[0]: (n, value))
            )
        ),
        max_size=len(items) + 1,
    ).map(build)


def _mostly(usual: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`usual` three times in four, else `other` (st.one_of does not weigh its branches)."""
    return st.sampled_from([True, True, True, False]).flatmap(lambda pick: usual if pick else other)


def _of(units: list[str], plausible: list[str]) -> st.SearchStrategy[str]:
    """A quantity of one kind: mostly one a ward would type (so that the run gets past parsing
    to the rules), else a number in one of its units, or anything at all."""
    return _mostly(
        st.sampled_from(plausible),
        st.one_of(
            st.builds(lambda n, u: f"{n}{u}", NUMBERS, st.sampled_from(units)),
            st.builds(lambda n, u: f"{n} {u}", NUMBERS, st.sampled_from(units)),
            QUANTITIES,
        ),
    )


WEIGHTS = _of(["kg", "lb", "g"], ["60kg", "72 kg", "154lb", "10kg", "39kg", "300kg", "45000g"])
DOSES = _of(["mg", "mcg"], ["3mg", "0.5mg", "2.5 mg", "4mg", "45mg", "99mg", "100mg", "500mcg"])
RATES = _of(["mg/kg/day"], ["0.1mg/kg/day", "0.04mg/kg/day", "0.3mg/kg/day", "0.15 mg/kg/d"])
TROUGHS = st.one_of(
    _of(["ug/L", "ng/mL", "nmol/L"], ["8ug/L", "12 ng/mL", "15nmol/L", "0.5ug/L", "200ug/L"]),
    st.builds(lambda n: f"<{n}ug/L", NUMBERS),
    st.just("<2ug/L"),
)
_RECENT = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 12, 31))
RECENT = _mostly(_RECENT.map(date.isoformat), DATES)
_KNOWN = st.sampled_from(["ir-capsule", "granules", "advagraf", "envarsus"])
PRODUCTS = _mostly(_KNOWN, st.sampled_from(["prograf", "", "IR-CAPSULE"]))


@st.composite
def calls(draw: st.DrawFn) -> Call:
    """A command line: every command with its required options (mostly) and some others, with
    values from the strategies above, and a patient file where one is expected."""
    command = draw(
        st.sampled_from(
            ["dose", "adjust", "switch", "check", "list", "import", "event", "export", "history"]
            * 3
            + ["plan", "restore", "backup", "bogus", ""]
        )
    )
    required = draw(st.integers(0, 9)) > 0  # leave out a required option one time in ten
    flag = st.none()
    argv: list[str]
    if command == "dose":
        argv = ["dose", "--weight", draw(WEIGHTS)] if required else ["dose"]
        argv += ["--rate", draw(RATES)] if draw(st.booleans()) else ["--dose", draw(DOSES)]
        argv += draw(_options(formulation=PRODUCTS, json=flag))
    elif command == "adjust":
        days = st.one_of(st.sampled_from(["5", "14", "2"]), st.integers(-5, 10**6).map(str), TEXT)
        argv = ["adjust", "--dose", draw(DOSES), "--trough", draw(TROUGHS)]
        argv += ["--days-on-dose", draw(days)] if required else []
        argv += draw(_options(target=TROUGHS, weight=WEIGHTS, formulation=PRODUCTS, json=flag))
    elif command == "switch":
        argv = ["switch", "--dose", draw(DOSES)] + (["--to", draw(PRODUCTS)] if required else [])
        argv += draw(_options(**{"from": PRODUCTS}, json=flag))
    elif command == "check":
        argv = ["check", draw(st.sampled_from(["{tmp}/p.json", "H123", "{tmp}", "{tmp}/no.json"]))]
        units = st.one_of(st.sampled_from(["ug/L", "ng/mL", "nmol/L", "umol/L", "mg/dL"]), TEXT)
        argv += draw(_options(today=RECENT, json=flag, trough_unit=units, creatinine_unit=units))
    elif command == "list":
        argv = ["list", *draw(st.lists(TEXT, max_size=1))]
        argv += draw(_options(limit=st.one_of(NUMBERS, st.integers().map(str)), json=flag))
    elif command == "import":
        argv = ["import", "--replace", "{tmp}/p.json"]
        argv += draw(st.lists(st.sampled_from(["{tmp}/p.json", "{tmp}", "/dev/null"]), max_size=2))
    elif command == "event":
        kinds = st.sampled_from(["start", "change", "switch", "hold", "resume", "stop", "restart"])
        argv = ["event", draw(st.sampled_from(["H123", "H123", "H1\x1b", ""])), draw(kinds)]
        argv += ["--date", draw(RECENT)]
        argv += draw(_options(time=TIMES, dose=DOSES, to=PRODUCTS, reason=TEXT, times=TIMES))
    elif command == "export":
        argv = ["export", draw(st.sampled_from(["H123", "H9", "\u202eH123"]))]
        argv += ["--out", draw(st.sampled_from(["{tmp}/out.json", "{tmp}", "{tmp}/no/x", ""]))]
    elif command == "history":
        argv = ["history", draw(st.sampled_from(["H123", "H9", "H\n1"])), "--json"]
    elif command == "plan":
        argv = ["plan", draw(st.sampled_from(["{tmp}/p.json", "H123", "{tmp}"]))]
        argv += ["--out", draw(st.sampled_from(["{tmp}/plan.pdf", "{tmp}", "{tmp}/no/p.pdf", ""]))]
        argv += draw(_options(today=RECENT, paper=st.sampled_from(["a4", "letter", "A5"])))
    elif command == "restore":
        argv = ["restore", draw(st.sampled_from(["{tmp}/p.json", "{tmp}", "{tmp}/nothing"]))]
    elif command == "backup":
        argv = ["backup", "--out", draw(st.sampled_from(["{tmp}", "{tmp}/no/b", ""]))]
    else:  # never an empty command line: that opens the window
        argv = [command, *draw(st.lists(TEXT, max_size=3))] if command else ["--data-dir"]
    # a file that imports (so that the commands on H123 find a patient) more often than not
    file = draw(patient_files()) if draw(st.integers(0, 3)) == 0 else EXAMPLE_PATH.read_bytes()
    return Call(argv=("--data-dir", "{tmp}/d", *argv), file=file)


def broken(code: object, err: str, seconds: float, megabytes: float) -> list[str]:
    """What a run did against the property (empty when it holds)."""
    faults = []
    if code not in (0, 2, None):
        faults.append(f"exit status {code}")
    lines = err.count("\n")
    if lines > 1 or (code == 2 and lines != 1):
        faults.append(f"{lines} lines on stderr")
    if "Traceback" in err:
        faults.append("a traceback")
    if seconds >= SECONDS:
        faults.append(f"{seconds:.1f} s")
    if megabytes >= MEGABYTES:
        faults.append(f"{megabytes:.0f} MB")
    return faults
