"""A French workstation for the tests of issue 12: LC_TIME (and Qt's default locale) in fr_FR,
so that a month written by the C library or by Qt would come out French."""

from __future__ import annotations

import contextlib
import locale
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

FRENCH_LOCALE = "fr_FR.UTF-8"
# The months as fr_FR writes them (%b, %B, Qt's MMM and MMMM), none of them an English word.
FRENCH_MONTHS = re.compile(
    r"\b(janv|févr|avr|mai|juin|juil|août|sept|déc|janvier|février|avril|juillet"
    r"|septembre|octobre|novembre|décembre)\b",
    re.IGNORECASE,
)


@contextlib.contextmanager
def french_time(scratch: Path) -> Iterator[None]:
    """LC_TIME set to fr_FR.UTF-8 in this process: the system's when it has it, otherwise one
    generated with `localedef` into `scratch` (LOCPATH). Skips, saying why, when neither can be
    had. The previous setting is put back."""
    previous, locpath = locale.setlocale(locale.LC_TIME), os.environ.get("LOCPATH")
    try:
        locale.setlocale(locale.LC_TIME, FRENCH_LOCALE)
    except locale.Error:
        localedef = shutil.which("localedef")
        if localedef is None:
            pytest.skip(f"no {FRENCH_LOCALE} locale, and no localedef to make one")
        made = subprocess.run(
            [localedef, "-i", "fr_FR", "-f", "UTF-8", str(scratch / FRENCH_LOCALE)],
            capture_output=True,
            text=True,
            check=False,
        )
        os.environ["LOCPATH"] = str(scratch)
        try:
            locale.setlocale(locale.LC_TIME, FRENCH_LOCALE)
        except locale.Error:
            _put_back("LOCPATH", locpath)
            pytest.skip(f"no {FRENCH_LOCALE} locale, and localedef failed: {made.stderr.strip()}")
    try:
        # The proof that the test can fail: the C library now writes French months.
        assert date(2026, 8, 3).strftime("%b %Y") == "août 2026"
        yield
    finally:
        locale.setlocale(locale.LC_TIME, previous)
        _put_back("LOCPATH", locpath)


def _put_back(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
