"""Marks in the combined report: ``benchmarks/marks.py`` (issue 4's benchmark)
run as it is, its figures put in the table.

It times ``mark_claim`` against a bare single-row INSERT with
synchronous=FULL beside it, alternating in one loop on a fresh seed case,
then the same marks while another process marks non-stop. A mark's commit
does not depend on the case's size (one B-tree path per table), so it is
measured once, in the seed column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import marks
from measure import Figure

SECTION = "marks (commit, synchronous=FULL)"


def run(seed_path: Path, large_path: Path, *, count: int = 200) -> tuple[list[Figure], dict[str, Any]]:
    result = marks.run(marks=count, directory=large_path.parent)
    figures = []
    for key, label in (("median_ms", "median"), ("p95_ms", "p95")):
        figures += [
            Figure(SECTION, f"mark_claim commit, {label}", "ms", result["mark_claim"][key]),
            Figure(SECTION, f"bare 1-row INSERT commit (floor), {label}", "ms",
                   result["bare_insert"][key]),
            Figure(SECTION, f"ratio mark / bare INSERT, {label}", "x", result["ratio"][key]),
            Figure(SECTION, f"mark_claim while another process marks, {label}", "ms",
                   result["mark_claim_with_rival"][key]),
        ]
    figures.append(Figure(SECTION, "longest wait while another process marks", "ms",
                          result["mark_claim_with_rival"]["max_ms"],
                          note=f"the other process made {result['rival_marks']} marks meanwhile"))
    return figures, result
