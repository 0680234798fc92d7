"""The case-file layer stands without the TUI."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"textual", "rich"}
_DIRECT_SQL = re.compile(r"\.(execute|executemany|executescript)\(|\bcase\.(rows|row|scalar|write|conn)\b")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


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
