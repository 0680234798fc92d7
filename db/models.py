"""Pydantic models of what a case file holds.

Reads return these; writes validate through them; exports are shaped by them.
"""

from __future__ import annotations

import os
import re
from typing import Final, Literal, get_args

# No pydantic plugins: finding them reads the metadata of every installed
# package (entry points) when the first model is built, a large part of the
# browser's first frame (issue 17 point 9), and a plugin would run code from
# the environment on every row read. Pydantic's documented switch; a value the
# user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator  # noqa: E402

Status = Literal["unreviewed", "confirmed", "disputed", "denied"]
EntityKind = Literal["person", "organization", "place", "document", "other"]
DatePrecision = Literal["day", "month", "year", "decade", "unknown"]
Stance = Literal["supports", "contradicts", "context"]
ExcerptKind = Literal["paragraph", "quote"]
ClaimRole = Literal["subject", "claimant"]
AnnotationKind = Literal["mark", "note", "undo"]
# A likely-duplicate pair as judged (the same: combined; skip: it comes back).
PairJudgement = Literal["same", "not_same", "skip"]
# Mapped to FollowTheMoney's interval schemata in exports (db/exports/ftm.py).
RelationshipType = Literal["member_of", "employed_by", "leads", "family", "associate", "owns",
                           "directs", "represents", "located_in", "other"]

STATUSES: tuple[str, ...] = get_args(Status)
# Judgements first, as reports list claims and the network view steps through them.
STATUS_ORDER: tuple[str, ...] = ("confirmed", "disputed", "denied", "unreviewed")
ENTITY_KINDS: tuple[str, ...] = get_args(EntityKind)
DATE_PRECISIONS: tuple[str, ...] = get_args(DatePrecision)
STANCES: tuple[str, ...] = get_args(Stance)
ANNOTATION_KINDS: tuple[str, ...] = get_args(AnnotationKind)
RELATIONSHIP_TYPES: tuple[str, ...] = get_args(RelationshipType)
PAIR_JUDGEMENTS: tuple[str, ...] = get_args(PairJudgement)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)

_DATE_FORMS = {
    "day": re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "year": re.compile(r"\d{4}"),
    "decade": re.compile(r"\d{3}0"),
}
_PUBLISHED = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


class Model(BaseModel):
    # defer_build: each model's validator is built on its first use, not at import
    # (the browser's first frame needs a few of the forty; issue 17, point 9).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Stored(Model):
    """What a row of a case file is read into."""

    # A row read from a file that breaks the format's rules (``db.damage.read_model``):
    # what is wrong with it, in one line; '' for a sound row. Never written out.
    damage: str = Field(default="", exclude=True, repr=False)


def stored_id(item: "SourceInfo | Excerpt | Entity | Event | Claim | Relationship") -> int:
    """The id of an item read from (or just written to) a case file: only an
    item not yet stored has none."""
    if item.id is None:
        raise ValueError(f"{type(item).__name__} {item!r} is not stored in a case (it has no id)")
    return item.id


