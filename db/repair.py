"""``casebook check --repair OUT``: a repaired copy, never the file itself.

The case is copied first (SQLite's backup API, a new 0600 file); only the
copy is changed, in one transaction, and only where the right answer is
certain:

- triggers and views casebook did not create are dropped; casebook's own
  triggers and indexes that were changed or dropped are made again;
- an excerpt whose text is no longer its source's text at its span is moved
  to where that text stands in the source, if it stands there exactly once;
- each claim's status is its latest mark's or undo's (the history decides);
  each annotator's standing mark is derived from the history again;
- the search indexes are rebuilt from the rows.

What cannot be fixed so is left as it is and listed (``casebook check`` of
the copy, afterwards): a date that does not parse, text where a number
belongs, a table changed by hand. The original file is never written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .casefile import Case, backup_case_file, open_case
from .check import check_case
from .tables import SEARCH_INDEXES, STANDING_MARKS, refill_search_index_sql
from .text import register_functions
from .trust import expected_schema

# Each claim's standing marks as the schema's triggers keep them: every annotator's latest mark.
_STANDING = (
    f"INSERT INTO standing_marks ({STANDING_MARKS.select()}) "
    "SELECT claim_id, annotator, status, id, created_at FROM (SELECT a.claim_id, a.annotator, "
    "a.status, a.id, a.created_at, row_number() OVER (PARTITION BY a.claim_id, a.annotator "
    "ORDER BY a.created_at DESC, a.id DESC) AS newest FROM annotations a WHERE a.kind = 'mark' "
    "AND NOT EXISTS (SELECT 1 FROM annotations u WHERE u.undoes = a.id AND u.undoes != '')) "
    "WHERE newest = 1")


@dataclass
class RepairReport:
    fixed: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)   # what check still finds in the copy


def repair_copy(case: Case, out: str | Path) -> RepairReport:
    """Copy ``case`` to ``out`` (a new file) and repair the copy (see the module)."""
    out = Path(out)
    backup_case_file(case.conn, out)
    report = RepairReport()
    connection = sqlite3.connect(out, isolation_level=None)
    try:
        register_functions(connection)
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            _schema(connection, report)
            _anchors(connection, report)
            _statuses(connection, report)
            for table in SEARCH_INDEXES:   # fed folded, as casebook feeds them (not FTS5's 'rebuild')
                for statement in refill_search_index_sql(table):
                    connection.execute(statement)
            report.fixed.append("search indexes rebuilt from the rows")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()
    with open_case(out, read_only=True) as repaired:
        report.remaining = check_case(repaired).problems
    return report


def _schema(connection: sqlite3.Connection, report: RepairReport) -> None:
    expected = expected_schema()
    found = {(kind, name): " ".join((sql or "").split()) for kind, name, sql in connection.execute(
        "SELECT type, name, sql FROM main.sqlite_schema WHERE name NOT LIKE 'sqlite_%'")}
    for (kind, name), sql in sorted(found.items()):
        if kind in ("trigger", "view") and expected.get((kind, name)) != sql:
            connection.execute(f'DROP {kind.upper()} "{name}"')
            if (kind, name) not in expected:
                report.fixed.append(f"dropped the {kind} {name!r} casebook did not create")
    for (kind, name), sql in sorted(expected.items()):
        if kind in ("trigger", "index") and found.get((kind, name)) != sql:
            if kind == "index" and (kind, name) in found:
                connection.execute(f'DROP INDEX "{name}"')
            if sql:   # (an index SQLite made for a constraint has no SQL: it is the table's)
                connection.execute(sql)
                report.fixed.append(f"made casebook's {kind} {name!r} again")


def _anchors(connection: sqlite3.Connection, report: RepairReport) -> None:
    sources = connection.execute("SELECT id FROM sources ORDER BY id").fetchall()
    for (source_id,) in sources:
        text = connection.execute("SELECT text FROM sources WHERE id = ?", [source_id]).fetchone()[0]
        if not isinstance(text, str):
            continue
        for excerpt_id, start, end, excerpt in connection.execute(
                'SELECT id, start, "end", text FROM excerpts WHERE source_id = ?', [source_id]
        ).fetchall():
            if not isinstance(excerpt, str) or not excerpt or text[start:end] == excerpt:
                continue
            at = text.find(excerpt)
            if at < 0 or text.find(excerpt, at + 1) >= 0:
                continue   # not there, or there more than once: which is meant is not certain
            connection.execute('UPDATE excerpts SET start = ?, "end" = ? WHERE id = ?',
                               [at, at + len(excerpt), excerpt_id])
            report.fixed.append(f"excerpt {excerpt_id} moved to {at}-{at + len(excerpt)}, "
                                f"where its text stands in source {source_id}")


def _statuses(connection: sqlite3.Connection, report: RepairReport) -> None:
    changed = connection.execute(
        "UPDATE claims SET status = latest FROM (SELECT c.id AS claim, ifnull((SELECT a.status "
        "FROM annotations a WHERE a.claim_id = c.id AND a.kind IN ('mark', 'undo') ORDER BY "
        "a.created_at DESC, a.id DESC LIMIT 1), 'unreviewed') AS latest FROM claims c) "
        "WHERE claims.id = claim AND claims.status IS NOT latest").rowcount
    if changed:
        claims = "1 claim" if changed == 1 else f"{changed} claims"
        report.fixed.append(f"{claims} given the status of its latest mark")
    connection.execute("DELETE FROM standing_marks")
    connection.execute(_STANDING)
