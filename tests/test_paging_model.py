"""The paging arithmetic of a list, without a screen (tui.widgets.paging)."""

from __future__ import annotations

from dataclasses import dataclass

from db.events import count_events, timeline_page
from tui.panes.feeds import EventFeed
from tui.widgets.paging import PagedModel, plan_reread, scroll_for_cursor


@dataclass(frozen=True)
class Row:
    id: int


def rows(page: int, size: int, total: int) -> list[Row]:
    return [Row(i) for i in range(page * size, min(total, (page + 1) * size))]


def counted(total: int, *, page_size: int = 10, max_pages: int = 4) -> PagedModel[Row]:
    model: PagedModel[Row] = PagedModel(page_size=page_size, max_pages=max_pages)
    assert model.needs_count()
    assert not model.needs_count()          # asked once, until it arrives
    assert model.counted(model.generation, total)
    return model


def test_an_uncounted_list_asks_for_its_count_and_holds_nothing():
    model: PagedModel[Row] = PagedModel()
    assert model.total is None and model.cursor_item is None and model.cursor_item_id is None
    assert model.pages_to_load(top=0, height=20) == ()
    assert model.move(5) is None            # nothing to move over yet
    assert model.needs_count()


def test_moves_typed_before_the_count_are_kept_and_clamped_when_it_comes():
    model: PagedModel[Row] = PagedModel()
    assert model.move(model.cursor + 1) is None
    assert model.move(model.cursor + 1) is None
    assert model.counted(model.generation, 100) and model.cursor == 2
    short: PagedModel[Row] = PagedModel()
    short.move(50)
    assert short.counted(short.generation, 3) and short.cursor == 2


def test_the_pages_on_screen_and_half_a_screen_around_are_read_once():
    model = counted(1000)
    assert model.pages_to_load(top=0, height=20) == (0, 1, 2, 3)
    assert model.pages_to_load(top=0, height=20) == ()      # already being read
    for page in (0, 1, 2, 3):
        assert model.page_loaded(model.generation, page, rows(page, 10, 1000))
    assert model.pages_to_load(top=0, height=20) == ()      # all held
    assert model.cursor_item == Row(0)
    assert model.loaded_rows == 40


def test_the_cursors_page_comes_first_when_it_is_off_screen():
    model = counted(1000)
    model.move(500)
    assert model.pages_to_load(top=0, height=10) == (50, 0, 1)


def test_the_page_cache_is_bounded_and_keeps_what_was_read_last():
    model = counted(1000, max_pages=4)
    for page in range(10):
        model.page_loaded(model.generation, page, rows(page, 10, 1000))
    assert model.loaded_rows == 40
    assert model.item_at(95) == Row(95) and model.item_at(5) is None
    model.item_at(60)                                        # read: now the newest
    model.page_loaded(model.generation, 20, rows(20, 10, 1000))
    assert model.item_at(60) == Row(60) and model.item_at(70) is None


def test_a_page_read_before_a_reload_is_never_shown_after_it():
    model = counted(100)
    old = model.generation
    model.pages_to_load(top=0, height=10)
    assert model.begin_reload(None) is None and model.rereading
    assert not model.page_loaded(old, 0, rows(0, 10, 100))
    assert not model.counted(old, 5)
    assert model.loaded_rows == 0 and model.total == 100


def test_a_reload_keeps_the_cursors_item_and_a_move_meanwhile_stands():
    model = counted(100)
    model.page_loaded(model.generation, 3, rows(3, 10, 100))
    model.move(35)
    assert model.begin_reload(None) == 35
    generation, moves = model.generation, model.moves
    model.move(80)                                           # a key while the reread runs
    assert model.reread(generation, total=90, cursor=34, pages={}, moves=moves) is False
    assert model.cursor == 80 and not model.rereading
    assert model.begin_reload(None) is None                  # row 80 is not held
    generation, moves = model.generation, model.moves
    assert model.reread(generation, total=50, cursor=30, pages={3: rows(3, 10, 50)},
                        moves=moves) is True
    assert model.cursor == 30 and model.cursor_item == Row(30)


def test_a_failed_reread_counts_again_from_scratch():
    model = counted(100)
    model.begin_reload(None)
    assert model.reread_failed(model.generation)
    assert model.total is None and model.needs_count()


