"""The browser: an entity's detail lists its relationships grouped by type,
each a link that Enter follows to the entity at the other end."""

from __future__ import annotations

import pytest
from conftest import browser, press, settle

from db.entities import entities_page
from db.relationships import entity_ties

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def entity_named(case, name):
    return next(e for e in entities_page(case, offset=0, limit=1000) if e.name == name)


async def test_an_entitys_relationships_are_links_to_the_other_end(seed_case):
    nedyak = entity_named(seed_case, "Arseniy Nedyak")
    svr = entity_named(seed_case, "Russian Foreign Intelligence Service (SVR)")
    ties = entity_ties(seed_case, nedyak.id)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.pane("entity").reveal(nedyak.id)
        await settle(pilot)
        detail = app.pane("entity").detail
        text = detail.text
        assert f"Relationships ({len(ties)})" in text
        # grouped by type, in the order of the types' words
        assert text.index("directs") < text.index("employed by") < text.index("member of")
        assert "lieutenant colonel" in text and "Russia Today" in text
        link = next(link for link in detail.links if link.kind == "entity" and link.id == svr.id)
        assert detail.select_link(link)
        detail.focus()
        await press(pilot, "enter")
        assert app.pane("entity").paged_list.cursor_item_id == svr.id
        # from the other end the tie reads backwards, and links back
        back = app.pane("entity").detail
        assert "← member of" in back.text
        assert any(link.kind == "entity" and link.id == nedyak.id for link in back.links)
        await press(pilot, "backspace")
        assert app.pane("entity").paged_list.cursor_item_id == nedyak.id


async def test_an_entity_without_relationships_shows_no_section(seed_case):
    lonely = next(e for e in entities_page(seed_case, offset=0, limit=1000)
                  if not entity_ties(seed_case, e.id))
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.pane("entity").reveal(lonely.id)
        await settle(pilot)
        assert "Relationships (" not in app.pane("entity").detail.text


@pytest.mark.parametrize("size", SIZES)
def test_relationships_in_the_entity_detail(snap_compare, seed_case, size):
    logvinov = entity_named(seed_case, "Kirill Logvinov")

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.pane("entity").reveal(logvinov.id)
        await settle(pilot)
        detail = pilot.app.pane("entity").detail
        first = next(link for link in detail.links if link.kind == "entity")
        detail.select_link(first)
        detail.focus()
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)


# -- the network view (w) -------------------------------------------------------------


async def open_network(pilot, app, entity_id):
    app.pane("entity").reveal(entity_id)
    await settle(pilot)
    await press(pilot, "w")
    await settle(pilot)
    return app.screen


async def test_the_network_is_an_outline_of_links_to_a_depth(seed_case):
    from tui.screens.network import NetworkScreen

    logvinov = entity_named(seed_case, "Kirill Logvinov")
    mission = entity_named(seed_case, "Russian Permanent Mission to the EU")
    vishnyakov = entity_named(seed_case, "Dmitry Vishnyakov")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_network(pilot, app, logvinov.id)
        assert isinstance(screen, NetworkScreen)
        view = screen.query_one("#network-view")
        one = view.text
        assert "Depth 1 · every tie · 10 entities reached" in one
        assert "Vishnyakov" not in one                     # two steps away
        await press(pilot, "2")
        await settle(pilot)
        two = view.text
        assert "Depth 2" in two and "← employed by  Dmitry Vishnyakov" in two
        # indented under the entity it was reached from
        assert two.index("Russian Permanent Mission") < two.index("Dmitry Vishnyakov")
        await press(pilot, "c")                            # confirmed ties only: none yet
        await settle(pilot)
        assert "No relationships confirmed." in view.text
        await press(pilot, "c")
        await settle(pilot)
        link = next(link for link in view.links if link.id == vishnyakov.id)
        assert view.select_link(link)
        await press(pilot, "enter")                        # go there
        await settle(pilot)
        assert not isinstance(app.screen, NetworkScreen)
        assert app.pane("entity").paged_list.cursor_item_id == vishnyakov.id
        await press(pilot, "backspace")
        assert app.pane("entity").paged_list.cursor_item_id == logvinov.id
        assert mission.id != vishnyakov.id


async def test_w_on_something_else_says_what_it_needs(seed_case):
    from tui.screens.network import NetworkScreen

    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")                            # the events pane
        await press(pilot, "w")
        await settle(pilot)
        assert not isinstance(app.screen, NetworkScreen)
        assert any("entity's network" in str(n.message) for n in app._notifications)


