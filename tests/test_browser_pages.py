"""The keys hands bring from less, vim and mutt (issue 16 point 14): Ctrl+D/U
half pages and Ctrl+F/B full pages in lists, details and help; h/l between a
list and its detail; help scrolls with Space, b, g and G; the footer keeps
q and ? down to 60 columns; short toasts; an excerpt's own quote marks are
not doubled."""

from __future__ import annotations

import pytest
from conftest import browser, press, screen_lines, screen_text, settle
from textual.containers import VerticalScroll
from textual.widgets._toast import Toast

from db.entities import entities_page
from tui.screens.help import HelpScreen


async def test_ctrl_d_u_f_b_move_half_and_full_pages_in_a_list(seed_case):
    entities = entities_page(seed_case, offset=0, limit=1000)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = app.active_pane.paged_list
        height = listing.scrollable_content_region.height
        await press(pilot, "ctrl+d")
        assert listing.cursor == height // 2
        await press(pilot, "ctrl+f")
        assert listing.cursor == height // 2 + height - 1
        await press(pilot, "ctrl+b", "ctrl+u")
        assert listing.cursor == 0
        assert listing.cursor_item_id == entities[0].id


async def test_ctrl_d_and_ctrl_u_scroll_a_detail(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "enter")                  # an excerpt's long detail
        detail = app.active_pane.detail
        await press(pilot, "g")
        assert detail.has_focus and detail.max_scroll_y > 0 and detail.scroll_offset.y == 0
        await press(pilot, "ctrl+d")
        assert detail.scroll_offset.y == min(detail.max_scroll_y,
                                             detail.scrollable_content_region.height // 2)
        await press(pilot, "ctrl+u")
        assert detail.scroll_offset.y == 0


async def test_h_and_l_move_between_the_list_and_its_detail(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.active_pane
        await press(pilot, "l")
        assert pane.detail.has_focus
        await press(pilot, "l")
        assert pane.detail.has_focus                      # already there: stays
        await press(pilot, "h")
        assert pane.paged_list.has_focus
        await press(pilot, "question_mark", "l")          # not behind a dialog
        assert isinstance(app.screen, HelpScreen)


async def test_help_scrolls_with_space_b_g_and_shift_g(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        scroll = app.screen.query_one("#help-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await press(pilot, "space")
        assert scroll.scroll_y > 1
        await press(pilot, "b")
        assert scroll.scroll_y == 0 and isinstance(app.screen, HelpScreen)
        await press(pilot, "G")
        assert scroll.scroll_y == scroll.max_scroll_y
        await press(pilot, "g")
        assert scroll.scroll_y == 0
        await press(pilot, "ctrl+d")
        assert scroll.scroll_y > 0


@pytest.mark.parametrize("keys", [[], ["tab"], ["3"], ["4"], ["4", "tab"]])
async def test_the_footer_keeps_q_and_question_mark_down_to_60_columns(seed_case, keys):
    app = browser(seed_case)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await press(pilot, *keys)
        footer = screen_lines(app)[-1]
        assert "? Keys" in footer and "q Quit" in footer, footer
        assert "^p Commands" in footer
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert "f Forward" in screen_lines(app)[-1]       # room again: every key


async def test_a_toast_is_one_line(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "backspace")                   # "Nothing to go back to."
        (toast,) = [toast for screen in app.screen_stack for toast in screen.query(Toast)]
        assert toast.region.height == 1
        assert "Nothing to go back to." in screen_text(app)


async def test_an_excerpt_that_is_a_quotation_is_not_quoted_twice(seed_case):
    claim, quotation = seed_case.row(
        "SELECT claim_id, text FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id "
        "WHERE e.text LIKE '“%' LIMIT 1")
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        app.active_pane.reveal(claim)
        await settle(pilot)
        text = app.active_pane.detail.text
        assert quotation[:30] in " ".join(text.split())
        assert "““" not in text and "””" not in text


async def test_a_long_help_line_wraps_under_its_description_not_at_column_one(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        titles = {title for title, _ in app.key_sections()}
        lines = str(app.screen.query_one("#help-text").render()).splitlines()
        assert len(lines) > sum(len(rows) + 2 for _, rows in app.key_sections())   # some wrapped
        for line in lines:
            assert not line or line.startswith("  ") or any(line in t for t in titles), line


async def test_the_claim_key_bar_keeps_undo_and_the_queue_down_to_60_columns(seed_case_copy):
    import db

    with db.open_case(seed_case_copy) as case:
        app = browser(case)
        async with app.run_test(size=(60, 20)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            bar = next(line for line in screen_lines(app) if "c confirm" in line)
            assert "u undo" in bar and "v queue" in bar and "…" not in bar, bar
            await pilot.resize_terminal(160, 48)
            await settle(pilot)
            assert "U unreviewed" in screen_text(app)      # room again: every key


async def test_the_search_hint_keeps_esc_close_down_to_60_columns(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        hint = str(app.screen.query_one("#search-hint").render())
        assert "Esc close" in hint and "Ctrl+T exact" in hint, hint
        await press(pilot, "ctrl+t")
        hint = str(app.screen.query_one("#search-hint").render())
        assert "Esc close" in hint and "Ctrl+T across scripts" in hint, hint
        assert "Esc close" in screen_lines(app)[-1]
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert "Tab to results" in str(app.screen.query_one("#search-hint").render())
