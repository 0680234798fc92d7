"""What a detail shows for each kind of item, read through ``db`` and laid
out as blocks (``tui.widgets.detail.Block``). Runs in a thread worker: every
function here reads the case; none touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content

from db import Case, Claim, Entity, Event, Evidence, Excerpt
from db.claims import entity_claims, excerpt_claims
from db.entities import count_entity_excerpts, entity_excerpts, excerpt_entities, get_entity
from db.events import entity_events, event_entities, event_evidence, excerpt_events, get_event
from db.sources import excerpt_context, source_length, sources_by_ids

from .rows import BADGE_WIDTH, status_badge
from .text import cell_pad, join, plain_block, plain_line
from .widgets.detail import BLANK, Block, Link

RELATED_LIMIT = 200      # links per section; a count says when there are more
EXCERPT_LIMIT = 50
CONTEXT_CHARS = 300

BUILD_KEYS = "Build: s words · e entity · t event · a claim · l link · L unlink · i cite"
KIND_LABELS = {"entity": "Entity", "event": "Event", "excerpt": "Excerpt", "claim": "Claim"}


def heading(text: str, count: int | None = None, *, shown: int | None = None) -> Block:
    label = text if count is None else f"{text} ({count:,})"
    if shown is not None and count is not None and shown < count:
        label += f" — the first {shown:,} shown"
    return Block(Content.styled(label, ".cb--heading"))


def field(label: str, value: Content | str) -> Block:
    value = plain_line(value) if isinstance(value, str) else value
    return Block(join([(f"{label}: ", ".cb--label"), value]), hang=2)


def title_block(kind: str, title: Content, subtitle: str = "") -> list[Block]:
    label = KIND_LABELS[kind] + (f" · {subtitle}" if subtitle else "")
    return [Block(Content.styled(label, ".cb--dim")), Block(title)]


def entity_link(entity: Entity, role: str = "") -> Block:
    parts: list[Content | tuple[str, str]] = [("• ", ""), plain_line(entity.name, ".cb--name"),
                                              (f"  {entity.kind}", ".cb--dim")]
    if role:
        parts.append((f" · {role}", ".cb--dim"))
    return Block(join(parts), Link("entity", entity.id or 0), hang=2)


def event_link(event: Event) -> Block:
    return Block(join([("• ", ""), Content.styled(event.date_label, ".cb--date"), ("  ", ""),
                       plain_line(event.title)]), Link("event", event.id or 0), hang=2)


def claim_link(claim: Claim) -> Block:
    badge = cell_pad(status_badge(claim.status), BADGE_WIDTH)
    return Block(join([("• ", ""), badge, " ", plain_line(claim.statement)]),
                 Link("claim", claim.id or 0, version=claim.version), hang=2 + BADGE_WIDTH + 1)


def excerpt_link(excerpt: Excerpt, source_title: str, stance: str = "") -> Block:
    parts: list[Content | tuple[str, str]] = [("• ", "")]
    if stance:
        parts.append((f"{stance}: ", ".cb--label"))
    parts += [("“", ""), plain_line(excerpt.text), ("”", ""), ("  — ", ".cb--dim"),
              plain_line(source_title, ".cb--dim")]
    return Block(join(parts), Link("excerpt", excerpt.id or 0), hang=2)


def evidence_links(evidence: list[Evidence], *, stances: bool) -> list[Block]:
    return [excerpt_link(e.excerpt, e.source_title, e.stance if stances else "") for e in evidence]


def section(title: str, blocks: list[Block], *, empty: str, limit: int = RELATED_LIMIT) -> list[Block]:
    """A heading with its count, then the blocks (a read stops at ``limit``)."""
    more = f"+, the first {limit:,} shown" if len(blocks) >= limit else ""
    head = Block(Content.styled(f"{title} ({len(blocks):,}{more})", ".cb--heading"))
    return [BLANK, head, *(blocks or [Block(Content.styled(empty, ".cb--dim"))])]


# -- one function per kind ---------------------------------------------------


def entity_detail(case: Case, entity_id: int) -> list[Block]:
    entity = get_entity(case, entity_id)
    blocks = title_block("entity", plain_line(entity.name, ".cb--name"), entity.kind)
    if entity.aliases:
        blocks.append(field("Also", plain_line(" · ".join(entity.aliases))))
    if entity.description:
        blocks += [BLANK, Block(plain_block(entity.description))]
    events = entity_events(case, entity_id, limit=RELATED_LIMIT)
    blocks += section("Events", [event_link(e) for e in events], empty="No events.")
    claims = entity_claims(case, entity_id, limit=RELATED_LIMIT)
    blocks += section("Claims", [claim_link(c) for c in claims], empty="No claims.")
    total = count_entity_excerpts(case, entity_id)
    excerpts = entity_excerpts(case, entity_id, limit=EXCERPT_LIMIT)
    sources = sources_by_ids(case, [x.source_id for x in excerpts])
    blocks += [BLANK, heading("Mentioned in", total, shown=len(excerpts))]
    blocks += [excerpt_link(x, sources[x.source_id].title if x.source_id in sources else "")
               for x in excerpts] or [Block(Content.styled("No excerpts mention it.", ".cb--dim"))]
    return blocks


def event_detail(case: Case, event_id: int) -> list[Block]:
    event = get_event(case, event_id)
    blocks = title_block("event", plain_line(event.title, ".cb--name"))
    precision = "" if event.date_precision == "unknown" else f"  (to the {event.date_precision})"
    blocks.append(field("When", join([Content.styled(event.date_label, ".cb--date"),
                                      (precision, ".cb--dim")])))
    if event.description:
        blocks += [BLANK, Block(plain_block(event.description))]
    entities = event_entities(case, event_id, limit=RELATED_LIMIT)
    blocks += section("Entities", [entity_link(e) for e in entities], empty="No entities.")
    evidence = event_evidence(case, event_id, limit=RELATED_LIMIT)
    blocks += section("Evidence", evidence_links(evidence, stances=False), empty="No evidence cited.")
    return blocks


def excerpt_detail(case: Case, excerpt_id: int) -> list[Block]:
    before, excerpt, after = excerpt_context(case, excerpt_id, chars=CONTEXT_CHARS)
    source = sources_by_ids(case, [excerpt.source_id]).get(excerpt.source_id)
    length = source_length(case, excerpt.source_id)
    title = plain_line(source.title if source else f"source {excerpt.source_id}", ".cb--name")
    blocks = title_block("excerpt", title, "quote" if excerpt.kind == "quote" else "paragraph")
    if source:
        if source.publisher:
            blocks.append(field("Publisher", source.publisher))
        if source.author:
            blocks.append(field("Author", source.author))
        if source.published:
            blocks.append(field("Published", source.published))
    blocks.append(field("Position", f"characters {excerpt.start:,}–{excerpt.end:,} of {length:,}"))
    if not case.read_only:
        blocks.append(Block(Content.styled(BUILD_KEYS, ".cb--dim"), hang=7))
    # The excerpt stands out between the text around it; the detail opens on it.
    blocks.append(BLANK)
    if before.strip():
        lead = "…" if excerpt.start > len(before) else ""
        blocks.append(Block(Content.assemble((lead, ".cb--dim"), plain_block(before.strip()))))
    blocks.append(Block(plain_block(excerpt.text, ".cb--quote"), anchor=True))
    if after.strip():
        tail = "…" if excerpt.end + len(after) < length else ""
        blocks.append(Block(Content.assemble(plain_block(after.strip()), (tail, ".cb--dim"))))
    entities = excerpt_entities(case, excerpt_id, limit=RELATED_LIMIT)
    blocks += section("Mentions", [entity_link(e) for e in entities], empty="No entities linked.")
    events = excerpt_events(case, excerpt_id, limit=RELATED_LIMIT)
    blocks += section("Evidence for events", [event_link(e) for e in events], empty="None.")
    claims = excerpt_claims(case, excerpt_id, limit=RELATED_LIMIT)
    blocks += section("Evidence for claims", [claim_link(c) for c in claims], empty="None.")
    return blocks


def claim_detail(case: Case, claim_id: int) -> list[Block]:
    # Laid out for review (evidence in context, history, conflicts, agreement).
    from .claim_detail import claim_detail as review_layout

    return review_layout(case, claim_id)


DETAIL_BUILDERS: dict[str, Callable[[Case, int], list[Block]]] = {
    "entity": entity_detail,
    "event": event_detail,
    "excerpt": excerpt_detail,
    "claim": claim_detail,
}


def build_detail(case: Case, kind: str, item_id: int) -> list[Block]:
    return DETAIL_BUILDERS[kind](case, item_id)
