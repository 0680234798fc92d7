"""``misp``: the case as one MISP event (MISP's JSON format), built with PyMISP.

PyMISP is an optional extra (``pip install 'casebook[misp]'``); without it
this format says so in one line. Each kind of item is one mapping onto a
MISP object template that PyMISP ships (``_ENTITY_OBJECTS`` and the
``_*_object`` functions):

- the case: the event (``info`` its title, its description an event report);
- a source: a ``report`` object (title, summary, link);
- a person: ``person`` (full-name, alias, text); an organisation or other
  entity: ``organization`` (name, alias, description); a place:
  ``geolocation`` (address, and country and countrycode where its name
  names one, else its name as the region); a document a source names: ``report``;
- an event: ``temporal-event`` (summary, description with the date in
  words), with ``first_seen``/``last_seen`` spanning the period its date
  names, referring to the people and places taking part (``involves``);
- a claim: an ``annotation`` object (text: the statement, type ``claim``,
  its status as a ``casebook:status`` tag), referring to what it is about
  (``annotates``) and its claimant (``claimed-by``); each quote it cites is
  an ``annotation`` object of type ``evidence`` (the quote, the source's
  link) that refers to the claim as it stands (``supports``,
  ``contradicts``, ``context-for``);
- a relationship: a reference from its subject's object to its object's,
  typed from MISP's own list of relationships (``RELATIONS``: ``member-of``,
  ``works-for``, ``controls``, ``is-in-relation-with`` for family,
  ``related-to`` for other), its role, dates and status as the comment;
  and, to carry its evidence and marks, an ``annotation`` object of type
  ``relationship`` (the relationship in words, its status as a tag) that
  ``annotates`` both ends, with each quote an evidence object as a claim's;
- an annotator's judgement: a MISP Opinion on the claim's (or the
  relationship's) object: confirmed
  100, disputed 50, denied 0, the note as comment, the annotator as author,
  its time; a judgement later taken back (an undo, or a mark back to
  unreviewed) is a Note saying so instead, so MISP never counts it as
  standing; an annotator's note is a Note.

UUIDs are deterministic (UUIDv5 of the case uid and the item); opinions and
notes keep the annotation's own id. The event is written a object at a time.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_evidence, claim_history
from ..errors import CaseError
from ..models import (
    Annotation,
    ClaimRecord,
    EntityRecord,
    EventRecord,
    Evidence,
    Relationship,
    RelationshipAnnotation,
    SourceInfo,
    range_label,
)
from ..relationships import entity_ties, relationship_evidence, relationship_history
from .common import relationship_pages, source_label, stable_uuid, web_url
from .places import place_country

if TYPE_CHECKING:
    from pymisp import MISPObject

_NAMESPACE = uuid.UUID("2f4b8c1e-7a3d-4e59-9c06-5d1b3e8f7a24")
OPINION_VALUES = {"confirmed": 100, "disputed": 50, "denied": 0}
EVIDENCE_RELATIONS = {"supports": "supports", "contradicts": "contradicts", "context": "context-for"}
_LIMIT = 1_000_000
# A casebook relationship type as the MISP relationship (MISP's relationships list) from its
# subject's object to its object's.
RELATIONS = {"member_of": "member-of", "employed_by": "works-for", "leads": "controls",
             "family": "is-in-relation-with", "associate": "associated-with", "owns": "owner-of",
             "directs": "directs", "represents": "represents", "located_in": "located-at",
             "other": "related-to"}
# The MISP object template of each kind of entity.
_ENTITY_TEMPLATES = {"person": "person", "organization": "organization", "other": "organization",
                     "place": "geolocation", "document": "report"}


class MispMissingError(CaseError):
    """PyMISP, which the misp format is built with, is not installed."""


def _pymisp() -> Any:
    try:
        import pymisp
    except ImportError:
        raise MispMissingError("the misp format needs PyMISP: pip install 'casebook[misp]'") from None
    return pymisp


class _Event:
    def __init__(self, case: Case, pymisp: Any, *, include_retired: bool):
        self.include_retired = include_retired
        self.case = case
        self.pymisp = pymisp
        meta = walk.meta(case)
        self.case_uid = meta.get("case_uid", "")
        self.meta = meta
        self.entity_uuids: dict[int, str] = {}

    def uuid(self, *parts: object) -> str:
        return stable_uuid(_NAMESPACE, self.case_uid, *parts)

    def new_object(self, template: str, *parts: object) -> MISPObject:
        made: MISPObject = self.pymisp.MISPObject(template, standalone=False)
        made.uuid = self.uuid(template, *parts)
        return made


def write_misp_event(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    pymisp = _pymisp()
    with case.snapshot():
        event = _Event(case, pymisp, include_retired=include_retired)
        header = pymisp.MISPEvent()
        header.uuid = event.uuid("event")
        header.info = event.meta.get("title") or case.path.stem
        header.date = (event.meta.get("created_at") or "1970-01-01")[:10]
        header.distribution = 0      # this organisation only: the case is research in progress
        header.threat_level_id = 4   # undefined
        header.analysis = 1          # ongoing
        header.add_tag("casebook:case")
        if event.meta.get("description"):
            header.add_event_report(name="Case description", content=event.meta["description"],
                                    uuid=event.uuid("description"))
        fields = json.loads(header.to_json())
        out.write('{"Event": ' + json.dumps(fields, ensure_ascii=False)[:-1] + ', "Object": [')
        count = 0
        for made in _objects(event):
            _name_parts(made)
            out.write(("\n  " if count == 0 else ",\n  ") + made.to_json())
            count += 1
        out.write("\n]}}\n")
    return count


def _name_parts(made: MISPObject) -> None:
    """Attributes and references get UUIDs derived from their object's (PyMISP
    would draw random ones), so two exports of a case are the same file."""
    base = uuid.UUID(made.uuid)
    for number, attribute in enumerate(made.attributes):
        attribute.uuid = str(uuid.uuid5(base, f"attribute:{number}"))
    for number, reference in enumerate(made.references):
        reference.uuid = str(uuid.uuid5(base, f"reference:{number}"))


def _objects(event: _Event) -> Iterator[MISPObject]:
    source_uuids: dict[int, str] = {}
    for info in walk.source_infos(event.case):
        made = _source_object(event, info)
        assert info.id is not None
        source_uuids[info.id] = made.uuid
        yield made
    for entity in walk.entities(event.case, include_retired=event.include_retired):
        made = _ENTITY_OBJECTS[entity.kind](event, entity)
        event.entity_uuids[entity.id] = made.uuid
        _relationship_references(event, made, entity)
        yield made
    for record in walk.events(event.case, include_retired=event.include_retired):
        yield _event_object(event, record)
    sources = {info.id: info for info in walk.source_infos(event.case)}
    for claim in walk.claims(event.case, include_retired=event.include_retired):
        yield from _claim_objects(event, claim, sources)
    for _, page, names in relationship_pages(event.case, include_retired=event.include_retired):
        for relationship in page:
            yield from _relationship_objects(event, relationship, names, sources)


def _source_object(event: _Event, info: SourceInfo) -> MISPObject:
    made = event.new_object("report", "source", info.sha256)
    made.add_attribute("title", info.title or f"source {info.id}")
    made.add_attribute("summary", source_label(info))
    made.add_attribute("type", "source")
    if web_url(info.url):
        made.add_attribute("link", info.url)
    return made


# -- entities -------------------------------------------------------------------


def _entity_uuid(event: _Event, kind: str, entity_id: int | None) -> str:
    return event.uuid(_ENTITY_TEMPLATES[kind], "entity", entity_id)


def _relationship_references(event: _Event, made: MISPObject, entity: EntityRecord) -> None:
    """The entity's relationships as the subject, as references to the other end's object."""
    for tie in entity_ties(event.case, entity.id or 0, limit=_LIMIT, include_retired=event.include_retired):
        if tie.outgoing:
            relationship = tie.relationship
            said = "; ".join(part for part in (relationship.type_label, relationship.role,
                                               relationship.date_label, relationship.status) if part)
            made.add_reference(_entity_uuid(event, tie.other.kind, tie.other.id),
                               RELATIONS[relationship.type], comment=f"casebook: {said}")


def _named(event: _Event, template: str, entity: EntityRecord, *, name: str, about: str) -> MISPObject:
    made = event.new_object(template, "entity", entity.id)
    made.add_attribute(name, entity.name)
    for alias in entity.aliases:
        made.add_attribute("alias", alias)
    if entity.description:
        made.add_attribute(about, entity.description)
    return made


def _person(event: _Event, entity: EntityRecord) -> MISPObject:
    return _named(event, "person", entity, name="full-name", about="text")


def _organization(event: _Event, entity: EntityRecord) -> MISPObject:
    made = _named(event, "organization", entity, name="name", about="description")
    if entity.kind == "other":
        made.add_attribute("type-of-organization", "other (casebook)")
    return made


def _place(event: _Event, entity: EntityRecord) -> MISPObject:
    made = event.new_object("geolocation", "entity", entity.id)
    made.add_attribute("address", entity.name)
    country = place_country(entity)
    if country is not None:
        made.add_attribute("country", country.name)
        made.add_attribute("countrycode", country.code.upper())
    else:  # the template needs one of its places: the name, as the area it is
        made.add_attribute("region", entity.name)
    also = f"Also called {', '.join(entity.aliases)}. " if entity.aliases else ""
    if also or entity.description:
        made.add_attribute("text", f"{also}{entity.description}".strip())  # one text in this template
    return made


def _document(event: _Event, entity: EntityRecord) -> MISPObject:
    made = event.new_object("report", "entity", entity.id)
    made.add_attribute("title", entity.name)
    made.add_attribute("type", "document named in a source")
    if entity.description:
        made.add_attribute("summary", entity.description)
    return made


_ENTITY_OBJECTS: dict[str, Callable[[_Event, EntityRecord], MISPObject]] = {
    "person": _person, "organization": _organization, "other": _organization,
    "place": _place, "document": _document,
}


# -- events and claims ----------------------------------------------------------


def _period(record: EventRecord) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The first and last second of the period an event's date names (UTC)."""
    if record.date_precision == "unknown" or not record.date_start or record.damage:
        return None   # no date, or one that cannot be read (a damaged row: its label says it)
    start, end = record.date_start, record.date_end or record.date_start
    year, month = int(end[:4]), int(end[5:7]) if len(end) >= 7 else 1
    if record.date_precision == "day":
        first, after = _day(start), _day(end) + datetime.timedelta(days=1)
    elif record.date_precision == "month":
        first, after = _day(f"{start}-01"), _day(f"{year + month // 12:04d}-{month % 12 + 1:02d}-01")
    else:
        span = 10 if record.date_precision == "decade" else 1
        first, after = _day(f"{start[:4]}-01-01"), _day(f"{year + span:04d}-01-01")
    return first, after - datetime.timedelta(seconds=1)


