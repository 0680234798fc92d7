"""Paging by position over an ordered index, in SQL.

Views in the browser ask for "rows 500,000 to 500,050". The page's ids come
from a narrow covering index (cheap to step through), then only those rows
are read. Positions past the middle are read from the other end, so no
request walks more than half the index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .casefile import Case


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
