"""casebook's benchmarks: the seed case and a generated large case, side by side.

    make bench                                  # 1,000,000 excerpts (generated once, cached)
    .venv/bin/python benchmarks/run.py --excerpts 50000 --only search,panes

Prints one table and writes every figure, with the machine and the cases it
ran on, to benchmarks/results/ (latest.json and a timestamped copy). These
are plain scripts, not timed tests: figures vary with the machine and its
load, so each run measures the floors (bare SQLite, sqlite-utils) beside
casebook, and the ratios are the figures to compare between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import bench_app  # noqa: E402
import bench_ingest  # noqa: E402
import bench_marks  # noqa: E402
import bench_paging  # noqa: E402
import bench_search  # noqa: E402
import bench_transliterated  # noqa: E402
from cases import CASES_DIR, BenchCase, generated_case, seed_case  # noqa: E402
from measure import Figure  # noqa: E402

import db  # noqa: E402

Section = Callable[[Path, Path, argparse.Namespace], tuple[list[Figure], dict[str, Any]]]
SECTIONS: dict[str, Section] = {
    "search": lambda seed, large, args: bench_search.run(seed, large, repeats=args.repeats),
    "panes": lambda seed, large, args: bench_paging.run(seed, large, repeats=max(3, args.repeats)),
    "marks": lambda seed, large, args: bench_marks.run(seed, large, count=args.marks),
    "ingest": lambda seed, large, args: bench_ingest.run(seed, large, excerpts=args.excerpts,
                                                         repeats=args.repeats),
    "add-source": lambda seed, large, args: bench_ingest.add_source_run(seed, large, repeats=args.repeats),
    "browser": lambda seed, large, args: bench_app.run(seed, large, excerpts=args.excerpts,
                                                       repeats=max(3, args.repeats)),
    "transliterated": lambda seed, large, args: bench_transliterated.run(seed, large),
}
RESULTS = HERE / "results"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("excerpts/s", "rows/s", "docs/s", "rows"):
        return f"{value:,.0f}"
    if unit in ("%", "MiB") or unit.startswith("of "):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def print_table(figures: list[Figure], large_label: str) -> None:
    width = max(len(f.name) for f in figures) + 2
    header = f"{'':{width}} {'unit':>10} {'seed case':>12} {large_label:>16} {'large/seed':>11}"
    section = None
    print(header)
    for figure in figures:
        if figure.section != section:
            section = figure.section
            print(f"\n{section}")
        ratio = ""
        if figure.unit not in ("x", "%") and not figure.unit.startswith("of ") and \
                figure.seed and figure.large is not None:
            ratio = f"{figure.large / figure.seed:,.2f}"
        line = (f"  {figure.name:{width - 2}} {figure.unit:>10} {_number(figure.seed, figure.unit):>12}"
                f" {_number(figure.large, figure.unit):>16} {ratio:>11}")
        print(line + (f"  {figure.note}" if figure.note else ""))


def _case_info(case: BenchCase) -> dict[str, Any]:
    with db.open_case(case.path, read_only=True) as opened:
        counts = db.counts(opened).model_dump()
    return {"label": case.label, "path": str(case.path), "bytes": case.path.stat().st_size,
            "counts": counts, "built_in_s": case.built_in_s}


def _machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                                capture_output=True).stdout.strip()
    except OSError:
        commit = ""
    return {"cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load_average": os.getloadavg(), "commit": commit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--excerpts", type=int, default=1_000_000,
                        help="size of the generated case (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    everything = ",".join(name for name in SECTIONS if name != "add-source")  # a part of ingest
    parser.add_argument("--only", default=everything,
                        help=f"comma-separated sections (default all: {everything}; add-source: "
                             "only ingest's add-source figures)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--marks", type=int, default=200, help="marks committed per case")
    parser.add_argument("--cases", type=Path, default=CASES_DIR,
                        help="where generated cases are cached (default benchmarks/cases)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the JSON goes (default benchmarks/results)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown or args.excerpts < 1:
        parser.error(f"unknown section {unknown[0]!r}" if unknown else "--excerpts must be at least 1")

    machine = _machine()
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    seed = seed_case(args.cases, say)
    large = generated_case(args.excerpts, args.seed, args.cases, say)
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    for name in chosen:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        section_figures, section_raw = SECTIONS[name](seed.path, large.path, args)
        figures += section_figures
        raw[name] = {**section_raw, "seconds": time.perf_counter() - started}
    if large.built_in_s is not None:  # built in this run: report it with the ingest figures
        built = Figure("ingest", f"generate the large case ({args.excerpts:,} excerpts)", "s",
                       None, large.built_in_s)
        after = max((n + 1 for n, f in enumerate(figures) if f.section == "ingest"),
                    default=len(figures))
        figures.insert(after, built)
    machine["load_average_after"] = os.getloadavg()

    print()
    print_table(figures, f"{args.excerpts:,} exc.")
    print(f"\n{machine['cpus']} CPUs, Python {machine['python']}, SQLite {machine['sqlite']}, "
          f"load average {machine['load_average'][0]:.2f} before, "
          f"{machine['load_average_after'][0]:.2f} after; commit {machine['commit'] or '?'}")

    args.results.mkdir(parents=True, exist_ok=True)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine, "arguments": vars(args),
        "cases": {"seed": _case_info(seed), "large": _case_info(large)},
        "figures": [figure.as_dict() for figure in figures], "raw": raw,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (args.results / f"run-{stamp}.json").write_text(text, encoding="utf-8")
    (args.results / "latest.json").write_text(text, encoding="utf-8")
    print(f"wrote {args.results / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
