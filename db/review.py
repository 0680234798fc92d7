"""The review flow: queues of claims to work through, and noticing others' changes.

A queue is ``all``, a status (``unreviewed``, ``confirmed``, ``disputed``,
``denied``), ``conflicts`` (claims with an open merge conflict) or
``disagreements`` (claims whose annotators' standing marks differ). Every
queue is in claim-id order and read a page at a time in SQL; ``next_in_queue``
gives the claim after the one just marked, so a reviewer moves on even when
the mark took the claim out of the queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from .agreement import claim_agreements, count_disagreements, disagreement_ids
from .casefile import Case
from .claims import CLAIM_SELECT, claim_from_row, claims_page, count_claims
from .conflicts import conflicted_claim_ids, count_open_conflicts, open_conflict_counts
from .errors import InvalidValueError, NotFoundError
from .models import STATUSES, Claim, ClaimFlags
from .paging import all_of, count_live, live, rows_by_id

QUEUES: tuple[str, ...] = ("all", *STATUSES, "conflicts", "disagreements")


def check_queue(queue: str) -> str:
    if queue not in QUEUES:
        raise InvalidValueError(f"unknown queue {queue!r} (choose {', '.join(QUEUES)})")
    return queue


def count_queue(case: Case, queue: str, *, include_retired: bool = False) -> int:
    check_queue(queue)
    if queue == "conflicts":
        return count_open_conflicts(case)
    if queue == "disagreements":
        return count_disagreements(case)
    return count_claims(case, status=None if queue == "all" else queue,
                        include_retired=include_retired)


def queue_page(case: Case, queue: str, *, offset: int, limit: int,
               total: int | None = None, include_retired: bool = False) -> list[Claim]:
    """Claims ``offset .. offset+limit`` of a queue. Retired claims are left
    out of ``all`` and the status queues unless ``include_retired``; the
    conflicts and disagreements queues hold every claim that has one."""
    check_queue(queue)
    if queue in ("conflicts", "disagreements"):
        ids = _special_ids(case, queue, offset=offset, limit=limit)
        return [claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, ids)]
    return claims_page(case, offset=offset, limit=limit, total=total,
                       status=None if queue == "all" else queue, include_retired=include_retired)


def next_in_queue(case: Case, queue: str, after_id: int, *, wrap: bool = False,
                  include_retired: bool = False) -> Claim | None:
    """The first claim of the queue with an id above ``after_id``; with
    ``wrap``, the queue's first claim when none is left after it. None when
    the queue is empty (or finished, without ``wrap``)."""
    check_queue(queue)
    for after in (after_id, -1) if wrap else (after_id,):
        if queue in ("conflicts", "disagreements"):
            ids = _special_ids(case, queue, offset=0, limit=1, after_id=after)
        else:
            where, params = _plain_queue(queue, include_retired)
            ids = [row[0] for row in case.rows(
                f"SELECT id FROM claims WHERE {all_of(where, 'id > ?')} ORDER BY id LIMIT 1",
                [*params, after])]
        found = rows_by_id(case, CLAIM_SELECT, ids)
        if found:
            return claim_from_row(found[0])
    return None


def queue_position(case: Case, queue: str, claim_id: int, *, exact: bool = True,
                   include_retired: bool = False) -> int:
    """Where a claim sits in a queue (its index in ``queue_page``'s order).

    ``exact``: a claim not in the queue raises NotFoundError. Without it, the
    index the claim would have: that of the first queued claim after it, so a
    view whose claim just left the queue keeps its place.
    """
    check_queue(queue)
    if exact and not in_queue(case, queue, claim_id, include_retired=include_retired):
        raise NotFoundError(f"claim {claim_id} is not in the {queue} queue")
    if queue == "conflicts":
        return int(case.scalar(
            "SELECT count(DISTINCT claim_id) FROM claim_conflicts "
            "WHERE resolved_at = '' AND claim_id < ?", [claim_id]))
    if queue == "disagreements":
        return count_disagreements(case, before_id=claim_id)
    where, params = _plain_queue(queue, include_retired=True)
    return count_live(case, "claims", where=all_of(where, "id < ?"), params=[*params, claim_id],
                      include_retired=include_retired)


def _plain_queue(queue: str, include_retired: bool) -> tuple[str, list[str]]:
    """The condition for ``all`` or a status queue (with the retired left out
    unless ``include_retired``), and its parameters."""
    hidden = live("claims", include_retired=include_retired)
    if queue == "all":
        return hidden, []
    return all_of("status = ?", hidden), [queue]


def in_queue(case: Case, queue: str, claim_id: int, *, include_retired: bool = False) -> bool:
    """Whether a claim is in a queue now."""
    check_queue(queue)
    if queue in ("conflicts", "disagreements"):
        return _special_ids(case, queue, offset=0, limit=1, after_id=claim_id - 1) == [claim_id]
    where, params = _plain_queue(queue, include_retired)
    return case.row(f"SELECT 1 FROM claims WHERE {all_of('id = ?', where)}",
                    [claim_id, *params]) is not None


def _special_ids(case: Case, queue: str, *, offset: int, limit: int,
                 after_id: int | None = None) -> list[int]:
    if queue == "conflicts":
        return conflicted_claim_ids(case, offset=offset, limit=limit, after_id=after_id)
    return disagreement_ids(case, offset=offset, limit=limit, after_id=after_id)


def claim_flags(case: Case, claim_ids: Sequence[int]) -> dict[int, ClaimFlags]:
    """Disagreement and open conflicts for a page of claims, in two queries."""
    ids = list(claim_ids)
    agreements = claim_agreements(case, ids)
    conflicts = open_conflict_counts(case, ids)
    return {
        claim_id: ClaimFlags(claim_id=claim_id, disagreement=agreements[claim_id].disagreement,
                             open_conflicts=conflicts.get(claim_id, 0))
        for claim_id in ids
    }


# -- noticing other people's changes ---------------------------------------


def case_changed_since(case: Case, seen: int) -> bool:
    """True if another connection (another process, or another Case on the
    same file) committed since ``case.data_version()`` returned ``seen``.

    ``PRAGMA data_version`` does not move for this connection's own commits:
    the caller already knows about those.
    """
    return case.data_version() != seen


def annotation_cursor(case: Case) -> int:
    """A position in the annotations log (annotations are never deleted, so
    rowids only grow); pass it to ``claims_marked_since`` later."""
    return int(case.scalar("SELECT ifnull(max(rowid), 0) FROM annotations"))


def claims_marked_since(case: Case, cursor: int, *, limit: int = 1000) -> tuple[list[int], int]:
    """Ids of claims annotated after ``cursor``, and the cursor to use next.

    After ``case_changed_since`` says yes, this tells a view which rows to
    reload. More than ``limit`` changed claims come back as the first
    ``limit`` and a cursor that picks up from there.
    """
    rows = case.rows(
        "SELECT rowid, claim_id FROM annotations WHERE rowid > ? ORDER BY rowid LIMIT ?",
        [cursor, limit],
    )
    if not rows:
        return [], cursor
    return sorted({row["claim_id"] for row in rows}), rows[-1]["rowid"]
