"""Benchmark of the frozen bundle: size and cold start against a bare frozen PySide6 window.

    .venv/bin/python bench/bench_bundle.py        (after bash packaging/build-linux.sh)

The bare app imports QtWidgets and QtCharts, shows an empty QMainWindow and exits; it is
frozen here with the same PyInstaller settings (one folder, the same excluded modules). Cold
start: each run first drops the bundle's files from the page cache where the system allows it
(root: /proc/sys/vm/drop_caches), then times the process from its start to the line "painted"
it prints once its window is painted.
Targets: size at most 1.3x and start at most 1.5x the bare bundle.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BARE_WINDOW, ms_to_painted

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9

SPEC = """
import sys
sys.path.insert(0, {packaging!r})
from bundle_settings import EXCLUDED
a = Analysis([{script!r}], excludes=EXCLUDED)
pyz = PYZ(a.pure)
exe = EXE(pyz, a.scripts, [], exclude_binaries=True, name="bare", console=True)
COLLECT(exe, a.binaries, a.datas, name="bare")
"""


def size_mb(folder: Path) -> float:
    """What the folder takes on disk: regular files only (PyInstaller links some libraries)."""
    return (
        sum(f.lstat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
        / 2**20
    )


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Milliseconds to the first paint; negative when the page cache could not be dropped."""
    cold = drop_caches()
    elapsed = ms_to_painted(argv, env)
    return elapsed if cold else -elapsed


def main() -> None:
    ours = ROOT / "dist" / "tacrocalc"
    if not (ours / "tacrocalc").exists():
        sys.exit("build the bundle first: bash packaging/build-linux.sh")
    work = Path(tempfile.mkdtemp())
    (work / "bare.py").write_text(BARE_WINDOW)
    (work / "bare.spec").write_text(
        SPEC.format(packaging=str(ROOT / "packaging"), script=str(work / "bare.py"))
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(work / "bare.spec"),
        ],
        check=True,
    )
    bare = work / "dist" / "bare"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    bare_times, our_times = [], []
    for _ in range(RUNS):
        bare_times.append(timed([str(bare / "bare")], env))
        data = tempfile.mkdtemp()
        our_times.append(
            timed([str(ours / "tacrocalc"), "--data-dir", data, "--quit-after-start"], env)
        )
    cold = all(t > 0 for t in bare_times + our_times)
    b = statistics.median(abs(t) for t in bare_times)
    o = statistics.median(abs(t) for t in our_times)
    sb, so = size_mb(bare), size_mb(ours)
    print(
        f"bundle size: bare {sb:.0f} MiB, TacroCalc {so:.0f} MiB, ratio {so / sb:.2f} "
        f"(target <= 1.3: {'met' if so / sb <= 1.3 else 'NOT met'})"
    )
    print(
        f"{'cold' if cold else 'warm (page cache could not be dropped)'} start, median of {RUNS}: "
        f"bare window {b:.0f} ms; TacroCalc window {o:.0f} ms; ratio {o / b:.2f} "
        f"(target <= 1.5: {'met' if o / b <= 1.5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
