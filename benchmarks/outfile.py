"""What writing a file safely costs (db/outfile.py), against plain writes.

    .venv/bin/python benchmarks/outfile.py [--megabytes 20] [--repeats 30]

Side by side, in one run, in one directory:

- a text file of export-shaped lines through ``atomic_file`` (temporary
  name, fsync, hard link into place) against ``open()`` + write + fsync
  (the floor a durable export must pay) and ``open()`` + write alone;
- ``backup_case_file`` of the demo case against SQLite's backup API into a
  new file by hand;
- ``create_case`` (built under a temporary name, linked, opened again)
  against a bare SQLite file given the same schema.

Medians and 95th percentiles in milliseconds, and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import clock_ms, summary  # noqa: E402

import db  # noqa: E402
from db.outfile import atomic_file  # noqa: E402
from seed.build import build_case  # noqa: E402


def side_by_side(repeats: int, *actions: Callable[[int], object]) -> list[dict[str, float]]:
    """Each action's times, the runs taken in turn so that the machine's load
    falls on all of them alike."""
    times: list[list[float]] = [[] for _ in actions]
    for run in range(repeats):
        for action, taken in zip(actions, times, strict=True):
            taken.append(clock_ms(lambda: action(run))[0])  # noqa: B023 (called at once)
    return [summary(taken) for taken in times]


def text_lines(megabytes: int) -> list[str]:
    line = '{"id": 123456, "text": "Auštrevičius said the Kremlin had agents in Brussels."}\n'
    return [line] * (megabytes * 1024 * 1024 // len(line.encode("utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks") as folder:
        here = Path(folder)
        lines = text_lines(args.megabytes)

        def plain(run: int, *, sync: bool) -> None:
            with open(here / f"plain-{sync}-{run}.txt", "w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
                if sync:
                    handle.flush()
                    os.fsync(handle.fileno())

        def safe(run: int) -> None:
            with atomic_file(here / f"safe-{run}.txt") as handle:
                handle.writelines(lines)

        case_path = here / "brussels.casebook"
        build_case(case_path)
        case = db.open_case(case_path, read_only=True)

        def bare_backup(run: int) -> None:
            target = sqlite3.connect(here / f"bare-{run}.casebook")
            case.conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            target.close()

        def safe_backup(run: int) -> None:
            db.backup_case_file(case.conn, here / f"backup-{run}.casebook")

        schema = [row[0] for row in case.conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '%\\_fts\\_%' "
            "ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")]

        def bare_create(run: int) -> None:
            conn = sqlite3.connect(here / f"bare-new-{run}.casebook", isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN")
            for statement in schema:
                conn.execute(statement)
            conn.execute("COMMIT")
            conn.close()

        def safe_create(run: int) -> None:
            db.create_case(here / f"new-{run}.casebook", title="T").close()

        safe_text, synced_text, plain_text = side_by_side(
            args.repeats, safe, lambda run: plain(run, sync=True), lambda run: plain(run, sync=False))
        backup, floor_backup = side_by_side(args.repeats, safe_backup, bare_backup)
        created, floor_created = side_by_side(args.repeats, safe_create, bare_create)
        rows = [
            (f"text file, {args.megabytes} MB", safe_text, synced_text, "open+write+fsync"),
            (f"text file, {args.megabytes} MB", None, plain_text, "open+write"),
            (f"backup, demo case ({case_path.stat().st_size // 1024} KiB)", backup, floor_backup,
             "sqlite3 backup API"),
            ("new empty case", created, floor_created, "sqlite3 + same schema"),
        ]
        case.close()
    print(f"{'measure':<34} {'casebook ms (p95)':>18} {'floor ms (p95)':>16}  ratio  floor")
    for name, ours, floor, what in rows:
        mine = f"{ours['median']:.1f} ({ours['p95']:.1f})" if ours else "-"
        ratio = f"{ours['median'] / floor['median']:.2f}" if ours else "-"
        print(f"{name:<34} {mine:>18} {floor['median']:.1f} ({floor['p95']:.1f}){'':>3}  {ratio:>5}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
