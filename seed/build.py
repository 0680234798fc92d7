"""Build a case file from a curated case definition (``brussels.toml``).

Evidence is written in the definition as verbatim quotes; the builder finds
each quote in its source and fails, naming the quote and the source, if it
is missing or ambiguous. The build writes to a hidden temporary file and
moves it into place only when complete (``db.casefile.building_case``), so a
failure leaves nothing behind.

Ids are deterministic (uuid5 of the keys): two people who build the demo
case separately get the same claim uids, so their marks merge cleanly.
"""

from __future__ import annotations

import os
import tomllib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from db import Case, CaseError
from db.casefile import building_case
from db.claims import add_claim, mark_claim
from db.entities import add_entity
from db.events import add_event
from db.mentions import link_mentions, refresh_mention_names
from db.models import (
    DatePrecision,
    EntityKind,
    Event,
    RelationshipType,
    Stance,
    ends_before_start,
    stored_id,
)
from db.outfile import check_target
from db.relationships import add_relationship, mark_relationship, typed_date
from db.sources import add_quote, add_source

SEED_DIR = Path(__file__).resolve().parent
BRUSSELS = SEED_DIR / "brussels.toml"
SEED_ANNOTATOR = "seed"
_NAMESPACE = uuid.UUID("5b0c7f3e-2a4d-4e43-9c55-6b8f0a1d2e3c")

Progress = Callable[[str], None]


