"""The case-file schema and its versioned migrations.

A case file is one SQLite database. ``PRAGMA application_id`` marks it as a
casebook file and ``PRAGMA user_version`` holds its schema version, which is
the number of migrations applied. docs/case-file.md describes every table.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# "CsBk": marks a SQLite database as a casebook case file.
APPLICATION_ID = 0x4373426B

migrations = Migrations("casebook")

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


# v2: the external-content search indexes name their table in double quotes
# (content="excerpts"): sqlite-utils' table.search() and Datasette's search box
# recognise only that form (or [excerpts]), not v1's content='excerpts'. Same
# columns, tokenizer, prefixes and ranking weights; the indexes are rebuilt.
SCHEMA_V2_SEARCH_INDEXES = """
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
def m002_search_indexes_sqlite_utils_can_find(db: Database) -> None:
    _run_script(db, SCHEMA_V2_SEARCH_INDEXES)


# The number of migrations above; a test checks that they agree.
SCHEMA_VERSION = 2


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> int:
    """Apply pending migrations; keeps ``user_version`` equal to the count applied.

    Returns the schema version the file ends at.
    """
    migrations.apply(db)
    applied = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {applied:d}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    return applied