def test_a_reread_keeps_the_cursors_row_on_screen():
    # Row 5 of the screen, item now at 205: the top moves with it.
    plan = plan_reread(total=1000, place=205, cursor=105, top=100, height=20, page_size=100)
    assert (plan.cursor, plan.top, plan.pages) == (205, 200, (2,))
    # The item left the view: the cursor stays at its index, clamped to the new end.
    plan = plan_reread(total=50, place=None, cursor=105, top=100, height=20, page_size=100)
    assert (plan.cursor, plan.top, plan.pages) == (49, 30, (0,))
    # Off screen (a jump far away): the top stays.
    plan = plan_reread(total=1000, place=900, cursor=10, top=500, height=20, page_size=100)
    assert (plan.cursor, plan.top, plan.pages) == (900, 500, (5, 9))
    assert plan_reread(total=0, place=None, cursor=3, top=0, height=20).pages == ()


def test_rows_refreshed_in_place_make_the_next_move_read_the_view_again():
    model = counted(100)
    model.page_loaded(model.generation, 0, rows(0, 10, 100))
    held = model.begin_refetch()
    assert held == {0: rows(0, 10, 100)} and model.rows_only
    changed = [Row(i + 1000) for i in range(10)]
    assert model.refetched(model.generation, {0: changed})
    assert model.cursor_item == Row(1000)
    assert model.begin_reload(None) == 1000 and not model.rows_only


def test_the_cursor_is_announced_once_per_row_and_item():
    model = counted(100)
    assert model.announce() is None                         # not read yet
    model.page_loaded(model.generation, 0, rows(0, 10, 100))
    assert model.announce() == Row(0)
    assert model.announce() is None
    assert model.move(3) == 0 and model.announce() == Row(3)
    assert model.move(-5) == 3 and model.cursor == 0         # clamped
    assert model.move(500) == 0 and model.cursor == 99


def test_a_jump_waits_for_its_item_to_be_found_in_this_generation():
    model = counted(100)
    model.wanted_id = 42
    assert not model.position_found(model.generation - 1, 42)
    assert not model.position_found(model.generation, 41)
    assert model.position_found(model.generation, 42) and model.wanted_id is None


def test_scrolling_brings_the_cursor_into_view():
    assert scroll_for_cursor(cursor=5, top=0, height=10, center=False) is None
    assert scroll_for_cursor(cursor=12, top=0, height=10, center=False) == 3
    assert scroll_for_cursor(cursor=2, top=5, height=10, center=False) == 2
    assert scroll_for_cursor(cursor=500, top=0, height=10, center=True) == 495
    assert scroll_for_cursor(cursor=3, top=0, height=10, center=True) is None


def test_a_feed_over_a_real_case_read_page_by_page_is_the_timeline(seed_case):
    feed = EventFeed(seed_case)
    model: PagedModel[object] = PagedModel(page_size=7, max_pages=100)
    assert model.needs_count() and model.counted(model.generation, feed.count())
    total = count_events(seed_case)
    assert model.total == total
    shown = []
    for top in range(0, total, 5):
        for page in model.pages_to_load(top=top, height=5):
            model.page_loaded(model.generation, page,
                              feed.page(offset=page * 7, limit=7, total=total))
        shown += [model.item_at(index) for index in range(top, min(total, top + 5))]
    assert [event.id for event in shown] == [e.id for e in timeline_page(seed_case, offset=0,
                                                                          limit=total)]
    last = shown[-1]
    assert feed.position(last.id) == total - 1 and feed.place(10**9) is None


def test_a_jump_found_while_the_list_is_read_again_waits_for_the_new_rows():
    # Issue 16.11: a new claim (past the old end of the list) was found while
    # the list was read again; the cursor was clamped to the old end and the
    # reread kept it there, on the claim before it.
    model = counted(60)
    model.page_loaded(model.generation, 5, rows(5, 10, 60))
    model.move(59)
    model.begin_reload(None)
    generation, moves = model.generation, model.moves
    model.wanted_id = 60                                     # the new item, at row 60
    assert not model.position_found(generation, 60)          # not yet: the rows are old
    assert model.wanted_id == 60
    assert model.reread(generation, total=61, cursor=59, pages={}, moves=moves) is True
    assert model.position_found(generation, 60)              # looked up again: now it stands
    model.move(60)
    assert model.cursor == 60
