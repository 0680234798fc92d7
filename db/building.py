"""Building a case out of a document, one excerpt at a time.

What the browser calls when an analyst, reading an excerpt (or a span of it
chosen with the keyboard), makes an entity, an event or a claim with it as
evidence, adds it as evidence to one that exists, or links an entity to it.
Each call is one write transaction: it all happens, or none of it.

Spans are given within the excerpt's own text (code points, end exclusive);
the span becomes a ``quote`` excerpt of the source, shared by everything that
cites the same span.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from .casefile import Case, new_uid
from .claims import add_claim, get_claim
from .entities import add_entity, get_entity
from .errors import InvalidValueError, NotFoundError
from .events import add_event, get_event
from .mentions import MentionIndex
from .models import STANCES, Claim, Entity, Event, Excerpt, Relationship, stored_id
from .paging import keyset_pages
from .relationships import add_relationship
from .search import query_terms
from .sources import add_excerpt, get_excerpt
from .tables import CLAIM_EXCERPTS, EVENT_EXCERPTS, EXCERPT_ENTITIES, column_list

Span = tuple[int, int]


def evidence_excerpt(case: Case, excerpt_id: int, span: Span | None = None) -> Excerpt:
    """The excerpt, or the quote excerpt for ``span`` of its text (made if new)."""
    excerpt = get_excerpt(case, excerpt_id)
    if span is None:
        return excerpt
    start, end = span
    if not 0 <= start < end <= len(excerpt.text):
        raise InvalidValueError(
            f"span {start}-{end} is not within excerpt {excerpt_id} (0-{len(excerpt.text)})")
    if (start, end) == (0, len(excerpt.text)):
        return excerpt
    quote_id = add_excerpt(case, excerpt.source_id, excerpt.start + start, excerpt.start + end)
    return get_excerpt(case, quote_id)


def entity_from_excerpt(
    case: Case,
    excerpt_id: int,
    *,
    kind: str,
    name: str,
    description: str = "",
    aliases: Iterable[str] = (),
    link_elsewhere: bool = True,
    created_by: str = "",
) -> Entity:
    """A new entity that the excerpt mentions.

    With ``link_elsewhere`` every other excerpt that mentions it by name or
    alias (folding case and diacritics) is linked too.
    """
    with case.write(), _valid():
        excerpt = get_excerpt(case, excerpt_id)
        entity = add_entity(case, kind=kind, name=name, description=description, aliases=aliases,
                            created_by=created_by)
        link_entity(case, stored_id(excerpt), stored_id(entity))
        if link_elsewhere:
            link_entity_mentions(case, stored_id(entity))
    return entity


def link_entity(case: Case, excerpt_id: int, entity_id: int) -> bool:
    """Record that the excerpt mentions the entity; False if it already did."""
    with case.write() as tx:
        get_excerpt(case, excerpt_id)
        get_entity(case, entity_id)
        before = tx.total_changes
        tx.execute(EXCERPT_ENTITIES.insert(or_ignore=True).sql, [excerpt_id, entity_id])
        return tx.total_changes > before


def unlink_entity(case: Case, excerpt_id: int, entity_id: int) -> bool:
    """Undo a link made by mistake; False if there was none."""
    with case.write() as tx:
        before = tx.total_changes
        tx.execute("DELETE FROM excerpt_entities WHERE excerpt_id = ? AND entity_id = ?",
                   [excerpt_id, entity_id])
        return tx.total_changes > before


def event_from_excerpt(
    case: Case,
    excerpt_id: int,
    *,
    title: str,
    date_start: str = "",
    date_end: str = "",
    date_precision: str = "unknown",
    description: str = "",
    entity_ids: Iterable[int] = (),
    span: Span | None = None,
    created_by: str = "",
) -> Event:
    """A new event with the excerpt (or a span of it) as its evidence."""
    entity_ids = list(entity_ids)
    with case.write(), _valid():
        _check_entities(case, entity_ids)
        evidence = evidence_excerpt(case, excerpt_id, span)
        return add_event(case, title=title, date_start=date_start, date_end=date_end,
                         date_precision=date_precision, description=description,
                         entity_ids=entity_ids, excerpt_ids=[stored_id(evidence)],
                         created_by=created_by)


def claim_from_excerpt(
    case: Case,
    excerpt_id: int,
    *,
    statement: str,
    claimant: str = "",
    stance: str = "supports",
    entity_ids: Iterable[int] = (),
    claimant_entity_id: int | None = None,
    span: Span | None = None,
    created_by: str = "",
) -> Claim:
    """A new claim, unreviewed, with the excerpt (or a span of it) as evidence."""
    _check_stance(stance)
    entity_ids = list(entity_ids)
    with case.write():
        _check_entities(case, [*entity_ids, *([claimant_entity_id] if claimant_entity_id else [])])
        evidence = evidence_excerpt(case, excerpt_id, span)
        return add_claim(case, statement=statement, claimant=claimant,
                         claimant_entity_id=claimant_entity_id, entity_ids=entity_ids,
                         evidence=[(stored_id(evidence), stance)], created_by=created_by)


def relationship_from_excerpt(
    case: Case, excerpt_id: int, *, subject_entity_id: int, object_entity_id: int, type: str,
    role: str = "", stance: str = "supports", span: Span | None = None, created_by: str = "",
) -> Relationship:
    """A new relationship, unreviewed, with the excerpt (or a span of it) as evidence:
    one write (``add_relationship`` checks the ends and the type)."""
    _check_stance(stance)
    with case.write():
        evidence = evidence_excerpt(case, excerpt_id, span)
        return add_relationship(case, subject_entity_id=subject_entity_id,
                                object_entity_id=object_entity_id, type=type, role=role,
                                evidence=[(stored_id(evidence), stance)], created_by=created_by)


def cite_for_claim(case: Case, claim_id: int, excerpt_id: int, *, stance: str = "supports",
                   span: Span | None = None) -> Excerpt:
    """Add the excerpt (or a span of it) as evidence to an existing claim.

    Citing the same excerpt again changes its stance."""
    _check_stance(stance)
    with case.write() as tx:
        get_claim(case, claim_id)
        evidence = evidence_excerpt(case, excerpt_id, span)
        tx.execute(
            f"{CLAIM_EXCERPTS.insert().sql} "
            f"ON CONFLICT ({column_list(CLAIM_EXCERPTS.key)}) DO UPDATE SET stance = excluded.stance",
            [claim_id, evidence.id, stance, new_uid()],
        )
        return evidence


def cite_for_event(case: Case, event_id: int, excerpt_id: int, *,
                   span: Span | None = None) -> Excerpt:
    """Add the excerpt (or a span of it) as evidence to an existing event."""
    with case.write() as tx:
        get_event(case, event_id)
        evidence = evidence_excerpt(case, excerpt_id, span)
        tx.execute(EVENT_EXCERPTS.insert(or_ignore=True).sql, [event_id, evidence.id])
        return evidence


def link_entity_mentions(case: Case, entity_id: int, *, batch: int = 2000) -> int:
    """Link every excerpt that mentions the entity by name or alias; returns
    the number of new links.

    Search narrows the excerpts to those holding all the words of a name, so
    this stays quick on a case of a million excerpts; each is then checked
    for the words in sequence, as :mod:`db.mentions` does when documents are
    added.
    """
    entity = get_entity(case, entity_id)
    names = [entity.name, *entity.aliases]
    index = MentionIndex((entity_id, name) for name in names)
    added = 0
    with case.write() as tx:
        for name in names:
            terms = query_terms(name)
            if not terms:
                continue
            expression = " ".join(f'"{term}"' for term in terms)
            # The index finds the excerpts holding every word, in rowid (= id) order.
            for rows in keyset_pages(
                case, "SELECT e.id, e.text FROM excerpts_fts m JOIN excerpts e ON e.id = m.rowid",
                key=["m.rowid"], where="excerpts_fts MATCH ?", params=[expression], page=batch,
            ):
                links = [(row["id"], entity_id) for row in rows if index.find(row["text"])]
                before = tx.total_changes
                tx.executemany(EXCERPT_ENTITIES.insert(or_ignore=True).sql, links)
                added += tx.total_changes - before
    return added


@contextlib.contextmanager
def _valid() -> Iterator[None]:
    """A value the models refuse (a kind, a date that does not fit its
    precision, an empty name) as one InvalidValueError line."""
    try:
        yield
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidValueError(str(first["msg"]).removeprefix("Value error, ")) from None


def _check_stance(stance: str) -> None:
    if stance not in STANCES:
        raise InvalidValueError(f"unknown stance {stance!r} (choose {', '.join(STANCES)})")


def _check_entities(case: Case, entity_ids: list[int]) -> None:
    if not entity_ids:
        return
    marks = ",".join("?" * len(entity_ids))
    found = {row[0] for row in case.rows(f"SELECT id FROM entities WHERE id IN ({marks})", entity_ids)}
    missing = [entity_id for entity_id in entity_ids if entity_id not in found]
    if missing:
        raise NotFoundError(f"no entity {missing[0]}")
