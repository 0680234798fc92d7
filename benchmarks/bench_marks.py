"""A mark's commit against a bare single-row INSERT, both synchronous=FULL, same disk.

``db.claims.mark_claim`` reads the claim, appends the annotation and moves the
claim's status and version on, in one ``BEGIN IMMEDIATE`` transaction of a
WAL file with synchronous=FULL (an acknowledged mark survives power loss).
The floor is one row inserted and committed the same way in an empty WAL
file beside it. Marks go to a copy of each case, never the cached one.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import db
from db.claims import mark_claim

from measure import Figure, clock_ms, summary

SECTION = "marks (commit, synchronous=FULL)"
STATUSES = ("confirmed", "disputed", "denied", "unreviewed")


def _marks(path: Path, count: int) -> list[float]:
    with db.open_case(path) as case:
        claims = case.scalar("SELECT count(*) FROM claims")
        times = []
        for n in range(count):
            claim_id = 1 + (n * 7919) % claims
            elapsed, _ = clock_ms(lambda: mark_claim(
                case, claim_id, STATUSES[n % len(STATUSES)], annotator="bench"))
            times.append(elapsed)
    return times


def _bare_inserts(directory: Path, count: int) -> list[float]:
    path = directory / "bare-insert.sqlite"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        return [clock_ms(lambda: conn.execute("INSERT INTO marks (note) VALUES (?)", [f"n{n}"]))[0]
                for n in range(count)]
    finally:
        conn.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


def measure_case(path: Path, *, count: int) -> dict:
    copy = path.with_name(f".bench-marks-{path.name}")
    for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    try:
        marks = summary(_marks(copy, count))
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)
    bare = summary(_bare_inserts(path.parent, count))
    return {"mark_claim": marks, "bare_insert": bare}


def run(seed_path: Path, large_path: Path, *, count: int = 200) -> tuple[list[Figure], dict]:
    seed = measure_case(seed_path, count=count)
    large = measure_case(large_path, count=count)
    figures = []
    for stat in ("median", "p95"):
        figures.append(Figure(SECTION, f"mark_claim commit, {stat}", "ms",
                              seed["mark_claim"][stat], large["mark_claim"][stat]))
        figures.append(Figure(SECTION, f"bare 1-row INSERT commit (floor), {stat}", "ms",
                              seed["bare_insert"][stat], large["bare_insert"][stat]))
        figures.append(Figure(SECTION, f"ratio mark / bare INSERT, {stat}", "x",
                              seed["mark_claim"][stat] / seed["bare_insert"][stat],
                              large["mark_claim"][stat] / large["bare_insert"][stat]))
    return figures, {"seed": seed, "large": large, "marks": count}
