"""The four panes: each lists its rows over paged queries and shows a detail."""

from __future__ import annotations

import threading

import pytest
from conftest import browser, press, screen_text, settle

import db
from db.claims import claims_page
from db.entities import entities_page
from db.events import count_events, timeline_page
from db.sources import excerpts_page


async def test_opens_on_entities_with_the_first_entity_in_detail(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = entities_page(seed_case, offset=0, limit=1)[0]
        assert app.active_kind == "entity" and app.is_ready
        pane = app.active_pane
        assert pane.paged_list.has_focus
        assert pane.paged_list.cursor_item_id == first.id
        assert first.name in pane.detail.text
        text = screen_text(app)
        assert first.name in text and "Events (" in text


@pytest.mark.parametrize(
    "key, kind, first_row, detail_parts",
    [
        ("2", "event", lambda case: timeline_page(case, offset=0, limit=1)[0].title,
         ["Event", "When: 1988", "Entities ("]),
        ("3", "excerpt", lambda case: excerpts_page(case, offset=0, limit=1)[0].text[:30],
         ["Excerpt · quote · characters 0–127 of", "Euromaidan Press · 2023",
          "Mentions (", "Evidence for claims ("]),
        ("4", "claim", lambda case: claims_page(case, offset=0, limit=1)[0].statement[:30],
         ["Status: ✓ confirmed", "Claimant: VSquare investigation", "Evidence (", "History ("]),
    ],
)
async def test_each_pane_lists_rows_and_shows_a_detail(seed_case, key, kind, first_row, detail_parts):
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, key)
        assert app.active_kind == kind
        text = screen_text(app)
        assert first_row(seed_case) in text
        detail = app.active_pane.detail.text
        for part in detail_parts:
            assert part in detail, part


