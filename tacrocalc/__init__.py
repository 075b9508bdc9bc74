"""TacroCalc: tacrolimus dosing and monitoring for ward doctors."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version comes from the installed metadata (pyproject.toml is its one source); it is
    # read when first asked for, since importlib.metadata costs ~35 ms at every start.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("tacrocalc")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0+unknown"
    raise AttributeError(name)
