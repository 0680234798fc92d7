"""Paging in SQL: by position for views, by key for walks.

Views in the browser ask for "rows 500,000 to 500,050". The page's ids come
from a narrow covering index (cheap to step through), then only those rows
are read. Positions past the middle are read from the other end, so no
request walks more than half the index.

Walks through a whole table (exports, merges, checks) page by key instead
(:func:`keyset_pages`: ``WHERE (key…) > (last…) ORDER BY key… LIMIT n``):
never a whole table in memory, and as fast at the millionth row as at the
first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from .casefile import Case
from .errors import NotFoundError
from .tables import column_list, quote

PAGE = 1000


def live(table: str, *, include_retired: bool = False, column: str = "id") -> str:
    """The condition that leaves ``table``'s retired items out of a read, or
    "" with ``include_retired``. Every kind of item has a ``retired`` flag and
    a partial index of the few retired ids (``{table}_retired``), so the
    condition is one probe of a small set per row. ``column`` names the
    item's id where it is read from another table (``rowid`` of a search
    index)."""
    if include_retired:
        return ""
    return f"{column} NOT IN (SELECT id FROM {table} WHERE retired = 1)"


def all_of(*conditions: str) -> str:
    """Conditions joined with AND (empty ones left out)."""
    return " AND ".join(f"({condition})" for condition in conditions if condition)


def count_live(case: Case, table: str, *, where: str = "", params: Sequence[Any] = (),
               include_retired: bool = False) -> int:
    """Rows of ``table`` (meeting ``where``), less the retired ones unless
    ``include_retired``. The retired are counted apart, through their partial
    index, so the count costs what SQLite's own count costs (a bare
    ``count(*)`` reads the smallest index at once) plus the few retired."""
    condition = f" WHERE {where}" if where else ""
    total = int(case.scalar(f"SELECT count(*) FROM {table}{condition}", params))
    if include_retired:
        return total
    retired = case.scalar(
        f"SELECT count(*) FROM {table} WHERE id IN (SELECT id FROM {table} WHERE retired = 1)"
        + (f" AND ({where})" if where else ""), params)
    return total - int(retired)


def check_shown(singular: str, item_id: int, retired: int, include_retired: bool) -> None:
    """A retired item has no place in a view that leaves retired items out."""
    if retired and not include_retired:
        raise NotFoundError(f"{singular} {item_id} is retired (retired items are hidden)")


def retired_among(case: Case, table: str, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` (a page) are retired items of ``table``."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {row[0] for row in case.rows(
        f"SELECT id FROM {table} WHERE retired = 1 AND id IN ({marks})", list(ids))}


# Past this many retired rows a page reads its rows' retired flags as it goes
# (the condition of :func:`live`) rather than stepping over the retired rows.
SKIP_RETIRED_UP_TO = 10_000


def page_ids(
    case: Case,
    *,
    table: str,
    order: Sequence[str],
    offset: int,
    limit: int,
    total: int,
    where: str = "",
    params: Sequence[Any] = (),
    include_retired: bool = True,
) -> list[int]:
    """Ids of rows ``offset .. offset+limit`` of ``table`` ordered by ``order``
    (``total`` of them meet ``where``), retired rows left out unless
    ``include_retired``.

    ``order`` names the columns of an index (all ascending) ending in a unique
    column, so the order is total and can be reversed exactly.

    Leaving the retired out does not test every row stepped over: SQLite
    steps through an OFFSET row by row, and a test on each (a probe of the
    retired ids) cost a deep page three times its plain read (72 ms against 21
    at the 499,000th of a million excerpts). Instead the row at ``offset`` is
    found with retired rows counted in (the plain read), the few retired rows
    before it (``{table}_retired``, a partial index) say how many live rows
    further on the page begins, and those few are stepped over from there.
    """
    offset = max(0, offset)
    end = min(total, offset + limit)
    if end <= offset:
        return []
    descending = offset > total - end   # read from the far end: no read walks more than half
    start = offset if not descending else total - end
    retired = 0 if include_retired else int(case.scalar(
        f"{_retired_rows(table)} SELECT count(*) FROM (SELECT 1 FROM {_retired_join(table)} "
        f"{f'WHERE {where}' if where else ''} LIMIT {SKIP_RETIRED_UP_TO + 1:d})", params))
    if retired > SKIP_RETIRED_UP_TO:
        where = all_of(where, live(table))
    elif retired:
        live_ids = _live_page_ids(case, table=table, order=order, start=start,
                                  count=end - offset, where=where, params=params,
                                  descending=descending)
        return live_ids if not descending else list(reversed(live_ids))
    condition = f"WHERE {where}" if where else ""
    direction = " DESC" if descending else ""
    found = case.rows(
        f"SELECT id FROM {table} {condition} "
        f"ORDER BY {', '.join(column + direction for column in order)} LIMIT ? OFFSET ?",
        [*params, end - offset, start],
    )
    ids = [row[0] for row in found]
    return ids if not descending else list(reversed(ids))


def _retired_rows(table: str) -> str:
    """The ids of ``table``'s retired rows, read first (through their partial
    index), to be joined back to their rows (:func:`_retired_join`): counted in
    a range otherwise, the planner would step the whole range of the range's
    index."""
    return (f"WITH retired_ids AS MATERIALIZED (SELECT id AS retired_id FROM {table} "
            f"WHERE retired = 1)")


def _retired_join(table: str) -> str:
    return f"retired_ids JOIN {table} ON {table}.id = retired_ids.retired_id"


def _live_page_ids(case: Case, *, table: str, order: Sequence[str], start: int, count: int,
                   where: str, params: Sequence[Any], descending: bool) -> list[int]:
    """``count`` ids of live rows from the ``start``-th live one (from the far
    end if ``descending``), in that direction: see :func:`page_ids`."""
    direction, beyond = (" DESC", "<=") if descending else ("", ">=")
    ordered = ", ".join(column + direction for column in order)
    columns = ", ".join(order)
    condition = f"WHERE {where}" if where else ""
    key = case.row(f"SELECT {columns} FROM {table} {condition} ORDER BY {ordered} LIMIT 1 OFFSET ?",
                   [*params, start])
    if key is None:
        return []
    key_values = list(key)
    marks = ", ".join("?" * len(order))
    before = "<" if not descending else ">"
    # the live rows before that row: ``start`` less the retired ones there
    retired_before = int(case.scalar(
        f"{_retired_rows(table)} SELECT count(*) FROM {_retired_join(table)} WHERE "
        f"{all_of(where, f'({columns}) {before} ({marks})')}",
        [*params, *key_values]))
    found = case.rows(
        f"SELECT id FROM {table} WHERE "
        f"{all_of(where, f'({columns}) {beyond} ({marks})', live(table))} "
        f"ORDER BY {ordered} LIMIT ? OFFSET ?",
        [*params, *key_values, count, retired_before])
    return [row[0] for row in found]


def rows_by_id(case: Case, select: str, ids: Sequence[int]) -> list[sqlite3.Row]:
    """Rows for ``ids`` in the order given. ``select`` ends in ``WHERE <t>.id IN``."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {row["id"]: row for row in case.rows(f"{select} ({marks})", list(ids))}
    return [found[i] for i in ids if i in found]


