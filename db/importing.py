"""``casebook import``: a new case file from a JSON export (``CaseDocument``).

The case is rebuilt exactly: the same ids, claim uids, statuses, versions,
annotations with their ids and timestamps, case metadata (the case uid
included) and links.

The export is read as a stream (ijson), one item at a time, each validated
by its pydantic model and written in batches into a file no one else can
see yet (``bulk_load``: the search indexes are built once, at the end), so
a case of a million excerpts imports in flat memory. The sections may come
in any order: links are checked once everything is in (``PRAGMA
foreign_key_check``), with every source's sha256 and every excerpt's
anchor. The file appears only when complete (``building_case``); a document
that is not a valid export, or that contradicts itself, is refused with one
line and leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, get_args, get_origin

import ijson
from pydantic import ValidationError

from .bulk import bulk_load
from .casefile import Case, building_case
from .check import anchor_problems, reference_problems, source_detail_problems
from .errors import CaseError
from .models import (
    CaseCounts,
    CaseDocument,
    ClaimRecord,
    EntityRecord,
    EventRecord,
    ExcerptRecord,
    Model,
    SourceRecord,
)
from .schema import SCHEMA_VERSION
from .text import fold

_BATCH = 5000

# The document's arrays and the model of their items, as CaseDocument declares them.
SECTIONS: dict[str, type[Model]] = {
    name: get_args(field.annotation)[0]
    for name, field in CaseDocument.model_fields.items()
    if get_origin(field.annotation) is tuple
}
_HEADER_REQUIRED = {name for name, field in CaseDocument.model_fields.items() if field.is_required()}

Progress = Callable[[int, int], None]   # (bytes read, bytes in all)


class CaseImportError(CaseError):
    """The JSON is not a casebook export, or not a consistent one."""


def import_case_json(json_path: str | os.PathLike[str], out: str | os.PathLike[str], *,
                     progress: Progress | None = None) -> CaseCounts:
    """Build a new case file at ``out`` from the JSON export at ``json_path``."""
    json_path, out = Path(json_path), Path(out)
    name = str(json_path)
    try:
        stream = json_path.open("rb")
    except FileNotFoundError:
        raise CaseImportError(f"{json_path}: no such file") from None
    except IsADirectoryError:
        raise CaseImportError(f"{json_path}: is a directory") from None
    except OSError as error:
        raise CaseImportError(f"{json_path}: cannot read ({error.strerror})") from None
    with stream:
        if stream.peek(16)[:16] == b"SQLite format 3\x00":
            raise CaseImportError(f"{json_path}: is an SQLite file (a case file?), not a JSON export")
        return _import(stream, name, out, progress)


def _import(stream: BinaryIO, name: str, out: Path, progress: Progress | None) -> CaseCounts:
    with building_case(out, title=out.stem) as case, bulk_load(case):
        loader = _Loader(case, name)
        try:
            loader.load(_document_parts(_Reading(stream, progress), name))
        except sqlite3.IntegrityError as error:
            raise CaseImportError(f"{name}: inconsistent export ({error})") from None
        problem = (next(reference_problems(case), None) or next(anchor_problems(case), None)
                   or next(source_detail_problems(case), None))
        if problem:
            raise CaseImportError(f"{name}: inconsistent export ({problem})")
        case.conn.execute("PRAGMA foreign_keys = ON")
    return loader.counts()


class _Reading:
    """The file, telling ``progress`` how far the parser has read."""

    def __init__(self, stream: BinaryIO, progress: Progress | None):
        self.stream = stream
        self.progress = progress
        self.total = os.fstat(stream.fileno()).st_size
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.done += len(data)
        if self.progress is not None:
            self.progress(self.done, self.total)
        return data


def _document_parts(stream: _Reading, name: str) -> Iterator[tuple[str, int | None, Any]]:
    """The document's top-level values as ``(key, None, value)``, except that
    each item of a section comes as ``(section, index, item)``: one item is in
    memory at a time."""
    events = ijson.parse(stream, use_float=True)
    try:
        _, event, _ = next(events, ("", "", None))
        if event != "start_map":
            raise CaseImportError(f"{name}: not a casebook JSON export (not a JSON object)")
        for _, event, key in events:
            if event == "end_map":
                break
            _, event, value = next(events)
            if key in SECTIONS and event == "start_array":
                index = 0
                for _, event, value in events:
                    if event == "end_array":
                        break
                    yield key, index, _whole_value(events, event, value)
                    index += 1
            else:
                yield key, None, _whole_value(events, event, value)
        for _ in events:   # anything after the object is an error, raised by ijson
            pass
    except ijson.JSONError as error:
        raise CaseImportError(
            f"{name}: not a casebook JSON export (Invalid JSON: {_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    """The parser's reason, without the quoted document text it may add below."""
    reason = error.args[0] if error.args else ""
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    lines = str(reason).strip().splitlines()
    return lines[0] if lines else "cannot parse"


