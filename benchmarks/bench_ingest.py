"""Ingest throughput: the generator's bulk load, ``casebook add-source`` of
text, saved web pages and PDF reports (documents per second and peak RSS,
the seed case beside the large one), and the JSON export's round trip
(``casebook export --format json`` then ``casebook import``) with each
command's peak memory, beside ijson merely parsing the same file."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measure import Figure

import db
from db.generate import generate_case

TESTS = Path(__file__).resolve().parent.parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.append(str(TESTS))  # its documents are made as the tests make theirs

import made_documents  # noqa: E402

SECTION = "ingest"
GENERATED = 100_000
DOCUMENTS = 20
ADD_SOURCE_GOAL = 0.8  # issue 13: on the large case, at least 0.8x the seed case's documents/s


def _rows(path: Path) -> int:
    with db.open_case(path, read_only=True) as case:
        tables = [row[0] for row in case.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'")]
        return sum(case.scalar(f'SELECT count(*) FROM "{table}"') for table in tables)


def generator_throughput(directory: Path, excerpts: int = GENERATED) -> dict[str, Any]:
    path = directory / f".bench-generate-{os.getpid()}.casebook"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        start = time.perf_counter()
        generate_case(path, excerpts=excerpts, seed=1)
        seconds = time.perf_counter() - start
        rows = _rows(path)
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    return {"excerpts": excerpts, "seconds": seconds, "rows": rows,
            "excerpts_per_s": excerpts / seconds, "rows_per_s": rows / seconds}


def _documents(directory: Path, kind: str = "text") -> list[Path]:
    """Documents of a few thousand words, new to every case: plain text, saved
    web pages, or two-column PDF reports (tests/made_documents.py)."""
    rng = random.Random(os.getpid())
    words = "the intelligence officer met a diplomat in Brussels and Vilnius about payments".split()
    paths = []
    for n in range(DOCUMENTS):
        if kind == "pdf":
            path = directory / f"report-{n:02d}.pdf"
            made_documents.report_pdf(path, paragraph_count=24, seed=rng.randrange(10**9),
                                        title=f"Report {n} {rng.random():.6f}")
            paths.append(path)
            continue
        paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(20, 70))) + "."
                      for _ in range(60)]
        if kind == "html":
            path = directory / f"page-{n:02d}.html"
            body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
            path.write_text(f"<!DOCTYPE html><html><head><title>Report {n} {rng.random()}</title></head>"
                            "<body>"
                            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
                            f"<h1>Report {n}</h1>{body}</article><footer>© 2024</footer></body></html>",
                            encoding="utf-8")
        else:
            path = directory / f"document-{n:02d}.txt"
            path.write_text(f"Report {n} {rng.random()}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


def add_source_throughput(case_path: Path, directory: Path, kind: str = "text") -> dict[str, Any]:
    """``casebook add-source`` of DOCUMENTS new documents into a copy of the case, with its peak RSS."""
    copy = directory / f".bench-ingest-{case_path.name}"
    docs = directory / ".bench-documents"
    shutil.rmtree(docs, ignore_errors=True)
    docs.mkdir()
    for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(case_path, copy)
    try:
        files = _documents(docs, kind)
        with db.open_case(copy, read_only=True) as case:
            before = db.counts(case).excerpts
        # The copy's gigabyte still on its way to disk would slow every commit's fsync.
        os.sync()
        try:
            seconds, peak_mib, _ = _casebook_peak_rss("add-source", str(copy), *map(str, files))
        except RuntimeError as error:
            return {"error": str(error)}
        with db.open_case(copy, read_only=True) as case:
            added = db.counts(case).excerpts - before
        return {"documents": len(files), "seconds": seconds, "excerpts": added, "peak_mib": peak_mib,
                "documents_per_s": len(files) / seconds, "excerpts_per_s": added / seconds}
    finally:
        shutil.rmtree(docs, ignore_errors=True)
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)


# Runs casebook in this process and reports its peak RSS in KiB on stderr:
# VmHWM, which starts afresh at exec (ru_maxrss would carry over this
# benchmark's own, larger, peak from the fork).
_WITH_PEAK_RSS = """
import resource, runpy, sys
sys.argv = ["casebook", *sys.argv[1:]]
try:
    runpy.run_module("casebook", run_name="__main__")
except SystemExit as stop:
    code = stop.code
try:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"peak-rss-kib {peak}", file=sys.stderr)
sys.exit(code)
"""


def _casebook_peak_rss(*args: str) -> tuple[float, int, str]:
    """Seconds, peak RSS in MiB, and stderr of one casebook command."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WITH_PEAK_RSS, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak-rss-kib ")]
    if done.returncode or not peak:
        raise RuntimeError(done.stderr.strip()[-300:])
    return seconds, int(peak[-1].split()[1]) // 1024, done.stderr


def _parse_only(path: Path) -> float:
    """The floor: ijson reading every event of the file and doing nothing with it."""
    import ijson

    start = time.perf_counter()
    with path.open("rb") as stream:
        for _ in ijson.parse(stream):
            pass
    return time.perf_counter() - start


