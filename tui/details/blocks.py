"""The blocks every detail is made of: headings, fields, sections with a
count, and a link to each kind of item, each drawn from plain strings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from textual.content import Content

from db import Case, Claim, Entity, Event, Evidence, Excerpt
from db.curation import item_state
from db.models import Relationship
from db.paging import retired_among
from db.relationships import Tie

from ..labels import BADGE_WIDTH, DAMAGE_MARK, damage_mark, status_badge
from ..text import cell_pad, fit, join, plain_line, quoted_line
from ..widgets.detail import BLANK, Block, Link

RELATED_LIMIT = 200      # links per section; a count says when there are more
# A retired item linked from a detail (shown only while retired items are, ``H``):
# the word the panes put before its row.
RETIRED = ("retired ", ".cb--badge")


def retired_ids(case: Case, table: str, items: Sequence[Any], shown: bool) -> set[int]:
    """Which of ``items`` (models with an id) are retired: none to look for
    unless retired items are shown (else the reads left them out)."""
    if not shown:
        return set()
    return retired_among(case, table, [item.id for item in items if item.id is not None])


def _retired(retired: bool) -> list[Content | tuple[str, str]]:
    return [RETIRED] if retired else []


def heading(text: str, count: int | None = None, *, shown: int | None = None) -> Block:
    label = text if count is None else f"{text} ({count:,})"
    if shown is not None and count is not None and shown < count:
        label += f" — the first {shown:,} shown"
    return Block(Content.styled(label, ".cb--heading"))


def field(label: str, value: Content | str) -> Block:
    value = plain_line(value) if isinstance(value, str) else value
    return Block(join([(f"{label}: ", ".cb--label"), value]), hang=2)


def title_block(label: str, title: Content, subtitle: str = "", *, damage: str = "") -> list[Block]:
    """What the item is (``Entity · person``), then its name or title, then
    what is wrong with its row if it is damaged."""
    label += f" · {subtitle}" if subtitle else ""
    return [Block(Content.styled(label, ".cb--dim")), Block(title), *damage_blocks(damage)]


def damage_blocks(damage: str) -> list[Block]:
    """A damaged row says so, and what is wrong (``db.damage``: the reason may
    quote the row's values, so it is untrusted text)."""
    if not damage:
        return []
    return [Block(join([(f"{DAMAGE_MARK}Damaged: ", ".cb--damaged"), plain_line(damage)]), hang=2),
            Block(Content.styled("  Shown as far as it can be read; 'casebook check' lists every "
                                 "problem in the file.", ".cb--dim"), hang=2)]


def entity_link(entity: Entity, role: str = "", *, retired: bool = False) -> Block:
    parts: list[Content | tuple[str, str]] = [("• ", ""), *_retired(retired), damage_mark(entity.damage),
                                              plain_line(entity.name, ".cb--name"),
                                              (f"  {entity.kind}", ".cb--dim")]
    if role:
        parts.append((f" · {role}", ".cb--dim"))
    return Block(join(parts), Link("entity", entity.id or 0), hang=2)


def event_link(event: Event, *, retired: bool = False) -> Block:
    return Block(join([("• ", ""), *_retired(retired), damage_mark(event.damage),
                       Content.styled(event.date_label, ".cb--date"), ("  ", ""),
                       plain_line(event.title)]), Link("event", event.id or 0), hang=2)


def claim_link(claim: Claim, *, retired: bool = False) -> Block:
    badge = cell_pad(status_badge(claim.status), BADGE_WIDTH)
    return Block(join([("• ", ""), *_retired(retired), damage_mark(claim.damage), badge, " ",
                       plain_line(claim.statement)]),
                 Link("claim", claim.id or 0, version=claim.version), hang=2 + BADGE_WIDTH + 1)


def relationship_link(relationship: Relationship) -> Link:
    """A link to a relationship's own detail (``o`` on a tie: the link it goes through)."""
    return Link("relationship", relationship.id or 0, version=relationship.version)


def tie_links(ties: list[Tie], retired: Collection[int] = ()) -> list[Block]:
    """An entity's relationships grouped by type (``member of``, ``← member of`` read
    from the other end), each a link to the entity at the other end; those whose
    relationship id is in ``retired`` marked so."""
    blocks: list[Block] = []
    label = None
    for tie in ties:
        if tie.label != label:
            label = tie.label
            blocks.append(Block(Content.styled(label, ".cb--label")))
        r = tie.relationship
        said = " · ".join(part for part in (r.role, r.date_label) if part)
        badge = cell_pad(status_badge(r.status), BADGE_WIDTH)
        parts: list[Content | tuple[str, str]] = [
            ("  • ", ""), *_retired(r.id in retired), badge, (" ", ""),
            plain_line(tie.other.name, ".cb--name"),
            (f"  {tie.other.kind}", ".cb--dim")]
        if said:
            parts += [("  ", ""), plain_line(said, ".cb--dim")]
        blocks.append(Block(join(parts), Link("entity", tie.other.id or 0, via=relationship_link(r)),
                            hang=4 + BADGE_WIDTH + 1))
    return blocks


SOURCE_IN_LINK = 32   # cells of a source's title after an excerpt link


def excerpt_link(excerpt: Excerpt, source_title: str, stance: str = "", *,
                 retired: bool = False) -> Block:
    parts: list[Content | tuple[str, str]] = [("• ", ""), *_retired(retired),
                                              damage_mark(excerpt.damage)]
    if stance:
        parts.append((f"{stance}: ", ".cb--label"))
    # The source's title, cut: a list of evidence from one long-titled source
    # would repeat two or three lines of it on every link.
    parts += [quoted_line(excerpt.text), ("  — ", ".cb--dim"),
              fit(plain_line(source_title, ".cb--dim"), SOURCE_IN_LINK)]
    return Block(join(parts), Link("excerpt", excerpt.id or 0), hang=2)


def evidence_links(evidence: list[Evidence], *, stances: bool,
                   retired: Collection[int] = ()) -> list[Block]:
    return [excerpt_link(e.excerpt, e.source_title, e.stance if stances else "",
                         retired=e.excerpt.id in retired) for e in evidence]


def section(title: str, blocks: list[Block], *, empty: str, limit: int = RELATED_LIMIT) -> list[Block]:
    """A heading with its count, then the blocks (a read stops at ``limit``)."""
    more = f"+, the first {limit:,} shown" if len(blocks) >= limit else ""
    head = Block(Content.styled(f"{title} ({len(blocks):,}{more})", ".cb--heading"))
    return [BLANK, head, *(blocks or [Block(Content.styled(empty, ".cb--dim"))])]


REVISIONS_SHOWN = 20


def curation_blocks(case: Case, kind: str, item_id: int) -> list[Block]:
    """An item's standing and its revision history (newest first), when it has
    any: nothing for an item never curated, so most details stay as they were."""
    state = item_state(case, kind, item_id)
    blocks: list[Block] = []
    if state.retired:
        reason = state.retirements[-1].reason if state.retirements else ""
        blocks += [BLANK, Block(join(_with_note([("Retired", ".cb--heading")], reason, "  ")))]
    for conflict in state.conflicts:
        blocks += [BLANK, Block(join([("Unsettled conflict", ".cb--heading"),
                                      (f" {conflict.id} · {conflict.field} revised differently "
                                       "on both sides", ".cb--dim")]), hang=2)]
        for side, revision in (("ours", conflict.ours), ("theirs", conflict.theirs)):
            parts: Parts = [(f"  {side}: ", ".cb--label"),
                            plain_line(_shown(revision.fields[conflict.field][1])),
                            ("  ", ""), (revision.at[:16].replace("T", " "), ".cb--date"),
                            ("  ", ""), plain_line(revision.annotator)]
            blocks.append(Block(join(parts), hang=4))
        blocks.append(Block(Content.styled(
            f"  settle: casebook settle PATH {conflict.id} --keep ours|theirs|VALUE", ".cb--dim"),
            hang=4))
    records = len(state.revisions) + len(state.retirements) + len(state.combinations)
    if not records:
        return blocks
    blocks += [BLANK, heading(f"Revisions · version {state.item['version']}", len(state.revisions),
                              shown=min(len(state.revisions), REVISIONS_SHOWN))]
    for revision in reversed(state.revisions[-REVISIONS_SHOWN:]):
        parts = _when_who(revision.at, revision.annotator)
        if revision.undoes:
            parts.append((" (undo)", ".cb--dim"))
        for name, (old, new) in revision.fields.items():
            parts += [(f"  {name}: ", ".cb--label"), plain_line(_cut(_shown(old)), ".cb--dim"),
                      (" → ", ""), plain_line(_cut(_shown(new)))]
        blocks.append(Block(join(_with_note(parts, "" if revision.undoes else revision.note)),
                            hang=2))
    for retirement in reversed(state.retirements):
        parts = _when_who(retirement.at, retirement.annotator)
        parts.append(("  retired" if retirement.retired else "  restored", ".cb--dim"))
        blocks.append(Block(join(_with_note(parts, retirement.reason)), hang=2))
    uid = str(state.item.get("uid", ""))
    for combination in reversed(state.combinations):
        parts = _when_who(combination.at, combination.annotator)
        other = combination.absorbed_uid if combination.kept_uid == uid else combination.kept_uid
        what = "another entity combined into it" if combination.kept_uid == uid \
            else "combined into another entity"
        parts += [(f"  {what} ", ".cb--dim"), (other[:8], ".cb--dim")]
        if combination.undone_at:
            parts += [("  (uncombined ", ".cb--dim"), plain_line(combination.undone_by),
                      (")", ".cb--dim")]
        blocks.append(Block(join(_with_note(parts, combination.note)), hang=2))
    return blocks


Parts = list[Content | str | tuple[str, str]]


def _when_who(at: str, who: str) -> Parts:
    return [("• ", ""), (at[:16].replace("T", " "), ".cb--date"), ("  ", ""), plain_line(who)]


def _with_note(parts: Parts, note: str, separator: str = "  — ") -> Parts:
    if note:
        parts += [(separator, ".cb--dim"), plain_line(note)]
    return parts


REVISED_VALUE_SHOWN = 120   # characters of a revised value in the history ('casebook show' has all)


def _cut(text: str) -> str:
    """A long value (a description) cut, so one revision is not a screenful at 80x24."""
    return text if len(text) <= REVISED_VALUE_SHOWN else text[:REVISED_VALUE_SHOWN - 1] + "…"


def _shown(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " | ".join(str(v) for v in value) or "(none)"
    return str(value) if value != "" else "(empty)"
