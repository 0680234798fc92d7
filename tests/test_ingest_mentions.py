"""Mention linking reads only the names a document could mention, and links
exactly what matching every entity would; the reader process is bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

import db
from db.bounded import ReaderLimitError, run_bounded
from db.check import check_case
from db.mentions import MentionIndex, index_for_words, refresh_mention_names
from db.text import folded_words, register_functions

SEED_TEXTS = [ROOT / "seed" / "sources" / name
              for name in ("000_316e2e01f824b1a7.txt", "003_37048b06751c40a7.txt")]


def test_the_stored_names_find_what_every_entity_would(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        everything = MentionIndex.of_case(case)
        for path in SEED_TEXTS:
            for paragraph in path.read_text(encoding="utf-8").split("\n"):
                words = folded_words(paragraph)
                assert index_for_words(case, words).find_words(words) == everything.find(paragraph)


def test_names_changed_by_any_writer_are_refolded(seed_case_copy: Path, tmp_path: Path):
    # Renamed and given an alias with sqlite3, behind casebook's back: the triggers mark it.
    # A writer must have casebook's folding for the search index (schema v7): without
    # it the write is refused whole, nothing changed.
    bare = sqlite3.connect(seed_case_copy)
    with pytest.raises(sqlite3.OperationalError, match="casebook_(search|transliterated)_text"), bare:
        bare.execute("UPDATE entities SET name = 'Kirill V. Logvinov' WHERE name = 'Kirill Logvinov'")
    assert bare.execute("SELECT count(*) FROM entities WHERE name = 'Kirill Logvinov'").fetchone()[0] == 1
    bare.close()
    conn = sqlite3.connect(seed_case_copy)
    register_functions(conn)
    with conn:
        entity_id = conn.execute("SELECT id FROM entities WHERE name = 'Kirill Logvinov'").fetchone()[0]
        conn.execute("UPDATE entities SET name = 'Kirill V. Logvinov' WHERE id = ?", [entity_id])
        conn.execute("INSERT INTO entity_aliases (entity_id, alias) VALUES (?, 'the Minister-Counsellor')",
                     [entity_id])
        conn.execute("DELETE FROM entity_aliases WHERE entity_id = ? AND alias = 'Logvinov'", [entity_id])
    conn.close()
    with db.open_case(seed_case_copy) as case:
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 1
        assert check_case(case).ok  # stale names are not a problem: they are refolded when needed
    note = tmp_path / "note.txt"
    note.write_text("The Minister-Counsellor met Kirill V. Logvinov. Logvinov alone is no longer a name.\n",
                    encoding="utf-8")
    result = run_cli("add-source", seed_case_copy, note)
    assert result.returncode == 0, result.stderr
    with db.open_case(seed_case_copy) as case:
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0
        names = {row[0] for row in case.rows("SELECT words FROM mention_names WHERE entity_id = ?",
                                             [entity_id])}
        assert names >= {"kirill v logvinov", "the minister counsellor"} and "logvinov" not in names
        linked = case.scalar("SELECT count(*) FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
                             "WHERE x.source_id = 3 AND m.entity_id = ?", [entity_id])
        assert linked == 1


def test_check_finds_names_out_of_step(seed_case_copy: Path):
    conn = sqlite3.connect(seed_case_copy)
    with conn:
        conn.execute("DELETE FROM mention_names WHERE words = 'logvinov'")
    conn.close()
    with db.open_case(seed_case_copy) as case:
        report = check_case(case)
        assert any("its names in mention_names are not its names folded" in p for p in report.problems)
        refresh_mention_names(case)  # nothing is stale: the damage stays until the entity changes
        assert not check_case(case).ok
        # Read a few entities at a time (keyset pages), the same entities are found.
        from db.check import mention_name_problems
        found = list(mention_name_problems(case))
        assert found and list(mention_name_problems(case, batch=3)) == found


def _allocate(mib: int) -> int:
    block = bytearray(mib * 1024 * 1024)
    return len(block)


def _spin() -> None:
    while True:
        pass


def _fail() -> None:
    raise ValueError("the reader's own error")


def test_a_reader_past_its_memory_is_stopped():
    assert run_bounded(_allocate, 10, memory=256 * 1024 * 1024) == 10 * 1024 * 1024
    with pytest.raises(ReaderLimitError, match="more than 256 MiB of memory"):
        run_bounded(_allocate, 600, memory=256 * 1024 * 1024)


def test_a_reader_past_its_time_is_stopped():
    with pytest.raises(ReaderLimitError, match="took more than 1 s"):
        run_bounded(_spin, seconds=1)


def test_a_readers_own_error_comes_back_as_it_was():
    with pytest.raises(ValueError, match="the reader's own error"):
        run_bounded(_fail)


def test_a_case_from_before_the_documents_tables_gains_them_and_adds_documents(seed_case_copy: Path,
                                                                                tmp_path: Path):
    """A case from before schema v5: migrated (backed up first), its names folded at the first add-source."""
    conn = sqlite3.connect(seed_case_copy)
    with conn:
        for trigger in [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%mention_names%'")]:
            conn.execute(f"DROP TRIGGER {trigger}")
        for table in ("source_meta", "source_pages", "source_boxes", "source_attachments", "mention_names",
                      "mention_names_stale"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_documents_and_mention_names'")
        conn.execute("PRAGMA user_version = 4")
    conn.close()
    with db.open_case(seed_case_copy) as case:
        assert case.scalar("PRAGMA user_version") == db.SCHEMA_VERSION
        stale = case.scalar("SELECT count(*) FROM mention_names_stale")
        assert stale == case.scalar("SELECT count(*) FROM entities")
    assert list(seed_case_copy.parent.glob("brussels.casebook.v4-*.bak"))
    note = tmp_path / "note.txt"
    note.write_text("Milan Uhrík met Kirill Logvinov.\n", encoding="utf-8")
    result = run_cli("add-source", seed_case_copy, note)
    assert result.returncode == 0 and "2 mentions" in result.stdout, result.stdout + result.stderr
    with db.open_case(seed_case_copy) as case:
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0
        assert check_case(case).ok
