"""Checking a case file: structure, search index, and every excerpt's anchor."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import walk
from .casefile import Case
from .errors import CaseFileError
from .mentions import mention_name_rows
from .name_forms import StoredForm, name_form_rows
from .paging import keyset_pages, keyset_rows
from .schema import ENTITY_ALIASES_COLUMN, SCHEMA_VERSION, schema_version
from .tables import NAME_FORMS, SEARCH_INDEXES
from .text import register_functions
from .trust import QUICK_CHECK_BYTES, quick_check_problem, schema_problems


@dataclass
class CheckReport:
    schema_version: int
    sources: int = 0
    excerpts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_case(case: Case, *, batch: int = 5000) -> CheckReport:
    report = CheckReport(schema_version=schema_version(case.db))
    if report.schema_version != SCHEMA_VERSION:
        report.problems.append(
            f"schema v{report.schema_version}, expected v{SCHEMA_VERSION}"
        )
    report.problems += schema_problems(case.conn)   # triggers, views, tables not casebook's
    damage = quick_check_problem(case.conn)
    if damage:
        report.problems.append(damage)
        return report  # a damaged file: reading on would only add noise
    _foreign_keys(case, report)
    _claim_statuses(case, report)
    _standing_marks(case, report)
    _search_index(case, report)
    _anchors(case, report, batch)
    _report_some(report, damaged_rows(case), "more rows that break the format's rules")
    _report_some(report, source_detail_problems(case), "more problems with pages, boxes or attachments")
    _report_some(report, mention_name_problems(case, batch=batch), "more entities whose folded names differ")
    return report


def _foreign_keys(case: Case, report: CheckReport) -> None:
    _report_some(report, reference_problems(case), "more broken references")


def reference_problems(case: Case) -> Iterator[str]:
    """Each row that refers to a row that is not there."""
    for table, rowid, parent, _ in case.conn.execute("PRAGMA foreign_key_check"):
        which = f"{table} row {rowid}" if rowid is not None else f"a row of {table}"
        yield f"{which} refers to a missing {parent} row"   # links have no rowid


def _report_some(report: CheckReport, problems: Iterator[str], more: str, shown: int = 10) -> None:
    """The first ``shown`` problems, then how many more there are."""
    count = 0
    for problem in problems:
        count += 1
        if count <= shown:
            report.problems.append(problem)
    if count > shown:
        report.problems.append(f"... and {count - shown} {more}")


def _claim_statuses(case: Case, report: CheckReport) -> None:
    """A claim's status is that of its latest mark or undo (notes change nothing)."""
    wrong = case.rows(
        "SELECT id, status, ifnull((SELECT a.status FROM annotations a WHERE a.claim_id = claims.id "
        "AND a.kind IN ('mark', 'undo') ORDER BY a.created_at DESC, a.id DESC LIMIT 1), "
        "'unreviewed') AS latest FROM claims WHERE status != latest ORDER BY id LIMIT 11"
    )
    for row in wrong[:10]:
        report.problems.append(
            f"claim {row['id']} is {row['status']} but its latest mark says {row['latest']}"
        )
    if len(wrong) > 10:
        report.problems.append("... and more claims whose status does not match their marks")


_STANDING_RECOMPUTED = (
    "SELECT claim_id, annotator, id FROM (SELECT a.claim_id, a.annotator, a.id, row_number() "
    "OVER (PARTITION BY a.claim_id, a.annotator ORDER BY a.created_at DESC, a.id DESC) AS newest "
    "FROM annotations a WHERE a.kind = 'mark' AND NOT EXISTS (SELECT 1 FROM annotations u "
    "WHERE u.undoes = a.id AND u.undoes != '')) WHERE newest = 1"
)


def _standing_marks(case: Case, report: CheckReport) -> None:
    """The derived table standing_marks agrees with the annotations log."""
    stored = "SELECT claim_id, annotator, annotation_id FROM standing_marks"
    differing = case.scalar(
        f"SELECT (SELECT count(*) FROM ({stored} EXCEPT {_STANDING_RECOMPUTED})) "
        f"+ (SELECT count(*) FROM ({_STANDING_RECOMPUTED} EXCEPT {stored}))"
    )
    if differing:
        report.problems.append(
            f"standing_marks is out of step with the annotations ({differing} rows differ)"
        )


