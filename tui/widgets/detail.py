"""A detail: wrapped blocks of text, some of them links, with a link cursor.

Used for the detail of the item a list's cursor rests on and for search
results. ``j``/``k`` move from link to link, scrolling through long text
between them; Enter follows the link under the cursor. Blocks are wrapped
to the width here (line API), so a detail of hundreds of links costs no
widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from .lines import LineView


@dataclass(frozen=True)
class Link:
    """Where a block leads: an item of one of the panes."""

    kind: str      # the kind of item: "entity", "event", "excerpt", "claim"
    id: int
    # A claim's version as this link was read: what a mark made through it
    # expects (not part of the link's identity).
    version: int | None = field(default=None, compare=False)
    # The item it goes through (an entity reached by a relationship: that
    # relationship), which another key opens (not part of the link's identity).
    via: Link | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Block:
    """A paragraph of a detail. ``hang`` indents its wrapped lines; the view
    opens scrolled so that the first ``anchor`` block can be seen."""

    content: Content
    link: Link | None = None
    wrap: bool = True
    hang: int = 0
    anchor: bool = False


BLANK = Block(Content(""))


def hanging_wrap(content: Content, width: int, hang: int) -> list[Content]:
    """Wrap to ``width``; lines after the first are indented by ``hang``."""
    lines: list[Content] = []
    for paragraph in content.split("\n", allow_blank=True) if "\n" in content.plain else [content]:
        first, *_ = paragraph.wrap(width) or [Content("")]
        lines.append(first)
        rest = paragraph[len(first.plain):]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
        if rest.plain:
            indent = Content(" " * hang)
            lines.extend(indent + line for line in rest.wrap(max(1, width - hang)))
    return lines


class DetailView(LineView, can_focus=True):
    """Blocks of Content, wrapped to the width; links to follow."""

    BINDINGS = [
        Binding("up,k", "link_up", "Up", show=False),
        Binding("down,j", "link_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,space,ctrl+f", "page_down", "Page down", show=False),
        Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False),
        Binding("ctrl+d", "half_page(1)", "Half a page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "bottom", "Bottom", show=False),
        Binding("enter", "follow", "Follow"),
    ]

    class LinkFollowed(Message):
        """Enter (or a click) on a link."""

        def __init__(self, detail: "DetailView", link: Link) -> None:
            super().__init__()
            self.detail = detail
            self.link = link

        @property
        def control(self) -> "DetailView":
            return self.detail

    class LinkHighlighted(Message):
        """The link cursor moved (``link`` is None when there is none)."""

        def __init__(self, detail: "DetailView", link: Link | None) -> None:
            super().__init__()
            self.detail = detail
            self.link = link

        @property
        def control(self) -> "DetailView":
            return self.detail

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.blocks: list[Block] = []
        self._lines: list[tuple[Content, int]] = []   # (line, block index)
        self._first_line: list[int] = []               # block index -> first line
        self._links: list[int] = []                    # block indexes that are links
        self._cursor: int | None = None                # index into _links
        self._wrapped_width = -1
        self._chosen = False   # the cursor's link was chosen (select_link), not defaulted

    # -- content ---------------------------------------------------------

    def show(self, blocks: list[Block], *, keep_place: bool = False) -> None:
        """Replace the content. ``keep_place`` keeps the scroll and cursor (a refresh)."""
        previous = self.link
        self._chosen = self._chosen and keep_place
        self.blocks = list(blocks)
        self._links = [i for i, block in enumerate(self.blocks) if block.link is not None]
        self._wrapped_width = -1
        self._rewrap()
        self._cursor = 0 if self._links else None
        if keep_place:
            for position, block_index in enumerate(self._links):
                if self.blocks[block_index].link == previous:
                    self._cursor = position
                    break
        else:
            self.scroll_to(y=self._anchor_top(), animate=False, immediate=True, force=True)
        self.refresh()
        self.post_message(self.LinkHighlighted(self, self.link))

    def _anchor_top(self) -> int:
        """Where to open: the top, unless that leaves the anchor block unseen."""
        anchors = [i for i, block in enumerate(self.blocks) if block.anchor]
        if not anchors or not self._first_line:
            return 0
        first, last = self._block_span(anchors[0])
        height = max(1, self.scrollable_content_region.height)
        if min(last, first + 3) <= height:
            return 0
        return max(0, first - 2)

    @property
    def link(self) -> Link | None:
        """The link under the cursor."""
        if self._cursor is None:
            return None
        return self.blocks[self._links[self._cursor]].link

    @property
    def links(self) -> list[Link]:
        return [self.blocks[i].link for i in self._links]  # type: ignore[misc]

    @property
    def text(self) -> str:
        """The plain text shown (for tests and the hostile-text checks)."""
        return "\n".join(line.plain for line, _ in self._lines)

    def select_link(self, link: Link) -> bool:
        for position, block_index in enumerate(self._links):
            if self.blocks[block_index].link == link:
                self._move_to(position)
                self._chosen = True   # focus shows it, wherever it is
                return True
        return False

    def _rewrap(self) -> None:
        width = max(1, self.scrollable_content_region.width - 2)
        if width == self._wrapped_width:
            return
        self._wrapped_width = width
        lines: list[tuple[Content, int]] = []
        first_line: list[int] = []
        for index, block in enumerate(self.blocks):
            first_line.append(len(lines))
            if not block.wrap:
                lines.append((block.content, index))
                continue
            for line in hanging_wrap(block.content, width, min(block.hang, width // 2)):
                lines.append((line, index))
        self._lines = lines
        self._first_line = first_line
        self.virtual_size = Size(0, len(lines))

    # -- moving ----------------------------------------------------------

    def _block_span(self, block_index: int) -> tuple[int, int]:
        first = self._first_line[block_index]
        last = (self._first_line[block_index + 1] if block_index + 1 < len(self.blocks)
                else len(self._lines))
        return first, last

    def _move_to(self, position: int) -> None:
        old = self._cursor
        self._cursor = position
        first, last = self._block_span(self._links[position])
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True, force=True)
        elif last > top + height:
            self.scroll_to(y=min(first, last - height), animate=False, immediate=True, force=True)
        self.refresh()
        if old != position:
            self.post_message(self.LinkHighlighted(self, self.link))

    def action_link_down(self) -> None:
        """The next link if it is in view; otherwise read on (scroll)."""
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        following = 0 if self._cursor is None else self._cursor + 1
        if following < len(self._links):
            first, _ = self._block_span(self._links[following])
            if first < top + height:
                self._move_to(following)
                return
        self.scroll_to(y=top + max(1, height // 2), animate=False, immediate=True, force=True)
        self._cursor_into_view()

    def action_link_up(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self._cursor is not None and self._cursor > 0:
            _, last = self._block_span(self._links[self._cursor - 1])
            if last > top:
                self._move_to(self._cursor - 1)
                return
        if top == 0 and self._cursor is not None:
            self._move_to(self._cursor)
            return
        self.scroll_to(y=max(0, top - max(1, height // 2)), animate=False, immediate=True, force=True)
        self._cursor_into_view()

    def _cursor_into_view(self) -> None:
        """After reading on, keep the cursor on a link that can be seen (with
        none yet, the first that comes into view)."""
        if self._cursor is None:
            shown = [position for position, block_index in enumerate(self._links)
                     if self._in_view(block_index)]
            if shown:
                self._cursor = shown[0]
                self.refresh()
                self.post_message(self.LinkHighlighted(self, self.link))
            return
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        first, last = self._block_span(self._links[self._cursor])
        if last > top and first < top + height:
            return
        visible = [
            position for position, block_index in enumerate(self._links)
            if self._block_span(block_index)[1] > top
            and self._block_span(block_index)[0] < top + height
        ]
        if visible:
            old = self._cursor
            self._cursor = visible[0] if first < top else visible[-1]
            self.refresh()
            if old != self._cursor:
                self.post_message(self.LinkHighlighted(self, self.link))

    def action_page_down(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_offset.y + height - 1, animate=False, immediate=True, force=True)
        self._cursor_into_view()

    def action_page_up(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=max(0, self.scroll_offset.y - height + 1), animate=False, immediate=True, force=True)
        self._cursor_into_view()

    def action_half_page(self, step: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=max(0, self.scroll_offset.y + step * max(1, height // 2)),
                       animate=False, immediate=True, force=True)
        self._cursor_into_view()

    def action_top(self) -> None:
        if self._links:
            self._move_to(0)
        self.scroll_to(y=0, animate=False, immediate=True, force=True)

    def action_bottom(self) -> None:
        if self._links:
            self._move_to(len(self._links) - 1)
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def action_follow(self) -> None:
        link = self.link
        if link is not None:
            self.post_message(self.LinkFollowed(self, link))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if not 0 <= index < len(self._lines):
            return
        block_index = self._lines[index][1]
        if block_index in self._links:
            position = self._links.index(block_index)
            if position == self._cursor and event.chain >= 2:
                self.action_follow()
            self._move_to(position)

    def on_focus(self) -> None:
        # Show what Enter would follow, without scrolling the item's name away:
        # the cursor's link if it can be seen, else the first link on screen;
        # with none on screen, none (j reads on until one comes into view).
        if self._cursor is not None:
            if self._chosen or self._in_view(self._links[self._cursor]):
                self._move_to(self._cursor)
            else:
                shown = [position for position, block_index in enumerate(self._links)
                         if self._in_view(block_index)]
                self._cursor = shown[0] if shown else None
                self.post_message(self.LinkHighlighted(self, self.link))
        self.refresh()

    def _in_view(self, block_index: int) -> bool:
        first, last = self._block_span(block_index)
        top = self.scroll_offset.y
        return first >= top and last <= top + max(1, self.scrollable_content_region.height)

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    # -- drawing ---------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        self._rewrap()
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self._lines):
            return Strip.blank(width, self.get_visual_style().rich_style)
        line, block_index = self._lines[index]
        on_cursor = self._cursor is not None and self._links[self._cursor] == block_index
        return self.line_strip(Content(" ") + line, width, self.row_style(cursor=on_cursor))
