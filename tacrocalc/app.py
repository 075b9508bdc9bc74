"""Composition root: parse the command line, then run a command or open the window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tacrocalc import __version__


def build_parser() -> argparse.ArgumentParser:
    from tacrocalc.cli import add_commands

    parser = argparse.ArgumentParser(
        prog="tacrocalc",
        description="Tacrolimus dosing and monitoring. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"TacroCalc {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "run", None) is None:
        from tacrocalc.ui.app import run_gui

        code: int = run_gui(sys.argv[:1])
        return code
    from tacrocalc.cli import run

    return run(args)
