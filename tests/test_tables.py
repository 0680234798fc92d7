"""db/tables.py: every table's columns declared once, held against the schema and the models."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from pydantic import BaseModel

import db
from db import models
from db.tables import (
    ANNOTATIONS,
    CLAIM_CONFLICTS,
    CLAIM_ENTITIES,
    CLAIM_EXCERPTS,
    CLAIMS,
    COMBINATIONS,
    DUPLICATE_JUDGEMENTS,
    ENTITIES,
    EVENTS,
    EXCERPTS,
    MIGRATIONS,
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_CONFLICTS,
    RELATIONSHIPS,
    RETIREMENTS,
    REVISION_CONFLICTS,
    REVISIONS,
    SEARCH_INDEXES,
    SOURCE_ATTACHMENTS,
    SOURCE_BOXES,
    SOURCE_PAGES,
    SOURCES,
    STANDING_MARKS,
    TABLES,
    Table,
    column_list,
    quote,
)

FTS5_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")
DECLARED = {**TABLES, **SEARCH_INDEXES, MIGRATIONS.name: MIGRATIONS}


def schema_columns(case: db.Case, table: str) -> list[str]:
    return [row["name"] for row in case.rows(f"PRAGMA table_info({table})")]


def undeclared(case: db.Case) -> list[str]:
    """What in the file's schema the declarations do not say, one line each."""
    problems = []
    for row in case.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        name = row["name"]
        if name.startswith("sqlite_") or any(
                name == f"{index}{shadow}" for index in SEARCH_INDEXES for shadow in FTS5_SHADOWS):
            continue  # SQLite's statistics (ANALYZE), FTS5's own storage
        if name not in DECLARED:
            problems.append(f"table {name} is not declared")
        elif schema_columns(case, name) != list(DECLARED[name].columns):
            problems.append(f"{name}: schema {schema_columns(case, name)}, "
                            f"declared {list(DECLARED[name].columns)}")
    return problems


@pytest.mark.parametrize("which", ["new", "seed"])
def test_the_declarations_are_the_schema_column_for_column(which, empty_case, seed_case):
    case = empty_case if which == "new" else seed_case
    assert undeclared(case) == []
    for name in DECLARED:   # and every declared table is in the file
        assert schema_columns(case, name), name


def test_a_column_added_to_the_schema_and_not_declared_fails(seed_case_file: Path, tmp_path: Path):
    path = tmp_path / "edited.casebook"
    shutil.copyfile(seed_case_file, path)
    with db.open_case(path) as case, case.write() as tx:
        tx.execute("ALTER TABLE excerpts ADD COLUMN page INTEGER NOT NULL DEFAULT 0")
        tx.execute("CREATE TABLE dossiers (id INTEGER PRIMARY KEY, kind TEXT)")
    with db.open_case(path, read_only=True) as case:
        assert undeclared(case) == [
            "table dossiers is not declared",
            "excerpts: schema ['id', 'source_id', 'start', 'end', 'text', 'kind', 'uid', 'retired', "
            "'page'], declared ['id', 'source_id', 'start', 'end', 'text', 'kind', 'uid', 'retired']",
        ]


def test_each_key_is_the_primary_key_or_the_rowid(empty_case):
    for table in TABLES.values():
        info = empty_case.rows(f"PRAGMA table_info({table.name})")
        primary = [row["name"] for row in sorted(info, key=lambda row: row["pk"]) if row["pk"]]
        if table.key == ("rowid",):
            sql = empty_case.scalar("SELECT sql FROM sqlite_master WHERE name = ?", [table.name])
            assert "WITHOUT ROWID" not in sql, table.name
        else:
            assert list(table.key) == primary, table.name


