"""A 10 MB entity name and a 200,000-line excerpt (issue 17, points 1 and 7):
built with sqlite3 in a copy of the demo case, then the browser (Pilot, 80x24)
opened on the Entities and the Excerpts panes. Prints, for each, the time to
the first screen with the huge row listed and to its detail shown, and the
peak RSS (1.27 GB when ``db.text.TOKEN`` kept a backtracking mark per character
of the 10 MB word; about 200 MB since). Aim: first screen under 0.5 s, keys never lost.

The same pane of the demo case as it is (the floor: the app's own start-up)
is measured beside it, each the median of five runs, so that what the huge
row adds can be read on a busy machine: ``+0.05 s`` over the floor.

    .venv/bin/python benchmarks/bench_huge_rows.py
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


RUNS = 5


def seed(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "casebook", "seed", str(path)], check=True,
                   capture_output=True)
    path.chmod(0o600)
    return path


def build(folder: Path) -> Path:
    path = seed(folder / "huge.casebook")
    from db.text import register_functions
    conn = sqlite3.connect(path)
    register_functions(conn)   # the search indexes' triggers fold with casebook's fold
    conn.execute("UPDATE entities SET name = ? WHERE id = 1", ("N" * 10_000_000,))
    conn.execute("UPDATE excerpts SET text = ? WHERE id = 1",
                 ("\n".join(f"line {n}" for n in range(200_000)),))
    conn.commit()
    conn.close()
    return path


async def measure(path: Path, pane: str) -> tuple[float, float]:
    import db
    from tui.app import CasebookApp
    with db.open_case(path, read_only=True) as case:
        started = time.perf_counter()
        app = CasebookApp(case, annotator="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(pane)
            await pilot.pause()
            listed = time.perf_counter() - started
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = time.perf_counter() - started
    return listed, shown


def median_of_runs(path: Path, pane: str) -> tuple[float, float]:
    runs = [asyncio.run(measure(path, pane)) for _ in range(RUNS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.parse_args()   # no options: --help says what it does
    with tempfile.TemporaryDirectory() as scratch:
        path = build(Path(scratch))
        built = peak_mb()    # the rows written through casebook's index functions
        plain = seed(Path(scratch) / "plain.casebook")
        asyncio.run(measure(plain, "1"))   # imports and caches warm for every row below
        for label, pane in (("10 MB entity name", "1"), ("200,000-line excerpt", "3")):
            floor_listed, floor_shown = median_of_runs(plain, pane)
            listed, shown = median_of_runs(path, pane)
            print(f"{label:24} first screen {listed:5.2f} s ({listed - floor_listed:+.2f} s over "
                  f"the demo case's {floor_listed:.2f} s)   detail {shown:5.2f} s "
                  f"({shown - floor_shown:+.2f} s over {floor_shown:.2f} s)")
    # A peak is a high-water mark: the browser's shows only when it passes the build's.
    print(f"peak RSS {built:.0f} MB after writing the rows, {peak_mb():.0f} MB after "
          "browsing them")


if __name__ == "__main__":
    main()