def _search_index(case: Case, report: CheckReport) -> None:
    stale = case.scalar(f"SELECT count(*) FROM entities WHERE aliases != {ENTITY_ALIASES_COLUMN}")
    if stale:
        report.problems.append(f"entities.aliases is out of step with entity_aliases ({stale} entities)")
    copy: sqlite3.Connection | None = None
    try:
        for table in SEARCH_INDEXES:
            try:
                if copy is None:
                    _fts_integrity_check(case, table)
                else:
                    copy.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as error:
                if getattr(error, "sqlite_errorcode", 0) & 0xFF in (5, 6):
                    continue   # another process is writing: the index cannot be read whole now
                if "readonly" not in str(error):
                    report.problems.append(f"search index {table} is inconsistent ({error})")
                    continue
                # A file this user cannot write (SQLite opened it read-only): check a copy.
                copy = _copy_in_memory(case)
                if copy is None:
                    report.problems.append(
                        f"search index {table} not verified: the file is too large to check a copy "
                        "in memory and this user may not write it (check a copy: casebook backup)")
                    return
                try:
                    copy.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
                except sqlite3.DatabaseError as again:
                    report.problems.append(f"search index {table} is inconsistent ({again})")
    finally:
        if copy is not None:
            copy.close()


def _copy_in_memory(case: Case) -> sqlite3.Connection | None:
    """The case copied into memory (a small file only), to run checks that write."""
    try:
        if case.path.stat().st_size > QUICK_CHECK_BYTES:
            return None
    except OSError:
        return None
    copy = sqlite3.connect(":memory:", isolation_level=None)
    register_functions(copy)
    with case.snapshot():
        case.conn.backup(copy)
    return copy


def _fts_integrity_check(case: Case, table: str) -> None:
    """FTS5's integrity-check, phrased as an INSERT that changes nothing: run in a
    transaction rolled back at once, so a read-only case (query_only) can be
    checked too. Raises what SQLite finds wrong."""
    with case.snapshot():   # (holds the case's lock: no other thread reads meanwhile)
        query_only = case.conn.execute("PRAGMA query_only").fetchone()[0]
        case.conn.execute("PRAGMA query_only = OFF")
        try:
            case.conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        finally:
            case.conn.execute(f"PRAGMA query_only = {int(query_only)}")


def _anchors(case: Case, report: CheckReport, batch: int) -> None:
    _report_some(report, anchor_problems(case, batch=batch, report=report),
                 "more sources or excerpts that do not match")


def anchor_problems(case: Case, *, batch: int = 5000,
                    report: CheckReport | None = None) -> Iterator[str]:
    """Each source whose sha256 is not its text's, each excerpt whose text is
    not ``source.text[start:end]``, and excerpts of no source (counted in
    ``report`` as they are read)."""
    # One source at a time: each holds a whole document.
    for source in keyset_rows(case, "SELECT id, title, text, sha256 FROM sources", key=["id"], page=1):
        if report is not None:
            report.sources += 1
        text = source["text"]
        if not isinstance(text, str):
            yield f"source {source['id']} ({source['title']!r}): its text is missing (NULL) or not text"
            text = ""
        elif hashlib.sha256(text.encode("utf-8")).hexdigest() != source["sha256"]:
            yield f"source {source['id']} ({source['title']!r}): sha256 mismatch"
        for rows in keyset_pages(case, 'SELECT id, start, "end", text FROM excerpts',
                                 key=["start", "end"], where="source_id = ?",
                                 params=[source["id"]], page=batch):
            if report is not None:
                report.excerpts += len(rows)
            for row in rows:
                if text[row["start"]:row["end"]] != row["text"]:
                    yield (f"excerpt {row['id']} does not match source {source['id']} "
                           f"at {row['start']}-{row['end']}")
    orphans = case.scalar(
        "SELECT count(*) FROM excerpts WHERE source_id NOT IN (SELECT id FROM sources)"
    )
    if orphans:
        yield f"{orphans} excerpts refer to no source"


