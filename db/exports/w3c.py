"""``w3c``: evidence and annotators' marks as W3C Web Annotations (JSON-LD).

One ``AnnotationCollection`` with its annotations embedded in its first page.
Each annotation carries its own ``@context``, so any one of them can be taken
out and stand alone (the W3C test suite checks annotations one by one):

- each excerpt a claim cites is an annotation (motivation ``linking``): its
  body is the claim (a ``SpecificResource`` whose source is ``urn:uuid:`` of
  the claim's uid, labelled with the statement, purpose ``linking``) and a
  tag with the stance (``supports``, ``contradicts``, ``context``);
- each excerpt an event cites likewise, the event labelled with its date;
- each excerpt a relationship cites likewise, the relationship (``urn:uuid:``
  of its uid) labelled in words ("Kirill Logvinov leads Russian Permanent
  Mission to the EU"), and each mark on a relationship as a claim's;
- each mark an annotator made on a claim is an annotation (motivation
  ``assessing``; a note alone is ``commenting``) with its ``creator`` (an
  id, ``urn:uuid:`` of the annotator's name, and the name) and ``created``
  time, whose bodies are the status given, the note, and the claim, and
  whose targets are the claim's evidence (the claim itself if it has none).

``assessing`` is a motivation of the model that the published context
(``http://www.w3.org/ns/anno.jsonld``) forgot to define, so every
``@context`` adds it as ``oa:assessing``: without that a JSON-LD processor
expands it to a relative IRI.

Every text target is a ``SpecificResource`` with a ``TextQuoteSelector``
(``exact`` and 32 characters of ``prefix``/``suffix``) and a
``TextPositionSelector``. Its ``source`` is the source's text as casebook
stores it, named by an RFC 6920 ``ni:`` URI of its SHA-256: positions count
code points of that text (NFC), so they anchor exactly in the resource the
target names. For a saved web page that text is the article extracted from
the page, not the page: the page's URL is the source's ``via`` (where the
text came from), and the quote selector anchors on the page itself too.
The source also carries its title (``dc:title``), publisher
(``dcterms:publisher``), author (``creator``) and date (``dcterms:issued``).
A target in a PDF adds a ``FragmentSelector`` naming its page (RFC 3778,
``page=12``).
Ids are ``urn:uuid:`` URNs, stable across exports.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_history
from ..models import (
    Annotation,
    ClaimRecord,
    EventRecord,
    Relationship,
    RelationshipAnnotation,
    SourceInfo,
    range_label,
)
from ..paging import live, rows_by_id
from ..relationships import live_relationships, relationship_evidence, relationship_history
from ..source_details import page_place
from ..sources import EXCERPT_SELECT, source_slice
from .common import dumps, relationship_pages, stable_uuid, web_url

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"assessing": "oa:assessing"}]
CONTEXT_LENGTH = 32
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
_NAMESPACE = uuid.UUID("0b6a3f7e-63e1-4d4c-9d0e-3c5f2a9b8e71")
_HISTORY_LIMIT = 1_000_000  # every mark of a claim
# The words casebook writes itself (statuses, stances) are English.
_OUR_WORDS = {"format": "text/plain", "language": "en"}

Json = dict[str, Any]


def urn(*parts: object) -> str:
    return f"urn:uuid:{stable_uuid(_NAMESPACE, *parts)}"


def annotator_id(name: str) -> str:
    """The same annotator has the same id in every case and every copy."""
    return urn("annotator", name)


def ni_uri(sha256_hex: str) -> str:
    """RFC 6920 Named Information URI of a SHA-256 digest."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode("ascii")
    return f"ni:///sha-256;{digest}"


def source_resource(source: SourceInfo) -> Json:
    """The source's stored text as a resource, described by what is known of it."""
    resource: Json = {"id": ni_uri(source.sha256), "type": "Text", "format": "text/plain"}
    described = {"dc:title": source.title, "dcterms:publisher": source.publisher,
                 "dcterms:issued": source.published}
    resource.update({key: value for key, value in described.items() if value})
    if source.author:
        resource["creator"] = {"name": source.author}
    if web_url(source.url):
        resource["via"] = source.url
    return resource


