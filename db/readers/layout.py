"""Text with a place: paragraphs assembled into a source's text, remembering
where each page and each drawn line of it falls.

Readers of paged formats (PDF) give lines with their page and box; this
module orders them into reading order, joins hyphenated line ends, drops
running headers, footers and page numbers, groups lines into paragraphs, and
builds the text (one paragraph per line, the ``lines`` split) with the
page spans and line boxes as code-point offsets into it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..models import LineBox, SourcePage
from ..text import nfc


@dataclass
class Line:
    """A line of text as drawn: its box in points from the page's top-left."""

    text: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = 0.0  # the type size, points (0: unknown)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def type_size(self) -> float:
        return self.size or self.height


@dataclass
class PageLines:
    number: int
    width: float
    height: float
    label: str = ""
    lines: list[Line] = field(default_factory=list)


# -- headers, footers and page numbers ---------------------------------------

# The share of the page's height, at its top and at its bottom, where running
# headers and footers live.
_BAND = 0.1
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—(\[]*(page|p\.|pg\.|seite|página|strana|puslapis)?\s*"
    r"(\d{1,5}|[ivxlcdm]{1,8})(\s*(of|/|de|z|iš)\s*\d{1,5})?[\s\-–—)\]]*$", re.I)
_DIGITS = re.compile(r"\d+")


def _band(line: Line, page: PageLines) -> bool:
    return line.y1 <= page.height * _BAND or line.y0 >= page.height * (1 - _BAND)


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def drop_running_lines(pages: list[PageLines]) -> int:
    """Remove running headers and footers (the same line, numbers aside, in
    the top or bottom band of at least two pages and of 40% of them) and page
    numbers; returns how many lines were dropped."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_furniture_key(line.text) for line in page.lines if _band(line, page)})
    repeated = {key for key, count in seen.items() if count >= max(2, 0.4 * len(pages))}
    dropped = 0
    for page in pages:
        kept = [line for line in page.lines if not (
            _band(line, page) and (_furniture_key(line.text) in repeated or _PAGE_NUMBER.match(line.text)))]
        dropped += len(page.lines) - len(kept)
        page.lines = kept
    return dropped


# -- reading order -------------------------------------------------------------


def merge_fragments(lines: list[Line]) -> list[Line]:
    """Pieces of one line (runs in other fonts, words drawn one by one) joined:
    on the same baseline and no further apart than a line's height."""
    merged: list[Line] = []
    for line in sorted(lines, key=lambda item: (round(item.y1), item.x0)):
        last = merged[-1] if merged else None
        if (last is not None and abs(last.y1 - line.y1) < 0.4 * max(line.height, 1)
                and 0 <= line.x0 - last.x1 < max(line.height, last.height) * 1.2):
            space = "" if last.text.endswith(" ") or line.x0 - last.x1 < 0.15 * line.height else " "
            merged[-1] = Line(last.text + space + line.text, last.page, last.x0, min(last.y0, line.y0),
                              line.x1, max(last.y1, line.y1), max(last.size, line.size))
        else:
            merged.append(line)
    return merged


def reading_order(lines: list[Line], width: float) -> list[Line]:
    """Lines in reading order: top to bottom, and where the page has columns,
    down each column in turn (a line across the gutter, such as a title,
    closes the columns above it)."""
    lines = sorted(lines, key=lambda item: (item.y0, item.x0))
    gutter = _gutter(lines, 0.0, width)
    if gutter is None:
        return lines
    left_edge, right_edge = gutter
    ordered: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for line in lines:
        if line.x1 <= right_edge and line.x0 < left_edge:
            left.append(line)
        elif line.x0 >= left_edge:
            right.append(line)
        else:  # across the gutter
            ordered += _columns(left, right, width)
            left, right = [], []
            ordered.append(line)
    ordered += _columns(left, right, width)
    return ordered


def _columns(left: list[Line], right: list[Line], width: float) -> list[Line]:
    if not right:
        return left
    if not left:
        return right
    return sorted(left, key=lambda item: item.y0) + sorted(right, key=lambda item: item.y0)


def _gutter(lines: list[Line], start: float, end: float) -> tuple[float, float] | None:
    """The widest vertical strip in the middle of the page that no more than a
    few lines cross, with at least three lines on each side: (left, right)."""
    if len(lines) < 6:
        return None
    span = end - start
    low, high = int(start + span * 0.25), int(start + span * 0.75)
    if high - low < 10:
        return None
    covered = [0] * (high - low)
    for line in lines:
        for x in range(max(low, int(line.x0)), min(high, int(line.x1) + 1)):
            covered[x - low] += 1
    allowed = max(1, len(lines) // 20)  # titles and full-width lines cross it
    best: tuple[int, int] | None = None
    run_start = None
    for x, count in enumerate([*covered, allowed + 1]):
        if count <= allowed:
            run_start = x if run_start is None else run_start
        elif run_start is not None:
            if best is None or x - run_start > best[1] - best[0]:
                best = (run_start, x)
            run_start = None
    if best is None or best[1] - best[0] < 6:
        return None
    left_edge, right_edge = low + best[0], low + best[1]
    left = sum(1 for line in lines if line.x1 <= right_edge and line.x0 < left_edge)
    right = sum(1 for line in lines if line.x0 >= left_edge)
    if left < 3 or right < 3:
        return None
    return float(left_edge), float(right_edge)


# -- paragraphs -------------------------------------------------------------------

_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’»)\]]$")
_HYPHENS = ("-", "\u2010")


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)


