"""Linking excerpts to the entities they mention.

A mention is a whole-word match of an entity's name or alias, folding case
and diacritics ("Uhrik" in a text links Milan Uhrík). Names are matched as
word sequences, longest first, so "Russian Permanent Mission to the EU" wins
over "EU" where both fit. A generic alias ("Russian Embassy" of "Russian
Embassy in Uccle") does not link where the text names another place right
after it ("in Dublin"): :mod:`db.possible_mentions` proposes it for review.
What only resembles a name (``Logvinova``, ``Мецола``) is proposed there too.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from .casefile import Case
from .name_forms import is_generic, name_form_rows, names_another
from .paging import keyset_pages
from .tables import EXCERPT_ENTITIES, MENTION_NAMES, NAME_FORMS
from .text import folded_words

Name = tuple[str, ...]


class MentionIndex:
    """Every entity name and alias, as folded word sequences, keyed by first word."""

    def __init__(self, names: Iterable[tuple[int, str]]):
        self._by_first: dict[str, dict[Name, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._generic: set[tuple[int, Name]] = set()
        self.longest = 0
        for entity_id, name in names:
            words = tuple(folded_words(name))
            if words:
                self.add(entity_id, words)

    def add(self, entity_id: int, words: Name, *, generic: bool = False) -> None:
        """One name of an entity, as its folded words (``generic``: an alias
        that does not link where the text names another place after it)."""
        self._by_first[words[0]][words].add(entity_id)
        self.longest = max(self.longest, len(words))
        if generic:
            self._generic.add((entity_id, words))

    @classmethod
    def of_case(cls, case: Case) -> "MentionIndex":
        index = cls(())
        for entity_id, kind, entity_name, name in case.rows(
            "SELECT id, kind, name, name FROM entities UNION ALL SELECT e.id, e.kind, e.name, "
            "a.alias FROM entity_aliases a JOIN entities e ON e.id = a.entity_id"
        ):
            words = tuple(folded_words(name))
            if words:
                index.add(entity_id, words, generic=name != entity_name and is_generic(
                    kind, folded_words(entity_name), words))
        return index

    def find(self, text: str) -> set[int]:
        """Ids of the entities ``text`` mentions."""
        return self.find_words(folded_words(text))

    def find_words(self, words: list[str]) -> set[int]:
        """Ids of the entities a text of these folded words mentions."""
        found: set[int] = set()
        position = 0
        while position < len(words):
            candidates = self._by_first.get(words[position])
            matched = 0
            if candidates:
                for length in range(min(self.longest, len(words) - position), 0, -1):
                    name = tuple(words[position:position + length])
                    ids = candidates.get(name)
                    if ids:
                        if self._generic and names_another(words, position + length):
                            ids = {i for i in ids if (i, name) not in self._generic}
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


# -- the stored names (schema v5): an index of only what a document could mention


def refresh_mention_names(case: Case, *, batch: int = 5000) -> int:
    """Bring ``mention_names`` and ``name_forms`` (schema v12) up to date with
    the entities marked stale (by the schema's triggers, whoever changed them:
    add, revise, combine, merge, import, an sqlite3 shell); returns how many
    were refolded. Retiring an entity or changing its kind needs nothing here:
    the readers join ``entities`` for both.

    Each batch is one short write transaction: after an import of 100,000
    entities this is a few seconds once, and nothing on later runs.
    """
    refolded = 0
    while case.scalar("SELECT 1 FROM mention_names_stale LIMIT 1"):  # a read first: no write lock if none
        with case.write() as tx:
            ids = [row[0] for row in tx.execute(
                "SELECT entity_id FROM mention_names_stale ORDER BY entity_id LIMIT ?", [batch])]
            marks = ",".join("?" * len(ids))
            names = [(row[0], row[1]) for row in tx.execute(
                f"SELECT id, name FROM entities WHERE id IN ({marks}) UNION ALL "
                f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})", ids + ids)]
            tx.execute(f"DELETE FROM mention_names WHERE entity_id IN ({marks})", ids)
            tx.executemany(MENTION_NAMES.insert(or_ignore=True).sql, mention_name_rows(names))
            tx.execute(f"DELETE FROM name_forms WHERE entity_id IN ({marks})", ids)
            tx.executemany(NAME_FORMS.insert(or_ignore=True).sql, name_form_rows(names))
            tx.execute(f"DELETE FROM mention_names_stale WHERE entity_id IN ({marks})", ids)
        refolded += len(ids)
    return refolded


def mention_name_rows(names: Iterable[tuple[int, str]]) -> Iterable[tuple[str, str, str, int]]:
    """``(first word, second word, words, entity id)`` for each name that has words."""
    for entity_id, name in names:
        words = folded_words(name)
        if words:
            yield words[0], words[1] if len(words) > 1 else "", " ".join(words), entity_id


def index_for_words(case: Case, words: Iterable[str]) -> MentionIndex:
    """The MentionIndex of every name whose first two folded words are among
    ``words``: it finds exactly what :meth:`MentionIndex.of_case` would in a
    text of those words, reading only those names (a document names few of
    a hundred thousand entities)."""
    import json

    refresh_mention_names(case)
    present = json.dumps(sorted(set(words)))
    rows = case.rows(
        "WITH present(word) AS (SELECT value FROM json_each(?)) "
        "SELECT m.entity_id, m.words, e.kind, e.name FROM mention_names m "
        "JOIN entities e ON e.id = m.entity_id WHERE m.first_word IN present "
        "AND (m.second_word = '' OR m.second_word IN present)",
        [present],
    )
    index = MentionIndex(())
    for entity_id, joined, kind, entity_name in rows:
        words = tuple(joined.split(" "))
        entity_words = folded_words(entity_name)
        index.add(entity_id, words, generic=tuple(entity_words) != words and is_generic(
            kind, entity_words, words))
    return index
