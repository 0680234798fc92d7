"""Damaged case files, as someone with ``sqlite3`` makes them: each variant is
the demo case with a few SQL statements applied (through Python's sqlite3,
with the pragmas a tamperer would use to get past the schema's own checks).

``make_damaged(seed, folder, name)`` writes the variant ``name`` and returns
its path. ``VARIANTS`` maps each name to (statements, what casebook should
call the damage, in part)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from db.text import register_functions

# The first excerpt of the demo case that mentions Logvinov, cited by a claim.
EXCERPT = "(SELECT min(excerpt_id) FROM claim_excerpts WHERE excerpt_id IN " \
          "(SELECT id FROM excerpts WHERE text LIKE '%Logvinov%'))"
EVENT = "(SELECT min(id) FROM events WHERE title LIKE '%Logvinov%')"
CLAIM = "(SELECT min(claim_id) FROM claim_excerpts WHERE excerpt_id IN " \
        "(SELECT id FROM excerpts WHERE text LIKE '%Logvinov%'))"
ENTITY = "(SELECT id FROM entities WHERE name = 'Kirill Logvinov')"
SOURCE = "(SELECT min(source_id) FROM excerpts WHERE text LIKE '%Logvinov%')"


def _unstrict(table: str, *replacements: tuple[str, str]) -> list[str]:
    """Statements that take STRICT (and the given parts) out of a table's SQL,
    as ``PRAGMA writable_schema`` lets anyone do."""
    sql = "sql"
    for old, new in (*replacements, (") STRICT", ")")):
        sql = f"replace({sql}, '{old}', '{new}')"
    return ["PRAGMA writable_schema = ON",
            f"UPDATE sqlite_schema SET sql = {sql} WHERE type = 'table' AND name = '{table}'",
            "PRAGMA writable_schema = OFF"]


VARIANTS: dict[str, tuple[list[str], str]] = {
    "excerpt-text-edited": (
        [f"UPDATE excerpts SET text = 'Logvinov did nothing at all.' WHERE id = {EXCERPT}"],
        "does not match"),
    "excerpt-text-same-length": (
        [f"UPDATE excerpts SET text = upper(text) WHERE id = {EXCERPT}"], "does not match"),
    "event-date-sometime": (
        [f"UPDATE events SET date_start = 'sometime', date_precision = 'day' WHERE id = {EVENT}"],
        "date"),
    "event-date-impossible": (
        [f"UPDATE events SET date_start = '2023-13-45', date_precision = 'day' WHERE id = {EVENT}"],
        "date"),
    "event-ends-before-it-starts": (
        [f"UPDATE events SET date_start = '2020', date_end = '1990', date_precision = 'year' "
         f"WHERE id = {EVENT}"], "date"),
    "claim-status-unknown": (
        ["PRAGMA ignore_check_constraints = ON",
         f"UPDATE claims SET status = 'maybe' WHERE id = {CLAIM}"], "status"),
    "entity-kind-unknown": (
        ["PRAGMA ignore_check_constraints = ON",
         f"UPDATE entities SET kind = 'spy' WHERE id = {ENTITY}"], "kind"),
    "claim-version-negative": (
        [f"UPDATE claims SET version = -7 WHERE id = {CLAIM}"], "version"),
    "dangling-link": (
        [f"INSERT INTO claim_excerpts (claim_id, excerpt_id, stance) VALUES ({CLAIM}, 999999, 'supports')",
         f"INSERT INTO excerpt_entities (excerpt_id, entity_id) VALUES ({EXCERPT}, 888888)"],
        "missing"),
    "text-in-an-integer-column": (
        [*_unstrict("claims"), f"UPDATE claims SET version = 'seven' WHERE id = {CLAIM}"],
        "version"),
    "null-source-text": (
        [*_unstrict("sources", ("text      TEXT NOT NULL", "text TEXT")),
         f"UPDATE sources SET text = NULL WHERE id = {SOURCE}"], "text"),
    "null-entity-name": (
        [*_unstrict("entities", ("name        TEXT NOT NULL", "name TEXT")),
         f"UPDATE entities SET name = NULL WHERE id = {ENTITY}"], "name"),
    "huge-name": (
        [f"UPDATE entities SET name = name || ' ' || printf('%.*c', 2000000, 'x') WHERE id = {ENTITY}"],
        ""),
    "source-sha256-wrong": (
        [f"UPDATE sources SET sha256 = 'feed' WHERE id = {SOURCE}"], "sha256"),
    # What casebook did not create, or an index or a history that lies.
    "trigger-added": (
        ["CREATE TRIGGER keep_confirmed AFTER UPDATE OF status ON claims BEGIN "
         "UPDATE claims SET status = 'confirmed' WHERE id = NEW.id; END"], "did not create"),
    "view-and-table-added": (
        ["CREATE VIEW everything AS SELECT * FROM claims",
         "CREATE TABLE notes_to_self (body TEXT)"], "did not create"),
    "search-index-pages-broken": (
        ["UPDATE excerpts_fts_data SET block = randomblob(length(block)) "
         "WHERE rowid IN (SELECT rowid FROM excerpts_fts_data WHERE id > 10 LIMIT 3)"],
        "search index"),
    "history-forged": (
        [f"UPDATE claims SET status = 'denied' WHERE id = {CLAIM}"], "latest mark says"),
}


def _tampering(path: Path) -> sqlite3.Connection:
    """sqlite3 with casebook's folding function: without it the search-index
    triggers refuse any write to indexed text (schema v7), so a tamperer who
    edits text has it, or drops the triggers."""
    connection = sqlite3.connect(path, isolation_level=None)
    register_functions(connection)
    return connection


def make_damaged(seed: Path, folder: Path, name: str) -> Path:
    statements, _ = VARIANTS[name]
    path = folder / f"{name}.casebook"
    shutil.copyfile(seed, path)
    path.chmod(0o600)
    connection = _tampering(path)
    try:
        for statement in statements:
            connection.execute(statement)
            if statement == "PRAGMA writable_schema = OFF":   # a new connection reads the new schema
                connection.close()
                connection = _tampering(path)
    finally:
        connection.close()
    return path
