"""Bringing marks made elsewhere into a case: merging a copy, importing JSON Lines.

Rules (docs/case-file.md, "Merging"):

- annotations are matched by their UUID: one already present is skipped, so
  merging twice adds nothing; one with the same id but different content is
  an error (nothing is merged);
- claims are matched by ``claims.uid``, never by integer id;
- a claim marked on both sides since the copies diverged (each side has
  marks the other lacks) whose latest marks differ is flagged in
  ``claim_conflicts`` for review, never resolved silently;
- a claim's status afterwards is that of its latest mark or undo by time;
- a claim the case lacks is copied with its evidence (sources matched by
  sha256 and copied whole if missing, excerpts by span, entities by kind and
  name), so no mark is ever left behind.

The incoming annotations are gathered and checked in a TEMP table before
the write lock is taken; the changes to the case are one write transaction:
a merge is complete or absent, and annotators wait only for that part.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .casefile import Case, open_case
from .claims import NEW_CLAIM
from .conflicts import count_open_conflicts, record_conflict
from .errors import CaseFileError, LineageError, MergeRefusedError
from .marks import CLAIM_MARKS, conflicting_marks, settle_status
from .mentions import link_mentions
from .merge_check import merge_problems
from .merge_items import drop_maps, link_new_excerpts, merge_items
from .models import MergeReport
from .paging import keyset_rows
from .source_details import details_of_sources, write_source_details
from .sources import add_excerpt
from .tables import (
    ANNOTATIONS,
    CLAIM_CONFLICTS,
    CLAIM_ENTITIES,
    CLAIM_EXCERPTS,
    ENTITIES,
    ENTITY_ALIASES,
    EXCERPTS,
    SOURCES,
    Insert,
    Table,
    column_list,
    quote,
)
from .text import fold

# An annotation as it travels between copies: every column, its claim named by uid.
INCOMING_COLUMNS = ANNOTATIONS.travelling("claim_id", by_uid="claim_uid")
_BATCH = 2000
_ADD_EXCERPT = EXCERPTS.insert(with_id=False)


def create_incoming(tx: sqlite3.Connection) -> None:
    """A temporary table for the annotations to bring in (one row per annotation;
    ``line`` is where it came from, for error messages)."""
    tx.execute("DROP TABLE IF EXISTS temp.incoming")
    texts = ", ".join(f"{quote(column)} TEXT NOT NULL" for column in INCOMING_COLUMNS[1:])
    tx.execute(
        f"CREATE TEMP TABLE incoming (id TEXT PRIMARY KEY, {texts}, "
        "line INTEGER NOT NULL, present INTEGER NOT NULL DEFAULT 0)"
    )
    tx.execute("CREATE INDEX temp.incoming_by_claim ON incoming(claim_uid, created_at)")


def drop_incoming(case: Case) -> None:
    with case.scratch() as tx:
        tx.execute("DROP TABLE IF EXISTS temp.incoming")


def mark_present(tx: sqlite3.Connection) -> None:
    """Note which incoming annotations the case already holds (before the
    write lock; the write re-checks the others)."""
    tx.execute("UPDATE temp.incoming SET present = 1 WHERE id IN (SELECT id FROM annotations)")


def add_incoming(tx: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of INCOMING_COLUMNS followed by the line (or row) number."""
    marks = ",".join("?" * (len(INCOMING_COLUMNS) + 1))
    tx.executemany(
        f"INSERT INTO temp.incoming ({column_list(INCOMING_COLUMNS)}, line) VALUES ({marks})", rows
    )


def annotations_with_claim_uids(case: Case, *, page: int) -> Iterator[sqlite3.Row]:
    """Every annotation of the case as INCOMING_COLUMNS (and its ``rowid``), in
    the order they entered the file (rowid: never reordered), read in pages."""
    columns = ", ".join("c.uid AS claim_uid" if column == "claim_uid" else f"a.{quote(column)}"
                        for column in INCOMING_COLUMNS)
    return keyset_rows(case, f"SELECT a.rowid, {columns} FROM annotations a "
                             "JOIN claims c ON c.id = a.claim_id", key=["a.rowid"], page=page)


def clashing_annotation(tx: sqlite3.Connection) -> sqlite3.Row | None:
    """An incoming annotation whose id is in the case with different content."""
    differs = " OR ".join(
        "c.uid != i.claim_uid" if column == "claim_uid" else f"a.{quote(column)} != i.{quote(column)}"
        for column in INCOMING_COLUMNS if column != "id"
    )
    clash: sqlite3.Row | None = tx.execute(
        "SELECT i.id, i.line FROM temp.incoming i JOIN annotations a ON a.id = i.id "
        f"JOIN claims c ON c.id = a.claim_id WHERE {differs} ORDER BY i.line LIMIT 1"
    ).fetchone()
    return clash


