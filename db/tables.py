"""Every table of a case file, its columns declared once, and the SQL built from them.

A :class:`Table` names its columns in schema order (``tests/test_tables.py``
holds them against ``PRAGMA table_info`` and against the models), the key
it is read in order by, and which columns are not a model's fields. The
column lists of ``SELECT`` and ``INSERT`` statements are built from it, as
sqlite-utils and Datasette build theirs from a table's own columns, so a
column added to the schema is added here once and every copy, export and
import follows.

The SQL around those lists (joins, conditions, order) stays written out
where it is used: a few small functions, not a query builder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# The SQLite keywords a column might be named: quoted. Every other name stays
# bare, so that a misspelt or ambiguous one is an error: a double-quoted name
# SQLite cannot resolve (a bare "rowid" in a join) silently becomes a string.
_KEYWORDS = frozenset({"end", "order", "group", "index", "default", "values", "limit", "check"})


def quote(name: str) -> str:
    """A column name as SQL: ``"end"`` is a keyword, ``start`` stays as it is;
    a dotted ``alias.column`` keeps its alias."""
    alias, dot, column = name.rpartition(".")
    return f'{alias}{dot}"{column}"' if column.lower() in _KEYWORDS else name


def column_list(columns: Sequence[str], *, alias: str = "") -> str:
    """``id, title, "end", …`` (see :func:`quote`), each prefixed with ``alias.`` if given."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + quote(column) for column in columns)


@dataclass(frozen=True)
class Insert:
    """An ``INSERT`` into some columns of a table, and the values it takes in
    their order (so the statement and its parameters cannot drift apart)."""

    table: str
    columns: tuple[str, ...]
    or_ignore: bool = False
    or_replace: bool = False

    @property
    def sql(self) -> str:
        verb = ("INSERT OR IGNORE" if self.or_ignore else "INSERT OR REPLACE" if self.or_replace
                else "INSERT")
        marks = ", ".join("?" * len(self.columns))
        return f"{verb} INTO {self.table} ({column_list(self.columns)}) VALUES ({marks})"

    def values(self, item: object = None, **given: Any) -> tuple[Any, ...]:
        """The parameters for one row: each column from ``given``, else from
        ``item`` (a model's attribute, or a row's or a mapping's item)."""
        if not given:   # the bulk path (imports): no per-column checks
            if isinstance(item, (Mapping, sqlite3.Row)):
                return tuple(item[column] for column in self.columns)
            return tuple(getattr(item, column) for column in self.columns)
        unknown = [name for name in given if name not in self.columns]
        if unknown:
            raise ValueError(f"{self.table} has no column {unknown[0]!r} to insert")
        keyed = isinstance(item, (Mapping, sqlite3.Row))
        return tuple(
            given[column] if column in given else item[column] if keyed  # type: ignore[index]
            else getattr(item, column)
            for column in self.columns
        )


@dataclass(frozen=True)
class Table:
    """One table: its columns in schema order and how it is read.

    ``key`` is the order it is read in (and paged by: unique, ascending);
    ``derived`` columns are computed on writing from others (no model has
    them); ``kept`` ones, derived too, are kept by the schema's own triggers,
    so casebook never writes them; ``large`` columns are left out of listings
    (a source's whole text).
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ("id",)
    derived: tuple[str, ...] = ()
    large: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        named = set(self.columns)
        stray = [c for c in (*self.derived, *self.large, *self.kept) if c not in named]
        if set(self.kept) - set(self.derived):
            raise ValueError(f"{self.name}: a column kept by triggers is derived too")
        if stray:
            raise ValueError(f"{self.name}: {stray[0]!r} is not one of its columns")

    def __str__(self) -> str:
        return self.name

    @cached_property   # read for every row a model is made of: worked out once
    def model_columns(self) -> tuple[str, ...]:
        """The columns a model of a row carries (every one but the derived)."""
        return tuple(c for c in self.columns if c not in self.derived)

    @cached_property
    def listed(self) -> tuple[str, ...]:
        """The model's columns without the large ones: what a listing reads."""
        return tuple(c for c in self.model_columns if c not in self.large)

    def _checked(self, columns: Sequence[str] | None) -> tuple[str, ...]:
        if columns is None:
            return self.columns
        unknown = [c for c in columns if c not in self.columns]
        if unknown:
            raise ValueError(f"{self.name} has no column {unknown[0]!r}")
        return tuple(columns)

    def select(self, columns: Sequence[str] | None = None, *, alias: str = "") -> str:
        """The column list for a ``SELECT`` (every column unless given)."""
        return column_list(self._checked(columns), alias=alias)

    def travelling(self, column: str, by_uid: str) -> tuple[str, ...]:
        """The columns as a row travels between copies (a merge, an annotations
        file): ``column``, the id of a row of another table (which differs from
        copy to copy), given as that row's uid, named ``by_uid``."""
        self._checked([column])
        return tuple(by_uid if c == column else c for c in self.columns)

    def insert(self, columns: Sequence[str] | None = None, *, with_id: bool = True,
               or_ignore: bool = False, or_replace: bool = False) -> Insert:
        """An ``INSERT`` of ``columns`` (every column casebook writes unless
        given); without ``with_id`` SQLite assigns the ``id``; ``or_ignore`` and
        ``or_replace``: what a row of the same key does."""
        if or_ignore and or_replace:
            raise ValueError("an INSERT either ignores or replaces a row of the same key")
        chosen = self._checked(columns) if columns is not None else tuple(
            c for c in self.columns if c not in self.kept)
        if not with_id:
            chosen = tuple(c for c in chosen if c != "id")
        return Insert(self.name, chosen, or_ignore=or_ignore, or_replace=or_replace)


