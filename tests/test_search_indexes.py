"""The search indexes: found by sqlite-utils (and Datasette), carried over by migration."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlite_utils

import db
from db.check import check_case
from db.schema import APPLICATION_ID, SCHEMA_VERSION, migrations
from db.search import search
from db.sources import text_sha256


def test_sqlite_utils_finds_the_search_index_of_every_table(seed_case_file: Path):
    tools = sqlite_utils.Database(seed_case_file)
    assert tools["excerpts"].detect_fts() == "excerpts_fts"
    assert tools["events"].detect_fts() == "events_fts"
    assert tools["claims"].detect_fts() == "claims_fts"
    assert tools["entities"].detect_fts() == "entities_fts"
    found = list(tools["excerpts"].search('"logvinov"', limit=3))
    assert len(found) == 3 and all("Logvinov" in row["text"] for row in found)
    # Entities are found by their aliases too.
    (austrevicius,) = tools["entities"].search('"austrevicius"')
    assert austrevicius["name"] == "Petras Auštrevičius" and "Auštrevičius" in austrevicius["aliases"]


def test_the_sqlite_utils_command_searches_entities(seed_case_file: Path):
    """`sqlite-utils search` once said entities were not configured for full-text search."""
    tool = Path(sys.executable).with_name("sqlite-utils")
    result = subprocess.run([tool, "search", seed_case_file, "entities", "Logvinov", "--csv"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and rows[0]["name"] == "Kirill Logvinov"


def test_aliases_follow_in_the_index(tmp_path: Path):
    with db.create_case(tmp_path / "c.casebook", title="t") as case:
        entity = db.entities.add_entity(case, kind="person", name="Jan Novák", aliases=["Honza"])
        assert search(case, "honza", kinds=["entity"]).groups[0].total == 1
        db.entities.add_alias(case, entity.id, "Johnny Zanzi")
        assert case.scalar("SELECT aliases FROM entities") == "Honza | Johnny Zanzi"
        assert search(case, "zanzi", kinds=["entity"]).groups[0].total == 1
        with case.write() as tx:
            tx.execute("DELETE FROM entity_aliases WHERE alias = 'Honza'")
        assert search(case, "honza", kinds=["entity"]).groups[0].total == 0
        assert check_case(case).ok
        with case.write() as tx:  # an edit with sqlite3 that bypasses the column: check says so
            tx.execute("DROP TRIGGER entity_aliases_fts_insert")
            tx.execute("INSERT INTO entity_aliases VALUES (?, 'Ghost')", [entity.id])
        assert any("entities.aliases is out of step" in p for p in check_case(case).problems)


def _v2_case_with_rows(path: Path) -> None:
    """A case file at schema v2 (before the indexes were renamed), with rows."""
    tools = sqlite_utils.Database(path)
    migrations.apply(tools, stop_before="m003_search_indexes_sqlite_utils_can_find")
    tools.execute("PRAGMA user_version = 2")
    tools.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    text = "A zanzibarite ledger."
    with tools.conn:
        tools.execute("INSERT INTO case_meta VALUES ('title', 'old')")
        tools.execute("INSERT INTO sources (title, text, sha256, added_at) VALUES ('s', ?, ?, "
                      "'2026-01-01T00:00:00.000000Z')", [text, text_sha256(text)])
        tools.execute("INSERT INTO excerpts (source_id, start, \"end\", text) VALUES (1, 0, ?, ?)",
                      [len(text), text])
        tools.execute("INSERT INTO events (title, date_precision) VALUES ('Zanzibarite sale', 'unknown')")
        tools.execute("INSERT INTO claims (uid, statement) VALUES ('u1', 'Zanzibarite was sold')")
        tools.execute("INSERT INTO entities (kind, name, sort_name) VALUES ('person', 'Ann', 'ann')")
        tools.execute("INSERT INTO entity_aliases VALUES (1, 'Zanzibari'), (1, 'Zanzi')")
    tools.close()


def test_a_v2_case_is_migrated_to_indexes_sqlite_utils_finds(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _v2_case_with_rows(path)
    assert sqlite_utils.Database(path)["excerpts"].detect_fts() is None  # content='excerpts'
    assert sqlite_utils.Database(path)["entities"].detect_fts() is None  # a standalone index
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        results = search(case, "zanzibar")
        assert {group.kind: group.total for group in results.groups} == {
            "entity": 1, "event": 1, "excerpt": 1, "claim": 1}
        assert case.scalar("SELECT aliases FROM entities") == "Zanzi | Zanzibari"
        weights = dict(case.rows("SELECT k, v FROM entities_fts_config WHERE k = 'rank'"))
        assert weights == {"rank": "bm25(10.0, 6.0, 1.0)"}
        weights = dict(case.rows("SELECT k, v FROM events_fts_config WHERE k = 'rank'"))
        assert weights == {"rank": "bm25(4.0, 1.0)"}
        assert dict(case.rows("SELECT k, v FROM claims_fts_config WHERE k = 'rank'")) == {
            "rank": "bm25(3.0, 1.0)"}
    tools = sqlite_utils.Database(sqlite3.connect(path))
    assert [row["id"] for row in tools["excerpts"].search('"zanzibarite"')] == [1]
    assert [row["id"] for row in tools["entities"].search('"zanzibari"')] == [1]
    tools.close()
    with db.open_case(path) as case:  # the triggers still feed the new indexes
        case.conn.execute("INSERT INTO claims (uid, statement) VALUES ('u2', 'More zanzibarite')")
        assert search(case, "zanzibarite", kinds=["claim"]).groups[0].total == 2
        assert check_case(case).ok
