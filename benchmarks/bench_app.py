"""The browser as a person meets it, for the seed case and the large case:
process start to first full frame and peak RSS (benchmarks/startup.py: the
app in an 80x24 pty with ``CASEBOOK_EXIT_WHEN_READY=1``, beside a bare
Python process reading the same file), and search per keystroke end to end
(bench_typing.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import bench_typing
import startup
from measure import Figure

SECTION = "browser"


def measure_cases(cases_dir: Path, excerpts: int, *, repeats: int) -> dict[str, Any]:
    """benchmarks/startup.py's figures, run in a process of its own: a child's
    peak RSS counts the parent it was forked from, and this one has loaded
    the whole benchmark by now."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "startup.json"
        subprocess.run(
            [sys.executable, str(Path(startup.__file__)), "--excerpts", str(excerpts),
             "--runs", str(repeats), "--cases", str(cases_dir), "--json", str(out)],
            check=True, capture_output=True, text=True,
        )
        figures = json.loads(out.read_text(encoding="utf-8"))
    seed, large = figures["median"].values()
    return {"seed": seed, "large": large, "startup": figures}


def run(seed_path: Path, large_path: Path, *, excerpts: int,
        repeats: int = 5) -> tuple[list[Figure], dict[str, Any]]:
    started = measure_cases(large_path.parent, excerpts, repeats=repeats)
    seed, large = started["seed"], started["large"]
    figures = [
        Figure(SECTION, "start to first full frame (80x24, pty)", "s", seed["app_s"], large["app_s"]),
        Figure(SECTION, "  floor: python opening the file, first page", "s",
               seed["floor_s"], large["floor_s"]),
        Figure(SECTION, "peak RSS", "MiB", seed["app_rss_mb"], large["app_rss_mb"]),
        Figure(SECTION, "  floor: peak RSS", "MiB", seed["floor_rss_mb"], large["floor_rss_mb"]),
    ]
    raw = {"start": started}
    typed = {"seed": bench_typing.measure_case(seed_path),
             "large": bench_typing.measure_case(large_path)}
    late = {case: found["at_ceiling"] for case, found in typed.items() if found["at_ceiling"]}
    note = ", ".join(f"{case}: {count} keystroke(s) counted at the {bench_typing.CEILING_S:.0f} s "
                     "ceiling" for case, count in late.items())
    for key, label in (("first_results", "a keystroke to its first results drawn (Pilot)"),
                       ("final_order", "a keystroke to its final order drawn")):
        for stat in ("median", "p95"):
            figures.append(Figure(SECTION, f"{label}, {stat}", "ms",
                                  typed["seed"][key][stat], typed["large"][key][stat], note=note))
    raw["typing"] = typed
    return figures, raw
