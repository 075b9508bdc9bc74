"""Composition root: parse the command line, then run a command or open the window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn


class _Parser(argparse.ArgumentParser):
    """A mistake in the arguments is refused like any other input: one line on stderr, status 2
    (argparse prints the whole usage first, over several lines)."""

    def error(self, message: str) -> NoReturn:
        from tacrocalc.cli import one_line

        self.exit(2, one_line(f"refused: {self.prog}: {message} (see {self.prog} --help)") + "\n")


class _VersionAction(argparse.Action):
    """`--version`, reading the installed version only when asked (it costs ~35 ms)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        import tacrocalc

        parser.exit(message=f"TacroCalc {tacrocalc.__version__}\n")


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; without `commands`, only the options of the window (what
    `tacrocalc` alone needs, without importing the commands and the clinical core)."""
    parser: argparse.ArgumentParser = _Parser(
        prog="tacrocalc",
        description="Tacrolimus dosing and monitoring. With no command, opens the window.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--open",
        metavar="FILE",
        help="open the window and import this patient file (asks before replacing a patient)",
    )
    parser.add_argument(  # for start-up benchmarks of installed and frozen builds
        "--quit-after-start",
        nargs="?",
        const="painted",
        choices=["painted", "ready"],
        default="",
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="build the window offscreen, enter a patient, check what it shows",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep patient data in DIR instead of the user's data folder",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="use the ward's PostgreSQL database (postgresql://USER@HOST/DATABASE) instead of"
        " a data folder; also TACROCALC_SERVER. The password comes from ~/.pgpass",
    )
    if commands:
        from tacrocalc.cli import add_commands

        sub = parser.add_subparsers(title="commands", metavar="COMMAND")
        add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        args = build_parser().parse_args(argv)
    else:
        args, rest = build_parser(commands=False).parse_known_args(argv)
        if rest:  # a command: the whole command line
            args = build_parser().parse_args(argv)
    if args.self_test:
        from tacrocalc.ui.selftest import run_self_test

        return run_self_test()
    if getattr(args, "run", None) is None:
        from tacrocalc.records.store import chosen_server
        from tacrocalc.ui.app import run_gui

        server = chosen_server(args.server, args.data_dir)
        if server is None and args.data_dir is None:
            from tacrocalc.ui.ward import saved_server

            server = saved_server()  # the one chosen in the window (File → Ward server…)
        code: int = run_gui(
            sys.argv[:1],
            args.data_dir,
            open_file=args.open,
            quit_after_start=args.quit_after_start,
            server=server,
        )
        return code
    from tacrocalc.cli import run

    return run(args)
