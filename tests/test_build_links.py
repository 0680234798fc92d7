"""Linking an entity the case has to an excerpt (``l``, type to search),
unlinking one (``L``), and citing an excerpt for a claim or an event the
case has (``i``) — from the Excerpts pane or an excerpt link in a detail."""

from __future__ import annotations

from build_flow import (  # noqa: F401
    browsing,
    choose_words,
    excerpt_with,
    on_excerpt,
    press,
    type_text,
)
from conftest import browser, settle

import db
import db.building
import db.claims
import db.entities
import db.events
from db.claims import claim_evidence
from db.entities import excerpt_entities
from db.events import event_evidence
from tui.screens.pickers import CiteScreen, LinkScreen, UnlinkScreen
from tui.widgets.detail import Link


async def test_link_an_entity_by_typing_then_unlink_it(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    kirill = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov",
                                    aliases=["Logvinov"])
    db.entities.add_entity(observer_case, kind="place", name="Regentlaan")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        detail = app.pane("excerpt").detail
        await press(pilot, "tab", "pagedown")                     # reading on in the detail
        top = detail.scroll_offset.y
        assert top > 0
        await press(pilot, "l")
        assert isinstance(app.screen, LinkScreen)
        await type_text(pilot, "kiri")                            # folds case
        assert "Kirill Logvinov" in app.screen.results.text
        assert "Regentlaan" not in app.screen.results.text
        await press(pilot, "enter")
        assert not isinstance(app.screen, LinkScreen)
        assert [e.id for e in excerpt_entities(observer_case, paragraph.id)] == [kirill.id]
        # The app stays on the excerpt, whose detail now lists the entity.
        assert app.active_kind == "excerpt"
        assert app.pane("excerpt").paged_list.cursor_item_id == paragraph.id
        assert "Kirill Logvinov" in detail.text
        # Read again in place; the new link under the cursor, scrolled into view.
        assert detail.has_focus and detail.link == Link("entity", kirill.id)
        assert 0 < detail.scroll_offset.y <= top

        # Linking it again is refused with a reason; nothing changes.
        await press(pilot, "l")
        await type_text(pilot, "logvinov")
        await press(pilot, "enter")
        assert isinstance(app.screen, LinkScreen)
        assert "already mentions Kirill Logvinov" in str(app.screen.query_one("#form-status").render())
        await press(pilot, "escape")

        await press(pilot, "L")
        assert isinstance(app.screen, UnlinkScreen)
        assert "Kirill Logvinov" in app.screen.results.text
        await press(pilot, "enter")
        assert excerpt_entities(observer_case, paragraph.id) == []
        assert "Kirill Logvinov" not in app.pane("excerpt").detail.text


async def test_unlink_says_when_there_is_nothing_to_unlink(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "L", "enter")
        assert isinstance(app.screen, UnlinkScreen)
        assert "mentions no entity" in app.screen.results.text
        assert "Nothing chosen" in str(app.screen.query_one("#form-status").render())


async def test_cite_an_excerpt_for_a_claim_and_a_span_for_an_event(observer_case):
    first = excerpt_with(observer_case, "suspects Kirill Logvinov")
    other = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    claim = db.claims.add_claim(observer_case, statement="Logvinov works for Russian intelligence",
                                evidence=[(first.id, "supports")])
    event = db.events.add_event(observer_case, title="Russian diplomats barred from Parliament",
                                date_start="2022-03", date_precision="month")
    async with browsing(observer_case, other.id) as (app, pilot):
        await press(pilot, "i")
        assert isinstance(app.screen, CiteScreen)
        await type_text(pilot, "intelligence")
        await press(pilot, "tab", "c", "c")                      # stance: context, contradicts
        await press(pilot, "shift+tab", "enter")
        assert app.active_kind == "claim"                       # shows the claim cited for
        assert app.pane("claim").paged_list.cursor_item_id == claim.id
        assert "contradicts · " in app.pane("claim").detail.text
        await press(pilot, "b")
        assert app.active_kind == "excerpt"

        await press(pilot, "s")
        await choose_words(pilot, other.text, "the Russian diplomat is visibly active these days")
        await press(pilot, "i")
        await type_text(pilot, "barred")
        assert "Events (1)" in app.screen.results.text
        await press(pilot, "enter")
        assert app.active_kind == "event"
    stances = {(e.excerpt.id, e.stance) for e in claim_evidence(observer_case, claim.id)}
    assert stances == {(first.id, "supports"), (other.id, "contradicts")}
    (evidence,) = event_evidence(observer_case, event.id)
    assert evidence.excerpt.text == "the Russian diplomat is visibly active these days"


async def test_an_excerpt_link_in_a_detail_is_an_excerpt_to_build_from(observer_case):
    paragraph = excerpt_with(observer_case, "suspects Kirill Logvinov")
    kirill = db.building.entity_from_excerpt(observer_case, paragraph.id, kind="person",
                                             name="Kirill Logvinov")
    vsse = db.entities.add_entity(observer_case, kind="organization", name="VSSE")
    app = browser(observer_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.pane("entity").reveal(kirill.id)
        await settle(pilot)
        detail = app.pane("entity").detail
        # On the entity's list the keys are not for building: the footer leaves them out.
        assert not app.building.excerpt_is_current()
        await press(pilot, "enter")                             # into the detail
        assert detail.has_focus and detail.link.kind == "excerpt"
        assert app.building.excerpt_is_current()
        await press(pilot, "l")
        await type_text(pilot, "vsse")
        await press(pilot, "enter")
    assert vsse.id in {e.id for e in excerpt_entities(observer_case, detail.links[0].id)}


async def test_enter_on_the_stance_cites_the_chosen_result_or_says_what_is_missing(observer_case):
    # Issue 16.13: Enter on the Stance did nothing, with no message; c chose contradicts.
    first = excerpt_with(observer_case, "suspects Kirill Logvinov")
    other = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    claim = db.claims.add_claim(observer_case, statement="Logvinov works for Russian intelligence",
                                evidence=[(first.id, "supports")])
    async with browsing(observer_case, other.id) as (app, pilot):
        await press(pilot, "i", "tab", "enter")                 # nothing typed, nothing chosen
        screen = app.screen
        assert isinstance(screen, CiteScreen)
        assert "Nothing chosen" in str(screen.query_one("#form-status").render())
        await press(pilot, "c")
        assert screen.query_one("#stance").value == "context"
        await press(pilot, "shift+tab")
        await type_text(pilot, "intelligence")
        await press(pilot, "tab", "enter")                      # Enter on the Stance: cites
        assert app.active_kind == "claim"
    stances = {(e.excerpt.id, e.stance) for e in claim_evidence(observer_case, claim.id)}
    assert stances == {(first.id, "supports"), (other.id, "context")}
