"""The details of entities, events and excerpts (a claim's is laid out for
review, in ``tui.details.claim``), read through ``db`` and laid out as blocks.
Runs in a thread worker: every function here reads the case; none touches a
widget.
"""

from __future__ import annotations

from textual.content import Content

from db import Case
from db.claims import entity_claims, excerpt_claims
from db.entities import (
    count_entity_excerpts,
    entity_excerpts,
    excerpt_entities,
    get_entity,
    tagged_names,
)
from db.events import entity_events, event_entities, event_evidence, excerpt_events, get_event
from db.relationships import entity_ties
from db.source_details import attached_to, attachments_of, excerpt_place
from db.sources import excerpt_context, excerpts_page, source_length, sources_by_ids

from ..text import TITLE_CHARS, join, plain_block, plain_line
from ..widgets.detail import BLANK, Block, Link
from .blocks import (
    RELATED_LIMIT,
    claim_link,
    curation_blocks,
    damage_blocks,
    entity_link,
    event_link,
    evidence_links,
    excerpt_link,
    field,
    heading,
    retired_ids,
    section,
    tie_links,
    title_block,
)

EXCERPT_LIMIT = 50
CONTEXT_CHARS = 300
BUILD_KEYS = "Build: s words · e entity · t event · a claim · l link · L unlink · i cite"




# Every detail lists the items linked to its own as the panes list them: retired
# ones left out, unless retired items are shown (``H``), then marked as in the panes.


def entity_detail(case: Case, entity_id: int, *, include_retired: bool = False) -> list[Block]:
    shown = include_retired
    entity = get_entity(case, entity_id)
    blocks = title_block("Entity", plain_line(entity.name, ".cb--name", limit=TITLE_CHARS, noted=True),
                         entity.kind,
                         damage=entity.damage)
    if entity.aliases:
        blocks.append(field("Also", plain_line(" · ".join(tagged_names(entity)))))
    if entity.description:
        blocks += [BLANK, Block(plain_block(entity.description))]
    events = entity_events(case, entity_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "events", events, shown)
    blocks += section("Events", [event_link(e, retired=e.id in retired) for e in events],
                      empty="No events.")
    claims = entity_claims(case, entity_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "claims", claims, shown)
    blocks += section("Claims", [claim_link(c, retired=c.id in retired) for c in claims],
                      empty="No claims.")
    ties = entity_ties(case, entity_id, limit=RELATED_LIMIT, include_retired=shown)
    if ties:   # (a case without relationships shows no empty section)
        # a tie is shown retired when it is, or the entity at its other end is
        ends = retired_ids(case, "entities", [tie.other for tie in ties], shown)
        retired = retired_ids(case, "relationships", [tie.relationship for tie in ties], shown)
        retired |= {tie.relationship.id or 0 for tie in ties if tie.other.id in ends}
        blocks += [BLANK, heading("Relationships", len(ties)), *tie_links(ties, retired)]
    total = count_entity_excerpts(case, entity_id, include_retired=shown)
    excerpts = entity_excerpts(case, entity_id, limit=EXCERPT_LIMIT, include_retired=shown)
    sources = sources_by_ids(case, [x.source_id for x in excerpts])
    retired = retired_ids(case, "excerpts", excerpts, shown)
    blocks += [BLANK, heading("Mentioned in", total, shown=len(excerpts))]
    blocks += [excerpt_link(x, sources[x.source_id].title if x.source_id in sources else "",
                            retired=x.id in retired)
               for x in excerpts] or [Block(Content.styled("No excerpts mention it.", ".cb--dim"))]
    return blocks + curation_blocks(case, "entity", entity_id)


def event_detail(case: Case, event_id: int, *, include_retired: bool = False) -> list[Block]:
    shown = include_retired
    event = get_event(case, event_id)
    blocks = title_block("Event", plain_line(event.title, ".cb--name", limit=TITLE_CHARS, noted=True),
                         damage=event.damage)
    precision = "" if event.date_precision == "unknown" else f"  (to the {event.date_precision})"
    blocks.append(field("When", join([Content.styled(event.date_label, ".cb--date"),
                                      (precision, ".cb--dim")])))
    if event.description:
        blocks += [BLANK, Block(plain_block(event.description))]
    entities = event_entities(case, event_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "entities", entities, shown)
    blocks += section("Entities", [entity_link(e, retired=e.id in retired) for e in entities],
                      empty="No entities.")
    evidence = event_evidence(case, event_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "excerpts", [e.excerpt for e in evidence], shown)
    blocks += section("Evidence", evidence_links(evidence, stances=False, retired=retired),
                      empty="No evidence cited.")
    return blocks + curation_blocks(case, "event", event_id)