async def test_t_keeps_the_network_to_one_type_in_turn(seed_case):
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_network(pilot, app, logvinov.id)
        view = screen.query_one("#network-view")
        await press(pilot, "t")                            # the first type: member of
        await settle(pilot)
        members = view.text
        assert "Depth 1 · “member of” ties only · 1 entity reached" in members
        assert "member of  Russian Foreign Intelligence Service" in members
        assert "Brussels" not in members and "leads" not in members
        await press(pilot, "2")                            # depth and type together
        await settle(pilot)
        assert "Nedyak" in view.text                       # a fellow member of the SVR
        assert "Russian Permanent Mission" not in view.text
        await press(pilot, "t", "t")                      # employed by, then leads
        await settle(pilot)
        assert "“leads” ties only" in view.text
        assert "leads  Russian Permanent Mission to the EU" in view.text
        await press(pilot, "c")                            # confirmed and of the type: none
        await settle(pilot)
        assert "No relationships of type “leads” confirmed." in view.text
        assert "Depth 2 · confirmed “leads” ties only" in view.text
        await press(pilot, "c", "T", "T", "T")             # back through to every type
        await settle(pilot)
        assert "Depth 2 · every tie" in view.text


@pytest.mark.parametrize("size", SIZES)
def test_the_network_of_one_type(snap_compare, seed_case, size):
    logvinov = entity_named(seed_case, "Kirill Logvinov")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await open_network(pilot, pilot.app, logvinov.id)
        await press(pilot, "2", "T")                       # the last type: other
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_the_network_view(snap_compare, seed_case, size):
    logvinov = entity_named(seed_case, "Kirill Logvinov")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await open_network(pilot, pilot.app, logvinov.id)
        await press(pilot, "2")
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)


# -- how are these two connected (p, then p) ------------------------------------------


async def test_p_on_two_entities_shows_the_chains_between_them_as_links(seed_case):
    from tui.screens.path import PathScreen

    paet = entity_named(seed_case, "Urmas Paet")
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    uhrik = entity_named(seed_case, "Milan Uhrík")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.pane("entity").reveal(paet.id)
        await settle(pilot)
        await press(pilot, "p")
        assert not isinstance(app.screen, PathScreen)
        assert any("press p on the other" in str(n.message) for n in app._notifications)
        app.pane("entity").reveal(logvinov.id)
        await settle(pilot)
        await press(pilot, "p")
        await settle(pilot)
        assert isinstance(app.screen, PathScreen)
        view = app.screen.query_one("#path-view")
        text = view.text
        assert "Urmas Paet → Kirill Logvinov" in text and "1. 3 hops" in text
        assert "member of  European Parliament" in text and "← member of  Milan Uhrík" in text
        assert "associate  Kirill Logvinov" in text
        assert "supports: “Estonian MEP Urmas Paet”" in text     # each step's evidence
        assert any(link.kind == "excerpt" for link in view.links)
        link = next(link for link in view.links if link.id == uhrik.id)
        assert view.select_link(link)
        await press(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, PathScreen)
        assert app.pane("entity").paged_list.cursor_item_id == uhrik.id


@pytest.mark.parametrize("size", SIZES)
def test_the_path_view(snap_compare, seed_case, size):
    paet = entity_named(seed_case, "Urmas Paet")
    logvinov = entity_named(seed_case, "Kirill Logvinov")

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.path_from = paet.id     # as p on Paet leaves it (without its passing toast)
        pilot.app.pane("entity").reveal(logvinov.id)
        await settle(pilot)
        await press(pilot, "p")
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)


# -- the network's status filter (s, S; c) ------------------------------------------