async def test_the_entity_detail_shows_events_claims_and_mentions(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        logvinov = next(e for e in entities_page(seed_case, offset=0, limit=500)
                        if e.name == "Kirill Logvinov")
        app.active_pane.reveal(logvinov.id)
        await settle(pilot)
        detail = app.active_pane.detail
        assert "Also: Logvinov" in detail.text
        kinds = {link.kind for link in detail.links}
        assert kinds == {"event", "claim", "excerpt", "entity"}   # (entity: its relationships)
        flat = " ".join(detail.text.split())      # unwrapped
        assert "Logvinov becomes head of Russia's Permanent Mission to the EU" in flat
        assert "Mentioned in (" in detail.text


async def test_the_timeline_shows_dates_at_their_precision(seed_case):
    app = browser(seed_case)
    assert count_events(seed_case) < 56  # the whole timeline fits on this screen
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        text = screen_text(app)
        for label in ("date unknown", "1990s", "2010–2014", "2022–2023", "September 2022",
                      "27 September 2022", "April 2023"):
            assert label in text, label
        assert "1 January" not in text
        events = timeline_page(seed_case, offset=0, limit=100)
        assert text.index(events[0].title) < text.index(events[-1].title[:20])


async def test_cursor_keys_move_and_the_detail_follows(seed_case):
    entities = entities_page(seed_case, offset=0, limit=1000)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.active_pane
        await pilot.press("j", "down")
        await settle(pilot)
        assert pane.paged_list.cursor_item_id == entities[2].id
        assert entities[2].name in pane.detail.text
        await press(pilot, "k")
        assert pane.paged_list.cursor_item_id == entities[1].id
        await press(pilot, "G")
        assert pane.paged_list.cursor_item_id == entities[-1].id
        assert entities[-1].name in screen_text(app)
        await press(pilot, "home")
        assert pane.paged_list.cursor_item_id == entities[0].id
        await press(pilot, "pagedown")
        assert pane.paged_list.cursor > 1
        await press(pilot, "end")
        assert pane.paged_list.cursor == len(entities) - 1
        await press(pilot, "g")
        assert pane.paged_list.cursor == 0


async def test_claims_show_their_status_in_words(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        text = screen_text(app)
        assert "✓ confirmed" in text and "· unreviewed" in text
        denied = claims_page(seed_case, offset=0, limit=10, status="denied")[0]
        app.active_pane.reveal(denied.id)
        await settle(pilot)
        assert app.active_pane.paged_list.cursor_item_id == denied.id
        assert "✗ denied" in screen_text(app)
        assert "Status: ✗ denied" in app.active_pane.detail.text


async def test_a_click_moves_the_cursor(seed_case):
    entities = entities_page(seed_case, offset=0, limit=5)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#entity-list", offset=(5, 3))
        await settle(pilot)
        assert app.active_pane.paged_list.cursor_item_id == entities[3].id


async def test_an_empty_case_says_so(tmp_path):
    with db.create_case(tmp_path / "empty.casebook", title="Nothing yet") as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.is_ready
            assert "No entities in this case." in screen_text(app)
            for key, noun in (("2", "events"), ("3", "excerpts"), ("4", "claims")):
                await press(pilot, key)
                assert f"No {noun} in this case." in screen_text(app)
            await pilot.press("j", "G", "enter")
            await settle(pilot)
            assert app.return_code is None


async def test_a_jump_scrolls_even_before_the_list_is_laid_out(seed_case, monkeypatch):
    """Reached by a link, a pane not shown before is laid out while it still
    counts; the count and the item's position then arrive together, before
    the list has a scrollbar. The jump must still scroll to the item."""
    import threading

    from tui.widgets.paged_list import PagedList

    events = timeline_page(seed_case, offset=0, limit=1000)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = app.pane("event").paged_list
        counted = threading.Event()            # a slow count, as on a large case
        count = listing.source.count
        monkeypatch.setattr(listing.source, "count", lambda: counted.wait(10) and count())
        app.action_show_pane("event")
        await pilot.pause()
        await pilot.pause()
        assert listing.total is None and not listing.show_vertical_scrollbar
        target = events[40]
        listing.model.wanted_id = target.id
        listing.post_message(PagedList.TotalCounted(listing.model.generation, len(events)))
        listing.post_message(PagedList.PositionFound(listing.model.generation, target.id, 40))
        await pilot.pause()
        counted.set()
        await settle(pilot)
        top, height = listing.scroll_offset.y, listing.scrollable_content_region.height
        assert listing.cursor == 40 and top <= 40 < top + height
        assert target.title[:30] in screen_text(app)


async def test_the_timeline_starts_at_its_first_dated_event_and_y_jumps_to_a_year(seed_case):
    # Issue 16.6: it opened on five "date unknown" rows, with no jump to a year.
    events = timeline_page(seed_case, offset=0, limit=1000)
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        listing = app.active_pane.paged_list
        assert listing.cursor_item_id == events[0].id and events[0].date_start
        assert "date unknown" not in screen_text(app)
        await press(pilot, "G")
        assert "date unknown" in screen_text(app)
        await press(pilot, "1")                       # y works from any pane
        await pilot.press("y", *"2022", "enter")
        await settle(pilot)
        assert app.active_kind == "event"
        first_2022 = next(event for event in events if event.date_start.startswith("2022"))
        assert listing.cursor_item_id == first_2022.id
        await pilot.press("y", *"19x95", "enter")     # digits only: 1995
        await settle(pilot)
        nearest = next(event for event in events if event.date_start >= "1995")
        assert listing.cursor_item_id == nearest.id
        assert list(app._notifications)[-1].message == (
            f"Nothing dated 1995: {nearest.date_label} is the nearest.")
        await pilot.press("y", "enter")               # no year: the prompt says so and stays
        await settle(pilot)
        assert "Type a year" in screen_text(app)
        await press(pilot, "escape")
        assert app.screen is app.screen_stack[0] and listing.cursor_item_id == nearest.id
        await press(pilot, "b")                       # each jump is in the history
        assert listing.cursor_item_id == first_2022.id


class CountHeldBack:
    """A list's own source whose count waits until ``release`` is set: the
    order in which a reread and a jump come back, which the machine's load
    decides, is then the one that broke (the jump first). Every read is the
    real one, on the real file."""

    def __init__(self, source) -> None:
        self.source = source
        self.release = threading.Event()
        self.placed = threading.Event()

    def count(self) -> int:
        assert self.release.wait(60)
        return self.source.count()

    def position(self, item_id: int) -> int:
        try:
            return self.source.position(item_id)
        finally:
            self.placed.set()

    def __getattr__(self, name: str):
        return getattr(self.source, name)


async def test_a_new_item_is_under_the_cursor_after_the_lists_are_read_again(seed_case_copy):
    # Issue 16.11: the toast named claim 61, the cursor sat on claim 60: the new
    # claim's place was found while the list was still being read again, and
    # the cursor, clamped to the old end, stayed on the claim before it.
    from tui.history import Location

    with db.open_case(seed_case_copy) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "4", "G")
            listing = app.claims_pane.paged_list
            last = listing.cursor_item_id
            claim = db.claims.add_claim(case, statement="A claim saved a moment ago")
            held = listing.source = CountHeldBack(listing.source)
            try:
                for pane in app.panes():                   # as saving from a form does
                    pane.reload()
                app.go(Location("claim", claim.id))
                # The jump's place is found, and handled, while the reread waits.
                for _ in range(3000):
                    if held.placed.is_set():
                        break
                    await pilot.pause(0.01)
                assert held.placed.is_set()
                for _ in range(5):
                    await pilot.pause()
                assert listing.model.rereading               # the order that broke
            finally:
                held.release.set()
            await settle(pilot)
            listing.source = held.source
            assert listing.cursor_item_id == claim.id != last
            assert "A claim saved a moment ago" in app.claims_pane.detail.text
