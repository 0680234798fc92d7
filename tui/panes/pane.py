"""A pane: one list (entities, events, excerpts or claims) beside the detail of
the item its cursor rests on. Side by side when wide, stacked when narrow.

What the pane reads and shows is handed to it (attributes down): the feed
its list reads, how a row is drawn, how an item's detail is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.message import Message

from ..text import LINE_CHARS, one_line
from ..widgets.detail import Block, DetailView, Link
from ..widgets.paged_list import PagedList, RowRenderer
from .feeds import Feed
from .rows import RETIRED_MARK, marked_retired


class DetailReader(Protocol):
    """Reads an item's detail (in a thread worker): its id -> the blocks to show,
    the items linked to it as the list shows items (retired ones or not)."""

    def __call__(self, item_id: int, /, *, include_retired: bool) -> list[Block]: ...


class Pane(Container):
    """Keeps the detail in step with the list's cursor."""

    class Ready(Message):
        """The pane has drawn its first rows and their detail (or its empty state)."""

        def __init__(self, pane: "Pane") -> None:
            super().__init__()
            self.pane = pane

    class DetailLoaded(Message, bubble=False):
        def __init__(self, item_id: int, blocks: list[Block], keep_place: bool = False) -> None:
            super().__init__()
            self.item_id = item_id
            self.blocks = blocks
            self.keep_place = keep_place

    def __init__(self, kind: str, feed: Feed, render_row: RowRenderer, read_detail: DetailReader,
                 *, read_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.read_only = read_only
        self.feed = feed
        self.render_row = render_row
        self.read_detail = read_detail
        self._detail_id: int | None = None
        self._pending_link: Link | None = None
        self._detail_shown = False
        self._detail_stale = False
        self.is_ready = False
        # Made here, not in compose: a pane mounted after the first frame (the app
        # mounts the hidden ones then) has its list and detail from the moment it is.
        self._list = PagedList(self.feed, self._row, id=f"{self.kind}-list")
        self._detail = DetailView(id=f"{self.kind}-detail")
        self._detail.border_title = "Detail"
        self._mounted = False   # (Textual's is_mounted is False until on_mount has run)
        self._when_mounted: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        yield self._list
        yield self._detail

    def when_mounted(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` now if the pane is mounted, else once it is (with
        its list and detail): a pane asked for before the first frame was drawn."""
        if self._mounted:
            callback()
        else:
            self._when_mounted.append(callback)

    def on_mount(self) -> None:
        self._mounted = True
        waiting, self._when_mounted = self._when_mounted, []
        for callback in waiting:
            callback()

    def _row(self, item: Any, width: int) -> Content:
        if item.id in self.feed.retired:
            return marked_retired(self.render_row(item, width - len(RETIRED_MARK)), width)
        return self.render_row(item, width)

    @property
    def include_retired(self) -> bool:
        return self.feed.include_retired

    def show_retired(self, shown: bool) -> None:
        """Show retired items in the list (marked as such), or leave them out."""
        if shown == self.feed.include_retired:
            return
        self.feed.include_retired = shown
        self.feed.retired = frozenset()
        self.set_class(shown, "-retired-shown")
        self.reload()

    @property
    def paged_list(self) -> PagedList:
        return self._list

    @property
    def detail(self) -> DetailView:
        return self._detail

    def reveal(self, item_id: int, *, link: Link | None = None) -> None:
        """Put the cursor on an item and show its detail (with ``link`` selected)."""
        self._pending_link = link
        self.show_detail(item_id)
        self.paged_list.go_to_item(item_id)
        if link is not None and self._detail_id == item_id and self.detail.select_link(link):
            self._pending_link = None
            self.detail.focus()

    def show_detail(self, item_id: int) -> None:
        if item_id == self._detail_id:
            return
        self._detail_id = item_id
        self._load_detail(item_id)

    @property
    def detail_id(self) -> int | None:
        """The item the detail shows (or is loading)."""
        return self._detail_id

    def reload(self, *, keep_id: int | None = None) -> None:
        """Read everything again (the case changed), keeping the reader's place:
        the list's cursor (or ``keep_id``) and the detail's scroll and link."""
        self.paged_list.reload(keep_id=keep_id)
        if keep_id is None or keep_id == self._detail_id:
            self.refresh_detail()
        # (else the cursor's new item brings its own detail)

    def refresh_detail(self) -> None:
        """Read the detail again, keeping its scroll and link cursor. A pane
        out of sight does it when it is next shown."""
        if self._detail_id is None:
            return
        if not self.display or not self.is_on_screen:
            self._detail_stale = True
            return
        self._detail_stale = False
        self._load_detail(self._detail_id, keep_place=True)

    def on_show(self) -> None:
        if self._detail_stale:
            self.refresh_detail()

    @work(thread=True, exclusive=True, group="detail")
    def _load_detail(self, item_id: int, keep_place: bool = False) -> None:
        try:
            blocks = self.read_detail(item_id, include_retired=self.include_retired)
        except Exception as error:  # noqa: BLE001 - the detail says what it could not read
            blocks = [Block(Content.styled(one_line(str(error), limit=LINE_CHARS), ".cb--dim"))]
        self.post_message(self.DetailLoaded(item_id, blocks, keep_place))

    def on_pane_detail_loaded(self, message: DetailLoaded) -> None:
        if message.item_id != self._detail_id:
            return
        detail = self.detail
        detail.show(message.blocks, keep_place=message.keep_place)
        if self._pending_link is not None:
            if detail.select_link(self._pending_link):
                detail.focus()
            self._pending_link = None
        if not self._detail_shown:
            self._detail_shown = True
            self.call_after_refresh(self._check_ready)

    def on_paged_list_item_highlighted(self, message: PagedList.ItemHighlighted) -> None:
        message.stop()
        self.show_detail(message.item.id)

    def on_paged_list_item_chosen(self, message: PagedList.ItemChosen) -> None:
        message.stop()
        self.show_detail(message.item.id)
        if self.detail.links:
            self.detail.focus()

    def on_paged_list_first_page_shown(self, message: PagedList.FirstPageShown) -> None:
        message.stop()
        if self.paged_list.total == 0:
            self._show_empty()
            self._detail_shown = True
        self._check_ready()

    def on_paged_list_refreshed(self, message: PagedList.Refreshed) -> None:
        if self.paged_list.total == 0:  # the last item left this view
            self._show_empty()

    def _show_empty(self) -> None:
        self._detail_id = None
        self.detail.show([Block(Content.styled(f"No {self.feed.noun} to show.", ".cb--dim"))])

    def _check_ready(self) -> None:
        if not self.is_ready and self._detail_shown and self.paged_list.first_page_shown:
            self.is_ready = True
            self.post_message(self.Ready(self))
