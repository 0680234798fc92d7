"""benchmarks/marks.py stays runnable and importable (figures are not judged here)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from benchmarks.marks import run, table  # noqa: E402


def test_the_marks_benchmark_runs_and_reports_every_figure(tmp_path: Path):
    result = run(marks=20, directory=tmp_path)
    for key in ("bare_insert", "mark_claim", "mark_claim_with_rival"):
        assert 0 < result[key]["median_ms"] <= result[key]["p95_ms"] <= result[key]["max_ms"]
    assert result["ratio"]["median_ms"] > 0
    assert "ratio (mark / floor)" in table(result)
    assert list(tmp_path.iterdir()) == []  # its files are cleaned up
