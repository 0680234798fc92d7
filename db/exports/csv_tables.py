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

Retired items are left out, with every row that points at one (its aliases,
its links, the marks on a retired claim, a relationship to a retired entity
with its evidence and marks), unless ``include_retired=True``
(``--include-retired``); the curation records (revisions, retirements,
combinations, judgements) are always written whole: they are the record.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import tables
from ..casefile import Case
from ..outfile import atomic_directory, atomic_file
from ..paging import all_of, keyset_rows, live
from ..relationships import live_relationships
from ..tables import column_list


def _written(table: tables.Table) -> tuple[str, ...]:
    """The columns of a table's file: those a listing reads (``sources.csv``
    leaves out the text). ``annotations.csv`` has always had ``kind`` beside
    the claim (in the table the column came at the end, in schema v2)."""
    columns = table.listed
    if table is tables.ANNOTATIONS:
        rest = [column for column in columns if column != "kind"]
        columns = (*rest[:2], "kind", *rest[2:])
    return columns


# table: (columns written, key columns to page by). The tables derived from
# others are left out: standing marks (from annotations), the folded names
# mention linking reads (from entities and aliases).
_DERIVED = (tables.STANDING_MARKS, tables.MENTION_NAMES, tables.MENTION_NAMES_STALE)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    table.name: (_written(table), table.key)
    for table in tables.TABLES.values() if table not in _DERIVED
}
# A column naming an item of another table, for leaving out rows that point at retired items.
_ITEM_COLUMNS = {"excerpt_id": "excerpts", "entity_id": "entities", "event_id": "events",
                 "claim_id": "claims", "subject_entity_id": "entities", "object_entity_id": "entities"}
PAGE = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A leading ' is the guard's own mark, so a value that has one is guarded too.
_GUARDED_START = (*_FORMULA_START, "'")


def write_csv_tables(case: Case, directory: str | os.PathLike[str], *, force: bool = False,
                     raw: bool = False, include_retired: bool = False) -> int:
    """Write every table into ``directory``; returns the number of rows.

    ``raw`` turns the formula guard off."""
    cell = _raw_cell if raw else _cell
    count = 0
    with case.snapshot(), atomic_directory(directory, force=force,
                                           force_hint="--force replaces its CSV files") as target:
        for table, (columns, key) in TABLES.items():
            with atomic_file(Path(target) / f"{table}.csv", force=True) as handle:
                handle.write("\ufeff")
                writer = csv.writer(handle)
                writer.writerow(columns)
                shown = "" if include_retired else _shown(table)
                for row in _table_rows(case, table, columns, key, where=shown):
                    writer.writerow([cell(value) for value in row])
                    count += 1
    return count


def _shown(table: str) -> str:
    """The condition that leaves out a table's retired items and its rows that
    point at one ("" for the tables of records)."""
    declared = tables.TABLES[table]
    conditions = [live(table)] if "retired" in declared.kept else []   # an item table
    conditions += [live(items, column=column) for column, items in _ITEM_COLUMNS.items()
                   if column in declared.columns]
    if "relationship_id" in declared.columns:
        conditions.append(live_relationships())   # with a retired end too
    return all_of(*conditions)


def _table_rows(case: Case, table: str, columns: Sequence[str],
                key: Sequence[str], *, where: str = "") -> Iterator[tuple[Any, ...]]:
    """Rows in key order, a page at a time (keyset paging on the key columns)."""
    selected = [*columns, *(column for column in key if column not in columns)]
    for row in keyset_rows(case, f"SELECT {column_list(selected)} FROM {table}", key=key,
                           where=where, page=PAGE):
        yield tuple(row)[:len(columns)]


def _raw_cell(value: object) -> object:
    return value


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_GUARDED_START):
        return "'" + value
    return value
