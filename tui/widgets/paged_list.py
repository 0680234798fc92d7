"""A list over a paged SQL query: only the pages on screen are ever read.

The list knows its length from a count and draws each line on demand
(line API, as Textualize/toolong's LogLines). Pages of rows load in a thread
worker and arrive as messages into a bounded LRU cache; rows not yet loaded
are drawn as placeholders. Start-up and memory do not grow with the case:
a million rows cost a count and one page, and jumping to the end reads the
last page from the other end of the index.
"""

from __future__ import annotations

from typing import Any

from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.worker import get_current_worker

from db import Case, CaseError
from db.text import one_line

from ..feeds import Feed
from ..rows import render_row
from .lines import LineView

PAGE_SIZE = 100
MAX_PAGES = 64          # at most 6,400 rows in memory per list
MAX_STRIPS = 512


class PagedList(LineView, can_focus=True):
    """The rows of one feed (entities, events, excerpts or claims), with a cursor."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "choose", "Open"),
    ]

    class ItemHighlighted(Message):
        """The cursor rests on a loaded row (its detail should show)."""

        def __init__(self, paged_list: "PagedList", index: int, item: Any) -> None:
            super().__init__()
            self.paged_list = paged_list
            self.index = index
            self.item = item

        @property
        def control(self) -> "PagedList":
            return self.paged_list

    class ItemChosen(Message):
        """Enter was pressed on a row."""

        def __init__(self, paged_list: "PagedList", item: Any) -> None:
            super().__init__()
            self.paged_list = paged_list
            self.item = item

        @property
        def control(self) -> "PagedList":
            return self.paged_list

    class FirstPageShown(Message):
        """The list has drawn real rows (or its empty state) for the first time."""

        def __init__(self, paged_list: "PagedList") -> None:
            super().__init__()
            self.paged_list = paged_list

    class ItemMissing(Message):
        """A jump asked for an item the case no longer holds (in this view)."""

        def __init__(self, paged_list: "PagedList", item_id: int, reason: str) -> None:
            super().__init__()
            self.paged_list = paged_list
            self.item_id = item_id
            self.reason = reason

    class Refreshed(Message):
        """The rows were read again (``reload``): the cursor kept its item, or
        its place if the item left this view."""

        def __init__(self, paged_list: "PagedList") -> None:
            super().__init__()
            self.paged_list = paged_list

        @property
        def control(self) -> "PagedList":
            return self.paged_list

    # Internal, from the workers: never bubble.
    class TotalCounted(Message, bubble=False):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class PageLoaded(Message, bubble=False):
        def __init__(self, generation: int, page: int, items: list[Any]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.items = items

    class Reread(Message, bubble=False):
        def __init__(self, generation: int, total: int, cursor: int, top: int,
                     pages: dict[int, list[Any]], moves: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total
            self.cursor = cursor
            self.top = top
            self.pages = pages
            self.moves = moves

    class Refetched(Message, bubble=False):
        def __init__(self, generation: int, pages: dict[int, list[Any]]) -> None:
            super().__init__()
            self.generation = generation
            self.pages = pages

    class PositionFound(Message, bubble=False):
        def __init__(self, generation: int, item_id: int, index: int) -> None:
            super().__init__()
            self.generation = generation
            self.item_id = item_id
            self.index = index

    def __init__(self, feed: Feed, case: Case, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed = feed
        self.case = case
        self.total: int | None = None
        self.cursor = 0
        self._generation = 0
        self._pages: LRUCache[int, list[Any]] = LRUCache(MAX_PAGES)
        self._strips: LRUCache[tuple, Strip] = LRUCache(MAX_STRIPS)
        self._loading: frozenset[int] = frozenset()
        self._counting = False
        self._announced: tuple[int, int, int] | None = None
        self._wanted_id: int | None = None
        self._rereading = False
        self._rows_only = False     # rows refreshed in place; which rows belong is stale
        self._moves = 0             # cursor moves, so a reread never undoes one
        self.first_page_shown = False

    # -- reading ---------------------------------------------------------

    def item_at(self, index: int) -> Any | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def cursor_item(self) -> Any | None:
        return self.item_at(self.cursor) if self.total else None

    @property
    def cursor_item_id(self) -> int | None:
        item = self.cursor_item
        return None if item is None else item.id

    @property
    def loaded_rows(self) -> int:
        """Rows held in memory (bounded by the page cache)."""
        return sum(len(self._pages.get(key) or ()) for key in self._pages.keys())

    @property
    def moves(self) -> int:
        """How many times the cursor has been moved (a reread does not move it)."""
        return self._moves

    @property
    def is_rereading(self) -> bool:
        """A ``reload`` is under way (the rows drawn may be out of date)."""
        return self._rereading

    def reload(self, *, keep_id: int | None = None) -> None:
        """Read the rows again (the case changed) without losing the place.

        The cursor stays on its item (or goes to ``keep_id``); if that item
        left this view, the cursor stays where it was, on the row that took
        its place. The rows on screen stay drawn until the new ones arrive,
        in one go, so nothing flickers.
        """
        keep = keep_id if keep_id is not None else self.cursor_item_id
        self._generation += 1
        self._loading = frozenset()
        self._counting = False
        self._announced = None
        if self.total is None:  # never counted: nothing on screen to keep
            self._pages.clear()
            self._strips.clear()
            self._wanted_id = keep
            self.refresh()
            return
        self._rereading = True
        self._rows_only = False
        height = max(1, self.scrollable_content_region.height)
        self._reread(self._generation, keep, self.cursor, self.scroll_offset.y, height,
                     self._moves)

    @work(thread=True, exclusive=True, group="reread")
    def _reread(self, generation: int, keep: int | None, cursor: int, top: int, height: int,
                moves: int) -> None:
        try:
            total = self.feed.count(self.case)
            place = self.feed.place(self.case, keep) if keep is not None else None
            index = max(0, min(cursor if place is None else place, total - 1))
            # The cursor keeps its row on screen when it can.
            row = cursor - top
            top = max(0, index - row) if 0 <= row < height else top
            top = max(0, min(top, total - height))
            first, last = top // PAGE_SIZE, min(total - 1, top + height) // PAGE_SIZE
            wanted = sorted({*range(first, last + 1), index // PAGE_SIZE}) if total else []
            pages = {page: self.feed.page(self.case, offset=page * PAGE_SIZE, limit=PAGE_SIZE,
                                          total=total) for page in wanted}
        except CaseError as error:
            self._report(f"Could not read {self.feed.noun}: {error}")
            self.post_message(self.Reread(generation, -1, 0, 0, {}, moves))
            return
        self.post_message(self.Reread(generation, total, index, top, pages, moves))

    def refresh_rows(self) -> None:
        """Read the rows held again, each in its place, without asking which
        rows belong in this view: the cursor stays on its item even if the
        item left the view. The first move of the cursor then reads the view
        again (``reload``)."""
        if self.total is None or self._rereading:
            return
        self._rows_only = True
        pages = {key: list(self._pages.get(key) or ()) for key in self._pages.keys()}
        self._refetch(self._generation, pages)

    @work(thread=True, exclusive=True, group="refetch")
    def _refetch(self, generation: int, pages: dict[int, list[Any]]) -> None:
        try:
            fresh = {page: self.feed.refetch(self.case, items) for page, items in pages.items()}
        except CaseError as error:
            self._report(f"Could not read {self.feed.noun}: {error}")
            return
        self.post_message(self.Refetched(generation, fresh))

    def on_paged_list_refetched(self, message: Refetched) -> None:
        if message.generation != self._generation:
            return
        for page, items in message.pages.items():
            if self._pages.get(page) is not None:
                self._pages.discard(page)   # (LRUCache.set keeps an existing value)
                self._pages.set(page, items)
        self._strips.clear()
        self.refresh()

    def _start_count(self) -> None:
        if not self._counting:
            self._counting = True
            self._count(self._generation)

    @work(thread=True, exclusive=True, group="count")
    def _count(self, generation: int) -> None:
        try:
            total = self.feed.count(self.case)
        except CaseError as error:
            self._report(f"Could not count {self.feed.noun}: {error}")
            return
        self.post_message(self.TotalCounted(generation, total))

    @work(thread=True, exclusive=True, group="pages")
    def _load_pages(self, generation: int, total: int, pages: tuple[int, ...]) -> None:
        worker = get_current_worker()
        for page in pages:
            if worker.is_cancelled:
                return
            try:
                items = self.feed.page(
                    self.case, offset=page * PAGE_SIZE, limit=PAGE_SIZE, total=total
                )
            except CaseError as error:
                self._report(f"Could not read {self.feed.noun}: {error}")
                return
            # Even a superseded worker's page is worth keeping.
            self.post_message(self.PageLoaded(generation, page, items))

    @work(thread=True, exclusive=True, group="position")
    def _find(self, generation: int, item_id: int) -> None:
        try:
            index = self.feed.position(self.case, item_id)
        except CaseError as error:
            self.post_message(self.ItemMissing(self, item_id, str(error)))
            return
        self.post_message(self.PositionFound(generation, item_id, index))

    def _report(self, problem: str) -> None:
        """Show a read failure (called from a worker thread)."""
        self.app.call_from_thread(self.notify, one_line(problem), severity="error", markup=False)

    def _want_pages(self) -> None:
        """Load the pages on screen (and the cursor's), nearest first."""
        if self._rereading:
            return  # the reread brings them
        if self.total is None:
            self._start_count()
            return
        if not self.total:
            return
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        first = max(0, top - height // 2) // PAGE_SIZE
        last = min(self.total - 1, top + height + height // 2) // PAGE_SIZE
        wanted = [page for page in range(first, last + 1)]
        cursor_page = self.cursor // PAGE_SIZE
        if cursor_page not in wanted:
            wanted.insert(0, cursor_page)
        missing = tuple(page for page in wanted if page not in self._pages)
        if missing and not set(missing) <= self._loading:
            self._loading = frozenset(missing)
            self._load_pages(self._generation, self.total, missing)

    # -- messages from the workers ---------------------------------------

    def on_paged_list_total_counted(self, message: TotalCounted) -> None:
        if message.generation != self._generation:
            return
        self._counting = False
        self.total = message.total
        self.virtual_size = Size(self.scrollable_content_region.width, max(message.total, 1))
        self.cursor = min(self.cursor, max(0, message.total - 1))
        self._strips.clear()
        if message.total == 0:
            self._mark_first_page_shown()
        if self._wanted_id is not None:
            self._find(self._generation, self._wanted_id)
        self._want_pages()
        self.refresh()

    def on_paged_list_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return
        self._pages.set(message.page, message.items)
        self._loading = self._loading - {message.page}
        start = message.page * PAGE_SIZE
        self.refresh_lines(start, len(message.items))
        top = self.scroll_offset.y
        if start <= top < start + PAGE_SIZE:
            self._mark_first_page_shown()
        self._announce()

    def on_paged_list_reread(self, message: Reread) -> None:
        if message.generation != self._generation:
            return
        self._rereading = False
        if message.total < 0:  # the read failed (reported): count again from scratch
            self.total = None
            self._pages.clear()
            self._strips.clear()
            self.refresh()
            return
        self._pages.clear()
        for page, items in message.pages.items():
            self._pages.set(page, items)
        self._strips.clear()
        self.total = message.total
        self.virtual_size = Size(self.scrollable_content_region.width, max(message.total, 1))
        if self._moves == message.moves:
            self.cursor = message.cursor
            self.scroll_to(y=message.top, animate=False, immediate=True, force=True)
        else:  # moved meanwhile (a key, a jump): that move stands
            self.cursor = max(0, min(self.cursor, message.total - 1))
        self._scroll_to_cursor(center=False)
        if message.total == 0:
            self._mark_first_page_shown()
        self._want_pages()
        self.refresh()
        self._announce()
        if self._wanted_id is not None:  # a jump asked for meanwhile: look again
            self._find(self._generation, self._wanted_id)
        self.post_message(self.Refreshed(self))

    def on_paged_list_position_found(self, message: PositionFound) -> None:
        if message.generation != self._generation or message.item_id != self._wanted_id:
            return
        self._wanted_id = None
        self.move_cursor(message.index, center=True)

    def _mark_first_page_shown(self) -> None:
        if not self.first_page_shown:
            self.first_page_shown = True
            self.call_after_refresh(self.post_message, self.FirstPageShown(self))

    def _announce(self) -> None:
        """Tell the pane which item the cursor rests on, once per item."""
        item = self.cursor_item
        if item is None:
            return
        key = (self._generation, self.cursor, item.id)
        if key != self._announced:
            self._announced = key
            self.post_message(self.ItemHighlighted(self, self.cursor, item))

    # -- moving ----------------------------------------------------------

    def move_cursor(self, index: int, *, center: bool = False) -> None:
        if not self.total:
            return
        index = max(0, min(index, self.total - 1))
        self._moves += 1
        old, self.cursor = self.cursor, index
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_to_cursor(center=center)
        if self._rows_only:  # the view is out of date: read it again around the new row
            self.reload()
            return
        self._want_pages()
        self._announce()

    def go_to_item(self, item_id: int) -> None:
        """Move the cursor to an item by id, wherever it is in the list."""
        if self.cursor_item_id == item_id:
            self._announce()
            return
        self._wanted_id = item_id
        if self.total is None:
            self._start_count()  # the position is looked up once counted
        else:
            self._find(self._generation, item_id)

    def _scroll_to_cursor(self, *, center: bool) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if center and not top <= self.cursor < top + height:
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True, force=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        if self.total:
            self.move_cursor(self.total - 1)

    def action_choose(self) -> None:
        item = self.cursor_item
        if item is not None:
            self.post_message(self.ItemChosen(self, item))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and self.total:
            self.move_cursor(self.scroll_offset.y + offset.y)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._strips.clear()
        if self.total is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, max(self.total, 1))
        self._scroll_to_cursor(center=False)

    # -- drawing ---------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._want_pages()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self.total is None:
            return self._message_line(y, "", width)
        if self.total == 0:
            return self._message_line(y, f"No {self.feed.noun} in this case.", width)
        if index >= self.total:
            return Strip.blank(width, self.get_visual_style().rich_style)
        is_cursor = index == self.cursor
        item = self.item_at(index)
        key = (index, width, is_cursor, self.has_focus, item is not None)
        strip = self._strips.get(key)
        if strip is None:
            content = (
                render_row(self.feed.kind, item, width - 1)
                if item is not None else Content.styled("⋯", ".cb--placeholder")
            )
            strip = self.line_strip(Content(" ") + content, width, self.row_style(cursor=is_cursor))
            if item is not None:
                self._strips.set(key, strip)
        return strip

    def _message_line(self, y: int, text: str, width: int) -> Strip:
        base = self.get_visual_style()
        if y != 0 or not text:
            return Strip.blank(width, base.rich_style)
        return self.line_strip(Content.styled(" " + text, ".cb--dim"), width, base)
