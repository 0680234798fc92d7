"""A list over a paged read: only the pages on screen are ever read.

The list knows its length from a count and draws each line on demand
(line API, as Textualize/toolong's LogLines). Pages of rows load in a thread
worker and arrive as messages; what is held and what to read next is the
list's ``PagedModel`` (``tui.widgets.paging``), a plain class. Rows not yet
loaded are drawn as placeholders. Start-up and memory do not grow with the
list: a million rows cost a count and one page, and jumping to the end reads
the last page from the other end of the index.

The list reads through a ``PageSource`` and draws each item with the
``render_row`` it is given: it knows nothing of what the items are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.worker import get_current_worker

from ..text import LINE_CHARS, one_line
from .lines import LineView
from .paging import MAX_PAGES, PAGE_SIZE, PagedModel, PageSource, plan_reread, scroll_for_cursor

MAX_STRIPS = 512
RowRenderer = Callable[[Any, int], Content]

__all__ = ["MAX_PAGES", "PAGE_SIZE", "PagedList"]


class PagedList(LineView, can_focus=True):
    """The rows a ``PageSource`` reads, drawn by ``render_row``, with a cursor."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,space,ctrl+f", "page_down", "Page down", show=False),
        Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False),
        Binding("ctrl+d", "half_page(1)", "Half a page down", show=False),
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

    def __init__(self, source: PageSource[Any], render_row: RowRenderer, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.render_row = render_row
        self.model: PagedModel[Any] = PagedModel(page_size=PAGE_SIZE, max_pages=MAX_PAGES)
        self._strips: LRUCache[tuple[int, int, bool, bool, bool], Strip] = LRUCache(MAX_STRIPS)

    # -- what the model knows ----------------------------------------------

    @property
    def total(self) -> int | None:
        return self.model.total

    @property
    def cursor(self) -> int:
        return self.model.cursor

    def item_at(self, index: int) -> Any | None:
        return self.model.item_at(index)

    @property
    def cursor_item(self) -> Any | None:
        return self.model.cursor_item

    @property
    def cursor_item_id(self) -> int | None:
        return self.model.cursor_item_id

    @property
    def loaded_rows(self) -> int:
        """Rows held in memory (bounded by the page cache)."""
        return self.model.loaded_rows

    @property
    def moves(self) -> int:
        """How many times the cursor has been moved (a reread does not move it)."""
        return self.model.moves

    @property
    def is_rereading(self) -> bool:
        """A ``reload`` is under way (the rows drawn may be out of date)."""
        return self.model.rereading

    @property
    def first_page_shown(self) -> bool:
        return self.model.first_page_shown

    @property
    def _height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    # -- reading -----------------------------------------------------------

    def reload(self, *, keep_id: int | None = None) -> None:
        """Read the rows again (the case changed) without losing the place.

        The cursor stays on its item (or goes to ``keep_id``); if that item
        left this view, the cursor stays where it was, on the row that took
        its place. The rows on screen stay drawn until the new ones arrive,
        in one go, so nothing flickers.
        """
        keep = self.model.begin_reload(keep_id)
        if not self.model.rereading:   # never counted: nothing on screen to keep
            self._strips.clear()
            self.refresh()
            return
        self._reread(self.model.generation, keep, self.cursor, self.scroll_offset.y, self._height,
                     self.model.moves)

    @work(thread=True, exclusive=True, group="reread")
    def _reread(self, generation: int, keep: int | None, cursor: int, top: int, height: int,
                moves: int) -> None:
        try:
            total = self.source.count()
            place = self.source.place(keep) if keep is not None else None
            plan = plan_reread(total=total, place=place, cursor=cursor, top=top, height=height)
            pages = {page: self.source.page(offset=page * PAGE_SIZE, limit=PAGE_SIZE, total=total)
                     for page in plan.pages}
        except Exception as error:  # noqa: BLE001 - a failed read is said; the list counts again
            self._report(f"Could not read {self.source.noun}: {error}")
            self.post_message(self.Reread(generation, -1, 0, 0, {}, moves))
            return
        self.post_message(self.Reread(generation, total, plan.cursor, plan.top, pages, moves))

    def refresh_rows(self) -> None:
        """Read the rows held again, each in its place, without asking which
        rows belong in this view: the cursor stays on its item even if the
        item left the view. The first move of the cursor then reads the view
        again (``reload``)."""
        pages = self.model.begin_refetch()
        if pages is not None:
            self._refetch(self.model.generation, pages)

    @work(thread=True, exclusive=True, group="refetch")
    def _refetch(self, generation: int, pages: dict[int, list[Any]]) -> None:
        try:
            fresh = {page: self.source.refetch(items) for page, items in pages.items()}
        except Exception as error:  # noqa: BLE001 - a failed read is said; the rows stay
            self._report(f"Could not read {self.source.noun}: {error}")
            return
        self.post_message(self.Refetched(generation, fresh))

    def on_paged_list_refetched(self, message: Refetched) -> None:
        if self.model.refetched(message.generation, message.pages):
            self._strips.clear()
            self.refresh()

    @work(thread=True, exclusive=True, group="count")
    def _count(self, generation: int) -> None:
        try:
            total = self.source.count()
        except Exception as error:  # noqa: BLE001 - a failed read is said, never raised
            self._report(f"Could not count {self.source.noun}: {error}")
            return
        self.post_message(self.TotalCounted(generation, total))

    @work(thread=True, exclusive=True, group="pages")
    def _load_pages(self, generation: int, total: int, pages: tuple[int, ...]) -> None:
        worker = get_current_worker()
        for page in pages:
            if worker.is_cancelled:
                return
            try:
                items = self.source.page(offset=page * PAGE_SIZE, limit=PAGE_SIZE, total=total)
            except Exception as error:  # noqa: BLE001 - a failed read is said, never raised
                self._report(f"Could not read {self.source.noun}: {error}")
                return
            # Even a superseded worker's page is worth keeping.
            self.post_message(self.PageLoaded(generation, page, items))

    @work(thread=True, exclusive=True, group="position")
    def _find(self, generation: int, item_id: int) -> None:
        try:
            index = self.source.position(item_id)
        except Exception as error:  # noqa: BLE001 - a missing item is said, never raised
            self.post_message(self.ItemMissing(self, item_id, str(error)))
            return
        self.post_message(self.PositionFound(generation, item_id, index))

    def _report(self, problem: str) -> None:
        """Show a read failure (called from a worker thread)."""
        self.app.call_from_thread(self.notify, one_line(problem, limit=LINE_CHARS), severity="error",
                                  markup=False)

    def _want_pages(self) -> None:
        """Count the list, or load the pages on screen (and the cursor's), nearest first."""
        if self.model.needs_count():
            self._count(self.model.generation)
            return
        missing = self.model.pages_to_load(top=self.scroll_offset.y, height=self._height)
        if missing and self.total is not None:
            self._load_pages(self.model.generation, self.total, missing)

    # -- messages from the workers ---------------------------------------

    def _resize_to_total(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, max(self.total or 0, 1))

    def on_paged_list_total_counted(self, message: TotalCounted) -> None:
        if not self.model.counted(message.generation, message.total):
            return
        self._resize_to_total()
        self._strips.clear()
        if message.total == 0:
            self._mark_first_page_shown()
        if self.model.wanted_id is not None:
            self._find(self.model.generation, self.model.wanted_id)
        self._want_pages()
        self.refresh()

    def on_paged_list_page_loaded(self, message: PageLoaded) -> None:
        if not self.model.page_loaded(message.generation, message.page, message.items):
            return
        start = message.page * PAGE_SIZE
        self.refresh_lines(start, len(message.items))
        if start <= self.scroll_offset.y < start + PAGE_SIZE:
            self._mark_first_page_shown()
        self._announce()

    def on_paged_list_reread(self, message: Reread) -> None:
        if message.total < 0:  # the read failed (reported): count again from scratch
            if self.model.reread_failed(message.generation):
                self._strips.clear()
                self.refresh()
            return
        stands = self.model.reread(message.generation, total=message.total, cursor=message.cursor,
                                   pages=message.pages, moves=message.moves)
        if stands is None:
            return
        self._strips.clear()
        self._resize_to_total()
        if stands:
            self.scroll_to(y=message.top, animate=False, immediate=True, force=True)
        self._scroll_to_cursor(center=False)
        if message.total == 0:
            self._mark_first_page_shown()
        self._want_pages()
        self.refresh()
        self._announce()
        if self.model.wanted_id is not None:  # a jump asked for meanwhile: look again
            self._find(self.model.generation, self.model.wanted_id)
        self.post_message(self.Refreshed(self))

    def on_paged_list_position_found(self, message: PositionFound) -> None:
        if self.model.position_found(message.generation, message.item_id):
            self.move_cursor(message.index, center=True)

    def _mark_first_page_shown(self) -> None:
        if self.model.mark_first_page_shown():
            self.call_after_refresh(self.post_message, self.FirstPageShown(self))

    def _announce(self) -> None:
        """Tell the pane which item the cursor rests on, once per item."""
        item = self.model.announce()
        if item is not None:
            self.post_message(self.ItemHighlighted(self, self.cursor, item))

    # -- moving ----------------------------------------------------------

    def move_cursor(self, index: int, *, center: bool = False) -> None:
        old = self.model.move(index)
        if old is None:
            return
        self.refresh_line(old)
        self.refresh_line(self.cursor)
        self._scroll_to_cursor(center=center)
        if self.model.rows_only:  # the view is out of date: read it again around the new row
            self.reload()
            return
        self._want_pages()
        self._announce()

    def go_to_item(self, item_id: int) -> None:
        """Move the cursor to an item by id, wherever it is in the list."""
        if self.cursor_item_id == item_id:
            self._announce()
            return
        self.model.wanted_id = item_id
        if self.total is None:
            self._want_pages()  # the position is looked up once counted
        else:
            self._find(self.model.generation, item_id)

    def _scroll_to_cursor(self, *, center: bool) -> None:
        top = scroll_for_cursor(cursor=self.cursor, top=self.scroll_offset.y, height=self._height,
                                center=center)
        if top is not None:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self._height - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self._height - 1))

    def action_half_page(self, step: int) -> None:
        self.move_cursor(max(0, self.cursor + step * max(1, self._height // 2)))

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
            self._resize_to_total()
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
            return self._message_line(y, f"No {self.source.noun} in this case.", width)
        if index >= self.total:
            return Strip.blank(width, self.get_visual_style().rich_style)
        is_cursor = index == self.cursor
        item = self.item_at(index)
        key = (index, width, is_cursor, self.has_focus, item is not None)
        strip = self._strips.get(key)
        if strip is None:
            content = (
                self.render_row(item, width - 1)
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
