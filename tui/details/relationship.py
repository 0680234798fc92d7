"""A relationship's own detail: its two ends (links), type, role and dates, its
status, its evidence with stance (the verbatim quote, its source), the history
of marks (who, when, why) and whether it is retired.

Runs in a thread worker like every detail builder: it reads the case and
builds blocks; it never touches a widget.
"""

from __future__ import annotations

from textual.content import Content

from db import Case
from db.entities import entities_by_ids
from db.marks import RELATIONSHIP_MARKS, open_conflicts
from db.models import Evidence, Relationship
from db.relationships import (
    count_relationship_history,
    relationship_evidence,
    relationship_history,
)

from ..text import fit, join, plain_block, plain_line, quoted_line
from ..widgets.detail import BLANK, Block, Link
from .blocks import RELATED_LIMIT, curation_blocks, entity_link, field, section
from .claim import HISTORY_LIMIT, SOURCE_TITLE_WIDTH, history_blocks, status_line

DIM = ".cb--dim"


def relationship_blocks(case: Case, tie: Relationship) -> list[Block]:
    """The detail of ``tie`` as it was read (its version is the one a mark expects)."""
    tie_id = tie.id or 0
    ends = {e.id: e for e in entities_by_ids(case, [tie.subject_entity_id, tie.object_entity_id])}
    subject, object_ = ends.get(tie.subject_entity_id), ends.get(tie.object_entity_id)
    subject_name = subject.name if subject else f"entity {tie.subject_entity_id}"
    object_name = object_.name if object_ else f"entity {tie.object_entity_id}"
    blocks = [Block(Content.styled(f"Relationship {tie_id}", DIM)),
              Block(join([plain_line(subject_name, ".cb--name"),
                          (f"  {tie.type_label}  ", ".cb--label"),
                          plain_line(object_name, ".cb--name")]), hang=2)]
    blocks.append(field("Status", status_line(
        tie.status, bool(open_conflicts(RELATIONSHIP_MARKS, case, tie_id)), False)))
    if tie.role:
        blocks.append(field("Role", tie.role))
    blocks.append(field("Dates", tie.date_label or "not known"))
    if tie.description:
        blocks.append(Block(join([("Description: ", ".cb--label"),
                                  plain_block(tie.description)]), hang=2))
    blocks += [BLANK, Block(Content.styled("Ends", ".cb--heading"))]
    for end, label in ((subject, "subject"), (object_, "object")):
        if end is not None:
            blocks.append(entity_link(end, label))
    evidence = relationship_evidence(case, tie_id, limit=RELATED_LIMIT)
    blocks += section("Evidence", [evidence_block(e) for e in evidence], empty="No evidence cited.")
    total = count_relationship_history(case, tie_id)
    history = relationship_history(case, tie_id, offset=max(0, total - HISTORY_LIMIT),
                                   limit=HISTORY_LIMIT)
    blocks += history_blocks(total, history, set())
    return blocks + curation_blocks(case, "relationship", tie_id)


def evidence_block(evidence: Evidence) -> Block:
    """``supports · Source title`` then the whole verbatim quote, a link to the excerpt."""
    excerpt = evidence.excerpt
    return Block(join([(evidence.stance, ".cb--label"), (" · ", DIM),
                       fit(plain_line(evidence.source_title, DIM), SOURCE_TITLE_WIDTH),
                       ("\n  ", ""), quoted_line(excerpt.text, ".cb--quote")]),
                 Link("excerpt", excerpt.id or 0), hang=2)
