"""``casebook import``: a new case file from a JSON export (``CaseDocument``).

The case is rebuilt exactly: the same ids, claim uids, statuses, versions,
annotations with their ids and timestamps, case metadata (the case uid
included) and links. The search index is rebuilt by the schema's triggers.
The file appears only when complete (``building_case``); a document that is
not a valid export, or that contradicts itself (an excerpt that does not match
its source, a link to nothing), is refused with one line and leaves nothing.

The document is read whole (pydantic validates it in one pass): importing
takes memory of a few times the JSON's size.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from pydantic import ValidationError

from .casefile import Case, building_case
from .errors import CaseError
from .models import CaseCounts, CaseDocument
from .schema import SCHEMA_VERSION
from .text import fold

_BATCH = 5000


class CaseImportError(CaseError):
    """The JSON is not a casebook export, or not a consistent one."""


def read_case_document(data: str | bytes, *, name: str) -> CaseDocument:
    try:
        document = CaseDocument.model_validate_json(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        where = f"{where}: " if where else ""
        raise CaseImportError(
            f"{name}: not a casebook JSON export ({where}{first['msg']})") from None
    if document.schema_version > SCHEMA_VERSION:
        raise CaseImportError(
            f"{name}: was exported by a newer casebook (schema v{document.schema_version}; "
            f"this casebook reads up to v{SCHEMA_VERSION})")
    _check_text(document, name)
    return document


def _check_text(document: CaseDocument, name: str) -> None:
    texts = {}
    for source in document.sources:
        if hashlib.sha256(source.text.encode("utf-8")).hexdigest() != source.sha256:
            raise CaseImportError(f"{name}: source {source.id}: sha256 does not match its text")
        texts[source.id] = source.text
    for excerpt in document.excerpts:
        text = texts.get(excerpt.source_id)
        if text is None:
            raise CaseImportError(f"{name}: excerpt {excerpt.id} refers to no source {excerpt.source_id}")
        if text[excerpt.start:excerpt.end] != excerpt.text:
            raise CaseImportError(
                f"{name}: excerpt {excerpt.id} does not match source {excerpt.source_id} "
                f"at {excerpt.start}-{excerpt.end}")


def import_case_json(json_path: str | os.PathLike[str], out: str | os.PathLike[str]) -> CaseCounts:
    """Build a new case file at ``out`` from the JSON export at ``json_path``."""
    json_path, out = Path(json_path), Path(out)
    try:
        data = json_path.read_bytes()
    except FileNotFoundError:
        raise CaseImportError(f"{json_path}: no such file") from None
    except IsADirectoryError:
        raise CaseImportError(f"{json_path}: is a directory") from None
    except OSError as error:
        raise CaseImportError(f"{json_path}: cannot read ({error.strerror})") from None
    document = read_case_document(data, name=str(json_path))
    try:
        with building_case(out, title=document.meta.get("title", out.stem),
                           case_uid=document.meta.get("case_uid")) as case:
            write_case_document(case, document)
    except sqlite3.IntegrityError as error:
        raise CaseImportError(f"{json_path}: inconsistent export ({error})") from None
    return CaseCounts(sources=len(document.sources), excerpts=len(document.excerpts),
                      entities=len(document.entities), events=len(document.events),
                      claims=len(document.claims), annotations=len(document.annotations))


def write_case_document(case: Case, document: CaseDocument) -> None:
    """Fill an empty case with the document, in one transaction."""
    with case.write() as tx:
        tx.execute("DELETE FROM case_meta")
        tx.executemany("INSERT INTO case_meta (key, value) VALUES (?, ?)", document.meta.items())
        _insert(tx, "INSERT INTO sources (id, title, publisher, author, url, published, text, sha256,"
                    " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(s.id, s.title, s.publisher, s.author, s.url, s.published, s.text, s.sha256,
                  s.added_at) for s in document.sources])
        _insert(tx, "INSERT INTO entities (id, kind, name, sort_name, description) VALUES (?, ?, ?, ?, ?)",
                [(e.id, e.kind, e.name, fold(e.name), e.description) for e in document.entities])
        _insert(tx, "INSERT INTO entity_aliases (entity_id, alias) VALUES (?, ?)",
                [(e.id, alias) for e in document.entities for alias in e.aliases])
        _insert(tx, 'INSERT INTO excerpts (id, source_id, start, "end", text, kind) VALUES (?, ?, ?, ?, ?, ?)',
                [(x.id, x.source_id, x.start, x.end, x.text, x.kind) for x in document.excerpts])
        _insert(tx, "INSERT INTO excerpt_entities (excerpt_id, entity_id) VALUES (?, ?)",
                [(x.id, entity_id) for x in document.excerpts for entity_id in x.entity_ids])
        _insert(tx, "INSERT INTO events (id, title, date_start, date_end, date_precision, description)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                [(v.id, v.title, v.date_start, v.date_end, v.date_precision, v.description)
                 for v in document.events])
        _insert(tx, "INSERT INTO event_entities (event_id, entity_id) VALUES (?, ?)",
                [(v.id, entity_id) for v in document.events for entity_id in v.entity_ids])
        _insert(tx, "INSERT INTO event_excerpts (event_id, excerpt_id) VALUES (?, ?)",
                [(v.id, excerpt_id) for v in document.events for excerpt_id in v.excerpt_ids])
        _insert(tx, "INSERT INTO claims (id, uid, statement, claimant, status, version, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(c.id, c.uid, c.statement, c.claimant, c.status, c.version, c.updated_at)
                 for c in document.claims])
        _insert(tx, "INSERT INTO claim_entities (claim_id, entity_id, role) VALUES (?, ?, ?)",
                [(c.id, link.entity_id, link.role) for c in document.claims for link in c.entities])
        _insert(tx, "INSERT INTO claim_excerpts (claim_id, excerpt_id, stance) VALUES (?, ?, ?)",
                [(c.id, link.excerpt_id, link.stance) for c in document.claims for link in c.evidence])
        _insert(tx, "INSERT INTO annotations (id, claim_id, status, previous_status, note, annotator,"
                    " created_at, kind, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(a.id, a.claim_id, a.status, a.previous_status, a.note, a.annotator, a.created_at,
                  a.kind, a.undoes) for a in document.annotations])
        _insert(tx, "INSERT INTO claim_conflicts (id, claim_id, annotation_a, annotation_b, detected_at,"
                    " detected_by, resolved_at, resolved_by, resolution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(c.id, c.claim_id, c.annotation_a, c.annotation_b, c.detected_at, c.detected_by,
                  c.resolved_at, c.resolved_by, c.resolution) for c in document.conflicts])


def _insert(tx: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    for first in range(0, len(rows), _BATCH):
        tx.executemany(sql, rows[first:first + _BATCH])
