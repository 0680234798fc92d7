"""How two entities are connected, through relationships and, if asked,
through what they share: an event both are linked to, a claim about both,
an excerpt that mentions both. Such a step has those items as its evidence.

Chains of relationships alone come first (:func:`db.relationships.shortest_paths`);
then the shortest chains with at least one step through shared items, those
with fewest such steps first. The same bidirectional search walks both, a
level at a time through the link tables' indexes (by entity, by item); the
shared steps read are held to ``budget`` rows in all, so an entity in
thousands of excerpts costs a bounded search that says it stopped short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .casefile import Case
from .claims import claims_by_ids
from .errors import InvalidValueError
from .events import events_by_ids
from .paging import live
from .relationships import (
    SHARED,
    Chain,
    Connection,
    Step,
    check_ends,
    connections,
    relationship_steps,
    search_chains,
)
from .sources import excerpts_by_ids

# What a chain may go through besides relationships, as ``--through`` names them.
THROUGH = ("events", "claims", "excerpts")
# Shared steps read in one search, at most (each a pair of entities and an item).
BUDGET = 50_000
# The items shown as a shared step's evidence, of each kind.
SHARED_SHOWN = 3
_BATCH = 500


@dataclass(frozen=True)
class _Links:
    """A link table from entities to one kind of item."""

    table: str
    item: str        # the item's column
    items: str       # the items' table (for its retired ones)


_LINKS = {
    "events": _Links("event_entities", "event_id", "events"),
    "claims": _Links("claim_entities", "claim_id", "claims"),
    "excerpts": _Links("excerpt_entities", "excerpt_id", "excerpts"),
}


def check_through(kinds: Iterable[str]) -> tuple[str, ...]:
    """``events,claims`` or ``all`` as typed (singular or plural, repeated or
    comma-separated), in THROUGH's order; an unknown kind is refused in one line."""
    named: set[str] = set()
    for typed in kinds:
        for word in typed.split(","):
            word = word.strip().lower()
            if not word:
                continue
            if word == "all":
                named.update(THROUGH)
            elif word in THROUGH or f"{word}s" in THROUGH:
                named.add(word if word in THROUGH else f"{word}s")
            else:
                raise InvalidValueError(
                    f"cannot go through {word!r}: choose from {', '.join(THROUGH)} or all")
    return tuple(kind for kind in THROUGH if kind in named)


@dataclass(frozen=True)
class Paths:
    """The chains found: of relationships alone first, then through shared items."""

    chains: list[Connection]
    through: tuple[str, ...] = ()
    # The shared steps read reached the budget: a chain through them may be missed.
    cut_short: bool = False

    @property
    def relationship_chains(self) -> list[Connection]:
        return [chain for chain in self.chains if not chain.shared_steps]

    @property
    def shared_chains(self) -> list[Connection]:
        return [chain for chain in self.chains if chain.shared_steps]


class _SharedSteps:
    """The steps out of a frontier through shared items (and relationships),
    counting the shared rows read against the budget."""

    def __init__(self, case: Case, through: Sequence[str], budget: int,
                 types: Sequence[str], statuses: Sequence[str]) -> None:
        self.case = case
        self.through = through
        self.left = budget
        self.cut_short = False
        self.by_relationship = relationship_steps(case, types, statuses)

    def __call__(self, frontier: Sequence[int]) -> Iterator[Step]:
        yield from self.by_relationship(frontier)
        seen: set[tuple[int, int]] = set()
        for kind in self.through:
            for at in range(0, len(frontier), _BATCH):
                for near, far in self._pairs(_LINKS[kind], frontier[at:at + _BATCH]):
                    if (near, far) not in seen:
                        seen.add((near, far))
                        yield SHARED, near, far

    def _pairs(self, links: _Links, batch: Sequence[int]) -> list[tuple[int, int]]:
        if self.left <= 0:
            self.cut_short = True
            return []
        marks = ",".join("?" * len(batch))
        rows = self.case.rows(
            f"SELECT DISTINCT a.entity_id, b.entity_id FROM {links.table} a "
            f"JOIN {links.table} b ON b.{links.item} = a.{links.item} AND b.entity_id != a.entity_id "
            f"WHERE a.entity_id IN ({marks}) "
            f"AND {live(links.items, column='a.' + links.item)} "
            f"AND {live('entities', column='b.entity_id')} LIMIT ?",
            [*batch, self.left + 1])
        if len(rows) > self.left:
            self.cut_short = True
            rows = rows[:self.left]
        self.left -= len(rows)
        return [(row[0], row[1]) for row in rows]


def shared_items(case: Case, first: int, second: int, *, through: Sequence[str] = THROUGH,
                 limit: int = SHARED_SHOWN) -> dict[str, Any]:
    """The events, claims and excerpts linked to both entities (``limit`` of
    each, the first by id; none retired), as :class:`PathStep`'s fields."""
    readers: dict[str, Callable[[Case, list[int]], Sequence[Any]]] = {
        "events": events_by_ids, "claims": claims_by_ids, "excerpts": excerpts_by_ids}
    found: dict[str, Any] = {}
    for kind in through:
        links = _LINKS[kind]
        ids = [row[0] for row in case.rows(
            f"SELECT DISTINCT a.{links.item} FROM {links.table} a "
            f"JOIN {links.table} b ON b.{links.item} = a.{links.item} AND b.entity_id = ? "
            f"WHERE a.entity_id = ? AND {live(links.items, column='a.' + links.item)} "
            f"ORDER BY a.{links.item} LIMIT ?", [second, first, limit])]
        found[kind] = tuple(readers[kind](case, ids))
    return found


def find_paths(case: Case, from_id: int, to_id: int, *, max_hops: int = 4,
               types: Sequence[str] = (), statuses: Sequence[str] = (),
               through: Iterable[str] = (), limit: int = 10, budget: int = BUDGET) -> Paths:
    """Up to ``limit`` shortest chains of relationships (``types``, ``statuses``),
    then, ``through`` shared events, claims or excerpts, up to ``limit`` shortest
    chains with a step through them, fewest such steps first. [] when nothing
    joins the two within ``max_hops``."""
    kinds = check_through(through)
    check_ends(case, from_id, to_id, max_hops)
    found = search_chains(from_id, to_id, relationship_steps(case, types, statuses),
                          max_hops=max_hops, limit=limit)
    chains = connections(case, found)
    if not kinds:
        return Paths(chains)
    steps = _SharedSteps(case, kinds, budget, types, statuses)
    # more than asked for, to keep those with fewest shared steps
    mixed: list[Chain] = [chain for chain in search_chains(
        from_id, to_id, steps, max_hops=max_hops, limit=limit * 4,
        meets=lambda link: link == SHARED) if any(link == SHARED for _, link, _ in chain)]
    mixed.sort(key=lambda chain: sum(link == SHARED for _, link, _ in chain))
    chains += connections(case, mixed[:limit],
                          lambda a, b: shared_items(case, a, b, through=kinds))
    return Paths(chains, kinds, steps.cut_short)


__all__ = ["BUDGET", "THROUGH", "Paths", "check_through", "find_paths", "shared_items"]