class SourceInfo(Stored):
    """A source without its text, for listings."""

    id: int | None = None
    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    sha256: str = ""
    added_at: str = ""
    uid: str = ""      # stable across copies ('' until stored: the file gives one)

    @field_validator("published")
    @classmethod
    def _partial_iso_date(cls, value: str) -> str:
        if value and not _PUBLISHED.fullmatch(value):
            raise ValueError(f"published must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
        return value


class Source(SourceInfo):
    text: str


# -- where a source's text came from (schema v5) ------------------------------


class SourcePage(Stored):
    """A page of a paged document (a PDF): the span of the source's text it
    holds. ``number`` counts pages from 1; ``label`` is the page number as the
    document prints it ("xii", "12"), '' when it defines none."""

    number: int
    label: str = ""
    start: int
    end: int
    width: float = 0.0   # points (1/72 inch)
    height: float = 0.0

    @property
    def name(self) -> str:
        return self.label or str(self.number)


class LineBox(Stored):
    """Where a line of a page's text is drawn: the span of the source's text,
    the page number, and its box in points from the page's top-left corner
    (``x0``, ``y0`` the left and top edges, ``x1``, ``y1`` the right and bottom)."""

    start: int
    end: int
    page: int
    x0: float
    y0: float
    x1: float
    y1: float


class SourceAttachment(Stored):
    """An attachment of a document (an e-mail's file): read as a source of its
    own (``attached_id``), or listed with the reason it was not read."""

    number: int          # its place among the document's attachments, from 1
    name: str
    media_type: str = ""
    size: int = 0        # bytes, decoded
    attached_id: int | None = None
    note: str = ""       # why it was not read (or that it is already in the case)


class PagePlace(Model):
    """Where a span of a source is on its pages: the first and last page it
    touches and the box around its lines on the first page (when known)."""

    first: SourcePage
    last: SourcePage
    box: LineBox | None = None

    @property
    def label(self) -> str:
        """``p. 12`` or ``pp. 12–13``, with the page numbers the document prints."""
        if self.first.number == self.last.number:
            return f"p. {self.first.name}"
        return f"pp. {self.first.name}\u2013{self.last.name}"


class Excerpt(Stored):
    id: int | None = None
    source_id: int
    start: int
    end: int
    text: str
    kind: ExcerptKind = "paragraph"
    uid: str = ""      # stable across copies ('' until stored: the file gives one)

    @model_validator(mode="after")
    def _span(self) -> "Excerpt":
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"excerpt span {self.start}-{self.end} is empty or negative")
        if len(self.text) != self.end - self.start:
            raise ValueError("excerpt text length does not match its span")
        return self


class Entity(Stored):
    id: int | None = None
    kind: EntityKind
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    # (alias, language tag) for the aliases that have one: ("Staatsveiligheid", "nl").
    languages: tuple[tuple[str, str], ...] = ()
    version: int = 0   # bumped by every revision, retirement and combination
    uid: str = ""      # stable across copies ('' until stored: the file gives one)
    created_at: str = ""   # when it was added, and by whom ('' before schema v11: unknown)
    created_by: str = ""

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an entity needs a name")
        return value


def date_label(date: str, precision: str) -> str:
    """A date shown at its precision: never an invented day or month (a
    date that does not fit its precision, in a damaged row, as it is)."""
    if precision in _DATE_FORMS and date and not _DATE_FORMS[precision].fullmatch(date):
        return date
    if not date or precision == "unknown":
        return "date unknown"
    if precision == "decade":
        return f"{date[:4]}s"
    if precision == "year":
        return date[:4]
    year, month = date[:4], MONTHS[int(date[5:7]) - 1]
    if precision == "month":
        return f"{month} {year}"
    return f"{int(date[8:10])} {month} {year}"


def range_label(start: str, end: str, precision: str) -> str:
    """``2010–2014``, ``June–August 2022``, ``3–5 June 2023``, ``May 2022 – March 2023``."""
    if not end or end == start:
        return date_label(start, precision)
    form = _DATE_FORMS.get(precision)
    if form is not None and not (form.fullmatch(start) and form.fullmatch(end)):
        return f"{date_label(start, precision)} – {date_label(end, precision)}"   # damaged
    if precision == "month" and start[:4] == end[:4]:
        return f"{MONTHS[int(start[5:7]) - 1]}–{date_label(end, precision)}"
    if precision == "day" and start[:7] == end[:7]:
        return f"{int(start[8:10])}–{date_label(end, precision)}"
    first, last = date_label(start, precision), date_label(end, precision)
    return f"{first} – {last}" if " " in first else f"{first}–{last}"


