"""The search indexes: found by sqlite-utils (and Datasette), carried over by migration."""

from __future__ import annotations

import sqlite3
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
    found = list(tools["excerpts"].search('"logvinov"', limit=3))
    assert len(found) == 3 and all("Logvinov" in row["text"] for row in found)


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
    tools.close()


def test_a_v2_case_is_migrated_to_indexes_sqlite_utils_finds(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _v2_case_with_rows(path)
    assert sqlite_utils.Database(path)["excerpts"].detect_fts() is None  # content='excerpts'
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        results = search(case, "zanzibar")
        assert {group.kind: group.total for group in results.groups} == {
            "entity": 0, "event": 1, "excerpt": 1, "claim": 1}
        weights = dict(case.rows("SELECT k, v FROM events_fts_config WHERE k = 'rank'"))
        assert weights == {"rank": "bm25(4.0, 1.0)"}
        assert dict(case.rows("SELECT k, v FROM claims_fts_config WHERE k = 'rank'")) == {
            "rank": "bm25(3.0, 1.0)"}
    tools = sqlite_utils.Database(sqlite3.connect(path))
    assert [row["id"] for row in tools["excerpts"].search('"zanzibarite"')] == [1]
    tools.close()
    with db.open_case(path) as case:  # the triggers still feed the new indexes
        case.conn.execute("INSERT INTO claims (uid, statement) VALUES ('u2', 'More zanzibarite')")
        assert search(case, "zanzibarite", kinds=["claim"]).groups[0].total == 2
        assert check_case(case).ok
