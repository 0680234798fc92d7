"""The items linked to one item, for ``casebook show``: an entity's events,
claims, relationships and the excerpts that mention it; an event's entities
and evidence; an excerpt's entities, events, claims and relationships; a
claim's entities (with their role) and evidence (with its stance); a
relationship's two entities and evidence.

Retired items are left out unless ``include_retired`` (as the browser's
details leave them out until ``H``); when they are in, each says so.
"""

from __future__ import annotations

from .casefile import Case
from .claims import claim_entities, claim_evidence, entity_claims, excerpt_claims
from .entities import entities_by_ids, entity_excerpts, excerpt_entities
from .events import entity_events, event_entities, event_evidence, excerpt_events
from .kinds import KindName, item_kind
from .models import Claim, Entity, Event, Evidence, Model
from .paging import retired_among
from .relationships import (
    entity_ties,
    excerpt_relationships,
    get_relationship,
    relationship_evidence,
)
from .text import one_line

LINKS_LIMIT = 200     # of each group


class ItemLink(Model):
    """One item linked to the item shown."""

    kind: str             # the linked item's kind: entity, event, excerpt, claim, relationship
    id: int
    label: str            # its name, title, statement or text, on one line
    role: str = ""        # a claim's entity's role, evidence's stance, a relationship's type
    retired: bool = False


def item_links(case: Case, kind: KindName | str, item_id: int, *, include_retired: bool = False,
               limit: int = LINKS_LIMIT) -> tuple[ItemLink, ...]:
    """The items linked to item ``item_id`` of ``kind``, group by group."""
    shown = include_retired
    links: list[ItemLink] = []
    if kind == "entity":
        links += _events(entity_events(case, item_id, limit=limit, include_retired=shown))
        links += _claims(entity_claims(case, item_id, limit=limit, include_retired=shown))
        for tie in entity_ties(case, item_id, limit=limit, include_retired=shown):
            links.append(ItemLink(kind="relationship", id=tie.relationship.id or 0,
                                  label=one_line(tie.other.name), role=tie.label))
        links += [ItemLink(kind="excerpt", id=x.id or 0, label=one_line(x.text))
                  for x in entity_excerpts(case, item_id, limit=limit, include_retired=shown)]
    elif kind == "event":
        links += _entities(event_entities(case, item_id, limit=limit, include_retired=shown))
        links += _evidence(event_evidence(case, item_id, limit=limit, include_retired=shown))
    elif kind == "excerpt":
        links += _entities(excerpt_entities(case, item_id, limit=limit, include_retired=shown))
        links += _events(excerpt_events(case, item_id, limit=limit, include_retired=shown))
        links += _claims(excerpt_claims(case, item_id, limit=limit, include_retired=shown))
        links += [ItemLink(kind="relationship", id=r.id or 0, label=r.type_label, role=r.type)
                  for r in excerpt_relationships(case, item_id, limit=limit)]
    elif kind == "claim":
        links += [ItemLink(kind="entity", id=e.id or 0, label=one_line(e.name), role=role)
                  for e, role in claim_entities(case, item_id, limit=limit, include_retired=shown)]
        links += _evidence(claim_evidence(case, item_id, limit=limit, include_retired=shown))
    elif kind == "relationship":
        relationship = get_relationship(case, item_id)
        ends = {e.id: e for e in entities_by_ids(
            case, [relationship.subject_entity_id, relationship.object_entity_id])}
        for role, end in (("subject", relationship.subject_entity_id),
                          ("object", relationship.object_entity_id)):
            if end in ends:
                links.append(ItemLink(kind="entity", id=end, label=one_line(ends[end].name),
                                      role=role))
        links += _evidence(relationship_evidence(case, item_id, limit=limit))
    return tuple(_marked(case, links, include_retired))


def _marked(case: Case, links: list[ItemLink], include_retired: bool) -> list[ItemLink]:
    """Each link says whether its item is retired; without ``include_retired``
    the retired are left out (the reads that leave them out on their own did so)."""
    retired: set[tuple[str, int]] = set()
    for kind in {link.kind for link in links}:
        table = str(item_kind(kind).table)
        retired |= {(kind, found) for found in retired_among(
            case, table, [link.id for link in links if link.kind == kind])}
    return [link.model_copy(update={"retired": True}) if (link.kind, link.id) in retired else link
            for link in links if include_retired or (link.kind, link.id) not in retired]


def _events(events: list[Event]) -> list[ItemLink]:
    return [ItemLink(kind="event", id=v.id or 0, label=one_line(f"{v.date_label}  {v.title}"))
            for v in events]


def _claims(claims: list[Claim]) -> list[ItemLink]:
    return [ItemLink(kind="claim", id=c.id or 0, label=one_line(c.statement), role=c.status)
            for c in claims]


def _entities(entities: list[Entity]) -> list[ItemLink]:
    return [ItemLink(kind="entity", id=e.id or 0, label=one_line(e.name), role=e.kind)
            for e in entities]


def _evidence(evidence: list[Evidence]) -> list[ItemLink]:
    return [ItemLink(kind="excerpt", id=e.excerpt.id or 0, label=one_line(e.excerpt.text),
                     role=e.stance) for e in evidence]
