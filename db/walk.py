"""Walking a whole case, a page at a time, for exports.

Each walk reads its table in key order with keyset paging
(:func:`db.paging.keyset_pages`): never a whole table in memory, and as fast
at the millionth row as at the first. Sources carry their full text, so they
come a few at a time. Run walks inside ``case.snapshot()`` for a consistent
copy.
"""

# No "from __future__ import annotations": this module has a walk by that name.
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .casefile import Case
from .claims import annotation_from_row
from .damage import read_model
from .entities import entities_read_as
from .events import TIMELINE_ORDER
from .models import (
    Annotation,
    ClaimEntityLink,
    ClaimEvidenceLink,
    ClaimRecord,
    ConflictRecord,
    EntityRecord,
    EventRecord,
    ExcerptRecord,
    Model,
    RelationshipAnnotation,
    RelationshipConflictRecord,
    RelationshipEvidenceLink,
    RelationshipRecord,
    SourceInfo,
    SourceRecord,
)
from .paging import PAGE, all_of, keyset_pages, live
from .source_details import details_of_sources
from .tables import (
    ANNOTATIONS,
    CASE_META,
    CLAIM_CONFLICTS,
    CLAIM_ENTITIES,
    CLAIM_EXCERPTS,
    CLAIMS,
    ENTITIES,
    EVENT_ENTITIES,
    EVENT_EXCERPTS,
    EVENTS,
    EXCERPT_ENTITIES,
    EXCERPTS,
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_CONFLICTS,
    RELATIONSHIP_EXCERPTS,
    RELATIONSHIPS,
    SOURCES,
    Table,
    column_list,
)

SOURCES_PAGE = 20  # sources hold whole documents: a few at a time


def _pages(case: Case, table: Table, columns: Sequence[str], *, page: int,
           key: Sequence[str] | None = None, where: str = "",
           params: Sequence[Any] = ()) -> Iterator[list[sqlite3.Row]]:
    """Pages of ``columns`` of ``table`` in the order of ``key`` (its own key unless given)."""
    return keyset_pages(case, f"SELECT {column_list(columns)} FROM {table}",
                        key=key or table.key, where=where, params=params, page=page)


# ``among``: only the rows whose column is one of these values (a merge checks
# only the rows it would bring in: db/check_incoming.py), at most a page of them.
Among = tuple[str, Sequence[Any]] | None


