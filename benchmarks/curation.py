"""Curation latency beside its floors: a revision against a mark and a bare
SQLite INSERT, combining two entities of 1,000 links each, the first screen
of likely duplicates, and merging a laptop copy that added items and links.

    .venv/bin/python benchmarks/curation.py [--excerpts N] [--repeats R] [--case PATH]

The mark and the revisions are taken in turn (a mark, a revision of an
entity's description, one of another's aliases), so a load that changes
weighs on each alike. Generates a case of ``--excerpts`` excerpts (or uses ``--case``; a copy is
worked on), then prints one row per figure: casebook's time, the floor's
and their ratio. The floor of a commit is a bare ``BEGIN IMMEDIATE; INSERT;
COMMIT`` on a WAL file with ``synchronous=FULL``, as casebook commits; the
floor of a merge is bare SQLite matching every excerpt of the copy by uid and
offering every link of the copy to the case (what a merge by uid must read).
Figures vary with the machine; the ratios are what to read.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db import curation  # noqa: E402
from db.claims import mark_claim  # noqa: E402
from db.entities import add_entity, get_entity, tagged_names  # noqa: E402
from db.generate import generate_case  # noqa: E402
from db.merge import merge_case_files  # noqa: E402
from db.sources import excerpts_page  # noqa: E402


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of each of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def interleaved_commits(case: db.Case, repeats: int) -> tuple[float, dict[str, float]]:
    """Median ms of a mark and of revisions of an entity (its description; its
    aliases, one added), taken in turn so that a machine whose load changes
    weighs on each alike."""
    claim_ids = [row[0] for row in case.rows("SELECT id FROM claims ORDER BY id LIMIT ?", [repeats])]
    entity_ids = [row[0] for row in case.rows(
        "SELECT id FROM entities ORDER BY id LIMIT ?", [repeats * 2])]
    marks: list[float] = []
    revisions: dict[str, list[float]] = {"description": [], "aliases": []}
    for number in range(repeats):
        start = time.perf_counter()
        mark_claim(case, claim_ids[number % len(claim_ids)],
                   "confirmed" if number % 2 else "disputed", annotator="bench")
        marks.append((time.perf_counter() - start) * 1000)
        for what, entity_id in zip(revisions, entity_ids[number * 2:number * 2 + 2], strict=False):
            value: object = f"Revised by the benchmark ({number})."
            if what == "aliases":
                value = [*tagged_names(get_entity(case, entity_id)), f"Bench Alias {number}"]
            start = time.perf_counter()
            curation.revise(case, "entity", entity_id, {what: value}, annotator="bench")
            revisions[what].append((time.perf_counter() - start) * 1000)
    return median(marks), {what: median(times) for what, times in revisions.items()}


def deep_pages_with_retired(case: db.Case, excerpts: int, retired: int = 100
                            ) -> list[tuple[str, float, float | None, str]]:
    """A page of the excerpts' pane half way down, with ``retired`` excerpts
    retired (spread over the case) and left out, beside the same page read
    with the retired counted in (what paging by position costs anyway)."""
    for (excerpt_id,) in case.rows("SELECT id FROM excerpts ORDER BY random() LIMIT ?", [retired]):
        curation.retire(case, "excerpt", excerpt_id, reason="benchmark", annotator="bench")
    middle = max(0, excerpts // 2 - 100)
    total = excerpts - retired
    shown = median(timed(lambda: excerpts_page(case, offset=middle, limit=50, total=excerpts,
                                               include_retired=True), 5))
    hidden = median(timed(lambda: excerpts_page(case, offset=middle, limit=50, total=total), 5))
    return [(f"a page at excerpt {middle:,}, {retired} retired, shown (floor)", shown, None, ""),
            (f"the same page, the {retired} retired left out", hidden, shown,
             f"{hidden / shown:.2f}x the page with them")]


def insert_floor(folder: Path, repeats: int) -> float:
    path = folder / "floor.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (value) VALUES ('x')")
        conn.execute("COMMIT")

    try:
        return median(timed(insert, repeats))
    finally:
        conn.close()


def merge_floor(path: Path, other: Path) -> float:
    """The least a merge by uid reads, in bare SQLite: every excerpt of the copy
    matched by uid on the two uid indexes, and every link of the copy offered
    to the case in key order (INSERT OR IGNORE), in one transaction rolled back."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"ATTACH 'file:{other}?mode=ro' AS other")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("SELECT count(*) FROM other.excerpts o JOIN main.excerpts e ON e.uid = o.uid"
                     ).fetchone()
        conn.execute("INSERT OR IGNORE INTO main.excerpt_entities SELECT excerpt_id, entity_id "
                     "FROM other.excerpt_entities ORDER BY excerpt_id, entity_id")
        elapsed = (time.perf_counter() - start) * 1000
        conn.execute("ROLLBACK")
        return elapsed
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--excerpts", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--links", type=int, default=1000, help="Links of each combined entity.")
    parser.add_argument("--laptop-items", type=int, default=1000)
    parser.add_argument("--case", type=Path, default=None, help="A case file to copy and work on.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "case.casebook"
        if options.case:
            shutil.copyfile(options.case, path)
        else:
            generate_case(path, excerpts=options.excerpts, seed=7)
        rows: list[tuple[str, float, float | None, str]] = []
        floor = insert_floor(folder, options.repeats)
        with db.open_case(path) as case:
            counts = db.counts(case)
            mark, revisions = interleaved_commits(case, options.repeats)
            rows.append(("bare INSERT commit (floor)", floor, None, ""))
            rows.append(("mark a claim", mark, floor, f"{mark / floor:.1f}x floor"))
            for what, revise in revisions.items():
                rows.append((f"revise an entity's {what}", revise, floor,
                             f"{revise / floor:.1f}x floor, {revise / mark:.2f}x a mark (goal <= 2x)"))
            # combine two entities of `links` excerpt links each
            excerpt_ids = [row[0] for row in case.rows(
                "SELECT id FROM excerpts ORDER BY id LIMIT ?", [options.links * 2])]
            kept = add_entity(case, kind="person", name="Bench Kept").id or 0
            absorbed = add_entity(case, kind="person", name="Bench Absorbed").id or 0
            with case.write() as tx:
                tx.executemany("INSERT OR IGNORE INTO excerpt_entities VALUES (?, ?)",
                               [(x, kept) for x in excerpt_ids[:options.links]]
                               + [(x, absorbed) for x in excerpt_ids[options.links:]])
            combine = median(timed(lambda: curation.combine(case, kept, [absorbed],
                                                            annotator="bench"), 1))
            uncombine = median(timed(lambda: curation.uncombine(case, absorbed,
                                                                annotator="bench"), 1))
            rows.append((f"combine 2 entities, {options.links} links each", combine, floor,
                         f"{combine / floor:.1f}x floor (goal < 100 ms)"))
            rows.append(("uncombine them", uncombine, floor, f"{uncombine / floor:.1f}x floor"))
            first = median(timed(lambda: curation.likely_duplicates(case, limit=20), 3))
            rows.append((f"likely duplicates, first 20 of {counts.entities:,} entities", first, None,
                         "goal < 1 s at 100,000 entities"))
            rows += deep_pages_with_retired(case, counts.excerpts)
            laptop = folder / "laptop.casebook"
            db.backup_case_file(case.conn, laptop)
        with db.open_case(laptop) as copy:
            excerpts = [row[0] for row in copy.rows("SELECT id FROM excerpts ORDER BY random() "
                                                    "LIMIT ?", [options.laptop_items * 5])]
            with copy.write():
                for number in range(options.laptop_items):
                    entity = add_entity(copy, kind="person", name=f"Laptop Person {number}")
                    with copy.write() as tx:
                        tx.executemany("INSERT OR IGNORE INTO excerpt_entities VALUES (?, ?)",
                                       [(x, entity.id) for x in excerpts[number * 5:number * 5 + 5]])
        floor_merge = merge_floor(path, laptop)
        with db.open_case(path) as case:
            start = time.perf_counter()
            report = merge_case_files(case, laptop)
            merge = (time.perf_counter() - start) * 1000
        rows.append((f"merge a copy that added {report.added.get('entities', 0)} entities, "
                     f"{report.added.get('links', 0)} links", merge, floor_merge,
                     f"{merge / floor_merge:.1f}x floor (goal < 10 s at 1M excerpts)"))
    print(f"curation on {counts.excerpts:,} excerpts, {counts.entities:,} entities "
          f"(median of {options.repeats} commits)")
    print(f"{'':58} {'ms':>9} {'floor ms':>9}  ratio")
    for name, ms, base, ratio in rows:
        print(f"{name:58} {ms:9.2f} {'' if base is None else f'{base:9.2f}':>9}  {ratio}")


if __name__ == "__main__":
    main()
