"""export --format json and import: the whole case out and back, exactly."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.models import CaseDocument
from db.search import search

# When this file's migrations ran, and the folded entity names and name forms that
# add-source refreshes when it needs them (casebook check compares them with the
# entities): not part of the case.
BOOKKEEPING = {"_sqlite_migrations", "mention_names", "mention_names_stale", "name_forms"}


def every_table(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (FTS content included), in storage order."""
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts_%' ORDER BY name")]
        tables = {}
        for name in names:
            if name in BOOKKEEPING:
                continue
            rowid = "" if conn.execute(
                "SELECT 1 FROM pragma_table_list WHERE name = ? AND wr = 1", [name]).fetchone() else "rowid, "
            tables[name] = conn.execute(f"SELECT {rowid}* FROM {name} ORDER BY 1, 2").fetchall()
        tables["pragmas"] = [conn.execute(f"PRAGMA {p}").fetchone()
                             for p in ("application_id", "user_version")]
        return tables
    finally:
        conn.close()


@pytest.fixture(scope="module")
def exported(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("json") / "case.json"
    result = run_cli("export", worked_case_file, "--format", "json", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"exported json to {out} (")
    return out


def test_the_export_is_a_case_document(exported: Path, worked_case_file: Path):  # noqa: F811
    document = CaseDocument.model_validate_json(exported.read_text(encoding="utf-8"))
    with db.open_case(worked_case_file, read_only=True) as case:
        counts = db.counts(case)
        assert document.meta["case_uid"] == case.meta("case_uid")
    assert (len(document.sources), len(document.excerpts), len(document.entities), len(document.events),
            len(document.claims), len(document.annotations)) == (
        counts.sources, counts.excerpts, counts.entities, counts.events, counts.claims, counts.annotations)
    assert counts.sources == 7 and counts.annotations >= 13
    undone = [a for a in document.annotations if a.status == "unreviewed"]
    assert undone and undone[0].created_at == "2026-11-26T10:05:00.000003Z"
    assert any(x.kind == "quote" and x.text.startswith("« Nous suivons") for x in document.excerpts)
    assert any(link.stance == "contradicts" for claim in document.claims for link in claim.evidence)
    assert {a.kind for a in document.annotations} == {"mark", "note", "undo"}
    undo = next(a for a in document.annotations if a.kind == "undo")
    assert undo.undoes in {a.id for a in document.annotations}
    assert len(document.conflicts) == 1 and document.conflicts[0].detected_by.startswith("merge ")


def test_import_rebuilds_the_identical_case(exported: Path, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    rebuilt = tmp_path / "rebuilt.casebook"
    result = run_cli("import", exported, rebuilt)
    assert result.returncode == 0, result.stderr
    assert "7 sources" in result.stdout
    original, copy = every_table(worked_case_file), every_table(rebuilt)
    assert original.keys() == copy.keys() and "entities_fts" in original and "annotations" in original
    for table in original:
        assert copy[table] == original[table], table
    with db.open_case(worked_case_file, read_only=True) as a, db.open_case(rebuilt, read_only=True) as b:
        for query in ("Austrevicius", "surete", "kontrarozvedka", "Logvinov"):
            assert search(a, query).model_dump() == search(b, query).model_dump()
    assert run_cli("check", rebuilt).returncode == 0
    # And out again: the same bytes.
    again = tmp_path / "again.json"
    assert run_cli("export", rebuilt, "-f", "json", "-o", again).returncode == 0
    assert again.read_bytes() == exported.read_bytes()


def test_stdout_gets_the_same_document(exported: Path, worked_case_file: Path):  # noqa: F811
    result = run_cli("export", worked_case_file, "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == exported.read_text(encoding="utf-8")


def test_an_empty_case_round_trips(tmp_path: Path):
    case = tmp_path / "empty.casebook"
    assert run_cli("new", case, "--title", "Nothing yet").returncode == 0
    out = tmp_path / "empty.json"
    assert run_cli("export", case, "-f", "json", "-o", out).returncode == 0
    document = json.loads(out.read_text())
    assert document["sources"] == [] and document["meta"]["title"] == "Nothing yet"
    assert run_cli("import", out, tmp_path / "back.casebook").returncode == 0
    assert every_table(tmp_path / "back.casebook") == every_table(case)


def edited(exported: Path, tmp_path: Path, change) -> Path:
    document = json.loads(exported.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _tamper_excerpt(document):
    document["excerpts"][3]["text"] = document["excerpts"][3]["text"].upper()


def _tamper_source(document):
    document["sources"][0]["text"] += " (edited)"


def _dangling_link(document):
    document["excerpts"][0]["entity_ids"] = [999_999]


def _future(document):
    document["schema_version"] = 99


def _bad_status(document):
    document["claims"][0]["status"] = "probable"


@pytest.mark.parametrize("change, says", [
    (_tamper_excerpt, "does not match source"),
    (_tamper_source, "sha256 does not match its text"),
    (_dangling_link, "inconsistent export (a row of excerpt_entities refers to a missing entities row)"),
    (_future, "exported by a newer casebook (schema v99"),
    (_bad_status, "not a casebook JSON export (claims.0.status"),
])
def test_import_refuses_an_inconsistent_document_and_leaves_nothing(
        exported: Path, tmp_path: Path, change, says: str):
    path = edited(exported, tmp_path, change)
    result = run_cli("import", path, tmp_path / "new.casebook")
    assert_one_line_error(result, says)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.json"]


def test_import_refuses_what_is_not_an_export(tmp_path: Path, exported: Path):
    (tmp_path / "notes.json").write_text('{"title": "x"}')
    (tmp_path / "broken.json").write_text('{"format": "casebook-case", ')
    assert_one_line_error(run_cli("import", tmp_path / "notes.json", tmp_path / "a.casebook"),
                          "not a casebook JSON export")
    assert_one_line_error(run_cli("import", tmp_path / "broken.json", tmp_path / "a.casebook"),
                          "not a casebook JSON export", "Invalid JSON")
    assert_one_line_error(run_cli("import", tmp_path / "missing.json", tmp_path / "a.casebook"),
                          "missing.json: no such file")
    (tmp_path / "taken.casebook").write_text("mine")
    assert_one_line_error(run_cli("import", exported, tmp_path / "taken.casebook"), "already exists")
    assert (tmp_path / "taken.casebook").read_text() == "mine"
    assert not (tmp_path / "a.casebook").exists()


def test_import_reads_the_sections_in_any_order(exported: Path, worked_case_file: Path,  # noqa: F811
                                                tmp_path: Path):
    """Another tool may rewrite the export with its keys sorted (jq -S):
    annotations and claims then come before the sources they cite."""
    sorted_keys = tmp_path / "sorted.json"
    sorted_keys.write_text(json.dumps(json.loads(exported.read_text(encoding="utf-8")),
                                      sort_keys=True, indent=2), encoding="utf-8")
    result = run_cli("import", sorted_keys, tmp_path / "back.casebook")
    assert result.returncode == 0, result.stderr
    back, original = every_table(tmp_path / "back.casebook"), every_table(worked_case_file)
    # The metadata's keys were sorted too: the same pairs, stored in another order.
    meta = [sorted(row[1:] for row in tables.pop("case_meta")) for tables in (back, original)]
    assert meta[0] == meta[1] and back == original


@pytest.mark.parametrize("content, says", [
    (b"", "not a casebook JSON export (Invalid JSON: parse error: premature EOF)"),
    (b"[1, 2]", "not a casebook JSON export (not a JSON object)"),
    (b'{"format": "casebook-case", "schema_version": 1, "meta": {}, "sources": {}}',
     "not a casebook JSON export (sources: not an array)"),
    (b'{"format": "casebook-case", "schema_version": 1, "meta": {}} trailing',
     "Invalid JSON: parse error: trailing garbage"),
    (b'{"format": "casebook-case", "meta": {"title": "caf\xe9"}}',
     "Invalid JSON: lexical error: invalid bytes in UTF8 string."),
    (b'{"format": "casebook-case", "schema_version": 1, "meta": {}, "excerpts": [{"id": "one"}]}',
     "not a casebook JSON export (excerpts.0.id: Input should be a valid integer"),
    (b'{"format": "casebook-case", "meta": {}, "sources": []}',
     "not a casebook JSON export (schema_version: Field required)"),
    (b"SQLite format 3\x00" + bytes(4080), "is an SQLite file (a case file?), not a JSON export"),
])
def test_a_malformed_document_is_named_in_one_line_and_leaves_nothing(
        tmp_path: Path, content: bytes, says: str):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert_one_line_error(run_cli("import", path, tmp_path / "new.casebook"), says)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_import_reports_its_progress_through_the_file(exported: Path, tmp_path: Path):
    from db.importing import import_case_json

    seen: list[tuple[int, int]] = []
    counts = import_case_json(exported, tmp_path / "back.casebook",
                              progress=lambda done, total: seen.append((done, total)))
    size = exported.stat().st_size
    assert counts.sources == 7 and seen
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_an_export_is_one_consistent_snapshot(seed_case_copy: Path):
    """A claim another annotator adds while the export runs is not half in it."""
    from db.claims import add_claim, mark_claim
    from db.exports import write_case_json

    class Meddling(io.StringIO):
        meddled = False

        def write(self, text: str) -> int:
            if not self.meddled and '"excerpts"' in text:
                self.meddled = True
                late = add_claim(writer, statement="Added during the export.")
                mark_claim(writer, late.id, "confirmed", annotator="eve")
            return super().write(text)

    with db.open_case(seed_case_copy, read_only=True) as reader, db.open_case(seed_case_copy) as writer:
        before = db.counts(reader)
        out = Meddling()
        write_case_json(reader, out)
        assert out.meddled
        document = CaseDocument.model_validate_json(out.getvalue())
        assert (len(document.claims), len(document.annotations)) == (before.claims, before.annotations)
        assert db.counts(reader).claims == before.claims + 1  # after the snapshot, it is there


def test_import_in_a_terminal_shows_a_progress_bar_then_wipes_it(exported: Path, tmp_path: Path):
    from conftest import PtyApp

    out = tmp_path / "back.casebook"
    command = PtyApp("import", exported, out)
    command.wait_for("imported")
    command.read_to_end()
    assert b"Importing" in command.output
    assert command.output.rstrip().endswith(b"annotations")
    assert b"\x1b[?25h" in command.output                 # the cursor is shown again
    assert "Importing" not in command.text                # the bar's line is wiped
    assert command.close() == 0 and out.exists()    # its terminal closed: its exit status


def test_curation_records_round_trip_exactly(seed_case_copy: Path, tmp_path: Path):
    """Revisions (and an undo), retirements, a combination undone and redone, a
    judgement and a revision conflict: out to JSON and back, row for row."""
    from db import curation

    with db.open_case(seed_case_copy) as case:
        curation.revise(case, "entity", 1, {"aliases": "Logvinov|K. L."}, annotator="ana",
                        note="an alias")
        curation.revise(case, "event", 2, {"title": "Renamed"}, annotator="ben")
        curation.undo_own_latest_revision(case, "event", 2, annotator="ben")
        curation.retire(case, "claim", 4, reason="duplicate", annotator="ana")
        curation.retire(case, "excerpt", 3, reason="debris", annotator="ana")
        twin = curation.add_item(case, "entity", {"kind": "person", "name": "Logvinov"},
                                 evidence=[1])
        curation.combine(case, 1, [twin.id], annotator="ana")
        curation.uncombine(case, twin.id, annotator="ana")
        curation.combine(case, 1, [twin.id], annotator="ana", note="again")
        curation.judge_pair(case, 2, 3, "not_same", annotator="ben")
        with case.write() as tx:
            tx.execute("INSERT INTO revision_conflicts (item_kind, item_uid, field, revision_a, "
                       "revision_b, detected_at) VALUES ('event', 'u', 'title', 'a', 'b', 'now')")
    out, rebuilt = tmp_path / "curated.json", tmp_path / "rebuilt.casebook"
    assert run_cli("export", seed_case_copy, "-f", "json", "-o", out).returncode == 0
    document = CaseDocument.model_validate_json(out.read_text(encoding="utf-8"))
    assert (len(document.revisions), len(document.retirements), len(document.combinations),
            len(document.duplicate_judgements), len(document.revision_conflicts)) == (3, 5, 2, 1, 1)
    result = run_cli("import", out, rebuilt)
    assert result.returncode == 0, result.stderr
    original, copy = every_table(seed_case_copy), every_table(rebuilt)
    for table in original:
        assert copy[table] == original[table], table
    assert run_cli("check", rebuilt).returncode == 0
