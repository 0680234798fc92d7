"""``stix``: a STIX 2.1 bundle, for threat-intelligence platforms (MISP, OpenCTI).

Each kind of casebook item maps to one STIX object (``_ENTITY_OBJECTS`` and
the ``_*_objects`` functions: a new kind of item is one more mapping):

- **who made what**: an ``identity`` for the case's author (the team working
  on the case, ``identity_class: group``) and one per annotator
  (``individual``); every object has ``created_by_ref``: an annotator's
  opinions and notes their identity, everything else the case's author;
- **people, organisations, other entities**: ``identity`` (``individual``,
  ``organization``, ``unknown``); **places**: ``location`` with ``country``
  and ``region`` where the place's name or an alias names a country
  (``db.exports.places``), else no object (STIX requires a region, country
  or coordinates): such a place is named in the notes about it; **documents
  a source names**: a ``note`` on the report. Aliases travel in a property
  extension (``extension-definition`` in the bundle), as STIX 2.1 asks for
  properties it does not define;
- **events**: a ``note`` (labels ``casebook-event``, the date in words and as
  ``date-start:``/``date-end:``/``date-precision:`` labels), applied to the
  people, organisations and places taking part, with its evidence quoted.
  Why a note: STIX has no object for a dated real-world event outside cyber
  observation (``observed-data`` must point at cyber observables;
  ``campaign`` and ``incident`` assert adversarial activity), a
  ``grouping`` has no date and misp-stix would make a separate MISP event of
  each one, and partial dates (a month, a decade) have no STIX timestamp;
- **claims**: a ``note``: the statement, who claims it, what it is about and
  every evidence quote with its stance and source, in ``content`` (what MISP
  keeps) and in ``external_references``; applied to the identities and
  locations it is about and its claimant, else to the report;
- **marks**: an ``opinion`` per judgement (confirmed → ``agree``, disputed →
  ``neutral``, denied → ``disagree``), the note as ``explanation``, on the
  claim's note *and* on the objects the claim applies to: MISP attaches
  analyst data to attributes, objects and events, never to a note, so this
  is where misp-stix keeps them. A judgement taken back (an undo, or a mark
  back to unreviewed) is its opinion's latest version only, ``revoked:
  true``, its explanation saying when it was withdrawn: each object is in the
  bundle once. An annotator's note is a ``note`` like an opinion;
- **relationships**: a ``relationship`` between the two entities' objects
  (a place with no ``location`` object, or a document, leaves it out):
  ``located-at`` for an identity located in a location, else ``related-to``
  (the only types STIX defines between any two objects), the casebook type
  in words in ``description`` and as a ``casebook-type:`` label, its role,
  dates (at their precision, as labels; ``start_time``/``stop_time`` only for
  a whole day: no day is invented) and status, and its evidence quoted in
  ``external_references``; its marks are opinions as a claim's are, on the
  relationship and on both entities (retired relationships are left out);
- **the case**: a ``report`` (``report_types: threat-report``) listing every
  object, its sources as ``external_references``. A reference to a source
  (there and beside each quote) carries the SHA-256 of the source's text as
  casebook stores it: for a saved web page that is the extracted article,
  so it names the document, not the bytes the URL serves.

Ids are deterministic: a name-based hash (as UUIDv5) of the case uid and the
item, carrying the version-4 bits, because ``stix2-validator --strict``
accepts only UUIDv4 ids. A second export, or one from a copy of the case,
names every object the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_evidence, claim_history
from ..models import (
    Annotation,
    ClaimRecord,
    EntityRecord,
    EventRecord,
    Excerpt,
    RelationshipAnnotation,
    RelationshipRecord,
    SourceInfo,
    range_label,
)
from ..paging import rows_by_id
from ..relationships import relationship_evidence, relationship_history
from ..sources import EXCERPT_SELECT, excerpt_from_row
from .common import dumps, source_label, web_url
from .places import place_country

_NAMESPACE = uuid.UUID("6f1d0c2a-8b5e-4e27-b3f4-2d9c7a1e5b60")
OPINIONS = {"confirmed": "agree", "disputed": "neutral", "denied": "disagree"}
IDENTITY_CLASSES = {"person": "individual", "organization": "organization", "other": "unknown"}
_EPOCH = "1970-01-01T00:00:00.000Z"
_LIMIT = 1_000_000  # evidence and marks of a claim: all of them

Json = dict[str, Any]


def stix_id(kind: str, *parts: object) -> str:
    """``kind--uuid``: a hash of ``parts`` (deterministic) in UUIDv4 form."""
    name_based = uuid.uuid5(_NAMESPACE, ":".join([kind, *map(str, parts)]))
    return f"{kind}--{uuid.UUID(bytes=name_based.bytes, version=4)}"


class _Bundle:
    """What every object of one export shares: the case, its author, its times."""

    def __init__(self, case: Case, *, include_retired: bool):
        self.case = case
        self.include_retired = include_retired
        meta = walk.meta(case)
        self.case_uid = meta.get("case_uid", "")
        self.title = meta.get("title") or case.path.stem
        self.description = meta.get("description", "")
        self.created = meta.get("created_at") or _EPOCH
        self.latest = max(filter(None, [
            self.created,
            case.scalar("SELECT max(created_at) FROM annotations"),
            case.scalar("SELECT max(created_at) FROM relationship_annotations"),
            case.scalar("SELECT max(added_at) FROM sources"),
        ]))
        self.author_id = stix_id("identity", self.case_uid, "author")
        self.report_id = stix_id("report", self.case_uid)
        self.aliases_extension = stix_id("extension-definition", "casebook-aliases")
        self.sources = {info.id: info for info in walk.source_infos(case)}
        self.objects_of_entity: dict[int, str] = {}   # entity id -> the STIX object standing for it
        self.entity_names: dict[int, str] = {}

    def sdo(self, kind: str, object_id: str, created: str | None = None, modified: str | None = None,
            *, by: str | None = None, **properties: Any) -> Json:
        created = created or self.created
        return {"type": kind, "spec_version": "2.1", "id": object_id,
                "created_by_ref": by or self.author_id,
                "created": created, "modified": max(created, modified or created),
                **{key: value for key, value in properties.items() if value not in ("", None, [], {})}}

    def annotator_id(self, name: str) -> str:
        return stix_id("identity", "annotator", name)

    def anchors(self, entity_ids: list[int]) -> list[str]:
        """The objects analyst data about these entities is applied to, and the
        report unless one of them is an identity (misp-stix makes countries
        tags, which carry no analyst data: the event does)."""
        found = list(dict.fromkeys(self.objects_of_entity[i] for i in entity_ids
                                   if i in self.objects_of_entity))
        if not any(ref.startswith("identity--") for ref in found):
            found.append(self.report_id)
        return found


def write_stix_bundle(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    with case.snapshot():
        bundle = _Bundle(case, include_retired=include_retired)
        out.write(f'{{\n  "type": "bundle",\n  "id": '
                  f'{dumps(stix_id("bundle", bundle.case_uid, bundle.latest))},\n  "objects": [')
        refs: list[str] = []
        for stix_object in _objects(bundle):
            out.write(("\n    " if not refs else ",\n    ") + dumps(stix_object))
            refs.append(stix_object["id"])
        report = bundle.sdo(
            "report", bundle.report_id, bundle.created, bundle.latest,
            name=bundle.title, description=bundle.description, published=bundle.latest,
            report_types=["threat-report"], object_refs=refs,
            external_references=[_source_reference(info) for info in bundle.sources.values()])
        out.write(",\n    " + dumps(report) + "\n  ]\n}\n")
    return len(refs) + 1


def _objects(bundle: _Bundle) -> Iterator[Json]:
    yield bundle.sdo("identity", bundle.author_id, name=f"{bundle.title} (casebook case)",
                     identity_class="group", description="The analysts working on this case.")
    yield bundle.sdo(
        "extension-definition", bundle.aliases_extension, _EPOCH, _EPOCH,
        name="casebook aliases", version="1.0.0", extension_types=["property-extension"],
        description="Other names an entity goes by, as the case records them.",
        schema="A property extension with one property, aliases: a list of strings, the other names "
               "of the identity or location (casebook's entity_aliases).")
    for row in bundle.case.rows("SELECT annotator FROM annotations UNION "
                                "SELECT annotator FROM relationship_annotations ORDER BY 1"):
        yield bundle.sdo("identity", bundle.annotator_id(row[0]), name=row[0], identity_class="individual",
                         roles=["annotator"])
    for entity in walk.entities(bundle.case, include_retired=bundle.include_retired):
        bundle.entity_names[entity.id] = entity.name
        stix_object = _ENTITY_OBJECTS[entity.kind](bundle, entity)
        if stix_object is not None:
            if entity.kind != "document":
                bundle.objects_of_entity[entity.id] = stix_object["id"]
            yield stix_object
    for event in walk.events(bundle.case, include_retired=bundle.include_retired):
        yield _event_note(bundle, event)
    for claim in walk.claims(bundle.case, include_retired=bundle.include_retired):
        yield from _claim_objects(bundle, claim)
    for relationship in walk.relationships(bundle.case, include_retired=bundle.include_retired):
        yield from _relationship_objects(bundle, relationship)


# -- entities -------------------------------------------------------------------


def _with_aliases(bundle: _Bundle, stix_object: Json, entity: EntityRecord) -> Json:
    if entity.aliases:
        stix_object["extensions"] = {bundle.aliases_extension: {
            "extension_type": "property-extension", "aliases": list(entity.aliases)}}
    return stix_object


def _identity(bundle: _Bundle, entity: EntityRecord) -> Json:
    return _with_aliases(bundle, bundle.sdo(
        "identity", stix_id("identity", bundle.case_uid, entity.id), name=entity.name,
        identity_class=IDENTITY_CLASSES[entity.kind], description=entity.description), entity)


def _location(bundle: _Bundle, entity: EntityRecord) -> Json | None:
    country = place_country(entity)
    if country is None or not country.region:
        return None
    return _with_aliases(bundle, bundle.sdo(
        "location", stix_id("location", bundle.case_uid, entity.id), name=entity.name,
        description=entity.description, country=country.code.upper(), region=country.region), entity)


def _document(bundle: _Bundle, entity: EntityRecord) -> Json:
    return bundle.sdo("note", stix_id("note", bundle.case_uid, "document", entity.id),
                      abstract=f"Document: {entity.name}", content=entity.description or entity.name,
                      object_refs=[bundle.report_id], labels=["casebook-document"])


_ENTITY_OBJECTS: dict[str, Callable[[_Bundle, EntityRecord], Json | None]] = {
    "person": _identity, "organization": _identity, "other": _identity,
    "place": _location, "document": _document,
}


# -- events and claims ----------------------------------------------------------


def _quote_line(bundle: _Bundle, excerpt: Excerpt, stance: str = "") -> str:
    where = source_label(bundle.sources[excerpt.source_id])
    said = f"{stance}: " if stance else ""
    return f"- {said}“{excerpt.text}” ({where}, characters {excerpt.start}–{excerpt.end})"


def _quote_reference(bundle: _Bundle, excerpt: Excerpt, stance: str = "") -> Json:
    source = bundle.sources[excerpt.source_id]
    said = f"{stance}: " if stance else ""
    return {"source_name": source.title or f"source {source.id}", "description": f"{said}“{excerpt.text}”",
            **_source_link(source)}


def _source_reference(source: SourceInfo) -> Json:
    return {"source_name": source.title or f"source {source.id}", "description": source_label(source),
            **_source_link(source)}


def _source_link(source: SourceInfo) -> Json:
    """The source's URL, with the SHA-256 of its text as casebook stores it (for a
    saved page, the extracted article): it names the document, not the page's bytes."""
    link: Json = {"hashes": {"SHA-256": source.sha256}}
    if web_url(source.url):
        link["url"] = source.url
    return link