class Event(Stored):
    id: int | None = None
    title: str
    date_start: str = ""
    date_end: str = ""
    date_precision: DatePrecision = "unknown"
    description: str = ""
    version: int = 0   # bumped by every revision and retirement
    uid: str = ""      # stable across copies ('' until stored: the file gives one)
    created_at: str = ""   # when it was added, and by whom ('' before schema v11: unknown)
    created_by: str = ""

    @model_validator(mode="after")
    def _dates_match_precision(self) -> "Event":
        if self.date_precision == "unknown":
            if self.date_start or self.date_end:
                raise ValueError("an event of unknown date has no date_start or date_end")
            return self
        form = _DATE_FORMS[self.date_precision]
        for name, value in (("date_start", self.date_start), ("date_end", self.date_end)):
            if name == "date_end" and not value:
                continue
            if not form.fullmatch(value):
                raise ValueError(
                    f"{name} {value!r} does not match precision {self.date_precision!r}"
                )
        if self.date_end and self.date_end < self.date_start:
            raise ValueError(f"date_end {self.date_end} is before date_start {self.date_start}")
        return self

    @property
    def date_label(self) -> str:
        return range_label(self.date_start, self.date_end, self.date_precision)


class Claim(Stored):
    id: int | None = None
    uid: str = ""
    statement: str
    claimant: str = ""
    status: Status = "unreviewed"
    version: int = Field(default=0, ge=0)
    updated_at: str = ""
    created_at: str = ""   # when it was added, and by whom ('' before schema v11: unknown)
    created_by: str = ""


def mark_action(kind: str, status: str, previous_status: str) -> str:
    """What an annotation did, in words: "marked it denied (was unreviewed)"."""
    if kind == "note":
        return f"noted (status {status})"
    if kind == "undo":
        return f"undid a mark: back to {status} (was {previous_status})"
    return f"marked it {status} (was {previous_status})"


class MarkEntry(Model):
    """What one entry of an item's append-only history of marks says (a claim's
    :class:`Annotation`, a :class:`RelationshipAnnotation`; the entry's id and
    the item it is about come first, from the item's own base).

    ``kind``: ``mark`` sets the status (possibly to the one it had), ``note``
    adds a note and leaves the status as it was, ``undo`` takes back the
    annotation named by ``undoes`` and restores the status before it.
    """

    status: Status
    previous_status: Status
    note: str = ""
    annotator: str
    created_at: str
    kind: AnnotationKind = "mark"
    undoes: str = ""

    @property
    def action(self) -> str:
        """What the annotation did, in words: "marked it denied (was unreviewed)"."""
        return mark_action(self.kind, self.status, self.previous_status)


# The entry and its item, first in each kind of entry (pydantic puts a base's fields first:
# each entry's fields are in the order of its table's columns).
class _OnClaim(Stored):
    id: str
    claim_id: int


class _OnRelationship(Model):
    id: str
    relationship_id: int


class Annotation(MarkEntry, _OnClaim):
    """One entry of a claim's append-only history."""


def date_at_problem(name: str, value: str, precision: str) -> str:
    """What is wrong with one date at its precision ("" if nothing): the event
    rules, for a date that has a precision of its own."""
    if precision == "unknown":
        return f"{name} {value!r} has precision unknown: give no date" if value else ""
    if not _DATE_FORMS[precision].fullmatch(value):
        return f"{name} {value!r} does not match precision {precision!r}"
    return ""


def _comparable(value: str, precision: str) -> str:
    """A stored date cut to what it says: the decade 1990 is "199"."""
    return value[:3] if precision == "decade" else value


def ends_before_start(start: str, start_precision: str, end: str, end_precision: str) -> bool:
    """True when an end date is surely before a start date, each read at its
    own precision: 2010 … 2010-05 is consistent, 2011 … 2010-12 is not."""
    first, last = _comparable(start, start_precision), _comparable(end, end_precision)
    common = min(len(first), len(last))
    return bool(first and last) and last[:common] < first[:common]