def damaged_rows(case: Case) -> Iterator[str]:
    """Each row that breaks the format's rules as a reader sees it (``db.damage``):
    a date that does not parse, an unknown status or kind, NULL or text of the
    wrong type, a negative version, a link to a row that is not there."""
    # walk reads through every model, as the exports do
    readers = (("source", walk.source_infos), ("excerpt", walk.excerpts), ("entity", walk.entities),
               ("event", walk.events), ("claim", walk.claims), ("mark", walk.annotations))
    for kind, read in readers:
        for item in read(case):
            if item.damage:
                yield f"{kind} {getattr(item, 'id', '?')}: {item.damage}"


_PAGE_ORDER = (
    'SELECT p.source_id, p.number, p.start, p."end", row_number() OVER w AS expected, '
    'lag(p."end") OVER w AS previous_end, length(s.text) AS length FROM source_pages p '
    "JOIN sources s ON s.id = p.source_id"
)


def source_detail_problems(case: Case, *, among: Sequence[int] | None = None) -> Iterator[str]:
    """Pages that do not cover their source's text in order, line boxes
    outside their source or on a page it lacks, and attachments that loop
    (of the sources ``among``, when given: a merge checks only those it copies)."""
    if among is None:
        yield from _source_detail_problems(case, "1", [])
        return
    for start in range(0, len(among), 500):
        chunk = list(among[start:start + 500])
        yield from _source_detail_problems(case, f"IN ({','.join('?' * len(chunk))})", chunk)


def _source_detail_problems(case: Case, among: str, ids: list[int]) -> Iterator[str]:
    """``among``: ``IN (?, ...)`` of ``ids``, or ``1`` (every source)."""
    pick = f"p.source_id {among}" if ids else "1"
    for row in case.rows(f"SELECT * FROM ({_PAGE_ORDER} WHERE {pick} WINDOW w AS "
                         "(PARTITION BY p.source_id ORDER BY p.number)) WHERE number != expected "
                         "OR start > \"end\" OR (previous_end IS NULL AND start != 0) OR "
                         "(previous_end IS NOT NULL AND start != previous_end) OR \"end\" > length "
                         "ORDER BY source_id, number LIMIT 50", ids):
        yield (f"source {row['source_id']}: page {row['number']} ({row['start']}-{row['end']}) does not "
               "follow the page before it within the text")
    for row in case.rows(
            'SELECT p.source_id, max(p."end") AS covered, length(s.text) AS length FROM source_pages p '
            f'JOIN sources s ON s.id = p.source_id WHERE {pick} GROUP BY p.source_id '
            'HAVING covered != length LIMIT 50', ids):
        yield f"source {row['source_id']}: its pages end at {row['covered']}, its text at {row['length']}"
    boxes = f"b.source_id {among}" if ids else "1"
    for row in case.rows(
            'SELECT b.source_id, b.start, b."end", b.page FROM source_boxes b '
            f"JOIN sources s ON s.id = b.source_id WHERE {boxes} AND "
            '(b."end" > length(s.text) OR NOT EXISTS (SELECT 1 FROM source_pages p WHERE '
            "p.source_id = b.source_id AND p.number = b.page)) ORDER BY b.source_id, b.start LIMIT 50",
            ids):
        yield (f"source {row['source_id']}: the line box at {row['start']}-{row['end']} is outside its "
               f"text or on a page it does not have ({row['page']})")
    tops = f"source_id {among}" if ids else "1"
    looping = case.rows(
        "WITH RECURSIVE chain(top, attached, depth) AS ("
        f" SELECT source_id, attached_id, 1 FROM source_attachments WHERE attached_id IS NOT NULL AND {tops}"
        " UNION ALL SELECT chain.top, a.attached_id, depth + 1 FROM chain JOIN source_attachments a"
        " ON a.source_id = chain.attached WHERE a.attached_id IS NOT NULL AND depth < 20)"
        " SELECT DISTINCT top FROM chain WHERE attached = top ORDER BY top LIMIT 10", ids)
    for row in looping:
        yield f"source {row[0]} is among its own attachments"


