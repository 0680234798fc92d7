"""Keys: ? lists every one, q quits, the palette lists case commands, the
footer shows the keys where the focus is, and the marking keys are the app's."""

from __future__ import annotations

from conftest import browser, press, screen_text, settle
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Footer

from tui.app import CasebookApp
from tui.screens.help import HelpScreen, key_name
from tui.screens.search import SearchScreen
from tui.widgets.detail import DetailView
from tui.widgets.paged_list import PagedList

BINDING_OWNERS = (CasebookApp, PagedList, DetailView, SearchScreen)
CLAIM_MARKING_KEYS = {"c", "d", "x", "U", "u", "m", "z"}   # issues 4, 16 mark claims with these


def bound_keys(owner) -> set[str]:
    return {key.strip() for binding in owner.BINDINGS if isinstance(binding, Binding)
            for key in binding.key.split(",")}


async def test_question_mark_lists_every_key(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for owner in BINDING_OWNERS:
            for key in bound_keys(owner) - {"ctrl+q", "ctrl+c"}:
                assert key_name(key) in text, (owner.__name__, key)
        for section in ("Anywhere", "In a list", "In a detail", "In search"):
            assert section in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark", "question_mark")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


async def test_the_palette_lists_case_commands(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Show Entities", "Show Events", "Show Excerpts", "Show Claims",
                      "Search", "Back", "Forward", "Keys"):
            assert title in titles
        assert titles.count("Keys") == 1
        await press(pilot, "colon")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"show claims")
        await settle(pilot)
        await press(pilot, "enter")
        assert app.active_kind == "claim"
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"search")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, SearchScreen)


async def test_the_footer_shows_the_keys_of_the_focused_part(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one(Footer)
        footer = screen_text(app).splitlines()[-1]
        for label in ("Open", "Search", "Back", "Keys", "Quit", "1-4"):
            assert label in footer, label
        await press(pilot, "tab")
        footer = screen_text(app).splitlines()[-1]
        assert "Follow" in footer and "Open" not in footer


async def test_claim_marking_keys_belong_to_the_app_alone(seed_case):
    # c d x u n z mark claims wherever one is shown: no list, detail or search takes them.
    assert CLAIM_MARKING_KEYS <= bound_keys(CasebookApp)
    for owner in BINDING_OWNERS[1:]:
        assert not bound_keys(owner) & CLAIM_MARKING_KEYS, owner.__name__
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *sorted(CLAIM_MARKING_KEYS))   # in search they are text
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_text == "".join(sorted(CLAIM_MARKING_KEYS))


def readme_keys(*, browser_table_only: bool = False) -> set[str]:
    """The keys README's key tables name (the first column's `…` spans)."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "README.md").read_text()
    keys: set[str] = set()
    for start in [m.start() for m in re.finditer(r"^\| Key \|", text, re.MULTILINE)]:
        table = text[start:text.index("\n\n", start)]
        for line in table.splitlines()[2:]:
            keys |= {key for span in re.findall(r"`([^`]+)`", line.split("|")[1])
                     for key in span.split()}
        if browser_table_only:
            break
    return keys


def is_key(token: str) -> bool:
    """A key's name, not a word around it ("a letter", "at the end")."""
    named = {"Esc", "Enter", "Tab", "Shift+Tab", "Space", "Backspace", "PgUp", "PgDn", "Home",
             "End"}
    return (token in named or token.startswith("Ctrl+")
            or (len(token) == 1 and (token.isascii() and token.isprintable() or token in "←→↑↓")))


async def test_the_readme_keys_tables_and_the_help_screen_name_the_same_keys(seed_case):
    # Issue 16: one keymap, written down in README and ?, held equal here.
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        helped = {token for _, rows in app.key_sections() for keys, _ in rows
                  for token in keys.split() if is_key(token)}
    assert helped - readme_keys() == set(), "keys ? shows that README's tables do not"
    assert readme_keys(browser_table_only=True) - helped == set(), "README keys ? does not show"
