"""The kinds of item the browser shows, each described once.

Everything the browser knows about a kind of item lives on its record (as
VisiData keeps everything about a sheet type on the type): its pane's key
and title, the feed its list reads, how a row is drawn, how its detail is
read; what the case file knows of it is the ``db.kinds`` record it names.
The app, the pane tabs, search and help take what they need from here;
adding a kind is adding a record. The judging queues (likely duplicates,
possible mentions) are records here too, over the ``db.review_kinds.ReviewKind``
each names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from textual.binding import Binding
from textual.content import Content

import db.kinds
import db.review_kinds
from db import Case

from .details.claim import claim_detail
from .details.items import entity_detail, event_detail, excerpt_detail
from .details.proposals import (
    ReviewQueue,
    load_mentions,
    mention_lines,
    mention_said,
    pair_lines,
    pair_said,
    pairs_left,
)
from .details.relationship import relationship_blocks
from .panes.claims_pane import ClaimsPane
from .panes.feeds import ClaimFeed, EntityFeed, EventFeed, ExcerptFeed, Feed
from .panes.pane import Pane
from .panes.rows import claim_row, entity_row, event_row, excerpt_row
from .widgets.detail import Block
from .widgets.pane_bar import Tab


class DetailBuilder(Protocol):
    """An item's detail read from the case (``tui.details``): its linked items as
    the panes list items, retired ones left out unless ``include_retired``."""

    def __call__(self, case: Case, item_id: int, /, *, include_retired: bool = False
                 ) -> list[Block]: ...


@dataclass(frozen=True)
class ItemKind:
    """One kind of item: what the browser reads and draws for it."""

    data: db.kinds.ItemKind    # the kind as the case file holds it
    key: str                   # the key that shows its pane: "1"
    short_title: str           # its tab when the terminal is narrow: "Ent"
    feed: Callable[[Case], Feed]
    row: Callable[[Any, int], Content]
    detail: DetailBuilder
    pane: type[Pane] = Pane

    @property
    def name(self) -> db.kinds.KindName:
        return self.data.name

    @property
    def title(self) -> str:
        """Its pane's title, and its group's in search: "Entities"."""
        return self.data.plural.capitalize()

    @property
    def counts_field(self) -> str:
        return self.data.count_field

    @property
    def pane_id(self) -> str:
        return f"{self.name}-pane"

    def make_pane(self, case: Case, *, read_only: bool) -> Pane:
        """The pane of this kind over ``case``."""
        return self.pane(self.name, self.feed(case), self.row, partial(self.detail, case),
                         read_only=read_only, id=self.pane_id)

    @property
    def tab(self) -> Tab:
        return Tab(self.name, self.key, self.title, self.short_title)


KINDS: tuple[ItemKind, ...] = (
    ItemKind(db.kinds.ENTITY, "1", "Ent", EntityFeed, entity_row, entity_detail),
    ItemKind(db.kinds.EVENT, "2", "Ev", EventFeed, event_row, event_detail),
    ItemKind(db.kinds.EXCERPT, "3", "Exc", ExcerptFeed, excerpt_row, excerpt_detail),
    ItemKind(db.kinds.CLAIM, "4", "Cl", ClaimFeed, claim_row, claim_detail, pane=ClaimsPane),
)
BY_NAME: dict[str, ItemKind] = {kind.name: kind for kind in KINDS}


def kind_of(name: str) -> ItemKind:
    return BY_NAME[name]


SKIP = Binding("space", "judge('skip')", "Skip")
LIKELY_DUPLICATES = ReviewQueue(
    db.review_kinds.LIKELY_DUPLICATE,
    (Binding("s", "judge('same')", "Same", tooltip="The same: combine the second into the first"),
     Binding("d", "judge('not_same')", "Not the same"), SKIP),
    "s the same (combine) · d not the same · Space skip · Esc close",
    "Reading the entities…",
    db.review_kinds.LIKELY_DUPLICATE.proposals, pair_lines, pair_said,
    lambda judged, combined: f"No more likely duplicates ({judged} judged here).",
    rest=pairs_left)
POSSIBLE_MENTIONS = ReviewQueue(
    db.review_kinds.POSSIBLE_MENTION,
    (Binding("l", "judge('link')", "Link", tooltip="Link the excerpt to the entity"),
     Binding("n", "judge('not')", "Not this entity"), SKIP),
    "l link · n not this entity · Space skip · Esc close",
    "Reading the proposals…",
    load_mentions, mention_lines, mention_said,
    lambda judged, linked: f"No more possible mentions ({judged} judged here, {linked} linked).",
    proposal=lambda shown: shown.mention)
REVIEW_QUEUES: tuple[ReviewQueue, ...] = (LIKELY_DUPLICATES, POSSIBLE_MENTIONS)


@dataclass(frozen=True)
class OpenedKind:
    """A kind of item with no pane of its own, opened in a screen over the
    browser (``tui.screens.relationship``): a relationship, from the tie an entity is reached by (``key`` on
    it) or a link to it. It is marked with the claims' keys when its case-file
    record has marks (``db.kinds.ItemKind.marks``)."""

    data: db.kinds.ItemKind
    key: str                                    # opens the tie under the cursor: "o"
    detail: Callable[[Case, Any], list[Block]]  # what its screen shows of the item as read

    @property
    def name(self) -> db.kinds.KindName:
        return self.data.name


OPENED_KINDS: tuple[OpenedKind, ...] = (
    OpenedKind(db.kinds.RELATIONSHIP, "o", relationship_blocks),
)
OPENED_BY_NAME: dict[str, OpenedKind] = {kind.name: kind for kind in OPENED_KINDS}