def excerpt_detail(case: Case, excerpt_id: int, *, include_retired: bool = False) -> list[Block]:
    shown = include_retired
    before, excerpt, after = excerpt_context(case, excerpt_id, chars=CONTEXT_CHARS)
    source = sources_by_ids(case, [excerpt.source_id]).get(excerpt.source_id)
    length = source_length(case, excerpt.source_id)
    # A heading of three lines at most (an 80x24 detail has twelve): what it
    # is and where, the source's title, who published it and when.
    place = excerpt_place(case, excerpt_id)   # a paged document (a PDF): on which page
    pages = f" · {place.label}" if place is not None else ""
    kind = "quote" if excerpt.kind == "quote" else "paragraph"
    blocks = [Block(Content.styled(
        f"Excerpt · {kind} · characters {excerpt.start:,}–{excerpt.end:,} of {length:,}{pages}",
        ".cb--dim"))]
    title = plain_line(source.title if source else f"source {excerpt.source_id}", ".cb--name")
    blocks.append(Block(title, wrap=False))
    if source:
        about = [value for value in (source.publisher, source.author, source.published) if value]
        if about:
            blocks.append(Block(plain_line(" · ".join(about), ".cb--dim"), wrap=False))
    blocks += damage_blocks(excerpt.damage)
    # The excerpt stands out between the text around it; the detail opens on it.
    blocks.append(BLANK)
    if before.strip():
        lead = "…" if excerpt.start > len(before) else ""
        blocks.append(Block(Content.assemble((lead, ".cb--dim"), plain_block(before.strip()))))
    blocks.append(Block(plain_block(excerpt.text, ".cb--quote"), anchor=True))
    if after.strip():
        tail = "…" if excerpt.end + len(after) < length else ""
        blocks.append(Block(Content.assemble(plain_block(after.strip()), (tail, ".cb--dim"))))
    if not case.read_only:
        blocks += [BLANK, Block(Content.styled(BUILD_KEYS, ".cb--dim"), hang=7)]
    entities = excerpt_entities(case, excerpt_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "entities", entities, shown)
    blocks += section("Mentions", [entity_link(e, retired=e.id in retired) for e in entities],
                      empty="No entities linked.")
    events = excerpt_events(case, excerpt_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "events", events, shown)
    blocks += section("Evidence for events", [event_link(e, retired=e.id in retired)
                                              for e in events], empty="None.")
    claims = excerpt_claims(case, excerpt_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "claims", claims, shown)
    blocks += section("Evidence for claims", [claim_link(c, retired=c.id in retired)
                                              for c in claims], empty="None.")
    blocks += attachment_blocks(case, excerpt.source_id)
    return blocks + curation_blocks(case, "excerpt", excerpt_id)


def attachment_blocks(case: Case, source_id: int) -> list[Block]:
    """The message a source came attached to, and the files a message carried:
    a file read as a source links to its first excerpt; the others say why not."""
    blocks: list[Block] = []
    parent = attached_to(case, source_id)
    if parent is not None:
        blocks += [BLANK, heading("Attached to"), source_link(case, parent)]
    attachments = attachments_of(case, source_id)
    if attachments:
        blocks += [BLANK, heading("Attachments", len(attachments))]
        for attachment in attachments:
            described = f"  {attachment.media_type or 'unknown type'}, {attachment.size:,} bytes"
            if attachment.attached_id is not None:
                blocks.append(source_link(case, attachment.attached_id, attachment.name, described))
            else:
                blocks.append(Block(join([("• ", ""), plain_line(attachment.name),
                                          (described, ".cb--dim"),
                                          ("  — ", ".cb--dim"), plain_line(attachment.note, ".cb--dim")]),
                                    hang=2))
    return blocks


def source_link(case: Case, source_id: int, name: str = "", described: str = "") -> Block:
    """A source as a link to its first excerpt (plain when it has none)."""
    source = sources_by_ids(case, [source_id]).get(source_id)
    label = name or (source.title if source else f"source {source_id}")
    first = excerpts_page(case, offset=0, limit=1, source_id=source_id)
    line = join([("• ", ""), plain_line(label, ".cb--name"), (described, ".cb--dim")])
    link = Link("excerpt", first[0].id) if first and first[0].id is not None else None
    return Block(line, link, hang=2)
