"""``ftm``: FollowTheMoney entities as JSON lines, for Aleph and OpenSanctions tools.

One entity per line, ``{"id", "schema", "properties": {name: [values]}}``:

=====================  ==============================================================
casebook               FollowTheMoney
=====================  ==============================================================
source                 ``Article`` (it has a publisher or URL) or ``PlainText``, with
                       its full text as ``bodyText``
person                 ``Person``
organization           ``PublicBody`` when its name says it is part of a state (a
                       ministry, parliament, commission, agency, embassy, police...),
                       else ``Organization``
place                  ``Address`` (``full``: the place's name)
document (entity)      ``Article`` (a report or paper a source names)
other                  ``LegalEntity``
excerpt mentions       one ``Mention`` per source and entity it mentions
event                  ``Event``: dates at their precision (a decade is a start and
                       end year), ``involved`` people and organisations, places as
                       ``location``/``addressEntity``, evidence sources as ``proof``
claim                  ``Note`` on the entities it is about (or its sources), its
                       status and claimant in ``summary``, evidence as ``proof``
annotator's mark       ``Note`` on the claim's note, dated ``createdAt``
=====================  ==============================================================

Ids are stable: a hash of the source text's sha256, the claim's uid, or the
case uid with the row id, so exporting a case twice gives the same entities.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from .. import walk
from ..casefile import Case
from ..models import EntityRecord, EventRecord
from ..text import folded_words, json_safe

SCHEMA_OF_KIND = {"person": "Person", "organization": "Organization", "place": "Address",
                  "document": "Article", "other": "LegalEntity"}
# Kinds FollowTheMoney counts as legal entities: the only ones a Mention can
# resolve to and an Event can involve.
LEGAL_KINDS = ("person", "organization", "other")
# Words in an organisation's name that make it a public body.
PUBLIC_BODY_WORDS = frozenset("""
    agency army authorities authority bureau commission congress consulate council court
    department directorate embassy federal government intelligence military ministries
    ministry mission municipality naval navy parliament police prosecutor prosecutors
    security senate state
