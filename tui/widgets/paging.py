"""The paging arithmetic of a list over paged reads, outside any widget.

A ``PagedList`` shows a list that may hold a million rows, of which only the
pages on screen are ever read. This module is what it knows and decides —
how long the list is, where the cursor is, which pages are held (a bounded
LRU cache), which to read next, and whether a page that arrives still
belongs — as a plain class that tests can drive without a screen (as
Textualize/toolong keeps its ``LogFile`` outside its view). The widget runs
the reads in thread workers and draws.

Every read is tagged with the *generation* it was asked in; ``reload`` starts
a new one, so a page from before the case changed is never shown after it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

PAGE_SIZE = 100
MAX_PAGES = 64          # at most 6,400 rows in memory per list


class Identified(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=Identified)


class PageSource(Protocol[Item]):
    """What a list reads: a count, pages by position, where an item sits.

    Called from thread workers. ``position`` raises (with a one-line reason)
    for an item that is not in the list; ``place`` says where it is or would
    be, or None.
    """

    @property
    def noun(self) -> str: ...     # for "No entities in this case."

    def count(self) -> int: ...

    def page(self, *, offset: int, limit: int, total: int) -> list[Item]: ...

    def position(self, item_id: int) -> int: ...

    def place(self, item_id: int) -> int | None: ...

    def refetch(self, items: list[Item]) -> list[Item]: ...


@dataclass(frozen=True)
class RereadPlan:
    """Where a list read again puts its cursor and its top row, and the pages
    it reads to show them."""

    cursor: int
    top: int
    pages: tuple[int, ...]


def plan_reread(*, total: int, place: int | None, cursor: int, top: int, height: int,
                page_size: int = PAGE_SIZE) -> RereadPlan:
    """The cursor goes to ``place`` (its item's new position), else stays at
    its index; its row keeps its line on screen when it can."""
    index = max(0, min(cursor if place is None else place, total - 1))
    row = cursor - top
    top = max(0, index - row) if 0 <= row < height else top
    top = max(0, min(top, total - height))
    if not total:
        return RereadPlan(index, top, ())
    first, last = top // page_size, min(total - 1, top + height) // page_size
    pages = sorted({*range(first, last + 1), index // page_size})
    return RereadPlan(index, top, tuple(pages))


class PagedModel(Generic[Item]):
    """The state of one paged list: total, cursor, the pages held, the reads under way."""

    def __init__(self, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES) -> None:
        self.page_size = page_size
        self.max_pages = max_pages
        self.total: int | None = None     # None until counted
        self.cursor = 0
        self.generation = 0
        self.moves = 0                    # cursor moves, so a reread never undoes one
        self.wanted_id: int | None = None  # an item to put the cursor on once found
        self.rereading = False            # a reload is under way: the rows drawn may be stale
        self.rows_only = False            # rows refreshed in place; which rows belong is stale
        self.counting = False
        self.first_page_shown = False
        self._pages: OrderedDict[int, list[Item]] = OrderedDict()
        self._loading: frozenset[int] = frozenset()
        self._announced: tuple[int, int, int] | None = None

    # -- what is held ------------------------------------------------------

    def item_at(self, index: int) -> Item | None:
        page = self._pages.get(index // self.page_size)
        if page is None:
            return None
        self._pages.move_to_end(index // self.page_size)
        offset = index % self.page_size
        return page[offset] if offset < len(page) else None

    @property
    def cursor_item(self) -> Item | None:
        return self.item_at(self.cursor) if self.total else None

    @property
    def cursor_item_id(self) -> int | None:
        item = self.cursor_item
        return None if item is None else item.id

    @property
    def loaded_rows(self) -> int:
        return sum(len(items) for items in self._pages.values())

    @property
    def held_pages(self) -> dict[int, list[Item]]:
        """A copy of the pages held (for reading them again in place)."""
        return {page: list(items) for page, items in self._pages.items()}

    def _hold(self, page: int, items: list[Item]) -> None:
        self._pages[page] = items
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def _clamp(self, index: int) -> int:
        return max(0, min(index, (self.total or 1) - 1))

    # -- deciding what to read ---------------------------------------------

    def pages_to_load(self, *, top: int, height: int) -> tuple[int, ...]:
        """The pages on screen (and half a screen either side), the cursor's
        first, that are neither held nor being read; recorded as being read."""
        if self.rereading or not self.total:
            return ()
        size = self.page_size
        first = max(0, top - height // 2) // size
        last = min(self.total - 1, top + height + height // 2) // size
        wanted = list(range(first, last + 1))
        if self.cursor // size not in wanted:
            wanted.insert(0, self.cursor // size)
        missing = tuple(page for page in wanted if page not in self._pages)
        if not missing or set(missing) <= self._loading:
            return ()
        self._loading = frozenset(missing)
        return missing

    def needs_count(self) -> bool:
        """True once: the list has never been counted and no count is under way."""
        if self.total is not None or self.counting or self.rereading:
            return False
        self.counting = True
        return True

    def begin_reload(self, keep_id: int | None) -> int | None:
        """Start a new generation (the case changed). Returns the item the
        cursor should keep; ``rereading`` says whether a reread must run (a
        list never counted just counts again, then looks the item up)."""
        keep = keep_id if keep_id is not None else self.cursor_item_id
        self.generation += 1
        self._loading = frozenset()
        self.counting = False
        self._announced = None
        if self.total is None:
            self._pages.clear()
            self.wanted_id = keep
            return keep
        self.rereading = True
        self.rows_only = False
        return keep

    def begin_refetch(self) -> dict[int, list[Item]] | None:
        """Read the rows held again in place (None when there is nothing to do)."""
        if self.total is None or self.rereading:
            return None
        self.rows_only = True
        return self.held_pages

    # -- what the reads bring ---------------------------------------------

    def counted(self, generation: int, total: int) -> bool:
        if generation != self.generation:
            return False
        self.counting = False
        self.total = total
        self.cursor = self._clamp(self.cursor)
        return True

    def page_loaded(self, generation: int, page: int, items: list[Item]) -> bool:
        if generation != self.generation:
            return False
        self._hold(page, items)
        self._loading = self._loading - {page}
        return True

    def reread_failed(self, generation: int) -> bool:
        """The reread could not read: count again from scratch."""
        if generation != self.generation:
            return False
        self.rereading = False
        self.total = None
        self._pages.clear()
        return True

    def reread(self, generation: int, *, total: int, cursor: int, pages: dict[int, list[Item]],
               moves: int) -> bool | None:
        """A reread arrived. None if it is stale; True if its cursor stands,
        False if the cursor moved meanwhile (that move stands, clamped)."""
        if generation != self.generation:
            return None
        self.rereading = False
        self._pages.clear()
        for page, items in pages.items():
            self._hold(page, items)
        self.total = total
        if self.moves == moves:
            self.cursor = cursor
            return True
        self.cursor = self._clamp(self.cursor)
        return False

    def refetched(self, generation: int, pages: dict[int, list[Item]]) -> bool:
        if generation != self.generation:
            return False
        for page, items in pages.items():
            if page in self._pages:
                self._pages[page] = items
        return True

    def position_found(self, generation: int, item_id: int) -> bool:
        """True if the cursor should go to where ``item_id`` was found."""
        if generation != self.generation or item_id != self.wanted_id:
            return False
        if self.rereading:
            # The list's length and rows are the old ones: a new item past
            # their end would be clamped onto the one before it. The reread,
            # when it comes, looks the item up again.
            return False
        self.wanted_id = None
        return True

    # -- moving ------------------------------------------------------------

    def move(self, index: int) -> int | None:
        """Put the cursor at ``index`` (clamped); returns where it was, or
        None in an empty or uncounted list. A move typed before the count
        arrives is kept (``counted`` clamps it), so no key is lost."""
        if self.total is None:
            self.cursor = max(0, index)
            self.moves += 1
            return None
        if not self.total:
            return None
        old, self.cursor = self.cursor, self._clamp(index)
        self.moves += 1
        return old

    def announce(self) -> Item | None:
        """The item under the cursor, once per (generation, row, item): the
        detail to show. None if it was already announced or is not read yet."""
        item = self.cursor_item
        if item is None:
            return None
        key = (self.generation, self.cursor, item.id)
        if key == self._announced:
            return None
        self._announced = key
        return item

    def mark_first_page_shown(self) -> bool:
        """True the first time the list has real rows (or its empty state) to show."""
        if self.first_page_shown:
            return False
        self.first_page_shown = True
        return True


def scroll_for_cursor(*, cursor: int, top: int, height: int, center: bool) -> int | None:
    """The top row that brings the cursor into view, or None if it is in view
    (with ``center``, a jump lands mid-screen)."""
    if center and not top <= cursor < top + height:
        return max(0, cursor - height // 2)
    if cursor < top:
        return cursor
    if cursor >= top + height:
        return cursor - height + 1
    return None

