"""``stix``: a STIX 2.1 bundle, for threat-intelligence platforms.

- people, organisations and other entities are ``identity`` objects
  (``individual``, ``organization``, ``unknown``); places and documents have
  no STIX counterpart that fits (a ``location`` needs a country or
  coordinates) and appear only by name in the notes;
- each claim is a ``note``: its statement as ``content``, its claimant as an
  author, its evidence quoted in ``external_references``, applied to the
  identities it is about (a claim about none applies to the case's report);
- each annotator's mark is an ``opinion`` on the claim's note: confirmed →
  ``agree``, disputed → ``neutral``, denied → ``disagree``, with the note as
  ``explanation`` and the annotator as author. STIX has no opinion for
  "unreviewed": a mark back to unreviewed, or an undo, revokes the opinion it
  takes back (a new version of it with ``revoked: true``); an annotator's
  note is a ``note`` on the claim's note;
- the case is a ``report`` listing every object.

Ids are deterministic (UUIDv5): notes from claim uids, opinions from mark ids,
identities from the case uid and entity id, so a second export, or one from a
copy of the case, names every object the same.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..claims import claim_evidence, claim_history
from ..text import json_safe

_NAMESPACE = uuid.UUID("6f1d0c2a-8b5e-4e27-b3f4-2d9c7a1e5b60")
OPINIONS = {"confirmed": "agree", "disputed": "neutral", "denied": "disagree"}
IDENTITY_CLASSES = {"person": "individual", "organization": "organization", "other": "unknown"}
_EPOCH = "1970-01-01T00:00:00.000Z"


def stix_id(kind: str, *parts: object) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, ':'.join([kind, *map(str, parts)]))}"


def _dumps(value: Any) -> str:
    return json_safe(json.dumps(value, ensure_ascii=False))


def write_stix_bundle(case: Case, out: TextIO) -> int:
    with case.snapshot():
        meta = walk.meta(case)
        case_uid = meta.get("case_uid", "")
        created = meta.get("created_at") or _EPOCH
        latest = max(filter(None, [
            created,
            case.scalar("SELECT max(created_at) FROM annotations"),
            case.scalar("SELECT max(added_at) FROM sources"),
        ]))
        report_id = stix_id("report", case_uid)
        out.write(f'{{\n  "type": "bundle",\n  "id": {_dumps(stix_id("bundle", case_uid, latest))},\n'
                  '  "objects": [')
        refs: list[str] = []
        count = 0
        for stix_object in _objects(case, case_uid, created, report_id):
            out.write(("\n    " if count == 0 else ",\n    ") + _dumps(stix_object))
            count += 1
            refs.append(stix_object["id"])
        if refs:
            report = {
                "type": "report", "spec_version": "2.1", "id": report_id,
                "created": created, "modified": latest,
                "name": meta.get("title") or case.path.stem,
                "description": meta.get("description", ""),
                "published": latest,
                "object_refs": list(dict.fromkeys(refs)),  # a revoked version repeats its id
            }
            if not report["description"]:
                del report["description"]
            out.write(",\n    " + _dumps(report))
            count += 1
        out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def _objects(case: Case, case_uid: str, created: str, report_id: str):
    identities: dict[int, str] = {}
    for entity in walk.entities(case):
        if entity.kind not in IDENTITY_CLASSES:
            continue
        identities[entity.id] = stix_id("identity", case_uid, entity.id)
        identity = {
            "type": "identity", "spec_version": "2.1", "id": identities[entity.id],
            "created": created, "modified": created,
            "name": entity.name, "identity_class": IDENTITY_CLASSES[entity.kind],
        }
        if entity.description:
            identity["description"] = entity.description
        yield identity

    sources = {info.id: info for info in walk.source_infos(case)}
    for claim in walk.claims(case):
        history = claim_history(case, claim.id, limit=1_000_000)
        note_created = min([created, *(mark.created_at for mark in history)])
        note_id = stix_id("note", claim.uid)
        about = [identities[link.entity_id] for link in claim.entities
                 if link.role == "subject" and link.entity_id in identities]
        note: dict[str, Any] = {
            "type": "note", "spec_version": "2.1", "id": note_id,
            "created": note_created, "modified": max(note_created, claim.updated_at or note_created),
            "abstract": f"Claim, {claim.status}",
            "content": claim.statement,
            "object_refs": about or [report_id],
            "labels": ["casebook-claim", claim.status],
        }
        if claim.claimant:
            note["authors"] = [claim.claimant]
        references = []
        for item in claim_evidence(case, claim.id, limit=1_000_000):
            source = sources[item.excerpt.source_id]
            reference = {"source_name": source.title or f"source {source.id}",
                         "description": f"{item.stance}: “{item.excerpt.text}”"}
            if source.url.startswith(("http://", "https://")):
                reference["url"] = source.url
            references.append(reference)
        if references:
            note["external_references"] = references
        yield note
        yield from _opinions(history, note_id)


def _opinions(history, note_id: str):
    """An opinion per judgement; a withdrawn or undone judgement revokes its
    opinion; a note is a STIX note on the claim's note."""
    opinions: dict[str, dict] = {}           # annotation id -> its opinion, while standing
    standing: dict[str, str] = {}            # annotator -> annotation id of their standing opinion
    for mark in history:
        if mark.kind == "note":
            yield {"type": "note", "spec_version": "2.1", "id": stix_id("note", mark.id),
                   "created": mark.created_at, "modified": mark.created_at,
                   "content": mark.note, "authors": [mark.annotator], "object_refs": [note_id],
                   "labels": ["casebook-annotation-note"]}
            continue
        if mark.kind == "undo":
            withdrawn = mark.undoes
        elif mark.status in OPINIONS:
            opinion = {
                "type": "opinion", "spec_version": "2.1", "id": stix_id("opinion", mark.id),
                "created": mark.created_at, "modified": mark.created_at,
                "opinion": OPINIONS[mark.status],
                "authors": [mark.annotator],
                "object_refs": [note_id],
            }
            if mark.note.strip():
                opinion["explanation"] = mark.note
            opinions[mark.id] = opinion
            standing[mark.annotator] = mark.id
            yield opinion
            continue
        else:  # back to unreviewed: the annotator withdrew their judgement
            withdrawn = standing.get(mark.annotator, "")
        revoked = opinions.pop(withdrawn, None)
        if revoked is not None and mark.created_at > revoked["created"]:
            yield {**revoked, "modified": mark.created_at, "revoked": True}
