"""Agreement between annotators: where their latest marks differ, and Cohen's kappa.

An annotator's standing mark on a claim is their latest annotation of kind
``mark`` that nobody undid (kept in the derived table ``standing_marks``).
Notes don't count (they change no status), nor do ``unreviewed`` marks (the
annotator took their judgement back), nor the machine annotators in
``MACHINE_ANNOTATORS``: the ``seed`` builder records the stance a source
already reports, which is evidence, not a reviewer's judgement.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from .casefile import Case
from .damage import read_model
from .models import STATUSES, AnnotatorMark, ClaimAgreement, PairAgreement
from .paging import PAGE, keyset_pages
from .tables import STANDING_MARKS

# Annotators that are programs, not reviewers (seed/build.py's SEED_ANNOTATOR).
MACHINE_ANNOTATORS: tuple[str, ...] = ("seed",)
JUDGEMENTS = tuple(status for status in STATUSES if status != "unreviewed")


def standing_marks_sql(*, claims: str = "", exclude: Sequence[str] = MACHINE_ANNOTATORS
                       ) -> tuple[str, list[Any]]:
    """SQL selecting (claim_id, annotator, status, annotation_id, created_at):
    each annotator's standing judgement per claim, from the derived table
    ``standing_marks``. ``claims`` is an extra condition on ``claim_id`` (its
    parameters appended by the caller after the ones returned)."""
    where, params = _standing(exclude)
    if claims:
        where = f"{where} AND {claims}"
    return f"SELECT {STANDING_MARKS.select()} FROM standing_marks WHERE {where}", params


def _standing(exclude: Sequence[str]) -> tuple[str, list[Any]]:
    """The condition on ``standing_marks`` that keeps the judgements that count."""
    conditions = ["status != 'unreviewed'"]
    if exclude:
        conditions.append(f"annotator NOT IN ({','.join('?' * len(exclude))})")
    return " AND ".join(conditions), list(exclude)


def claim_agreement(case: Case, claim_id: int, *,
                    exclude: Sequence[str] = MACHINE_ANNOTATORS) -> ClaimAgreement:
    """The standing marks on one claim, and how many pairs of annotators agree."""
    return claim_agreements(case, [claim_id], exclude=exclude)[claim_id]


def claim_agreements(case: Case, claim_ids: Sequence[int], *,
                     exclude: Sequence[str] = MACHINE_ANNOTATORS) -> dict[int, ClaimAgreement]:
    """``claim_agreement`` for a page of claims at once (for badges in a list)."""
    ids = list(claim_ids)
    if not ids:
        return {}
    sql, params = standing_marks_sql(
        claims=f"claim_id IN ({','.join('?' * len(ids))})", exclude=exclude
    )
    marks: dict[int, list[AnnotatorMark]] = defaultdict(list)
    for row in case.rows(sql + " ORDER BY claim_id, annotator", [*params, *ids]):
        marks[row["claim_id"]].append(read_model(AnnotatorMark, {
            column: row[column] for column in STANDING_MARKS.columns if column != "claim_id"}))
    result = {}
    for claim_id in ids:
        found = marks.get(claim_id, [])
        pairs = list(itertools.combinations(found, 2))
        agreeing = sum(1 for a, b in pairs if a.status == b.status)
        result[claim_id] = ClaimAgreement(
            claim_id=claim_id, marks=tuple(found), agreeing_pairs=agreeing,
            disagreeing_pairs=len(pairs) - agreeing,
        )
    return result


def _judged_claims_sql(having: str, exclude: Sequence[str], after_id: int | None
                       ) -> tuple[str, list[Any]]:
    claims, extra = ("claim_id > ?", [after_id]) if after_id is not None else ("", [])
    sql, params = standing_marks_sql(claims=claims, exclude=exclude)
    return (f"SELECT claim_id FROM ({sql}) GROUP BY claim_id HAVING {having}",
            [*params, *extra])


_DISAGREE = "count(DISTINCT status) > 1"
_SHARED = "count(*) > 1"


def count_disagreements(case: Case, *, exclude: Sequence[str] = MACHINE_ANNOTATORS,
                        before_id: int | None = None) -> int:
    """How many claims are in disagreement (with ``before_id``: below that id)."""
    sql, params = _judged_claims_sql(_DISAGREE, exclude, None)
    if before_id is not None:
        sql, params = f"SELECT * FROM ({sql}) WHERE claim_id < ?", [*params, before_id]
    return int(case.scalar(f"SELECT count(*) FROM ({sql})", params))


def disagreement_ids(case: Case, *, offset: int = 0, limit: int = 100,
                     after_id: int | None = None,
                     exclude: Sequence[str] = MACHINE_ANNOTATORS) -> list[int]:
    """Ids of claims whose annotators' standing marks differ, in id order,
    paged by position (``offset``) or after a claim id (``after_id``)."""
    sql, params = _judged_claims_sql(_DISAGREE, exclude, after_id)
    rows = case.rows(f"{sql} ORDER BY claim_id LIMIT ? OFFSET ?", [*params, limit, offset])
    return [row[0] for row in rows]


def shared_claim_pages(case: Case, *, exclude: Sequence[str] = MACHINE_ANNOTATORS,
                       page: int = PAGE) -> Iterator[list[int]]:
    """Ids of claims judged by two or more annotators, in id order, a page at a
    time (by key: each page after the last id of the one before)."""
    where, params = _standing(exclude)
    for rows in keyset_pages(case, "SELECT claim_id FROM standing_marks", key=["claim_id"],
                             where=where, params=params, group=f"GROUP BY claim_id HAVING {_SHARED}",
                             page=page):
        yield [row[0] for row in rows]


def annotator_judgements(case: Case, *, exclude: Sequence[str] = MACHINE_ANNOTATORS
                         ) -> dict[str, int]:
    """How many claims each annotator has a standing judgement on."""
    sql, params = standing_marks_sql(exclude=exclude)
    rows = case.rows(
        f"SELECT annotator, count(*) FROM ({sql}) GROUP BY annotator ORDER BY annotator", params
    )
    return {row[0]: row[1] for row in rows}


def pair_agreements(case: Case, *, exclude: Sequence[str] = MACHINE_ANNOTATORS
                    ) -> list[PairAgreement]:
    """Every pair of annotators who judged anything: agreements,
    disagreements and Cohen's kappa over the claims both judged.

    The confusion tables are counted in SQL, so memory stays small however
    many claims there are.
    """
    sql, params = standing_marks_sql(exclude=exclude)
    rows = case.rows(
        f"WITH standing AS ({sql}) "
        "SELECT a.annotator, b.annotator, a.status, b.status, count(*) FROM standing a "
        "JOIN standing b ON b.claim_id = a.claim_id AND a.annotator < b.annotator "
        "GROUP BY 1, 2, 3, 4", params,
    )
    tables: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(dict)
    for first, second, first_status, second_status, count in rows:
        tables[(first, second)][(first_status, second_status)] = count
    annotators = sorted(annotator_judgements(case, exclude=exclude))
    return [
        kappa_for(a, b, tables.get((a, b), {}))
        for a, b in itertools.combinations(annotators, 2)
    ]


def kappa_for(annotator_a: str, annotator_b: str,
              table: dict[tuple[str, str], int]) -> PairAgreement:
    """Cohen's kappa from a confusion table {(status by a, status by b): claims}.

    p_o = agreements / n; p_e = sum over statuses k of (n_a,k / n)(n_b,k / n);
    kappa = (p_o - p_e) / (1 - p_e), computed exactly in fractions.
    """
    n = sum(table.values())
    agreements = sum(count for (a, b), count in table.items() if a == b)
    nested = {a: {b: table.get((a, b), 0) for b in JUDGEMENTS} for a in JUDGEMENTS}
    common: dict[str, Any] = dict(annotator_a=annotator_a, annotator_b=annotator_b, claims=n,
                  agreements=agreements, disagreements=n - agreements, table=nested)
    if n == 0:
        return PairAgreement(**common, observed=None, expected=None, kappa=None,
                             kappa_note="no claim judged by both")
    by_a: dict[str, int] = defaultdict(int)
    by_b: dict[str, int] = defaultdict(int)
    for (a, b), count in table.items():
        by_a[a] += count
        by_b[b] += count
    observed = Fraction(agreements, n)
    expected = Fraction(sum(by_a[k] * by_b[k] for k in by_a), n * n)
    if expected == 1:
        return PairAgreement(
            **common, observed=float(observed), expected=1.0, kappa=None,
            kappa_note="undefined: both gave every shared claim the same one status",
        )
    kappa = (observed - expected) / (1 - expected)
    return PairAgreement(**common, observed=float(observed), expected=float(expected),
                         kappa=float(kappa))
