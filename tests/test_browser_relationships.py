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
