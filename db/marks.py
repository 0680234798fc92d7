"""Append-only marks on any item that is reviewed: claims and relationships.

A :class:`Marked` record names the item's table, its annotations table and
the column there that names the item; the functions here take one, so a
claim and a relationship are marked, noted and undone by the same code
(``db/claims.py`` and ``db/relationships.py`` give each its own names). The
item's ``status`` is its latest annotation's, and its ``version`` moves on
with every annotation (optimistic concurrency: ``expected_version``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from .casefile import Case, utc_now
from .errors import (
    InvalidValueError,
    NotFoundError,
    NothingToUndoError,
    StaleClaimError,
    UnchangedStatusError,
)
from .models import STATUSES, Annotation, Model, RelationshipAnnotation
from .tables import (
    ANNOTATIONS,
    CLAIM_CONFLICTS,
    CLAIMS,
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_CONFLICTS,
    RELATIONSHIPS,
    Table,
)
from .text import nfc

M = TypeVar("M", bound=Model)

# An item's history in time order; the id breaks ties the same way in every copy.
HISTORY_ORDER = "created_at, id"
LATEST_FIRST = "created_at DESC, id DESC"


@dataclass(frozen=True)
class Marked(Generic[M]):
    """A kind of item that carries marks."""

    noun: str                 # "claim": as messages name one
    items: Table              # claims: has status, version, updated_at
    log: Table                # annotations: append-only
    item_column: str          # claim_id: the log's column naming the item
    model: type[M]            # what one annotation is read as
    conflicts: Table          # claim_conflicts: marked differently on two sides of a merge


CLAIM_MARKS = Marked("claim", CLAIMS, ANNOTATIONS, "claim_id", Annotation, CLAIM_CONFLICTS)
RELATIONSHIP_MARKS = Marked("relationship", RELATIONSHIPS, RELATIONSHIP_ANNOTATIONS,
                            "relationship_id", RelationshipAnnotation, RELATIONSHIP_CONFLICTS)
# Kinds of annotation that set an item's status; notes leave it as it was.
STATUS_KINDS = "('mark', 'undo')"


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise InvalidValueError(
            f"unknown status {status!r} (choose {', '.join(STATUSES)})"
        )
    return status


def check_annotator(annotator: str) -> str:
    if not annotator.strip():
        raise InvalidValueError("an annotator name is required")
    return annotator


def current(marked: Marked[M], tx: sqlite3.Connection, item_id: int,
            expected_version: int | None) -> sqlite3.Row:
    """The item's status and version, refused if it moved past ``expected_version``."""
    row: sqlite3.Row | None = tx.execute(
        f"SELECT status, version FROM {marked.items} WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no {marked.noun} {item_id}")
    if expected_version is not None and row["version"] != expected_version:
        last = tx.execute(
            f"SELECT annotator, created_at, kind, note FROM {marked.log} "
            f"WHERE {marked.item_column} = ? ORDER BY {LATEST_FIRST} LIMIT 1", [item_id],
        ).fetchone()
        raise StaleClaimError(
            item_id, expected_version, row["version"], row["status"],
            last["annotator"] if last else None, last["created_at"] if last else None,
            change_kind=last["kind"] if last else "mark", change_note=last["note"] if last else "",
            noun=marked.noun,
        )
    return row


