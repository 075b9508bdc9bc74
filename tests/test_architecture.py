"""The import walls of TacroCalc (see README, Development): the domain is pure, and nothing
opens a socket."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tacrocalc"
NETWORK = {
    "socket",
    "ssl",
    "urllib",
    "http",
    "requests",
    "httpx",
    "ftplib",
    "smtplib",
    "asyncio",
    "xmlrpc",
    "telnetlib",
    "poplib",
    "imaplib",
}
DOMAIN_BANNED = NETWORK | {
    "PySide6",
    "shiboken6",
    "reportlab",
    "sqlite3",
    "os",
    "pathlib",
    "io",
    "tempfile",
    "shutil",
    "subprocess",
    "time",
    "platformdirs",
    "locale",
    "tomllib",
    "json",
}
OUTSIDE_UI_BANNED = {"PySide6", "shiboken6"}


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def modules(folder):
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", modules(PACKAGE / "domain"), ids=lambda p: p.name)
def test_domain_imports_no_screen_pdf_database_file_or_clock(path):
    bad = [(name, line) for name, line in imports(path) if name in DOMAIN_BANNED]
    assert bad == []
    text = path.read_text(encoding="utf-8")
    for clock in ("date.today(", "datetime.now(", "datetime.today(", "open("):
        assert clock not in text, f"{path.name} uses {clock}"


@pytest.mark.parametrize("path", modules(PACKAGE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_imports_a_network_module(path):
    assert [(n, line) for n, line in imports(path) if n in NETWORK] == []


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in modules(PACKAGE)
        if "ui" not in p.relative_to(PACKAGE).parts[:1] and p.name != "app.py"
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_only_the_ui_imports_qt(path):
    assert [(n, line) for n, line in imports(path) if n in OUTSIDE_UI_BANNED] == []


def test_the_walls_see_the_modules():
    """A wall that finds no files proves nothing."""
    assert len(modules(PACKAGE / "domain")) >= 10
