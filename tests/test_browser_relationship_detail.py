"""A relationship's own detail (``o`` on a tie in an entity's detail or the
network view) and marking it there with the claims' keys and stale-mark rule;
and the same keys, rule and dialog straight on the tie in the entity's detail."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from conftest import browser, press, screen_text, settle

import db
from db.entities import entities_page
from db.relationships import entity_ties, mark_relationship, relationship_history

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def entity_named(case, name):
    return next(e for e in entities_page(case, offset=0, limit=1000) if e.name == name)


def svr_tie(case):
    nedyak = entity_named(case, "Arseniy Nedyak")
    svr = entity_named(case, "Russian Foreign Intelligence Service (SVR)")
    tie = next(t for t in entity_ties(case, nedyak.id) if t.other.id == svr.id)
    return nedyak, svr, tie.relationship


@contextlib.asynccontextmanager
async def marking(path) -> AsyncIterator:
    """The browser over the case file at ``path`` as ``ana``, settled (no polling:
    a test writes as a second annotator itself): ``(app, pilot, nedyak, svr, tie)``,
    ``tie`` being Nedyak's to the SVR."""
    with db.open_case(path) as case:
        nedyak, svr, tie = svr_tie(case)
        app = browser(case, annotator="ana")
        app.POLL_SECONDS = 3600
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            yield app, pilot, nedyak, svr, tie


async def open_tie(pilot, app, entity_id, other_id):
    app.pane("entity").reveal(entity_id)
    await settle(pilot)
    detail = app.pane("entity").detail
    link = next(link for link in detail.links if link.kind == "entity" and link.id == other_id)
    assert detail.select_link(link)
    detail.focus()
    await press(pilot, "o")
    return app.screen


async def test_o_on_a_tie_opens_the_relationship_and_enter_follows_an_end(seed_case):
    from tui.screens.relationship import RelationshipScreen

    nedyak, svr, tie = svr_tie(seed_case)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_tie(pilot, app, nedyak.id, svr.id)
        assert isinstance(screen, RelationshipScreen)
        view = screen.query_one("#relationship-view")
        text = view.text
        assert f"Relationship {tie.id}" in text
        assert "Arseniy Nedyak  member of  Russian Foreign Intelligence Service" in text
        assert "Status: " in text and "lieutenant colonel" in text
        assert "Evidence (" in text and "supports · " in text
        assert "History (0)" in text and "Not marked yet." in text
        assert any(link.kind == "excerpt" for link in view.links)
        end = next(link for link in view.links if link.kind == "entity" and link.id == svr.id)
        assert view.select_link(end)
        await press(pilot, "enter")
        assert not isinstance(app.screen, RelationshipScreen)
        assert app.pane("entity").paged_list.cursor_item_id == svr.id


async def test_o_in_the_network_view_opens_the_tie_over_it(seed_case):
    from tui.screens.network import NetworkScreen
    from tui.screens.relationship import RelationshipScreen

    nedyak, svr, tie = svr_tie(seed_case)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.pane("entity").reveal(nedyak.id)
        await settle(pilot)
        await press(pilot, "w")
        view = app.screen.query_one("#network-view")
        link = next(link for link in view.links if link.id == svr.id)
        assert view.select_link(link)
        await press(pilot, "o")
        assert isinstance(app.screen, RelationshipScreen)
        assert f"Relationship {tie.id}" in app.screen.query_one("#relationship-view").text
        await press(pilot, "escape")
        assert isinstance(app.screen, NetworkScreen)


async def test_marking_a_relationship_writes_the_case_file(seed_case_copy):
    from tui.screens.relationship import RelationshipScreen

    async with marking(seed_case_copy) as (app, pilot, nedyak, svr, tie):
        screen = await open_tie(pilot, app, nedyak.id, svr.id)
        assert isinstance(screen, RelationshipScreen)
        await press(pilot, "c")
        await settle(pilot)
        text = screen.query_one("#relationship-view").text
        assert "History (1)" in text and "ana" in text
        assert screen.shown is not None and screen.shown.version == tie.version + 1
        await press(pilot, "x")
        await settle(pilot)
    with db.open_case(seed_case_copy, read_only=True) as reread:
        marks = relationship_history(reread, tie.id)
        assert [(m.kind, m.status, m.annotator) for m in marks] == [
            ("mark", "confirmed", "ana"), ("mark", "denied", "ana")]
        assert reread.scalar("SELECT status FROM relationships WHERE id = ?", [tie.id]) == "denied"
        assert reread.scalar("SELECT version FROM relationships WHERE id = ?",
                             [tie.id]) == tie.version + 2