def undo_target(marked: Marked[M], tx: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    """The latest annotation on the item that is neither an undo nor undone."""
    undone: set[str] = set()
    row: sqlite3.Row
    for row in tx.execute(
        f"SELECT {marked.log.select()} FROM {marked.log} WHERE {marked.item_column} = ? "
        f"ORDER BY {LATEST_FIRST}", [item_id],
    ):
        if row["kind"] == "undo":
            undone.add(row["undoes"])
        elif row["id"] not in undone:
            return row
    return None


def append(
    marked: Marked[M], tx: sqlite3.Connection, *, item_id: int, kind: str, status: str,
    previous_status: str, note: str, annotator: str, undoes: str = "",
    annotation_id: str | None = None, created_at: str | None = None,
) -> M:
    """Insert one annotation and move the item on (inside a write transaction)."""
    latest = tx.execute(
        f"SELECT max(created_at) FROM {marked.log} WHERE {marked.item_column} = ?", [item_id]
    ).fetchone()[0]
    stamp = created_at or timestamp_after(latest)
    annotation = marked.model.model_validate({
        "id": annotation_id or str(uuid.uuid4()), marked.item_column: item_id, "kind": kind,
        "status": status, "previous_status": previous_status, "note": nfc(note),
        "annotator": annotator, "created_at": stamp,
        "undoes": undoes,
    })
    insert = marked.log.insert()
    tx.execute(insert.sql, insert.values(annotation))
    tx.execute(
        f"UPDATE {marked.items} SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
        [status, stamp, item_id],
    )
    return annotation


def mark(marked: Marked[M], tx: sqlite3.Connection, item_id: int, status: str, *,
         annotator: str, note: str = "", expected_version: int | None = None,
         annotation_id: str | None = None, created_at: str | None = None,
         unless_unchanged: bool = False) -> M:
    """A mark: the item's status becomes ``status`` (inside a write transaction).

    With ``unless_unchanged``, a mark equal to the item's current status is refused
    (UnchangedStatusError) and nothing is written: no mark that changes nothing.
    """
    check_status(status)
    check_annotator(annotator)
    row = current(marked, tx, item_id, expected_version)
    if unless_unchanged and row["status"] == status:
        raise UnchangedStatusError(item_id, status, noun=marked.noun)
    return append(marked, tx, item_id=item_id, kind="mark", status=status,
                  previous_status=row["status"], note=note, annotator=annotator,
                  annotation_id=annotation_id, created_at=created_at)


def note(marked: Marked[M], tx: sqlite3.Connection, item_id: int, text: str, *,
         annotator: str, expected_version: int | None = None) -> M:
    """A note that leaves the item's status as it is."""
    if not text.strip():
        raise InvalidValueError("a note needs some text")
    check_annotator(annotator)
    row = current(marked, tx, item_id, expected_version)
    return append(marked, tx, item_id=item_id, kind="note", status=row["status"],
                  previous_status=row["status"], note=text, annotator=annotator)


def undo(marked: Marked[M], tx: sqlite3.Connection, item_id: int, *, annotator: str,
         expected_version: int | None = None) -> tuple[M, str]:
    """Take back the annotator's own latest mark or note: an annotation of kind
    ``undo``, and the id of the annotation it took back. Refuses
    (NothingToUndoError) when that latest mark is someone else's or there is none."""
    check_annotator(annotator)
    row = current(marked, tx, item_id, expected_version)
    target = undo_target(marked, tx, item_id)
    if target is None:
        raise NothingToUndoError(f"nothing to undo on {marked.noun} {item_id}: it has no marks")
    if target["annotator"] != annotator:
        raise NothingToUndoError(
            f"nothing to undo on {marked.noun} {item_id}: its latest mark is by "
            f"{target['annotator']} ({target['status']}, {_minute(target['created_at'])}), "
            "not by you",
            latest_by=target["annotator"],
        )
    made = append(marked, tx, item_id=item_id, kind="undo", status=target["previous_status"],
                  previous_status=row["status"], note="", annotator=annotator,
                  undoes=target["id"])
    return made, target["id"]


def _minute(created_at: str) -> str:
    """``2026-12-03T17:41:56.118894Z`` as a person reads it: ``2026-12-03 17:41``."""
    return created_at[:16].replace("T", " ")


def history(marked: Marked[M], case: Case, item_id: int, *, offset: int = 0,
            limit: int = 500) -> list[M]:
    """An item's annotations (marks, notes, undos), oldest first, a page at a time."""
    rows = case.rows(
        f"SELECT {marked.log.select()} FROM {marked.log} WHERE {marked.item_column} = ? "
        f"ORDER BY {HISTORY_ORDER} LIMIT ? OFFSET ?", [item_id, limit, offset],
    )
    fields = marked.model.model_fields
    return [marked.model(**{key: row[key] for key in row.keys() if key in fields}) for row in rows]


def timestamp_after(latest: str | None) -> str:
    """Now, or a microsecond after ``latest`` if the clock is behind it, so an
    item's newest annotation is always its latest by time."""
    now = utc_now()
    if latest is None or now > latest:
        return now
    moment = dt.datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.%fZ") + dt.timedelta(microseconds=1)
    return moment.isoformat(timespec="microseconds") + "Z"


# -- conflicts: marked differently on two sides of a merge or an import ---------------


def conflicting_marks(marked: Marked[M], tx: sqlite3.Connection, item_id: int, item_uid: str,
                      *, incoming: str, uid_column: str) -> tuple[str, str] | None:
    """Compare the latest status-setting mark each side has that the other lacks:
    this file's (in the log, not among ``incoming``) and the incoming one's (rows of
    the ``incoming`` table naming the item by ``uid_column``, not ``present`` here).
    (ours, theirs) annotation ids if both sides have one and they differ."""
    theirs = tx.execute(
        f"SELECT id, status FROM {incoming} WHERE {uid_column} = ? AND kind IN {STATUS_KINDS} "
        "AND NOT present ORDER BY created_at DESC, id DESC LIMIT 1", [item_uid]).fetchone()
    ours = tx.execute(
        f"SELECT id, status FROM {marked.log} WHERE {marked.item_column} = ? "
        f"AND kind IN {STATUS_KINDS} AND id NOT IN (SELECT id FROM {incoming}) "
        "ORDER BY created_at DESC, id DESC LIMIT 1", [item_id]).fetchone()
    if theirs is None or ours is None or theirs["status"] == ours["status"]:
        return None
    return ours["id"], theirs["id"]


def record_conflict(marked: Marked[M], tx: sqlite3.Connection, item_id: int, first: str,
                    second: str, *, detected_by: str) -> bool:
    """Flag a conflict between two annotations of an item (inside a write); False if
    known. The pair is stored in id order, so one conflict found in two copies is one row."""
    a, b = sorted((first, second))
    insert = marked.conflicts.insert(
        (marked.item_column, "annotation_a", "annotation_b", "detected_at", "detected_by"),
        or_ignore=True)
    cursor = tx.execute(insert.sql, insert.values({
        marked.item_column: item_id, "annotation_a": a, "annotation_b": b,
        "detected_at": utc_now(), "detected_by": detected_by}))
    return cursor.rowcount > 0


def settle_status(marked: Marked[M], tx: sqlite3.Connection, item_id: int, added: int) -> None:
    """Status = latest mark or undo by time; version moves by the marks added, so a
    reviewer who saw the item before a merge is told it changed."""
    tx.execute(
        f"UPDATE {marked.items} SET status = ifnull((SELECT status FROM {marked.log} "
        f"WHERE {marked.item_column} = ?1 AND kind IN {STATUS_KINDS} "
        "ORDER BY created_at DESC, id DESC LIMIT 1), 'unreviewed'), "
        f"updated_at = ifnull((SELECT max(created_at) FROM {marked.log} "
        f"WHERE {marked.item_column} = ?1), ''), version = version + ?2 WHERE id = ?1",
        [item_id, added])


def open_conflict_count(marked: Marked[M], case: Case) -> int:
    """How many items of the kind have an open conflict."""
    return int(case.scalar(
        f"SELECT count(DISTINCT {marked.item_column}) FROM {marked.conflicts} "
        "WHERE resolved_at = ''"))


def close_conflicts(marked: Marked[M], tx: sqlite3.Connection, item_id: int, *,
                    resolution: str, resolved_at: str, resolved_by: str) -> int:
    """The item's open conflicts resolved by the annotation ``resolution`` (a mark made
    as the resolution, inside the same write). Returns how many."""
    cursor = tx.execute(
        f"UPDATE {marked.conflicts} SET resolved_at = ?, resolved_by = ?, resolution = ? "
        f"WHERE {marked.item_column} = ? AND resolved_at = ''",
        [resolved_at, resolved_by, resolution, item_id])
    return int(cursor.rowcount)


def open_conflicts(marked: Marked[M], tx: sqlite3.Connection | Case, item_id: int
                   ) -> list[sqlite3.Row]:
    """The item's open conflicts as stored, oldest first."""
    sql = (f"SELECT {marked.conflicts.select()} FROM {marked.conflicts} "
           f"WHERE {marked.item_column} = ? AND resolved_at = '' ORDER BY detected_at, id LIMIT 100")
    if isinstance(tx, Case):
        return tx.rows(sql, [item_id])
    return tx.execute(sql, [item_id]).fetchall()
