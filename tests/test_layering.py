"""The layers stand apart: the case-file layer without the TUI, the
browser's folders each above the ones it may use, the command line without
textual unless it opens the browser."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"textual", "rich"}
_DIRECT_SQL = re.compile(r"\.(execute|executemany|executescript)\(|\bcase\.(rows|row|scalar|write|conn)\b")


def imported_modules(path: Path) -> set[str]:
    """The top-level packages a file imports (absolute imports)."""
    return {name.split(".")[0] for name in imported_names(path) if not name.startswith(".")}


def imported_names(path: Path, root: Path = ROOT) -> set[str]:
    """Every module a file imports, relative imports resolved to full names
    (``from ..widgets import detail`` in ``tui/panes/pane.py`` is
    ``tui.widgets``), including imports inside functions."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


# The browser's folders, bottom up: each may use the ones named for it (and
# textual, rich, the standard library), never one above it. The base
# modules (tui.text, tui.labels, tui.terminal) sit under them all.
BASE = ("tui.text", "tui.labels", "tui.terminal")
TUI_LAYERS: dict[str, tuple[str, ...]] = {
    "tui.widgets": BASE,
    "tui.panes": (*BASE, "tui.widgets", "db"),
    "tui.details": (*BASE, "tui.widgets", "db"),
    "tui.screens": (*BASE, "tui.widgets", "tui.details", "db"),
    "tui.history": (*BASE, "tui.widgets"),
    "tui.kinds": (*BASE, "tui.widgets", "tui.panes", "tui.details", "db"),
    "tui.parts": (*BASE, "tui.widgets", "tui.panes", "tui.details", "tui.screens", "tui.history",
                  "tui.kinds", "db"),
}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def layer_offences(layers: dict[str, tuple[str, ...]], root: Path = ROOT) -> dict[str, list[str]]:
    """For each file of a layer, the casebook modules it imports that its layer may not use."""
    offences: dict[str, list[str]] = {}
    for layer, allowed in layers.items():
        folder = root.joinpath(*layer.split("."))
        files = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
        for path in files:
            names = imported_names(path, root)
            # "from .x import y" also names "pkg.x.y": judged by its module alone.
            modules = {name for name in names if not any(
                name.startswith(other + ".") and other in names for other in names if other != name)}
            bad = sorted(name for name in modules
                         if name.split(".")[0] in ("db", "tui", "casebook", "seed")
                         and not _within(name, (layer, *allowed)))
            if bad:
                offences[str(path.relative_to(root))] = bad
    return offences


def test_each_folder_of_the_browser_uses_only_the_layers_below_it():
    assert layer_offences(TUI_LAYERS) == {}


def test_the_layering_check_catches_an_import_from_above(tmp_path):
    """The check itself can fail: a widget that reads a pane's feed, or the case, is caught."""
    widgets = tmp_path / "tui" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "fine.py").write_text("from ..text import plain_line\nfrom .lines import LineView\n")
    (widgets / "bad.py").write_text("from ..panes.feeds import Feed\n\n\ndef f():\n"
                                    "    from db import Case\n")
    offences = layer_offences({"tui.widgets": BASE}, root=tmp_path)
    assert offences == {"tui/widgets/bad.py": ["db", "tui.panes.feeds"]}


def test_nothing_in_the_browser_imports_the_app():
    """The app owns the parts; the parts reach it only through their Protocols."""
    importers = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "tui").rglob("*.py")
        if path.name != "app.py" and any(_within(name, ("tui.app",)) for name in imported_names(path))
    )
    assert importers == []


# An import put off on purpose (not to hide a cycle) says why on its line.
_PUT_OFF_FOR_START_UP = re.compile(r"#.*\bstart-up\b")


def package_imports(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of it that it imports, at its
    top or inside a function: an import under ``if TYPE_CHECKING:`` is the type
    checker's alone, and one whose line says it is put off for start-up is left out."""
    paths = {".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
             for path in sorted((root / package).rglob("*.py"))}

    def known(name: str) -> str:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        base = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(text)
        typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for inner in ast.walk(node)}
        found: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in typing_only:
                continue
            if _PUT_OFF_FOR_START_UP.search(lines[node.lineno - 1]):
                continue
            if isinstance(node, ast.Import):
                found |= {known(alias.name) for alias in node.names}
                continue
            parts = base.split(".")
            name = ".".join(parts[:len(parts) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module or ""
            found |= {known(f"{name}.{alias.name}") if f"{name}.{alias.name}" in paths else known(name)
                      for alias in node.names}
        graph[module] = found - {"", module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The modules that import each other, round about (the strongly connected
    components of more than one module, Tarjan's way)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_db_has_no_import_cycles():
    """Each module of db/ stands on the ones below it: a piece two modules share
    lives below both, not in one that imports the other inside a function."""
    graph = package_imports("db")
    assert {"db.trust", "db.schema"} <= graph["db.casefile"] and "db.readers.text" in graph
    assert import_cycles(graph) == []


def test_the_cycle_check_catches_an_import_inside_a_function(tmp_path):
    package = tmp_path / "db"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .inner import b\n")
    (package / "inner" / "b.py").write_text("def f():\n    from .. import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                                  "    from .d import D\n\n\ndef f():\n"
                                  "    from . import d  # here: start-up does not load it\n")
    (package / "d.py").write_text("from . import c\n")
    graph = package_imports("db", root=tmp_path)
    assert graph["db.a"] == {"db.inner.b"} and graph["db.inner.b"] == {"db.a"}
    assert graph["db.c"] == set() and graph["db.d"] == {"db.c"}
    assert import_cycles(graph) == [["db.a", "db.inner.b"]]


def test_db_sources_never_import_textual_or_rich():
    offenders = {
        str(path.relative_to(ROOT)): imported_modules(path) & FORBIDDEN
        for path in (ROOT / "db").rglob("*.py")
        if imported_modules(path) & FORBIDDEN
    }
    assert offenders == {}


def test_importing_every_db_module_loads_no_ui_library():
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "db").rglob("*.py")
    )
    assert "db.search" in modules and "db.casefile" in modules and "db.exports.stix" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_tui_has_no_sql():
    """The browser talks to the case only through db/'s API."""
    offenders = []
    for path in (ROOT / "tui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "sqlite3" in imported_modules(path) or _DIRECT_SQL.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("command", [
    ["search", "{case}", "Logvinov"], ["claims", "{case}"], ["check", "{case}"],
    ["history", "{case}", "1"], ["export", "{case}", "--format", "json", "-o", "/dev/null"],
])
def test_commands_that_do_not_open_the_browser_never_import_textual_or_rich(seed_case_file, command):
    argv = [part.format(case=seed_case_file) for part in command]
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules "
        "if m.split('.')[0] in ('textual', 'rich')}), file=sys.stderr))\n"
        "from casebook.cli import main\n"
        f"main({argv!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("command", [["--help"], ["claims", "{case}"], ["search", "{case}", "Logvinov"],
                                     ["check", "{case}"]])
def test_the_command_line_never_imports_textual_or_rich(command, seed_case_file):
    """Only ``casebook open`` pays for loading the browser (issue 17, point 9)."""
    code = ("import contextlib, io, sys\n"
            "from casebook.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    try:\n        main(sys.argv[1:])\n    except SystemExit:\n        pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'}))\n")
    argv = [part.format(case=seed_case_file) for part in command]
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", (command, result.stdout)