def _names(bundle: _Bundle, entity_ids: list[int]) -> str:
    return ", ".join(bundle.entity_names[i] for i in entity_ids if i in bundle.entity_names)


def _event_note(bundle: _Bundle, event: EventRecord) -> Json:
    when = range_label(event.date_start, event.date_end, event.date_precision)
    evidence = _excerpts(bundle.case, list(event.excerpt_ids))
    lines = [event.title, *([event.description] if event.description else [])]
    if event.entity_ids:
        lines.append(f"Taking part: {_names(bundle, list(event.entity_ids))}")
    if evidence:
        lines += ["Evidence:", *(_quote_line(bundle, excerpt) for excerpt in evidence)]
    dates = [f"date-precision:{event.date_precision}", *([f"date-start:{event.date_start}"] * bool(
        event.date_start)), *([f"date-end:{event.date_end}"] * bool(event.date_end))]
    return bundle.sdo(
        "note", stix_id("note", bundle.case_uid, "event", event.id), abstract=f"Event, {when}: {event.title}",
        content="\n\n".join(lines), object_refs=bundle.anchors(list(event.entity_ids)),
        labels=["casebook-event", *dates],
        external_references=[_quote_reference(bundle, excerpt) for excerpt in evidence])


def _excerpts(case: Case, excerpt_ids: list[int]) -> list[Excerpt]:
    return [excerpt_from_row(row) for row in rows_by_id(case, EXCERPT_SELECT, excerpt_ids)]


