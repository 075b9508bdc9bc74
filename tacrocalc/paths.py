"""Where TacroCalc finds its resources and keeps its users' data.

This is the one place that knows whether TacroCalc runs from the source tree or from a frozen
bundle; everything else asks here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "TacroCalc"


def resources_dir() -> Path:
    """`resources/`: protocols, fonts, icons."""
    override = os.environ.get("TACROCALC_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle unpacks its data here
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def protocols_dir() -> Path:
    return resources_dir() / "protocols"


def user_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The per-user data folder, or `--data-dir`; the folders created for it are readable by
    the user alone (an existing folder is left as it is)."""
    if override is not None:
        path = Path(override)
    else:
        from platformdirs import user_data_path

        path = user_data_path(APP_NAME, appauthor=False)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):  # each one the user's alone, whatever the umask
        folder.mkdir(exist_ok=True, mode=0o700)
    return path
