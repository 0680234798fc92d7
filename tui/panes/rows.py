"""One list row per item, as Content built from plain strings.

Styles are component classes of the list widgets (``.cb--dim``...), so the
stylesheet decides colours and a 16-colour or NO_COLOR terminal still reads
every row: statuses are words, not only colours.
"""

from __future__ import annotations

from textual.content import Content

from db import Claim, Entity, Event
from db.models import ClaimFlags

from ..labels import BADGE_WIDTH, damage_mark, status_badge
from ..text import cell_pad, fit, join, plain_line
from .feeds import ClaimRow, ExcerptRow

DATE_WIDTH = 22   # "May 2022 – March 2023" fits
SOURCE_WIDTH = 18


KIND_WIDTH = len("organization")


def entity_row(entity: Entity, width: int) -> Content:
    name = join([damage_mark(entity.damage), plain_line(entity.name, ".cb--name")])
    aliases = plain_line(" · ".join(entity.aliases), ".cb--dim")
    if width >= 90:  # room for columns: name, kind, aliases
        name_width = min(max(30, width // 2), width - KIND_WIDTH - 24)
        return fit(join([cell_pad(name, name_width), "  ",
                         cell_pad(Content.styled(entity.kind, ".cb--dim"), KIND_WIDTH), "  ",
                         aliases]), width)
    parts: list[Content | tuple[str, str]] = [name, ("  " + entity.kind, ".cb--dim")]
    if entity.aliases:
        parts += [("  ", ""), aliases]
    return fit(join(parts), width)


def event_row(event: Event, width: int) -> Content:
    date = cell_pad(join([damage_mark(event.damage), Content.styled(event.date_label, ".cb--date")]),
                    DATE_WIDTH)
    return fit(join([date, " ", plain_line(event.title)]), width)


def excerpt_row(row: ExcerptRow, width: int) -> Content:
    source = row.source
    label = (source.publisher or source.title) if source else f"source {row.excerpt.source_id}"
    prefix = cell_pad(plain_line(label, ".cb--dim"), SOURCE_WIDTH if width >= 60 else 10)
    kind = ("❝ ", ".cb--dim") if row.excerpt.kind == "quote" else ("  ", "")
    return fit(join([prefix, " ", kind, damage_mark(row.excerpt.damage),
                     plain_line(row.excerpt.text)]), width)


RETIRED_MARK = "retired "


def marked_retired(row: Content, width: int) -> Content:
    """A retired item's row (shown when retired items are): the word first,
    so it reads in every palette. ``row`` was drawn ``len(RETIRED_MARK)`` narrower."""
    return fit(join([(RETIRED_MARK, ".cb--badge"), row]), width)


def flag_badges(flags: ClaimFlags | None) -> Content:
    """Two cells: ``!`` an open merge conflict, ``≠`` annotators disagree."""
    conflict = bool(flags and flags.open_conflicts)
    disagreement = bool(flags and flags.disagreement)
    return Content.assemble(("!" if conflict else " ", ".cb--badge"),
                            ("≠" if disagreement else " ", ".cb--status-disputed"))


def claim_row(row: ClaimRow | Claim, width: int) -> Content:
    claim, flags = (row.claim, row.flags) if isinstance(row, ClaimRow) else (row, None)
    badge = cell_pad(status_badge(claim.status), BADGE_WIDTH)
    parts: list[Content | str | tuple[str, str]] = [badge, flag_badges(flags), " ",
                                                    damage_mark(claim.damage),
                                                    plain_line(claim.statement)]
    if claim.claimant and width >= 120:
        parts += [("  — ", ".cb--dim"), plain_line(claim.claimant, ".cb--dim")]
    return fit(join(parts), width)