class SeedError(CaseError):
    """The case definition is invalid: a bad field, an unknown key, a quote not found."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuoteRef(_Strict):
    source: str
    quote: str
    stance: Stance = "supports"


class SourceDef(_Strict):
    key: str
    file: str
    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    note: str = ""


class EntityDef(_Strict):
    key: str
    kind: EntityKind
    name: str
    aliases: list[str] = []
    description: str = ""


class EventDef(_Strict):
    key: str
    title: str
    date_start: str = ""
    date_end: str = ""
    date_precision: DatePrecision
    description: str = ""
    entities: list[str] = []
    evidence: list[QuoteRef] = []


class ClaimDef(_Strict):
    key: str
    statement: str
    claimant: str = ""
    claimant_entity: str = ""
    entities: list[str] = []
    evidence: list[QuoteRef] = []
    seed_status: Literal["", "confirmed", "disputed", "denied"] = ""
    seed_note: str = ""

    @field_validator("seed_note")
    @classmethod
    def _note(cls, value: str) -> str:
        return value.strip()


class RelationshipDef(_Strict):
    key: str
    subject: str            # entity keys
    object: str
    type: RelationshipType
    role: str = ""
    start: str = ""         # as typed: 2022-09-27, 2023-06, 2018, 1990s
    end: str = ""
    description: str = ""
    evidence: list[QuoteRef] = []
    seed_status: Literal["", "confirmed", "disputed", "denied"] = ""
    seed_note: str = ""


class CaseDef(_Strict):
    title: str
    description: str = ""
    curated: str = "2026-11-25"  # date the seeded marks were made


class Definition(_Strict):
    case: CaseDef
    sources: list[SourceDef]
    entities: list[EntityDef] = []
    events: list[EventDef] = []
    claims: list[ClaimDef] = []
    relationships: list[RelationshipDef] = []


def load_definition(path: Path = BRUSSELS) -> Definition:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise SeedError(f"{path}: no such case definition") from None
    except tomllib.TOMLDecodeError as error:
        raise SeedError(f"{path}: invalid TOML ({error})") from None
    try:
        definition = Definition.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SeedError(f"{path}: {where}: {first['msg']}") from None
    _check_keys(path, definition)
    for event in definition.events:
        try:
            Event(title=event.title, date_start=event.date_start, date_end=event.date_end,
                  date_precision=event.date_precision)
        except ValidationError as error:
            raise SeedError(f"{path}: event {event.key!r}: {error.errors()[0]['msg']}") from None
    for claim in definition.claims:
        if claim.seed_status and not claim.seed_note:
            raise SeedError(f"{path}: claim {claim.key!r}: a seed_status needs a seed_note saying why")
    for tie in definition.relationships:
        where = f"{path}: relationship {tie.key!r}"
        if tie.seed_status and not tie.seed_note:
            raise SeedError(f"{where}: a seed_status needs a seed_note saying why")
        if tie.subject == tie.object:
            raise SeedError(f"{where}: links {tie.subject!r} to itself")
        try:
            start, start_precision = typed_date("start", tie.start, None)
            end, end_precision = typed_date("end", tie.end, None)
        except CaseError as error:
            raise SeedError(f"{where}: {error}") from None
        if ends_before_start(start, start_precision, end, end_precision):
            raise SeedError(f"{where}: end {tie.end} is before start {tie.start}")
    return definition


def _check_keys(path: Path, definition: Definition) -> None:
    for section in ("sources", "entities", "events", "claims", "relationships"):
        seen: set[str] = set()
        for item in getattr(definition, section):
            if item.key in seen:
                raise SeedError(f"{path}: duplicate key {item.key!r} in {section}")
            seen.add(item.key)
    entity_keys = {e.key for e in definition.entities}
    source_keys = {s.key for s in definition.sources}
    items: list[tuple[str, EventDef | ClaimDef | RelationshipDef]] = [
        *(("event", event) for event in definition.events),
        *(("claim", claim) for claim in definition.claims),
        *(("relationship", tie) for tie in definition.relationships)]
    for kind, item in items:
        refs = [item.subject, item.object] if isinstance(item, RelationshipDef) else list(item.entities)
        if isinstance(item, ClaimDef) and item.claimant_entity:
            refs.append(item.claimant_entity)
        for ref in refs:
            if ref not in entity_keys:
                raise SeedError(f"{path}: {kind} {item.key!r} names unknown entity {ref!r}")
        for quote in item.evidence:
            if quote.source not in source_keys:
                raise SeedError(f"{path}: {kind} {item.key!r} cites unknown source {quote.source!r}")


def stable_uid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def build_case(
    out: str | os.PathLike[str],
    definition_path: Path = BRUSSELS,
    *,
    progress: Progress | None = None,
) -> Path:
    """Build the case file at ``out`` (which must not exist) from a definition."""
    out = Path(out)
    say = progress or (lambda message: None)
    check_target(out, what="a case file")  # before the definition is read
    definition = load_definition(definition_path)
    with building_case(out, title=definition.case.title,
                       case_uid=stable_uid("case", definition_path.stem)) as case:
        _populate(case, definition, definition_path.parent, say)
    return out


def _populate(case: Case, definition: Definition, base: Path, say: Progress) -> None:
    with case.write() as tx:
        tx.execute("INSERT OR REPLACE INTO case_meta (key, value) VALUES ('description', ?)",
                   [definition.case.description])
    sources: dict[str, tuple[int, str]] = {}
    for source in definition.sources:
        path = base / source.file
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SeedError(f"source {source.key!r}: cannot read {path} ({error})") from None
        info = add_source(case, text=text, title=source.title, publisher=source.publisher,
                          author=source.author, url=source.url, published=source.published)
        sources[source.key] = (stored_id(info), source.title)
    say(f"{len(sources)} sources")

    seeded_at = f"{definition.case.curated}T00:00:00.000000Z"
    entities = {
        entity.key: stored_id(add_entity(case, kind=entity.kind, name=entity.name,
                                         description=entity.description, aliases=entity.aliases,
                                         created_by=SEED_ANNOTATOR, created_at=seeded_at))
        for entity in definition.entities
    }
    say(f"{len(entities)} entities")

    def excerpt_for(owner: str, ref: QuoteRef) -> int:
        source_id, _ = sources[ref.source]
        try:
            return add_quote(case, source_id, ref.quote)
        except CaseError as error:
            raise SeedError(f"{owner}: {error}") from None

    for event in definition.events:
        add_event(
            case, title=event.title, date_start=event.date_start, date_end=event.date_end,
            date_precision=event.date_precision, description=event.description,
            entity_ids=[entities[key] for key in event.entities],
            excerpt_ids=[excerpt_for(f"event {event.key!r}", ref) for ref in event.evidence],
            created_by=SEED_ANNOTATOR, created_at=seeded_at,
        )
    say(f"{len(definition.events)} events")

    for claim in definition.claims:
        added = add_claim(
            case, statement=claim.statement, claimant=claim.claimant,
            claimant_entity_id=entities[claim.claimant_entity] if claim.claimant_entity else None,
            entity_ids=[entities[key] for key in claim.entities],
            evidence=[(excerpt_for(f"claim {claim.key!r}", ref), ref.stance) for ref in claim.evidence],
            uid=stable_uid("claim", claim.key), created_by=SEED_ANNOTATOR, created_at=seeded_at,
        )
        if claim.seed_status:
            mark_claim(case, stored_id(added), claim.seed_status, annotator=SEED_ANNOTATOR,
                       note=claim.seed_note, annotation_id=stable_uid("seed-mark", claim.key),
                       created_at=seeded_at)
    say(f"{len(definition.claims)} claims")

    for tie in definition.relationships:
        owner = f"relationship {tie.key!r}"
        added_tie = add_relationship(
            case, subject_entity_id=entities[tie.subject], object_entity_id=entities[tie.object],
            type=tie.type, role=tie.role, start=tie.start, end=tie.end,
            description=tie.description, created_by=SEED_ANNOTATOR, created_at=seeded_at,
            evidence=[(excerpt_for(owner, ref), ref.stance) for ref in tie.evidence],
            uid=stable_uid("relationship", tie.key),
        )
        if tie.seed_status:
            mark_relationship(case, stored_id(added_tie), tie.seed_status, annotator=SEED_ANNOTATOR,
                              note=tie.seed_note, created_at=seeded_at,
                              annotation_id=stable_uid("seed-relationship-mark", tie.key))
    say(f"{len(definition.relationships)} relationships")
    links = link_mentions(case)
    refresh_mention_names(case)  # so the first add-source need not
    say(f"{links} mentions linked")
    case.conn.execute("PRAGMA optimize")
