"""export --format csv: a directory with a file per table, for spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.exports.csv_tables import TABLES


def read_table(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 right
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def tables(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("csv") / "tables"
    result = run_cli("export", worked_case_file, "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def test_a_file_per_table_with_every_row(tables: Path, worked_case_file: Path):  # noqa: F811
    assert sorted(p.name for p in tables.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    with db.open_case(worked_case_file, read_only=True) as case:
        for table, (columns, _) in TABLES.items():
            rows = read_table(tables / f"{table}.csv")
            assert len(rows) == case.scalar(f"SELECT count(*) FROM {table}"), table
            assert header(tables / f"{table}.csv") == list(columns), table   # (a table may be empty)
        excerpt = case.row('SELECT id, source_id, start, "end", text FROM excerpts WHERE instr(text, ?) > 0',
                           ["kontrarozvědka ho podle"])
    by_id = {row["id"]: row for row in read_table(tables / "excerpts.csv")}
    row = by_id[str(excerpt["id"])]
    assert row["text"] == excerpt["text"] and row["end"] == str(excerpt["end"])


def test_sources_leave_out_the_full_text(tables: Path):
    sources = read_table(tables / "sources.csv")
    assert "text" not in sources[0]
    assert {row["author"] for row in sources} >= {"Jana Nováková", "Élodie Marchand"}


def test_cells_that_spreadsheets_would_run_as_formulas_are_quoted(tmp_path: Path):
    case = tmp_path / "c.casebook"
    assert run_cli("new", case, "--title", "=HYPERLINK(\"http://evil.example\",\"click\")").returncode == 0
    with db.open_case(case) as opened:
        db.claims.add_claim(opened, statement="-2+3 is not a claim", claimant="@someone")
    out = tmp_path / "t"
    assert run_cli("export", case, "-f", "csv", "-o", out).returncode == 0
    meta = {row["key"]: row["value"] for row in read_table(out / "case_meta.csv")}
    assert meta["title"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    (claim,) = read_table(out / "claims.csv")
    assert (claim["statement"], claim["claimant"], claim["version"]) == \
        ("'-2+3 is not a claim", "'@someone", "0")


def test_csv_needs_a_directory_and_keeps_other_files(worked_case_file: Path, tmp_path: Path):  # noqa: F811
    assert_one_line_error(run_cli("export", worked_case_file, "-f", "csv"), "give a directory with -o DIR")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    assert_one_line_error(run_cli("export", worked_case_file, "-f", "csv", "-o", folder),
                          "already exists (--force replaces its CSV files)")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert run_cli("export", worked_case_file, "-f", "csv", "-o", folder, "--force").returncode == 0
    assert (folder / "notes.txt").read_text() == "keep me"
    assert (folder / "claims.csv").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary files left
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_formula_guard_is_reversible_and_raw_turns_it_off(tmp_path: Path):
    """A value that starts with ' keeps it (one more is added), so dropping one
    leading ' from a guarded cell always gives the value back; --raw writes
    values as they are."""
    case = tmp_path / "c.casebook"
    assert run_cli("new", case, "--title", "'tis the season").returncode == 0
    with db.open_case(case) as opened:
        db.claims.add_claim(opened, statement="=1+1", claimant="'=not a formula")
        db.claims.add_claim(opened, statement="plain", claimant="")
    guarded, raw = tmp_path / "guarded", tmp_path / "raw"
    assert run_cli("export", case, "-f", "csv", "-o", guarded).returncode == 0
    assert run_cli("export", case, "-f", "csv", "-o", raw, "--raw").returncode == 0
    claims = read_table(guarded / "claims.csv")
    assert [(c["statement"], c["claimant"]) for c in claims] == [("'=1+1", "''=not a formula"), ("plain", "")]
    meta = {r["key"]: r["value"] for r in read_table(guarded / "case_meta.csv")}
    assert meta["title"] == "''tis the season"
    unguard = {name: [{k: v[1:] if v.startswith("'") else v for k, v in row.items()}
                      for row in read_table(guarded / f"{name}.csv")] for name in ("claims", "case_meta")}
    assert unguard == {name: read_table(raw / f"{name}.csv") for name in ("claims", "case_meta")}
    assert [(c["statement"], c["claimant"]) for c in read_table(raw / "claims.csv")] == [
        ("=1+1", "'=not a formula"), ("plain", "")]


def test_raw_is_for_csv_only(worked_case_file: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "case.json"
    assert_one_line_error(run_cli("export", worked_case_file, "-f", "json", "-o", out, "--raw"),
                          "--raw applies to csv only")
    assert not out.exists()