@dataclass(frozen=True)
class SearchIndex:
    """An FTS5 table. ``content`` is the table it indexes (by rowid = id);
    None for an index that would keep its own copy."""

    name: str
    columns: tuple[str, ...]
    content: Table | None
    # The SQL function (db/text.py) that makes what the index is fed from a
    # column: the folded words, or their Latin spelling (only rows that have
    # words in other scripts, ``transliterated``).
    feed: str = "casebook_search_text"

    @property
    def transliterated(self) -> bool:
        return self.feed == "casebook_transliterated_text"

    def __str__(self) -> str:
        return self.name


# -- the case file (docs/case-file.md) ---------------------------------------

CASE_META = Table("case_meta", ("key", "value"), key=("key",))
SOURCES = Table(
    "sources",
    ("id", "title", "publisher", "author", "url", "published", "text", "sha256", "added_at", "uid",
     "retired"),
    large=("text",), derived=("retired",), kept=("retired",),
)
# retired (on every kind of item): kept by triggers from retirements, the latest row's state.
EXCERPTS = Table("excerpts", ("id", "source_id", "start", "end", "text", "kind", "uid", "retired"),
                 derived=("retired",), kept=("retired",))
# sort_name is the name folded; aliases the entity_aliases joined by ' | ', kept by
# triggers so that the search index can read it as external content.
ENTITIES = Table("entities", ("id", "kind", "name", "sort_name", "description", "aliases",
                              "version", "uid", "retired", "created_at", "created_by"),
                 derived=("sort_name", "aliases", "retired"), kept=("aliases", "retired"))
ENTITY_ALIASES = Table("entity_aliases", ("entity_id", "alias"), key=("entity_id", "alias"))
# An alias's language tag (schema v9): written "Staatsveiligheid@nl" in models and forms.
ALIAS_LANGUAGES = Table("alias_languages", ("entity_id", "alias", "lang"), key=("entity_id", "alias"))
EVENTS = Table("events", ("id", "title", "date_start", "date_end", "date_precision", "description",
                          "version", "uid", "retired", "created_at", "created_by"),
               derived=("retired",), kept=("retired",))
CLAIMS = Table("claims", ("id", "uid", "statement", "claimant", "status", "version", "updated_at",
                          "retired", "created_at", "created_by"),
               derived=("retired",), kept=("retired",))
# Read in the order the marks entered the file (rowid), which never changes.
ANNOTATIONS = Table(
    "annotations",
    ("id", "claim_id", "status", "previous_status", "note", "annotator", "created_at", "kind",
     "undoes"),
    key=("rowid",),
)
EXCERPT_ENTITIES = Table("excerpt_entities", ("excerpt_id", "entity_id"),
                         key=("excerpt_id", "entity_id"))
EVENT_ENTITIES = Table("event_entities", ("event_id", "entity_id"), key=("event_id", "entity_id"))
EVENT_EXCERPTS = Table("event_excerpts", ("event_id", "excerpt_id"), key=("event_id", "excerpt_id"))
CLAIM_ENTITIES = Table("claim_entities", ("claim_id", "entity_id", "role", "uid"),
                       key=("claim_id", "entity_id", "role"))