""".split())


def ftm_id(*parts: object) -> str:
    return hashlib.sha1(":".join(["casebook", *map(str, parts)]).encode("utf-8")).hexdigest()


def entity_schema(entity: EntityRecord) -> str:
    if entity.kind == "organization" and PUBLIC_BODY_WORDS & set(folded_words(entity.name)):
        return "PublicBody"
    return SCHEMA_OF_KIND[entity.kind]


def ftm_date(value: str) -> str:
    """A timestamp as FollowTheMoney keeps it: to the second, no zone (UTC)."""
    return value[:19]


def write_ftm(case: Case, out: TextIO) -> int:
    count = 0
    with case.snapshot():
        case_uid = walk.meta(case).get("case_uid", "")
        for entity in _entities(case, case_uid):
            out.write(json_safe(json.dumps(entity, ensure_ascii=False)) + "\n")
            count += 1
    return count


def _entity(entity_id: str, schema: str, properties: dict[str, Iterable[str]]) -> dict:
    cleaned = {}
    for name, values in properties.items():
        # FollowTheMoney keeps values trimmed; so does this export, to be canonical.
        kept = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if kept:
            cleaned[name] = kept
    return {"id": entity_id, "schema": schema, "properties": cleaned}


def _entities(case: Case, case_uid: str) -> Iterator[dict]:
    source_ids: dict[int, str] = {}
    for source in walk.source_infos(case):
        source_ids[source.id] = ftm_id("source", source.sha256)
    yield from _sources(case, source_ids)

    kinds: dict[int, str] = {}
    schemas: dict[int, str] = {}
    names: dict[int, str] = {}
    for entity in walk.entities(case):
        kinds[entity.id], schemas[entity.id], names[entity.id] = (
            entity.kind, entity_schema(entity), entity.name)
        yield _entity(ftm_id(case_uid, "entity", entity.id), schemas[entity.id], _entity_properties(entity))

    for entity_id in kinds:
        for row in case.rows(
            "SELECT DISTINCT x.source_id FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
            "WHERE m.entity_id = ? ORDER BY x.source_id", [entity_id],
        ):
            resolved = [ftm_id(case_uid, "entity", entity_id)] if kinds[entity_id] in LEGAL_KINDS else []
            yield _entity(
                ftm_id(case_uid, "mention", row["source_id"], entity_id), "Mention",
                {"document": [source_ids[row["source_id"]]], "resolved": resolved,
                 "name": [names[entity_id]], "detectedSchema": [schemas[entity_id]]},
            )

    def entity_ref(entity_id: int) -> str:
        return ftm_id(case_uid, "entity", entity_id)

    def proof(excerpt_ids: Iterable[int]) -> list[str]:
        ids = list(excerpt_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = case.rows(f"SELECT DISTINCT source_id FROM excerpts WHERE id IN ({marks}) ORDER BY source_id", ids)
        return [source_ids[row[0]] for row in rows]

    for event in walk.events(case):
        yield _entity(ftm_id(case_uid, "event", event.id), "Event",
                      _event_properties(event, kinds, names, entity_ref, proof(event.excerpt_ids)))

    for claim in walk.claims(case):
        note_id = ftm_id("claim", claim.uid)
        about = [entity_ref(link.entity_id) for link in claim.entities if link.role == "subject"]
        sources = proof(link.excerpt_id for link in claim.evidence)
        claimed = f"; claimed by {claim.claimant}" if claim.claimant else ""
        yield _entity(note_id, "Note", {
            "description": [claim.statement],
            "summary": [f"Claim {claim.status}{claimed}"],
            "entity": about or sources,
            "proof": sources,
            "keywords": ["casebook claim", claim.status],
            "modifiedAt": [ftm_date(claim.updated_at)],
        })
    for mark in walk.annotations(case):
        note = f": {mark.note}" if mark.note.strip() else ""
        claim_uid = case.scalar("SELECT uid FROM claims WHERE id = ?", [mark.claim_id])
        yield _entity(ftm_id("mark", mark.id), "Note", {
            "entity": [ftm_id("claim", claim_uid)],
            "description": [f"{mark.annotator} {mark.action}{note}"],
            "keywords": [f"casebook {mark.kind}", mark.status],
            "createdAt": [ftm_date(mark.created_at)],
        })


def _sources(case: Case, source_ids: dict[int, str]) -> Iterator[dict]:
    for source in walk.sources(case):
        schema = "Article" if source.publisher or source.url else "PlainText"
        yield _entity(source_ids[source.id], schema, {
            "title": [source.title],
            "fileName": [f"casebook-source-{source.id}.txt"],
            "author": [source.author],
            "publisher": [source.publisher],
            "sourceUrl": [source.url],
            "publishedAt": [source.published],
            "mimeType": ["text/plain"],
            "bodyText": [source.text],
        })


def _entity_properties(entity: EntityRecord) -> dict[str, list[str]]:
    if entity.kind == "place":
        return {"full": [entity.name], "notes": [entity.description]}
    names = {"name": [entity.name], "alias": list(entity.aliases), "notes": [entity.description]}
    if entity.kind == "document":
        names["title"] = [entity.name]
    return names


def _event_properties(event: EventRecord, kinds: dict[int, str], names: dict[int, str],
                      entity_ref, proof: list[str]) -> dict[str, list[str]]:
    properties: dict[str, list[str]] = {
        "name": [event.title],
        "description": [event.description],
        "involved": [entity_ref(i) for i in event.entity_ids if kinds.get(i) in LEGAL_KINDS],
        "location": [names[i] for i in event.entity_ids if kinds.get(i) == "place"],
        "addressEntity": [entity_ref(i) for i in event.entity_ids if kinds.get(i) == "place"],
        "proof": proof,
    }
    start, end, precision = event.date_start, event.date_end, event.date_precision
    if precision == "decade":
        end = str(int((end or start)[:4]) + 9)
    if start and end and end != start:
        properties |= {"startDate": [start], "endDate": [end]}
    elif start:
        properties["date"] = [start]
    return properties