def json_round_trip(case_path: Path, directory: Path) -> dict[str, Any]:
    """casebook export --format json, then casebook import of that file."""
    exported = directory / f".bench-export-{os.getpid()}.json"
    imported = directory / f".bench-import-{os.getpid()}.casebook"
    try:
        export_s, export_mib, _ = _casebook_peak_rss("export", str(case_path), "-f", "json",
                                                     "-o", str(exported))
        import_s, import_mib, _ = _casebook_peak_rss("import", str(exported), str(imported))
        return {"json_mib": exported.stat().st_size / 2**20, "export_s": export_s,
                "export_peak_mib": export_mib, "import_s": import_s, "import_peak_mib": import_mib,
                "parse_only_s": _parse_only(exported)}
    except RuntimeError as error:
        return {"error": str(error)}
    finally:
        for leftover in (exported, imported, Path(f"{imported}-wal"), Path(f"{imported}-shm")):
            leftover.unlink(missing_ok=True)


def json_figures(seed: dict[str, Any], large: dict[str, Any]) -> list[Figure]:
    if "error" in seed or "error" in large:
        return [Figure(SECTION, "json export and import", "s",
                       note=f"failed: {seed.get('error') or large.get('error')}")]
    return [
        Figure(SECTION, "casebook export --format json", "s", seed["export_s"], large["export_s"],
               note=f"{seed['json_mib']:.1f} MiB / {large['json_mib']:,.0f} MiB of JSON"),
        Figure(SECTION, "casebook import (streamed, bulk-loaded)", "s",
               seed["import_s"], large["import_s"]),
        Figure(SECTION, "  floor: ijson parsing the same file", "s",
               seed["parse_only_s"], large["parse_only_s"]),
        Figure(SECTION, "  peak RSS of the export", "MiB", seed["export_peak_mib"], large["export_peak_mib"]),
        Figure(SECTION, "  peak RSS of the import", "MiB", seed["import_peak_mib"], large["import_peak_mib"]),
    ]


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median throughput (a busy machine makes single runs noisy)."""
    good = [run for run in runs if "error" not in run]
    if not good:
        return runs[0]
    return sorted(good, key=lambda run: run["documents_per_s"])[len(good) // 2]


def run(seed_path: Path, large_path: Path, *, excerpts: int = GENERATED,
        repeats: int = 3) -> tuple[list[Figure], dict[str, Any]]:
    generated = generator_throughput(large_path.parent, min(excerpts, GENERATED))
    figures = [
        Figure(SECTION, f"generator: {generated['excerpts']:,} excerpts, bulk load", "excerpts/s",
               None, generated["excerpts_per_s"],
               note=f"{generated['rows']:,} rows in {generated['seconds']:.1f} s"),
        Figure(SECTION, "generator: all rows", "rows/s", None, generated["rows_per_s"]),
    ]
    raw: dict[str, Any] = {"generator": generated}
    added_figures, raw["add_source"] = add_source_run(seed_path, large_path, repeats=repeats)
    figures += added_figures
    round_trips = {"seed": json_round_trip(seed_path, large_path.parent),
                   "large": json_round_trip(large_path, large_path.parent)}
    raw["json_round_trip"] = round_trips
    figures += json_figures(round_trips["seed"], round_trips["large"])
    return figures, raw


def add_source_run(seed_path: Path, large_path: Path, *,
                   repeats: int = 3) -> tuple[list[Figure], dict[str, Any]]:
    """``casebook add-source`` of text, web pages and PDFs into the seed case
    and the large one, side by side (``run.py --only add-source`` runs only this)."""
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    for kind in ("text", "html", "pdf"):
        # Seed and large case in turn, each run on a fresh copy; the medians are compared.
        runs: dict[str, list[dict[str, Any]]] = {"seed": [], "large": []}
        for _ in range(repeats):
            runs["seed"].append(add_source_throughput(seed_path, large_path.parent, kind))
            runs["large"].append(add_source_throughput(large_path, large_path.parent, kind))
        seed, large = _median_run(runs["seed"]), _median_run(runs["large"])
        raw[kind] = {"seed": seed, "large": large, "runs": runs}
        if "error" in seed or "error" in large:
            figures.append(Figure(SECTION, f"casebook add-source, {kind}", "docs/s",
                                  note=f"failed: {seed.get('error') or large.get('error')}"))
            continue
        ratio = large["documents_per_s"] / seed["documents_per_s"]
        goal = "meets" if ratio >= ADD_SOURCE_GOAL else "MISSES"
        figures.append(Figure(SECTION, f"casebook add-source, {DOCUMENTS} {kind} documents", "docs/s",
                              seed["documents_per_s"], large["documents_per_s"],
                              note=f"{seed['excerpts'] // DOCUMENTS} paragraphs each, median of {repeats}; "
                                   f"{goal} the {ADD_SOURCE_GOAL}x goal"))
        figures.append(Figure(SECTION, f"  peak RSS, {kind}", "MiB", seed["peak_mib"], large["peak_mib"]))
    return figures, raw
