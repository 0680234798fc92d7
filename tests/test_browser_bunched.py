"""Keys that arrive together never crash and go where they were typed (issue
16 points 4 and 5, issue 17 point 6): Enter Enter and Esc Esc on every
screen and dialog, tmux's Esc+key as Esc then the key in every text box, a
name typed in one write into a form's entity list, a paste there."""

from __future__ import annotations

import pytest
from build_flow import (  # noqa: F401
    browsing,
    excerpt_with,
    press,
    type_text,
)
from conftest import PtyApp, browser, bunched, screen_text, settle
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

import db
import db.claims
import db.entities
from db.claims import claim_history
from db.review import queue_page
from tui.screens.agreement import AgreementScreen
from tui.screens.build_forms import ClaimForm, EntityForm, EventForm
from tui.screens.help import HelpScreen
from tui.screens.mark_dialogs import NoteScreen
from tui.screens.pickers import CiteScreen, EntityPicker, LinkScreen, UnlinkScreen
from tui.screens.search import SearchScreen
from tui.screens.span import SpanMenu, SpanScreen
from tui.widgets.checklist import EntityChecklist
from tui.widgets.key_gate import AltAwareParser, split_alt

PAIRS = [("enter", "enter"), ("escape", "escape"), ("enter", "escape"), ("escape", "enter")]


def crashed(app) -> bool:
    return app._exception is not None or not app.is_running


async def test_search_takes_a_query_typed_in_one_write_and_a_double_enter(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await bunched(pilot, "slash", *"Logvinov")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == "Logvinov"   # nothing went to the panes
        assert app.active_kind == "entity"
        await bunched(pilot, "enter", "enter")
        assert not crashed(app)
        assert not isinstance(app.screen, SearchScreen)
        assert "Logvinov" in app.active_pane.detail.text
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert not crashed(app)


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
@pytest.mark.parametrize("opener", ["slash", "question_mark", "colon", "A", "m"])
async def test_a_pair_of_keys_in_one_read_never_crashes_a_dialog(seed_case_copy, opener, pair):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            if opener == "m":
                await bunched(pilot, "m", *"checked")
                assert isinstance(app.screen, NoteScreen)
                assert app.screen.query_one(Input).value == "checked"
            else:
                await press(pilot, opener)
                kinds = {"slash": SearchScreen, "question_mark": HelpScreen,
                         "colon": CommandPalette, "A": AgreementScreen}
                assert isinstance(app.screen, kinds[opener])
            await bunched(pilot, *pair)
            assert not crashed(app)
            await pilot.press(*pair)           # and as Pilot presses two keys in one call
            await settle(pilot)
            assert not crashed(app)
            # Back on the browser's own screen, whatever the pair did.
            while app.screen is not app.screen_stack[0]:
                await bunched(pilot, "escape")
            assert not crashed(app)


async def test_a_double_enter_in_the_note_box_saves_one_note(seed_case_copy):
    with db.open_case(seed_case_copy) as case:
        first = queue_page(case, "unreviewed", offset=0, limit=1)[0].id
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            await bunched(pilot, "m", *"once", "enter", "enter")
            assert not crashed(app)
            assert [(m.kind, m.note) for m in claim_history(case, first)] == [("note", "once")]


@pytest.mark.parametrize("opener, screen_class", [
    ("s", SpanScreen), ("e", EntityForm), ("t", EventForm), ("a", ClaimForm),
    ("l", LinkScreen), ("L", UnlinkScreen), ("i", CiteScreen),
])
@pytest.mark.parametrize("pair", [("enter", "enter"), ("escape", "escape")], ids="-".join)
async def test_a_pair_of_keys_never_crashes_a_build_screen(observer_case, opener, screen_class,
                                                           pair):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    kirill = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov")
    db.entities.link_excerpt_entity(observer_case, paragraph.id, kirill.id)
    db.claims.add_claim(observer_case, statement="Logvinov hosts dinners.")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, opener)
        assert isinstance(app.screen, screen_class)
        await bunched(pilot, *pair)
        assert not crashed(app)
        await pilot.press(*pair)
        await settle(pilot)
        assert not crashed(app)
        while app.screen is not app.screen_stack[0]:
            await bunched(pilot, "escape")
        assert not crashed(app)


async def test_the_span_menu_takes_a_double_enter(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "s")
        await bunched(pilot, "enter")
        assert isinstance(app.screen, SpanMenu)
        await bunched(pilot, "enter", "enter")
        assert not crashed(app)