CLAIM_EXCERPTS = Table("claim_excerpts", ("claim_id", "excerpt_id", "stance", "uid"),
                       key=("claim_id", "excerpt_id"))
CLAIM_CONFLICTS = Table(
    "claim_conflicts",
    ("id", "claim_id", "annotation_a", "annotation_b", "detected_at", "detected_by",
     "resolved_at", "resolved_by", "resolution"),
)
# Kept by a trigger from annotations: derived as a whole, never written by casebook.
STANDING_MARKS = Table(
    "standing_marks", ("claim_id", "annotator", "status", "annotation_id", "created_at"),
    key=("claim_id", "annotator"),
)

# Where a source's text came from (db/source_details.py): what the document
# said about itself, its pages as spans of the text, its lines' boxes, its attachments.
SOURCE_META = Table("source_meta", ("source_id", "key", "value"), key=("source_id", "key"))
SOURCE_PAGES = Table("source_pages", ("source_id", "number", "label", "start", "end", "width", "height"),
                     key=("source_id", "number"))
SOURCE_BOXES = Table("source_boxes", ("source_id", "start", "end", "page", "x0", "y0", "x1", "y1"),
                     key=("source_id", "start"))
SOURCE_ATTACHMENTS = Table(
    "source_attachments",
    ("source_id", "number", "name", "media_type", "size", "attached_id", "note"),
    key=("source_id", "number"),
)
# Derived (db/mentions.py): every entity name as its folded words, and the
# entities whose names changed since (marked by triggers, refolded by casebook).
MENTION_NAMES = Table("mention_names", ("first_word", "second_word", "words", "entity_id"),
                      key=("first_word", "second_word", "words", "entity_id"))
MENTION_NAMES_STALE = Table("mention_names_stale", ("entity_id",), key=("entity_id",))
# Derived (schema v12, db/possible_mentions.py): every name as possible mentions look it
# up, by the first letters of its first (and last) word's skeleton; refreshed with mention_names.
NAME_FORMS = Table("name_forms", ("entity_id", "name", "words", "skeletons", "first_key", "last_key"),
                   key=("entity_id", "name"))

# Relationships between entities (db/relationships.py), their evidence and their
# append-only marks (as claims' annotations, by relationship).
RELATIONSHIPS = Table(
    "relationships",
    ("id", "uid", "subject_entity_id", "object_entity_id", "type", "role", "date_start",
     "start_precision", "date_end", "end_precision", "description", "status", "version",
     "created_at", "created_by", "updated_at", "retired"),
    derived=("retired",), kept=("retired",),
)
RELATIONSHIP_EXCERPTS = Table("relationship_excerpts", ("relationship_id", "excerpt_id", "stance"),
                              key=("relationship_id", "excerpt_id"))
RELATIONSHIP_ANNOTATIONS = Table(
    "relationship_annotations",
    ("id", "relationship_id", "status", "previous_status", "note", "annotator", "created_at",
     "kind", "undoes"),
)

RELATIONSHIP_CONFLICTS = Table(
    "relationship_conflicts",
    ("id", "relationship_id", "annotation_a", "annotation_b", "detected_at", "detected_by",
     "resolved_at", "resolved_by", "resolution"),
)

# Curation (db/curation.py): append-only records of edits, retirements, combined
# entities and judged duplicate pairs, each with a uid, read in the order they
# entered the file.
REVISIONS = Table(
    "revisions",
    ("uid", "item_kind", "item_uid", "version", "annotator", "at", "fields", "note", "undoes"),
    key=("rowid",),
)
RETIREMENTS = Table(
    "retirements", ("uid", "item_kind", "item_uid", "retired", "annotator", "at", "reason"),
    key=("rowid",),
)
COMBINATIONS = Table(
    "combinations",
    ("uid", "kept_uid", "absorbed_uid", "annotator", "at", "note", "moved", "undone_by",
     "undone_at"),
    key=("rowid",),
)
REVISION_CONFLICTS = Table(
    "revision_conflicts",
    ("id", "item_kind", "item_uid", "field", "revision_a", "revision_b", "detected_at",
     "detected_by", "resolved_at", "resolved_by"),
)
DUPLICATE_JUDGEMENTS = Table(
    "duplicate_judgements", ("uid", "entity_a", "entity_b", "judgement", "annotator", "at"),
    key=("rowid",),
)