def missing_claim_uids(tx: sqlite3.Connection) -> list[sqlite3.Row]:
    """Claims the incoming annotations name that the case lacks (uid, first line)."""
    return tx.execute(
        "SELECT claim_uid, min(line) AS line FROM temp.incoming "
        "WHERE claim_uid NOT IN (SELECT uid FROM claims) GROUP BY claim_uid ORDER BY line"
    ).fetchall()


def new_report() -> dict[str, Any]:
    """The counts of a MergeReport, all zero, to add up as the work goes."""
    return {**dict.fromkeys(MergeReport.model_fields, 0), "not_merged": {}, "added": {}}


def apply_incoming(tx: sqlite3.Connection, report: dict[str, Any], *, detected_by: str) -> None:
    """Merge temp.incoming into the case (every claim it names must exist):
    flag conflicts, add the new annotations, move the claims on."""
    mark_present(tx)  # again: another merge may have brought some meanwhile
    report["annotations_present"] += tx.execute(
        "SELECT count(*) FROM temp.incoming WHERE present"
    ).fetchone()[0]
    affected = tx.execute(
        "SELECT c.id, c.uid, c.status, count(*) AS added FROM temp.incoming i "
        "JOIN claims c ON c.uid = i.claim_uid WHERE NOT i.present GROUP BY c.id ORDER BY c.id"
    ).fetchall()
    # Compared before the new marks go in; recorded after (they reference them).
    conflicts = [(claim["id"], *found) for claim in affected
                 if (found := conflicting_marks(CLAIM_MARKS, tx, claim["id"], claim["uid"],
                                                incoming="temp.incoming", uid_column="claim_uid"))]
    incoming = ", ".join("c.id" if column == "claim_id" else f"i.{quote(column)}"
                         for column in ANNOTATIONS.columns)
    report["annotations_added"] += tx.execute(
        f"INSERT INTO annotations ({ANNOTATIONS.select()}) SELECT {incoming} FROM temp.incoming i "
        "JOIN claims c ON c.uid = i.claim_uid WHERE NOT i.present ORDER BY i.created_at, i.id"
    ).rowcount
    for claim_id, ours, theirs in conflicts:
        report["conflicts_found"] += record_conflict(tx, claim_id, ours, theirs,
                                                     detected_by=detected_by)
    for claim in affected:
        report["claims_changed"] += _settle_claim(tx, claim["id"], claim["added"], claim["status"])


def _settle_claim(tx: sqlite3.Connection, claim_id: int, added: int, before: str) -> int:
    settle_status(CLAIM_MARKS, tx, claim_id, added)
    after = tx.execute("SELECT status FROM claims WHERE id = ?", [claim_id]).fetchone()[0]
    return int(after != before)


# -- merging a copy ------------------------------------------------------------


def merge_case_files(target: Case, other_path: str | os.PathLike[str], *,
                     force: bool = False) -> MergeReport:
    """Merge the claims and marks of the case file at ``other_path`` into ``target``.

    Refuses a file of another case (different ``case_uid``) unless ``force``.
    """
    target.require_writable()
    other_path = Path(other_path)
    if other_path.exists() and os.path.samefile(other_path, target.path):
        raise CaseFileError(f"{other_path}: is the case being merged into")
    with open_case(other_path, read_only=True) as other:
        ours, theirs = target.meta("case_uid"), other.meta("case_uid")
        if ours != theirs and not force:
            raise LineageError(
                f"{other_path.name} is a copy of another case (case_uid {theirs}; "
                f"{target.path.name} has {ours}); nothing merged (--force merges anyway)"
            )
        report = new_report()
        _attach(target, other_path)
        try:
            _refuse_damaged(target, other, other_path)
            with target.scratch() as tx:
                create_incoming(tx)
                _add_other_annotations(tx)
                clash = clashing_annotation(tx)
                if clash is not None:
                    raise CaseFileError(
                        f"{other_path.name}: annotation {clash['id']} is in {target.path.name} "
                        "with different content (annotations never change); nothing merged"
                    )
                mark_present(tx)
            with target.write() as tx:
                copier = _ClaimCopier(target, other, report)
                merge_items(tx, report, detected_by=f"merge {other_path.name}", other_name=str(other_path),
                            copy_source_details=copier._source_details, another_case=ours != theirs)
                link_new_excerpts(target, report)
                for row in _other_claims_missing(tx, other):
                    copier.copy(row)
                copier.link_copied_excerpts()
                apply_incoming(tx, report, detected_by=f"merge {other_path.name}")
                report["conflicts_copied"] = _copy_conflicts(tx, other)
                report["open_conflicts"] = count_open_conflicts(target)
        finally:
            drop_incoming(target)
            _detach(target)
    return MergeReport(**report)


