"""Bulk loading a case file that no one else has open (one being built).

Row by row, the search triggers cost more than the rows themselves: every
excerpt re-enters the FTS5 index, and every alias rewrites its entity's index
row. :func:`bulk_load` suspends those triggers and the journal while a new
file is filled, then rebuilds the search indexes in one pass and puts the
triggers, WAL and ``synchronous=FULL`` back, so the file ends exactly as one
filled row by row would (``casebook check`` verifies the indexes).

Never use it on a case others may have open: their writes would bypass the
search index while the triggers are away.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from .casefile import Case
from .mentions import refresh_mention_names
from .schema import ENTITY_ALIASES_COLUMN
from .tables import SEARCH_INDEXES, refill_search_index_sql

# Every index is external-content: it rebuilds from its table. Entities'
# aliases column, which their triggers keep while they are there, is filled
# first.
REBUILD_ORDER: tuple[str, ...] = tuple(SEARCH_INDEXES)
_FILL_ENTITY_ALIASES = (f"UPDATE entities SET aliases = {ENTITY_ALIASES_COLUMN} "
                        f"WHERE aliases != {ENTITY_ALIASES_COLUMN}")


def _search_triggers(case: Case) -> list[tuple[str, str]]:
    return [
        (row["name"], row["sql"])
        for row in case.rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_fts\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]


@contextlib.contextmanager
def bulk_load(
    case: Case, *, cache_mib: int = 256, on_index: Callable[[str], None] | None = None
) -> Iterator[Case]:
    """Fill a new case fast: no search triggers, no journal, no fsync.

    On a clean exit the search indexes are rebuilt and the file is a normal
    WAL case file again. After an error the file is in an undefined state
    and must be deleted (the builders that use this do so). ``on_index(name)``
    is called as each search index is rebuilt (the slow part, at scale).
    """
    triggers = _search_triggers(case)
    conn = case.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = {-1024 * cache_mib:d}")
    with case.write() as tx:
        for name, _ in triggers:
            tx.execute(f'DROP TRIGGER "{name}"')
    yield case
    with case.write() as tx:
        tx.execute(_FILL_ENTITY_ALIASES)  # before the triggers are back: no index work per row
        for _, sql in triggers:
            tx.execute(sql)
    rebuild_search_index(case, progress=on_index)
    refresh_mention_names(case)
    conn.execute("PRAGMA cache_size = -2000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")


def rebuild_search_index(case: Case, *, progress: Callable[[str], None] | None = None) -> None:
    """Rebuild every FTS5 index from the tables, each merged into one segment.

    ``progress(name)`` is called before each index is rebuilt.
    """
    for table in REBUILD_ORDER:
        if progress:
            progress(table)
        with case.write() as tx:
            for sql in refill_search_index_sql(table):
                tx.execute(sql)


