"""``claimreview``: schema.org ``ClaimReview`` JSON-LD, for fact-checkers.

One ``ClaimReview`` per claim whose status is settled (confirmed, disputed,
denied; unreviewed claims are left out), in one JSON-LD ``@graph``:

- ``claimReviewed``: the statement;
- ``itemReviewed``: the ``Claim``, its ``author`` the claimant (a ``Person``
  or an ``Organization`` when the claimant is an entity of the case of that
  kind; a claimant named only in words is given as a ``Person``), its
  ``appearance`` the sources its evidence quotes (``CreativeWork``: name,
  url, author, publisher, datePublished);
- ``reviewRating``: a ``Rating`` on casebook's 1–5 scale, ``alternateName``
  the status in words: denied 1, disputed 3, confirmed 5 (``worstRating`` 1,
  ``bestRating`` 5). The scale has no 2 or 4: casebook's statuses are three;
- ``author``: the annotator whose mark settled the status (a ``Person``),
  ``datePublished`` that mark's day, ``reviewBody`` its note.

A review has no web page of its own here, so ``url`` (which Google's fact
check tools want) is left out; ``@id`` is ``urn:uuid:`` of the claim's uid.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_evidence, claim_history
from ..entities import entities_by_ids
from ..models import STATUS_ORDER, Annotation, ClaimRecord, SourceInfo
from .common import dumps, web_url

RATINGS = {"denied": 1, "disputed": 3, "confirmed": 5}
AUTHOR_TYPES = {"person": "Person", "organization": "Organization", "other": "Organization"}
_LIMIT = 1_000_000

Json = dict[str, Any]


def write_claim_reviews(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    count = 0
    with case.snapshot():
        sources = {info.id: info for info in walk.source_infos(case)}
        out.write('{\n  "@context": "https://schema.org",\n  "@graph": [')
        for status in (status for status in STATUS_ORDER if status in RATINGS):
            for claim in walk.claims(case, status=status, include_retired=include_retired):
                out.write(("\n    " if count == 0 else ",\n    ")
                          + dumps(_review(case, claim, sources, include_retired=include_retired)))
                count += 1
        out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def _review(case: Case, claim: ClaimRecord, sources: dict[int | None, SourceInfo], *,
            include_retired: bool) -> Json:
    review: Json = {
        "@type": "ClaimReview",
        "@id": f"urn:uuid:{claim.uid}",
        "claimReviewed": claim.statement,
        "itemReviewed": _claim(case, claim, sources, include_retired=include_retired),
        "reviewRating": {"@type": "Rating", "ratingValue": RATINGS[claim.status], "worstRating": 1,
                         "bestRating": 5, "alternateName": claim.status},
    }
    settled = _settling_mark(claim_history(case, claim.id, limit=_LIMIT), claim.status)
    if settled is not None:
        review["author"] = {"@type": "Person", "name": settled.annotator}
        review["datePublished"] = settled.created_at[:10]
        if settled.note.strip():
            review["reviewBody"] = settled.note
    return review


def _settling_mark(history: list[Annotation], status: str) -> Annotation | None:
    """The latest mark or undo, which gave the claim its status."""
    marks = [mark for mark in history if mark.kind != "note" and mark.status == status]
    return marks[-1] if marks else None


def _claim(case: Case, claim: ClaimRecord, sources: dict[int | None, SourceInfo], *,
           include_retired: bool) -> Json:
    item: Json = {"@type": "Claim"}
    claimants = entities_by_ids(case, [link.entity_id for link in claim.entities if link.role == "claimant"])
    if claimants:
        item["author"] = [{"@type": AUTHOR_TYPES.get(e.kind, "Organization"), "name": e.name}
                          for e in claimants]
    elif claim.claimant:
        item["author"] = {"@type": "Person", "name": claim.claimant}
    appearances = list(_appearances(case, claim, sources, include_retired=include_retired))
    if appearances:
        item["appearance"] = appearances
    return item


def _appearances(case: Case, claim: ClaimRecord, sources: dict[int | None, SourceInfo], *,
                 include_retired: bool) -> Iterator[Json]:
    seen: set[int] = set()
    for item in claim_evidence(case, claim.id, limit=_LIMIT, include_retired=include_retired):
        source = sources[item.excerpt.source_id]
        if item.excerpt.source_id in seen:
            continue
        seen.add(item.excerpt.source_id)
        work: Json = {"@type": "CreativeWork", "name": source.title}
        if web_url(source.url):
            work["url"] = source.url
        if source.author:
            work["author"] = {"@type": "Person", "name": source.author}
        if source.publisher:
            work["publisher"] = {"@type": "Organization", "name": source.publisher}
        if source.published:
            work["datePublished"] = source.published
        yield work