def _day(date: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.UTC)


def _event_object(event: _Event, record: EventRecord) -> MISPObject:
    made = event.new_object("temporal-event", "event", record.id)
    when = range_label(record.date_start, record.date_end, record.date_precision)
    made.add_attribute("summary", record.title)
    made.add_attribute("description", f"{when}. {record.description}".strip())
    made.add_attribute("type", f"event (date precision: {record.date_precision})")
    period = _period(record)
    if period:
        made.first_seen, made.last_seen = period
    for entity_id in record.entity_ids:
        if entity_id in event.entity_uuids:
            made.add_reference(event.entity_uuids[entity_id], "involves")
    return made


def _claim_objects(event: _Event, claim: ClaimRecord, sources: dict[int | None, SourceInfo]
                   ) -> Iterator[MISPObject]:
    made = event.new_object("annotation", "claim", claim.uid)
    made.uuid = stable_uuid(_NAMESPACE, "claim", claim.uid)  # the same in every copy of the case
    text = made.add_attribute("text", claim.statement)
    if text is not None:
        text.add_tag(f'casebook:status="{claim.status}"')
    made.add_attribute("type", "claim")
    if claim.claimant:
        made.add_attribute("format", f"claimed by {claim.claimant}")
    if claim.updated_at:
        made.add_attribute("modification-date", claim.updated_at)
    for link in claim.entities:
        if link.entity_id in event.entity_uuids:
            made.add_reference(event.entity_uuids[link.entity_id],
                               "annotates" if link.role == "subject" else "claimed-by")
    _analyst_data(made, claim_history(event.case, claim.id, limit=_LIMIT))
    yield made
    yield from _quotes(event, made, claim.uid, claim_evidence(
        event.case, claim.id, limit=_LIMIT, include_retired=event.include_retired), sources)


