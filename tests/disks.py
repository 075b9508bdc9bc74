"""Small real disks for the tests of issue 12: a tmpfs mounted read-only, or filled to the last
byte. Mounting needs root on Linux; elsewhere the tests that need one are skipped, saying why."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(point: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `point` (made), unmounted at the end."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a real read-only or full disk needs a tmpfs mount: root on Linux")
    point.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def make_read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def fill(point: Path) -> None:
    """Fill the disk at `point` to the last byte."""
    with (point / "filler").open("wb", buffering=0) as out:
        for block in (b"\0" * 65536, b"\0"):
            with contextlib.suppress(OSError):  # ENOSPC: full at this size of block
                while True:
                    out.write(block)
    if shutil.disk_usage(point).free:
        raise AssertionError(f"{point} is not full")
