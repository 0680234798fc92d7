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
from .tables import column_list, quote

PAGE = 1000


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
) -> list[int]:
    """Ids of rows ``offset .. offset+limit`` of ``table`` ordered by ``order``.

    ``order`` names the columns of an index (all ascending) ending in a unique
    column, so the order is total and can be reversed exactly.
    """
    offset = max(0, offset)
    end = min(total, offset + limit)
    if end <= offset:
        return []
    condition = f"WHERE {where}" if where else ""
    if offset > total - end:
        descending = ", ".join(f"{column} DESC" for column in order)
        found = case.rows(
            f"SELECT id FROM {table} {condition} ORDER BY {descending} LIMIT ? OFFSET ?",
            [*params, end - offset, total - end],
        )
        return [row[0] for row in reversed(found)]
    ascending = ", ".join(order)
    found = case.rows(
        f"SELECT id FROM {table} {condition} ORDER BY {ascending} LIMIT ? OFFSET ?",
        [*params, end - offset, offset],
    )
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
    page: int = PAGE,
) -> Iterator[list[sqlite3.Row]]:
    """Pages of ``select`` (``SELECT … FROM …``, joins allowed) in ``key`` order.

    ``key`` names columns (``rowid`` and ``alias.column`` too) whose values
    are unique together, each among the selected columns: a page ends at a
    row, the next begins after it. ``where`` (with ``params``) narrows the
    rows. Each page is a query of its own, so run a walk inside
    ``case.snapshot()`` (or a transaction) for a consistent whole.
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
        rows = case.rows(f"{select}{condition} ORDER BY {order} LIMIT ?", [*params, *last, page])
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
