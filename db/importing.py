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
from .curation import settle_retired
from .errors import CaseError
from .jsonlimits import EventBounds, JSONLimitError, SurrogateScan
from .models import (
    CaseCounts,
    CaseDocument,
    ClaimRecord,
    EntityRecord,
    EventRecord,
    ExcerptRecord,
    Model,
    RelationshipRecord,
    SourceRecord,
)
from .schema import SCHEMA_VERSION
from .tables import (
    ALIAS_LANGUAGES,
    ANNOTATIONS,
    CASE_META,
    CLAIM_CONFLICTS,
    CLAIM_ENTITIES,
    CLAIM_EXCERPTS,
    CLAIMS,
    COMBINATIONS,
    DUPLICATE_JUDGEMENTS,
    ENTITIES,
    ENTITY_ALIASES,
    EVENT_ENTITIES,
    EVENT_EXCERPTS,
    EVENTS,
    EXCERPT_ENTITIES,
    EXCERPTS,
    POSSIBLE_MENTION_JUDGEMENTS,
    POSSIBLE_MENTIONS,
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_CONFLICTS,
    RELATIONSHIP_EXCERPTS,
    RELATIONSHIPS,
    RETIREMENTS,
    REVISION_CONFLICTS,
    REVISIONS,
    SOURCE_ATTACHMENTS,
    SOURCE_BOXES,
    SOURCE_META,
    SOURCE_PAGES,
    SOURCES,
    Insert,
    Table,
)
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
        self.surrogates = SurrogateScan()   # the parser would read a lone one as "?"

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.surrogates.feed(data, final=not data)
        self.done += len(data)
        if self.progress is not None:
            self.progress(self.done, self.total)
        return data


def _document_parts(stream: _Reading, name: str) -> Iterator[tuple[str, int | None, Any]]:
    """The document's top-level values as ``(key, None, value)``, except that
    each item of a section comes as ``(section, index, item)``: one item is in
    memory at a time."""
    events = _bounded(ijson.parse(stream, use_float=True))
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
    except JSONLimitError as error:
        raise CaseImportError(f"{name}: refused: {error}") from None
    except ValueError as error:   # a number Python will not read (thousands of digits)
        raise CaseImportError(f"{name}: refused: {_first_line(error)}") from None


def _bounded(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """The events, held to ``db.jsonlimits``'s bounds as they come (bounded memory)."""
    bounds = EventBounds()
    for prefix, event, value in events:
        bounds.see(event, value)
        yield prefix, event, value


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
        self.rows: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in _INSERTS}
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
        with self.case.write() as tx:   # every item in: retired as its latest retirement says
            settle_retired(tx)

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
            tx.executemany(CASE_META.insert().sql, document.meta.items())
        self.header_checked = True

    def _add(self, section: str, item: Any) -> None:
        if section == "sources" and hashlib.sha256(item.text.encode("utf-8")).hexdigest() != item.sha256:
            raise CaseImportError(f"{self.name}: source {item.id}: sha256 does not match its text")
        for table, row in _ROWS[section](item):
            batch = self.rows[table]
            batch.append(row)
            if len(batch) >= _BATCH:
                self._flush(table)
        self.added[section] += 1

    def _flush(self, only: Table | None = None) -> None:
        with self.case.write() as tx:
            for table, batch in self.rows.items():
                if batch and only in (None, table):
                    tx.executemany(_INSERTS[table].sql, batch)
                    batch.clear()


# Every table an export fills, in the order batches are written (references
# are checked at the end, so any order would do).
_INSERTS: dict[Table, Insert] = {table: table.insert() for table in (
    SOURCES, SOURCE_META, SOURCE_PAGES, SOURCE_BOXES, SOURCE_ATTACHMENTS, ENTITIES, ENTITY_ALIASES,
    ALIAS_LANGUAGES, EXCERPTS, EXCERPT_ENTITIES, EVENTS, EVENT_ENTITIES,
    EVENT_EXCERPTS, CLAIMS, CLAIM_ENTITIES, CLAIM_EXCERPTS, ANNOTATIONS, CLAIM_CONFLICTS,
    REVISIONS, RETIREMENTS, COMBINATIONS, DUPLICATE_JUDGEMENTS, REVISION_CONFLICTS,
    RELATIONSHIPS, RELATIONSHIP_EXCERPTS, RELATIONSHIP_ANNOTATIONS, RELATIONSHIP_CONFLICTS,
    POSSIBLE_MENTIONS, POSSIBLE_MENTION_JUDGEMENTS,
)}
Rows = Iterator[tuple[Table, tuple[Any, ...]]]