def _quotes(event: _Event, made: MISPObject, uid: str, evidence: list[Evidence],
            sources: dict[int | None, SourceInfo]) -> Iterator[MISPObject]:
    """Each quote an ``evidence`` annotation referring to what it is evidence for."""
    for item in evidence:
        excerpt = item.excerpt
        source = sources[excerpt.source_id]
        quote = event.new_object("annotation", "evidence", uid, excerpt.id)
        quote.add_attribute("text", excerpt.text)
        quote.add_attribute("type", f"evidence ({item.stance})")
        where = f"{source_label(source)}, characters {excerpt.start}–{excerpt.end}"
        quote.add_attribute("format", where)
        if web_url(source.url):
            quote.add_attribute("ref", source.url)
        quote.add_reference(made.uuid, EVIDENCE_RELATIONS[item.stance])
        yield quote


def _relationship_objects(event: _Event, relationship: Relationship, names: dict[int | None, str],
                          sources: dict[int | None, SourceInfo]) -> Iterator[MISPObject]:
    made = event.new_object("annotation", "relationship", relationship.uid)
    made.uuid = stable_uuid(_NAMESPACE, "relationship", relationship.uid)  # the same in every copy
    said = "; ".join(part for part in (relationship.role, relationship.date_label) if part)
    words = (f"{names.get(relationship.subject_entity_id, '?')} {relationship.type_label} "
             f"{names.get(relationship.object_entity_id, '?')}" + (f" ({said})" if said else "")
             + (f". {relationship.description}" if relationship.description else ""))
    text = made.add_attribute("text", words)
    if text is not None:
        text.add_tag(f'casebook:status="{relationship.status}"')
    made.add_attribute("type", f"relationship ({relationship.type})")
    if relationship.updated_at:
        made.add_attribute("modification-date", relationship.updated_at)
    for end in (relationship.subject_entity_id, relationship.object_entity_id):
        if end in event.entity_uuids:
            made.add_reference(event.entity_uuids[end], "annotates")
    _analyst_data(made, relationship_history(event.case, relationship.id or 0, limit=_LIMIT),
                  kind="relationship")
    yield made
    yield from _quotes(event, made, relationship.uid, relationship_evidence(
        event.case, relationship.id or 0, limit=_LIMIT, include_retired=event.include_retired), sources)


