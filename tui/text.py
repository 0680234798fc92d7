"""Untrusted text as Textual ``Content``: never markup, never a control character.

Everything the browser shows from a case file goes through these helpers.
They build ``Content`` from plain strings (markup such as ``[bold]`` or
``[@click=app.quit]`` stays literal text) after ``db.text`` has replaced
control, escape and bidi characters with visible placeholders. Styles are
only ever our own component-class names (``.cb--dim``), never data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.content import Content
from textual.style import Style

from db.search import highlight_spans
from db.text import cut_block, cut_line, one_line, printable, tokens, visible

# The text-safety helpers the widgets use, so that they need nothing of ``db``.
__all__ = ["cell_pad", "fit", "highlighted_line", "join", "one_line", "plain_block", "plain_line",
           "printable", "tokens", "visible"]

# What can be drawn of one text, so that the character work (placeholders,
# measuring, wrapping) is done on that and never on all of a 10 MB name or a
# 200,000-line excerpt (issue 17, point 7). A line: more characters than the
# widest row shows (``fit`` keeps ``width * 4 + 64``). A detail: a title of a
# dozen lines at 80 columns, a text block of a few screens.
LINE_CHARS = 4096
TITLE_CHARS = 1000
BLOCK_LINES = 200
BLOCK_CHARS = 20_000


def cut_note(rest: int) -> Content:
    """What a detail says where it cut a text: how much is left out and where it is."""
    return Content.styled(f"… (cut: {rest:,} more characters, see `casebook show`)", ".cb--dim")


def plain_line(text: str, style: str | Style = "", *, limit: int = LINE_CHARS,
               noted: bool = False) -> Content:
    """One line of untrusted text (whitespace runs collapse), at most ``limit``
    characters of it and then ``…`` (``noted``: then the :func:`cut_note`)."""
    flat, rest = cut_line(text, limit)
    line = Content.styled(visible(flat), style)
    if not rest:
        return line
    return Content.assemble(line, " ", cut_note(rest)) if noted else line + "…"


def plain_block(text: str, style: str = "") -> Content:
    """Untrusted text keeping its line breaks (for wrapping in a detail): its
    first ``BLOCK_LINES`` lines, then the :func:`cut_note` if there is more."""
    shown, rest = cut_block(text, lines=BLOCK_LINES, chars=BLOCK_CHARS)
    block = Content.styled(visible(shown, keep_newlines=True), style)
    return Content.assemble(block, "\n", cut_note(rest)) if rest else block


OPENING_QUOTES = "“\"‘'«„‹「『"
CLOSING_QUOTES = "”\"’'»“‹›」』"


def quoted_line(text: str, style: str | Style = "") -> Content:
    """One line of untrusted text between “ and ”, unless it starts or ends
    with quote marks of its own (an excerpt that is a quotation): never ““…”."""
    flat = one_line(text, limit=LINE_CHARS)
    if flat[:1] in OPENING_QUOTES or flat[-1:] in CLOSING_QUOTES:
        return Content.styled(flat, style)
    return Content.assemble("“", Content.styled(flat, style), "”")


def highlighted_line(text: str, terms: Sequence[str], style: str = ".cb--match", *,
                     transliterated: bool = False) -> Content:
    """One line of untrusted text with the words matching ``terms`` styled
    (``transliterated``: words in other scripts by their Latin spelling)."""
    flat = one_line(text, limit=LINE_CHARS)
    content = Content(flat)
    for start, end in highlight_spans(flat, terms, transliterated=transliterated):
        content = content.stylize(style, start, end)
    return content


def join(parts: Iterable[Content | str | tuple[str, str]], separator: str = "") -> Content:
    """Assemble parts: ``str`` parts must be our own labels, not case data."""
    pieces: list[Content | str | tuple[str, str]] = []
    for index, part in enumerate(parts):
        if index and separator:
            pieces.append(separator)
        pieces.append(part)
    return Content.assemble(*pieces)


def fit(content: Content, width: int) -> Content:
    """Cut to ``width`` cells with an ellipsis.

    A row of a 200,000-line excerpt or a 10 MB name is first cut to a few
    characters per cell: measuring the whole text, on every repaint, took
    seconds (issue 17, point 7). A character is at most two cells wide, so
    what is cut off would not have been shown; zero-width runs beyond it may
    end the row earlier, with the ellipsis all the same."""
    if width <= 0:
        return Content("")
    limit = width * 4 + 64
    if len(content) > limit:
        content = content[:limit]
        if content.cell_length < width:
            return content + "…"
        if content.cell_length == width:
            return content.truncate(width - 1) + "…"
    if content.cell_length <= width:
        return content
    return content.truncate(width, ellipsis=True)


def cell_pad(content: Content, width: int) -> Content:
    """Exactly ``width`` cells: cut with an ellipsis or padded with spaces."""
    content = fit(content, width)
    return content.pad_right(width - content.cell_length) if content.cell_length < width else content
