"""``csv``: one file per table, for spreadsheets.

The files go in a directory (``-o DIR``): ``sources.csv``, ``excerpts.csv``,
``entities.csv``, ``entity_aliases.csv``, ``events.csv``, ``claims.csv``,
``annotations.csv``, the link tables and ``case_meta.csv``. They are UTF-8
with a byte-order mark (so Excel reads accents right), RFC 4180 quoting, a
header row, and rows in key order.

Two things differ from the tables: ``sources.csv`` leaves out the full text
(a spreadsheet cell holds at most 32,767 characters; the text is in
``excerpts.csv`` paragraph by paragraph, and whole in the JSON export), and a
text cell that a spreadsheet would run as a formula (one starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
``'``, as OWASP advises: source text is untrusted.
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
from ..paging import keyset_rows
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


# table: (columns written, key columns to page by). standing_marks is left
# out: it is derived from annotations.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    table.name: (_written(table), table.key)
    for table in tables.TABLES.values() if table is not tables.STANDING_MARKS
}
PAGE = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv_tables(case: Case, directory: str | os.PathLike[str], *, force: bool = False) -> int:
    """Write every table into ``directory``; returns the number of rows."""
    count = 0
    with case.snapshot(), atomic_directory(directory, force=force,
                                           force_hint="--force replaces its CSV files") as target:
        for table, (columns, key) in TABLES.items():
            with atomic_file(Path(target) / f"{table}.csv", force=True) as handle:
                handle.write("\ufeff")
                writer = csv.writer(handle)
                writer.writerow(columns)
                for row in _table_rows(case, table, columns, key):
                    writer.writerow([_cell(value) for value in row])
                    count += 1
    return count


def _table_rows(case: Case, table: str, columns: Sequence[str],
                key: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Rows in key order, a page at a time (keyset paging on the key columns)."""
    selected = [*columns, *(column for column in key if column not in columns)]
    for row in keyset_rows(case, f"SELECT {column_list(selected)} FROM {table}", key=key, page=PAGE):
        yield tuple(row)[:len(columns)]


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
