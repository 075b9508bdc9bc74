"""User preferences, in QSettings behind one typed table of defaults that refuses unknown keys.

Read where used (`settings.units()`, `settings.dose_times()`), so that a change applies at once.
The file is readable by the user alone (0600). It holds no patient id unless the user asked for
the last patient to be reopened at start ("session/reopen_last"); otherwise the last patient is
remembered for the session only (Open last patient, Ctrl+L). It never holds a password: a ward
server's address with one is refused ("ward/server").
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from tacrocalc.present.units import DisplayUnits


def _labels(kind: str) -> Callable[[], tuple[str, ...]]:
    """The unit choices of `present.units`, read when first asked for (the window is painted
    before the clinical core is imported)."""

    def labels() -> tuple[str, ...]:
        from tacrocalc.domain.units import Kind
        from tacrocalc.present.units import CHOICES, LABELS

        return tuple(LABELS[unit] for unit in CHOICES[Kind(kind)])

    return labels


@dataclass(frozen=True, slots=True)
class Preference:
    default: Any
    options: tuple[Any, ...] | Callable[[], tuple[Any, ...]] = ()
    help: str = ""

    @property
    def choices(self) -> tuple[Any, ...]:
        return self.options() if callable(self.options) else self.options


PREFERENCES: Final[dict[str, Preference]] = {
    "units/trough": Preference("µg/L", _labels("trough"), "unit of trough levels"),
    "units/creatinine": Preference("µmol/L", _labels("creatinine"), "unit of creatinine"),
    "units/weight": Preference("kg", _labels("weight"), "unit of body weight"),
    "report/paper": Preference("a4", ("a4", "letter"), "paper of the printed plan"),
    "dosing/times": Preference("", (), "dose times HH:MM,HH:MM (empty: the protocol's)"),
    "protocol/default": Preference("seed-1997", (), "protocol of new patients"),
    "session/last_patient": Preference("", (), "the patient opened last"),
    "session/reopen_last": Preference(False, (), "reopen the last patient at start"),
    "files/last_folder": Preference("", (), "folder of the last export or import"),
    # The ward server's address (postgresql://USER@HOST/DATABASE?sslmode=…), never with a
    # password; empty: this computer's data folder. --server, TACROCALC_SERVER and --data-dir
    # win over it (tacrocalc.app).
    "ward/server": Preference("", (), "the ward server's address (empty: this computer)"),
    "window/geometry": Preference(b"", (), "window size and place"),
    "window/splitters": Preference(b"", (), "the width of the patient list"),
    "window/columns": Preference(b"", (), "the widths of the patient view's two columns"),
}


class Settings:
    """Typed access to the preferences; a key not in PREFERENCES is a programming error."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qt = QSettings("TacroCalc", "TacroCalc")
        else:
            self._qt = QSettings(str(path), QSettings.Format.IniFormat)
        self._last_patient: str | None = None  # opened in this session
        if not self.get("session/reopen_last") and self._qt.contains("session/last_patient"):
            self._qt.remove("session/last_patient")  # kept by an earlier version
            self._qt.sync()
        self._private()

    def _private(self) -> None:
        """The settings file readable by the user alone (where it is a file)."""
        name = self._qt.fileName()
        if os.path.isfile(name):
            with contextlib.suppress(OSError):
                os.chmod(name, 0o600)

    def get(self, key: str) -> Any:
        preference = PREFERENCES[key]
        if key == "session/last_patient":
            if self._last_patient is not None:
                return self._last_patient
            if not self.get("session/reopen_last"):
                return ""
        value = self._qt.value(key, preference.default)
        if isinstance(preference.default, bool):
            return value is True or str(value).lower() in ("true", "1")
        if isinstance(preference.default, bytes):
            if isinstance(value, QByteArray):
                return bytes(value.data())
            return bytes(value) if isinstance(value, bytes | bytearray) else b""
        value = type(preference.default)(value)
        if preference.choices and value not in preference.choices:
            return preference.default
        return value

    def units(self) -> DisplayUnits:
        """The display units chosen now (R1.4)."""
        from tacrocalc.present.units import DisplayUnits

        return DisplayUnits.from_text(
            trough=self.get("units/trough"),
            creatinine=self.get("units/creatinine"),
            weight=self.get("units/weight"),
        )

    def dose_times(self) -> tuple[time, ...]:
        """The user's dose times; empty for the protocol's."""
        return parse_times(self.get("dosing/times")) or ()

    def set(self, key: str, value: Any) -> None:
        preference = PREFERENCES[key]
        if preference.choices and value not in preference.choices:
            raise ValueError(f"{key}: {value!r} is not one of {preference.choices}")
        if key == "ward/server" and value:
            from tacrocalc.ui.ward import address_refusal

            refusal = address_refusal(value)
            if refusal is not None:  # never a password, nor an address that cannot be used
                raise ValueError(refusal)
        if isinstance(value, bytes):  # a QByteArray is stored portably, Python bytes are not
            value = QByteArray(value)
        if key == "session/last_patient":
            self._last_patient = value
            if not self.get("session/reopen_last"):
                return  # remembered for this session only
            if self._qt.value(key) == value:
                return  # in the file already (the patient reopened at start): ~15 ms a write
        if key == "session/reopen_last":
            value = bool(value)
            if not value:
                self._qt.remove("session/last_patient")
            elif self._last_patient:
                self._qt.setValue("session/last_patient", self._last_patient)
        self._qt.setValue(key, value)
        self._qt.sync()
        self._private()


def parse_times(text: str) -> tuple[time, ...] | None:
    """ "08:00,20:00" -> (08:00, 20:00); None when it is not a list of HH:MM."""
    try:
        return tuple(time.fromisoformat(t.strip()) for t in text.split(",") if t.strip())
    except ValueError:
        return None