async def test_alt_keys_from_tmux_are_esc_then_the_key_in_the_search_box(seed_case):
    # Issue 16.4: / Esc j in tmux arrives as "/" then alt+j; Esc 2 as "™".
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.active_pane.paged_list.cursor_item_id
        await press(pilot, "slash")
        app.post_message(events.Key("alt+j", "j"))
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)        # Esc closed it...
        assert app.last_query == ""                             # ...with nothing typed
        assert app.active_pane.paged_list.cursor_item_id != first   # and j moved down
        await press(pilot, "slash")
        app.post_message(events.Key("trade_mark_sign", "™"))   # Esc 2
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.last_query == ""
        assert app.active_kind == "event"


async def test_alt_keys_are_esc_then_the_key_in_the_note_box_and_forms(seed_case_copy,
                                                                      observer_case):
    with db.open_case(seed_case_copy) as case:
        first = queue_page(case, "unreviewed", offset=0, limit=1)[0].id
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            await bunched(pilot, "m", *"half")
            app.post_message(events.Key("alt+c", "c"))         # Esc c: cancel, then confirm
            await settle(pilot)
            assert not isinstance(app.screen, NoteScreen)
            assert [(m.kind, m.status) for m in claim_history(case, first)] == \
                [("mark", "confirmed")]
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EntityForm)
        name = form.text("name")
        app.post_message(events.Key("alt+shift+q", "Q"))       # Esc Q: cancel, then nothing typed
        await settle(pilot)
        assert not isinstance(app.screen, EntityForm)
        assert "Q" not in name
        assert db.counts(observer_case).entities == 0


async def test_esc_then_a_sign_is_esc_then_the_sign_in_the_search_box_and_forms(observer_case):
    # Textual reads tmux's "\x1b/" as a bare "/": the browser's parser keeps the Esc.
    parser = AltAwareParser(debug=False)
    keys = [*parser.feed("\x1b/"), *parser.feed("")]
    assert [(key.key, key.character) for key in keys] == [("alt+slash", "/")]
    assert [key.key for key in split_alt(keys[0])] == ["escape", "slash"]
    for sent, read in [("\x1bb", ["alt+b"]), ("\x1b-", ["alt+minus"]),
                       ("\x1b\r", ["escape", "enter"]), ("\x1b[A", ["up"])]:
        parser = AltAwareParser(debug=False)
        assert [key.key for key in [*parser.feed(sent), *parser.feed("")]] == read, sent
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "Logvinov")
        app.post_message(events.Key("alt+slash", "/"))          # Esc /: close, search anew
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == "Logvinov"   # the last query, not "Logvinov/"
        await press(pilot, "escape")
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EntityForm)
        app.post_message(events.Key("alt+question_mark", "?"))  # Esc ?: cancel, then the keys
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert not any(isinstance(screen, EntityForm) for screen in app.screen_stack)
        assert db.counts(observer_case).entities == 0          # cancelled, nothing saved


async def test_a_name_typed_in_one_write_opens_one_picker_with_the_name(observer_case):
    # Issue 16.5: "nowak" in one write into the entity list opened five pickers.
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "a")
        form = app.screen
        assert isinstance(form, ClaimForm)
        form.query_one(EntityChecklist).focus()
        await settle(pilot)
        await bunched(pilot, *"nowak")
        assert isinstance(app.screen, EntityPicker)
        assert sum(isinstance(screen, EntityPicker) for screen in app.screen_stack) == 1
        assert app.screen.query_one(Input).value == "nowak"
        await bunched(pilot, "escape", "escape")     # closes the picker, then the form
        assert not crashed(app)
        assert app.screen is app.screen_stack[0]


async def test_a_paste_into_the_entity_list_goes_into_its_picker(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "a")
        form = app.screen
        form.query_one(EntityChecklist).focus()
        await settle(pilot)
        app.post_message(events.Paste("Jan Nowak\nsecond line"))
        await settle(pilot)
        assert isinstance(app.screen, EntityPicker)
        assert app.screen.query_one(Input).value == "Jan Nowak"
        assert "Jan Nowak" in screen_text(app)


def test_in_a_terminal_esc_j_and_a_double_enter_in_one_write(seed_case_file):
    # As tmux sends them: Esc+j in one write within its escape-time, Enter Enter in one read.
    app = PtyApp("open", seed_case_file)
    try:
        app.wait_for("Entities")
        app.send("/", until="Esc close")            # the search box's hint
        app.write(b"\x1bj")
        # Esc closed the search, j typed nothing
        app.wait_until(lambda: "Esc close" not in app.text, "the search box closed")
        app.write(b"/Logvinov")
        app.wait_for("Kirill Logvinov")
        app.write(b"\r\r")
        app.wait_until(lambda: "Esc close" not in app.text, "the search closed by Enter")
        app.settle()                                # and the second Enter handled
        assert app.alive() and "Traceback" not in app.text and "ScreenStackError" not in app.text
    finally:
        assert app.close() == 0
