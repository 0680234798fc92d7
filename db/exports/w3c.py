"""``w3c``: evidence and annotators' marks as W3C Web Annotations (JSON-LD).

One ``AnnotationCollection`` with its annotations embedded in its first page:

- each excerpt a claim cites is an annotation (motivation ``linking``) whose
  body is the claim (``urn:uuid:`` of its uid, its statement) and a tag with
  the stance (``supports``, ``contradicts``, ``context``);
- each excerpt an event cites likewise, the body being the event and its date;
- each mark an annotator made on a claim is an annotation (motivation
  ``assessing``, its ``creator`` and ``created`` time) whose body is the status
  given and the note, and whose targets are the claim's evidence.

Every text target is a ``SpecificResource`` with a ``TextQuoteSelector``
(``exact`` and 32 characters of ``prefix``/``suffix``) and a
``TextPositionSelector`` (code points of the source text, as stored: NFC,
and for a saved page the extracted article); a target in a PDF adds a
``FragmentSelector`` naming its page (RFC 3778, ``page=12``). Its ``source`` is the source's
URL when it has one, else an RFC 6920 ``ni:`` URI naming its text by SHA-256.
Ids are ``urn:uuid:`` URNs, stable across exports.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_history
from ..models import range_label
from ..source_details import page_place
from ..sources import source_slice
from ..text import json_safe

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_LENGTH = 32
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
_NAMESPACE = uuid.UUID("0b6a3f7e-63e1-4d4c-9d0e-3c5f2a9b8e71")
_WEB = ("http://", "https://")


def urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, ':'.join(map(str, parts)))}"


def ni_uri(sha256_hex: str) -> str:
    """RFC 6920 Named Information URI of a SHA-256 digest."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode("ascii")
    return f"ni:///sha-256;{digest}"


def _dumps(value: Any) -> str:
    return json_safe(json.dumps(value, ensure_ascii=False))


class _Targets:
    """Text targets for excerpts, with the quote's context cut in SQL."""

    def __init__(self, case: Case):
        self.case = case
        self.sources = {info.id: info for info in walk.source_infos(case)}

    def of(self, excerpt_ids: list[int]) -> list[dict]:
        if not excerpt_ids:
            return []
        marks = ",".join("?" * len(excerpt_ids))
        rows = self.case.rows(
            f'SELECT id, source_id, start, "end", text FROM excerpts WHERE id IN ({marks}) ORDER BY id',
            excerpt_ids)
        return [self.target(row) for row in rows]

    def target(self, row) -> dict:
        source = self.sources[row["source_id"]]
        start, end = row["start"], row["end"]
        prefix = source_slice(self.case, source.id, max(0, start - CONTEXT_LENGTH), start)
        suffix = source_slice(self.case, source.id, end, end + CONTEXT_LENGTH)
        selectors: list[dict] = [
            {"type": "TextQuoteSelector", "exact": row["text"], "prefix": prefix, "suffix": suffix},
            {"type": "TextPositionSelector", "start": start, "end": end},
        ]
        place = page_place(self.case, source.id, start, end)
        if place is not None:  # a PDF: the page, as RFC 3778 names a place in one
            selectors.append({"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT,
                              "value": f"page={place.first.number}"})
        return {
            "type": "SpecificResource",
            "source": source.url if source.url.startswith(_WEB) else ni_uri(source.sha256),
            "selector": selectors,
        }


def write_w3c_annotations(case: Case, out: TextIO) -> int:
    count = 0
    with case.snapshot():
        meta = walk.meta(case)
        case_uid = meta.get("case_uid", "")
        total = case.scalar("SELECT (SELECT count(*) FROM claim_excerpts) + "
                            "(SELECT count(*) FROM event_excerpts) + (SELECT count(*) FROM annotations)")
        targets = _Targets(case)
        out.write("{\n")
        out.write(f'  "@context": {_dumps(CONTEXT)},\n')
        out.write(f'  "id": {_dumps(urn("collection", case_uid))},\n')
        out.write('  "type": "AnnotationCollection",\n')
        out.write(f'  "label": {_dumps(meta.get("title", ""))},\n')
        out.write(f'  "total": {total},\n')
        out.write(f'  "first": {{\n    "id": {_dumps(urn("page", case_uid, 0))},\n')
        out.write('    "type": "AnnotationPage",\n    "startIndex": 0,\n    "items": [')
        for annotation in _annotations(case, case_uid, targets):
            out.write(("\n      " if count == 0 else ",\n      ") + _dumps(annotation))
            count += 1
        out.write("\n    ]\n  }\n}\n" if count else "]\n  }\n}\n")
    return count


def _annotations(case: Case, case_uid: str, targets: _Targets):
    for claim in walk.claims(case):
        claim_body = {"id": f"urn:uuid:{claim.uid}", "type": "TextualBody",
                      "value": claim.statement, "format": "text/plain", "purpose": "linking"}
        evidence_targets = []
        for link in claim.evidence:
            (target,) = targets.of([link.excerpt_id])
            evidence_targets.append(target)
            position = target["selector"][1]
            yield {
                "id": urn("claim-evidence", claim.uid, target["source"], position["start"], position["end"]),
                "type": "Annotation",
                "motivation": "linking",
                "body": [claim_body, {"type": "TextualBody", "value": link.stance, "purpose": "tagging"}],
                "target": target,
            }
        for mark in claim_history(case, claim.id, limit=1_000_000):
            # A note comments; a mark assesses; an undo assesses again (the status it restores).
            body: list[dict] = []
            if mark.kind != "note":
                body.append({"type": "TextualBody", "value": mark.status, "purpose": "assessing"})
            if mark.kind == "undo":
                body.append({"type": "TextualBody", "value": f"undoes urn:uuid:{mark.undoes}",
                             "format": "text/plain", "purpose": "describing"})
            if mark.note.strip():
                body.append({"type": "TextualBody", "value": mark.note, "format": "text/plain",
                             "purpose": "commenting"})
            body.append(claim_body)
            yield {
                "id": f"urn:uuid:{mark.id}",
                "type": "Annotation",
                "motivation": "commenting" if mark.kind == "note" else "assessing",
                "creator": {"type": "Person", "name": mark.annotator},
                "created": mark.created_at,
                "body": body,
                "target": evidence_targets or f"urn:uuid:{claim.uid}",
            }
    for event in walk.events(case):
        when = range_label(event.date_start, event.date_end, event.date_precision)
        event_body = {"id": urn("event", case_uid, event.id), "type": "TextualBody",
                      "value": f"{event.title} ({when})", "format": "text/plain", "purpose": "linking"}
        for target in targets.of(list(event.excerpt_ids)):
            position = target["selector"][1]
            yield {
                "id": urn("event-evidence", case_uid, event.id, target["source"],
                          position["start"], position["end"]),
                "type": "Annotation",
                "motivation": "linking",
                "body": [event_body, {"type": "TextualBody", "value": "event evidence", "purpose": "tagging"}],
                "target": target,
            }
