"""Claims and the append-only marks annotators put on them."""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Iterable

from . import marks
from .casefile import Case, new_uid, utc_now
from .damage import not_its_span, read_model
from .entities import entities_by_ids
from .errors import (
    InvalidValueError,
    NotFoundError,
)
from .evidence import evidence_rows
from .marks import CLAIM_MARKS, check_annotator, check_status
from .models import STANCES, Annotation, Claim, Entity, Evidence, EvidenceInContext, Excerpt
from .paging import all_of, check_shown, count_live, live, page_ids, rows_by_id
from .sources import not_at_its_span
from .tables import ANNOTATIONS, CLAIM_ENTITIES, CLAIM_EXCERPTS, CLAIMS, EXCERPTS
from .text import nfc

CLAIM_SELECT = f"SELECT {CLAIMS.select(CLAIMS.model_columns)} FROM claims WHERE id IN"
# A new claim: unreviewed, at version 0, until it is marked.
NEW_CLAIM = CLAIMS.insert(("uid", "statement", "claimant", "created_at", "created_by"))


def claim_from_row(row: sqlite3.Row) -> Claim:
    return read_model(Claim, dict(row))


def default_annotator() -> str:
    """``$CASEBOOK_ANNOTATOR``, else the login name."""
    name = os.environ.get("CASEBOOK_ANNOTATOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return "unknown"


def add_claim(
    case: Case,
    *,
    statement: str,
    claimant: str = "",
    claimant_entity_id: int | None = None,
    entity_ids: Iterable[int] = (),
    evidence: Iterable[tuple[int, str]] = (),
    uid: str | None = None,
    created_by: str = "",
    created_at: str | None = None,
) -> Claim:
    """Add a claim, by ``created_by`` now (or at ``created_at``); ``evidence`` is
    (excerpt id, stance) pairs."""
    claim = Claim(uid=uid or new_uid(), statement=nfc(statement).strip(),
                  claimant=nfc(claimant).strip(), created_at=created_at or utc_now(),
                  created_by=created_by)
    if not claim.statement:
        raise InvalidValueError("a claim needs a statement")
    evidence = list(evidence)
    for _, stance in evidence:
        if stance not in STANCES:
            raise InvalidValueError(f"unknown stance {stance!r} (choose {', '.join(STANCES)})")
    with case.write() as tx:
        claim_id = tx.execute(NEW_CLAIM.sql, NEW_CLAIM.values(claim)).lastrowid
        links = [(claim_id, entity_id, "subject", new_uid()) for entity_id in entity_ids]
        if claimant_entity_id is not None:
            links.append((claim_id, claimant_entity_id, "claimant", new_uid()))
        tx.executemany(CLAIM_ENTITIES.insert(or_ignore=True).sql, links)
        tx.executemany(CLAIM_EXCERPTS.insert(or_ignore=True).sql,
                       [(claim_id, excerpt_id, stance, new_uid()) for excerpt_id, stance in evidence])
    return claim.model_copy(update={"id": claim_id})


ANNOTATION_COLUMNS = ANNOTATIONS.select()


def annotation_from_row(row: sqlite3.Row) -> Annotation:
    return read_model(Annotation, {key: row[key] for key in row.keys() if key in Annotation.model_fields})


def mark_claim(
    case: Case,
    claim_id: int,
    status: str,
    *,
    annotator: str,
    note: str = "",
    expected_version: int | None = None,
    annotation_id: str | None = None,
    created_at: str | None = None,
    unless_unchanged: bool = False,
) -> Annotation:
    """Record a mark: a new annotation, and the claim's status and version move on.

    With ``unless_unchanged``, a mark equal to the claim's current status is
    refused (UnchangedStatusError) and nothing is written: the browser's keys
    never record "unreviewed → unreviewed".

    With ``expected_version``, the mark is refused (StaleClaimError, saying
    who changed the claim to what) if anyone marked or noted the claim since
    the annotator saw that version. ``annotation_id`` and ``created_at`` are
    for builders that must be deterministic (the seed case); marks made by
    people leave them unset.
    """
    with case.write() as tx:
        return marks.mark(CLAIM_MARKS, tx, claim_id, status, annotator=annotator, note=note,
                          expected_version=expected_version, annotation_id=annotation_id,
                          created_at=created_at, unless_unchanged=unless_unchanged)


def add_note(
    case: Case,
    claim_id: int,
    note: str,
    *,
    annotator: str,
    status: str | None = None,
    expected_version: int | None = None,
) -> Annotation:
    """A note on a claim. Without ``status`` the claim's status stays as it is
    (an annotation of kind ``note``); with one, it is a mark with a note."""
    if not note.strip():
        raise InvalidValueError("a note needs some text")
    if status is not None:
        return mark_claim(case, claim_id, status, annotator=annotator, note=note,
                          expected_version=expected_version)
    check_annotator(annotator)
    with case.write() as tx:
        return marks.note(CLAIM_MARKS, tx, claim_id, note, annotator=annotator,
                          expected_version=expected_version)


def undo_last_mark(
    case: Case, claim_id: int, *, annotator: str, expected_version: int | None = None
) -> Annotation:
    """Take back the annotator's own latest mark (or note) on a claim.

    Adds an annotation of kind ``undo`` that restores the status from before
    the mark; nothing is deleted. Undo again to take back the mark before
    that, as long as it is also this annotator's. A merge conflict that the
    undone mark resolved is open again. Refuses
    (NothingToUndoError) when the claim's latest mark, not counting marks
    already undone, is someone else's or there is none.
    """
    check_annotator(annotator)
    with case.write() as tx:
        undo, undone = marks.undo(CLAIM_MARKS, tx, claim_id, annotator=annotator,
                                  expected_version=expected_version)
        # A conflict settled by the mark taken back is open again.
        tx.execute(
            "UPDATE claim_conflicts SET resolved_at = '', resolved_by = '', resolution = '' "
            "WHERE resolution = ?", [undone],
        )
        return undo


# -- reading --------------------------------------------------------------


def count_history(case: Case, claim_id: int) -> int:
    return int(case.scalar("SELECT count(*) FROM annotations WHERE claim_id = ?", [claim_id]))


def count_claims(case: Case, *, status: str | None = None, include_retired: bool = False) -> int:
    where, params = ("", []) if status is None else ("status = ?", [check_status(status)])
    return count_live(case, "claims", where=where, params=params, include_retired=include_retired)


def claims_page(
    case: Case, *, offset: int, limit: int, total: int | None = None, status: str | None = None,
    include_retired: bool = False,
) -> list[Claim]:
    """Claims in id order, optionally of one status; retired ones left out
    unless ``include_retired``."""
    if total is None:
        total = count_claims(case, status=status, include_retired=include_retired)
    if status is None:
        ids = page_ids(case, table="claims", order=["id"], offset=offset,
                       limit=limit, total=total, include_retired=include_retired)
    else:
        ids = page_ids(case, table="claims", order=["status", "id"],
                       where="status = ?", params=[status], offset=offset,
                       limit=limit, total=total, include_retired=include_retired)
    return [claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, ids)]