def _claim_objects(bundle: _Bundle, claim: ClaimRecord) -> Iterator[Json]:
    subjects = [link.entity_id for link in claim.entities if link.role == "subject"]
    claimants = [link.entity_id for link in claim.entities if link.role == "claimant"]
    anchors = bundle.anchors(subjects + claimants)
    history = claim_history(bundle.case, claim.id, limit=_LIMIT)
    evidence = claim_evidence(bundle.case, claim.id, limit=_LIMIT,
                              include_retired=bundle.include_retired)
    created = min([bundle.created, *(mark.created_at for mark in history)])
    lines = [claim.statement]
    if claim.claimant:
        lines.append(f"Claimed by: {claim.claimant}")
    if subjects:
        lines.append(f"About: {_names(bundle, subjects)}")
    lines.append(f"Status: {claim.status}")
    if evidence:
        lines += ["Evidence:", *(_quote_line(bundle, item.excerpt, item.stance) for item in evidence)]
    note_id = stix_id("note", claim.uid)
    yield bundle.sdo(
        "note", note_id, created, claim.updated_at, abstract=f"Claim ({claim.status})",
        content="\n\n".join(lines), object_refs=anchors, labels=["casebook-claim", claim.status],
        external_references=[_quote_reference(bundle, item.excerpt, item.stance) for item in evidence])
    yield from _mark_objects(bundle, history, [note_id, *anchors])


