"""Every benchmark still starts: each script answers ``--help`` and every
helper module imports, in a process of its own, so a rename elsewhere that
breaks a benchmark fails the suite. (What they measure is run in
tests/test_benchmarks.py on a tiny case; no figure is judged anywhere.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"
MODULES = sorted(BENCHMARKS.glob("*.py"))
SCRIPTS = [path for path in MODULES if 'if __name__ == "__main__":' in path.read_text("utf-8")]
HELPERS = [path for path in MODULES if path not in SCRIPTS]


def test_the_benchmarks_are_found():
    names = {path.name for path in SCRIPTS}
    assert {"run.py", "review.py", "claim_detail_queries.py", "startup.py"} <= names
    assert {"bench_typing.py", "measure.py", "cases.py"} <= {path.name for path in HELPERS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_each_benchmark_script_answers_help(script: Path, tmp_path: Path):
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: "), result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []   # asking for help makes no files


def test_every_benchmark_helper_module_imports(tmp_path: Path):
    names = ", ".join(path.stem for path in HELPERS)
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path[:0] = {[str(ROOT), str(BENCHMARKS)]!r}; "
                               f"import {names}; print('imported')"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"