def paragraphs_of(pages: list[PageLines]) -> list[Paragraph]:
    """Lines grouped into paragraphs: a new one after a gap wider than the
    line spacing, at a change of type size, after a short line that ends a
    sentence, or at an indented first line; a paragraph goes on across a
    column or a page when its last line did not end a sentence."""
    found: list[Paragraph] = []
    previous: Line | None = None
    for page in pages:
        if not page.lines:
            continue
        spacing = _line_spacing(page.lines)
        full = _typical_width(page.lines)
        for line in page.lines:
            if previous is None or _starts_paragraph(previous, line, spacing, full):
                found.append(Paragraph())
            found[-1].lines.append(line)
            previous = line
    return found


def _line_spacing(lines: list[Line]) -> float:
    """The usual distance between the middles of consecutive lines of a column."""
    steps = [b.middle - a.middle for a, b in zip(lines, lines[1:], strict=False)
             if 0 < b.middle - a.middle < 4 * max(a.type_size, 1) and abs(b.x0 - a.x0) < 4 * a.type_size]
    return statistics.median(steps) if steps else 12.0


def _typical_width(lines: list[Line]) -> float:
    widths = sorted(line.x1 - line.x0 for line in lines)
    return widths[int(len(widths) * 0.8)] if widths else 0.0


def _starts_paragraph(previous: Line, line: Line, spacing: float, full: float) -> bool:
    size = previous.type_size
    if abs(line.type_size - size) > 0.15 * max(size, 1):
        return True  # a heading, or the text after one
    ended = bool(_ENDS_SENTENCE.search(previous.text.rstrip()))
    same_column = (line.page == previous.page and line.middle > previous.middle
                   and abs(line.x0 - previous.x0) < size * 4)
    if not same_column:
        return ended  # a new column or page continues an unfinished sentence
    if line.middle - previous.middle > 1.4 * spacing:
        return True
    if ended and (previous.x1 - previous.x0) < 0.75 * full:
        return True
    return line.x0 - previous.x0 > 1.2 * size and ended


@dataclass
class Assembled:
    text: str
    pages: list[SourcePage]
    boxes: list[LineBox]


SOFT_HYPHEN = "\u00ad"


def assemble(paragraphs: list[Paragraph], pages: list[PageLines]) -> Assembled:
    """The text, one paragraph per line, with its pages and line boxes.

    Lines of a paragraph are joined with a space, or with nothing where a
    word was hyphenated across the line end (the hyphen goes).
    """
    parts: list[str] = []
    length = 0
    boxes: list[LineBox] = []
    page_starts: dict[int, int] = {}
    for paragraph in paragraphs:
        texts = [nfc(" ".join(line.text.split())) for line in paragraph.lines]
        if parts:
            parts.append("\n")
            length += 1
        for number, (line, text) in enumerate(zip(paragraph.lines, texts, strict=True)):
            following = texts[number + 1] if number + 1 < len(texts) else None
            if text.endswith(SOFT_HYPHEN):
                text = text[:-1] if following is not None else text[:-1] + "-"
                joined = following is not None
            else:
                joined = following is not None and text.endswith(_HYPHENS) and _joins_hyphen(text, following)
                if joined:
                    text = text[:-1]
            page_starts.setdefault(line.page, length)
            if text:
                boxes.append(LineBox(start=length, end=length + len(text), page=line.page,
                                     x0=round(line.x0, 1), y0=round(line.y0, 1),
                                     x1=round(line.x1, 1), y1=round(line.y1, 1)))
            parts.append(text)
            length += len(text)
            if following is not None and not joined and text:
                parts.append(" ")
                length += 1
    text = "".join(parts)
    return Assembled(text=text, pages=_page_spans(pages, page_starts, len(text)), boxes=boxes)


def _joins_hyphen(previous: str, following: str) -> bool:
    """A line-end hyphen is dropped before a lower-case letter (a word broken
    in two), kept before anything else ("Russian-" "Belgian")."""
    return bool(following) and following[0].islower() and len(previous) > 1 and previous[-2].isalpha()


def _page_spans(pages: list[PageLines], starts: dict[int, int], length: int) -> list[SourcePage]:
    spans: list[SourcePage] = []
    for page in pages:
        spans.append(SourcePage(number=page.number, label=page.label, start=0, end=0,
                                width=round(page.width, 1), height=round(page.height, 1)))
    # A page starts where its first line does; one with no text is empty where the next begins.
    position = length
    for index in range(len(spans) - 1, -1, -1):
        start = starts.get(spans[index].number, position)
        start = min(start, position)
        spans[index] = spans[index].model_copy(update={"start": start, "end": position})
        position = start
    if spans:
        spans[0] = spans[0].model_copy(update={"start": 0})
    return spans