def _whole_value(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """The value that begins with ``event``, built from the events that follow."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value


class _Loader:
    """Validates the document's parts and writes them to a case being built."""

    def __init__(self, case: Case, name: str):
        self.case = case
        self.name = name
        self.header: dict[str, Any] = {}
        self.header_checked = False
        self.rows: dict[str, list[tuple]] = {sql: [] for sql in _INSERTS.values()}
        self.added = dict.fromkeys(SECTIONS, 0)
        # References are checked at the end, when every section is in.
        case.conn.execute("PRAGMA foreign_keys = OFF")

    def load(self, parts: Iterator[tuple[str, int | None, Any]]) -> None:
        for key, index, value in parts:
            if index is None:
                if key in SECTIONS:
                    raise CaseImportError(f"{self.name}: not a casebook JSON export ({key}: not an array)")
                self.header[key] = value
                continue
            if not self.header_checked and _HEADER_REQUIRED <= self.header.keys():
                self._check_header()   # before the items: a newer schema is said as such
            item = self._validate(SECTIONS[key], value, f"{key}.{index}")
            self._add(key, item)
        self._check_header()
        self._flush()

    def counts(self) -> CaseCounts:
        return CaseCounts(**{key: self.added[key] for key in CaseCounts.model_fields if key in self.added})

    def _validate(self, model: type[Model], value: Any, where: str) -> Any:
        try:
            return model.model_validate(value)
        except ValidationError as error:
            first = error.errors()[0]
            place = ".".join([where, *(str(part) for part in first["loc"])])
            raise CaseImportError(
                f"{self.name}: not a casebook JSON export ({place}: {first['msg']})") from None

    def _check_header(self) -> None:
        """Validate the top-level fields seen so far and store the case's metadata."""
        try:
            document = CaseDocument.model_validate(self.header)
        except ValidationError as error:
            first = error.errors()[0]
            place = ".".join(str(part) for part in first["loc"])
            raise CaseImportError(f"{self.name}: not a casebook JSON export "
                                  f"({place + ': ' if place else ''}{first['msg']})") from None
        if document.schema_version > SCHEMA_VERSION:
            raise CaseImportError(
                f"{self.name}: was exported by a newer casebook (schema v{document.schema_version}; "
                f"this casebook reads up to v{SCHEMA_VERSION})")
        with self.case.write() as tx:
            tx.execute("DELETE FROM case_meta")
            tx.executemany("INSERT INTO case_meta (key, value) VALUES (?, ?)", document.meta.items())
        self.header_checked = True

    def _add(self, section: str, item: Any) -> None:
        if section == "sources" and hashlib.sha256(item.text.encode("utf-8")).hexdigest() != item.sha256:
            raise CaseImportError(f"{self.name}: source {item.id}: sha256 does not match its text")
        for sql, row in _ROWS[section](item):
            batch = self.rows[sql]
            batch.append(row)
            if len(batch) >= _BATCH:
                self._flush(sql)
        self.added[section] += 1

    def _flush(self, only: str | None = None) -> None:
        with self.case.write() as tx:
            for sql, batch in self.rows.items():
                if batch and only in (None, sql):
                    tx.executemany(sql, batch)
                    batch.clear()


_INSERTS = {
    "sources": "INSERT INTO sources (id, title, publisher, author, url, published, text, sha256,"
               " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "source_meta": "INSERT INTO source_meta (source_id, key, value) VALUES (?, ?, ?)",
    "source_pages": 'INSERT INTO source_pages (source_id, number, label, start, "end", width, height)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
    "source_boxes": 'INSERT INTO source_boxes (source_id, start, "end", page, x0, y0, x1, y1)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "source_attachments": "INSERT INTO source_attachments (source_id, number, name, media_type, size,"
                          " attached_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "entities": "INSERT INTO entities (id, kind, name, sort_name, description) VALUES (?, ?, ?, ?, ?)",
    "entity_aliases": "INSERT INTO entity_aliases (entity_id, alias) VALUES (?, ?)",
    "excerpts": 'INSERT INTO excerpts (id, source_id, start, "end", text, kind) VALUES (?, ?, ?, ?, ?, ?)',
    "excerpt_entities": "INSERT INTO excerpt_entities (excerpt_id, entity_id) VALUES (?, ?)",
    "events": "INSERT INTO events (id, title, date_start, date_end, date_precision, description)"
              " VALUES (?, ?, ?, ?, ?, ?)",
    "event_entities": "INSERT INTO event_entities (event_id, entity_id) VALUES (?, ?)",
    "event_excerpts": "INSERT INTO event_excerpts (event_id, excerpt_id) VALUES (?, ?)",
    "claims": "INSERT INTO claims (id, uid, statement, claimant, status, version, updated_at)"
              " VALUES (?, ?, ?, ?, ?, ?, ?)",
    "claim_entities": "INSERT INTO claim_entities (claim_id, entity_id, role) VALUES (?, ?, ?)",
    "claim_excerpts": "INSERT INTO claim_excerpts (claim_id, excerpt_id, stance) VALUES (?, ?, ?)",
    "annotations": "INSERT INTO annotations (id, claim_id, status, previous_status, note, annotator,"
                   " created_at, kind, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "claim_conflicts": "INSERT INTO claim_conflicts (id, claim_id, annotation_a, annotation_b,"
                       " detected_at, detected_by, resolved_at, resolved_by, resolution)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
}


def _entity_rows(e: EntityRecord) -> Iterator[tuple[str, tuple]]:
    yield _INSERTS["entities"], (e.id, e.kind, e.name, fold(e.name), e.description)
    for alias in e.aliases:
        yield _INSERTS["entity_aliases"], (e.id, alias)


def _excerpt_rows(x: ExcerptRecord) -> Iterator[tuple[str, tuple]]:
    yield _INSERTS["excerpts"], (x.id, x.source_id, x.start, x.end, x.text, x.kind)
    for entity_id in x.entity_ids:
        yield _INSERTS["excerpt_entities"], (x.id, entity_id)


def _event_rows(v: EventRecord) -> Iterator[tuple[str, tuple]]:
    yield _INSERTS["events"], (v.id, v.title, v.date_start, v.date_end, v.date_precision, v.description)
    for entity_id in v.entity_ids:
        yield _INSERTS["event_entities"], (v.id, entity_id)
    for excerpt_id in v.excerpt_ids:
        yield _INSERTS["event_excerpts"], (v.id, excerpt_id)


def _claim_rows(c: ClaimRecord) -> Iterator[tuple[str, tuple]]:
    yield _INSERTS["claims"], (c.id, c.uid, c.statement, c.claimant, c.status, c.version, c.updated_at)
    for link in c.entities:
        yield _INSERTS["claim_entities"], (c.id, link.entity_id, link.role)
    for evidence in c.evidence:
        yield _INSERTS["claim_excerpts"], (c.id, evidence.excerpt_id, evidence.stance)


def _source_rows(s: SourceRecord) -> Iterator[tuple[str, tuple]]:
    yield _INSERTS["sources"], (s.id, s.title, s.publisher, s.author, s.url, s.published, s.text, s.sha256,
                                s.added_at)
    for key, value in s.meta.items():
        yield _INSERTS["source_meta"], (s.id, key, value)
    for p in s.pages:
        yield _INSERTS["source_pages"], (s.id, p.number, p.label, p.start, p.end, p.width, p.height)
    for b in s.boxes:
        yield _INSERTS["source_boxes"], (s.id, b.start, b.end, b.page, b.x0, b.y0, b.x1, b.y1)
    for a in s.attachments:
        yield _INSERTS["source_attachments"], (s.id, a.number, a.name, a.media_type, a.size, a.attached_id,
                                               a.note)


# Each section's item as the rows it stores.
_ROWS: dict[str, Callable[[Any], Iterator[tuple[str, tuple]]]] = {
    "sources": lambda s: _source_rows(s),
    "excerpts": _excerpt_rows,
    "entities": _entity_rows,
    "events": _event_rows,
    "claims": _claim_rows,
    "annotations": lambda a: iter([(_INSERTS["annotations"], (
        a.id, a.claim_id, a.status, a.previous_status, a.note, a.annotator, a.created_at, a.kind,
        a.undoes))]),
    "conflicts": lambda c: iter([(_INSERTS["claim_conflicts"], (
        c.id, c.claim_id, c.annotation_a, c.annotation_b, c.detected_at, c.detected_by,
        c.resolved_at, c.resolved_by, c.resolution))]),
}
