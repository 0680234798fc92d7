"""The kinds of item a case holds (entities, events, excerpts, claims), each
described once on the case-file side.

As VisiData keeps everything about a sheet type on the type, an
:class:`ItemKind` holds its name, its table, its search index, the nouns for
it, the :class:`~db.models.CaseCounts` field that counts it, and how a
search hit is built for it. ``db/search.py`` reads only these records, so
adding a kind (relationships were one) is adding a record here and its
table in ``db/tables.py`` (and its name to :data:`KindName`, for the type
checker: ``tests/test_kinds.py`` says so if it is forgotten). Proposals that
annotators judge one at a time (likely duplicates, possible mentions) are
records of :mod:`db.review_kinds`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from . import marks
from .casefile import Case
from .claims import add_note, claims_by_ids, mark_claim, undo_last_mark
from .conflicts import open_conflict_counts, resolve_conflicts
from .entities import (
    entities_by_ids,
    stored_languages,
    tagged_aliases,
    tagged_names,
    write_alias_languages,
)
from .events import events_by_ids
from .marks import RELATIONSHIP_MARKS
from .models import (
    Claim,
    Entity,
    Event,
    Excerpt,
    Model,
    Relationship,
    stored_id,
)
from .relationships import (
    mark_relationship,
    note_relationship,
    relationships_by_ids,
    resolve_relationship_conflicts,
    undo_relationship_mark,
)
from .source_details import page_place
from .sources import excerpts_by_ids, source_titles
from .tables import (
    CLAIMS,
    CLAIMS_FTS,
    CLAIMS_LATIN_FTS,
    ENTITIES,
    ENTITIES_FTS,
    ENTITIES_LATIN_FTS,
    ENTITY_ALIASES,
    EVENTS,
    EVENTS_FTS,
    EVENTS_LATIN_FTS,
    EXCERPTS,
    EXCERPTS_FTS,
    EXCERPTS_LATIN_FTS,
    RELATIONSHIPS,
    SearchIndex,
    Table,
)
from .text import focus, fold

# The names of the kinds below, as links and search results carry them.
KindName = Literal["entity", "event", "excerpt", "claim", "relationship"]


class SearchHit(Model):
    kind: KindName
    id: int
    title: str            # the line to show: a name, a title, a statement, the excerpt text
    detail: str = ""      # what it is: entity kind and aliases, a date, a source, a status
    damage: str = ""      # what is wrong with the row, if it breaks the format's rules
    transliterated: bool = False  # found by the Latin spelling of its words in another script


class HitsFor(Protocol):
    """(case, ids in the order to show, the query's folded terms) -> a hit per
    id found; ``transliterated``: the terms matched the Latin spelling."""

    def __call__(self, case: Case, ids: list[int], terms: Sequence[str],
                 transliterated: bool = False) -> list[SearchHit]: ...

# (case, ids) -> the items found, in the order given
ItemsFor = Callable[[Case, list[int]], Sequence[Model]]
# (write transaction, item id, {field: new value}) -> None: stores a revision's new values
WriteFields = Callable[[sqlite3.Connection, int, dict[str, Any]], None]


@dataclass(frozen=True)
class MarkWrites:
    """How a reviewed kind (claims, relationships) is marked, noted, undone and its
    merge conflicts settled: each a short write of its own (``db/marks.py`` underneath),
    with the version the annotator saw (``expected_version``: StaleClaimError if it moved).
    The browser's marking keys write through this, whatever the kind."""

    # (case, id, status, *, annotator, note, expected_version, unless_unchanged)
    mark: Callable[..., Model]
    note: Callable[..., Model]       # (case, id, text, *, annotator, expected_version)
    undo: Callable[..., Model]       # (case, id, *, annotator, expected_version)
    settle: Callable[..., Model]     # (case, id, status, *, annotator, note, expected_version)
    in_conflict: Callable[[Case, int], bool]


def _claim_in_conflict(case: Case, claim_id: int) -> bool:
    return bool(open_conflict_counts(case, [claim_id]))


def _relationship_in_conflict(case: Case, relationship_id: int) -> bool:
    return bool(marks.open_conflicts(RELATIONSHIP_MARKS, case, relationship_id))


CLAIM_WRITES = MarkWrites(mark_claim, add_note, undo_last_mark, resolve_conflicts,
                          _claim_in_conflict)
RELATIONSHIP_WRITES = MarkWrites(mark_relationship, note_relationship, undo_relationship_mark,
                                 resolve_relationship_conflicts, _relationship_in_conflict)


@dataclass(frozen=True)
class ItemKind:
    name: KindName             # as links, search groups and ``--kind`` name it
    table: Table
    search_index: SearchIndex | None   # None: not searched (yet)
    latin_index: SearchIndex | None   # its words in other scripts spelt in Latin (transliterated search)
    singular: str              # "entity": a noun for one
    plural: str                # "entities": for a group, a tab, a count
    count_field: str           # its CaseCounts field
    hits: HitsFor              # search hits for ids of this kind
    items: ItemsFor            # its items by id (the model of :attr:`model`)
    model: type[Model]         # what an item is; it checks a revision's new values
    # The fields a revision may change (db/curation.py), in the order forms show them,
    # and how their new values are stored.
    revisable: tuple[str, ...] = ()
    write_fields: WriteFields | None = None
    # Reviewed with marks (claims, relationships): how they are written; None: never marked.
    marks: MarkWrites | None = None

    def write(self, tx: sqlite3.Connection, item_id: int, changes: dict[str, Any]) -> None:
        if self.write_fields is not None:
            self.write_fields(tx, item_id, changes)
            return
        assignments = ", ".join(f"{name} = ?" for name in changes)
        tx.execute(f"UPDATE {self.table} SET {assignments} WHERE id = ?", [*changes.values(), item_id])


def _entity_hits(case: Case, ids: list[int], terms: Sequence[str],
                 transliterated: bool = False) -> list[SearchHit]:
    return [SearchHit(kind="entity", id=stored_id(e), title=e.name,
                      detail=" · ".join([e.kind, *tagged_names(e)]), damage=e.damage,
                      transliterated=transliterated)
            for e in entities_by_ids(case, ids)]


def _event_hits(case: Case, ids: list[int], terms: Sequence[str],
                transliterated: bool = False) -> list[SearchHit]:
    return [SearchHit(kind="event", id=stored_id(v), title=v.title, detail=v.date_label,
                      damage=v.damage, transliterated=transliterated)
            for v in events_by_ids(case, ids)]


def _excerpt_hits(case: Case, ids: list[int], terms: Sequence[str],
                  transliterated: bool = False) -> list[SearchHit]:
    excerpts = excerpts_by_ids(case, ids)
    titles = source_titles(case, [x.source_id for x in excerpts])
    return [SearchHit(kind="excerpt", id=stored_id(x),
                      title=focus(x.text, terms, transliterated=transliterated),
                      detail=f"{titles.get(x.source_id, '')} · {x.start}–{x.end}{_page_of(case, x)}",
                      damage=x.damage, transliterated=transliterated)
            for x in excerpts]


def _page_of(case: Case, excerpt: Excerpt) -> str:
    """' · p. 12' for an excerpt of a paged document (a PDF), else ''."""
    place = page_place(case, excerpt.source_id, excerpt.start, excerpt.end, box=False)
    return f" · {place.label}" if place is not None else ""


def _claim_hits(case: Case, ids: list[int], terms: Sequence[str],
               transliterated: bool = False) -> list[SearchHit]:
    return [SearchHit(kind="claim", id=stored_id(c), title=c.statement,
                      detail=f"{c.status} · {c.claimant}" if c.claimant else c.status,
                      damage=c.damage, transliterated=transliterated)
            for c in claims_by_ids(case, ids)]


def _relationship_hits(case: Case, ids: list[int], terms: Sequence[str],
                       transliterated: bool = False) -> list[SearchHit]:
    ties = relationships_by_ids(case, ids)
    names = {e.id: e.name for e in entities_by_ids(
        case, list({i for r in ties for i in (r.subject_entity_id, r.object_entity_id)}))}
    return [SearchHit(kind="relationship", id=stored_id(r),
                      title=f"{names.get(r.subject_entity_id, '?')} {r.type_label} "
                            f"{names.get(r.object_entity_id, '?')}",
                      detail=" · ".join(part for part in (r.role, r.date_label, r.status) if part))
            for r in ties]



def _write_entity_fields(tx: sqlite3.Connection, entity_id: int, changes: dict[str, Any]) -> None:
    """An entity's columns (its folded name with its name) and its aliases (a table of
    their own; the triggers keep entities.aliases and the search index)."""
    columns = {name: value for name, value in changes.items() if name != "aliases"}
    if "name" in columns:
        columns["sort_name"] = fold(columns["name"])
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        tx.execute(f"UPDATE entities SET {assignments} WHERE id = ?", [*columns.values(), entity_id])
    if "aliases" in changes:
        # Only the aliases that go or come are written: each row written re-indexes
        # the entity for search (a trigger), and each statement that does so adds a
        # segment to the search index, so rewriting the unchanged ones made a
        # revision of aliases cost some three times a mark (benchmarks/curation.py).
        # The aliases are written as given, tags and all: one given without a tag
        # has none (the form shows each with its tag: taking "@nl" away takes it away).
        aliases, languages = tagged_aliases(changes["aliases"])
        stored = {row[0] for row in tx.execute(
            "SELECT alias FROM entity_aliases WHERE entity_id = ?", [entity_id])}
        gone = [(entity_id, alias) for alias in stored if alias not in aliases]
        if gone:
            tx.executemany("DELETE FROM entity_aliases WHERE entity_id = ? AND alias = ?", gone)
        tx.executemany(ENTITY_ALIASES.insert(or_ignore=True).sql,
                       [(entity_id, alias) for alias in aliases if alias not in stored])
        tagged = stored_languages(tx, entity_id)
        untagged = [(entity_id, alias) for alias in aliases if alias in tagged and alias not in languages]
        if untagged:
            tx.executemany("DELETE FROM alias_languages WHERE entity_id = ? AND alias = ?", untagged)
        write_alias_languages(tx, entity_id, {alias: language for alias, language in languages.items()
                                              if tagged.get(alias) != language})


# A relationship's ends, as combining entities revises them: by entity uid (ids differ
# between copies of a case), each the ``<end>_entity_id`` column.
RELATIONSHIP_ENDS = ("subject", "object")


def _write_relationship_fields(tx: sqlite3.Connection, relationship_id: int,
                               changes: dict[str, Any]) -> None:
    """A relationship's columns, and its ends (``subject``, ``object``: an entity uid,
    written when combining entities moves them). An end this copy lacks the entity of
    stays; so do both ends if the change would link an entity to itself (a merge
    bringing combinations made on both sides: the combination retires it instead)."""
    columns = {name: value for name, value in changes.items() if name not in RELATIONSHIP_ENDS}
    ends = {}
    for end in RELATIONSHIP_ENDS:
        if end in changes:
            found = tx.execute("SELECT id FROM entities WHERE uid = ?", [changes[end]]).fetchone()
            if found is not None:
                ends[f"{end}_entity_id"] = int(found[0])
    if ends:
        now = tx.execute("SELECT subject_entity_id, object_entity_id FROM relationships "
                         "WHERE id = ?", [relationship_id]).fetchone()
        after = {"subject_entity_id": now[0], "object_entity_id": now[1], **ends}
        if after["subject_entity_id"] != after["object_entity_id"]:
            columns.update(ends)
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        tx.execute(f"UPDATE relationships SET {assignments} WHERE id = ?",
                   [*columns.values(), relationship_id])


ENTITY = ItemKind("entity", ENTITIES, ENTITIES_FTS, ENTITIES_LATIN_FTS, "entity", "entities",
                  "entities", _entity_hits,
                  entities_by_ids, Entity, ("name", "kind", "aliases", "description"),
                  _write_entity_fields)
EVENT = ItemKind("event", EVENTS, EVENTS_FTS, EVENTS_LATIN_FTS, "event", "events", "events",
                 _event_hits,
                 events_by_ids, Event,
                 ("title", "date_start", "date_end", "date_precision", "description"))
EXCERPT = ItemKind("excerpt", EXCERPTS, EXCERPTS_FTS, EXCERPTS_LATIN_FTS, "excerpt", "excerpts",
                   "excerpts", _excerpt_hits,
                   excerpts_by_ids, Excerpt)   # verbatim text: retired, never revised
CLAIM = ItemKind("claim", CLAIMS, CLAIMS_FTS, CLAIMS_LATIN_FTS, "claim", "claims", "claims",
                 _claim_hits,
                 claims_by_ids, Claim, ("statement", "claimant"), marks=CLAIM_WRITES)
# Relationships are listed, walked, marked and curated, not searched by text (yet).
RELATIONSHIP = ItemKind("relationship", RELATIONSHIPS, None, None, "relationship", "relationships",
                        "relationships", _relationship_hits, relationships_by_ids, Relationship,
                        ("type", "role", "date_start", "start_precision", "date_end",
                         "end_precision", "description"), _write_relationship_fields,
                        marks=RELATIONSHIP_WRITES)

# In the order panes, search groups and counts show them.
ITEM_KINDS: tuple[ItemKind, ...] = (ENTITY, EVENT, EXCERPT, CLAIM, RELATIONSHIP)
# The kinds that have a search index, in the same order.
SEARCHED_KINDS: tuple[ItemKind, ...] = tuple(k for k in ITEM_KINDS if k.search_index is not None)
_BY_NAME: dict[str, ItemKind] = {kind.name: kind for kind in ITEM_KINDS}


def item_kind(name: str) -> ItemKind:
    """The kind called ``name``; ValueError naming the kinds there are."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown kind {name!r} (choose {', '.join(_BY_NAME)})") from None
