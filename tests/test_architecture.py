"""The import walls of TacroCalc (see README, Development): the domain is pure, nothing opens a
socket of its own (the one connection out is the PostgreSQL driver's, to the ward server the
user configured), and the patient store is entered through its facade."""

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
# records/: the store facade on top, then the ward server's database and the file, the
# migrations, the schema before Alembic, the schema's definition and the table writers; each
# module imports only those after it.
STORE_LAYERS = ["store", "server", "database", "migrate", "schema", "sql_schema", "tables"]
RECORDS_BANNED = {"ui", "report", "cli", "app", "charts", "text", "present"}


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def tacrocalc_imports(path):
    """The tacrocalc modules a file names, in full: `from tacrocalc.records import tables`
    gives tacrocalc.records and tacrocalc.records.tables."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (name for name in names if name.split(".")[0] == "tacrocalc")


def records_siblings(path):
    """The store's own layers (STORE_LAYERS) that a file imports."""
    prefix = "tacrocalc.records."
    return {
        name.removeprefix(prefix).split(".")[0]
        for name in tacrocalc_imports(path)
        if name.startswith(prefix)
    } & set(STORE_LAYERS)


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


@pytest.mark.parametrize("path", modules(PACKAGE / "records"), ids=lambda p: p.name)
def test_records_call_no_front_end(path):
    """The store and the files serve the window, the plan and the command line; they never
    call them."""
    called = {name.split(".")[1] for name in tacrocalc_imports(path) if "." in name}
    assert called & RECORDS_BANNED == set()


@pytest.mark.parametrize("path", modules(PACKAGE / "records"), ids=lambda p: p.name)
def test_the_store_layers_import_downwards(path):
    layer = "migrate" if "migrations" in path.parts else path.stem  # Alembic's scripts
    below = STORE_LAYERS[STORE_LAYERS.index(layer) + 1 :] if layer in STORE_LAYERS else []
    assert records_siblings(path) <= set(below)


@pytest.mark.parametrize(
    "path",
    [p for p in modules(PACKAGE) if "records" not in p.relative_to(PACKAGE).parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_rest_of_tacrocalc_goes_through_the_store(path):
    """The file, the schema and the tables are reached through `Store` alone, which checks and
    audits every write."""
    assert records_siblings(path) <= {"store"}


def test_the_walls_see_the_modules():
    """A wall that finds no files proves nothing."""
    assert len(modules(PACKAGE / "domain")) >= 10
    assert {p.stem for p in modules(PACKAGE / "records")} >= set(STORE_LAYERS)
    assert records_siblings(PACKAGE / "records" / "store.py") >= {"database", "migrate", "tables"}
    assert records_siblings(PACKAGE / "cli.py") == {"store"}


# Which way imports go (ARCHITECTURE.md): ui, report, cli -> present -> domain <- records.
# A package may import itself and what is listed for it, nothing else of TacroCalc.
ALLOWED = {
    "domain": {"domain"},
    "present": {"domain", "present"},
    "records": {"domain", "records", "paths"},
    "report": {"domain", "present", "report", "paths"},
    "cli": {"domain", "present", "records", "report", "paths"},
}


def packages_imported(path):
    """The TacroCalc packages a module imports, anywhere in it (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "tacrocalc":
                if len(parts) > 1:
                    yield parts[1], node.lineno
                else:  # `from tacrocalc import x`: the package's own metadata
                    yield "__init__", node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tacrocalc" and len(parts) > 1:
                    yield parts[1], node.lineno


def _owner(path):
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


@pytest.mark.parametrize(
    "path",
    [p for p in modules(PACKAGE) if _owner(p) in ALLOWED],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_imports_go_one_way(path):
    allowed = ALLOWED[_owner(path)] | {"__init__"}
    assert [(n, line) for n, line in packages_imported(path) if n not in allowed] == []


@pytest.mark.parametrize("path", modules(PACKAGE / "present"), ids=lambda p: p.name)
def test_present_draws_nothing_and_stores_nothing(path):
    """present/ is words and numbers: no Qt, no PDF, no database, no files, no clock."""
    bad = [(name, line) for name, line in imports(path) if name in DOMAIN_BANNED]
    assert bad == []
