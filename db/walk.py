"""Walking a whole case, a page at a time, for exports.

Each walk reads its table in key order with keyset paging (``WHERE key > last
ORDER BY key LIMIT n``): never a whole table in memory, and as fast at the
millionth row as at the first. Sources carry their full text, so they come a
few at a time. Run walks inside ``case.snapshot()`` for a consistent copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from .casefile import Case
from .entities import entities_by_ids
from .models import (
    Annotation,
    ClaimEntityLink,
    ClaimEvidenceLink,
    ClaimRecord,
    ConflictRecord,
    EntityRecord,
    EventRecord,
    ExcerptRecord,
    SourceInfo,
    SourceRecord,
)
from .source_details import details_of_sources

PAGE = 1000
SOURCES_PAGE = 20  # sources hold whole documents: a few at a time


def _pages(case: Case, sql: str, page: int, key: str = "id") -> Iterator[list]:
    """Pages of ``sql`` (which has ``WHERE {key} > ?`` and ``LIMIT ?``)."""
    last: Any = -1
    while True:
        rows = case.rows(sql, [last, page])
        if not rows:
            return
        yield rows
        last = rows[-1][key]


def meta(case: Case) -> dict[str, str]:
    """Case metadata in the order it was written (so an import writes it alike)."""
    return {row["key"]: row["value"] for row in case.rows("SELECT key, value FROM case_meta ORDER BY rowid")}


def source_infos(case: Case, *, page: int = PAGE) -> Iterator[SourceInfo]:
    """Sources without their text."""
    sql = ("SELECT id, title, publisher, author, url, published, sha256, added_at FROM sources "
           "WHERE id > ? ORDER BY id LIMIT ?")
    for rows in _pages(case, sql, page):
        yield from (SourceInfo(**dict(row)) for row in rows)


def sources(case: Case, *, page: int = SOURCES_PAGE) -> Iterator[SourceRecord]:
    sql = ("SELECT id, title, publisher, author, url, published, sha256, added_at, text "
           "FROM sources WHERE id > ? ORDER BY id LIMIT ?")
    for rows in _pages(case, sql, page):
        details = details_of_sources(case, [row["id"] for row in rows])
        for row in rows:
            found = details[row["id"]]
            yield SourceRecord(**dict(row), meta=dict(found["meta"]), pages=tuple(found["pages"]),
                               boxes=tuple(found["boxes"]), attachments=tuple(found["attachments"]))


def _links(case: Case, sql: str, ids: Sequence[int]) -> dict[int, list]:
    """Rows of a link table for a page of owners, grouped by owner (column 0)."""
    grouped: dict[int, list] = defaultdict(list)
    if ids:
        marks = ",".join("?" * len(ids))
        for row in case.rows(sql.format(marks=marks), list(ids)):
            grouped[row[0]].append(row)
    return grouped


def excerpts(case: Case, *, page: int = PAGE) -> Iterator[ExcerptRecord]:
    sql = 'SELECT id, source_id, start, "end", text, kind FROM excerpts WHERE id > ? ORDER BY id LIMIT ?'
    for rows in _pages(case, sql, page):
        mentions = _links(case, "SELECT excerpt_id, entity_id FROM excerpt_entities "
                                "WHERE excerpt_id IN ({marks}) ORDER BY excerpt_id, entity_id",
                          [row["id"] for row in rows])
        for row in rows:
            yield ExcerptRecord(**dict(row), entity_ids=tuple(r[1] for r in mentions[row["id"]]))


def entities(case: Case, *, page: int = PAGE) -> Iterator[EntityRecord]:
    for rows in _pages(case, "SELECT id FROM entities WHERE id > ? ORDER BY id LIMIT ?", page):
        for entity in entities_by_ids(case, [row["id"] for row in rows]):
            yield EntityRecord(**entity.model_dump())


def events(case: Case, *, page: int = PAGE) -> Iterator[EventRecord]:
    sql = ("SELECT id, title, date_start, date_end, date_precision, description FROM events "
           "WHERE id > ? ORDER BY id LIMIT ?")
    for rows in _pages(case, sql, page):
        ids = [row["id"] for row in rows]
        taking_part = _links(case, "SELECT event_id, entity_id FROM event_entities "
                                   "WHERE event_id IN ({marks}) ORDER BY event_id, entity_id", ids)
        evidence = _links(case, "SELECT event_id, excerpt_id FROM event_excerpts "
                                "WHERE event_id IN ({marks}) ORDER BY event_id, excerpt_id", ids)
        for row in rows:
            yield EventRecord(**dict(row),
                              entity_ids=tuple(r[1] for r in taking_part[row["id"]]),
                              excerpt_ids=tuple(r[1] for r in evidence[row["id"]]))


def claims(case: Case, *, page: int = PAGE, status: str | None = None) -> Iterator[ClaimRecord]:
    where = "AND status = ?" if status else ""
    sql = ("SELECT id, uid, statement, claimant, status, version, updated_at FROM claims "
           f"WHERE id > ? {where} ORDER BY id LIMIT ?")
    last = -1
    while True:
        rows = case.rows(sql, [last, *([status] if status else []), page])
        if not rows:
            return
        last = rows[-1]["id"]
        ids = [row["id"] for row in rows]
        entities_of = _links(case, "SELECT claim_id, entity_id, role FROM claim_entities "
                                   "WHERE claim_id IN ({marks}) ORDER BY claim_id, entity_id, role", ids)
        evidence = _links(case, "SELECT claim_id, excerpt_id, stance FROM claim_excerpts "
                                "WHERE claim_id IN ({marks}) ORDER BY claim_id, excerpt_id", ids)
        for row in rows:
            yield ClaimRecord(
                **dict(row),
                entities=tuple(ClaimEntityLink(entity_id=r[1], role=r[2]) for r in entities_of[row["id"]]),
                evidence=tuple(ClaimEvidenceLink(excerpt_id=r[1], stance=r[2]) for r in evidence[row["id"]]),
            )


def annotations(case: Case, *, page: int = PAGE) -> Iterator[Annotation]:
    """Every mark, in the order it was made."""
    sql = ("SELECT rowid, id, claim_id, status, previous_status, note, annotator, created_at, "
           "kind, undoes FROM annotations WHERE rowid > ? ORDER BY rowid LIMIT ?")
    for rows in _pages(case, sql, page, key="rowid"):
        for row in rows:
            fields = dict(row)
            del fields["rowid"]
            yield Annotation(**fields)



def conflicts(case: Case, *, page: int = PAGE) -> Iterator[ConflictRecord]:
    """Claims marked differently on both sides of a merge, open or resolved."""
    sql = ("SELECT id, claim_id, annotation_a, annotation_b, detected_at, detected_by, "
           "resolved_at, resolved_by, resolution FROM claim_conflicts WHERE id > ? ORDER BY id LIMIT ?")
    for rows in _pages(case, sql, page):
        for row in rows:
            yield ConflictRecord(**dict(row))


def timeline(case: Case, *, page: int = PAGE) -> Iterator[EventRecord]:
    """Events in date order (undated first), as the browser's timeline."""
    sql = ("SELECT id, title, date_start, date_end, date_precision, description FROM events "
           "WHERE (date_start, date_end, id) > (?, ?, ?) ORDER BY date_start, date_end, id LIMIT ?")
    last: tuple = ("", "", -1)
    while True:
        rows = case.rows(sql, [*last, page])
        if not rows:
            return
        yield from (EventRecord(**dict(row)) for row in rows)
        last = (rows[-1]["date_start"], rows[-1]["date_end"], rows[-1]["id"])


def entities_of_kind(case: Case, kind: str, *, page: int = PAGE) -> Iterator[EntityRecord]:
    """Entities of one kind in name order (folded)."""
    last: tuple = ("", -1)
    while True:
        rows = case.rows(
            "SELECT id, sort_name FROM entities WHERE kind = ? AND (sort_name, id) > (?, ?) "
            "ORDER BY sort_name, id LIMIT ?", [kind, *last, page])
        if not rows:
            return
        for entity in entities_by_ids(case, [row["id"] for row in rows]):
            yield EntityRecord(**entity.model_dump())
        last = (rows[-1]["sort_name"], rows[-1]["id"])
