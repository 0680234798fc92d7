"""The build keys: where they apply, what they say on a read-only case, and
that they leave the claims' keys (c d x u m z) free."""

from __future__ import annotations

import pytest
from build_flow import press
from conftest import PtyApp, browser, screen_text, settle

import db
from tui.parts.building import BUILD_BINDINGS
from tui.screens.build_forms import FORMS
from tui.screens.help import HelpScreen
from tui.screens.pickers import PICKERS
from tui.screens.span import SpanScreen

BUILD_KEYS = ["s", "e", "t", "a", "l", "L", "i", "R"]
CLAIM_KEYS = {"c", "d", "x", "U", "u", "m", "z"}


def test_the_build_keys_leave_the_claims_keys_free():
    keys = {key for binding in BUILD_BINDINGS for key in binding.key.split(",")}
    assert keys == set(BUILD_KEYS)
    assert not keys & CLAIM_KEYS


@pytest.mark.parametrize("key", BUILD_KEYS)
async def test_on_a_read_only_case_each_key_says_why_it_does_nothing(seed_case, key):
    before = db.counts(seed_case)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await press(pilot, key)
        assert app.screen is app.screen_stack[0]               # nothing opened
        (notice,) = app._notifications
        assert notice.message.startswith("Read-only: it was opened read-only, so ")
        assert "cannot be saved" in notice.message
    assert db.counts(seed_case) == before


def test_a_file_that_cannot_be_written_says_so(seed_case_copy):
    seed_case_copy.chmod(0o444)
    app = PtyApp("open", seed_case_copy, as_unprivileged=True)
    try:
        app.wait_for("READ-ONLY")
        app.send("3", until="Excerpt ·")  # an excerpt's detail
        app.send("e", until="Read-only: you do not")     # the reason, in a toast
        assert "permission" in app.text and "New entity" not in app.text
    finally:
        app.close()
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert db.counts(case).entities == 88


async def test_the_keys_apply_where_an_excerpt_is_current(seed_case_copy):
    with db.open_case(seed_case_copy) as case:
        before = db.counts(case)
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            footer = screen_text(app).splitlines()[-1]
            assert "Span" not in footer                        # Entities: nothing to build from
            await press(pilot, "e")   # on an entity, e edits it (tests/test_browser_curation.py)
            assert type(app.screen).__name__ == "EditScreen" and not app._notifications
            await press(pilot, "escape")
            assert app.screen is app.screen_stack[0]
            await press(pilot, "3")
            assert "s Span" in screen_text(app).splitlines()[-1]
            assert "Build: s words · e entity" in app.pane("excerpt").detail.text
            for key, screen in [("s", SpanScreen), ("e", FORMS["entity"]), ("t", FORMS["event"]),
                                ("a", FORMS["claim"]), ("l", PICKERS["link"]),
                                ("L", PICKERS["unlink"]), ("i", PICKERS["cite"])]:
                await press(pilot, key)
                assert isinstance(app.screen, screen), key
                await press(pilot, "escape")
                assert app.screen is app.screen_stack[0], key
        assert db.counts(case) == before                       # Esc wrote nothing


async def test_the_palette_and_the_keys_list_name_every_build_key(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(100, 80)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Excerpt: Span", "Excerpt: Entity", "Excerpt: Event", "Excerpt: Claim",
                      "Excerpt: Link", "Excerpt: Unlink", "Excerpt: Cite", "Excerpt: Relationship"):
            assert title in titles
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for heading in ("On an excerpt", "Choosing words (s)", "In a form or a picker"):
            assert heading in text
        for binding in BUILD_BINDINGS:
            assert binding.tooltip in text