# Words resembling an entity's name, proposed for review (schema v9).
POSSIBLE_MENTIONS = Table(
    "possible_mentions",
    ("id", "excerpt_id", "entity_id", "start", "end", "form", "name", "reason", "score",
     "proposed_at", "judgement"),   # judgement: the latest, copied by a trigger
)
POSSIBLE_MENTION_JUDGEMENTS = Table(
    "possible_mention_judgements", ("id", "possible_mention_id", "judgement", "annotator", "at"),
)

# Every table that holds the case, in the order exports write them.
TABLES: dict[str, Table] = {table.name: table for table in (
    CASE_META, SOURCES, SOURCE_META, SOURCE_PAGES, SOURCE_BOXES, SOURCE_ATTACHMENTS, EXCERPTS,
    ENTITIES, ENTITY_ALIASES, EVENTS, CLAIMS, ANNOTATIONS,
    EXCERPT_ENTITIES, EVENT_ENTITIES, EVENT_EXCERPTS, CLAIM_ENTITIES, CLAIM_EXCERPTS,
    CLAIM_CONFLICTS, STANDING_MARKS, MENTION_NAMES, MENTION_NAMES_STALE, NAME_FORMS,
    RELATIONSHIPS, RELATIONSHIP_EXCERPTS, RELATIONSHIP_ANNOTATIONS, RELATIONSHIP_CONFLICTS,
    REVISIONS, RETIREMENTS, COMBINATIONS, DUPLICATE_JUDGEMENTS, REVISION_CONFLICTS,
    POSSIBLE_MENTIONS, POSSIBLE_MENTION_JUDGEMENTS, ALIAS_LANGUAGES,
)}

EXCERPTS_FTS = SearchIndex("excerpts_fts", ("text",), EXCERPTS)
EVENTS_FTS = SearchIndex("events_fts", ("title", "description"), EVENTS)
CLAIMS_FTS = SearchIndex("claims_fts", ("statement", "claimant"), CLAIMS)
ENTITIES_FTS = SearchIndex("entities_fts", ("name", "aliases", "description"), ENTITIES)

# Each kind's words in other scripts spelt in Latin (schema v9): ``Metsola`` finds ``Мецола``.
_LATIN = "casebook_transliterated_text"
EXCERPTS_LATIN_FTS = SearchIndex("excerpts_latin_fts", ("text",), EXCERPTS, _LATIN)
EVENTS_LATIN_FTS = SearchIndex("events_latin_fts", ("title", "description"), EVENTS, _LATIN)
CLAIMS_LATIN_FTS = SearchIndex("claims_latin_fts", ("statement", "claimant"), CLAIMS, _LATIN)
ENTITIES_LATIN_FTS = SearchIndex("entities_latin_fts", ("name", "aliases", "description"), ENTITIES,
                                 _LATIN)

SEARCH_INDEXES: dict[str, SearchIndex] = {index.name: index for index in (
    ENTITIES_FTS, EVENTS_FTS, EXCERPTS_FTS, CLAIMS_FTS,
    ENTITIES_LATIN_FTS, EVENTS_LATIN_FTS, EXCERPTS_LATIN_FTS, CLAIMS_LATIN_FTS,
)}

# sqlite-utils' record of the migrations applied (db/schema.py).
MIGRATIONS = Table("_sqlite_migrations", ("id", "migration_set", "name", "applied_at"))


def fill_search_index_sql(table: str) -> str:
    """The INSERT that feeds an index its table's text folded (not FTS5's
    'rebuild', which would index the text unfolded: db/text.py ``fold``), or
    for a transliterated index the Latin spelling of the rows that have words
    in other scripts."""
    index = SEARCH_INDEXES[table]
    assert index.content is not None
    columns = ", ".join(index.columns)
    fed = ", ".join(f"{index.feed}({column})" for column in index.columns)
    where = (" WHERE " + " OR ".join(f"{index.feed}({column}) != ''" for column in index.columns)
             if index.transliterated else "")
    return f"INSERT INTO {table}(rowid, {columns}) SELECT id, {fed} FROM {index.content.name}{where}"


def refill_search_index_sql(table: str) -> tuple[str, ...]:
    """The statements that empty an index and feed it its table anew, then
    merge it into one b-tree segment (the fastest form to query)."""
    return (f"INSERT INTO {table}({table}) VALUES ('delete-all')",
            fill_search_index_sql(table),
            f"INSERT INTO {table}({table}) VALUES ('optimize')")