class _Targets:
    """Text targets for excerpts, with the quote's context cut in SQL."""

    def __init__(self, case: Case):
        self.case = case
        self.sources = {info.id: info for info in walk.source_infos(case)}

    def of(self, excerpt_ids: Sequence[int]) -> list[Json]:
        """The targets of these excerpts, in id order (the excerpts' rows as
        :mod:`db.sources` reads them)."""
        rows = rows_by_id(self.case, EXCERPT_SELECT, sorted(set(excerpt_ids)))
        return [self.target(row) for row in rows]

    def target(self, row: sqlite3.Row) -> Json:
        source = self.sources[row["source_id"]]
        start, end = row["start"], row["end"]
        prefix = source_slice(self.case, row["source_id"], max(0, start - CONTEXT_LENGTH), start)
        suffix = source_slice(self.case, row["source_id"], end, end + CONTEXT_LENGTH)
        selectors: list[dict[str, Any]] = [
            {"type": "TextQuoteSelector", "exact": row["text"], "prefix": prefix, "suffix": suffix},
            {"type": "TextPositionSelector", "start": start, "end": end},
        ]
        place = page_place(self.case, row["source_id"], start, end)
        if place is not None:  # a PDF: the page, as RFC 3778 names a place in one
            selectors.append({"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT,
                              "value": f"page={place.first.number}"})
        return {
            "type": "SpecificResource",
            "source": source_resource(source),
            "selector": selectors,
        }


def write_w3c_annotations(case: Case, out: TextIO, *, include_retired: bool = False) -> int:
    count = 0
    with case.snapshot():
        meta = walk.meta(case)
        case_uid = meta.get("case_uid", "")
        total = _total(case, include_retired=include_retired)
        collection = {"id": urn("collection", case_uid), "label": meta.get("title", ""), "total": total}
        page_id = urn("page", case_uid, 0)  # one page, embedded: the first and the last
        out.write("{\n")
        out.write(f'  "@context": {dumps(CONTEXT)},\n')
        out.write(f'  "id": {dumps(collection["id"])},\n')
        out.write('  "type": "AnnotationCollection",\n')
        out.write(f'  "label": {dumps(collection["label"])},\n')
        out.write(f'  "total": {total},\n')
        out.write(f'  "last": {dumps(page_id)},\n')
        out.write(f'  "first": {{\n    "id": {dumps(page_id)},\n')
        out.write(f'    "type": "AnnotationPage",\n    "partOf": {dumps(collection)},\n')
        out.write('    "startIndex": 0,\n    "items": [')
        for annotation in _annotations(case, case_uid, _Targets(case), include_retired=include_retired):
            out.write(("\n      " if count == 0 else ",\n      ") + dumps(annotation))
            count += 1
        out.write("\n    ]\n  }\n}\n" if count else "]\n  }\n}\n")
    return count


def _annotation(annotation_id: str, motivation: str, body: list[Json], target: Any, **more: Any) -> Json:
    return {"@context": CONTEXT, "id": annotation_id, "type": "Annotation", "motivation": motivation,
            **more, "body": body, "target": target}


def _linked(resource_id: str, label: str) -> Json:
    """A body linking the target to a claim or an event (an id with a purpose is a
    SpecificResource: the model allows ``purpose`` there, not on the resource)."""
    return {"type": "SpecificResource", "purpose": "linking",
            "source": {"id": resource_id, "type": "Text", "label": label}}


def _tag(value: str) -> Json:
    return {"type": "TextualBody", "value": value, "purpose": "tagging", **_OUR_WORDS}


def _total(case: Case, *, include_retired: bool) -> int:
    """How many annotations the export holds: each piece of evidence and each
    mark (of items not retired, unless ``include_retired``)."""
    def shown(table: str, column: str) -> str:
        return live(table, include_retired=include_retired, column=column) or "1"
    tie = "1" if include_retired else live_relationships()
    return int(case.scalar(
        f"SELECT (SELECT count(*) FROM claim_excerpts WHERE {shown('claims', 'claim_id')} AND "
        f"{shown('excerpts', 'excerpt_id')}) + (SELECT count(*) FROM event_excerpts WHERE "
        f"{shown('events', 'event_id')} AND {shown('excerpts', 'excerpt_id')}) + "
        f"(SELECT count(*) FROM annotations WHERE {shown('claims', 'claim_id')}) + "
        f"(SELECT count(*) FROM relationship_excerpts WHERE {tie} AND {shown('excerpts', 'excerpt_id')}) + "
        f"(SELECT count(*) FROM relationship_annotations WHERE {tie})"))


