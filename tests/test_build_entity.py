"""From an excerpt of a document just added, a new entity: ``e`` (the whole
excerpt) or ``s`` then ``e`` (the chosen words prefill its name). Its
mentions elsewhere are linked; the app shows it, and Back returns."""

from __future__ import annotations

from build_flow import (  # noqa: F401
    browsing,
    choose_words,
    excerpt_with,
    on_excerpt,
    press,
    type_text,
)
from conftest import settle
from textual import events

import db
import db.entities
from db.entities import entity_excerpts, excerpt_entities
from tui.screens.build_forms import EntityForm
from tui.screens.span import SpanScreen


async def test_an_entity_from_chosen_words_is_linked_wherever_it_is_named(observer_case):
    paragraph = excerpt_with(observer_case, "suspects Kirill Logvinov")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, SpanScreen)
        await choose_words(pilot, paragraph.text, "Kirill Logvinov")
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EntityForm)
        assert form.text("name") == "Kirill Logvinov"          # prefilled from the span
        await press(pilot, "tab", "p")                         # kind: person
        assert form.choice("kind") == "person"
        await press(pilot, "tab")
        await type_text(pilot, "Kirilas Logvinovas, Logvinovom")
        await press(pilot, "tab")
        await type_text(pilot, "Head of mission")
        await press(pilot, "enter")
        assert not isinstance(app.screen, EntityForm)

        entity = next(e for e in db.entities.entities_page(observer_case, offset=0, limit=10)
                      if e.name == "Kirill Logvinov")
        assert entity.kind == "person"
        assert entity.aliases == ("Kirilas Logvinovas", "Logvinovom")
        assert entity.description == "Head of mission"
        linked = {x.id for x in entity_excerpts(observer_case, entity.id, limit=100)}
        # This excerpt, and the others naming him in English, Lithuanian, Slovak and Czech.
        assert paragraph.id in linked and len(linked) >= 4
        for fragment in ("Kirilas Logvinovas", "s Logvinovom", "EU Kirill Logvinov"):
            assert excerpt_with(observer_case, fragment).id in linked, fragment

        # The app follows to the new entity, counts it, and Back returns to the excerpt.
        assert app.active_kind == "entity"
        assert app.pane("entity").paged_list.cursor_item_id == entity.id
        assert "Kirill Logvinov" in app.pane("entity").detail.text
        assert app.pane("entity").paged_list.total == 1
        assert "1 Entities 1" in app.query_one("#pane-bar").render().plain
        await press(pilot, "b")
        assert app.active_kind == "excerpt"
        assert app.pane("excerpt").paged_list.cursor_item_id == paragraph.id
        assert "Kirill Logvinov" in app.pane("excerpt").detail.text   # under Mentions


async def test_an_entity_from_the_whole_excerpt_and_here_only(observer_case):
    paragraph = excerpt_with(observer_case, "carried out by VSquare")
    async with browsing(observer_case, paragraph.id, (160, 48)) as (app, pilot):
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EntityForm)
        assert form.text("name") == ""                          # no span: nothing to prefill
        await type_text(pilot, "VSquare")
        await press(pilot, "tab", "o")                          # organization
        await press(pilot, "tab", "tab", "tab", "right")        # link mentions: here only
        assert form.choice("elsewhere") == "here only"
        await press(pilot, "enter")
        entity = db.entities.entities_page(observer_case, offset=0, limit=10)[0]
        assert (entity.name, entity.kind) == ("VSquare", "organization")
        # Other excerpts name VSquare, but only this one was linked.
        assert [x.id for x in entity_excerpts(observer_case, entity.id)] == [paragraph.id]


async def test_a_name_is_needed_and_nothing_is_written_until_there_is_one(observer_case):
    paragraph = excerpt_with(observer_case, "carried out by VSquare")
    before = db.counts(observer_case)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e", "space", "enter")
        form = app.screen
        assert isinstance(form, EntityForm)
        error = form.query_one("#name-error")
        assert error.display and "an entity needs a name" in str(error.render())
        assert form.query_one("#name").has_focus
        assert db.counts(observer_case) == before
        await press(pilot, "escape")                            # cancel: the case is unchanged
        assert not isinstance(app.screen, EntityForm)
        assert app.active_kind == "excerpt"
    assert db.counts(observer_case) == before
    assert excerpt_entities(observer_case, paragraph.id) == []


async def test_what_is_typed_is_stored_as_typed_nfc_and_shown_as_text(observer_case):
    paragraph = excerpt_with(observer_case, "carried out by VSquare")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e")
        # "Uhrík" with a combining accent (a paste: Pilot cannot type one), and
        # markup that must stay text.
        await type_text(pilot, "Uhri")
        app.screen.focused.post_message(events.Paste("\u0301k [bold]x[/] [@click=app.quit]"))
        await settle(pilot)
        await press(pilot, "enter")
        assert app.is_running
        entity = db.entities.entities_page(observer_case, offset=0, limit=10)[0]
        assert entity.name == "Uhrík [bold]x[/] [@click=app.quit]"      # NFC: one í
        assert "Uhrík [bold]x[/] [@click=app.quit]" in app.pane("entity").detail.text


async def test_a_paste_keeps_its_text_but_not_terminal_controls(observer_case):
    paragraph = excerpt_with(observer_case, "carried out by VSquare")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e")
        pasted = "\n  Dossier\x1b]52;c;eA==\x07 Center\u202e\nsecond line"
        app.screen.focused.post_message(events.Paste(pasted))
        await settle(pilot)
        assert app.screen.text("name") == "Dossier]52;c;eA== Center"
        await press(pilot, "enter")
    assert db.entities.entities_page(observer_case, offset=0, limit=10)[0].name == "Dossier]52;c;eA== Center"


async def test_a_name_the_case_has_is_pointed_out_and_saved_only_on_a_second_enter(observer_case):
    paragraph = excerpt_with(observer_case, "suspects Kirill Logvinov")
    known = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov",
                                   aliases=["Kirilas Logvinovas"])
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e")
        form = app.screen
        await type_text(pilot, "kirilas logvinovas")              # an alias, typed in lower case
        note = form.query_one("#name-note")
        assert note.display and "the case has Kirill Logvinov (person)" in str(note.render())
        await press(pilot, "enter")
        assert app.screen is form
        assert "Enter again makes another one" in str(form.query_one("#form-status").render())
        assert db.counts(observer_case).entities == 1
        await press(pilot, "backspace")                           # another name: no note
        assert not note.display
        await type_text(pilot, "s")
        await press(pilot, "enter", "enter")
        assert not isinstance(app.screen, EntityForm)
    assert db.counts(observer_case).entities == 2
    assert known.id in {e.id for e in db.entities.entities_page(observer_case, offset=0, limit=10)}