def _refuse_damaged(target: Case, other: Case, other_path: Path) -> None:
    """A merge never spreads damage and never writes into a damaged case: the
    rows it reads on both sides (those it copies, those that differ between
    the two, those it writes) are checked first by ``casebook check``'s rules
    (``db.merge_check``), and the first problem refuses the merge."""
    found = merge_problems(target, other)
    for problems, path, why in (
            (found.theirs, other_path, "nothing that fails casebook's checks comes in"),
            (found.ours, target.path, "nothing is merged into a case that fails casebook's checks")):
        if problems:
            more = (f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
                    if len(problems) > 1 else "")
            raise MergeRefusedError(f"{path.name}: {problems[0]}{more}; nothing merged: {why} "
                                    f"('casebook check {path}' lists every problem)")


def _attach(target: Case, other_path: Path) -> None:
    """The other file as schema ``other`` of the case's connection, read-only,
    so that its items are merged in SQL (db/merge_items.py)."""
    uri = f"file:{urllib.parse.quote(str(other_path.absolute()))}?mode=ro"
    with target.scratch():
        pass   # (no transaction may be open: ATTACH cannot run inside one)
    target.conn.execute("ATTACH DATABASE ? AS other", [uri])


def _detach(target: Case) -> None:
    with contextlib.suppress(sqlite3.OperationalError):
        drop_maps(target.conn)
        target.conn.execute("DETACH DATABASE other")


def _add_other_annotations(tx: sqlite3.Connection) -> None:
    """Every annotation of the attached copy into temp.incoming, in one statement
    (its rowid as the line: the order it entered that file)."""
    columns = ", ".join("c.uid" if column == "claim_uid" else f"a.{quote(column)}"
                        for column in INCOMING_COLUMNS)
    tx.execute(f"INSERT INTO temp.incoming ({column_list(INCOMING_COLUMNS)}, line) "
               f"SELECT {columns}, a.rowid FROM other.annotations a "
               "JOIN other.claims c ON c.id = a.claim_id ORDER BY a.rowid")


def _other_claims_missing(tx: sqlite3.Connection, other: Case) -> Iterator[sqlite3.Row]:
    rows: list[sqlite3.Row] = tx.execute(
        f"SELECT o.id, {column_list(NEW_CLAIM.columns, alias='o')} FROM other.claims o "
        "WHERE o.uid NOT IN (SELECT uid FROM main.claims) ORDER BY o.id").fetchall()
    yield from rows


