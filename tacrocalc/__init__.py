"""TacroCalc: tacrolimus dosing and monitoring for ward doctors."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tacrocalc")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
