"""``csv``: one file per table, for spreadsheets.

The files go in a directory (``-o DIR``): ``sources.csv``, ``excerpts.csv``,
``entities.csv``, ``entity_aliases.csv``, ``events.csv``, ``claims.csv``,
``annotations.csv``, the link tables and ``case_meta.csv``. They are UTF-8
with a byte-order mark (so Excel reads accents right), RFC 4180 quoting, a
header row, and rows in key order.

Two things differ from the tables: ``sources.csv`` leaves out the full text
(a spreadsheet cell holds at most 32,767 characters; the text is in
``excerpts.csv`` paragraph by paragraph, and whole in the JSON export), and
the formula guard: a text cell that a spreadsheet would run as a formula (one
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading ``'``, as OWASP advises, since source text is
untrusted. A value that itself starts with ``'`` gets one more, so the guard
is reversible: drop exactly one leading ``'`` from a cell that starts with
one to get the value back. ``raw=True`` (``--raw``) writes every value as it
is, for tools that are not spreadsheets.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..casefile import Case
from ..outfile import atomic_directory, atomic_file

# table: (columns written, key columns to page by)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "case_meta": (("key", "value"), ("key",)),
    "sources": (("id", "title", "publisher", "author", "url", "published", "sha256", "added_at"), ("id",)),
    "excerpts": (("id", "source_id", "start", "end", "text", "kind"), ("id",)),
    "entities": (("id", "kind", "name", "description"), ("id",)),
    "entity_aliases": (("entity_id", "alias"), ("entity_id", "alias")),
    "events": (("id", "title", "date_start", "date_end", "date_precision", "description"), ("id",)),
    "claims": (("id", "uid", "statement", "claimant", "status", "version", "updated_at"), ("id",)),
    "annotations": (("id", "claim_id", "kind", "status", "previous_status", "note", "annotator",
                     "created_at", "undoes"),
                    ("rowid",)),
    "excerpt_entities": (("excerpt_id", "entity_id"), ("excerpt_id", "entity_id")),
    "event_entities": (("event_id", "entity_id"), ("event_id", "entity_id")),
    "event_excerpts": (("event_id", "excerpt_id"), ("event_id", "excerpt_id")),
    "claim_entities": (("claim_id", "entity_id", "role"), ("claim_id", "entity_id", "role")),
    "claim_excerpts": (("claim_id", "excerpt_id", "stance"), ("claim_id", "excerpt_id")),
    "claim_conflicts": (("id", "claim_id", "annotation_a", "annotation_b", "detected_at", "detected_by",
                         "resolved_at", "resolved_by", "resolution"), ("id",)),
}
PAGE = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A leading ' is the guard's own mark, so a value that has one is guarded too.
_GUARDED_START = (*_FORMULA_START, "'")


def write_csv_tables(case: Case, directory: str | os.PathLike[str], *, force: bool = False,
                     raw: bool = False) -> int:
    """Write every table into ``directory``; returns the number of rows.

    ``raw`` turns the formula guard off."""
    cell = _raw_cell if raw else _cell
    count = 0
    with case.snapshot(), atomic_directory(directory, force=force) as target:
        for table, (columns, key) in TABLES.items():
            with atomic_file(Path(target) / f"{table}.csv", force=True) as handle:
                handle.write("\ufeff")
                writer = csv.writer(handle)
                writer.writerow(columns)
                for row in _table_rows(case, table, columns, key):
                    writer.writerow([cell(value) for value in row])
                    count += 1
    return count


def _table_rows(case: Case, table: str, columns: Sequence[str],
                key: Sequence[str]) -> Iterator[tuple]:
    """Rows in key order, a page at a time (keyset paging on the key columns)."""
    quoted = ", ".join(f'"{column}"' for column in columns)
    keys = ", ".join(key)
    last: tuple | None = None
    while True:
        where = f"WHERE ({keys}) > ({', '.join('?' * len(key))})" if last else ""
        rows = case.rows(
            f"SELECT {quoted}, {keys} FROM {table} {where} ORDER BY {keys} LIMIT ?",
            [*(last or ()), PAGE],
        )
        if not rows:
            return
        for row in rows:
            yield tuple(row)[:len(columns)]
        last = tuple(rows[-1])[len(columns):]


def _raw_cell(value: object) -> object:
    return value


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_GUARDED_START):
        return "'" + value
    return value
