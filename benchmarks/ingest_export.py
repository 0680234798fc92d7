"""How fast documents go in and the case comes out, against bare SQLite.

    .venv/bin/python benchmarks/ingest_export.py [--megabytes 30]

Generates a large one-paragraph-per-line text from the seed sources (the
size of a long report), adds it to a copy of the demo case as add-source
does (one transaction: source, paragraphs, search index, mention links),
then exports the case in every format. Floors, in the same run:

- paragraphs into a plain table (no index), and into the same FTS5 index
  casebook uses, with one executemany: what the format itself costs;
- reading every excerpt's text (what any export must at least do).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.documents import read_document  # noqa: E402
from db.exports import STREAM_WRITERS, write_csv_tables  # noqa: E402
from db.ingest import import_document  # noqa: E402
from db.mentions import MentionIndex  # noqa: E402
from db.sources import split_paragraphs  # noqa: E402
from seed.build import build_case  # noqa: E402

CASES = ROOT / "benchmarks" / "cases"


def generate_text(path: Path, megabytes: int) -> int:
    random.seed(5)
    lines = [line for name in ("000_316e2e01f824b1a7.txt", "003_37048b06751c40a7.txt")
             for line in (ROOT / "seed" / "sources" / name).read_text(encoding="utf-8").splitlines()
             if len(line) > 40]
    target, size, count = megabytes * 1024 * 1024, 0, 0
    with path.open("w", encoding="utf-8") as handle:
        while size < target:
            line = f"{count}: {random.choice(lines)}\n"
            handle.write(line)
            size += len(line.encode("utf-8"))
            count += 1
    return count


def floor_insert(text: str, *, fts: bool) -> float:
    spans = split_paragraphs(text, "lines")
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "floor.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute('CREATE TABLE excerpts (id INTEGER PRIMARY KEY, start INT, "end" INT, text TEXT)')
        if fts:
            conn.execute("CREATE VIRTUAL TABLE excerpts_fts USING fts5(text, content='excerpts', "
                         "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')")
            conn.execute("CREATE TRIGGER t AFTER INSERT ON excerpts BEGIN "
                         "INSERT INTO excerpts_fts(rowid, text) VALUES (new.id, new.text); END")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany('INSERT INTO excerpts (start, "end", text) VALUES (?, ?, ?)',
                         ((s, e, text[s:e]) for s, e in spans))
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=30)
    args = parser.parse_args()
    CASES.mkdir(parents=True, exist_ok=True)
    text_path = CASES / f"report-{args.megabytes}mb.txt"
    paragraphs = generate_text(text_path, args.megabytes)
    case_path = CASES / "ingest-bench.casebook"
    for stale in CASES.glob("ingest-bench.casebook*"):
        stale.unlink()
    build_case(case_path)
    megabytes = text_path.stat().st_size / 1024 / 1024
    print(f"document: {megabytes:.1f} MB, {paragraphs:,} paragraphs (one per line)")

    started = time.perf_counter()
    document = read_document(text_path)
    read_seconds = time.perf_counter() - started
    marks: list[tuple[float, float]] = []
    with db.open_case(case_path) as case:
        index = MentionIndex.of_case(case)
        started = time.perf_counter()
        added = import_document(case, document, index=index,
                                progress=lambda f: marks.append((f, time.perf_counter())))
        add_seconds = time.perf_counter() - started
    found_at = next(t for f, t in marks if f >= 0.45)  # mentions found, write lock taken
    plain = floor_insert(document.text, fts=False)
    indexed = floor_insert(document.text, fts=True)
    print(f"{'':34}{'seconds':>9}{'MB/s':>8}{'× floor':>9}")
    rows = [
        ("read and check the file", read_seconds, None),
        ("floor: plain INSERT", plain, None),
        ("floor: INSERT + same FTS5 index", indexed, None),
        ("add-source: finding mentions", found_at - started, None),
        ("add-source: writing (write lock)", add_seconds - (found_at - started), indexed),
        ("add-source: whole", add_seconds, indexed),
    ]
    for label, seconds, floor in rows:
        ratio = f"{seconds / floor:>8.2f}×" if floor else ""
        print(f"{label:34}{seconds:>9.2f}{megabytes / seconds:>8.1f}{ratio:>9}")
    print(f"  {added.paragraphs:,} paragraphs, {added.mentions:,} mention links")

    print()
    with db.open_case(case_path, read_only=True) as case:
        counts = db.counts(case)
        started = time.perf_counter()
        total = 0
        for row in case.conn.execute("SELECT text FROM excerpts"):
            total += len(row[0])
        scan = time.perf_counter() - started
        print(f"export of {counts.excerpts:,} excerpts, {counts.claims} claims")
        print(f"{'':34}{'seconds':>9}{'× scan':>9}")
        print(f"{'floor: read every excerpt':34}{scan:>9.2f}")
        with tempfile.TemporaryDirectory() as folder:
            for name, writer in STREAM_WRITERS.items():
                sink = (io.StringIO() if name != "json"
                        else open(Path(folder) / "c.json", "w", encoding="utf-8"))
                started = time.perf_counter()
                writer(case, sink)
                seconds = time.perf_counter() - started
                sink.close()
                print(f"{name:34}{seconds:>9.2f}{seconds / scan:>8.1f}×")
            started = time.perf_counter()
            write_csv_tables(case, Path(folder) / "csv")
            seconds = time.perf_counter() - started
            print(f"{'csv':34}{seconds:>9.2f}{seconds / scan:>8.1f}×")
            shutil.rmtree(Path(folder) / "csv")


if __name__ == "__main__":
    main()