def _annotations(case: Case, case_uid: str, targets: _Targets, *, include_retired: bool
                 ) -> Iterator[Json]:
    for claim in walk.claims(case, include_retired=include_retired):
        yield from _claim_annotations(case, claim, targets)
    for event in walk.events(case, include_retired=include_retired):
        yield from _event_annotations(event, case_uid, targets)
    for _, page, names in relationship_pages(case, include_retired=include_retired):
        for relationship in page:
            yield from _relationship_annotations(case, relationship, names, targets,
                                                 include_retired=include_retired)


def _claim_annotations(case: Case, claim: ClaimRecord, targets: _Targets) -> Iterator[Json]:
    claim_body = _linked(f"urn:uuid:{claim.uid}", claim.statement)
    evidence_targets = []
    for link in claim.evidence:
        (target,) = targets.of([link.excerpt_id])
        evidence_targets.append(target)
        position = target["selector"][1]
        yield _annotation(
            urn("claim-evidence", claim.uid, target["source"]["id"], position["start"], position["end"]),
            "linking", [claim_body, _tag(link.stance)], target)
    for mark in claim_history(case, claim.id, limit=_HISTORY_LIMIT):
        yield _mark_annotation(mark, claim_body, evidence_targets or f"urn:uuid:{claim.uid}")


def _relationship_annotations(case: Case, relationship: Relationship, names: dict[int | None, str],
                              targets: _Targets, *, include_retired: bool) -> Iterator[Json]:
    words = (f"{names.get(relationship.subject_entity_id, '?')} {relationship.type_label} "
             f"{names.get(relationship.object_entity_id, '?')}")
    body = _linked(f"urn:uuid:{relationship.uid}", words)
    evidence_targets = []
    for item in relationship_evidence(case, relationship.id or 0, limit=_HISTORY_LIMIT,
                                      include_retired=include_retired):
        (target,) = targets.of([item.excerpt.id or 0])
        evidence_targets.append(target)
        position = target["selector"][1]
        yield _annotation(
            urn("relationship-evidence", relationship.uid, target["source"]["id"], position["start"],
                position["end"]),
            "linking", [body, _tag(item.stance)], target)
    for mark in relationship_history(case, relationship.id or 0, limit=_HISTORY_LIMIT):
        yield _mark_annotation(mark, body, evidence_targets or f"urn:uuid:{relationship.uid}")


def _mark_annotation(mark: Annotation | RelationshipAnnotation, claim_body: Json, target: Any) -> Json:
    """A note comments; a mark assesses; an undo assesses again (the status it restores)."""
    body: list[Json] = []
    if mark.kind != "note":
        body.append({"type": "TextualBody", "value": mark.status, "purpose": "assessing", **_OUR_WORDS})
    if mark.kind == "undo":
        body.append({"type": "TextualBody", "value": f"undoes urn:uuid:{mark.undoes}",
                     "purpose": "describing", **_OUR_WORDS})
    if mark.note.strip():
        body.append({"type": "TextualBody", "value": mark.note, "format": "text/plain",
                     "purpose": "commenting"})
    body.append(claim_body)
    creator = {"id": annotator_id(mark.annotator), "type": "Person", "name": mark.annotator}
    return _annotation(f"urn:uuid:{mark.id}", "commenting" if mark.kind == "note" else "assessing",
                       body, target, creator=creator, created=mark.created_at)


def _event_annotations(event: EventRecord, case_uid: str, targets: _Targets) -> Iterator[Json]:
    when = range_label(event.date_start, event.date_end, event.date_precision)
    event_body = _linked(urn("event", case_uid, event.id), f"{event.title} ({when})")
    for target in targets.of(event.excerpt_ids):
        position = target["selector"][1]
        yield _annotation(
            urn("event-evidence", case_uid, event.id, target["source"]["id"], position["start"],
                position["end"]),
            "linking", [event_body, _tag("event evidence")], target)