class Relationship(Stored):
    """A tie between two entities: the subject is ``type`` of the object
    (Nedyak ``member_of`` SVR; Logvinov ``leads`` the Permanent Mission).

    Each date has its own precision, by the event rules: never an invented day.
    ``status`` and ``version`` move with its marks, as a claim's do.
    """

    id: int | None = None
    uid: str = ""
    subject_entity_id: int
    object_entity_id: int
    type: RelationshipType
    role: str = ""
    date_start: str = ""
    start_precision: DatePrecision = "unknown"
    date_end: str = ""
    end_precision: DatePrecision = "unknown"
    description: str = ""
    status: Status = "unreviewed"
    version: int = 0
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""

    @model_validator(mode="after")
    def _sound(self) -> "Relationship":
        if self.subject_entity_id == self.object_entity_id:
            raise ValueError("a relationship links two different entities, not one to itself")
        for problem in (date_at_problem("start", self.date_start, self.start_precision),
                        date_at_problem("end", self.date_end, self.end_precision)):
            if problem:
                raise ValueError(problem)
        if ends_before_start(self.date_start, self.start_precision, self.date_end,
                             self.end_precision):
            raise ValueError(f"end {self.date_end} is before start {self.date_start}")
        return self

    @property
    def date_label(self) -> str:
        """``2010–2014``, ``since June 2023``, ``until 2019``, or ``""`` when undated."""
        start = date_label(self.date_start, self.start_precision) if self.date_start else ""
        end = date_label(self.date_end, self.end_precision) if self.date_end else ""
        if start and end:
            if self.start_precision == self.end_precision:
                return range_label(self.date_start, self.date_end, self.start_precision)
            return f"{start} – {end}"
        if start:
            return f"since {start}"
        return f"until {end}" if end else ""

    @property
    def type_label(self) -> str:
        """``member of``, ``employed by``: the type in words."""
        return self.type.replace("_", " ")


class RelationshipAnnotation(MarkEntry, _OnRelationship):
    """One entry of a relationship's append-only history."""


class Evidence(Stored):
    """An excerpt cited by a claim or an event, with the stance it takes."""

    excerpt: Excerpt
    source_title: str
    stance: Stance = "supports"


class EvidenceInContext(Evidence):
    """Evidence with the source's text just before and just after the excerpt
    (what ``db.sources.excerpt_context`` cuts): "" where the source has none."""

    before: str = ""
    after: str = ""


class CaseCounts(Model):
    sources: int
    excerpts: int
    entities: int
    events: int
    claims: int
    annotations: int
    relationships: int = 0


class AnnotatorMark(Stored):
    """An annotator's latest standing mark on a claim (undone marks and notes don't count)."""

    annotator: str
    status: Status
    annotation_id: str
    created_at: str


class ClaimAgreement(Model):
    """How the annotators' latest marks on one claim compare.

    Only judgements count: ``unreviewed`` marks (a judgement withdrawn) and
    the machine annotators (``seed``) are left out.
    """

    claim_id: int
    marks: tuple[AnnotatorMark, ...] = ()
    agreeing_pairs: int = 0
    disagreeing_pairs: int = 0

    @property
    def disagreement(self) -> bool:
        return self.disagreeing_pairs > 0


class PairAgreement(Model):
    """Two annotators over the claims both of them judged.

    ``kappa`` is Cohen's kappa, (p_o - p_e) / (1 - p_e); it is None when
    they share no claim, or when p_e is 1 (both gave every shared claim the
    same one status, so agreement by chance is certain), and
    ``kappa_note`` says which.
    """

    annotator_a: str
    annotator_b: str
    claims: int
    agreements: int
    disagreements: int
    observed: float | None
    expected: float | None
    kappa: float | None
    kappa_note: str = ""
    # (status of a, status of b) -> number of claims, for the confusion table.
    table: dict[str, dict[str, int]] = {}


class Conflict(Stored):
    """A claim marked differently on both sides of a merge, with the latest
    mark from each side (``a`` and ``b`` in annotation-id order)."""

    id: int
    claim_id: int
    a: Annotation
    b: Annotation
    detected_at: str
    detected_by: str = ""
    resolved_at: str = ""
    resolved_by: str = ""
    resolution: str = ""

    @property
    def open(self) -> bool:
        return not self.resolved_at