def _among(among: Among, where: str = "", params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
    if among is None:
        return where, list(params)
    column, values = among
    return all_of(where, f"{column} IN ({','.join('?' * len(values))})"), [*params, *values]


def meta(case: Case) -> dict[str, str]:
    """Case metadata in the order it was written (so an import writes it alike)."""
    return {row["key"]: row["value"]
            for row in case.rows(f"SELECT {CASE_META.select()} FROM case_meta ORDER BY rowid")}


def source_infos(case: Case, *, page: int = PAGE, among: Among = None) -> Iterator[SourceInfo]:
    """Sources without their text."""
    where, params = _among(among)
    for rows in _pages(case, SOURCES, SOURCES.listed, page=page, where=where, params=params):
        yield from (read_model(SourceInfo, dict(row)) for row in rows)


def sources(case: Case, *, page: int = SOURCES_PAGE) -> Iterator[SourceRecord]:
    for rows in _pages(case, SOURCES, SOURCES.model_columns, page=page):
        details = details_of_sources(case, [row["id"] for row in rows])
        for row in rows:
            found = details[row["id"]]
            yield read_model(SourceRecord, {
                **dict(row), "meta": dict(found["meta"]), "pages": tuple(found["pages"]),
                "boxes": tuple(found["boxes"]), "attachments": tuple(found["attachments"])})


def _links(case: Case, table: Table, ids: Sequence[int]) -> dict[int, list[sqlite3.Row]]:
    """Rows of a link table for a page of owners (its first key column), by owner."""
    grouped: dict[int, list[sqlite3.Row]] = defaultdict(list)
    if ids:
        marks = ",".join("?" * len(ids))
        for row in case.rows(f"SELECT {table.select()} FROM {table} WHERE {table.key[0]} IN "
                             f"({marks}) ORDER BY {column_list(table.key)}", list(ids)):
            grouped[row[0]].append(row)
    return grouped


def _present(case: Case, table: str, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the table holds: a damaged file may link to rows it lacks."""
    return _held(case, table, ids, include_retired=True)[0]


def _held(case: Case, table: str, ids: Iterable[int], *, include_retired: bool
          ) -> tuple[set[int], set[int]]:
    """Which of ``ids`` the table holds (a damaged file may link to rows it
    lacks), and which of those are retired items a walk leaves out (none
    with ``include_retired``): a link to one is left out too, and is no damage."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    retired: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for row in case.rows(f"SELECT id, retired FROM {table} "
                             f"WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            found.add(row[0])
            if row[1] and not include_retired:
                retired.add(row[0])
    return found, retired


def _dangling(kind: str, missing: Iterable[int]) -> str:
    ids = sorted(set(missing))
    if not ids:
        return ""
    return f"links to missing {kind} {', '.join(map(str, ids[:5]))}{' ...' if len(ids) > 5 else ''}"


def _missing(links: dict[int, list[sqlite3.Row]], owner: int, column: str, present: set[int]) -> list[int]:
    return [r[column] for r in links.get(owner, []) if r[column] not in present]


# Every walk of items takes ``include_retired``: True (the default) walks
# every item, as the whole-case JSON export must; False leaves retired items
# out, with the links to them and the marks on them, as the exports for other
# tools do unless asked (``casebook export --include-retired``).


def excerpts(case: Case, *, page: int = PAGE, include_retired: bool = True, among: Among = None
             ) -> Iterator[ExcerptRecord]:
    where, params = _among(among, live("excerpts", include_retired=include_retired))
    for rows in _pages(case, EXCERPTS, EXCERPTS.model_columns, page=page, where=where, params=params):
        mentions = _links(case, EXCERPT_ENTITIES, [row["id"] for row in rows])
        known, hidden = _held(case, "entities", (r["entity_id"] for found in mentions.values()
                                                 for r in found), include_retired=include_retired)
        for row in rows:
            lost = _dangling("entities", _missing(mentions, row["id"], "entity_id", known))
            yield read_model(ExcerptRecord, {
                **dict(row), "entity_ids": tuple(r["entity_id"] for r in mentions[row["id"]]
                                                 if r["entity_id"] in known - hidden)}, damage=lost)


def entities(case: Case, *, page: int = PAGE, include_retired: bool = True, among: Among = None
             ) -> Iterator[EntityRecord]:
    where, params = _among(among, live("entities", include_retired=include_retired))
    for rows in _pages(case, ENTITIES, ["id"], page=page, where=where, params=params):
        yield from entities_read_as(case, [row["id"] for row in rows], EntityRecord)


def events(case: Case, *, page: int = PAGE, include_retired: bool = True, among: Among = None
           ) -> Iterator[EventRecord]:
    where, params = _among(among, live("events", include_retired=include_retired))
    for rows in _pages(case, EVENTS, EVENTS.model_columns, page=page, where=where, params=params):
        ids = [row["id"] for row in rows]
        taking_part = _links(case, EVENT_ENTITIES, ids)
        evidence = _links(case, EVENT_EXCERPTS, ids)
        people, hidden_people = _held(case, "entities", (r["entity_id"] for f in taking_part.values()
                                                         for r in f), include_retired=include_retired)
        cited, hidden_cited = _held(case, "excerpts", (r["excerpt_id"] for f in evidence.values()
                                                       for r in f), include_retired=include_retired)
        for row in rows:
            lost = "; ".join(filter(None, (
                _dangling("entities", _missing(taking_part, row["id"], "entity_id", people)),
                _dangling("excerpts", _missing(evidence, row["id"], "excerpt_id", cited)))))
            yield read_model(EventRecord, {
                **dict(row), "entity_ids": tuple(r["entity_id"] for r in taking_part[row["id"]]
                                                 if r["entity_id"] in people - hidden_people),
                "excerpt_ids": tuple(r["excerpt_id"] for r in evidence[row["id"]]
                                     if r["excerpt_id"] in cited - hidden_cited)}, damage=lost)


def claims(case: Case, *, page: int = PAGE, status: str | None = None,
           include_retired: bool = True, among: Among = None) -> Iterator[ClaimRecord]:
    where, params = ("status = ?", [status]) if status else ("", [])
    where, params = _among(among, all_of(where, live("claims", include_retired=include_retired)),
                           params)
    for rows in _pages(case, CLAIMS, CLAIMS.model_columns, page=page, where=where, params=params):
        ids = [row["id"] for row in rows]
        entities_of = _links(case, CLAIM_ENTITIES, ids)
        evidence = _links(case, CLAIM_EXCERPTS, ids)
        people, hidden_people = _held(case, "entities", (r["entity_id"] for f in entities_of.values()
                                                         for r in f), include_retired=include_retired)
        cited, hidden_cited = _held(case, "excerpts", (r["excerpt_id"] for f in evidence.values()
                                                       for r in f), include_retired=include_retired)
        for row in rows:
            lost = "; ".join(filter(None, (
                _dangling("entities", _missing(entities_of, row["id"], "entity_id", people)),
                _dangling("excerpts", _missing(evidence, row["id"], "excerpt_id", cited)))))
            entities_of[row["id"]] = [r for r in entities_of[row["id"]]
                                      if r["entity_id"] in people - hidden_people]
            evidence[row["id"]] = [r for r in evidence[row["id"]]
                                   if r["excerpt_id"] in cited - hidden_cited]
            yield read_model(ClaimRecord, {
                **dict(row),
                "entities": tuple(read_model(ClaimEntityLink, {"entity_id": r["entity_id"], "role": r["role"],
                                                                 "uid": r["uid"]})
                                  for r in entities_of[row["id"]]),
                "evidence": tuple(read_model(ClaimEvidenceLink,
                                             {"excerpt_id": r["excerpt_id"], "stance": r["stance"],
                                              "uid": r["uid"]})
                                  for r in evidence[row["id"]]),
            }, damage=lost)


def annotations(case: Case, *, page: int = PAGE, include_retired: bool = True,
                among: Among = None) -> Iterator[Annotation]:
    """Every mark, in the order it was made (without those on retired claims,
    unless ``include_retired``)."""
    where, params = _among(among, live("claims", include_retired=include_retired, column="claim_id"))
    for rows in _pages(case, ANNOTATIONS, [*ANNOTATIONS.key, *ANNOTATIONS.model_columns], page=page,
                       where=where, params=params):
        yield from (annotation_from_row(row) for row in rows)


def conflicts(case: Case, *, page: int = PAGE) -> Iterator[ConflictRecord]:
    """Claims marked differently on both sides of a merge, open or resolved."""
    for rows in _pages(case, CLAIM_CONFLICTS, CLAIM_CONFLICTS.model_columns, page=page):
        yield from (read_model(ConflictRecord, dict(row)) for row in rows)


def relationships(case: Case, *, page: int = PAGE, include_retired: bool = True
                  ) -> Iterator[RelationshipRecord]:
    """Every relationship with its evidence, by id (unless ``include_retired``,
    the retired ones and those to a retired entity are left out, and retired
    excerpts from the evidence)."""
    shown = "" if include_retired else (
        f"retired = 0 AND {live('entities', column='subject_entity_id')} "
        f"AND {live('entities', column='object_entity_id')}")
    for rows in _pages(case, RELATIONSHIPS, RELATIONSHIPS.model_columns, page=page, where=shown):
        evidence = _links(case, RELATIONSHIP_EXCERPTS, [row["id"] for row in rows])
        # a retired excerpt leaves the evidence too, as a claim's (the walk is an export's)
        _, hidden = _held(case, "excerpts", (r["excerpt_id"] for f in evidence.values() for r in f),
                          include_retired=include_retired)
        for row in rows:
            yield read_model(RelationshipRecord, {
                **dict(row),
                "evidence": tuple(read_model(RelationshipEvidenceLink,
                                             {"excerpt_id": r["excerpt_id"], "stance": r["stance"]})
                                  for r in evidence[row["id"]] if r["excerpt_id"] not in hidden),
            })


def relationship_annotations(case: Case, *, page: int = PAGE) -> Iterator[RelationshipAnnotation]:
    """Every relationship mark, in the order it was made."""
    for rows in _pages(case, RELATIONSHIP_ANNOTATIONS,
                       [*RELATIONSHIP_ANNOTATIONS.key, *RELATIONSHIP_ANNOTATIONS.model_columns], page=page):
        yield from (RelationshipAnnotation.model_validate(
            {c: row[c] for c in RELATIONSHIP_ANNOTATIONS.model_columns}) for row in rows)


def relationship_conflicts(case: Case, *, page: int = PAGE) -> Iterator[RelationshipConflictRecord]:
    """Relationships marked differently on both sides of a merge, open or resolved."""
    for rows in _pages(case, RELATIONSHIP_CONFLICTS, RELATIONSHIP_CONFLICTS.model_columns, page=page):
        yield from (read_model(RelationshipConflictRecord, dict(row)) for row in rows)


def records(case: Case, table: Table, model: type[Model], *, page: int = PAGE) -> Iterator[Model]:
    """Every row of a table of records (revisions, retirements...), in the order they came."""
    for rows in _pages(case, table, [*table.key, *table.model_columns], page=page):
        yield from (model(**{key: row[key] for key in table.model_columns}) for row in rows)


def timeline(case: Case, *, page: int = PAGE, include_retired: bool = True
             ) -> Iterator[EventRecord]:
    """Events in date order (undated first), as the browser's timeline."""
    for rows in _pages(case, EVENTS, EVENTS.model_columns, page=page, key=TIMELINE_ORDER,
                       where=live("events", include_retired=include_retired)):
        yield from (read_model(EventRecord, dict(row)) for row in rows)


def entities_of_kind(case: Case, kind: str, *, page: int = PAGE, include_retired: bool = True
                     ) -> Iterator[EntityRecord]:
    """Entities of one kind in name order (folded)."""
    for rows in _pages(case, ENTITIES, ["id", "sort_name"], page=page, key=("sort_name", "id"),
                       where=all_of("kind = ?", live("entities", include_retired=include_retired)),
                       params=[kind]):
        yield from entities_read_as(case, [row["id"] for row in rows], EntityRecord)