class _ClaimCopier:
    """Copies claims the target lacks, with their evidence and entities.

    Everything is matched by what identifies it in any copy: sources by
    sha256, excerpts by span, entities by kind and name.
    """

    def __init__(self, target: Case, other: Case, report: dict[str, Any]):
        self.target, self.other, self.report = target, other, report
        self.tx = target.conn
        self.sources: dict[int, int] = {}
        self.entities: dict[int, int] = {}
        self.new_excerpts: list[int] = []

    def _insert(self, insert: Insert, values: Sequence[Any]) -> int:
        """The new row's id."""
        return int(self.tx.execute(insert.sql, values).lastrowid or 0)

    def _other_row(self, table: Table, other_id: int) -> sqlite3.Row:
        row = self.other.row(f"SELECT {table.select()} FROM {table} WHERE id = ?", [other_id])
        if row is None:   # the other file refers to a row it lacks
            raise CaseFileError(f"{self.other.path.name}: refers to {table.name} row {other_id}, "
                                "which it does not have; nothing merged (casebook check says more)")
        return row

    def copy(self, claim: sqlite3.Row) -> None:
        claim_id = self._insert(NEW_CLAIM, NEW_CLAIM.values(claim))
        for link in self.other.rows(
            "SELECT x.excerpt_id, x.stance, x.uid, e.source_id, e.start, e.\"end\" FROM claim_excerpts x "
            "JOIN excerpts e ON e.id = x.excerpt_id WHERE x.claim_id = ?", [claim["id"]],
        ):
            excerpt_id = self._excerpt(link["source_id"], link["start"], link["end"])
            self.tx.execute(CLAIM_EXCERPTS.insert(or_ignore=True).sql,
                            [claim_id, excerpt_id, link["stance"], link["uid"]])
        for link in self.other.rows(
            "SELECT entity_id, role, uid FROM claim_entities WHERE claim_id = ?", [claim["id"]]
        ):
            self.tx.execute(CLAIM_ENTITIES.insert(or_ignore=True).sql,
                            [claim_id, self._entity(link["entity_id"]), link["role"], link["uid"]])
        self.report["claims_copied"] += 1

    def _source(self, other_id: int) -> int:
        if other_id in self.sources:
            return self.sources[other_id]
        source = self._other_row(SOURCES, other_id)
        found = self.tx.execute(
            "SELECT id FROM sources WHERE sha256 = ?", [source["sha256"]]
        ).fetchone()
        if found:
            self.sources[other_id] = int(found[0])
            return int(found[0])
        add_source = SOURCES.insert(with_id=False)
        new_id = self._insert(add_source, add_source.values(source))
        # The whole document comes along, so it can be read in full here too.
        copied = 0
        for excerpt in keyset_rows(self.other, f"SELECT {EXCERPTS.select()} FROM excerpts",
                                   key=["id"], where="source_id = ?", params=[other_id],
                                   page=_BATCH):
            self.new_excerpts.append(
                self._insert(_ADD_EXCERPT, _ADD_EXCERPT.values(excerpt, source_id=new_id)))
            copied += 1
        self.report["sources_copied"] += 1
        self.report["excerpts_copied"] += copied
        self.sources[other_id] = new_id
        self._source_details(other_id, new_id)
        return new_id

    def _source_details(self, other_id: int, new_id: int) -> None:
        """The copied source's metadata, pages and line boxes; its attachments
        listed, linked to a source of this case with the same text if any."""
        details = details_of_sources(self.other, [other_id])[other_id]
        attachments = []
        for attachment in details["attachments"]:
            here = None
            if attachment.attached_id is not None:
                sha256 = self.other.scalar("SELECT sha256 FROM sources WHERE id = ?",
                                           [attachment.attached_id])
                found = self.tx.execute("SELECT id FROM sources WHERE sha256 = ?", [sha256]).fetchone()
                here = found[0] if found else None
            note = attachment.note if here is not None or attachment.attached_id is None else \
                "read as a source in the merged copy, not merged"
            attachments.append(attachment.model_copy(update={"attached_id": here, "note": note}))
        write_source_details(self.tx, new_id, meta=dict(details["meta"]), pages=details["pages"],
                             boxes=details["boxes"], attachments=attachments)

    def _excerpt(self, other_source_id: int, start: int, end: int) -> int:
        source_id = self._source(other_source_id)
        found = self.tx.execute(
            'SELECT id FROM excerpts WHERE source_id = ? AND start = ? AND "end" = ?',
            [source_id, start, end],
        ).fetchone()
        if found:
            return int(found[0])
        # Same sha256, same text: the span is valid here and cut from our copy.
        new_id = add_excerpt(self.target, source_id, start, end)
        self.new_excerpts.append(new_id)
        self.report["excerpts_copied"] += 1
        return new_id

    def _entity(self, other_id: int) -> int:
        if other_id in self.entities:
            return self.entities[other_id]
        entity = self._other_row(ENTITIES, other_id)
        found = self.tx.execute(
            "SELECT id FROM entities WHERE kind = ? AND name = ? ORDER BY id LIMIT 1",
            [entity["kind"], entity["name"]],
        ).fetchone()
        if found:
            new_id = int(found[0])
        else:
            add_entity = ENTITIES.insert(with_id=False)
            new_id = self._insert(add_entity, add_entity.values(entity, sort_name=fold(entity["name"])))
            self.tx.executemany(
                ENTITY_ALIASES.insert(or_ignore=True).sql,
                [(new_id, row[0]) for row in self.other.rows(
                    "SELECT alias FROM entity_aliases WHERE entity_id = ?", [other_id])],
            )
            self.report["entities_copied"] += 1
        self.entities[other_id] = new_id
        return new_id

    def link_copied_excerpts(self) -> None:
        if self.new_excerpts:
            link_mentions(self.target, excerpt_ids=self.new_excerpts)


def _copy_conflicts(tx: sqlite3.Connection, other: Case) -> int:
    """Conflicts the other file flagged (its annotations are all here now)."""
    copied = 0
    add_conflict = CLAIM_CONFLICTS.insert(with_id=False, or_ignore=True)
    for row in keyset_rows(other, f"SELECT {CLAIM_CONFLICTS.select(alias='k')}, c.uid FROM "
                                  "claim_conflicts k JOIN claims c ON c.id = k.claim_id",
                           key=["k.id"], page=_BATCH):
        claim_id = tx.execute("SELECT id FROM claims WHERE uid = ?", [row["uid"]]).fetchone()[0]
        copied += tx.execute(add_conflict.sql, add_conflict.values(row, claim_id=claim_id)).rowcount
        if row["resolved_at"]:  # resolved over there: resolved here too
            tx.execute(
                "UPDATE claim_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? "
                "WHERE claim_id = ? AND annotation_a = ? AND annotation_b = ? AND resolved_at = ''",
                [row["resolved_at"], row["resolved_by"], row["resolution"], claim_id,
                 row["annotation_a"], row["annotation_b"]],
            )
    return copied
