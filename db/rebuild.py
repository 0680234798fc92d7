"""Rebuilding a table of a case file with a wider CHECK, inside a migration.

SQLite cannot change a CHECK in place: the table is made again under another
name, its rows copied, the old one dropped and the new one renamed (SQLite's
"making other kinds of table schema changes"), and its indexes and the
triggers on it, which went with the old table, made again as they were. The
definition is the table's own as the file holds it, with the one CHECK
widened and without its comments (so a table rebuilt by any migration has
the same SQL in every file: :mod:`db.trust` compares it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .tables import Table, column_list

if TYPE_CHECKING:
    from sqlite_utils import Database

_COMMENT = re.compile(r"[ \t]*--[^\n]*")


def widened_definition(sql: str, table: str, column: str, values: Sequence[str], *,
                       name: str) -> str:
    """``sql`` (a ``CREATE TABLE table``) as ``CREATE TABLE name``, with
    ``CHECK (column IN (...))`` taking ``values``, without its comments."""
    check = re.compile(rf"CHECK \({re.escape(column)} IN \([^)]*\)\)")
    if len(check.findall(sql)) != 1:
        raise ValueError(f"{table}: no single CHECK ({column} IN (...)) to widen")
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    sql = check.sub(lambda _: f"CHECK ({column} IN ({listed}))", _COMMENT.sub("", sql))
    created = re.compile(rf"^CREATE TABLE \"?{re.escape(table)}\"? \(", re.IGNORECASE)
    if not created.match(sql):
        raise ValueError(f"{table}: its definition does not start CREATE TABLE {table}")
    return created.sub(lambda _: f"CREATE TABLE {name} (", sql, count=1)


def rebuild_with_check(db: Database, table: Table, column: str, values: Sequence[str]) -> None:
    """Rebuild ``table`` (as :mod:`db.tables` declares it) with the CHECK on
    ``column`` taking ``values``: the same rows in rowid order, the same
    indexes and triggers. Runs in the migration's transaction."""
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                       [table.name]).fetchone()
    if found is None:
        raise ValueError(f"no table {table.name} to rebuild")
    live = {row[1] for row in db.execute(f"PRAGMA table_info({table.name})")}
    if live - set(table.columns):
        raise ValueError(f"{table.name} has columns {sorted(live - set(table.columns))} "
                         "that db/tables.py does not declare")
    # Its own indexes (not those SQLite makes for a constraint: they have no SQL) and
    # every trigger ON it, in the order they were made.
    kept = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY rowid", [table.name])]
    building = f"{table.name}_rebuilt"
    # (a column a later migration adds is declared, and not there yet)
    columns = column_list([name for name in table.columns if name in live])
    db.execute(widened_definition(found[0], table.name, column, values, name=building))
    db.execute(f"INSERT INTO {building} ({columns}) SELECT {columns} FROM {table.name} ORDER BY rowid")
    db.execute(f"DROP TABLE {table.name}")
    db.execute(f"ALTER TABLE {building} RENAME TO {table.name}")
    for sql in kept:
        db.execute(sql)