def mention_name_problems(case: Case, *, batch: int = 5000) -> Iterator[str]:
    """Entities whose stored folded names (mention_names) or name forms
    (name_forms, schema v12) are not their names and aliases worked out
    afresh, leaving out those marked for refolding."""
    for page in keyset_pages(case, "SELECT id FROM entities", key=("id",),
                             where="id NOT IN (SELECT entity_id FROM mention_names_stale)", page=batch):
        ids = [row[0] for row in page]
        marks = ",".join("?" * len(ids))
        names = [(row[0], row[1]) for row in case.rows(
            f"SELECT id, name FROM entities WHERE id IN ({marks}) UNION ALL "
            f"SELECT entity_id, alias FROM entity_aliases WHERE entity_id IN ({marks})", ids + ids)]
        expected = set(mention_name_rows(names))
        stored = {tuple(row) for row in case.rows(
            "SELECT first_word, second_word, words, entity_id FROM mention_names "
            f"WHERE entity_id IN ({marks})", ids)}
        for entity_id in sorted({row[3] for row in expected ^ stored}):
            yield f"entity {entity_id}: its names in mention_names are not its names folded"
        forms = set(name_form_rows(names))
        kept = {StoredForm(*row) for row in case.rows(
            f"SELECT {NAME_FORMS.select()} FROM name_forms WHERE entity_id IN ({marks})", ids)}
        for entity_id in sorted({form.entity_id for form in forms ^ kept}):
            yield f"entity {entity_id}: its names in name_forms are not its names' forms"
    for table in ("mention_names", "name_forms"):
        orphans = case.scalar(f"SELECT count(DISTINCT entity_id) FROM {table} WHERE entity_id NOT IN "
                              "(SELECT id FROM entities) AND entity_id NOT IN "
                              "(SELECT entity_id FROM mention_names_stale)")
        if orphans:
            yield f"{table} holds the names of {orphans} entities the case does not have"


class FileCheck:
    """``casebook check`` on a case's file, for the browser to run in a worker
    after its first frame: in a process of its own (db.check_process), on its
    own read-only connection, so the browser's reads never wait behind it nor
    its keystrokes behind the check's Python; ``stop()`` (from any thread) ends it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def problems(self) -> list[str]:
        """Every problem ``casebook check`` finds (none when stopped first).
        Raises CaseFileError, in one line, when the check itself fails."""
        with self._lock:
            if self._stopped.is_set():
                return []
            self._child = subprocess.Popen(
                [sys.executable, "-m", "db.check_process", str(self.path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=_child_environment())
        out, err = self._child.communicate()
        if self._stopped.is_set():
            return []   # the browser is closing: what was found no longer matters
        if self._child.returncode != 0:
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise CaseFileError(f"the check stopped ({said[-1][:200] if said else self._child.returncode})")
        try:
            found = json.loads(out)["problems"]
        except (ValueError, KeyError, TypeError) as error:
            raise CaseFileError(f"the check said something unreadable ({error})") from None
        return [str(problem) for problem in found]

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            if self._child is not None and self._child.poll() is None:
                self._child.kill()


def _child_environment() -> dict[str, str]:
    """This environment, with this checkout's packages first on the child's path
    (the browser may run from a checkout rather than an installed casebook)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def damage_banner(problems: list[str], path: Path, *, read_only: bool = True) -> str:
    """The one line the browser shows over a damaged file: what to do first, then
    the first problem (a long one, a source's title or a path, is what the
    banner's few lines cut, never the advice)."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    opened = ("Opened read-only: nothing can be changed." if read_only
              else "Opened for writing all the same (--despite-damage).")
    return (f"This case file is damaged. {opened} 'casebook check {path}' lists every problem. "
            f"First: {problems[0]}{more}.")