class ClaimFlags(Model):
    """What a claims list shows beside a claim's status."""

    claim_id: int
    disagreement: bool = False
    open_conflicts: int = 0


class MergeReport(Model):
    """What a merge or an import did, and what it left out."""

    annotations_added: int = 0
    annotations_present: int = 0      # already in the case: merging twice adds nothing
    claims_changed: int = 0           # claims whose status moved
    conflicts_found: int = 0          # newly flagged for review
    conflicts_copied: int = 0         # flagged in the other file, now here too
    open_conflicts: int = 0           # claims in conflict afterwards, waiting for review
    claims_copied: int = 0            # claims the case lacked, copied with their evidence
    sources_copied: int = 0
    excerpts_copied: int = 0
    entities_copied: int = 0
    # What came in, per kind: sources, excerpts, entities, events, claims, links,
    # revisions, retirements, combinations, judgements.
    added: dict[str, int] = {}
    revision_conflicts_found: int = 0   # fields revised on both sides to different values
    relationship_conflicts_found: int = 0   # relationships marked differently on both sides
    # In the other file but not merged (merge covers claims and their marks):
    # sources (by sha256), entities (by kind and name), events (by title and dates).
    not_merged: dict[str, int] = {}


# -- the whole case as one document (casebook export --format json) ---------


class SourceRecord(Source):
    id: int
    # Schema v4, empty for most sources: what the document said about itself
    # (format, file name and digest, Message-ID...), its pages and line boxes
    # (a PDF), and its attachments (an e-mail).
    meta: dict[str, str] = {}
    pages: tuple[SourcePage, ...] = ()
    boxes: tuple[LineBox, ...] = ()
    attachments: tuple[SourceAttachment, ...] = ()


class ExcerptRecord(Excerpt):
    id: int
    entity_ids: tuple[int, ...] = ()  # the entities it mentions


class EntityRecord(Entity):
    id: int


class EventRecord(Event):
    id: int
    entity_ids: tuple[int, ...] = ()   # who takes part
    excerpt_ids: tuple[int, ...] = ()  # its evidence


class ClaimEntityLink(Stored):
    entity_id: int
    role: ClaimRole = "subject"
    uid: str = ""


class ClaimEvidenceLink(Stored):
    excerpt_id: int
    stance: Stance = "supports"
    uid: str = ""


class ClaimRecord(Claim):
    id: int
    entities: tuple[ClaimEntityLink, ...] = ()
    evidence: tuple[ClaimEvidenceLink, ...] = ()


class RelationshipEvidenceLink(Stored):
    excerpt_id: int
    stance: Stance = "supports"


class RelationshipRecord(Relationship):
    """A relationship as the JSON export carries it: with its evidence."""

    id: int
    evidence: tuple[RelationshipEvidenceLink, ...] = ()


CASE_DOCUMENT_FORMAT: Final = "casebook-case"


class ConflictEntry(Model):
    """What a conflict between two marks says, on a claim (:class:`ConflictRecord`)
    or a relationship (:class:`RelationshipConflictRecord`): the two annotations
    that disagree, when and by what it was found, how it was settled. The
    conflict's id and its item come first, from the item's own base (as
    :class:`MarkEntry`'s)."""

    annotation_a: str
    annotation_b: str
    detected_at: str
    detected_by: str = ""
    resolved_at: str = ""
    resolved_by: str = ""
    resolution: str = ""


class _ConflictOnClaim(Stored):
    id: int
    claim_id: int


class _ConflictOnRelationship(Stored):
    id: int
    relationship_id: int


class ConflictRecord(ConflictEntry, _ConflictOnClaim):
    """A ``claim_conflicts`` row as it is stored (the JSON export carries them)."""


class RelationshipConflictRecord(ConflictEntry, _ConflictOnRelationship):
    """A ``relationship_conflicts`` row as it is stored (schema v10; the JSON export carries them)."""


