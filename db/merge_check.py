"""What a merge reads, checked first: ``casebook check``'s rules over the
rows a merge copies, compares or writes, on both sides, not over both files.

A laptop copy of a million-excerpt case holds the million excerpts the case
has already; reading every one through the models (``db.check``) took 94% of
a merge. The rule instead (docs/case-file.md, "Merging"): a merge never
spreads damage and never writes into a damaged case, so it checks

- the copy as a file: its schema version and objects (triggers, views,
  tables not casebook's) and, for a file small enough
  (``trust.QUICK_CHECK_BYTES``), SQLite's quick_check (the case's own are
  asked by ``Case.write``);
- each row of the copy that the case does not hold as it is: a row the case
  lacks (it would be copied) and a row of the same uid (a source: sha256)
  whose content differs (the two sides say different things of one item) —
  found in SQL, one pass over each table joined on id, a million excerpts in
  about a second (``db.merge_items.find_apart``, whose tables the merge then
  maps its ids with); and, on the case's side, its row of each such pair;
- on the case's side, each row the merge writes: the claims the incoming
  marks move on, the items incoming revisions settle, the entities incoming
  combinations (or uncombines) join;
- those rows by ``db.check``'s rules: read through the models (a date that
  does not parse, an unknown kind...), each excerpt against its source's
  text, each source against its sha256, each of the copy's rows' references
  within the copy, a new source's pages, boxes and attachments.

Rows the same on both sides are read by neither check: their damage, if any,
is the case's already, and the merge brings nothing of them. The links a
merge adds are checked as it adds them (``db.merge_items``: a link to a row
the copy lacks refuses the merge, its transaction rolled back).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from . import walk
from .casefile import Case
from .check import source_detail_problems
from .merge_items import APART, find_apart
from .schema import SCHEMA_VERSION, schema_version
from .sources import text_sha256
from .tables import CLAIMS, ENTITIES, EVENTS, SOURCES, Table
from .trust import QUICK_CHECK_BYTES, quick_check_problem, schema_problems

_CHUNK = 500     # ids a query names at once
_SHOWN = 10      # problems found before the check stops looking


@dataclass
class MergeProblems:
    """The first problems found in the copy (``theirs``) and in the case (``ours``)."""

    theirs: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)


@dataclass
class _Rows:
    """Ids of the rows to check on one side, per table."""

    ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, table: str, ids: Sequence[int] | set[int]) -> None:
        self.ids.setdefault(table, set()).update(ids)

    def of(self, table: str) -> list[int]:
        return sorted(self.ids.get(table, ()))


def _compared(table: Table) -> list[str]:
    """The columns whose difference makes a row of the same uid differ: all but id and uid."""
    return [column for column in table.columns if column not in ("id", "uid")]


def merge_problems(target: Case, other: Case) -> MergeProblems:
    """What fails casebook's checks among the rows a merge of ``other`` into
    ``target`` reads (``other`` attached to ``target``'s connection as ``other``)."""
    found = MergeProblems()
    version = schema_version(other.db)
    if version != SCHEMA_VERSION:
        found.theirs.append(f"schema v{version}, expected v{SCHEMA_VERSION}")
    found.theirs += schema_problems(other.conn)
    try:
        small = other.path.stat().st_size <= QUICK_CHECK_BYTES
    except OSError:
        small = False
    if small and (damage := quick_check_problem(other.conn)):
        found.theirs.append(damage)
    if found.theirs:
        return found
    with target.scratch():   # (a snapshot whose TEMP tables are kept: the merge maps ids with them)
        theirs, ours, new_sources = _rows_read(target)
    with other.snapshot():
        found.theirs += _take(_references(other, theirs))
        found.theirs += _take(_anchors(other, theirs))
        found.theirs += _take(_damaged(other, theirs))
        if new_sources:
            found.theirs += _take(source_detail_problems(other, among=new_sources))
    found.ours += _take(_anchors(target, ours))
    found.ours += _take(_damaged(target, ours))
    return found


def _rows_read(target: Case) -> tuple[_Rows, _Rows, list[int]]:
    """The rows of the copy and of the case a merge reads (see the module),
    and the copy's sources the case lacks."""
    conn = target.conn
    theirs, ours = _Rows(), _Rows()
    # Sources by sha256: those the case lacks, and those whose text or details differ.
    new_sources = [row[0] for row in conn.execute(
        "SELECT o.id FROM other.sources o WHERE o.sha256 NOT IN (SELECT sha256 FROM main.sources)")]
    theirs.add("sources", new_sources)
    differ = " OR ".join(f'e."{c}" IS NOT o."{c}"' for c in _compared(SOURCES)
                         if c not in ("sha256", "added_at", "retired"))
    for other_id, our_id in conn.execute(
            f"SELECT o.id, e.id FROM other.sources o JOIN main.sources e ON e.sha256 = o.sha256 "
            f"WHERE {differ}"):
        theirs.add("sources", [other_id])
        ours.add("sources", [our_id])
    # Items by uid: the rows apart (db.merge_items.find_apart), and the case's of the same uid.
    find_apart(conn)
    for name in APART:
        other_ids = [row[0] for row in conn.execute(f"SELECT other_id FROM temp.{name}_apart")]
        theirs.add(name, other_ids)
        for chunk in _chunks(other_ids):
            ours.add(name, [row[0] for row in conn.execute(
                f"SELECT e.id FROM main.{name} e JOIN other.{name} o ON o.uid = e.uid "
                f"WHERE o.id IN ({_marks(chunk)})", list(chunk))])
    # Marks the case lacks, and the claims they move on.
    theirs.add("annotations", [row[0] for row in conn.execute(
        "SELECT o.rowid FROM other.annotations o WHERE o.id NOT IN (SELECT id FROM main.annotations)")])
    ours.add("claims", [row[0] for row in conn.execute(
        "SELECT c.id FROM main.claims c WHERE c.uid IN (SELECT oc.uid FROM other.annotations a "
        "JOIN other.claims oc ON oc.id = a.claim_id "
        "WHERE a.id NOT IN (SELECT id FROM main.annotations))")])
    # Items that incoming revisions settle; entities incoming combinations join or part.
    for table, kind in ((ENTITIES, "entity"), (EVENTS, "event"), (CLAIMS, "claim")):
        ours.add(table.name, [row[0] for row in conn.execute(
            f"SELECT t.id FROM main.{table} t WHERE t.uid IN (SELECT r.item_uid FROM other.revisions r "
            "WHERE r.item_kind = ? AND r.uid NOT IN (SELECT uid FROM main.revisions))", [kind])])
    ours.add("entities", [row[0] for row in conn.execute(
        "SELECT e.id FROM main.entities e WHERE e.uid IN ("
        "SELECT o.kept_uid FROM other.combinations o LEFT JOIN main.combinations m ON m.uid = o.uid "
        "WHERE m.uid IS NULL OR (m.undone_at = '' AND o.undone_at != '') UNION "
        "SELECT o.absorbed_uid FROM other.combinations o LEFT JOIN main.combinations m ON m.uid = o.uid "
        "WHERE m.uid IS NULL OR (m.undone_at = '' AND o.undone_at != ''))")])
    return theirs, ours, new_sources


def _take(problems: Iterator[str], count: int = _SHOWN + 1) -> list[str]:
    taken = []
    for problem in problems:
        taken.append(problem)
        if len(taken) == count:
            break
    return taken


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _references(other: Case, rows: _Rows) -> Iterator[str]:
    """Each of these rows of the copy that refers to a row the copy lacks (its
    foreign keys, as ``PRAGMA foreign_key_check`` reads them)."""
    for table, ids in rows.ids.items():
        keys: dict[int, list[tuple[str, str, str]]] = {}
        for row in other.conn.execute(f"PRAGMA foreign_key_list({table})"):
            keys.setdefault(row[0], []).append((row[2], row[3], row[4] or "id"))
        for parts in keys.values():
            parent = parts[0][0]
            match = " AND ".join(f'p."{to}" = t."{column}"' for _, column, to in parts)
            present = " AND ".join(f't."{column}" IS NOT NULL' for _, column, _ in parts)
            for chunk in _chunks(sorted(ids)):
                for (rowid,) in other.conn.execute(
                        f"SELECT t.rowid FROM {table} t WHERE t.rowid IN ({_marks(chunk)}) "
                        f"AND {present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})",
                        list(chunk)):
                    yield f"{table} row {rowid} refers to a missing {parent} row"


def _anchors(case: Case, rows: _Rows) -> Iterator[str]:
    """Each of these sources whose sha256 is not its text's, each of these
    excerpts whose text is not its source's at its span."""
    excerpts = rows.of("excerpts")
    sources = set(rows.of("sources"))
    of_excerpts: set[int] = set()
    for chunk in _chunks(excerpts):
        of_excerpts |= {row[0] for row in case.conn.execute(
            f"SELECT DISTINCT source_id FROM main.excerpts WHERE id IN ({_marks(chunk)})", list(chunk))}
    texts: dict[int, str] = {}
    for chunk in _chunks(sorted(sources | of_excerpts)):
        for row in case.conn.execute(
                f"SELECT id, title, text, sha256 FROM main.sources WHERE id IN ({_marks(chunk)})",
                list(chunk)):
            text = row[2]
            if not isinstance(text, str):
                yield f"source {row[0]} ({row[1]!r}): its text is missing (NULL) or not text"
                text = ""
            elif row[0] in sources and text_sha256(text) != row[3]:
                yield f"source {row[0]} ({row[1]!r}): sha256 mismatch"
            texts[row[0]] = text
    for chunk in _chunks(excerpts):
        for row in case.conn.execute(
                f'SELECT id, source_id, start, "end", text FROM main.excerpts WHERE id IN ({_marks(chunk)})',
                list(chunk)):
            if row[1] not in texts:
                yield f"excerpt {row[0]} refers to no source"
            elif texts[row[1]][row[2]:row[3]] != row[4]:
                yield f"excerpt {row[0]} does not match source {row[1]} at {row[2]}-{row[3]}"


def _damaged(case: Case, rows: _Rows) -> Iterator[str]:
    """Each of these rows read through the models, as ``db.check.damaged_rows`` reads them."""
    readers = (("source", "sources", "id", walk.source_infos), ("excerpt", "excerpts", "id", walk.excerpts),
               ("entity", "entities", "id", walk.entities), ("event", "events", "id", walk.events),
               ("claim", "claims", "id", walk.claims), ("mark", "annotations", "rowid", walk.annotations))
    for kind, table, column, read in readers:
        for chunk in _chunks(rows.of(table)):
            try:
                items = list(read(case, among=(column, chunk)))
            except sqlite3.DatabaseError as error:
                yield f"{table}: cannot be read ({error})"
                break
            for item in items:
                if item.damage:
                    yield f"{kind} {getattr(item, 'id', '?')}: {item.damage}"
