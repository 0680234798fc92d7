"""Following links between items, and back and forward like a browser."""

from __future__ import annotations

from conftest import browser, press, settle

from db.entities import entities_page
from db.events import entity_events


def entity_named(case, name):
    return next(e for e in entities_page(case, offset=0, limit=1000) if e.name == name)


async def open_on(pilot, app, kind, item_id):
    app.pane(kind).reveal(item_id)
    await settle(pilot)


async def test_enter_follows_a_link_to_its_pane_and_item(seed_case):
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    first_event = entity_events(seed_case, logvinov.id)[0]
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_on(pilot, app, "entity", logvinov.id)
        await press(pilot, "enter")          # from the list into its detail
        detail = app.pane("entity").detail
        assert detail.has_focus
        assert detail.link is None           # its name stays in view: no link shown yet
        await press(pilot, "j")              # read on, to the first link
        assert detail.link.kind == "event" and detail.link.id == first_event.id
        await press(pilot, "enter")          # follow
        assert app.active_kind == "event"
        events = app.pane("event")
        assert events.paged_list.cursor_item_id == first_event.id
        assert first_event.title in events.detail.text
        assert events.paged_list.has_focus


async def test_links_lead_to_every_kind_and_back(seed_case):
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_on(pilot, app, "entity", logvinov.id)
        detail = app.pane("entity").detail
        for kind in ("claim", "excerpt"):
            link = next(link for link in detail.links if link.kind == kind)
            assert detail.select_link(link)
            detail.focus()
            await press(pilot, "enter")
            assert app.active_kind == kind
            assert app.pane(kind).paged_list.cursor_item_id == link.id
            # The target's detail links back to the entity.
            back_links = app.pane(kind).detail.links
            assert any(link.kind == "entity" and link.id == logvinov.id for link in back_links)
            await press(pilot, "backspace")
            assert app.active_kind == "entity"
            assert app.pane("entity").paged_list.cursor_item_id == logvinov.id
            # Back restores the link that was followed, with the focus on it.
            assert detail.has_focus and detail.link == link


async def test_back_and_forward_walk_the_history(seed_case):
    logvinov = entity_named(seed_case, "Kirill Logvinov")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_on(pilot, app, "entity", logvinov.id)
        await pilot.press("enter", "j", "enter")   # to the first event
        await settle(pilot)
        event_id = app.pane("event").paged_list.cursor_item_id
        await press(pilot, "4")                # to claims (a pane switch is a visit)
        claim_id = app.pane("claim").paged_list.cursor_item_id
        assert app.active_kind == "claim"

        await press(pilot, "backspace")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == ("event", event_id)
        await press(pilot, "b")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == ("entity", logvinov.id)
        await press(pilot, "f")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == ("event", event_id)
        await press(pilot, "f")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == ("claim", claim_id)
        await press(pilot, "f")                # nothing further: stays, says so
        assert app.active_kind == "claim"

        # A new visit after going back drops the forward history.
        await pilot.press("backspace", "3")
        await settle(pilot)
        assert app.active_kind == "excerpt"
        assert not app.history.can_go_forward


async def test_escape_backs_out_of_the_detail_and_never_goes_back(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.active_pane.paged_list.cursor_item_id
        await pilot.press("enter", "enter")     # follow the first entity's first link
        await settle(pilot)
        target = app.active_kind
        assert target != "entity"
        await press(pilot, "enter")              # into the target's detail
        assert app.active_pane.detail.has_focus
        await press(pilot, "escape")             # out of the detail, same place
        assert app.active_kind == target and app.active_pane.paged_list.has_focus
        await press(pilot, "escape", "escape")   # Esc on a list stays where it is
        assert app.active_kind == target and app.active_pane.paged_list.has_focus
        await press(pilot, "b")                  # b goes back
        assert app.active_kind == "entity"
        assert app.active_pane.paged_list.cursor_item_id == first


async def test_reading_on_through_a_long_detail(seed_case):
    uhrik = entity_named(seed_case, "Milan Uhrík")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_on(pilot, app, "entity", uhrik.id)
        await pilot.press("tab")
        detail = app.pane("entity").detail
        assert detail.has_focus
        assert detail.max_scroll_y > 10 and len(detail.links) > 5
        seen = [detail.link]
        for _ in range(len(detail.links) * 2):
            await pilot.press("j")
            seen.append(detail.link)
            if seen[-1] == detail.links[-1] and detail.scroll_offset.y == detail.max_scroll_y:
                break
        assert seen[-1] == detail.links[-1]
        assert detail.scroll_offset.y == detail.max_scroll_y
        assert set(seen) == set(detail.links)   # j visited every link on the way
        await pilot.press("g")
        assert detail.link == detail.links[0] and detail.scroll_offset.y == 0
        await pilot.press("G")
        assert detail.link == detail.links[-1]