async def test_s_keeps_the_network_to_one_status_in_turn_shown_in_the_title(seed_case):
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_network(pilot, app, logvinov.id)
        view, title = screen.query_one("#network-view"), screen.query_one("#network-title")
        assert str(title.render()) == "Network · depth 1 · every tie"
        await press(pilot, "s")                            # confirmed: none in the seed
        await settle(pilot)
        assert "Network · depth 1 · confirmed ties only" == str(title.render())
        assert "No relationships confirmed." in view.text
        await press(pilot, "s")                            # disputed: Uhrík's reception
        await settle(pilot)
        assert str(title.render()) == "Network · depth 1 · disputed ties only"
        disputed = view.text
        assert "Depth 1 · disputed ties only · 1 entity reached" in disputed
        assert "Milan Uhrík" in disputed and "Russian Permanent Mission" not in disputed
        await press(pilot, "s")                            # denied: none
        await settle(pilot)
        assert "No relationships denied." in view.text
        await press(pilot, "s", "2")                       # unreviewed, two deep
        await settle(pilot)
        assert str(title.render()) == "Network · depth 2 · unreviewed ties only"
        unreviewed = view.text
        assert "Russian Permanent Mission" in unreviewed and "Milan Uhrík" not in unreviewed
        await press(pilot, "s")                            # round to every status again
        await settle(pilot)
        assert str(title.render()) == "Network · depth 2 · every tie"
        await press(pilot, "S", "t")                       # back to unreviewed, and a type
        await settle(pilot)
        assert str(title.render()) == "Network · depth 2 · unreviewed “member of” ties only"
        await press(pilot, "c")                            # c: confirmed, whatever was chosen
        await settle(pilot)
        assert str(title.render()) == "Network · depth 2 · confirmed “member of” ties only"
        await press(pilot, "c")
        await settle(pilot)
        assert str(title.render()) == "Network · depth 2 · “member of” ties only"


@pytest.mark.parametrize("size", SIZES)
def test_the_network_of_one_status(snap_compare, seed_case, size):
    logvinov = entity_named(seed_case, "Kirill Logvinov")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await open_network(pilot, pilot.app, logvinov.id)
        await press(pilot, "2", "s", "s")                  # disputed ties, two deep
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)


# -- connected through shared events, claims and excerpts (s in the path) --------------


async def open_path(pilot, app, from_id, to_id):
    app.path_from = from_id
    app.pane("entity").reveal(to_id)
    await settle(pilot)
    await press(pilot, "p")
    await settle(pilot)
    return app.screen


async def test_s_in_the_path_goes_through_shared_items_after_the_ties(seed_case):
    from tui.screens.path import PathScreen

    nedyak = entity_named(seed_case, "Arseniy Nedyak")
    belarus_gru = entity_named(seed_case, "Belarusian military intelligence service")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_path(pilot, app, nedyak.id, belarus_gru.id)
        assert isinstance(screen, PathScreen)
        view, title = screen.query_one("#path-view"), screen.query_one("#path-title")
        assert "No connection within 4 hops. s looks through shared events" in view.text
        assert str(title.render()).endswith("· relationships")
        await press(pilot, "s")
        await settle(pilot)
        text = view.text
        assert str(title.render()).endswith("· relationships, then shared items")
        assert "No chain of relationships alone within 4 hops." in text
        assert "1. 3 hops, 2 through shared items" in text
        assert "≈" in text and "shares event · claim · excerpt with  Dossier Center" in text
        kinds = {link.kind for link in view.links}
        assert {"entity", "event", "claim", "excerpt"} <= kinds
        event = next(link for link in view.links if link.kind == "event")
        assert view.select_link(event)
        await press(pilot, "enter")                        # go to the shared event
        await settle(pilot)
        assert not isinstance(app.screen, PathScreen)
        assert app.pane("event").paged_list.cursor_item_id == event.id


async def test_s_again_is_relationships_only(seed_case):
    paet = entity_named(seed_case, "Urmas Paet")
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_path(pilot, app, paet.id, logvinov.id)
        view, hint = screen.query_one("#path-view"), screen.query_one("#path-hint")
        ties = view.text
        assert "1. 3 hops" in ties and "2. " not in ties
        assert "s through shared items" in str(hint.render())
        await press(pilot, "s")
        await settle(pilot)
        both = view.text
        assert both.index("1. 3 hops") < both.index("2. 2 hops, 1 through shared items")
        assert "s relationships only" in str(hint.render())   # the key says what it does now
        await press(pilot, "s")
        await settle(pilot)
        assert view.text == ties
        assert "s through shared items" in str(hint.render())


@pytest.mark.parametrize("size", SIZES)
def test_the_path_through_shared_items(snap_compare, seed_case, size):
    nedyak = entity_named(seed_case, "Arseniy Nedyak")
    belarus_gru = entity_named(seed_case, "Belarusian military intelligence service")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await open_path(pilot, pilot.app, nedyak.id, belarus_gru.id)
        await press(pilot, "s")
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)
