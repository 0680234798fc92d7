"""A claim's detail, laid out for review: the statement and claimant, its
status with any open conflict or disagreement, the evidence in context (each
excerpt highlighted in the text around it), the history of marks, the
annotators' standing marks, and the entities.

Runs in a thread worker like every detail builder (``tui.details``): it reads
the case and builds blocks; it never touches a widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from db import Annotation, Case
from db.agreement import claim_agreement
from db.claims import (
    claim_entities,
    claim_evidence_in_context,
    claim_history,
    count_history,
    get_claim,
)
from db.conflicts import claim_conflicts
from db.models import ClaimAgreement, Conflict, EvidenceInContext, RelationshipAnnotation

from ..labels import damage_mark, short_time, status_badge
from ..text import fit, join, plain_block, plain_line
from ..widgets.detail import BLANK, Block, Link
from .blocks import (
    RELATED_LIMIT,
    RETIRED,
    curation_blocks,
    damage_blocks,
    entity_link,
    field,
    retired_ids,
    section,
)

CONTEXT_CHARS = 160     # of the excerpt's own paragraph, either side
SOURCE_TITLE_WIDTH = 56
HISTORY_LIMIT = 200     # the latest marks shown; a count says when there are more
DIM = ".cb--dim"


def claim_detail(case: Case, claim_id: int, *, include_retired: bool = False) -> list[Block]:
    """(Linked items as every detail lists them: retired ones left out unless
    ``include_retired``, then marked; ``tui.details.items``.)"""
    shown = include_retired
    claim = get_claim(case, claim_id)
    conflicts = claim_conflicts(case, claim_id, include_resolved=True)
    open_conflicts = [conflict for conflict in conflicts if conflict.open]
    agreement = claim_agreement(case, claim_id)
    blocks = [Block(Content.styled(f"Claim {claim_id}", DIM)),
              Block(plain_block(claim.statement, ".cb--name")), *damage_blocks(claim.damage)]
    blocks.append(field("Status", status_line(claim.status, bool(open_conflicts),
                                              agreement.disagreement)))
    if claim.claimant:
        blocks.append(field("Claimant", claim.claimant))
    total, history = read_history(case, claim_id)
    if history:   # the history is below the evidence: its latest entry up here
        latest = history[-1]
        blocks.append(field("Last", join([
            *history_parts(latest),
            (f"  {short_time(latest.created_at)} · {total:,} in the history", DIM)])))
    if open_conflicts:
        blocks += conflict_blocks(open_conflicts)
    evidence = claim_evidence_in_context(case, claim_id, chars=CONTEXT_CHARS, limit=RELATED_LIMIT,
                                         include_retired=shown)
    retired = retired_ids(case, "excerpts", [e.excerpt for e in evidence], shown)
    blocks += section("Evidence", [evidence_in_context(e, retired=e.excerpt.id in retired)
                                   for e in evidence],
                      empty="No evidence cited.")
    blocks += history_blocks(total, history, {c.resolution for c in conflicts if c.resolution})
    if agreement.marks:
        blocks += agreement_blocks(agreement)
    entities = claim_entities(case, claim_id, limit=RELATED_LIMIT, include_retired=shown)
    retired = retired_ids(case, "entities", [e for e, _role in entities], shown)
    blocks += section("Entities", [entity_link(e, role, retired=e.id in retired)
                                   for e, role in entities],
                      empty="No entities.")
    return blocks + curation_blocks(case, "claim", claim_id)


def status_line(status: str, conflict: bool, disagreement: bool) -> Content:
    parts: list[Content | tuple[str, str]] = [status_badge(status)]
    if conflict:
        parts.append(("  ! in conflict", ".cb--badge"))
    if disagreement:
        parts.append(("  ≠ annotators disagree", ".cb--status-disputed"))
    return join(parts)


def evidence_in_context(evidence: EvidenceInContext, *, retired: bool = False) -> Block:
    """The stance and source, then the excerpt highlighted within its paragraph."""
    excerpt, before, after = evidence.excerpt, evidence.before, evidence.after
    lead = tail = ""
    if "\n" in before:
        before = before[before.rindex("\n") + 1:]
    elif excerpt.start > len(before):
        before, lead = before.split(" ", 1)[-1], "…"
    if "\n" in after:
        after = after[:after.index("\n")]
    elif len(after) >= CONTEXT_CHARS:
        after, tail = after.rsplit(" ", 1)[0], "…"
    parts: list[Content | tuple[str, str]] = [
        *([RETIRED] if retired else []),
        damage_mark(excerpt.damage), (f"{evidence.stance}", ".cb--label"), (" · ", DIM),
        fit(plain_line(evidence.source_title, DIM), SOURCE_TITLE_WIDTH), ("\n  ", ""), (lead, DIM),
    ]
    if before.strip():
        parts += [plain_line(before), (" " if before[-1:].isspace() else "", "")]
    parts.append(plain_line(excerpt.text, ".cb--quote"))
    if after.strip():
        parts += [(" " if after[:1].isspace() else "", ""), plain_line(after)]
    parts.append((tail, DIM))
    if excerpt.damage:
        parts += [("\n  Damaged: ", ".cb--damaged"), plain_line(excerpt.damage)]
    return Block(join(parts), Link("excerpt", excerpt.id or 0), hang=2)


def conflict_blocks(conflicts: list[Conflict]) -> list[Block]:
    blocks = [BLANK, Block(Content.styled(f"Conflict ({len(conflicts)} open)", ".cb--badge"))]
    for conflict in conflicts:
        found = join([("• ", ""), plain_line(conflict.detected_by or "a merge", DIM),
                      (f", found {short_time(conflict.detected_at)}", DIM)])
        blocks.append(Block(found, hang=2))
        for side in (conflict.a, conflict.b):
            blocks.append(Block(join([("  ", ""), plain_line(side.annotator, ".cb--name"), "  ",
                                      status_badge(side.status), ("  ", ""),
                                      (short_time(side.created_at), DIM)]), hang=4))
            if side.note:
                blocks.append(Block(join([("    ", ""), plain_block(side.note, DIM)]), hang=4))
    blocks.append(Block(Content.styled(
        "c d x U settle it with that status (on the record); u takes that back.", DIM)))
    return blocks


def read_history(case: Case, claim_id: int) -> tuple[int, list[Annotation]]:
    """How many annotations the claim has, and the latest ``HISTORY_LIMIT``, oldest first."""
    total = count_history(case, claim_id)
    offset = max(0, total - HISTORY_LIMIT)
    return total, claim_history(case, claim_id, offset=offset, limit=HISTORY_LIMIT)


def history_blocks(total: int, history: Sequence[Annotation | RelationshipAnnotation],
                   resolutions: set[str]) -> list[Block]:
    shown = f" — the latest {len(history):,} shown" if total > len(history) else ""
    label = f"History ({total:,}){shown}"
    blocks = [BLANK, Block(Content.styled(label, ".cb--heading"))]
    undone = {mark.undoes for mark in history if mark.kind == "undo"}
    for mark in history:
        blocks.append(Block(history_line(mark, undone=mark.id in undone,
                                         resolves=mark.id in resolutions), hang=2))
        if mark.note:
            blocks.append(Block(join([("  ", ""), plain_block(mark.note, DIM)]), hang=4))
    if not history:
        blocks.append(Block(Content.styled("Not marked yet.", DIM)))
    return blocks


def history_line(mark: Annotation | RelationshipAnnotation, *, undone: bool = False,
                 resolves: bool = False) -> Content:
    """``• 2026-11-26 10:00  bruno  · unreviewed → ? disputed``, with its kind."""
    parts: list[Content | tuple[str, str]] = [
        ("• ", ""), (short_time(mark.created_at), DIM), ("  ", ""), *history_parts(mark),
    ]
    if undone:
        parts.append(("  (undone)", DIM))
    if resolves:
        parts.append(("  (settles a conflict)", DIM))
    return join(parts)


def history_parts(mark: Annotation | RelationshipAnnotation) -> list[Content | tuple[str, str]]:
    """``bruno  · unreviewed → ? disputed`` (or a note, or an undo)."""
    parts: list[Content | tuple[str, str]] = [plain_line(mark.annotator, ".cb--name"), ("  ", "")]
    if mark.kind == "note":
        parts += [("note", ".cb--label"), (", status stays ", DIM), status_badge(mark.status)]
    else:
        if mark.kind == "undo":
            parts.append(("undo ", ".cb--label"))
        parts += [status_badge(mark.previous_status), (" → ", DIM), status_badge(mark.status)]
    return parts


def agreement_blocks(agreement: ClaimAgreement) -> list[Block]:
    pairs = agreement.agreeing_pairs + agreement.disagreeing_pairs
    if not pairs:
        summary = "one judgement so far"
    elif agreement.disagreement:
        summary = f"≠ they disagree: {agreement.agreeing_pairs} of {pairs} pairs agree"
    else:
        summary = f"they agree ({pairs} pair{'s' if pairs > 1 else ''})"
    style = ".cb--status-disputed" if agreement.disagreement else DIM
    blocks = [BLANK, Block(join([(f"Annotators ({len(agreement.marks)})", ".cb--heading"),
                                 ("  ", ""), (summary, style)]))]
    for mark in agreement.marks:
        blocks.append(Block(join([("• ", ""), plain_line(mark.annotator, ".cb--name"), "  ",
                                  status_badge(mark.status), ("  ", ""),
                                  (short_time(mark.created_at), DIM)]), hang=2))
    return blocks