def claim_position(case: Case, claim_id: int, *, status: str | None = None,
                   include_retired: bool = False) -> int:
    """Where a claim sits in :func:`claims_page`'s order (for jumping a view to it)."""
    if status is not None:
        check_status(status)
    found = case.row("SELECT status, retired FROM claims WHERE id = ?", [claim_id])
    if found is None or (status is not None and found["status"] != status):
        raise NotFoundError(f"no {status + ' ' if status else ''}claim {claim_id}")
    check_shown("claim", claim_id, found["retired"], include_retired)
    where, params = ("id < ?", [claim_id]) if status is None else (
        "status = ? AND id < ?", [status, claim_id])
    return count_live(case, "claims", where=where, params=params, include_retired=include_retired)


def get_claim(case: Case, claim_id: int) -> Claim:
    found = rows_by_id(case, CLAIM_SELECT, [claim_id])
    if not found:
        raise NotFoundError(f"no claim {claim_id}")
    return claim_from_row(found[0])


def claims_by_ids(case: Case, claim_ids: Iterable[int]) -> list[Claim]:
    """The claims with these ids, in the order given (ids not found are left out)."""
    return [claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, list(claim_ids))]


# A claim's evidence: what supports it first, then what contradicts it, then context.
_EVIDENCE_ORDER = ("CASE stance WHEN 'supports' THEN 0 WHEN 'contradicts' THEN 1 ELSE 2 END, "
                   "excerpt_id")