def keyset_pages(
    case: Case,
    select: str,
    *,
    key: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
    group: str = "",
    page: int = PAGE,
) -> Iterator[list[sqlite3.Row]]:
    """Pages of ``select`` (``SELECT … FROM …``, joins allowed) in ``key`` order.

    ``key`` names columns (``rowid`` and ``alias.column`` too) whose values
    are unique together, each among the selected columns: a page ends at a
    row, the next begins after it. ``where`` (with ``params``) narrows the
    rows; ``group`` (``GROUP BY … HAVING …``, the key its grouped columns)
    groups them, each page's groups from the rows after the last. Each page is
    a query of its own, so run a walk inside ``case.snapshot()`` (or a
    transaction) for a consistent whole.
    """
    if page < 1:
        raise ValueError(f"a page holds at least one row, not {page}")
    names = [column.rpartition(".")[2] for column in key]
    order = column_list(key)
    after = f"{quote(key[0])} > ?" if len(key) == 1 else \
        f"({order}) > ({', '.join('?' * len(key))})"
    last: list[Any] = []
    while True:
        conditions = [f"({where})"] if where else []
        if last:
            conditions.append(after)
        condition = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        grouped = f" {group}" if group else ""
        rows = case.rows(f"{select}{condition}{grouped} ORDER BY {order} LIMIT ?",
                         [*params, *last, page])
        if rows:
            yield rows
        if len(rows) < page:
            return
        after_page = [rows[-1][name] for name in names]
        if after_page == last:   # never loop on a key that does not move on
            raise ValueError(f"keyset paging on {list(key)} did not advance: not a key of {select!r}")
        last = after_page


def keyset_rows(
    case: Case,
    select: str,
    *,
    key: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
    page: int = PAGE,
) -> Iterator[sqlite3.Row]:
    """The rows of :func:`keyset_pages`, one at a time."""
    for rows in keyset_pages(case, select, key=key, where=where, params=params, page=page):
        yield from rows
