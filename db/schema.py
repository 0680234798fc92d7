"""The case-file schema and its versioned migrations.

A case file is one SQLite database. ``PRAGMA application_id`` marks it as a
casebook file and ``PRAGMA user_version`` holds its schema version, which is
the number of migrations applied. docs/case-file.md describes every table.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .name_forms import name_form_rows
from .rebuild import rebuild_with_check
from .tables import NAME_FORMS, RETIREMENTS, REVISIONS, refill_search_index_sql

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

# "CsBk": marks a SQLite database as a casebook case file.
APPLICATION_ID = 0x4373426B


class _LazyMigrations:
    """sqlite_utils' ``Migrations``, made on first use: opening a file at the
    current version needs none of sqlite_utils (about 0.1 s of imports that
    the browser's first frame would wait for, issue 17 point 9)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._steps: list[tuple[Callable[[Database], None], dict[str, Any]]] = []
        self._made: Migrations | None = None

    def __call__(self, **options: Any) -> Callable[[Callable[[Database], None]],
                                                    Callable[[Database], None]]:
        def register(step: Callable[[Database], None]) -> Callable[[Database], None]:
            if self._made is not None:
                self._made(**options)(step)
            self._steps.append((step, options))
            return step
        return register

    def made(self) -> Migrations:
        if self._made is None:
            from sqlite_utils.migrations import Migrations

            made = Migrations(self.name)
            for step, options in self._steps:
                made(**options)(step)
            self._made = made
        return self._made

    def __getattr__(self, name: str) -> Any:   # apply, applied, pending: as Migrations has them
        return getattr(self.made(), name)


migrations = _LazyMigrations("casebook")

SCHEMA_V1 = """
CREATE TABLE case_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
    id        INTEGER PRIMARY KEY,
    title     TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    author    TEXT NOT NULL DEFAULT '',
    url       TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',     -- partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD
    text      TEXT NOT NULL,                -- NFC-normalised full text
    sha256    TEXT NOT NULL UNIQUE,         -- of the UTF-8 bytes of text
    added_at  TEXT NOT NULL
) STRICT;

-- text == sources.text[start:end], offsets in code points (W3C TextPositionSelector).
CREATE TABLE excerpts (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    text      TEXT NOT NULL,
    kind      TEXT NOT NULL DEFAULT 'paragraph' CHECK (kind IN ('paragraph', 'quote')),
    CHECK (start >= 0 AND "end" > start)
) STRICT;
-- Reading order, and a narrow covering index for paging by position.
CREATE UNIQUE INDEX excerpts_position ON excerpts(source_id, start, "end");

CREATE TABLE entities (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'organization', 'place', 'document', 'other')),
    name        TEXT NOT NULL,
    sort_name   TEXT NOT NULL,              -- name folded for case and diacritics
    description TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX entities_by_name ON entities(sort_name, id);
CREATE INDEX entities_by_kind ON entities(kind, sort_name, id);

CREATE TABLE entity_aliases (
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    date_start     TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, YYYY-MM or YYYY by precision; '' if unknown
    date_end       TEXT NOT NULL DEFAULT '',  -- set for ranges only, same form as date_start
    date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'month', 'year', 'decade', 'unknown')),
    description    TEXT NOT NULL DEFAULT ''
) STRICT;
-- Partial ISO dates sort correctly as text; undated events ('') come first.
CREATE INDEX events_timeline ON events(date_start, date_end, id);

CREATE TABLE claims (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,        -- stable across copies of a case, for merging
    statement  TEXT NOT NULL,
    claimant   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'unreviewed'
               CHECK (status IN ('unreviewed', 'confirmed', 'disputed', 'denied')),
    version    INTEGER NOT NULL DEFAULT 0,  -- bumped by every mark: optimistic concurrency
    updated_at TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX claims_by_status ON claims(status, id);

-- Append-only: a claim's status is its latest annotation.
CREATE TABLE annotations (
    id              TEXT PRIMARY KEY,       -- UUID
    claim_id        INTEGER NOT NULL REFERENCES claims(id),
    status          TEXT NOT NULL
                    CHECK (status IN ('unreviewed', 'confirmed', 'disputed', 'denied')),
    previous_status TEXT NOT NULL
                    CHECK (previous_status IN ('unreviewed', 'confirmed', 'disputed', 'denied')),
    note            TEXT NOT NULL DEFAULT '',
    annotator       TEXT NOT NULL,
    created_at      TEXT NOT NULL           -- UTC, ISO 8601 with microseconds
) STRICT;
CREATE INDEX annotations_by_claim ON annotations(claim_id, created_at);
CREATE TRIGGER annotations_no_update BEFORE UPDATE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TRIGGER annotations_no_delete BEFORE DELETE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;

-- Links.
CREATE TABLE excerpt_entities (
    excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),
    entity_id  INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (excerpt_id, entity_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX excerpt_entities_by_entity ON excerpt_entities(entity_id, excerpt_id);

CREATE TABLE event_entities (
    event_id  INTEGER NOT NULL REFERENCES events(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (event_id, entity_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_entities_by_entity ON event_entities(entity_id, event_id);

CREATE TABLE event_excerpts (
    event_id   INTEGER NOT NULL REFERENCES events(id),
    excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),
    PRIMARY KEY (event_id, excerpt_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_excerpts_by_excerpt ON event_excerpts(excerpt_id, event_id);

CREATE TABLE claim_entities (
    claim_id  INTEGER NOT NULL REFERENCES claims(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    role      TEXT NOT NULL DEFAULT 'subject' CHECK (role IN ('subject', 'claimant')),
    PRIMARY KEY (claim_id, entity_id, role)
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_entities_by_entity ON claim_entities(entity_id, claim_id);

CREATE TABLE claim_excerpts (
    claim_id   INTEGER NOT NULL REFERENCES claims(id),
    excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),
    stance     TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN ('supports', 'contradicts', 'context')),
    PRIMARY KEY (claim_id, excerpt_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_excerpts_by_excerpt ON claim_excerpts(excerpt_id, claim_id);

-- Full-text search. unicode61 with remove_diacritics 2 folds case and
-- diacritics (Austrevicius finds Auštrevičius); prefix indexes keep
-- search-as-you-type fast on one- to three-letter prefixes.
CREATE VIRTUAL TABLE excerpts_fts USING fts5(
    text, content='excerpts', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER excerpts_fts_insert AFTER INSERT ON excerpts BEGIN
    INSERT INTO excerpts_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER excerpts_fts_delete AFTER DELETE ON excerpts BEGIN
    INSERT INTO excerpts_fts(excerpts_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER excerpts_fts_update AFTER UPDATE OF text ON excerpts BEGIN
    INSERT INTO excerpts_fts(excerpts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO excerpts_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE VIRTUAL TABLE events_fts USING fts5(
    title, description, content='events', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF title, description ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, title, description)
    VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO events_fts(rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE VIRTUAL TABLE claims_fts USING fts5(
    statement, claimant, content='claims', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claims_fts(rowid, statement, claimant) VALUES (new.id, new.statement, new.claimant);
END;
CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
    INSERT INTO claims_fts(claims_fts, rowid, statement, claimant)
    VALUES ('delete', old.id, old.statement, old.claimant);
END;
-- Only text changes touch the index: marks update status and version often.
CREATE TRIGGER claims_fts_update AFTER UPDATE OF statement, claimant ON claims BEGIN
    INSERT INTO claims_fts(claims_fts, rowid, statement, claimant)
    VALUES ('delete', old.id, old.statement, old.claimant);
    INSERT INTO claims_fts(rowid, statement, claimant) VALUES (new.id, new.statement, new.claimant);
END;

-- Entities are indexed with their aliases, so the index keeps its own copy.
CREATE VIRTUAL TABLE entities_fts USING fts5(
    name, aliases, description,
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER entities_fts_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entities_fts(rowid, name, aliases, description)
    VALUES (new.id, new.name, '', new.description);
END;
CREATE TRIGGER entities_fts_delete AFTER DELETE ON entities BEGIN
    DELETE FROM entities_fts WHERE rowid = old.id;
END;
CREATE TRIGGER entities_fts_update AFTER UPDATE OF name, description ON entities BEGIN
    UPDATE entities_fts SET name = new.name, description = new.description WHERE rowid = new.id;
END;
CREATE TRIGGER entity_aliases_fts_insert AFTER INSERT ON entity_aliases BEGIN
    UPDATE entities_fts SET aliases = (
        SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = new.entity_id
    ) WHERE rowid = new.entity_id;
END;
-- Ranking weights per column: a match in a name outranks one in a description.
INSERT INTO entities_fts(entities_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 1.0)');
INSERT INTO events_fts(events_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
INSERT INTO claims_fts(claims_fts, rank) VALUES ('rank', 'bm25(3.0, 1.0)');
CREATE TRIGGER entity_aliases_fts_delete AFTER DELETE ON entity_aliases BEGIN
    UPDATE entities_fts SET aliases = ifnull((
        SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = old.entity_id
    ), '') WHERE rowid = old.entity_id;
END;
"""


@migrations()
def m001_initial_schema(db: Database) -> None:
    _run_script(db, SCHEMA_V1)


def _run_script(db: Database, script: str) -> None:
    """Run a multi-statement script inside the migration's transaction.

    ``executescript`` would COMMIT first, so statements run one by one.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:60]!r}")


SCHEMA_V2 = """
-- What an annotation is: a status mark, a note that leaves the status as it
-- was, or the undo of an earlier annotation (named by undoes).
ALTER TABLE annotations ADD COLUMN kind TEXT NOT NULL DEFAULT 'mark'
    CHECK (kind IN ('mark', 'note', 'undo'));
ALTER TABLE annotations ADD COLUMN undoes TEXT NOT NULL DEFAULT '';
-- Each annotator's latest mark on a claim (agreement), and undone marks.
CREATE INDEX annotations_by_annotator ON annotations(claim_id, annotator, created_at);
CREATE INDEX annotations_undone ON annotations(undoes) WHERE undoes != '';

-- Claims marked differently on both sides of a merge: flagged for review,
-- never resolved silently. The pair of annotations is stored in id order,
-- so the same conflict found in two copies is one row after they merge.
CREATE TABLE claim_conflicts (
    id              INTEGER PRIMARY KEY,
    claim_id        INTEGER NOT NULL REFERENCES claims(id),
    annotation_a    TEXT NOT NULL REFERENCES annotations(id),
    annotation_b    TEXT NOT NULL REFERENCES annotations(id),
    detected_at     TEXT NOT NULL,
    detected_by     TEXT NOT NULL DEFAULT '', -- what found it: 'merge <file name>'
    resolved_at     TEXT NOT NULL DEFAULT '', -- '' while open
    resolved_by     TEXT NOT NULL DEFAULT '', -- the annotator who resolved it
    resolution      TEXT NOT NULL DEFAULT '', -- the annotation that resolved it
    CHECK (annotation_a < annotation_b),
    UNIQUE (claim_id, annotation_a, annotation_b)
) STRICT;
CREATE INDEX claim_conflicts_open ON claim_conflicts(resolved_at, claim_id);

-- Derived from annotations, kept by the trigger below: each annotator's
-- standing mark on each claim, their latest annotation of kind 'mark' that
-- no undo took back (status 'unreviewed' when they withdrew a judgement).
-- Agreement and the disagreement queue read this instead of the whole log.
CREATE TABLE standing_marks (
    claim_id      INTEGER NOT NULL REFERENCES claims(id),
    annotator     TEXT NOT NULL,
    status        TEXT NOT NULL,
    annotation_id TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (claim_id, annotator)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER standing_marks_follow AFTER INSERT ON annotations
WHEN new.kind IN ('mark', 'undo')
BEGIN
    -- The annotator whose standing mark may move: the marker, or the author
    -- of the undone mark (NULL if that mark is not here yet: it will settle
    -- things itself when it arrives).
    DELETE FROM standing_marks WHERE claim_id = new.claim_id AND annotator = (
        CASE new.kind WHEN 'mark' THEN new.annotator
        ELSE (SELECT annotator FROM annotations WHERE id = new.undoes) END);
    INSERT INTO standing_marks (claim_id, annotator, status, annotation_id, created_at)
    SELECT a.claim_id, a.annotator, a.status, a.id, a.created_at FROM annotations a
    WHERE a.claim_id = new.claim_id AND a.kind = 'mark' AND a.annotator = (
        CASE new.kind WHEN 'mark' THEN new.annotator
        ELSE (SELECT annotator FROM annotations WHERE id = new.undoes) END)
      AND NOT EXISTS (SELECT 1 FROM annotations u WHERE u.undoes = a.id AND u.undoes != '')
    ORDER BY a.created_at DESC, a.id DESC LIMIT 1;
END;
INSERT INTO standing_marks (claim_id, annotator, status, annotation_id, created_at)
SELECT claim_id, annotator, status, id, created_at FROM (
    SELECT a.claim_id, a.annotator, a.status, a.id, a.created_at, row_number() OVER (
        PARTITION BY a.claim_id, a.annotator ORDER BY a.created_at DESC, a.id DESC) AS newest
    FROM annotations a WHERE a.kind = 'mark'
      AND NOT EXISTS (SELECT 1 FROM annotations u WHERE u.undoes = a.id AND u.undoes != '')
) WHERE newest = 1;
"""


@migrations()
def m002_annotation_kinds_and_conflicts(db: Database) -> None:
    _run_script(db, SCHEMA_V2)


# v3: the external-content search indexes name their table in double quotes
# (content="excerpts"): sqlite-utils' table.search() and Datasette's search box
# recognise only that form (or [excerpts]), not the content='excerpts' of v1 and v2. Same
# columns, tokenizer, prefixes and ranking weights; the indexes are rebuilt.
SCHEMA_V3_SEARCH_INDEXES = """
DROP TABLE excerpts_fts;
CREATE VIRTUAL TABLE excerpts_fts USING fts5(
    text, content="excerpts", content_rowid="id",
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO excerpts_fts(excerpts_fts) VALUES ('rebuild');

DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, description, content="events", content_rowid="id",
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO events_fts(events_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
INSERT INTO events_fts(events_fts) VALUES ('rebuild');

DROP TABLE claims_fts;
CREATE VIRTUAL TABLE claims_fts USING fts5(
    statement, claimant, content="claims", content_rowid="id",
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO claims_fts(claims_fts, rank) VALUES ('rank', 'bm25(3.0, 1.0)');
INSERT INTO claims_fts(claims_fts) VALUES ('rebuild');
"""


@migrations()
def m003_search_indexes_sqlite_utils_can_find(db: Database) -> None:
    _run_script(db, SCHEMA_V3_SEARCH_INDEXES)


# v4: entities carry their aliases in a column of their own (derived from
# entity_aliases, kept by triggers), so entities_fts can be an external-content
# index over entities like the other three (content="entities"): Datasette's
# ?_search= and `sqlite-utils search` find it by that name and search entities
# too (a standalone index was invisible to them: ?_search= was silently
# ignored). Same columns, tokenizer, prefixes and ranking weights.
SCHEMA_V4_ENTITY_SEARCH = """
DROP TRIGGER entities_fts_insert;
DROP TRIGGER entities_fts_delete;
DROP TRIGGER entities_fts_update;
DROP TRIGGER entity_aliases_fts_insert;
DROP TRIGGER entity_aliases_fts_delete;
DROP TABLE entities_fts;

-- The entity's aliases, joined by ' | ' in alias order; '' when it has none.
ALTER TABLE entities ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
UPDATE entities SET aliases = ifnull((
    SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = entities.id
), '');

CREATE VIRTUAL TABLE entities_fts USING fts5(
    name, aliases, description, content="entities", content_rowid="id",
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
INSERT INTO entities_fts(entities_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 1.0)');
INSERT INTO entities_fts(entities_fts) VALUES ('rebuild');

CREATE TRIGGER entities_fts_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entities_fts(rowid, name, aliases, description)
    VALUES (new.id, new.name, new.aliases, new.description);
END;
CREATE TRIGGER entities_fts_delete AFTER DELETE ON entities BEGIN
    INSERT INTO entities_fts(entities_fts, rowid, name, aliases, description)
    VALUES ('delete', old.id, old.name, old.aliases, old.description);
END;
CREATE TRIGGER entities_fts_update AFTER UPDATE OF name, aliases, description ON entities BEGIN
    INSERT INTO entities_fts(entities_fts, rowid, name, aliases, description)
    VALUES ('delete', old.id, old.name, old.aliases, old.description);
    INSERT INTO entities_fts(rowid, name, aliases, description)
    VALUES (new.id, new.name, new.aliases, new.description);
END;
CREATE TRIGGER entity_aliases_fts_insert AFTER INSERT ON entity_aliases BEGIN
    UPDATE entities SET aliases = (
        SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = new.entity_id
    ) WHERE id = new.entity_id;
END;
CREATE TRIGGER entity_aliases_fts_delete AFTER DELETE ON entity_aliases BEGIN
    UPDATE entities SET aliases = ifnull((
        SELECT group_concat(alias, ' | ') FROM entity_aliases WHERE entity_id = old.entity_id
    ), '') WHERE id = old.entity_id;
END;
"""

# entities.aliases as the triggers above keep it (bulk loading and `check` use it).
ENTITY_ALIASES_COLUMN = (
    "ifnull((SELECT group_concat(alias, ' | ') FROM entity_aliases "
    "WHERE entity_id = entities.id), '')"
)


@migrations()
def m004_entity_search_datasette_and_sqlite_utils_can_find(db: Database) -> None:
    _run_script(db, SCHEMA_V4_ENTITY_SEARCH)


# v5: where a source's text came from, and mention linking that reads only the
# names a document could mention. docs/case-file.md describes each table.
SCHEMA_V5_DOCUMENTS = """
-- What a document said about itself: format, file name and digest, Message-ID...
CREATE TABLE source_meta (
    source_id INTEGER NOT NULL REFERENCES sources(id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (source_id, key)
) STRICT, WITHOUT ROWID;

-- The pages of a paged document (a PDF): the span of the text each holds.
CREATE TABLE source_pages (
    source_id INTEGER NOT NULL REFERENCES sources(id),
    number    INTEGER NOT NULL CHECK (number >= 1),   -- from 1, in document order
    label     TEXT NOT NULL DEFAULT '',               -- the page number it prints, '' if none
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    width     REAL NOT NULL DEFAULT 0,                -- points
    height    REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, number),
    CHECK (start >= 0 AND "end" >= start)
) STRICT, WITHOUT ROWID;
CREATE INDEX source_pages_by_offset ON source_pages(source_id, start);

-- Where each line of a page's text is drawn, in points from the page's top-left corner.
CREATE TABLE source_boxes (
    source_id INTEGER NOT NULL REFERENCES sources(id),
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    page      INTEGER NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    PRIMARY KEY (source_id, start),
    CHECK (start >= 0 AND "end" > start)
) STRICT, WITHOUT ROWID;

-- A document's attachments (an e-mail's files): each read as a source of its
-- own (attached_id), or listed with why it was not.
CREATE TABLE source_attachments (
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    attached_id INTEGER REFERENCES sources(id),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source_id, number),
    CHECK (attached_id IS NULL OR attached_id != source_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX source_attachments_by_attached ON source_attachments(attached_id)
    WHERE attached_id IS NOT NULL;

-- Derived: every entity name and alias as its folded words (db/mentions.py),
-- by first and second word, so linking a document reads only the names it could mention.
-- Any writer (casebook, sqlite3, Datasette) marks the entities it changes in
-- mention_names_stale, by the triggers below; casebook refolds those before
-- it links mentions. casebook check compares the table with the entities.
CREATE TABLE mention_names (
    first_word  TEXT NOT NULL,
    second_word TEXT NOT NULL,        -- '' for a name of one word
    words       TEXT NOT NULL,        -- the folded words, separated by single spaces
    entity_id   INTEGER NOT NULL,
    PRIMARY KEY (first_word, second_word, words, entity_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mention_names_by_entity ON mention_names(entity_id);
CREATE TABLE mention_names_stale (entity_id INTEGER PRIMARY KEY) STRICT;
CREATE TRIGGER entities_mention_names_insert AFTER INSERT ON entities BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (new.id);
END;
CREATE TRIGGER entities_mention_names_update AFTER UPDATE OF id, name ON entities BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (old.id);
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (new.id);
END;
CREATE TRIGGER entities_mention_names_delete AFTER DELETE ON entities BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (old.id);
END;
CREATE TRIGGER entity_aliases_mention_names_insert AFTER INSERT ON entity_aliases BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (new.entity_id);
END;
CREATE TRIGGER entity_aliases_mention_names_update AFTER UPDATE ON entity_aliases BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (old.entity_id);
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (new.entity_id);
END;
CREATE TRIGGER entity_aliases_mention_names_delete AFTER DELETE ON entity_aliases BEGIN
    INSERT OR IGNORE INTO mention_names_stale (entity_id) VALUES (old.entity_id);
END;
INSERT INTO mention_names_stale (entity_id) SELECT id FROM entities;
"""


@migrations()
def m005_documents_and_mention_names(db: Database) -> None:
    _run_script(db, SCHEMA_V5_DOCUMENTS)


# v6: curation. Every source, excerpt, entity, event and claim link carries a
# uid (claims had one already) that survives backup, export, import and merge;
# entities and events a version like claims'. Revisions, retirements,
# combinations and duplicate judgements are append-only records, each with a
# uid so that merging twice adds nothing. docs/case-file.md describes them.

# A random UUID (version 4) in SQL: the uid of a row written without one (by
# sqlite3, Datasette or an older writer), set by the triggers below.
RANDOM_UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)

# The tables that get a uid, and the columns that find one row of each.
UID_TABLES: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "excerpts": ("id",),
    "entities": ("id",),
    "events": ("id",),
    "claim_entities": ("claim_id", "entity_id", "role"),
    "claim_excerpts": ("claim_id", "excerpt_id"),
}
# The kinds of item a curation record (a revision, a retirement) can be about, and
# their tables: those of v6 (m006 gave each its retired flag), then relationships (v8).
_V6_CURATED_TABLES: dict[str, str] = {
    "source": "sources", "excerpt": "excerpts", "entity": "entities", "event": "events",
    "claim": "claims",
}
CURATED_TABLES: dict[str, str] = {**_V6_CURATED_TABLES, "relationship": "relationships"}

SCHEMA_V6_CURATION = """
ALTER TABLE entities ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- Append-only: an edit of an item's fields. fields is a JSON object
-- {field: [old, new]}; version is the item's version the edit made; undoes
-- names the revision an undo took back ('' for an edit).
CREATE TABLE revisions (
    uid       TEXT PRIMARY KEY,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('source', 'excerpt', 'entity', 'event', 'claim')),
    item_uid  TEXT NOT NULL,
    version   INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL,           -- UTC, ISO 8601 with microseconds
    fields    TEXT NOT NULL CHECK (json_valid(fields)),
    note      TEXT NOT NULL DEFAULT '',
    undoes    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX revisions_by_item ON revisions(item_kind, item_uid, at);
CREATE INDEX revisions_by_time ON revisions(at);

-- Append-only: an item retired (soft-deleted) or restored; its state is its latest row.
CREATE TABLE retirements (
    uid       TEXT PRIMARY KEY,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('source', 'excerpt', 'entity', 'event', 'claim')),
    item_uid  TEXT NOT NULL,
    retired   INTEGER NOT NULL CHECK (retired IN (0, 1)),
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX retirements_by_item ON retirements(item_kind, item_uid, at);

-- Two entities made one: absorbed's names became kept's aliases and its links
-- moved to kept (moved: a JSON record of exactly what changed, so that
-- uncombine restores it). undone_by/undone_at say who uncombined it.
CREATE TABLE combinations (
    uid          TEXT PRIMARY KEY,
    kept_uid     TEXT NOT NULL,
    absorbed_uid TEXT NOT NULL,
    annotator    TEXT NOT NULL,
    at           TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    moved        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(moved)),
    undone_by    TEXT NOT NULL DEFAULT '',
    undone_at    TEXT NOT NULL DEFAULT '',
    CHECK (kept_uid != absorbed_uid)
) STRICT;
CREATE INDEX combinations_by_kept ON combinations(kept_uid);
CREATE INDEX combinations_by_absorbed ON combinations(absorbed_uid);

-- Append-only: an annotator's judgement of a proposed pair of entities (uids in order).
CREATE TABLE duplicate_judgements (
    uid       TEXT PRIMARY KEY,
    entity_a  TEXT NOT NULL,
    entity_b  TEXT NOT NULL,
    judgement TEXT NOT NULL CHECK (judgement IN ('same', 'not_same', 'skip')),
    annotator TEXT NOT NULL,
    at        TEXT NOT NULL,
    CHECK (entity_a < entity_b)
) STRICT;
CREATE INDEX duplicate_judgements_by_pair ON duplicate_judgements(entity_a, entity_b, at);

-- A field revised on both sides of a merge to different values: flagged for
-- review, never settled silently (the later revision by time is the value
-- meanwhile). The pair of revisions is stored in uid order, so the same
-- conflict found in two copies is one row after they merge.
CREATE TABLE revision_conflicts (
    id          INTEGER PRIMARY KEY,
    item_kind   TEXT NOT NULL,
    item_uid    TEXT NOT NULL,
    field       TEXT NOT NULL,
    revision_a  TEXT NOT NULL,
    revision_b  TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    detected_by TEXT NOT NULL DEFAULT '',
    resolved_at TEXT NOT NULL DEFAULT '',
    resolved_by TEXT NOT NULL DEFAULT '',
    CHECK (revision_a < revision_b),
    UNIQUE (item_kind, item_uid, field, revision_a, revision_b)
) STRICT;
CREATE INDEX revision_conflicts_open ON revision_conflicts(resolved_at, item_kind, item_uid);

CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER retirements_no_update BEFORE UPDATE ON retirements
BEGIN SELECT RAISE(ABORT, 'retirements are append-only'); END;
CREATE TRIGGER retirements_no_delete BEFORE DELETE ON retirements
BEGIN SELECT RAISE(ABORT, 'retirements are append-only'); END;
CREATE TRIGGER duplicate_judgements_no_update BEFORE UPDATE ON duplicate_judgements
BEGIN SELECT RAISE(ABORT, 'duplicate judgements are append-only'); END;
CREATE TRIGGER duplicate_judgements_no_delete BEFORE DELETE ON duplicate_judgements
BEGIN SELECT RAISE(ABORT, 'duplicate judgements are append-only'); END;
"""


def _uid_columns_script() -> str:
    """Each uid's unique index, the trigger that gives a row
    written without one a random uid, and each item's ``retired`` flag, kept
    from retirements by triggers (the latest row by time wins)."""
    parts = []
    for table, key in UID_TABLES.items():
        where = " AND ".join(f'{column} = new.{column}' for column in key)
        parts.append(f"""
CREATE UNIQUE INDEX {table}_by_uid ON {table}(uid);
CREATE TRIGGER {table}_uid AFTER INSERT ON {table} WHEN new.uid = '' BEGIN
    UPDATE {table} SET uid = {RANDOM_UUID_SQL} WHERE {where};
END;
""")
    for kind, table in _V6_CURATED_TABLES.items():
        parts.append(f"ALTER TABLE {table} ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;\n"
                     + _retired_index(table) + _retired_trigger(kind, table))
    return "".join(parts)


def _retired_index(table: str) -> str:
    """The partial index of a table's few retired ids (search leaves them out through it)."""
    return f"CREATE INDEX {table}_retired ON {table}(id) WHERE retired = 1;\n"


def _retired_trigger(kind: str, table: str) -> str:
    """The trigger that keeps a table's ``retired`` flag from retirements (the
    latest row by time wins)."""
    return f"""CREATE TRIGGER {table}_retired AFTER INSERT ON retirements WHEN new.item_kind = '{kind}' BEGIN
    UPDATE {table} SET retired = (
        SELECT retired FROM retirements WHERE item_kind = '{kind}' AND item_uid = new.item_uid
        ORDER BY at DESC, uid DESC LIMIT 1) WHERE uid = new.item_uid;
END;
"""


def _existing_uids(db: Database) -> None:
    """Deterministic uids for the rows a file already holds: UUIDv5s of what
    identifies each row, in a namespace of the case's own case_uid, so two
    copies of one case migrated apart give their shared rows the same uids."""
    found = db.execute("SELECT value FROM case_meta WHERE key = 'case_uid'").fetchone()
    namespace = str(uuid.uuid5(uuid.NAMESPACE_URL, f"casebook:{found[0] if found else ''}"))
    db.conn.create_function("casebook_uid5", 2, _uid5, deterministic=True)
    db.execute("UPDATE sources SET uid = casebook_uid5(?, 'source:' || sha256)", [namespace])
    db.execute(
        "UPDATE excerpts SET uid = casebook_uid5(?, 'excerpt:' || "
        "(SELECT s.uid FROM sources s WHERE s.id = excerpts.source_id) || ':' || start || ':' || \"end\")",
        [namespace])
    # Two entities (events) alike in every field are told apart by their order.
    db.execute(
        "UPDATE entities SET uid = casebook_uid5(?, 'entity:' || kind || ':' || name || ':' || n) "
        "FROM (SELECT id AS same_id, row_number() OVER (PARTITION BY kind, name ORDER BY id) AS n "
        "FROM entities) WHERE same_id = entities.id", [namespace])
    db.execute(
        "UPDATE events SET uid = casebook_uid5(?, 'event:' || title || ':' || date_start || ':' || "
        "date_end || ':' || date_precision || ':' || n) "
        "FROM (SELECT id AS same_id, row_number() OVER ("
        "PARTITION BY title, date_start, date_end, date_precision ORDER BY id) AS n "
        "FROM events) WHERE same_id = events.id", [namespace])
    db.execute(
        "UPDATE claim_entities SET uid = casebook_uid5(?, 'claim-entity:' || "
        "(SELECT uid FROM claims WHERE id = claim_id) || ':' || "
        "(SELECT uid FROM entities WHERE id = entity_id) || ':' || role)", [namespace])
    db.execute(
        "UPDATE claim_excerpts SET uid = casebook_uid5(?, 'claim-excerpt:' || "
        "(SELECT uid FROM claims WHERE id = claim_id) || ':' || "
        "(SELECT uid FROM excerpts WHERE id = excerpt_id))", [namespace])


def _uid5(namespace: str, name: str | None) -> str:
    return str(uuid.uuid5(uuid.UUID(namespace), name or ""))


@migrations()
def m006_curation(db: Database) -> None:
    _run_script(db, SCHEMA_V6_CURATION)
    # The uids of existing rows first, then the unique indexes over them.
    for table in UID_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN uid TEXT NOT NULL DEFAULT ''")
    _existing_uids(db)
    _run_script(db, _uid_columns_script())


# v7: one folding for the search indexes and the queries (db/text.py ``fold``):
# each index is fed its rows' text folded by casebook (``casebook_search_text``,
# a function every casebook connection has), not folded by unicode61, which
# disagreed with Python's folding outside Latin (Greek accents, Cyrillic й,
# Hangul, voiced kana) and left ł ø æ đ ß ı unfolded. unicode61 now only cuts
# words, keeping combining marks inside them. The indexes stay external-content
# over the same tables (Datasette and sqlite-utils find them); every row is
# re-indexed, after the backup open_case takes before any migration.
_FOLDED_TOKENIZER = "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\", prefix='1 2 3'"


def _folded_index(index: str, table: str, columns: tuple[str, ...], rank: str = "") -> str:
    """An index over ``table`` fed its ``columns`` folded, and the triggers that keep it."""
    names = ", ".join(columns)

    def folded(row: str) -> str:
        return ", ".join(f"casebook_search_text({row}{column})" for column in columns)

    delete = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {folded('old.')});"
    insert = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {folded('new.')});"
    ranking = f"INSERT INTO {index}({index}, rank) VALUES ('rank', '{rank}');\n" if rank else ""
    return f"""DROP TRIGGER IF EXISTS {index}_insert;
DROP TRIGGER IF EXISTS {index}_delete;
DROP TRIGGER IF EXISTS {index}_update;
DROP TABLE {index};
CREATE VIRTUAL TABLE {index} USING fts5(
    {names}, content="{table}", content_rowid="id", {_FOLDED_TOKENIZER}
);
{ranking}INSERT INTO {index}(rowid, {names}) SELECT id, {folded('')} FROM {table};
CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN
    {insert}
END;
CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN
    {delete}
END;
CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} BEGIN
    {delete}
    {insert}
END;
"""


SCHEMA_V7_FOLDED_SEARCH = (
    _folded_index("excerpts_fts", "excerpts", ("text",))
    + _folded_index("events_fts", "events", ("title", "description"), "bm25(4.0, 1.0)")
    + _folded_index("claims_fts", "claims", ("statement", "claimant"), "bm25(3.0, 1.0)")
    + _folded_index("entities_fts", "entities", ("name", "aliases", "description"),
                    "bm25(10.0, 6.0, 1.0)")
)


@migrations()
def m007_folded_search(db: Database) -> None:
    _run_script(db, SCHEMA_V7_FOLDED_SEARCH)


# v8: relationships between entities, as items of the case: typed, dated at
# their precision (the event date rules), with evidence and append-only marks
# like a claim's. uid and version fit the curation scheme (uuid5 text uid,
# version bumped by every change).
RELATIONSHIP_TYPES_SQL = (
    "'member_of', 'employed_by', 'leads', 'family', 'associate', 'owns', 'directs', "
    "'represents', 'located_in', 'other'"
)
_PRECISIONS_SQL = "'day', 'month', 'year', 'decade', 'unknown'"
_STATUSES_SQL = "'unreviewed', 'confirmed', 'disputed', 'denied'"
SCHEMA_V8_RELATIONSHIPS = f"""
CREATE TABLE relationships (
    id                INTEGER PRIMARY KEY,
    uid               TEXT NOT NULL UNIQUE,       -- stable across copies of a case
    subject_entity_id INTEGER NOT NULL REFERENCES entities(id),
    object_entity_id  INTEGER NOT NULL REFERENCES entities(id),
    type              TEXT NOT NULL CHECK (type IN ({RELATIONSHIP_TYPES_SQL})),
    role              TEXT NOT NULL DEFAULT '',   -- in words: "head of mission"
    date_start        TEXT NOT NULL DEFAULT '',   -- at start_precision, as events' dates
    start_precision   TEXT NOT NULL DEFAULT 'unknown' CHECK (start_precision IN ({_PRECISIONS_SQL})),
    date_end          TEXT NOT NULL DEFAULT '',   -- at end_precision; '' while it lasts or unknown
    end_precision     TEXT NOT NULL DEFAULT 'unknown' CHECK (end_precision IN ({_PRECISIONS_SQL})),
    description       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'unreviewed' CHECK (status IN ({_STATUSES_SQL})),
    version           INTEGER NOT NULL DEFAULT 0, -- bumped by every mark: optimistic concurrency
    created_at        TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL DEFAULT '',
    updated_at        TEXT NOT NULL DEFAULT '',
    retired           INTEGER NOT NULL DEFAULT 0, -- kept from retirements, as every item's
    CHECK (subject_entity_id != object_entity_id)
) STRICT;
-- An entity's ties either way, by type; and the graph walks (db/relationships.py)
-- step from an entity through these two indexes only.
CREATE INDEX relationships_by_subject ON relationships(subject_entity_id, type, id);
CREATE INDEX relationships_by_object ON relationships(object_entity_id, type, id);
CREATE INDEX relationships_by_type ON relationships(type, id);
CREATE INDEX relationships_by_status ON relationships(status, id);

CREATE TABLE relationship_excerpts (
    relationship_id INTEGER NOT NULL REFERENCES relationships(id),
    excerpt_id      INTEGER NOT NULL REFERENCES excerpts(id),
    stance          TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN ('supports', 'contradicts', 'context')),
    PRIMARY KEY (relationship_id, excerpt_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX relationship_excerpts_by_excerpt ON relationship_excerpts(excerpt_id, relationship_id);

-- Append-only, as annotations are for claims: a relationship's status is its latest mark.
CREATE TABLE relationship_annotations (
    id              TEXT PRIMARY KEY,       -- UUID
    relationship_id INTEGER NOT NULL REFERENCES relationships(id),
    status          TEXT NOT NULL CHECK (status IN ({_STATUSES_SQL})),
    previous_status TEXT NOT NULL CHECK (previous_status IN ({_STATUSES_SQL})),
    note            TEXT NOT NULL DEFAULT '',
    annotator       TEXT NOT NULL,
    created_at      TEXT NOT NULL,          -- UTC, ISO 8601 with microseconds
    kind            TEXT NOT NULL DEFAULT 'mark' CHECK (kind IN ('mark', 'note', 'undo')),
    undoes          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX relationship_annotations_by_item ON relationship_annotations(relationship_id, created_at);
CREATE TRIGGER relationship_annotations_no_update BEFORE UPDATE ON relationship_annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TRIGGER relationship_annotations_no_delete BEFORE DELETE ON relationship_annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
"""



@migrations()
def m008_relationships(db: Database) -> None:
    _run_script(db, SCHEMA_V8_RELATIONSHIPS)
    # revisions and retirements take 'relationship' as an item_kind; the rebuild makes
    # every table's retired-flag trigger again (each is ON retirements).
    for table in (REVISIONS, RETIREMENTS):
        rebuild_with_check(db, table, "item_kind", tuple(CURATED_TABLES))
    _run_script(db, _retired_index("relationships") + _retired_trigger("relationship", "relationships"))


# v9: transliterated search. Each kind
# gains a second index fed the Latin spelling of its rows' words
# (``casebook_transliterated_text``, anyascii: ``Мецола`` -> ``metsola``), so
# that ``Metsola`` finds ``Μέτσολα`` and ``Мецола``. Only rows with a word in
# another script are in it (a Latin-script case adds nothing); positions are
# not kept (``detail=none``): the query is plain words. Search ranks its
# matches below the folded index's (db/search.py).
_LATIN_TOKENIZER = "tokenize=\"unicode61 remove_diacritics 0\", prefix='1 2 3', detail=none"


def _latin_index(index: str, table: str, columns: tuple[str, ...], rank: str = "") -> str:
    """An index over ``table`` fed its rows' words spelt in Latin, and the
    triggers that keep it: a row is in it when some column has such words."""
    names = ", ".join(columns)

    def spelt(row: str) -> str:
        return ", ".join(f"casebook_transliterated_text({row}{column})" for column in columns)

    def has_words(row: str) -> str:
        return " OR ".join(f"casebook_transliterated_text({row}{column}) != ''" for column in columns)

    delete = (f"INSERT INTO {index}({index}, rowid, {names}) "
              f"SELECT 'delete', old.id, {spelt('old.')} WHERE {has_words('old.')};")
    insert = (f"INSERT INTO {index}(rowid, {names}) "
              f"SELECT new.id, {spelt('new.')} WHERE {has_words('new.')};")
    ranking = f"INSERT INTO {index}({index}, rank) VALUES ('rank', '{rank}');\n" if rank else ""
    return f"""CREATE VIRTUAL TABLE {index} USING fts5(
    {names}, content="{table}", content_rowid="id", {_LATIN_TOKENIZER}
);
{ranking}INSERT INTO {index}(rowid, {names}) SELECT id, {spelt('')} FROM {table} WHERE {has_words('')};
CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN
    {insert}
END;
CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN
    {delete}
END;
CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} BEGIN
    {delete}
    {insert}
END;
"""


SCHEMA_V9_LATIN_SEARCH = (
    _latin_index("excerpts_latin_fts", "excerpts", ("text",))
    + _latin_index("events_latin_fts", "events", ("title", "description"), "bm25(4.0, 1.0)")
    + _latin_index("claims_latin_fts", "claims", ("statement", "claimant"), "bm25(3.0, 1.0)")
    + _latin_index("entities_latin_fts", "entities", ("name", "aliases", "description"),
                   "bm25(10.0, 6.0, 1.0)")
)


# v9 too: possible mentions. Words of an excerpt that resemble an entity's
# name or alias without being it (inflected, spelt in another script, a
# generic alias where the text names another place) are proposed, never
# linked silently; each judgement (link / not / skip) is kept, append-only, and
# the latest is copied onto the proposal by a trigger. Needs only v7's tables.
SCHEMA_V9_POSSIBLE_MENTIONS = """
CREATE TABLE possible_mentions (
    id          INTEGER PRIMARY KEY,
    excerpt_id  INTEGER NOT NULL REFERENCES excerpts(id),
    entity_id   INTEGER NOT NULL REFERENCES entities(id),
    start       INTEGER NOT NULL,       -- the words' span in the excerpt's text, code points
    "end"       INTEGER NOT NULL,
    form        TEXT NOT NULL,          -- the words as written
    name        TEXT NOT NULL,          -- the entity's name or alias they resemble
    reason      TEXT NOT NULL CHECK (reason IN ('inflected', 'transliterated', 'similar', 'generic')),
    score       REAL NOT NULL,          -- 0-100, how alike (rapidfuzz)
    proposed_at TEXT NOT NULL,
    judgement   TEXT NOT NULL DEFAULT '' CHECK (judgement IN ('', 'link', 'not', 'skip')),
    CHECK (start >= 0 AND "end" > start),
    UNIQUE (excerpt_id, entity_id, start, "end")
) STRICT;
CREATE INDEX possible_mentions_by_judgement ON possible_mentions(judgement, id);
CREATE INDEX possible_mentions_by_entity ON possible_mentions(entity_id);

CREATE TABLE possible_mention_judgements (
    id                  INTEGER PRIMARY KEY,
    possible_mention_id INTEGER NOT NULL REFERENCES possible_mentions(id),
    judgement           TEXT NOT NULL CHECK (judgement IN ('link', 'not', 'skip')),
    annotator           TEXT NOT NULL,
    at                  TEXT NOT NULL   -- UTC, ISO 8601 with microseconds
) STRICT;
CREATE INDEX possible_mention_judgements_by_mention
    ON possible_mention_judgements(possible_mention_id, at);
-- The language of an alias, where it has one (an ISO 639-1 code, perhaps with
-- subtags): 'Staatsveiligheid' is 'nl'. Gone with its alias.
CREATE TABLE alias_languages (
    entity_id INTEGER NOT NULL,
    alias     TEXT NOT NULL,
    lang      TEXT NOT NULL CHECK (lang != ''),
    PRIMARY KEY (entity_id, alias),
    FOREIGN KEY (entity_id, alias) REFERENCES entity_aliases(entity_id, alias)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER entity_aliases_language_delete AFTER DELETE ON entity_aliases BEGIN
    DELETE FROM alias_languages WHERE entity_id = old.entity_id AND alias = old.alias;
END;
CREATE TRIGGER possible_mention_judgements_latest AFTER INSERT ON possible_mention_judgements BEGIN
    UPDATE possible_mentions SET judgement = new.judgement WHERE id = new.possible_mention_id;
END;
CREATE TRIGGER possible_mention_judgements_no_update BEFORE UPDATE ON possible_mention_judgements
BEGIN SELECT RAISE(ABORT, 'possible-mention judgements are append-only'); END;
CREATE TRIGGER possible_mention_judgements_no_delete BEFORE DELETE ON possible_mention_judgements
BEGIN SELECT RAISE(ABORT, 'possible-mention judgements are append-only'); END;
"""


@migrations()
def m009_possible_mentions(db: Database) -> None:
    _run_script(db, SCHEMA_V9_LATIN_SEARCH)
    _run_script(db, SCHEMA_V9_POSSIBLE_MENTIONS)


# v10: relationships marked differently on both
# sides of a merge or an annotations import, as claim_conflicts are for claims (db/marks.py
# records both): open until a reviewer resolves them with a mark.
SCHEMA_V10_RELATIONSHIP_CONFLICTS = """
CREATE TABLE relationship_conflicts (
    id              INTEGER PRIMARY KEY,
    relationship_id INTEGER NOT NULL REFERENCES relationships(id),
    annotation_a    TEXT NOT NULL REFERENCES relationship_annotations(id),
    annotation_b    TEXT NOT NULL REFERENCES relationship_annotations(id),
    detected_at     TEXT NOT NULL,
    detected_by     TEXT NOT NULL DEFAULT '', -- what found it: 'merge <file name>'
    resolved_at     TEXT NOT NULL DEFAULT '', -- '' while open
    resolved_by     TEXT NOT NULL DEFAULT '', -- the annotator who resolved it
    resolution      TEXT NOT NULL DEFAULT '', -- the annotation that resolved it
    CHECK (annotation_a < annotation_b),
    UNIQUE (relationship_id, annotation_a, annotation_b)
) STRICT;
CREATE INDEX relationship_conflicts_open ON relationship_conflicts(resolved_at, relationship_id);
"""


@migrations()
def m010_relationship_conflicts(db: Database) -> None:
    _run_script(db, SCHEMA_V10_RELATIONSHIP_CONFLICTS)


# v11: who added each entity, event and claim, and when (as relationships have
# since v8), so that the activity log shows additions. Existing rows get ''
# (unknown): an addition's time is never invented.
ADDED_BY_TABLES = ("entities", "events", "claims")


@migrations()
def m011_who_added_items(db: Database) -> None:
    for table in ADDED_BY_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN created_at TEXT NOT NULL DEFAULT ''")
        db.execute(f"ALTER TABLE {table} ADD COLUMN created_by TEXT NOT NULL DEFAULT ''")


# v12: every entity name and alias as possible mentions look it up (db/possible_mentions.py:
# its folded words, each word's skeleton, and the first letters of its first and last
# skeleton as keys), so that adding a document reads the few names its words could
# resemble instead of working out the skeletons of every name on each run. Derived, as
# mention_names is, and refreshed with it (the entities the v5 triggers mark stale).
SCHEMA_V12_NAME_FORMS = """
CREATE TABLE name_forms (
    entity_id INTEGER NOT NULL,
    name      TEXT NOT NULL,     -- the name or alias as written
    words     TEXT NOT NULL,     -- its folded words, separated by single spaces
    skeletons TEXT NOT NULL,     -- each word's skeleton, separated by single spaces
    first_key TEXT NOT NULL,     -- the first four letters of the first skeleton
    last_key  TEXT NOT NULL,     -- those of the last ('' for one word or a last word under 5 letters)
    PRIMARY KEY (entity_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX name_forms_by_first_key ON name_forms(first_key);
CREATE INDEX name_forms_by_last_key ON name_forms(last_key) WHERE last_key != '';
"""


@migrations()
def m012_name_forms(db: Database) -> None:
    _run_script(db, SCHEMA_V12_NAME_FORMS)
    insert = NAME_FORMS.insert(or_ignore=True).sql
    after = 0
    while True:   # a few thousand entities at a time: the names of 100,000 are not held at once
        ids = [row[0] for row in db.execute(
            "SELECT id FROM entities WHERE id > ? ORDER BY id LIMIT 5000", [after]).fetchall()]
        if not ids:
            break
        after = ids[-1]
        names = db.execute(
            "SELECT id, name FROM entities WHERE id BETWEEN ? AND ? UNION ALL "
            "SELECT entity_id, alias FROM entity_aliases WHERE entity_id BETWEEN ? AND ?",
            [ids[0], after, ids[0], after]).fetchall()
        db.conn.executemany(insert, name_form_rows((row[0], row[1]) for row in names))


# v13: words are spelt in Latin as written, their marks kept, and only then
# folded (db/text.py ``latin_spelling``): ``ハンバーグ`` is ``hanbagu``, not
# ``ha n ku`` (the voicing marks folded away), ``दूतावास`` is ``dutavas``, not
# ``dtavas``. The transliterated indexes are fed anew from their tables (as a
# bulk load rebuilds them), after the backup open_case takes before any migration.
LATIN_SEARCH_INDEXES = ("excerpts_latin_fts", "events_latin_fts", "claims_latin_fts",
                        "entities_latin_fts")


@migrations()
def m013_latin_spelling_as_written(db: Database) -> None:
    # Here: db.bulk imports db.casefile, which imports this module.

    for index in LATIN_SEARCH_INDEXES:
        for sql in refill_search_index_sql(index):
            db.execute(sql)


# The number of migrations above; a test checks that they agree.
SCHEMA_VERSION = 13


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database) -> int:
    """Apply pending migrations; keeps ``user_version`` equal to the count applied.

    Returns the schema version the file ends at.
    """
    migrations.apply(db)
    applied = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {applied:d}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    return applied