def claim_evidence(case: Case, claim_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[Evidence]:
    """A claim's evidence (without retired excerpts, for an export that leaves
    them out, unless ``include_retired``: the browser shows every link)."""
    hidden = live("excerpts", include_retired=include_retired, column="excerpt_id")
    return evidence_rows(
        case,
        f"SELECT excerpt_id, stance FROM claim_excerpts WHERE {all_of('claim_id = ?', hidden)} "
        f"ORDER BY {_EVIDENCE_ORDER} LIMIT ?",
        [claim_id, limit],
    )


def claim_evidence_in_context(case: Case, claim_id: int, *, chars: int = 400, limit: int = 200,
                              include_retired: bool = True) -> list[EvidenceInContext]:
    """:func:`claim_evidence`, each with up to ``chars`` characters of its
    source before and after it (as :func:`db.sources.excerpt_context`), in one
    query however much evidence there is: the context is cut in SQL, so no
    whole source is read into memory. A source missing from the file (edited
    by hand) gives an empty title and context. Retired excerpts are left out
    unless ``include_retired``."""
    shown = "" if include_retired else " AND e.retired = 0"
    # substr counts code points from 1, as excerpt offsets count them from 0.
    rows = case.rows(
        f"SELECT x.stance, {EXCERPTS.select(alias='e')}, ifnull(s.title, '') AS source_title, "
        "ifnull(substr(s.text, max(0, e.start - :chars) + 1, "
        "max(0, e.start - max(0, e.start - :chars))), '') AS before, "
        "ifnull(substr(s.text, max(0, e.\"end\") + 1, max(0, :chars)), '') AS after, "
        "substr(s.text, e.start + 1, e.\"end\" - e.start) IS e.text AS matches "
        "FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id "
        f"LEFT JOIN sources s ON s.id = e.source_id WHERE x.claim_id = :claim{shown} "
        f"ORDER BY {_EVIDENCE_ORDER} LIMIT :limit",
        {"claim": claim_id, "chars": chars, "limit": limit},
    )
    return [
        read_model(EvidenceInContext, {
            "excerpt": _cited(case, row),
            "source_title": row["source_title"], "stance": row["stance"],
            "before": row["before"], "after": row["after"]})
        for row in rows
    ]


def _cited(case: Case, row: sqlite3.Row) -> Excerpt:
    excerpt = read_model(Excerpt, {c: row[c] for c in EXCERPTS.model_columns})
    if row["matches"] or not not_at_its_span(case, excerpt):
        return excerpt
    return not_its_span(excerpt, row["start"], row["end"])


def claim_entities(case: Case, claim_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[tuple[Entity, str]]:
    """(entity, role) for a claim: its subjects and its claimant (retired
    entities left out unless ``include_retired``)."""
    shown = "" if include_retired else " AND e.retired = 0"
    rows = case.rows(
        "SELECT x.entity_id, x.role FROM claim_entities x JOIN entities e ON e.id = x.entity_id "
        f"WHERE x.claim_id = ?{shown} ORDER BY x.role, e.sort_name LIMIT ?", [claim_id, limit],
    )
    entities = {e.id: e for e in entities_by_ids(case, [row["entity_id"] for row in rows])}
    return [(entities[row["entity_id"]], row["role"]) for row in rows]


def claim_history(case: Case, claim_id: int, *, offset: int = 0, limit: int = 500
                  ) -> list[Annotation]:
    """A claim's annotations (marks, notes, undos), oldest first, a page at a time."""
    return marks.history(CLAIM_MARKS, case, claim_id, offset=offset, limit=limit)


def entity_claims(case: Case, entity_id: int, *, limit: int = 200,
                  include_retired: bool = True) -> list[Claim]:
    """The claims about an entity (retired ones left out unless ``include_retired``)."""
    hidden = live("claims", include_retired=include_retired, column="claim_id")
    ids = [row[0] for row in case.rows(
        f"SELECT DISTINCT claim_id FROM claim_entities WHERE {all_of('entity_id = ?', hidden)} "
        "ORDER BY claim_id LIMIT ?", [entity_id, limit],
    )]
    return [claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, ids)]


def excerpt_claims(case: Case, excerpt_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[Claim]:
    """The claims an excerpt is evidence for (retired ones left out unless ``include_retired``)."""
    hidden = live("claims", include_retired=include_retired, column="claim_id")
    ids = [row[0] for row in case.rows(
        f"SELECT claim_id FROM claim_excerpts WHERE {all_of('excerpt_id = ?', hidden)} "
        "ORDER BY claim_id LIMIT ?",
        [excerpt_id, limit],
    )]
    return [claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, ids)]
