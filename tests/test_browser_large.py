"""A generated large case: the browser reads only what it shows.

200,000 excerpts and 20,000 entities keep the suite quick; benchmarks/
measures start-up and memory at 1,000,000 (see README).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser, press, screen_text, settle

import db
from db.generate import generate_case
from db.sources import excerpts_page
from tui.widgets import paged_list
from tui.widgets.paged_list import PAGE_SIZE

EXCERPTS = 200_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large_case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.casebook"
    generate_case(path, excerpts=EXCERPTS, seed=3)
    return path


async def test_a_large_case_opens_reads_pages_and_jumps_to_the_end(large_case_file, monkeypatch):
    monkeypatch.setattr(paged_list, "MAX_PAGES", 8)   # so a few jumps overflow the cache
    with db.open_case(large_case_file, read_only=True) as case:
        counts = db.counts(case)
        last = excerpts_page(case, offset=counts.excerpts - 1, limit=1, total=counts.excerpts)[0]
        middle = excerpts_page(case, offset=counts.excerpts // 2, limit=1, total=counts.excerpts)[0]
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.is_ready
            assert f"3 Excerpts {EXCERPTS:,}" in screen_text(app)
            # Only the first page of the visible list was read; hidden panes read nothing.
            assert app.pane("entity").paged_list.loaded_rows == PAGE_SIZE
            assert app.pane("excerpt").paged_list.loaded_rows == 0

            await pilot.press("3", "G")
            await settle(pilot)
            excerpts = app.pane("excerpt")
            assert excerpts.paged_list.cursor == EXCERPTS - 1
            assert excerpts.paged_list.cursor_item_id == last.id
            assert f"characters {last.start:,}–{last.end:,}" in excerpts.detail.text
            assert excerpts.paged_list.loaded_rows <= 2 * PAGE_SIZE

            excerpts.reveal(middle.id)             # a jump to the middle, by id
            await settle(pilot)
            assert excerpts.paged_list.cursor == EXCERPTS // 2
            assert excerpts.paged_list.cursor_item_id == middle.id

            await pilot.press("pagedown", "pagedown")
            await settle(pilot)
            assert excerpts.paged_list.cursor > EXCERPTS // 2 + 10

            # Visiting more pages than the cache holds: the oldest are dropped.
            for page in range(12):
                excerpts.paged_list.move_cursor(page * PAGE_SIZE)
                await settle(pilot)
            assert excerpts.paged_list.loaded_rows == 8 * PAGE_SIZE
            assert excerpts.paged_list.cursor_item is not None

            await pilot.press("slash", "a")        # one letter: capped counts, at once
            await settle(pilot)
            results = app.screen.results.text
            assert "Excerpts (10 of 1,000+)" in results
            chosen = app.screen.results.link
            await press(pilot, "enter")
            assert app.active_kind == chosen.kind
            assert app.active_pane.paged_list.cursor_item_id == chosen.id