def _row(table: Table, item: object, **given: Any) -> tuple[Table, tuple[Any, ...]]:
    return table, _INSERTS[table].values(item, **given)


def _entity_rows(e: EntityRecord) -> Rows:
    yield _row(ENTITIES, e, sort_name=fold(e.name))
    for alias in e.aliases:
        yield ENTITY_ALIASES, (e.id, alias)
    for alias, language in e.languages:
        if alias in e.aliases:
            yield ALIAS_LANGUAGES, (e.id, alias, language)


def _excerpt_rows(x: ExcerptRecord) -> Rows:
    yield _row(EXCERPTS, x)
    for entity_id in x.entity_ids:
        yield EXCERPT_ENTITIES, (x.id, entity_id)


def _event_rows(v: EventRecord) -> Rows:
    yield _row(EVENTS, v)
    for entity_id in v.entity_ids:
        yield EVENT_ENTITIES, (v.id, entity_id)
    for excerpt_id in v.excerpt_ids:
        yield EVENT_EXCERPTS, (v.id, excerpt_id)


def _claim_rows(c: ClaimRecord) -> Rows:
    yield _row(CLAIMS, c)
    for link in c.entities:
        yield _row(CLAIM_ENTITIES, link, claim_id=c.id)
    for evidence in c.evidence:
        yield _row(CLAIM_EXCERPTS, evidence, claim_id=c.id)


def _relationship_rows(r: RelationshipRecord) -> Rows:
    yield _row(RELATIONSHIPS, r)
    for evidence in r.evidence:
        yield _row(RELATIONSHIP_EXCERPTS, evidence, relationship_id=r.id)


def _source_rows(s: SourceRecord) -> Rows:
    yield _row(SOURCES, s)
    for key, value in s.meta.items():
        yield SOURCE_META, (s.id, key, value)
    for page in s.pages:
        yield _row(SOURCE_PAGES, page, source_id=s.id)
    for box in s.boxes:
        yield _row(SOURCE_BOXES, box, source_id=s.id)
    for attachment in s.attachments:
        yield _row(SOURCE_ATTACHMENTS, attachment, source_id=s.id)


# Each section's item as the rows it stores.
_ROWS: dict[str, Callable[[Any], Rows]] = {
    "sources": lambda s: _source_rows(s),
    "excerpts": _excerpt_rows,
    "entities": _entity_rows,
    "events": _event_rows,
    "claims": _claim_rows,
    "annotations": lambda a: iter([_row(ANNOTATIONS, a)]),
    "conflicts": lambda c: iter([_row(CLAIM_CONFLICTS, c)]),
    "revisions": lambda r: iter([_row(REVISIONS, r)]),
    "retirements": lambda r: iter([_row(RETIREMENTS, r)]),
    "combinations": lambda c: iter([_row(COMBINATIONS, c)]),
    "duplicate_judgements": lambda j: iter([_row(DUPLICATE_JUDGEMENTS, j)]),
    "revision_conflicts": lambda c: iter([_row(REVISION_CONFLICTS, c)]),
    "relationships": _relationship_rows,
    "relationship_annotations": lambda a: iter([_row(RELATIONSHIP_ANNOTATIONS, a)]),
    "relationship_conflicts": lambda c: iter([_row(RELATIONSHIP_CONFLICTS, c)]),
    "possible_mentions": lambda m: iter([_row(POSSIBLE_MENTIONS, m)]),
    "possible_mention_judgements": lambda j: iter([_row(POSSIBLE_MENTION_JUDGEMENTS, j)]),
}
