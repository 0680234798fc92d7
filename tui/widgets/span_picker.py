"""Choosing words of an excerpt with the keyboard: the span becomes the quote.

The excerpt's text is wrapped to the width and the chosen words are
highlighted. The cursor moves a word at a time (←/→ or h/l) or a line at a
time (↑/↓ or k/j); Space (or v) drops an anchor, after which moving extends
the span from it, and Space again starts over from the word under the
cursor; w takes the whole excerpt. No Shift is needed: Shift+arrows do not
survive every terminal, tmux and SSH in between.

Spans are offsets into the excerpt's own text (code points, end exclusive),
what ``db.building`` takes. Words are found as search finds them
(``db.text.tokens``), so a span never starts or ends in a space or a comma,
except that an apostrophe inside a word keeps it whole (``Russia’s``).
Control characters are drawn as placeholders (``db.text.visible``) piece by
piece, so offsets stay those of the text itself.
"""

from __future__ import annotations

import bisect
import itertools
import re

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from ..text import tokens, visible
from .lines import LineView

Span = tuple[int, int]
_PIECE = re.compile(r"\s*\S+\s*|\s+")


# An apostrophe between two letters is inside a word ("Russia’s", "O'Brien"),
# as a reader sees it; search's tokens split there.
_APOSTROPHES = frozenset("'’ʼ")


def picked_words(text: str) -> list[Span]:
    """The words of ``text`` the cursor moves by: search's tokens, joined
    across an apostrophe with a letter on each side."""
    words: list[Span] = []
    for start, end, _ in tokens(text):
        if words and start - words[-1][1] == 1 and text[start - 1] in _APOSTROPHES:
            words[-1] = (words[-1][0], end)
        else:
            words.append((start, end))
    return words


def wrap_offsets(text: str, width: int) -> list[Span]:
    """Lines of ``text`` as (start, end) offsets, wrapped at spaces to ``width`` cells."""
    width = max(4, width)
    lines: list[Span] = []
    paragraph_start = 0
    for paragraph in text.split("\n"):
        start = paragraph_start
        paragraph_start += len(paragraph) + 1
        line_start = start
        for piece in _PIECE.finditer(paragraph):
            piece_start = start + piece.start()
            word_end = piece_start + len(piece.group().rstrip())
            if line_start < piece_start and _cells(text, line_start, word_end) > width:
                lines.append((line_start, piece_start))
                line_start = piece_start
            while _cells(text, line_start, word_end) > width:  # a word longer than a line
                cut = _fit(text, line_start, width)
                lines.append((line_start, cut))
                line_start = cut
        lines.append((line_start, start + len(paragraph)))
    return lines


def _cells(text: str, start: int, end: int) -> int:
    return cell_len(visible(text[start:end]))


def _fit(text: str, start: int, width: int) -> int:
    """The end of the longest piece of text from ``start`` that fits ``width``."""
    end = start + 1
    while end < len(text) and _cells(text, start, end + 1) <= width:
        end += 1
    return end