def _relationship_objects(bundle: _Bundle, relationship: RelationshipRecord) -> Iterator[Json]:
    source = bundle.objects_of_entity.get(relationship.subject_entity_id)
    target = bundle.objects_of_entity.get(relationship.object_entity_id)
    if source is None or target is None:
        return
    located = (relationship.type == "located_in" and source.startswith("identity--")
               and target.startswith("location--"))
    history = relationship_history(bundle.case, relationship.id, limit=_LIMIT)
    evidence = relationship_evidence(bundle.case, relationship.id, limit=_LIMIT,
                                     include_retired=bundle.include_retired)
    created = min([relationship.created_at or bundle.created, *(m.created_at for m in history)])
    words = relationship.type_label
    said = "; ".join(part for part in (relationship.role, relationship.date_label) if part)
    description = (f"{bundle.entity_names.get(relationship.subject_entity_id, '?')} {words} "
                   f"{bundle.entity_names.get(relationship.object_entity_id, '?')}"
                   + (f" ({said})" if said else "") + f". Status: {relationship.status}."
                   + (f" {relationship.description}" if relationship.description else ""))
    dates = [*([f"date-start:{relationship.date_start}"] * bool(relationship.date_start)),
             *([f"date-end:{relationship.date_end}"] * bool(relationship.date_end))]
    times = {}
    if relationship.start_precision == "day":
        times["start_time"] = f"{relationship.date_start}T00:00:00.000Z"
    if relationship.end_precision == "day":
        times["stop_time"] = f"{relationship.date_end}T23:59:59.999Z"
    relationship_id = stix_id("relationship", relationship.uid)
    yield bundle.sdo(
        "relationship", relationship_id, created, relationship.updated_at or None,
        relationship_type="located-at" if located else "related-to", source_ref=source,
        target_ref=target, description=description,
        labels=["casebook-relationship", f"casebook-type:{relationship.type}",
                relationship.status, *dates],
        external_references=[_quote_reference(bundle, item.excerpt, item.stance)
                             for item in evidence], **times)
    yield from _mark_objects(bundle, history, [relationship_id, source, target])


def _mark_objects(bundle: _Bundle, history: Sequence[Annotation | RelationshipAnnotation],
                  applied_to: list[str]) -> Iterator[Json]:
    """An opinion per judgement, in its latest version only; an annotator's note is a note."""
    opinions: dict[str, Json] = {}           # annotation id -> its opinion
    standing: dict[str, str] = {}            # annotator -> annotation id of their standing judgement
    for mark in history:
        by = bundle.annotator_id(mark.annotator)
        if mark.kind == "note":
            on = "a claim" if isinstance(mark, Annotation) else "a relationship"
            yield bundle.sdo("note", stix_id("note", mark.id), mark.created_at, by=by, content=mark.note,
                             abstract=f"Annotator's note on {on}", authors=[mark.annotator],
                             object_refs=applied_to, labels=["casebook-annotation-note"])
            continue
        if mark.kind == "mark" and mark.status in OPINIONS:
            opinions[mark.id] = bundle.sdo(
                "opinion", stix_id("opinion", mark.id), mark.created_at, by=by,
                opinion=OPINIONS[mark.status], explanation=mark.note.strip() and mark.note,
                authors=[mark.annotator], object_refs=applied_to)
            standing[mark.annotator] = mark.id
            continue
        # An undo, or a mark back to unreviewed: the judgement it takes back is withdrawn.
        withdrawn = mark.undoes if mark.kind == "undo" else standing.pop(mark.annotator, "")
        opinion = opinions.get(withdrawn)
        if opinion is not None and not opinion.get("revoked") and mark.created_at > opinion["created"]:
            said = f" Their note: {opinion['explanation']}" if opinion.get("explanation") else ""
            opinion.update(modified=mark.created_at, revoked=True,
                           explanation=f"Withdrawn by {mark.annotator} on {mark.created_at[:10]}.{said}")
    yield from opinions.values()
