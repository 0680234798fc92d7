"""Snapshots of the main screens at 80x24 and 160x48 (pytest-textual-snapshot).

The seed case is deterministic, nothing shows a wall-clock time, and the
search input's cursor does not blink, so each screen draws the same every
run. After an intended change: pytest tests/test_browser_snapshots.py
--snapshot-update, then look at the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import pytest
from conftest import browser, press, settle
from textual.widgets import Input

import db
from db.entities import entities_page

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def steps(*keys: str, after=None):
    """Press keys one by one, letting every read finish in between."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await press(pilot, key)
        for input_box in pilot.app.screen.query(Input):
            input_box.cursor_blink = False
        if after is not None:
            await after(pilot)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_entities(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size, run_before=steps("j", "j"))


@pytest.mark.parametrize("size", SIZES)
def test_entity_detail_focused(snap_compare, seed_case, size):
    logvinov = next(e for e in entities_page(seed_case, offset=0, limit=500)
                    if e.name == "Kirill Logvinov")

    async def reveal(pilot):
        pilot.app.active_pane.reveal(logvinov.id)
        await settle(pilot)
        await pilot.press("enter", "j", "j")

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=steps(after=reveal))


@pytest.mark.parametrize("size", SIZES)
def test_timeline(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size,
                        run_before=steps("2", "G", "k", "k", "k"))


@pytest.mark.parametrize("size", SIZES)
def test_excerpts(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size,
                        run_before=steps("3", "j", "j", "j"))


@pytest.mark.parametrize("size", SIZES)
def test_claims(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size,
                        run_before=steps("4", "j", "tab"))


@pytest.mark.parametrize("size", SIZES)
def test_search(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size,
                        run_before=steps("slash", *"Uhrik", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_keys(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size,
                        run_before=steps("question_mark"))


def test_no_color(snap_compare, seed_case, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")   # read by Textual when the app is made
    assert snap_compare(browser(seed_case, palette="none"), terminal_size=(80, 24),
                        run_before=steps("4", "j"))


def test_sixteen_colours(snap_compare, seed_case):
    assert snap_compare(browser(seed_case, palette="ansi"), terminal_size=(80, 24),
                        run_before=steps("4", "j"))


# Issue 16: every size the issue names (80x24, 60x20, 160x48), each in NO_COLOR
# and in 16 colours. "none" is what NO_COLOR gives (tui.terminal.palette_for),
# "ansi" what TERM=screen or xterm gives: the terminal's own 16 colours.
ALL_SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20"),
             pytest.param((160, 48), id="160x48")]
MODES = [pytest.param("none", id="no_color"), pytest.param("ansi", id="16_colours")]


def in_mode(seed_case, palette, monkeypatch):
    if palette == "none":
        monkeypatch.setenv("NO_COLOR", "1")   # read by Textual when the app is made
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return browser(seed_case, palette=palette)


@pytest.mark.parametrize("palette", MODES)
@pytest.mark.parametrize("size", ALL_SIZES)
def test_browser_in_mode(snap_compare, seed_case, monkeypatch, size, palette):
    assert snap_compare(in_mode(seed_case, palette, monkeypatch), terminal_size=size,
                        run_before=steps("j", "j"))


@pytest.mark.parametrize("palette", MODES)
@pytest.mark.parametrize("size", ALL_SIZES)
def test_help_in_mode(snap_compare, seed_case, monkeypatch, size, palette):
    assert snap_compare(in_mode(seed_case, palette, monkeypatch), terminal_size=size,
                        run_before=steps("question_mark"))


@pytest.mark.parametrize("palette", MODES)
@pytest.mark.parametrize("size", ALL_SIZES)
def test_search_in_mode(snap_compare, seed_case, monkeypatch, size, palette):
    assert snap_compare(in_mode(seed_case, palette, monkeypatch), terminal_size=size,
                        run_before=steps("slash", *"Uhrik", "down"))


@pytest.mark.parametrize("palette", MODES)
@pytest.mark.parametrize("size", ALL_SIZES)
def test_claim_detail_in_mode(snap_compare, seed_case_copy, monkeypatch, size, palette):
    # A file open for writing: the claim's key bar (c d x … u undo, v queue) shows whole.
    with db.open_case(seed_case_copy) as case:
        app = in_mode(case, palette, monkeypatch)
        app.POLL_SECONDS = 3600       # nothing changes behind the picture
        assert snap_compare(app, terminal_size=size, run_before=steps("4", "j", "tab"))
