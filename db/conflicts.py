"""Merge conflicts: claims marked differently on both sides since two copies diverged.

``db.merge`` records them; a reviewer resolves them with a new mark. They
are never resolved silently: an ordinary mark leaves them open, only
``resolve_conflicts`` (a mark made as the resolution) closes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from . import marks
from .casefile import Case
from .claims import ANNOTATION_COLUMNS, annotation_from_row, mark_claim
from .damage import read_model
from .errors import NotFoundError
from .marks import CLAIM_MARKS, check_status
from .models import Annotation, Conflict
from .paging import keyset_pages
from .tables import CLAIM_CONFLICTS

_CONFLICT_SELECT = f"SELECT {CLAIM_CONFLICTS.select()} FROM claim_conflicts"


def _conflicts(case: Case, rows: Sequence[sqlite3.Row]) -> list[Conflict]:
    ids = sorted({row[key] for row in rows for key in ("annotation_a", "annotation_b")})
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    annotations = {
        row["id"]: annotation_from_row(row)
        for row in case.rows(f"SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE id IN ({marks})", ids)
    }
    sides = ("annotation_a", "annotation_b")
    return [
        read_model(Conflict, {**{column: row[column] for column in CLAIM_CONFLICTS.model_columns
                                 if column not in sides},
                              "a": annotations[row["annotation_a"]], "b": annotations[row["annotation_b"]]})
        for row in rows if row["annotation_a"] in annotations and row["annotation_b"] in annotations
    ]


def claim_conflicts(case: Case, claim_id: int, *, include_resolved: bool = False) -> list[Conflict]:
    """A claim's conflicts, oldest first (open ones only unless asked)."""
    condition = "" if include_resolved else " AND resolved_at = ''"
    rows = case.rows(
        f"{_CONFLICT_SELECT} WHERE claim_id = ?{condition} ORDER BY detected_at, id LIMIT 100",
        [claim_id],
    )
    return _conflicts(case, rows)


def count_open_conflicts(case: Case) -> int:
    """How many claims have an open conflict."""
    return marks.open_conflict_count(CLAIM_MARKS, case)


def conflicted_claim_pages(case: Case, *, page: int = 500) -> Iterator[list[int]]:
    """The ids of every claim with an open conflict, in id order, a page at a time
    by key (:func:`db.paging.keyset_pages`)."""
    for rows in keyset_pages(case, "SELECT DISTINCT claim_id FROM claim_conflicts",
                             key=("claim_id",), where="resolved_at = ''", page=page):
        yield [row[0] for row in rows]


def conflicted_claim_ids(case: Case, *, offset: int = 0, limit: int = 100,
                         after_id: int | None = None) -> list[int]:
    """Ids of claims with an open conflict, in id order."""
    after = -1 if after_id is None else after_id
    rows = case.rows(
        "SELECT DISTINCT claim_id FROM claim_conflicts WHERE resolved_at = '' AND claim_id > ? "
        "ORDER BY claim_id LIMIT ? OFFSET ?", [after, limit, offset],
    )
    return [row[0] for row in rows]


def open_conflict_counts(case: Case, claim_ids: Sequence[int]) -> dict[int, int]:
    ids = list(claim_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = case.rows(
        f"SELECT claim_id, count(*) FROM claim_conflicts WHERE resolved_at = '' "
        f"AND claim_id IN ({marks}) GROUP BY claim_id", ids,
    )
    return {row[0]: row[1] for row in rows}


def resolve_conflicts(
    case: Case, claim_id: int, status: str, *, annotator: str, note: str = "",
    expected_version: int | None = None,
) -> Annotation:
    """Resolve a claim's open conflicts with a mark: the mark is recorded like
    any other (who, when, note) and the conflicts name it as their resolution."""
    check_status(status)
    with case.write() as tx:
        open_count = tx.execute(
            "SELECT count(*) FROM claim_conflicts WHERE claim_id = ? AND resolved_at = ''",
            [claim_id],
        ).fetchone()[0]
        if not open_count:
            raise NotFoundError(f"claim {claim_id} has no open conflict")
        mark = mark_claim(case, claim_id, status, annotator=annotator, note=note,
                          expected_version=expected_version)
        tx.execute(
            "UPDATE claim_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? "
            "WHERE claim_id = ? AND resolved_at = ''",
            [mark.created_at, annotator, mark.id, claim_id],
        )
    return mark


def record_conflict(tx: sqlite3.Connection, claim_id: int, first: str, second: str, *,
                    detected_by: str) -> bool:
    """Flag a conflict between two annotations (inside a write); False if known."""
    return marks.record_conflict(CLAIM_MARKS, tx, claim_id, first, second,
                                 detected_by=detected_by)
