"""From an excerpt, a new relationship (``R``): two of the entities the
excerpt mentions, the type, a role and the stance of this evidence. It starts
unreviewed, with the excerpt as its evidence."""

from __future__ import annotations

from build_flow import browsing, choose_words, excerpt_with, press, span_menu, type_text

import db
import db.building
import db.entities
from db.relationships import relationship_evidence, relationships_page
from tui.screens.build_forms import RelationshipForm


async def test_a_relationship_between_two_entities_the_excerpt_mentions(observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    austrevicius = db.entities.add_entity(observer_case, kind="person", name="Petras Auštrevičius")
    parliament = db.entities.add_entity(observer_case, kind="organization",
                                        name="European Parliament")
    for entity in (austrevicius, parliament):
        db.building.link_entity(observer_case, paragraph.id, entity.id)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "R")
        form = app.screen
        assert isinstance(form, RelationshipForm)
        assert set(form.ends.values()) == {austrevicius.id, parliament.id}
        subject = form.choice("subject")
        await press(pilot, "tab", "o", "o")                      # the last type: other,
        assert form.choice("type") == "other"                    # shown though the row is
        assert "‹other›" in str(form.query_one("#type").render())  # wider than 80 columns
        await press(pilot, "e")                                  # type: employed by
        assert form.choice("type") == "employed by"
        await press(pilot, "tab")
        assert form.choice("object") != subject
        await press(pilot, "left")                               # the same as the subject:
        await press(pilot, "enter")                              # refused, nothing written
        assert isinstance(app.screen, RelationshipForm)
        assert "two different entities" in str(form.query_one("#object-error").render())
        await press(pilot, "right", "tab")
        await type_text(pilot, "MEP")
        await press(pilot, "tab", "c")                           # stance: context
        assert form.choice("stance") == "context"
        await press(pilot, "enter")
        assert not isinstance(app.screen, RelationshipForm)
        assert any("New relationship (unreviewed)" in str(n.message) for n in app._notifications)

    (made,) = relationships_page(observer_case)
    assert made.subject_entity_id == form.ends[subject]
    assert {made.subject_entity_id, made.object_entity_id} == {austrevicius.id, parliament.id}
    assert (made.type, made.role, made.status) == ("employed_by", "MEP", "unreviewed")
    (evidence,) = relationship_evidence(observer_case, made.id)
    assert (evidence.excerpt.id, evidence.stance) == (paragraph.id, "context")


async def test_r_on_an_excerpt_with_one_entity_says_link_another_first(observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    only = db.entities.add_entity(observer_case, kind="person", name="Petras Auštrevičius")
    db.building.link_entity(observer_case, paragraph.id, only.id)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "R", "enter")
        form = app.screen
        assert isinstance(form, RelationshipForm)
        assert "fewer than two entities" in str(form.query_one("#subject-error").render())
    assert relationships_page(observer_case) == []


async def test_r_in_the_span_picker_cites_the_chosen_words_with_the_entities_they_name_first(
        observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    quote = ("Petras Auštrevičius, a Lithuanian MEP, told the reporters that the Russian "
             "diplomat is visibly active these days. The Slovak MEP Milan Uhrík")
    austrevicius = db.entities.add_entity(observer_case, kind="person", name="Petras Auštrevičius")
    uhrik = db.entities.add_entity(observer_case, kind="person", name="Milan Uhrík")
    # Mentioned, first by name, but not in the chosen words: offered after the two they name.
    parliament = db.entities.add_entity(observer_case, kind="organization",
                                        name="European Parliament")
    for entity in (austrevicius, uhrik, parliament):
        db.building.link_entity(observer_case, paragraph.id, entity.id)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "s")
        await choose_words(pilot, paragraph.text, quote)
        span = app.screen.picker.span
        await press(pilot, "R")
        form = app.screen
        assert isinstance(form, RelationshipForm)
        assert form.span == span
        assert "Evidence (the chosen words)" in str(form.query_one(".evidence").render())
        assert list(form.ends.values()) == [uhrik.id, austrevicius.id, parliament.id]
        assert (form.choice("subject"), form.choice("object")) == ("Milan Uhrík",
                                                                   "Petras Auštrevičius")
        await press(pilot, "tab", "a")                           # type: associate
        assert form.choice("type") == "associate"
        await press(pilot, "enter")
        assert not isinstance(app.screen, RelationshipForm)

    (made,) = relationships_page(observer_case)
    assert (made.subject_entity_id, made.object_entity_id, made.type) == (
        uhrik.id, austrevicius.id, "associate")
    (evidence,) = relationship_evidence(observer_case, made.id)
    assert evidence.excerpt.id != paragraph.id                   # a quote of the chosen words,
    assert evidence.excerpt.text == quote                        # cited as the claim form does
    assert evidence.stance == "supports"


async def test_the_span_menu_offers_a_relationship_too(observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await span_menu(pilot, paragraph.text, "Milan Uhrík")
        await press(pilot, "R")
        assert isinstance(app.screen, RelationshipForm)
        assert app.screen.span is not None
