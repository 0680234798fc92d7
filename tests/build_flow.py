"""Helpers for the build-a-case tests: a case made of documents just added
with the real CLI (no entities, events or claims yet), and the keys an
analyst presses to reach an excerpt and choose words of it.

The fixtures ``observer_case_file`` and ``observer_case`` live in conftest.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from conftest import browser, press, run_cli, settle  # noqa: F401  (press: for the build tests)

import db
from tui.widgets.span_picker import picked_words

DATA = Path(__file__).resolve().parent / "data" / "ingest"
ARTICLE = DATA / "brussels-observer-article.html"
MIXED = DATA / "mixed"


def excerpt_with(case: db.Case, fragment: str) -> db.Excerpt:
    from db.sources import get_excerpt

    row = case.row("SELECT id FROM excerpts WHERE kind = 'paragraph' AND instr(text, ?) > 0 "
                   "ORDER BY id LIMIT 1", [fragment])
    assert row is not None, fragment
    return get_excerpt(case, row[0])


async def on_excerpt(pilot, excerpt_id: int) -> None:
    """Go to the Excerpts pane (key 3) with the cursor on an excerpt."""
    await press(pilot, "3")
    pilot.app.pane("excerpt").reveal(excerpt_id)
    await settle(pilot)
    assert pilot.app.pane("excerpt").paged_list.cursor_item_id == excerpt_id


@contextlib.asynccontextmanager
async def browsing(case: db.Case, excerpt_id: int, size: tuple[int, int] = (80, 24)) -> AsyncIterator:
    """The browser over ``case``, on an excerpt of the Excerpts pane: ``(app, pilot)``."""
    app = browser(case)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await on_excerpt(pilot, excerpt_id)
        yield app, pilot


async def type_text(pilot, text: str) -> None:
    """Type as an analyst would, a key at a time."""
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
    await settle(pilot)


def word_keys(text: str, quote: str) -> list[str]:
    """The span picker's keys that choose ``quote`` (whole words) of ``text``:
    from the nearer end (``g`` or ``G``) word by word to one end of it,
    Space, then on to its other end."""
    start = text.index(quote)
    end = start + len(quote)
    words = picked_words(text)    # as the picker moves
    first = next(i for i, (s, _) in enumerate(words) if s >= start)
    last = max(i for i, (_, e) in enumerate(words) if e <= end)
    if first <= len(words) - 1 - last:
        return ["g", *["l"] * first, "space", *["l"] * (last - first)]
    return ["G", *["h"] * (len(words) - 1 - last), "space", *["h"] * (last - first)]


async def choose_words(pilot, text: str, quote: str) -> None:
    """In the span picker (key s), choose ``quote`` with the keyboard."""
    await pilot.press(*word_keys(text, quote))
    await settle(pilot)
    assert pilot.app.screen.picker.quote == quote


async def span_menu(pilot, text: str, quote: str) -> None:
    """From an excerpt (``text``): ``s``, choose ``quote``, Enter: the menu of
    what to make of the chosen words."""
    from tui.screens.span import SpanMenu

    await press(pilot, "s")
    await choose_words(pilot, text, quote)
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, SpanMenu)
