"""Annotations as JSON Lines: one annotation per line, naming its claim by uid
(or its relationship, ``relationship_uid`` in place of ``claim_uid``).

    {"id": "…", "claim_uid": "…", "kind": "mark", "status": "denied",
     "previous_status": "unreviewed", "note": "…", "annotator": "ana",
     "created_at": "2024-05-01T10:00:00.000000Z", "undoes": ""}

Import follows the merge rules (``db.merge``) and is one transaction: a
malformed line is reported by its number and nothing is imported.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError, field_validator, model_validator

from . import jsonlimits
from .casefile import Case
from .conflicts import count_open_conflicts
from .errors import AnnotationImportError
from .merge import (
    INCOMING_COLUMNS,
    add_incoming,
    annotations_with_claim_uids,
    apply_incoming,
    clashing_annotation,
    create_incoming,
    drop_incoming,
    mark_present,
    missing_claim_uids,
    new_report,
)
from .merge_items import (
    INCOMING_RELATIONSHIP_COLUMNS,
    INCOMING_RELATIONSHIP_MARKS,
    apply_relationship_marks,
    clashing_relationship_mark,
    create_incoming_relationship_marks,
)
from .models import AnnotationKind, MergeReport, Model, Status
from .paging import keyset_rows
from .tables import quote

# An incoming relationship mark's values, in temp.incoming_relationship_marks' order
# (and the order of a relationship's line).
_RELATIONSHIP_KEYS = INCOMING_RELATIONSHIP_COLUMNS

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_BATCH = 2000


class AnnotationRecord(Model):
    """One line of an annotations file."""

    id: str
    claim_uid: str = ""
    relationship_uid: str = ""       # a relationship's mark instead (exactly one is given)
    kind: AnnotationKind = "mark"
    status: Status
    previous_status: Status
    note: str = ""
    annotator: str
    created_at: str
    undoes: str = ""

    @field_validator("id", "claim_uid", "relationship_uid")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if value:
            uuid.UUID(value)
        return value

    @field_validator("annotator")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("annotator is empty")
        return value

    @field_validator("created_at")
    @classmethod
    def _timestamp(cls, value: str) -> str:
        if not _TIMESTAMP.fullmatch(value):
            raise ValueError("must be UTC ISO 8601 with microseconds, like 2024-05-01T10:00:00.000000Z")
        return value

    @model_validator(mode="after")
    def _undo_names_its_mark(self) -> "AnnotationRecord":
        if bool(self.claim_uid) == bool(self.relationship_uid):
            raise ValueError("give claim_uid or relationship_uid (exactly one)")
        if not self.id:
            raise ValueError("id is empty")
        if (self.kind == "undo") != bool(self.undoes):
            raise ValueError("undoes names the undone annotation exactly when kind is undo")
        if self.undoes:
            uuid.UUID(self.undoes)
        return self


# A claim's line: the record's fields in their order (docs/case-file.md), but a relationship's uid.
_CLAIM_LINE = tuple(field for field in AnnotationRecord.model_fields if field != "relationship_uid")


# -- export ----------------------------------------------------------------------


def iter_annotation_lines(case: Case) -> Iterator[str]:
    """Every annotation of the case as a JSON line, in the order they entered
    this file (rowid: cheap to page through, never reordered), read in pages."""
    for row in annotations_with_claim_uids(case, page=_BATCH):
        yield json.dumps({key: row[key] for key in _CLAIM_LINE}, ensure_ascii=False)
    columns = ", ".join("r.uid AS relationship_uid" if c == "relationship_uid" else f"a.{quote(c)}"
                        for c in _RELATIONSHIP_KEYS)
    for row in keyset_rows(case, f"SELECT a.rowid, {columns} FROM relationship_annotations a "
                                 "JOIN relationships r ON r.id = a.relationship_id",
                           key=["a.rowid"], page=_BATCH):
        yield json.dumps({key: row[key] for key in _RELATIONSHIP_KEYS}, ensure_ascii=False)


def write_annotations(case: Case, out: IO[str]) -> int:
    count = 0
    for line in iter_annotation_lines(case):
        out.write(line + "\n")
        count += 1
    return count


# -- import ----------------------------------------------------------------------


def import_annotations(case: Case, path: str | Path) -> MergeReport:
    """Import an annotations file into the case, all or nothing.

    Raises AnnotationImportError naming the line for a malformed line, an
    annotation on a claim the case lacks, an id given twice, or an id already
    in the case with different content.
    """
    path = Path(path)
    report = new_report()
    case.require_writable()
    try:
        # Read and checked before the write lock is taken: others keep marking.
        with path.open("rb") as handle, case.scratch() as tx:
            create_incoming(tx)
            create_incoming_relationship_marks(tx)
            for batch in _batches(_records(handle, path.name)):
                _add_batch(tx, batch, path.name)
            _check_against_case(tx, path.name)
            mark_present(tx)
        with case.write() as tx:
            apply_incoming(tx, report, detected_by=f"import {path.name}")
            apply_relationship_marks(tx, report, detected_by=f"import {path.name}")
            report["open_conflicts"] = count_open_conflicts(case)
    finally:
        drop_incoming(case)
        with case.scratch() as tx:
            tx.execute("DROP TABLE IF EXISTS temp.incoming_relationship_marks")
    return MergeReport(**report)


def _records(handle: IO[bytes], name: str) -> Iterator[tuple[Any, ...]]:
    try:
        yield from _checked_records(handle, name)
    except jsonlimits.JSONLimitError as error:   # a line too long to read (bounded_lines)
        raise AnnotationImportError(f"{name}: refused: {error}; nothing imported") from None


def _checked_records(handle: IO[bytes], name: str) -> Iterator[tuple[Any, ...]]:
    for number, raw in jsonlimits.bounded_lines(handle):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise AnnotationImportError(
                f"{name} line {number}: not valid UTF-8 (byte {error.start + 1} of the line)"
            ) from None
        try:
            data = jsonlimits.loads(text)
        except json.JSONDecodeError as error:
            raise AnnotationImportError(
                f"{name} line {number}: not valid JSON ({error.msg} at column {error.colno})"
            ) from None
        except jsonlimits.JSONLimitError as error:
            raise AnnotationImportError(f"{name} line {number}: refused: {error}") from None
        if not isinstance(data, dict):
            raise AnnotationImportError(f"{name} line {number}: not a JSON object")
        try:
            record = AnnotationRecord(**data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "line"
            message = first["msg"].removeprefix("Value error, ")
            raise AnnotationImportError(f"{name} line {number}: {where}: {message}") from None
        if record.relationship_uid:
            yield ("relationship", *[getattr(record, key) for key in _RELATIONSHIP_KEYS], number)
        else:
            yield ("claim", *[getattr(record, key) for key in INCOMING_COLUMNS], number)


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _add_batch(tx: sqlite3.Connection, tagged: list[tuple[Any, ...]], name: str) -> None:
    batch = [row[1:] for row in tagged if row[0] == "claim"]
    ties = [row[1:] for row in tagged if row[0] == "relationship"]
    try:
        add_incoming(tx, batch)
        tx.executemany(
            f"INSERT INTO temp.incoming_relationship_marks ({INCOMING_RELATIONSHIP_MARKS}, line) "
            f"VALUES ({','.join('?' * (len(_RELATIONSHIP_KEYS) + 1))})", ties)
        if ties or batch:
            _refuse_repeats(tx, name)
    except sqlite3.IntegrityError:
        # Rows before the failing one went in: the first row stored under
        # another line number is the repeat.
        for row in batch + ties:
            first = tx.execute("SELECT line FROM temp.incoming WHERE id = ?1 UNION ALL "
                               "SELECT line FROM temp.incoming_relationship_marks WHERE id = ?1",
                               [row[0]]).fetchone()
            if first is not None and first[0] != row[-1]:
                raise AnnotationImportError(
                    f"{name} line {row[-1]}: annotation {row[0]} appears twice "
                    f"(first on line {first[0]})"
                ) from None
        raise


def _refuse_repeats(tx: sqlite3.Connection, name: str) -> None:
    """An id given to a claim's mark and to a relationship's: refused as a repeat."""
    found = tx.execute("SELECT m.id, m.line, i.line FROM temp.incoming_relationship_marks m "
                       "JOIN temp.incoming i ON i.id = m.id ORDER BY max(m.line, i.line) "
                       "LIMIT 1").fetchone()
    if found is not None:
        raise AnnotationImportError(
            f"{name} line {max(found[1], found[2])}: annotation {found[0]} appears twice "
            f"(first on line {min(found[1], found[2])})")


def _check_against_case(tx: sqlite3.Connection, name: str) -> None:
    lacking = tx.execute(
        "SELECT relationship_uid, min(line) AS line FROM temp.incoming_relationship_marks "
        "WHERE relationship_uid NOT IN (SELECT uid FROM relationships) "
        "GROUP BY relationship_uid ORDER BY line").fetchall()
    if lacking:
        more = f" (and {len(lacking) - 1} more relationships)" if len(lacking) > 1 else ""
        raise AnnotationImportError(
            f"{name} line {lacking[0]['line']}: relationship {lacking[0]['relationship_uid']} is "
            f"not in this case{more}; nothing imported (merge the case file instead to copy "
            "relationships)")
    tie_clash = clashing_relationship_mark(tx)
    if tie_clash is not None:
        raise AnnotationImportError(
            f"{name} line {tie_clash['line']}: annotation {tie_clash['id']} is already in the "
            "case with different content; nothing imported")
    missing = missing_claim_uids(tx)
    if missing:
        more = f" (and {len(missing) - 1} more claims)" if len(missing) > 1 else ""
        raise AnnotationImportError(
            f"{name} line {missing[0]['line']}: claim {missing[0]['claim_uid']} is not in "
            f"this case{more}; nothing imported (merge the case file instead to copy claims)"
        )
    clash = clashing_annotation(tx)
    if clash is not None:
        raise AnnotationImportError(
            f"{name} line {clash['line']}: annotation {clash['id']} is already in the case "
            "with different content; nothing imported"
        )