class RevisionRecord(Model):
    """A ``revisions`` row as stored: ``fields`` is its JSON text, {field: [old, new]}."""

    uid: str
    item_kind: str
    item_uid: str
    version: int
    annotator: str
    at: str
    fields: str
    note: str = ""
    undoes: str = ""


class RetirementRecord(Model):
    uid: str
    item_kind: str
    item_uid: str
    retired: int
    annotator: str
    at: str
    reason: str = ""


class CombinationRecord(Model):
    """A ``combinations`` row as stored: ``moved`` is its JSON text."""

    uid: str
    kept_uid: str
    absorbed_uid: str
    annotator: str
    at: str
    note: str = ""
    moved: str = "{}"
    undone_by: str = ""
    undone_at: str = ""


class JudgementRecord(Model):
    uid: str
    entity_a: str
    entity_b: str
    judgement: PairJudgement
    annotator: str
    at: str


class DuplicatePair(Model):
    """Two entities that may be one, and why they were proposed."""

    a: Entity
    b: Entity
    reason: str          # "same name", "one name contains the other", "close spelling"
    score: float         # 0-100: how alike the closest names are


class PossibleMention(Model):
    """A ``possible_mentions`` row (schema v9): words that may name an entity."""

    id: int
    excerpt_id: int
    entity_id: int
    start: int
    end: int
    form: str
    name: str
    reason: Literal["inflected", "transliterated", "similar", "generic"]
    score: float
    proposed_at: str
    judgement: Literal["", "link", "not", "skip"] = ""


class PossibleMentionJudgement(Model):
    """A ``possible_mention_judgements`` row: append-only."""

    id: int
    possible_mention_id: int
    judgement: Literal["link", "not", "skip"]
    annotator: str
    at: str


class RevisionConflictRecord(Model):
    id: int
    item_kind: str
    item_uid: str
    field: str
    revision_a: str
    revision_b: str
    detected_at: str
    detected_by: str = ""
    resolved_at: str = ""
    resolved_by: str = ""


class CaseDocument(Model):
    """Everything a case file holds, with its ids, uids and timestamps: what
    ``casebook export --format json`` writes and ``casebook import`` reads.

    Links travel with the row that owns them: an excerpt lists the entities it
    mentions, an event its entities and evidence, a claim its entities (with
    their role) and evidence (with its stance). Annotations are in the order
    they were made.
    """

    format: Literal["casebook-case"] = CASE_DOCUMENT_FORMAT
    format_version: Literal[1] = 1
    schema_version: int
    meta: dict[str, str]
    sources: tuple[SourceRecord, ...] = ()
    excerpts: tuple[ExcerptRecord, ...] = ()
    entities: tuple[EntityRecord, ...] = ()
    events: tuple[EventRecord, ...] = ()
    claims: tuple[ClaimRecord, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    conflicts: tuple[ConflictRecord, ...] = ()
    # Curation (schema v6): each in the order it entered the file.
    revisions: tuple[RevisionRecord, ...] = ()
    retirements: tuple[RetirementRecord, ...] = ()
    combinations: tuple[CombinationRecord, ...] = ()
    duplicate_judgements: tuple[JudgementRecord, ...] = ()
    revision_conflicts: tuple[RevisionConflictRecord, ...] = ()
    # Relationships (schema v8) with their evidence, and their marks in the order made.
    relationships: tuple[RelationshipRecord, ...] = ()
    relationship_annotations: tuple[RelationshipAnnotation, ...] = ()
    # Schema v10: relationships marked differently on both sides of a merge, open or resolved.
    relationship_conflicts: tuple[RelationshipConflictRecord, ...] = ()
    # Schema v9: words proposed as mentions, and every judgement of them.
    possible_mentions: tuple[PossibleMention, ...] = ()
    possible_mention_judgements: tuple[PossibleMentionJudgement, ...] = ()
