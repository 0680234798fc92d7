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