def test_the_sql_built_from_each_declaration_runs(empty_case):
    for table in DECLARED.values():
        empty_case.rows(f"SELECT {column_list(table.columns)} FROM {table.name} LIMIT 0")
    for table in TABLES.values():
        assert empty_case.rows(f"SELECT {table.select(alias='t')} FROM {table.name} t LIMIT 0") == []
    with empty_case.write() as tx:
        tx.execute(*_insert_source("a"))
        tx.execute(*_insert_source("a", or_ignore=True))   # the same sha256 again: ignored
    [row] = [tuple(row) for row in empty_case.rows(f"SELECT {SOURCES.select()} FROM sources")]
    # Written without a uid: the file gives it a random UUID (version 4); not retired.
    assert row[:9] == (1, "t", "", "", "", "", "a", "s", "2026") and row[10] == 0
    assert str(uuid.UUID(row[9])) == row[9] and uuid.UUID(row[9]).version == 4


def _insert_source(text: str, *, or_ignore: bool = False) -> tuple[str, tuple[object, ...]]:
    insert = SOURCES.insert(with_id=False, or_ignore=or_ignore)
    source = models.Source(title="t", text=text, sha256="s", added_at="2026")
    return insert.sql, insert.values(source)


def test_an_insert_names_its_columns_and_takes_its_values_in_that_order():
    insert = EXCERPTS.insert(with_id=False)
    assert insert.sql == \
        'INSERT INTO excerpts (source_id, start, "end", text, kind, uid) VALUES (?, ?, ?, ?, ?, ?)'
    excerpt = models.Excerpt(id=9, source_id=2, start=0, end=3, text="abc", uid="u")
    assert insert.values(excerpt, kind="quote") == (2, 0, 3, "abc", "quote", "u")
    assert insert.values({"source_id": 1, "start": 4, "end": 5, "text": "x", "kind": "quote",
                          "uid": "v"}) == (1, 4, 5, "x", "quote", "v")
    assert CLAIMS.insert(["uid", "statement"], or_ignore=True).sql == \
        "INSERT OR IGNORE INTO claims (uid, statement) VALUES (?, ?)"
    assert CLAIMS.insert(["uid", "statement"], or_replace=True).sql == \
        "INSERT OR REPLACE INTO claims (uid, statement) VALUES (?, ?)"
    with pytest.raises(ValueError, match="either ignores or replaces"):
        CLAIMS.insert(or_ignore=True, or_replace=True)
    with pytest.raises(ValueError, match="claims has no column 'title'"):
        CLAIMS.insert(["uid", "title"])
    with pytest.raises(ValueError, match="excerpts has no column 'page' to insert"):
        insert.values(excerpt, page=1)
    with pytest.raises(ValueError, match="'body' is not one of its columns"):
        Table("notes", ("id", "text"), large=("body",))


def test_names_are_quoted_so_keywords_are_columns():
    assert quote("end") == '"end"' and quote("x.end") == 'x."end"'
    assert quote("rowid") == "rowid" and quote("a.start") == "a.start"
    assert EXCERPTS.select(["start", "end"], alias="e") == 'e.start, e."end"'


def test_listings_leave_out_derived_and_large_columns():
    assert "sort_name" not in ENTITIES.model_columns and "sort_name" in ENTITIES.columns
    assert "text" in SOURCES.model_columns and "text" not in SOURCES.listed