class SpanPicker(LineView, can_focus=True):
    """The excerpt's text with a span of words chosen and highlighted."""

    BINDINGS = [
        Binding("left,h", "word(-1)", "Previous word", show=False),
        Binding("right,l", "word(1)", "Next word", show=False),
        Binding("up,k", "line(-1)", "Word above", show=False),
        Binding("down,j", "line(1)", "Word below", show=False),
        Binding("home,g", "edge(0)", "First word", show=False),
        Binding("end,G", "edge(1)", "Last word", show=False),
        Binding("space,v", "anchor", "Extend", tooltip="Extend from here (again: start over)"),
        Binding("w", "whole", "Whole", tooltip="The whole excerpt"),
    ]

    DEFAULT_CSS = """
    SpanPicker {
        height: auto;
        max-height: 1fr;
        overflow-y: auto;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .cb--quote { background: $accent 40%; text-style: bold; }
    }
    SpanPicker:focus > .cb--quote { background: $accent; color: $text; text-style: bold; }
    """

    class SpanChanged(Message):
        """The chosen words changed (``span`` is None for the whole excerpt)."""

        def __init__(self, picker: "SpanPicker", span: Span | None) -> None:
            super().__init__()
            self.picker = picker
            self.span = span

        @property
        def control(self) -> "SpanPicker":
            return self.picker

    def __init__(self, text: str, *, span: Span | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self.words: list[Span] = picked_words(text)
        self._starts = [start for start, _ in self.words]
        self.cursor = 0              # the word the cursor is on
        self.span_anchor: int | None = None   # where an extending span started
        self.whole = not self.words  # no words at all: only the whole excerpt
        self._lines: list[Span] = []
        self._line_starts: list[int] = []
        self._wrapped_width = -1
        if span is not None:
            self._start_with(span)

    # -- the span ----------------------------------------------------------

    def _start_with(self, span: Span) -> None:
        start, end = span
        inside = [i for i, (s, e) in enumerate(self.words) if s >= start and e <= end]
        if (start, end) == (0, len(self.text)) or not inside:
            self.whole = True
            return
        self.span_anchor, self.cursor = inside[0], inside[-1]
        if self.span_anchor == self.cursor:
            self.span_anchor = None

    @property
    def span(self) -> Span | None:
        """The chosen words as offsets; None when the whole excerpt is chosen."""
        if self.whole:
            return None
        first, last = sorted((self.cursor, self.cursor if self.span_anchor is None else self.span_anchor))
        span = (self.words[first][0], self.words[last][1])
        return None if span == (0, len(self.text)) else span

    @property
    def selection(self) -> Span:
        """What is highlighted: the span, or the whole text."""
        return self.span or (0, len(self.text))

    @property
    def extending(self) -> bool:
        return self.span_anchor is not None

    @property
    def quote(self) -> str:
        start, end = self.selection
        return self.text[start:end]

    def _changed(self) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.SpanChanged(self, self.span))

    # -- keys --------------------------------------------------------------

    def _move(self, index: int) -> None:
        if not self.words:
            return
        self.whole = False
        self.cursor = max(0, min(index, len(self.words) - 1))
        self._changed()

    def action_word(self, step: int) -> None:
        self._move(self.cursor + step if not self.whole else self.cursor)

    def action_line(self, step: int) -> None:
        if not self.words:
            return
        self._rewrap()
        line = self._line_of(self.words[self.cursor][0])
        column = self._column(line, self.words[self.cursor][0])
        target = line + step
        while 0 <= target < len(self._lines):
            start, end = self._lines[target]
            candidates = range(bisect.bisect_left(self._starts, start), bisect.bisect_left(self._starts, end))
            if candidates:
                best = min(candidates, key=lambda i: abs(self._column(target, self.words[i][0]) - column))
                self._move(best)
                return
            target += step
        self._move(0 if step < 0 else len(self.words) - 1)

    def action_edge(self, end: int) -> None:
        self._move(len(self.words) - 1 if end else 0)

    def action_anchor(self) -> None:
        """Extend from the word under the cursor; pressed again, start over."""
        if not self.words:
            return
        self.whole = False
        self.span_anchor = None if self.extending else self.cursor
        self._changed()

    def action_whole(self) -> None:
        self.whole = True
        self.span_anchor = None
        self._changed()

    # -- layout ------------------------------------------------------------

    def _rewrap(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        if width == self._wrapped_width:
            return
        self._wrapped_width = width
        self._lines = wrap_offsets(self.text, width)
        self._line_starts = [start for start, _ in self._lines]
        self.virtual_size = Size(width, len(self._lines))

    def _line_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._line_starts, offset) - 1)

    def _column(self, line: int, offset: int) -> int:
        return cell_len(visible(self.text[self._lines[line][0]:offset]))

    def _scroll_to_cursor(self) -> None:
        if not self.words:
            return
        self._rewrap()
        line = self._line_of(self.words[self.cursor][0])
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if line < top:
            self.scroll_to(y=line, animate=False, immediate=True, force=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True, force=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(wrap_offsets(self.text, width))

    def on_resize(self) -> None:
        self._rewrap()
        self._scroll_to_cursor()

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_cursor)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        self._rewrap()
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.get_visual_style()
        if index >= len(self._lines):
            return Strip.blank(width, base.rich_style)
        start, end = self._lines[index]
        end = start + len(self.text[start:end].rstrip())  # spaces at a wrap are not shown
        chosen = self.selection
        # While extending, the end that moves is underlined.
        moving = self.words[self.cursor] if self.extending else (0, 0)
        cuts = sorted({start, end, *(min(max(at, start), end) for at in (*chosen, *moving))})
        pieces = []
        for piece_start, piece_end in itertools.pairwise(cuts):
            style = Style()
            if chosen[0] <= piece_start < chosen[1]:
                style = self.parse_style(".cb--quote")
            if moving[0] <= piece_start < moving[1]:
                style += Style(underline=True)
            pieces.append(Content.styled(visible(self.text[piece_start:piece_end]), style))
        return self.line_strip(Content.assemble(*pieces), width, base)
