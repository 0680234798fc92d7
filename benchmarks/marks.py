"""How long a mark takes to commit, against a bare SQLite INSERT on the same disk.

A mark (``db.claims.mark_claim``) is one short ``BEGIN IMMEDIATE``
transaction: read the claim, insert an annotation, update the claim, commit
with ``synchronous=FULL`` in WAL mode, so it survives a crash or power loss
once acknowledged. The floor is the least SQLite can do for the same promise:
one single-row INSERT committed with ``synchronous=FULL`` in WAL mode, in a
file beside the case. Both are timed in one loop, alternating, so they share
the disk's weather.

    python benchmarks/marks.py [--marks N] [--dir DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.claims import get_claim, mark_claim  # noqa: E402
from seed.build import build_case  # noqa: E402

STATUSES = ("confirmed", "disputed", "denied")


def _bare_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY, claim_id INTEGER, status TEXT)")
    return conn


# Another annotator, in its own process, marking as fast as it can.
_RIVAL = """
import sys, itertools
sys.path.insert(0, sys.argv[2])
import db
from db.claims import mark_claim
case = db.open_case(sys.argv[1])
claims = case.scalar("SELECT count(*) FROM claims")
print("ready", flush=True)
for i in itertools.count():
    mark_claim(case, i % claims + 1, "disputed", annotator="rival")
"""


def _marks_beside_a_rival(case: db.Case, marks: int) -> tuple[list[float], int]:
    rival = subprocess.Popen([sys.executable, "-c", _RIVAL, str(case.path), str(ROOT)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert rival.stdout is not None
        rival.stdout.readline()
        claims = case.scalar("SELECT count(*) FROM claims")
        times = []
        for i in range(marks):
            started = time.perf_counter()
            mark_claim(case, i % claims + 1, STATUSES[i % 3], annotator="bench")
            times.append(time.perf_counter() - started)
        if rival.poll() is not None:
            raise RuntimeError(f"the other marking process stopped (exit {rival.returncode})")
        rival_marks = case.scalar("SELECT count(*) FROM annotations WHERE annotator = 'rival'")
        return times, rival_marks
    finally:
        rival.kill()
        rival.wait()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _figures(seconds: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(seconds) * 1000,
            "p95_ms": _percentile(seconds, 0.95) * 1000,
            "p99_ms": _percentile(seconds, 0.99) * 1000,
            "max_ms": max(seconds) * 1000,
            "total_s": sum(seconds)}


def run(*, marks: int = 500, directory: str | Path | None = None) -> dict[str, Any]:
    """Time ``marks`` marks and as many bare INSERTs; return the figures.

    ``directory`` is where both files go (default: a temporary directory
    under benchmarks/, so on the project's disk rather than a tmpfs).
    """
    base = Path(directory) if directory else ROOT / "benchmarks" / "cases"
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="marks-", dir=base))
    try:
        build_case(work / "case.casebook")
        bare = _bare_database(work / "bare.sqlite")
        mark_times, bare_times = [], []
        with db.open_case(work / "case.casebook") as case:
            claims = case.scalar("SELECT count(*) FROM claims")
            for i in range(marks):
                claim_id = i % claims + 1
                status = STATUSES[i % len(STATUSES)]
                version = get_claim(case, claim_id).version  # what the browser holds

                started = time.perf_counter()
                bare.execute("BEGIN IMMEDIATE")
                bare.execute("INSERT INTO marks (claim_id, status) VALUES (?, ?)", [claim_id, status])
                bare.execute("COMMIT")
                bare_times.append(time.perf_counter() - started)

                started = time.perf_counter()
                mark_claim(case, claim_id, status, annotator="bench", expected_version=version)
                mark_times.append(time.perf_counter() - started)
            contended_times, rival_marks = _marks_beside_a_rival(case, marks)
        bare.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mark, floor = _figures(mark_times), _figures(bare_times)
    contended = _figures(contended_times)
    return {
        "marks": marks,
        "directory": str(base),
        "sqlite_version": sqlite3.sqlite_version,
        "bare_insert": floor,
        "mark_claim": mark,
        "ratio": {key: mark[key] / floor[key] for key in mark},
        # The same marks while another process marks non-stop: the wait for
        # the write lock, never a "database is locked".
        "mark_claim_with_rival": contended,
        "rival_marks": rival_marks,  # how many the other process made meanwhile
        "ratio_with_rival": {key: contended[key] / floor[key] for key in contended},
    }


def table(result: dict[str, Any]) -> str:
    def row(label: str, figures: dict[str, float]) -> str:
        return (f"{label:<36}" + "".join(f"{figures[key]:>9.3f}ms" for key in _COLUMNS))

    def ratio(label: str, figures: dict[str, float]) -> str:
        return f"{label:<36}" + "".join(f"{figures[key]:>10.2f}x" for key in _COLUMNS[:2])

    return "\n".join([
        f"mark commit time: {result['marks']} marks, synchronous=FULL, WAL, "
        f"SQLite {result['sqlite_version']}, in {result['directory']}",
        f"{'':<36}" + "".join(f"{name:>11}" for name in ("median", "p95", "max")),
        row("bare single-row INSERT (floor)", result["bare_insert"]),
        row("mark_claim (casebook)", result["mark_claim"]),
        ratio("ratio (mark / floor)", result["ratio"]),
        row("mark_claim, another process marking", result["mark_claim_with_rival"]),
        ratio("ratio (that / floor)", result["ratio_with_rival"]),
        f"(the other process made {result['rival_marks']} marks meanwhile; "
        "no mark failed with 'database is locked')",
    ])


_COLUMNS = ("median_ms", "p95_ms", "max_ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=500)
    parser.add_argument("--dir", default=None, help="where to put the files (default: benchmarks/cases)")
    parser.add_argument("--json", dest="json_out", default=None, help="also write the figures here")
    args = parser.parse_args()
    result = run(marks=args.marks, directory=args.dir)
    print(table(result))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
