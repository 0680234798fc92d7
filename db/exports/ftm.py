"""``ftm``: FollowTheMoney entities as JSON lines, for Aleph and OpenSanctions tools.

One entity per line, ``{"id", "schema", "properties": {name: [values]}}``:

=====================  ==============================================================
casebook               FollowTheMoney
=====================  ==============================================================
source                 ``Article`` (it has a publisher or URL) or ``PlainText``, with
                       its full text as ``bodyText``, split at line ends into values
                       of at most 65,000 characters (FtM's limit for one value; joined
                       with line ends they give the text back, but for spaces at the
                       cuts, which FtM trims; its
                       limit of 30 MiB for an entity's text cuts a longer one, and the
                       ``description`` says so: the excerpts hold all of it)
excerpt                ``PlainText`` with the excerpt's text as ``bodyText``, its
                       source as ``proof``, its offsets in the source's text in the
                       ``title`` and as ``keywords`` (``offset-start:N``,
                       ``offset-end:N``, code points, end exclusive)
person                 ``Person``
organization           ``PublicBody`` when its name says it is part of a state (a
                       ministry, parliament, commission, agency, embassy, police...),
                       else ``Organization``
place                  ``Address`` (``full``: the place's name; its aliases; its
                       ``country`` where its name names one)
document (entity)      ``Article`` (a report or paper a source names)
other                  ``LegalEntity``
a mention              ``Mention`` per excerpt and entity it mentions (``document``
                       the excerpt; ``resolved`` the entity where FtM allows it:
                       people, organisations, other legal entities)
event                  ``Event``: dates at their precision (a decade is a start and
                       end year), ``involved`` people and organisations, places as
                       ``location``/``addressEntity``, its excerpts as ``proof``;
                       each piece of evidence a ``Documentation`` (role ``evidence``)
claim                  ``Note`` on the entities it is about (or its sources), its
                       status and claimant in ``summary`` and ``keywords``, its
                       excerpts as ``proof``; each piece of evidence a
                       ``Documentation`` of the excerpt for the claim whose ``role`` is
                       the stance (``supports``, ``contradicts``, ``context``); a
                       claimant that is an entity an ``UnknownLink`` (role
                       ``claimant``) from it to the claim
annotator's mark       ``Note`` on the claim's note, dated ``createdAt``, the
                       annotator as ``publisher``, and ``keywords`` for the kind,
                       ``annotator:``, ``status:`` and ``previous-status:``
relationship           the nearest FtM interval its ends' schemata allow (member of:
                       ``Membership``; employed by: ``Employment``; leads, directs:
                       ``Directorship``; family: ``Family``; associate of two people:
                       ``Associate``; represents: ``Representation``; else, and
                       whenever an end is not of the schema's range, ``UnknownLink``
                       with the type in words as ``role``), its role, ``startDate``
                       and ``endDate`` at their precision (a decade: its first or
                       last year), its status in ``status`` and ``summary``, its
                       evidence as ``proof`` and, by stance, in ``summary``
                       (retired relationships are left out)
relationship mark      ``Note`` on both its entities, as a claim's mark
=====================  ==============================================================

URLs are written only when they are well-formed ``http(s)`` URLs. Ids are
stable: a hash of the source text's sha256 (and span, for an excerpt), the
claim's uid, the mark's id, or the case uid with the row id, so exporting a
case twice gives the same entities.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..models import (
    Annotation,
    ClaimRecord,
    EntityRecord,
    EventRecord,
    ExcerptRecord,
    RelationshipAnnotation,
    RelationshipRecord,
    SourceRecord,
)
from ..text import folded_words, json_safe
from .common import web_url
from .places import place_country

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
# FollowTheMoney's limits on text: one value, and all of an entity's text.
TEXT_VALUE_LIMIT = 65_000
TEXT_TOTAL_LIMIT = 30 * 1024 * 1024 - 1_000_000  # room for the entity's other text

Entity = dict[str, Any]


def ftm_id(*parts: object) -> str:
    return hashlib.sha1(":".join(["casebook", *map(str, parts)]).encode("utf-8")).hexdigest()


def entity_schema(entity: EntityRecord) -> str:
    if entity.kind == "organization" and PUBLIC_BODY_WORDS & set(folded_words(entity.name)):
        return "PublicBody"
    return SCHEMA_OF_KIND[entity.kind]


def ftm_date(value: str) -> str:
    """A timestamp as FollowTheMoney keeps it: to the second, no zone (UTC)."""
    return value[:19]


def text_values(text: str) -> tuple[list[str], bool]:
    """``text`` in values FtM keeps whole: split after line ends (or anywhere, in
    a line longer than a value), each at most 65,000 characters; and whether
    FtM's limit on an entity's text cut it short."""
    values: list[str] = []
    total = 0
    start = 0
    while start < len(text):
        end = min(start + TEXT_VALUE_LIMIT, len(text))
        if end < len(text):
            newline = text.rfind("\n", start, end)
            end = newline + 1 if newline > start else end
        if total + (end - start) > TEXT_TOTAL_LIMIT:
            return values, True
        values.append(text[start:end])
        total += end - start
        start = end
    return values, False


def write_ftm(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    count = 0
    with case.snapshot():
        for entity in _Export(case, include_retired=include_retired).entities():
            out.write(json_safe(json.dumps(entity, ensure_ascii=False)) + "\n")
            count += 1
    return count


def _entity(entity_id: str, schema: str, properties: dict[str, list[str]]) -> Entity:
    cleaned = {}
    for name, values in properties.items():
        # FollowTheMoney keeps values trimmed; so does this export, to be canonical.
        kept = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if kept:
            cleaned[name] = kept
    return {"id": entity_id, "schema": schema, "properties": cleaned}


class _Export:
    def __init__(self, case: Case, *, include_retired: bool):
        self.case = case
        self.include_retired = include_retired
        self.case_uid = walk.meta(case).get("case_uid", "")
        self.source_ids: dict[int, str] = {}
        self.source_shas: dict[int, str] = {}
        self.kinds: dict[int, str] = {}
        self.schemas: dict[int, str] = {}
        self.names: dict[int, str] = {}

    def entity_ref(self, entity_id: int) -> str:
        return ftm_id(self.case_uid, "entity", entity_id)

    def excerpt_ref(self, source_id: int, start: int, end: int) -> str:
        return ftm_id("excerpt", self.source_shas[source_id], start, end)

    def _spans(self, excerpt_ids: Iterable[int]) -> list[tuple[int, int, int]]:
        """(source id, start, end) of excerpts, in reading order."""
        ids = list(excerpt_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [tuple(row) for row in self.case.rows(
            f'SELECT source_id, start, "end" FROM excerpts WHERE id IN ({marks}) ORDER BY source_id, start',
            ids)]

    def excerpt_refs(self, excerpt_ids: Iterable[int]) -> list[str]:
        return [self.excerpt_ref(*span) for span in self._spans(excerpt_ids)]

    def source_refs(self, excerpt_ids: Iterable[int]) -> list[str]:
        return list(dict.fromkeys(self.source_ids[span[0]] for span in self._spans(excerpt_ids)))

    def entities(self) -> Iterator[Entity]:
        for info in walk.source_infos(self.case):
            assert info.id is not None
            self.source_ids[info.id] = ftm_id("source", info.sha256)
            self.source_shas[info.id] = info.sha256
        for source in walk.sources(self.case):
            yield self.source(source)
        for entity in walk.entities(self.case, include_retired=self.include_retired):
            self.kinds[entity.id], self.schemas[entity.id], self.names[entity.id] = (
                entity.kind, entity_schema(entity), entity.name)
            yield _entity(self.entity_ref(entity.id), self.schemas[entity.id], _entity_properties(entity))
        for excerpt in walk.excerpts(self.case, include_retired=self.include_retired):
            yield self.excerpt(excerpt)
            yield from self.mentions(excerpt)
        for event in walk.events(self.case, include_retired=self.include_retired):
            yield from self.event(event)
        for claim in walk.claims(self.case, include_retired=self.include_retired):
            yield from self.claim(claim)
        for mark in walk.annotations(self.case, include_retired=self.include_retired):
            yield self.mark(mark)
        for relationship in walk.relationships(self.case, include_retired=self.include_retired):
            yield self.relationship(relationship)
        for tie_mark in walk.relationship_annotations(self.case):
            found = self.tie_mark(tie_mark)
            if found is not None:
                yield found

    def source(self, source: SourceRecord) -> Entity:
        body, cut = text_values(source.text)
        kept = sum(map(len, body))
        said = (f"FollowTheMoney keeps at most 30 MiB of an entity's text: bodyText holds the first "
                f"{kept:,} of {len(source.text):,} characters; its excerpts hold all of it." if cut else "")
        schema = "Article" if source.publisher or source.url else "PlainText"
        return _entity(self.source_ids[source.id], schema, {
            "title": [source.title],
            "fileName": [f"casebook-source-{source.id}.txt"],
            "author": [source.author],
            "publisher": [source.publisher],
            "sourceUrl": [web_url(source.url)],
            "publishedAt": [source.published],
            "mimeType": ["text/plain"],
            "bodyText": body,
            "description": [said],
        })

    def excerpt(self, excerpt: ExcerptRecord) -> Entity:
        source = self.source_ids[excerpt.source_id]
        return _entity(self.excerpt_ref(excerpt.source_id, excerpt.start, excerpt.end), "PlainText", {
            "title": [f"Excerpt, characters {excerpt.start}–{excerpt.end} of source {excerpt.source_id}"],
            "fileName": [f"casebook-source-{excerpt.source_id}-{excerpt.start}-{excerpt.end}.txt"],
            "mimeType": ["text/plain"],
            "bodyText": text_values(excerpt.text)[0],
            "proof": [source],
            "keywords": ["casebook excerpt", excerpt.kind, f"offset-start:{excerpt.start}",
                         f"offset-end:{excerpt.end}"],
        })

    def mentions(self, excerpt: ExcerptRecord) -> Iterator[Entity]:
        document = self.excerpt_ref(excerpt.source_id, excerpt.start, excerpt.end)
        for entity_id in excerpt.entity_ids:
            if entity_id not in self.kinds:
                continue   # a link to an entity the case lacks (a damaged file): nothing to name
            resolved = [self.entity_ref(entity_id)] if self.kinds[entity_id] in LEGAL_KINDS else []
            yield _entity(ftm_id("mention", document, self.entity_ref(entity_id)), "Mention", {
                "document": [document], "resolved": resolved, "name": [self.names[entity_id]],
                "detectedSchema": [self.schemas[entity_id]]})

    def event(self, event: EventRecord) -> Iterator[Entity]:
        event_id = ftm_id(self.case_uid, "event", event.id)
        evidence = self.excerpt_refs(event.excerpt_ids)
        yield _entity(event_id, "Event", _event_properties(event, self, evidence))
        for document in evidence:
            yield _entity(ftm_id("documentation", event_id, document), "Documentation", {
                "document": [document], "entity": [event_id], "role": ["evidence"]})

    def claim(self, claim: ClaimRecord) -> Iterator[Entity]:
        note_id = ftm_id("claim", claim.uid)
        about = [self.entity_ref(link.entity_id) for link in claim.entities if link.role == "subject"]
        sources = self.source_refs(link.excerpt_id for link in claim.evidence)
        evidence = self.excerpt_refs(link.excerpt_id for link in claim.evidence)
        claimed = f"; claimed by {claim.claimant}" if claim.claimant else ""
        yield _entity(note_id, "Note", {
            "description": [claim.statement],
            "summary": [f"Claim {claim.status}{claimed}"],
            "entity": about or sources,
            "proof": evidence,
            "keywords": ["casebook claim", claim.status, f"status:{claim.status}"],
            "modifiedAt": [ftm_date(claim.updated_at)],
        })
        for link in claim.evidence:
            (document,) = self.excerpt_refs([link.excerpt_id])
            yield _entity(ftm_id("documentation", note_id, document), "Documentation", {
                "document": [document], "entity": [note_id], "role": [link.stance],
                "summary": [f"{link.stance} the claim: {claim.statement}"]})
        for claimant in claim.entities:
            if claimant.role == "claimant":
                yield _entity(ftm_id("claimant", note_id, claimant.entity_id), "UnknownLink", {
                    "subject": [self.entity_ref(claimant.entity_id)], "object": [note_id],
                    "role": ["claimant"]})

    def mark(self, mark: Annotation) -> Entity:
        note = f": {mark.note}" if mark.note.strip() else ""
        claim_uid = self.case.scalar("SELECT uid FROM claims WHERE id = ?", [mark.claim_id])
        return _entity(ftm_id("mark", mark.id), "Note", {
            "entity": [ftm_id("claim", claim_uid)],
            "description": [f"{mark.annotator} {mark.action}{note}"],
            "publisher": [mark.annotator],
            "keywords": [f"casebook {mark.kind}", mark.status, f"annotator:{mark.annotator}",
                         f"status:{mark.status}", f"previous-status:{mark.previous_status}"],
            "createdAt": [ftm_date(mark.created_at)],
        })


    def relationship_ref(self, relationship_id: int) -> str:
        return ftm_id(self.case_uid, "relationship", relationship_id)

    def relationship(self, relationship: RelationshipRecord) -> Entity:
        subject, object_ = relationship.subject_entity_id, relationship.object_entity_id
        schema = interval_schema(relationship.type, self.schemas.get(subject, "Thing"),
                                 self.schemas.get(object_, "Thing"))
        source, target = INTERVAL_ENDS[schema]
        excerpts = [link.excerpt_id for link in relationship.evidence]
        stances = {stance: [link.excerpt_id for link in relationship.evidence
                            if link.stance == stance] for stance in ("supports", "contradicts",
                                                                     "context")}
        said = "; ".join(f"{stance}: {len(ids)} excerpt{'s' if len(ids) != 1 else ''}"
                         for stance, ids in stances.items() if ids)
        words = relationship.type_label
        properties: dict[str, list[str]] = {
            source: [self.entity_ref(subject)], target: [self.entity_ref(object_)],
            "description": [relationship.description],
            "summary": [f"{words} ({relationship.status})" + (f"; evidence {said}" if said else "")],
            "proof": self.excerpt_refs(excerpts),
            "recordId": [relationship.uid],
        }
        role = relationship.role or (words if schema == "UnknownLink" else "")
        if schema in ("Family", "Associate"):
            properties["relationship"] = [role]
        else:
            properties["role"] = [role]
            properties["status"] = [relationship.status]
        start, end = relationship.date_start, relationship.date_end
        if relationship.end_precision == "decade" and end:
            end = str(int(end[:4]) + 9)
        properties |= {"startDate": [start[:4] if relationship.start_precision == "decade"
                                     else start], "endDate": [end]}
        return _entity(self.relationship_ref(relationship.id), schema, properties)

    def tie_mark(self, mark: RelationshipAnnotation) -> Entity | None:
        row = self.case.row("SELECT subject_entity_id, object_entity_id, type, retired "
                            "FROM relationships WHERE id = ?", [mark.relationship_id])
        if row is None or (not self.include_retired and (
                row["retired"] or row[0] not in self.names or row[1] not in self.names)):
            return None   # a retired relationship's marks, or one to a retired entity's
        note = f": {mark.note}" if mark.note.strip() else ""
        words = row["type"].replace("_", " ")
        ends = f"{self.names.get(row[0], '?')} {words} {self.names.get(row[1], '?')}"
        return _entity(ftm_id("relationship-mark", mark.id), "Note", {
            "entity": [self.entity_ref(row[0]), self.entity_ref(row[1])],
            "description": [f"{mark.annotator} {mark.action} the relationship “{ends}”{note}"],
            "publisher": [mark.annotator],
            "keywords": [f"casebook relationship {mark.kind}", mark.status,
                         f"annotator:{mark.annotator}", f"status:{mark.status}",
                         f"previous-status:{mark.previous_status}",
                         f"relationship:{self.relationship_ref(mark.relationship_id)}"],
            "createdAt": [ftm_date(mark.created_at)],
        })


# A relationship type's FtM interval, its two ends' properties and their ranges
# (FollowTheMoney's schemata; tests/test_export_ftm.py holds them to FtM's model).
_INTERVAL_OF_TYPE = {"member_of": "Membership", "employed_by": "Employment",
                     "leads": "Directorship", "directs": "Directorship", "family": "Family",
                     "associate": "Associate", "represents": "Representation"}
INTERVAL_ENDS = {"Membership": ("member", "organization"), "Employment": ("employee", "employer"),
                 "Directorship": ("director", "organization"), "Family": ("person", "relative"),
                 "Associate": ("person", "associate"), "Representation": ("agent", "client"),
                 "UnknownLink": ("subject", "object")}
_INTERVAL_RANGES = {"Membership": ("LegalEntity", "Organization"),
                    "Employment": ("Person", "Organization"),
                    "Directorship": ("LegalEntity", "Organization"),
                    "Family": ("Person", "Person"), "Associate": ("Person", "Person"),
                    "Representation": ("LegalEntity", "LegalEntity")}
# The schemata this export gives entities, in each range they are of.
_IN_RANGE = {"LegalEntity": {"Person", "Organization", "PublicBody", "LegalEntity"},
             "Organization": {"Organization", "PublicBody"}, "Person": {"Person"}}


def interval_schema(type_: str, subject_schema: str, object_schema: str) -> str:
    """The interval schema for a relationship of ``type_`` between entities of
    these schemata: the type's own when both ends are in its ranges, else
    ``UnknownLink`` (between any two things)."""
    name = _INTERVAL_OF_TYPE.get(type_, "UnknownLink")
    if name == "UnknownLink":
        return name
    source, target = _INTERVAL_RANGES[name]
    if subject_schema in _IN_RANGE[source] and object_schema in _IN_RANGE[target]:
        return name
    return "UnknownLink"


def _entity_properties(entity: EntityRecord) -> dict[str, list[str]]:
    if entity.kind == "place":
        country = place_country(entity)
        return {"full": [entity.name], "alias": list(entity.aliases), "notes": [entity.description],
                "country": [country.code] if country else []}
    names = {"name": [entity.name], "alias": list(entity.aliases), "notes": [entity.description]}
    if entity.kind == "document":
        names["title"] = [entity.name]
    return names


def _event_properties(event: EventRecord, export: _Export, proof: list[str]) -> dict[str, list[str]]:
    kinds = export.kinds
    properties: dict[str, list[str]] = {
        "name": [event.title],
        "description": [event.description],
        "involved": [export.entity_ref(i) for i in event.entity_ids if kinds.get(i) in LEGAL_KINDS],
        "location": [export.names[i] for i in event.entity_ids if kinds.get(i) == "place"],
        "addressEntity": [export.entity_ref(i) for i in event.entity_ids if kinds.get(i) == "place"],
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
