"""Open views notice other people's marks: the browser polls PRAGMA
data_version and reads again what changed, keeping the annotator's place."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest import browser, press, run_cli, screen_text, settle

import db
from db.claims import mark_claim
from db.review import queue_page
from db.sources import add_source
from tui.screens.mark_dialogs import StaleMarkScreen
from tui.widgets.header import CaseHeader
from tui.widgets.pane_bar import PaneBar

FAST_POLL = 0.1


async def wait_until(pilot, condition, limit: float = 60.0) -> None:   # a ceiling only
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the browser never noticed the change")
        await asyncio.sleep(FAST_POLL)
        await settle(pilot)


async def test_a_mark_by_another_process_shows_without_moving_the_cursor(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        app.POLL_SECONDS = FAST_POLL
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            pane = app.active_pane
            for _ in range(5):
                await pilot.press("j")
            await press(pilot, "tab")
            here = pane.paged_list.cursor_item_id
            cursor, top = pane.paged_list.cursor, pane.paged_list.scroll_offset.y
            link = pane.detail.link
            marks = app.query_one(CaseHeader).counts.annotations
            result = run_cli("annotate", seed_case_copy, str(here), "denied",
                             "--annotator", "bruno", "--note", "From the other room.")
            assert result.returncode == 0, result.stderr
            await wait_until(pilot, lambda: "bruno" in pane.detail.text)
            assert pane.paged_list.cursor_item.claim.status == "denied"
            assert "From the other room." in pane.detail.text
            assert (pane.paged_list.cursor_item_id, pane.paged_list.cursor,
                    pane.paged_list.scroll_offset.y) == (here, cursor, top)
            assert pane.detail.has_focus and pane.detail.link == link
            assert app.query_one(CaseHeader).counts.annotations == marks + 1


async def test_a_claim_marked_elsewhere_leaves_the_queue_and_the_cursor_stays_put(
        seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        queue = [c.id for c in queue_page(case, "unreviewed", offset=0, limit=100)]
        app = browser(case, annotator="ana")
        app.POLL_SECONDS = FAST_POLL
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("r", "j", "j")
            await settle(pilot)
            pane = app.active_pane
            assert pane.paged_list.cursor_item_id == queue[2]
            with db.open_case(seed_case_copy) as other:   # another connection
                mark_claim(other, queue[0], "confirmed", annotator="bruno")
            await wait_until(pilot, lambda: pane.paged_list.total == len(queue) - 1)
            # bruno's claim left the queue above the cursor: the cursor stays on its claim.
            assert pane.paged_list.cursor_item_id == queue[2]
            bar = str(app.query_one(PaneBar).render())
            assert f"Claims: unreviewed {len(queue) - 1}" in bar
            with db.open_case(seed_case_copy) as other:   # now the claim under the cursor
                mark_claim(other, queue[2], "denied", annotator="bruno")
            # The claim being read stays under the cursor, as it is now, though it left
            # the queue: the annotator is never moved onto a claim they have not read.
            await wait_until(pilot, lambda: "bruno" in pane.detail.text
                             and pane.paged_list.cursor_item.claim.status == "denied")
            assert pane.paged_list.cursor_item_id == queue[2]
            assert "✗ denied" in screen_text(app).splitlines()[2 + pane.paged_list.cursor
                                                               - pane.paged_list.scroll_offset.y]
            # The first move reads the queue again.
            await press(pilot, "j")
            assert pane.paged_list.total == len(queue) - 2
            assert pane.paged_list.cursor_item_id == queue[3] and pane.detail_id == queue[3]
            assert pane.paged_list.cursor == 1


async def test_marking_a_claim_someone_just_changed_asks_first(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        queue = [c.id for c in queue_page(case, "unreviewed", offset=0, limit=100)]
        app = browser(case, annotator="bruno")
        app.POLL_SECONDS = FAST_POLL
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            pane = app.active_pane
            with db.open_case(seed_case_copy) as other:
                mark_claim(other, queue[0], "confirmed", annotator="ana")
            await wait_until(pilot, lambda: "ana" in pane.detail.text)
            # The new mark is on screen, but bruno read the claim before it: he is asked.
            await press(pilot, "x")
            assert isinstance(app.screen, StaleMarkScreen)
            assert "ana marked it ✓ confirmed" in screen_text(app)
            await press(pilot, "t")
            assert db.claims.get_claim(case, queue[0]).status == "confirmed"


async def test_other_changes_reread_every_list(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        app.POLL_SECONDS = FAST_POLL
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "3")
            pane = app.active_pane
            before = pane.paged_list.total
            with db.open_case(seed_case_copy) as other:
                add_source(other, text="A new paragraph.\n\nAnother one.\n", title="Late news")
            await wait_until(pilot, lambda: pane.paged_list.total == before + 2)
            assert app.query_one(CaseHeader).counts.sources == 3


async def test_two_browsers_on_one_file_see_each_others_marks(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case_a, db.open_case(seed_case_copy) as case_b:
        claim_id = queue_page(case_a, "unreviewed", offset=0, limit=1)[0].id
        ana, bruno = browser(case_a, annotator="ana"), browser(case_b, annotator="bruno")
        ana.POLL_SECONDS = bruno.POLL_SECONDS = FAST_POLL
        async with ana.run_test(size=(80, 24)) as pilot_a, \
                bruno.run_test(size=(80, 24)) as pilot_b:
            for pilot in (pilot_a, pilot_b):
                await settle(pilot)
                await press(pilot, "4")
                pilot.app.active_pane.reveal(claim_id)
                await settle(pilot)
            await pilot_a.press("c")
            await settle(pilot_a)
            pane_b = bruno.active_pane
            await wait_until(pilot_b, lambda: "ana" in pane_b.detail.text
                             and pane_b.paged_list.cursor_item.claim.status == "confirmed")
            # ana's mark is on bruno's screen, but he came to the claim before it: asked.
            await pilot_b.press("x")
            await settle(pilot_b)
            assert isinstance(bruno.screen, StaleMarkScreen)
            await pilot_b.press("m")          # keep mine
            await settle(pilot_b)
            assert db.claims.get_claim(case_a, claim_id).status == "denied"
            pane_a = ana.active_pane
            pane_a.reveal(claim_id)          # ana moved on after her mark: back to it
            await settle(pilot_a)
            await wait_until(pilot_a, lambda: "bruno" in pane_a.detail.text)
            assert "bruno  ✓ confirmed → ✗ denied" in pane_a.detail.text