async def test_a_stale_mark_on_a_relationship_is_refused_naming_who_changed_it(seed_case_copy):
    from tui.screens.mark_dialogs import StaleMarkScreen
    from tui.screens.relationship import RelationshipScreen

    async with marking(seed_case_copy) as (app, pilot, nedyak, svr, tie):
        screen = await open_tie(pilot, app, nedyak.id, svr.id)
        assert isinstance(screen, RelationshipScreen)
        with db.open_case(seed_case_copy) as other:   # a second writer, meanwhile
            mark_relationship(other, tie.id, "disputed", annotator="bruno",
                              note="only one source")
        await press(pilot, "c")
        assert isinstance(app.screen, StaleMarkScreen)
        dialog = screen_text(app)
        assert f"Relationship {tie.id} changed since you saw it" in dialog
        assert "bruno" in dialog and "only one source" in " ".join(dialog.split())
        await press(pilot, "t")                          # take theirs
        assert isinstance(app.screen, RelationshipScreen)
        assert "History (1)" in app.screen.query_one("#relationship-view").text
    with db.open_case(seed_case_copy, read_only=True) as reread:
        marks = relationship_history(reread, tie.id)
        assert [(m.status, m.annotator) for m in marks] == [("disputed", "bruno")]


async def on_tie(pilot, app, entity_id, other_id):
    """The entity's detail focused, its cursor on the tie to ``other_id``."""
    app.pane("entity").reveal(entity_id)
    await settle(pilot)
    detail = app.pane("entity").detail
    link = next(link for link in detail.links if link.kind == "entity" and link.id == other_id)
    detail.focus()
    assert detail.select_link(link)
    await settle(pilot)
    return detail


async def test_the_marking_keys_on_a_tie_in_the_entity_detail_mark_its_relationship(
        seed_case_copy):
    from tui.screens.mark_dialogs import NoteScreen

    async with marking(seed_case_copy) as (app, pilot, nedyak, svr, tie):
        detail = await on_tie(pilot, app, nedyak.id, svr.id)
        assert app.check_action("mark", ("confirmed",))      # the keys apply on a tie
        await press(pilot, "c")
        await settle(pilot)
        assert any(f"Relationship {tie.id}: " in str(n.message) for n in app._notifications)
        tie_line = next(block for block in detail.blocks if block.link is not None
                        and block.link.via is not None and block.link.via.id == tie.id)
        assert "confirmed" in str(tie_line.content)          # read again, cursor kept
        assert detail.link is not None and detail.link.id == svr.id
        await press(pilot, "d")                              # after our own mark: no dialog
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*["space" if ch == " " else ch for ch in "two sources"])
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "u")                              # undo: the latest (the note's
        await settle(pilot)                                  # status stays disputed)
    with db.open_case(seed_case_copy, read_only=True) as reread:
        marks = relationship_history(reread, tie.id)
        assert [(m.kind, m.status, m.annotator) for m in marks][:3] == [
            ("mark", "confirmed", "ana"), ("mark", "disputed", "ana"), ("note", "disputed", "ana")]
        assert marks[2].note == "two sources"
        assert marks[-1].kind == "undo"
        assert reread.scalar("SELECT status FROM relationships WHERE id = ?",
                             [tie.id]) == marks[-1].status


async def test_a_stale_mark_on_a_tie_in_the_entity_detail_asks_and_keep_mine_writes_it(
        seed_case_copy):
    from tui.screens.mark_dialogs import StaleMarkScreen

    async with marking(seed_case_copy) as (app, pilot, nedyak, svr, tie):
        await on_tie(pilot, app, nedyak.id, svr.id)          # seen at tie.version
        with db.open_case(seed_case_copy) as other:          # a second writer, meanwhile
            mark_relationship(other, tie.id, "disputed", annotator="bruno",
                              note="only one source")
        await press(pilot, "x")
        assert isinstance(app.screen, StaleMarkScreen)
        dialog = " ".join(screen_text(app).split())
        assert f"Relationship {tie.id} changed since you saw it" in dialog
        assert "bruno" in dialog and "only one source" in dialog
        await press(pilot, "m")                              # keep mine
        await settle(pilot)
        assert not isinstance(app.screen, StaleMarkScreen)
    with db.open_case(seed_case_copy, read_only=True) as reread:
        marks = relationship_history(reread, tie.id)
        assert [(m.status, m.annotator) for m in marks] == [("disputed", "bruno"),
                                                            ("denied", "ana")]


@pytest.mark.parametrize("size", SIZES)
def test_the_relationship_detail(snap_compare, seed_case, size):
    nedyak, svr, _ = svr_tie(seed_case)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await open_tie(pilot, pilot.app, nedyak.id, svr.id)
        await settle(pilot)

    assert snap_compare(browser(seed_case), terminal_size=size, run_before=run_before)