_Mark = Annotation | RelationshipAnnotation


def _analyst_data(made: MISPObject, history: Sequence[_Mark], *, kind: str = "claim") -> None:
    """Opinions for judgements that stand (or were superseded), Notes for the rest."""
    withdrawn: dict[str, _Mark] = {}     # judgement id -> the annotation that took it back
    standing: dict[str, str] = {}
    for mark in history:
        if mark.kind == "mark" and mark.status in OPINION_VALUES:
            standing[mark.annotator] = mark.id
        elif mark.kind == "undo" and mark.undoes:
            withdrawn[mark.undoes] = mark
        elif mark.kind == "mark":   # back to unreviewed: their judgement withdrawn
            if mark.annotator in standing:
                withdrawn[standing.pop(mark.annotator)] = mark
    for mark in history:
        # UTC, without a zone: what MISP sends and what PyMISP reads back (it appends +00:00).
        when = datetime.datetime.fromisoformat(mark.created_at.removesuffix("Z"))
        if mark.kind == "note":
            made.add_note(mark.note, uuid=mark.id, authors=mark.annotator, created=when, modified=when)
        elif mark.kind == "mark" and mark.status in OPINION_VALUES:
            taken_back = withdrawn.get(mark.id)
            if taken_back is None:
                made.add_opinion(OPINION_VALUES[mark.status], mark.note or None, uuid=mark.id,
                                 authors=mark.annotator, created=when, modified=when)
            else:
                said = f" Their note: {mark.note}" if mark.note.strip() else ""
                withdrawn_on = taken_back.created_at[:10]
                made.add_note(f"{mark.annotator} judged this {kind} {mark.status} on "
                              f"{mark.created_at[:10]}, then withdrew it on {withdrawn_on}.{said}",
                              uuid=mark.id, authors=mark.annotator, created=when, modified=when)
        elif mark.note.strip():     # an undo or a withdrawal that says why
            made.add_note(mark.note, uuid=mark.id, authors=mark.annotator, created=when, modified=when)