# (model, its table, the table's columns it carries, fields it has from elsewhere)
MODELS: list[tuple[type[BaseModel], Table, tuple[str, ...], set[str]]] = [
    (models.SourceInfo, SOURCES, SOURCES.listed, set()),
    (models.Source, SOURCES, SOURCES.model_columns, set()),
    (models.SourceRecord, SOURCES, SOURCES.model_columns, {"meta", "pages", "boxes", "attachments"}),
    (models.SourcePage, SOURCE_PAGES, SOURCE_PAGES.model_columns[1:], set()),
    (models.LineBox, SOURCE_BOXES, SOURCE_BOXES.model_columns[1:], set()),
    (models.SourceAttachment, SOURCE_ATTACHMENTS, SOURCE_ATTACHMENTS.model_columns[1:], set()),
    (models.Excerpt, EXCERPTS, EXCERPTS.model_columns, set()),
    (models.ExcerptRecord, EXCERPTS, EXCERPTS.model_columns, {"entity_ids"}),
    (models.Entity, ENTITIES, ENTITIES.model_columns, {"aliases", "languages"}),
    (models.EntityRecord, ENTITIES, ENTITIES.model_columns, {"aliases", "languages"}),
    (models.Event, EVENTS, EVENTS.model_columns, set()),
    (models.EventRecord, EVENTS, EVENTS.model_columns, {"entity_ids", "excerpt_ids"}),
    (models.Claim, CLAIMS, CLAIMS.model_columns, set()),
    (models.ClaimRecord, CLAIMS, CLAIMS.model_columns, {"entities", "evidence"}),
    (models.Annotation, ANNOTATIONS, ANNOTATIONS.model_columns, set()),
    (models.ConflictRecord, CLAIM_CONFLICTS, CLAIM_CONFLICTS.model_columns, set()),
    # Links travel inside the claim that owns them, without its id.
    (models.ClaimEntityLink, CLAIM_ENTITIES, CLAIM_ENTITIES.model_columns[1:], set()),
    (models.ClaimEvidenceLink, CLAIM_EXCERPTS, CLAIM_EXCERPTS.model_columns[1:], set()),
    (models.AnnotatorMark, STANDING_MARKS, STANDING_MARKS.model_columns[1:], set()),
    (models.Relationship, RELATIONSHIPS, RELATIONSHIPS.model_columns, set()),
    (models.RelationshipAnnotation, RELATIONSHIP_ANNOTATIONS,
     RELATIONSHIP_ANNOTATIONS.model_columns, set()),
    (models.RevisionRecord, REVISIONS, REVISIONS.model_columns, set()),
    (models.RetirementRecord, RETIREMENTS, RETIREMENTS.model_columns, set()),
    (models.CombinationRecord, COMBINATIONS, COMBINATIONS.model_columns, set()),
    (models.JudgementRecord, DUPLICATE_JUDGEMENTS, DUPLICATE_JUDGEMENTS.model_columns, set()),
    (models.RevisionConflictRecord, REVISION_CONFLICTS, REVISION_CONFLICTS.model_columns, set()),
]


@pytest.mark.parametrize("model, table, columns, elsewhere", MODELS,
                         ids=[model.__name__ for model, *_ in MODELS])
def test_each_model_has_the_columns_its_declaration_maps_to_it(model, table, columns, elsewhere):
    fields = set(model.model_fields)
    # damage: what a reader found wrong with a row (db.damage), never a column
    assert fields - elsewhere - {"damage"} == set(columns), f"{model.__name__} and {table.name} differ"
    # (a column the triggers keep may mirror what the model reads elsewhere: an entity's aliases)
    assert not elsewhere & (set(table.columns) - set(table.kept))


def test_case_counts_are_counts_of_declared_tables():
    assert set(models.CaseCounts.model_fields) <= set(TABLES)


def test_both_kinds_of_mark_entry_share_one_base_and_keep_their_tables_order():
    """A claim's and a relationship's marks are one MarkEntry each on its own item:
    the fields in the order of the table's columns (exports write them so)."""
    for model, table in ((models.Annotation, ANNOTATIONS),
                         (models.RelationshipAnnotation, RELATIONSHIP_ANNOTATIONS)):
        assert issubclass(model, models.MarkEntry)
        assert [name for name in model.model_fields if name != "damage"] == list(table.columns)


def test_both_kinds_of_conflict_share_one_base_and_keep_their_tables_order():
    """A claim's and a relationship's conflicts are one ConflictEntry each on its own
    item, the fields in the order of the table's columns."""
    for model, table in ((models.ConflictRecord, CLAIM_CONFLICTS),
                         (models.RelationshipConflictRecord, RELATIONSHIP_CONFLICTS)):
        assert issubclass(model, models.ConflictEntry)
        assert [name for name in model.model_fields if name != "damage"] == list(table.columns)
