"""Merging the items of a copy by uid: sources, excerpts, entities, events,
claims, relationships (with their evidence and marks), their links, and the
curation records (revisions, retirements, combinations, duplicate judgements).

Runs inside the merge's one write transaction, with the other file attached
read-only as ``other``, in set-based SQL (a copy of a million-excerpt case
is read, not looped over in Python). Rules (docs/case-file.md, "Merging"):

- every item is matched by its uid; a source also by sha256, an excerpt by
  its span, an entity the case lacks by kind and name (a copy of another case
  merged with ``--force``), so nothing is copied twice;
- records (revisions...) are matched by uid: merging twice adds nothing;
- an item's field is the new value of its latest revision by time, so
  merging A into B and B into A gives the same values; a field revised on
  both sides since they parted, to different values, is flagged in
  ``revision_conflicts``, never settled silently;
- a combination made on one side is made on the other: links the other
  side still has to the absorbed entity move to the kept one, and so do its
  relationships (each a revision, as combining makes them; one that would
  link an entity to itself is retired); an uncombine made on one side is
  made on the other.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .casefile import utc_now
from .claims import NEW_CLAIM
from .curation import _give_back_relationships, _restore_links, follow_combinations
from .entities import carry_languages, stored_languages, tags_kept
from .errors import CaseFileError, MergeRefusedError
from .kinds import ITEM_KINDS, ItemKind
from .marks import RELATIONSHIP_MARKS, conflicting_marks, record_conflict, settle_status
from .mentions import link_mentions
from .tables import (
    ALIAS_LANGUAGES,
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
    RELATIONSHIP_ANNOTATIONS,
    RELATIONSHIP_CONFLICTS,
    RELATIONSHIP_EXCERPTS,
    RELATIONSHIPS,
    RETIREMENTS,
    REVISION_CONFLICTS,
    REVISIONS,
    SOURCES,
    TABLES,
    Table,
    column_list,
    quote,
)

_KIND_BY_NAME = {kind.name: kind for kind in ITEM_KINDS}


def _count(tx: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    return int(tx.execute(sql, list(params)).rowcount)


def _insert_select(table: Table, columns: Sequence[str], select: str, *,
                   or_ignore: bool = False) -> str:
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    return f"{verb} INTO main.{table} ({column_list(columns)}) {select}"


def _picked(columns: Sequence[str], alias: str = "o", **mapped: str) -> str:
    """The values of ``columns`` for an ``INSERT … SELECT``: each ``alias.column``,
    but the ids in ``mapped`` (the case's id of an item, through a map)."""
    return ", ".join(mapped.get(column, f"{alias}.{quote(column)}") for column in columns)


# Tables whose rows a merge compares by id first (find_apart), the columns compared.
APART = ("excerpts", "entities", "events", "claims")


def find_apart(tx: sqlite3.Connection) -> None:
    """Which rows of the copy are not the case's row of the same id as they
    stand, into ``temp.<table>_apart`` for each of APART: ``moved`` when the
    case's row of that id is missing or holds another uid (the item is
    matched by uid: db/merge_items), else its content differs. One pass over
    each table joined on id, as copies share ids (a million excerpts in about a
    second, the uid index read only for the few apart); db/merge_check checks
    the rows apart. Before the write lock: an id never changes its uid, so the
    rows found the same stay the same."""
    for name in APART:
        table = TABLES[name]
        differ = " OR ".join(f'e."{c}" IS NOT o."{c}"' for c in table.columns if c not in ("id", "uid"))
        tx.execute(f"DROP TABLE IF EXISTS temp.{name}_apart")
        tx.execute(f"CREATE TEMP TABLE {name}_apart (other_id INTEGER PRIMARY KEY, moved INTEGER NOT NULL)")
        tx.execute(f"INSERT INTO temp.{name}_apart SELECT o.id, e.uid IS NOT o.uid FROM other.{name} o "
                   f"LEFT JOIN main.{name} e ON e.id = o.id WHERE e.uid IS NOT o.uid OR {differ}")


def merge_items(tx: sqlite3.Connection, report: dict[str, Any], *, detected_by: str,
                copy_source_details: Any, other_name: str, another_case: bool = False) -> None:
    """Bring in everything of ``other`` the case lacks (see the module's rules);
    ``another_case``: ``other`` is a copy of another case (merged with --force),
    whose entities this case lacks by uid are matched by kind and name.
    ``copy_source_details(other_id, new_id)`` copies a new source's pages,
    boxes, metadata and attachments. Raises MergeRefusedError (naming
    ``other_name``, the copy's path) for a new link of the copy to a row the copy lacks."""
    added: dict[str, int] = report.setdefault("added", {})
    _maps(tx)
    # -- sources, by sha256 --------------------------------------------------------
    columns = SOURCES.insert(with_id=False).columns
    before = _max_id(tx, "sources")
    added["sources"] = _count(tx, _insert_select(SOURCES, columns,
        f"SELECT {column_list(columns, alias='o')} FROM other.sources o "
        "WHERE o.sha256 NOT IN (SELECT sha256 FROM main.sources) ORDER BY o.id"))
    tx.execute("INSERT INTO temp.source_map SELECT o.id, s.id, s.id > ? FROM other.sources o "
               "JOIN main.sources s ON s.sha256 = o.sha256", [before])
    for other_id, new_id in tx.execute(
            "SELECT other_id, id FROM temp.source_map WHERE new").fetchall():
        copy_source_details(other_id, new_id)
    # -- excerpts, by uid, else by span ----------------------------------------------
    # temp.excerpt_map keeps only the excerpts whose id here differs from there
    # or that the case lacks (id NULL until copied): every other one is the same
    # excerpt under the same id, as in any copy of a case (find_apart).
    tx.execute(
        "INSERT INTO temp.excerpt_map SELECT other_id, id FROM (SELECT a.other_id, "
        "(SELECT e.id FROM main.excerpts e WHERE e.uid = o.uid) AS id FROM temp.excerpts_apart a "
        "JOIN other.excerpts o ON o.id = a.other_id WHERE a.moved) WHERE id IS NOT other_id")
    tx.execute(   # lacking the uid, the same span of the same source is the same excerpt
        "UPDATE temp.excerpt_map SET id = (SELECT e.id FROM other.excerpts o "
        "JOIN temp.source_map m ON m.other_id = o.source_id JOIN main.excerpts e "
        'ON e.source_id = m.id AND e.start = o.start AND e."end" = o."end" '
        "WHERE o.id = excerpt_map.other_id) WHERE id IS NULL")
    before = _max_id(tx, "excerpts")
    columns = EXCERPTS.insert(with_id=False).columns
    added["excerpts"] = _count(tx, _insert_select(EXCERPTS, columns,
        f"SELECT {_picked(columns, source_id='m.id')} FROM temp.excerpt_map x "
        "JOIN other.excerpts o ON o.id = x.other_id "
        "JOIN temp.source_map m ON m.other_id = o.source_id WHERE x.id IS NULL ORDER BY o.id"))
    tx.execute("UPDATE temp.excerpt_map SET id = (SELECT e.id FROM other.excerpts o "
               "JOIN main.excerpts e ON e.uid = o.uid WHERE o.id = excerpt_map.other_id) "
               "WHERE id IS NULL")
    new_excerpts = [row[0] for row in tx.execute(
        "SELECT id FROM main.excerpts WHERE id > ?", [before])]
    # -- entities, by uid, else (a copy of another case) by kind and name -----------
    columns = ENTITIES.insert(with_id=False).columns
    # Sparse as temp.excerpt_map: only the entities whose id here differs, or that are new.
    # Within one case only by uid: an entity added on one copy with the name of one
    # already there is another entity (a likely duplicate, to combine or not), and
    # folding it in by name in one direction only would make the copies differ.
    by_name = ("(SELECT min(e.id) FROM main.entities e WHERE e.kind = o.kind "
               "AND e.sort_name = o.sort_name AND e.name = o.name)" if another_case else "NULL")
    tx.execute("INSERT INTO temp.entity_map SELECT other_id, id FROM (SELECT a.other_id, "
               f"ifnull((SELECT e.id FROM main.entities e WHERE e.uid = o.uid), {by_name}) "
               "AS id FROM temp.entities_apart a "
               "JOIN other.entities o ON o.id = a.other_id WHERE a.moved) WHERE id IS NOT other_id")
    before = _max_id(tx, "entities")
    added["entities"] = _count(tx, _insert_select(ENTITIES, columns,
        f"SELECT {column_list(columns, alias='o')} FROM other.entities o "
        "JOIN temp.entity_map m ON m.other_id = o.id WHERE m.id IS NULL ORDER BY o.id"))
    tx.execute("UPDATE temp.entity_map SET id = (SELECT e.id FROM main.entities e "
               "JOIN other.entities o ON o.uid = e.uid WHERE o.id = other_id) WHERE id IS NULL")
    for names in (ENTITY_ALIASES, ALIAS_LANGUAGES):   # a new entity's names, and their languages
        tx.execute(_insert_select(names, names.columns,
            f"SELECT {_picked(names.columns, entity_id='m.id')} FROM other.{names} o "
            "JOIN temp.entity_map m ON m.other_id = o.entity_id WHERE m.id > ?", or_ignore=True),
            [before])
    # -- events and claims, by uid -----------------------------------------------------
    added["events"] = _by_uid(tx, EVENTS, "event_map")
    added["claims"] = _count(tx,
        f"INSERT INTO main.claims ({column_list(NEW_CLAIM.columns)}) "
        f"SELECT {column_list(NEW_CLAIM.columns, alias='o')} "
        "FROM other.claims o WHERE o.uid NOT IN (SELECT uid FROM main.claims) ORDER BY o.id")
    tx.execute("INSERT INTO temp.claim_map SELECT o.id, c.id FROM other.claims o "
               "JOIN main.claims c ON c.uid = o.uid")
    report["claims_copied"] += added["claims"]
    report["sources_copied"] += added["sources"]
    report["excerpts_copied"] += added["excerpts"]
    report["entities_copied"] += added["entities"]
    # -- links (each new one's ends checked within the copy first: _copy_links) ------------
    links = sum(_copy_links(tx, table, ends, other_name) for table, ends in _LINKS)
    added["links"] = links
    # -- relationships, their evidence and their marks, by uid (before the records:
    # a copied relationship's retirements set its flag as they come in) ----------------
    _relationships(tx, added, report, detected_by=detected_by, other_name=other_name)
    # -- curation records ------------------------------------------------------------------
    _revisions(tx, added, report, detected_by=detected_by)
    added["retirements"] = _count(tx, _insert_select(RETIREMENTS, RETIREMENTS.columns,
        f"SELECT {RETIREMENTS.select(alias='o')} FROM other.retirements o "
        "WHERE o.uid NOT IN (SELECT uid FROM main.retirements) ORDER BY o.at, o.rowid"))
    _combinations(tx, added)
    added["judgements"] = _count(tx, _insert_select(
        DUPLICATE_JUDGEMENTS, DUPLICATE_JUDGEMENTS.columns,
        f"SELECT {DUPLICATE_JUDGEMENTS.select(alias='o')} FROM other.duplicate_judgements o "
        "WHERE o.uid NOT IN (SELECT uid FROM main.duplicate_judgements) ORDER BY o.at, o.rowid"))
    # A conflict settled on either side is settled (the earlier settling, on both alike).
    columns = REVISION_CONFLICTS.insert(with_id=False).columns
    tx.execute(_insert_select(REVISION_CONFLICTS, columns,
        f"SELECT {column_list(columns)} FROM other.revision_conflicts WHERE true ") +
        "ON CONFLICT (item_kind, item_uid, field, revision_a, revision_b) DO UPDATE SET "
        "resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by "
        "WHERE excluded.resolved_at != '' AND (revision_conflicts.resolved_at = '' "
        "OR excluded.resolved_at < revision_conflicts.resolved_at)")
    # What OTHER holds that the case still lacks (nothing, unless OTHER is inconsistent).
    report["not_merged"] = {
        "sources": tx.execute("SELECT count(*) FROM other.sources WHERE sha256 NOT IN "
                              "(SELECT sha256 FROM main.sources)").fetchone()[0],
        "entities": tx.execute("SELECT count(*) FROM temp.entity_map WHERE id IS NULL").fetchone()[0],
        "events": tx.execute("SELECT count(*) FROM other.events WHERE uid NOT IN "
                             "(SELECT uid FROM main.events)").fetchone()[0],
        "relationships": tx.execute("SELECT count(*) FROM other.relationships WHERE uid NOT IN "
                                    "(SELECT uid FROM main.relationships)").fetchone()[0],
    }
    if new_excerpts:
        link_mentions_later = report.setdefault("_new_excerpts", [])
        link_mentions_later.extend(new_excerpts)


# The link tables a merge copies (after their items), each with its two ends (its
# first two columns): the map that takes the copy's ids to the case's, the table named.
_Ends = tuple[tuple[str, Table], tuple[str, Table]]
_LINKS: tuple[tuple[Table, _Ends], ...] = (
    (EXCERPT_ENTITIES, (("excerpt_map", EXCERPTS), ("entity_map", ENTITIES))),
    (EVENT_ENTITIES, (("event_map", EVENTS), ("entity_map", ENTITIES))),
    (EVENT_EXCERPTS, (("event_map", EVENTS), ("excerpt_map", EXCERPTS))),
    (CLAIM_ENTITIES, (("claim_map", CLAIMS), ("entity_map", ENTITIES))),
    (CLAIM_EXCERPTS, (("claim_map", CLAIMS), ("excerpt_map", EXCERPTS))),
)


def _link_candidates(tx: sqlite3.Connection, table: Table, first: tuple[str, str],
                     second: tuple[str, str]) -> None:
    """The copy's links of ``table`` that may be new here, into temp.link_candidates
    (first, second: the ends' ids in the copy): those the case lacks as they stand,
    and those with an end whose id here is another (``first`` and ``second``: each
    end's column and its map). Every other link of the copy is one the case has.
    The pairs the case lacks are one merge of the two tables in key order (ordered
    EXCEPT), a tenth of the time of looking each link up here at a million links."""
    (first_column, first_map), (second_column, second_map) = first, second
    tx.execute("DROP TABLE IF EXISTS temp.link_candidates")
    tx.execute("CREATE TEMP TABLE link_candidates (first INTEGER NOT NULL, second INTEGER NOT NULL, "
               "PRIMARY KEY (first, second)) WITHOUT ROWID")
    pair = f"{quote(first_column)}, {quote(second_column)}"
    tx.execute(f"INSERT INTO temp.link_candidates SELECT * FROM (SELECT {pair} FROM other.{table} "
               f"EXCEPT SELECT {pair} FROM main.{table} ORDER BY 1, 2)")
    for column, map_name in ((first_column, first_map), (second_column, second_map)):
        tx.execute(f"INSERT OR IGNORE INTO temp.link_candidates SELECT o.{quote(first_column)}, "
                   f"o.{quote(second_column)} FROM temp.{map_name} m JOIN other.{table} o "
                   f"ON o.{quote(column)} = m.other_id WHERE m.id IS NOT m.other_id")


def _copy_links(tx: sqlite3.Connection, table: Table, ends: _Ends, other_name: str) -> int:
    """The copy's rows of the link table the case lacks (by uid where the table
    has one, else by its key), each end through its map to the case's id, and
    every other column as it is. A new row whose end is not in the copy refuses
    the merge (it would link whatever row has that id here: damage spread),
    rolled back, naming it. Returns how many came in."""
    first, second = table.columns[:2]
    (_, first_parent), (_, second_parent) = ends
    mapped, joins, found = {}, [], []
    for column, (map_name, _), alias in zip(table.columns[:2], ends, ("a", "b"), strict=True):
        mapped[column] = _mapped(map_name, alias, column)
        joins.append(_map_join(map_name, alias, column))
        found.append(_map_found(map_name, alias))
    if "uid" in table.columns:
        rows = f"other.{table} o"
        lacking = f"o.uid NOT IN (SELECT uid FROM main.{table})"
    else:   # keyed by its two ends: only the candidates can be new (_link_candidates)
        _link_candidates(tx, table, (first, ends[0][0]), (second, ends[1][0]))
        rows = (f"temp.link_candidates k JOIN other.{table} o "
                f"ON o.{quote(first)} = k.first AND o.{quote(second)} = k.second")
        same = " AND ".join(f"m.{quote(c)} = {mapped.get(c, f'o.{quote(c)}')}" for c in table.key)
        lacking = f"NOT EXISTS (SELECT 1 FROM main.{table} m WHERE {same})"
    values = ", ".join(f"{mapped.get(c, f'o.{quote(c)}')} AS {quote(c)}" for c in table.columns)
    # In key order, so that the links the case has already are met in its own
    # order (its pages read once, not once per link).
    tx.execute("DROP TABLE IF EXISTS temp.new_links")
    tx.execute(f"CREATE TEMP TABLE new_links AS SELECT o.{first} AS other_first, "
               f"o.{second} AS other_second, {values} FROM {rows} {' '.join(joins)} "
               f"WHERE {' AND '.join([*found, lacking])} ORDER BY {column_list(table.key, alias='o')}")
    for end, parent in (("other_first", first_parent), ("other_second", second_parent)):
        dangling = tx.execute(
            f"SELECT other_first, other_second FROM temp.new_links n WHERE NOT EXISTS "
            f"(SELECT 1 FROM other.{parent} p WHERE p.id = n.{end}) LIMIT 1").fetchone()
        if dangling is not None:
            raise MergeRefusedError(
                f"{Path(other_name).name}: a row of {table} ({first} {dangling[0]}, "
                f"{second} {dangling[1]}) refers to a missing {parent} row; "
                "nothing merged: nothing that fails casebook's checks comes in "
                f"('casebook check {other_name}' lists every problem)")
    count = _count(tx, _insert_select(table, table.columns,
                                      f"SELECT {table.select()} FROM temp.new_links", or_ignore=True))
    tx.execute("DROP TABLE temp.new_links")
    return count


def _relationships(tx: sqlite3.Connection, added: dict[str, int], report: dict[str, Any], *,
                   detected_by: str, other_name: str) -> None:
    """Relationships the case lacks (by uid, both ends merged), the evidence of
    every relationship on both sides, and the marks the case lacks (by id,
    append-only: an id here with other content is refused, nothing merged);
    each relationship that got marks takes the status of its latest mark or
    undo by time, and its version moves by the marks added, as a claim's."""
    # A copied relationship comes in unreviewed at version 0: its marks, copied next,
    # settle its status and move its version (apply_relationship_marks), as a claim's.
    columns = tuple(c for c in RELATIONSHIPS.insert(with_id=False).columns
                    if c not in ("status", "version"))
    subject = _mapped("entity_map", "s", "subject_entity_id")
    object_ = _mapped("entity_map", "b", "object_entity_id")
    added["relationships"] = _count(tx, _insert_select(RELATIONSHIPS, columns,
        f"SELECT {_picked(columns, subject_entity_id=subject, object_entity_id=object_)} "
        "FROM other.relationships o "
        f"{_map_join('entity_map', 's', 'subject_entity_id')} "
        f"{_map_join('entity_map', 'b', 'object_entity_id')} "
        f"WHERE {_map_found('entity_map', 's')} AND {_map_found('entity_map', 'b')} "
        f"AND {subject} != {object_} "
        "AND o.uid NOT IN (SELECT uid FROM main.relationships) ORDER BY o.id"))
    tx.execute("DROP TABLE IF EXISTS temp.relationship_map")
    tx.execute("CREATE TEMP TABLE relationship_map (other_id INTEGER PRIMARY KEY, id INTEGER)")
    tx.execute("INSERT INTO temp.relationship_map SELECT o.id, r.id FROM other.relationships o "
               "JOIN main.relationships r ON r.uid = o.uid")
    added["relationship_evidence"] = _copy_links(
        tx, RELATIONSHIP_EXCERPTS, (("relationship_map", RELATIONSHIPS), ("excerpt_map", EXCERPTS)),
        other_name)
    create_incoming_relationship_marks(tx)
    picked_marks = _picked(RELATIONSHIP_ANNOTATIONS.columns, relationship_id="t.uid")
    tx.execute(f"INSERT INTO temp.incoming_relationship_marks ({INCOMING_RELATIONSHIP_MARKS}, line) "
               f"SELECT {picked_marks}, o.rowid FROM other.relationship_annotations o "
               "JOIN other.relationships t ON t.id = o.relationship_id ORDER BY o.rowid")
    clash = clashing_relationship_mark(tx)
    if clash is not None:
        raise CaseFileError(f"relationship annotation {clash[0]} is in both files with different "
                            "content (annotations never change); nothing merged")
    apply_relationship_marks(tx, report, detected_by=detected_by)
    # Conflicts the copy flagged (their marks are all here now); resolved there: resolved here.
    flagged = RELATIONSHIP_CONFLICTS.insert(with_id=False).columns
    added["relationship_conflicts"] = _count(tx, _insert_select(RELATIONSHIP_CONFLICTS, flagged,
        f"SELECT {_picked(flagged, 'k', relationship_id='r.id')} FROM other.relationship_conflicts k "
        "JOIN temp.relationship_map r ON r.other_id = k.relationship_id ORDER BY k.id",
        or_ignore=True))
    tx.execute(
        "UPDATE main.relationship_conflicts SET (resolved_at, resolved_by, resolution) = "
        "(SELECT k.resolved_at, k.resolved_by, k.resolution FROM other.relationship_conflicts k "
        "WHERE k.annotation_a = relationship_conflicts.annotation_a "
        "AND k.annotation_b = relationship_conflicts.annotation_b AND k.resolved_at != '') "
        "WHERE resolved_at = '' AND EXISTS (SELECT 1 FROM other.relationship_conflicts k "
        "WHERE k.annotation_a = relationship_conflicts.annotation_a "
        "AND k.annotation_b = relationship_conflicts.annotation_b AND k.resolved_at != '')")
    tx.execute("DROP TABLE temp.incoming_relationship_marks")
    tx.execute("DROP TABLE temp.relationship_map")


# The incoming relationship marks (a merge's copy, an annotations file's lines): each
# relationship annotation column, the relationship named by uid.
INCOMING_RELATIONSHIP_COLUMNS = RELATIONSHIP_ANNOTATIONS.travelling(
    "relationship_id", by_uid="relationship_uid")
INCOMING_RELATIONSHIP_MARKS = column_list(INCOMING_RELATIONSHIP_COLUMNS)


def create_incoming_relationship_marks(tx: sqlite3.Connection) -> None:
    tx.execute("DROP TABLE IF EXISTS temp.incoming_relationship_marks")
    texts = ", ".join(f"{quote(c)} TEXT NOT NULL" for c in INCOMING_RELATIONSHIP_COLUMNS if c != "id")
    tx.execute(f"CREATE TEMP TABLE incoming_relationship_marks (id TEXT PRIMARY KEY, {texts}, "
               "line INTEGER NOT NULL, present INTEGER NOT NULL DEFAULT 0)")


def clashing_relationship_mark(tx: sqlite3.Connection) -> sqlite3.Row | None:
    """An incoming relationship annotation whose id is in the case with other content."""
    differs = " OR ".join("r.uid != m.relationship_uid" if c == "relationship_uid" else
                          f"a.{quote(c)} != m.{quote(c)}"
                          for c in INCOMING_RELATIONSHIP_COLUMNS if c != "id")
    found: sqlite3.Row | None = tx.execute(
        "SELECT m.id, m.line FROM temp.incoming_relationship_marks m "
        "JOIN main.relationship_annotations a ON a.id = m.id "
        f"JOIN main.relationships r ON r.id = a.relationship_id WHERE {differs} "
        "ORDER BY m.line LIMIT 1").fetchone()
    return found


def apply_relationship_marks(tx: sqlite3.Connection, report: dict[str, Any], *,
                             detected_by: str) -> None:
    """The incoming relationship marks the case lacks, in (append-only, by id), as a
    claim's: a relationship marked differently on both sides is flagged in
    ``relationship_conflicts`` (db/marks.py, as claims are), and each relationship that
    got marks takes the status of its latest mark or undo by time, its version moved
    by the marks added. Relationships the case lacks are left out (counted)."""
    added: dict[str, int] = report.setdefault("added", {})
    tx.execute("UPDATE temp.incoming_relationship_marks SET present = 1 "
               "WHERE id IN (SELECT id FROM main.relationship_annotations)")
    affected = tx.execute(
        "SELECT r.id, r.uid, count(*) FROM temp.incoming_relationship_marks m "
        "JOIN main.relationships r ON r.uid = m.relationship_uid WHERE NOT m.present "
        "GROUP BY r.id ORDER BY r.id").fetchall()
    conflicts = [(row[0], *found) for row in affected
                 if (found := conflicting_marks(
                     RELATIONSHIP_MARKS, tx, row[0], row[1],
                     incoming="temp.incoming_relationship_marks", uid_column="relationship_uid"))]
    marks = RELATIONSHIP_ANNOTATIONS.columns
    added["relationship_marks"] = added.get("relationship_marks", 0) + _count(tx, _insert_select(
        RELATIONSHIP_ANNOTATIONS, marks,
        f"SELECT {_picked(marks, 'm', relationship_id='r.id')} FROM temp.incoming_relationship_marks m "
        "JOIN main.relationships r ON r.uid = m.relationship_uid WHERE NOT m.present "
        "ORDER BY m.created_at, m.id"))
    flagged = sum(record_conflict(RELATIONSHIP_MARKS, tx, relationship_id, ours, theirs,
                                  detected_by=detected_by)
                  for relationship_id, ours, theirs in conflicts)
    report["relationship_conflicts_found"] = report.get("relationship_conflicts_found", 0) + flagged
    for relationship_id, _uid, count in affected:
        settle_status(RELATIONSHIP_MARKS, tx, relationship_id, count)


def link_new_excerpts(case: Any, report: dict[str, Any]) -> None:
    """Link the copied excerpts to the entities they mention (after the copy)."""
    new = report.pop("_new_excerpts", [])
    if new:
        link_mentions(case, excerpt_ids=new)


# temp.excerpt_map and temp.entity_map are sparse (see merge_items): an item they
# lack has the same id here.
_SPARSE = ("excerpt_map", "entity_map")


def _mapped(map_name: str, alias: str, column: str) -> str:
    """The case's id for ``o.column`` through ``temp.map_name``."""
    if map_name in _SPARSE:
        return f"ifnull({alias}.id, o.{column})"
    return f"{alias}.id"


def _map_join(map_name: str, alias: str, column: str) -> str:
    join = "LEFT JOIN" if map_name in _SPARSE else "JOIN"
    return f"{join} temp.{map_name} {alias} ON {alias}.other_id = o.{column}"


def _map_found(map_name: str, alias: str) -> str:
    """The item is in the case (a sparse map's NULL id: one that could not be copied)."""
    if map_name in _SPARSE:
        return f"({alias}.other_id IS NULL OR {alias}.id IS NOT NULL)"
    return "1"


def _maps(tx: sqlite3.Connection) -> None:
    for name in ("source_map", "excerpt_map", "entity_map", "event_map", "claim_map"):
        tx.execute(f"DROP TABLE IF EXISTS temp.{name}")
        extra = ", new INTEGER NOT NULL DEFAULT 0" if name == "source_map" else ""
        tx.execute(f"CREATE TEMP TABLE {name} (other_id INTEGER PRIMARY KEY, id INTEGER{extra})")


def drop_maps(tx: sqlite3.Connection) -> None:
    for name in ("source_map", "excerpt_map", "entity_map", "event_map", "claim_map",
                 "link_candidates", *(f"{table}_apart" for table in APART)):
        tx.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _max_id(tx: sqlite3.Connection, table: str) -> int:
    return int(tx.execute(f"SELECT ifnull(max(id), 0) FROM main.{table}").fetchone()[0])


def _by_uid(tx: sqlite3.Connection, table: Table, map_name: str) -> int:
    columns = table.insert(with_id=False).columns
    count = _count(tx, _insert_select(table, columns,
        f"SELECT {column_list(columns, alias='o')} FROM other.{table} o "
        f"WHERE o.uid NOT IN (SELECT uid FROM main.{table}) ORDER BY o.id"))
    tx.execute(f"INSERT INTO temp.{map_name} SELECT o.id, t.id FROM other.{table} o "
               f"JOIN main.{table} t ON t.uid = o.uid")
    return count


def _revisions(tx: sqlite3.Connection, added: dict[str, int], report: dict[str, Any], *,
               detected_by: str) -> None:
    """New revisions in; conflicting fields flagged; each touched field set to
    the new value of its latest revision by time."""
    tx.execute("DROP TABLE IF EXISTS temp.incoming_revisions")
    tx.execute(f"CREATE TEMP TABLE incoming_revisions AS SELECT {REVISIONS.select(alias='o')} "
               "FROM other.revisions o WHERE o.uid NOT IN (SELECT uid FROM main.revisions)")
    ours = tx.execute(
        "SELECT r.item_kind, r.item_uid, f.key AS field, r.uid, r.at, f.value ->> 1 AS value "
        "FROM main.revisions r, json_each(r.fields) f "
        "WHERE r.uid NOT IN (SELECT uid FROM other.revisions) AND EXISTS (SELECT 1 FROM "
        "temp.incoming_revisions i WHERE i.item_kind = r.item_kind AND i.item_uid = r.item_uid)"
    ).fetchall()
    theirs = tx.execute(
        "SELECT r.item_kind, r.item_uid, f.key AS field, r.uid, r.at, f.value ->> 1 AS value "
        "FROM temp.incoming_revisions r, json_each(r.fields) f").fetchall()
    latest_ours = _latest_per_field(ours)
    latest_theirs = _latest_per_field(theirs)
    conflicts = 0
    now = utc_now()
    for key, (_, our_uid, our_value) in latest_ours.items():
        if key in latest_theirs and latest_theirs[key][2] != our_value:
            a, b = sorted((our_uid, latest_theirs[key][1]))
            conflicts += _count(tx, _FLAG_FIELD.sql, [*key, a, b, now, detected_by])
    report["revision_conflicts_found"] = conflicts
    added["revisions"] = _count(tx, _insert_select(REVISIONS, REVISIONS.columns,
        f"SELECT {REVISIONS.select()} FROM temp.incoming_revisions ORDER BY at, uid"))
    touched = tx.execute("SELECT item_kind, item_uid, count(*) FROM temp.incoming_revisions "
                         "GROUP BY item_kind, item_uid").fetchall()
    for kind_name, item_uid, count in touched:
        kind = _KIND_BY_NAME.get(kind_name)
        if kind is None:
            continue
        _settle_fields(tx, kind, item_uid, count)
    tx.execute("DROP TABLE temp.incoming_revisions")


# A field revised differently on both sides, flagged (open: resolved_at and resolved_by '').
_FLAG_FIELD = REVISION_CONFLICTS.insert(
    ("item_kind", "item_uid", "field", "revision_a", "revision_b", "detected_at", "detected_by"),
    or_ignore=True)


def _latest_per_field(rows: list[sqlite3.Row]) -> dict[tuple[str, str, str], tuple[str, str, Any]]:
    latest: dict[tuple[str, str, str], tuple[str, str, Any]] = {}
    for row in rows:
        key = (row["item_kind"], row["item_uid"], row["field"])
        if key not in latest or (row["at"], row["uid"]) > latest[key][:2]:
            latest[key] = (row["at"], row["uid"], row["value"])
    return latest


def _settle_fields(tx: sqlite3.Connection, kind: ItemKind, item_uid: str, added: int) -> None:
    """Each revised field of the item = the new value of its latest revision."""
    item = tx.execute(f"SELECT id FROM main.{kind.table} WHERE uid = ?", [item_uid]).fetchone()
    if item is None:
        return
    values: dict[str, Any] = {}
    for row in tx.execute(
            "SELECT fields FROM main.revisions WHERE item_kind = ? AND item_uid = ? "
            "ORDER BY at, uid", [kind.name, item_uid]).fetchall():
        for field, (old, new) in json.loads(row[0]).items():
            values[field] = (old, new) if field == "aliases" else new
    if "aliases" in values:   # aliases a revision holds plain keep the tags they have here
        old, new = values["aliases"]
        values["aliases"] = tags_kept(new, old, stored_languages(tx, int(item[0])))
    if values:
        kind.write(tx, int(item[0]), values)
    if "version" in kind.table.columns:
        tx.execute(f"UPDATE main.{kind.table} SET version = version + ? WHERE id = ?",
                   [added, item[0]])


def _combinations(tx: sqlite3.Connection, added: dict[str, int]) -> None:
    """New combinations in, replayed on this side's links; uncombines made over there made here."""
    incoming = tx.execute(
        f"SELECT {COMBINATIONS.select(alias='o')} FROM other.combinations o "
        "WHERE o.uid NOT IN (SELECT uid FROM main.combinations) ORDER BY o.at, o.rowid").fetchall()
    for row in incoming:
        tx.execute(COMBINATIONS.insert().sql, COMBINATIONS.insert().values(row))
        if not row["undone_at"]:
            _move_links(tx, row["kept_uid"], row["absorbed_uid"], json.loads(row["moved"]))
    added["combinations"] = len(incoming)
    undone = tx.execute(
        "SELECT m.uid, o.undone_by, o.undone_at, m.kept_uid, m.absorbed_uid, m.moved "
        "FROM main.combinations m JOIN other.combinations o ON o.uid = m.uid "
        "WHERE m.undone_at = '' AND o.undone_at != ''").fetchall()
    for row in undone:
        ids = _entity_ids(tx, row["kept_uid"], row["absorbed_uid"])
        if ids is not None:
            moved = json.loads(row["moved"])
            _restore_links(tx, ids[0], ids[1], moved)
            _give_back_relationships(tx, row["uid"], row["kept_uid"], row["absorbed_uid"],
                                     annotator=row["undone_by"],
                                     note=f"uncombined entity {ids[1]} from entity {ids[0]}")
        tx.execute("UPDATE main.combinations SET undone_by = ?, undone_at = ? WHERE uid = ?",
                   [row["undone_by"], row["undone_at"], row["uid"]])
    # Relationships this side has at an entity combined away (there or here) follow it.
    follow_combinations(tx)


def _entity_ids(tx: sqlite3.Connection, kept_uid: str, absorbed_uid: str) -> tuple[int, int] | None:
    kept = tx.execute("SELECT id FROM main.entities WHERE uid = ?", [kept_uid]).fetchone()
    absorbed = tx.execute("SELECT id FROM main.entities WHERE uid = ?", [absorbed_uid]).fetchone()
    if kept is None or absorbed is None:
        return None
    return int(kept[0]), int(absorbed[0])


def _move_links(tx: sqlite3.Connection, kept_uid: str, absorbed_uid: str,
                moved: dict[str, Any]) -> None:
    """A combination made elsewhere, made here: the absorbed entity's names and links go to
    the kept one (its retirement comes with the retirements)."""
    ids = _entity_ids(tx, kept_uid, absorbed_uid)
    if ids is None:
        return
    kept_id, absorbed_id = ids
    tx.executemany(ENTITY_ALIASES.insert(or_ignore=True).sql,
                   [(kept_id, alias) for alias in moved.get("aliases_added", [])])
    carry_languages(tx, kept_id, absorbed_id, moved.get("aliases_added", []))
    for table in ("excerpt_entities", "event_entities", "claim_entities"):
        tx.execute(f"UPDATE OR IGNORE main.{table} SET entity_id = ? WHERE entity_id = ?",
                   [kept_id, absorbed_id])
        tx.execute(f"DELETE FROM main.{table} WHERE entity_id = ?", [absorbed_id])
