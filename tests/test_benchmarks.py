"""The benchmark scripts run end to end (on a tiny case: figures here mean nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_print_a_table_and_write_json(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--excerpts", "300",
         "--repeats", "1", "--marks", "5", "--cases", str(tmp_path / "cases"),
         "--only", "search,panes,marks,ingest",  # the browser's are timed in its own tests
         "--results", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for heading in ("search per keystroke", "panes", "marks", "ingest"):
        assert heading in result.stdout
    report = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert report["cases"]["large"]["counts"]["excerpts"] == 300
    search = {f["name"]: f for f in report["figures"] if f["section"] == "search per keystroke"}
    first = search["1. casebook first_matches() (shown at once), p95"]
    assert first["seed"] > 0 and first["large"] > 0
    assert search["top-10 hits as exact bm25: after refine()"]["large"] == 100
    ingest = {f["name"]: f for f in report["figures"] if f["section"] == "ingest"}
    for kind in ("text", "html", "pdf"):
        assert ingest[f"casebook add-source, 20 {kind} documents"]["large"] > 0
    imported = ingest["casebook import (streamed, bulk-loaded)"]
    assert imported["seed"] > 0 and imported["large"] > 0, imported
    assert ingest["  peak RSS of the import"]["large"] > 0
    assert len(list((tmp_path / "results").glob("run-*.json"))) == 1


def test_benchmarks_run_the_transliterated_search_section(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--excerpts", "300",
         "--repeats", "1", "--cases", str(tmp_path / "cases"), "--only", "transliterated",
         "--results", str(tmp_path / "results")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "transliterated search and possible mentions" in result.stdout
    report = json.loads((tmp_path / "results" / "latest.json").read_text())
    figures = {f["name"]: f for f in report["figures"]
               if f["section"] == "transliterated search and possible mentions"}
    for name in ("per keystroke, transliterated, p95", "ratio transliterated / exact, p95",
                 "add-source, 20 documents, proposing mentions"):
        assert figures[name]["seed"] > 0 and figures[name]["large"] > 0, figures[name]
    assert figures["Latin-spelling indexes"]["large"] > 0


def test_benchmarks_refuse_an_unknown_section(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "nonsense",
         "--cases", str(tmp_path)], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "unknown section 'nonsense'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_pdf_library_comparison_prints_each_library(tmp_path: Path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pdf_libraries.py"), "--pages", "3",
                             "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = {line.split("  ")[0]: line for line in result.stdout.splitlines()[1:5]}
    assert set(rows) == {"pypdf", "pdfplumber", "pypdfium2 (PDFium's text)",
                         "casebook (PDFium boxes + layout)"}
    casebook = rows["casebook (PDFium boxes + layout)"].split()
    assert casebook[-3:] == ["100.0%", "0", "0"]  # every word in order, no headers, no broken words


def test_the_relationships_benchmark_prints_each_figure_beside_its_floor(tmp_path: Path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "relationships.py"),
                             "--excerpts", "2000", "--repeats", "3"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    for name in ("an entity's relationships (entity_ties)",
                 "its depth-2 network (neighbours, 500 max)",
                 "the 10 biggest hubs' relationships (200 max)",
                 "their depth-2 networks (500 max)",
                 "shortest paths, up to 4 hops (bidirectional)",
                 "paths through shared items too (all)",
                 "paths from the 10 most mentioned (all)"):
        assert name in lines and lines[name].rstrip().endswith("ms"), result.stdout
        assert "x" in lines[name]                      # the ratio to the floor
    assert "graphml" in result.stdout and "gexf" in result.stdout and "vs json" in result.stdout
