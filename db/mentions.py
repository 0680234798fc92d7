"""Linking excerpts to the entities they mention.

A mention is a whole-word match of an entity's name or alias, folding case
and diacritics ("Uhrik" in a text links Milan Uhrík). Names are matched as
word sequences, longest first, so "Russian Permanent Mission to the EU" wins
over "EU" where both fit.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from .casefile import Case
from .paging import keyset_pages
from .tables import EXCERPT_ENTITIES
from .text import folded_words

Name = tuple[str, ...]


class MentionIndex:
    """Every entity name and alias, as folded word sequences, keyed by first word."""

    def __init__(self, names: Iterable[tuple[int, str]]):
        self._by_first: dict[str, dict[Name, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.longest = 0
        for entity_id, name in names:
            words = tuple(folded_words(name))
            if words:
                self._by_first[words[0]][words].add(entity_id)
                self.longest = max(self.longest, len(words))

    @classmethod
    def of_case(cls, case: Case) -> "MentionIndex":
        rows = case.rows(
            "SELECT id, name FROM entities UNION ALL SELECT entity_id, alias FROM entity_aliases"
        )
        return cls((row[0], row[1]) for row in rows)

    def find(self, text: str) -> set[int]:
        """Ids of the entities ``text`` mentions."""
        words = folded_words(text)
        found: set[int] = set()
        position = 0
        while position < len(words):
            candidates = self._by_first.get(words[position])
            matched = 0
            if candidates:
                for length in range(min(self.longest, len(words) - position), 0, -1):
                    ids = candidates.get(tuple(words[position:position + length]))
                    if ids:
                        found |= ids
                        matched = length
                        break
            position += matched or 1
        return found


def link_mentions(
    case: Case, *, excerpt_ids: Iterable[int] | None = None, index: MentionIndex | None = None,
    batch: int = 2000,
) -> int:
    """Link excerpts (all, or those given) to the entities they mention.

    Returns the number of new links. Works in batches, one short write
    transaction each, so a large case never holds the write lock for long.
    """
    index = index or MentionIndex.of_case(case)
    added = 0
    if excerpt_ids is None:
        for rows in keyset_pages(case, "SELECT id, text FROM excerpts", key=["id"], page=batch):
            added += _link(case, index, rows)
        return added
    ids = list(excerpt_ids)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        marks = ",".join("?" * len(chunk))
        rows = case.rows(f"SELECT id, text FROM excerpts WHERE id IN ({marks})", chunk)
        added += _link(case, index, rows)
    return added


def _link(case: Case, index: MentionIndex, rows: list[sqlite3.Row]) -> int:
    links = [(row["id"], entity_id) for row in rows for entity_id in index.find(row["text"])]
    if not links:
        return 0
    with case.write() as tx:
        before = tx.total_changes
        tx.executemany(EXCERPT_ENTITIES.insert(or_ignore=True).sql, links)
        return tx.total_changes - before
