"""The review queue: the Claims pane filtered to a queue (r: unreviewed; v:
the next queue), worked claim after claim — a judgement moves the cursor on to
the next claim of the queue, even when the mark took the claim out of it;
conflicts are settled with the same keys; badges show conflicts and
disagreement."""

from __future__ import annotations

from pathlib import Path

from conftest import browser, press, screen_text, settle

import db
from db.claims import add_claim, claim_history, get_claim, mark_claim
from db.conflicts import claim_conflicts
from db.merge import merge_case_files
from db.review import QUEUES, count_queue, queue_page
from tui.widgets.pane_bar import PaneBar


def tab_text(app) -> str:
    return str(app.query_one(PaneBar).render())


async def test_r_opens_the_unreviewed_queue_and_one_key_judges_each_claim(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        queue = [c.id for c in queue_page(case, "unreviewed", offset=0, limit=100)]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            pane = app.active_pane
            assert app.active_kind == "claim" and pane.queue == "unreviewed"
            assert f"4 Claims: unreviewed {len(queue)}" in tab_text(app)
            assert pane.paged_list.cursor_item_id == queue[0]
            seen = []
            for key in "cdxcdx":
                seen.append(pane.paged_list.cursor_item_id)
                await press(pilot, key)
            assert seen == queue[:6]
            assert [get_claim(case, i).status for i in seen] == \
                ["confirmed", "disputed", "denied"] * 2
            assert pane.paged_list.cursor_item_id == queue[6]
            assert pane.paged_list.cursor == 0          # the judged claims left the queue
            assert f"4 Claims: unreviewed {len(queue) - 6}" in tab_text(app)
            assert all(claim_history(case, i)[-1].annotator == "ana" for i in seen)


async def test_the_queue_goes_on_from_the_middle_and_wraps(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        queue = [c.id for c in queue_page(case, "unreviewed", offset=0, limit=100)]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            pane = app.active_pane
            await press(pilot, "G")               # the last claim of the queue
            assert pane.paged_list.cursor_item_id == queue[-1]
            await press(pilot, "d")
            assert pane.paged_list.cursor_item_id == queue[0]   # back to the start


async def test_finishing_the_queue_leaves_it_empty(tmp_path: Path):
    with db.create_case(tmp_path / "q.casebook", title="Q") as case:
        ids = [add_claim(case, statement=f"Claim number {i}").id for i in range(3)]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            await pilot.press("c", "c")
            await settle(pilot)
            notes = []
            app.notify = lambda message, **kw: notes.append(message)   # type: ignore
            await press(pilot, "x")
            assert [get_claim(case, i).status for i in ids] == ["confirmed", "confirmed", "denied"]
            assert notes == ["Claim 3: ✗ denied. The unreviewed queue is empty."]
            assert "No unreviewed claims in this case." in screen_text(app)
            assert "No unreviewed claims to show." in app.active_pane.detail.text
            assert "4 Claims: unreviewed 0" in tab_text(app)
            await press(pilot, "c")               # nothing left to mark
            assert count_queue(case, "confirmed") == 2


async def test_v_cycles_the_queues_and_keeps_the_place(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            pane = app.active_pane
            assert pane.queue == "all" and "4 Claims 60" in tab_text(app)
            pane.reveal(20)
            await settle(pilot)
            shown = []
            before = 20
            for _ in QUEUES:
                before = pane.paged_list.cursor_item_id or before   # an empty queue keeps it
                await press(pilot, "v")
                shown.append(pane.queue)
                total = count_queue(case, pane.queue)
                label = "4 Claims 60" if pane.queue == "all" else f"Claims: {pane.queue} {total}"
                assert label in tab_text(app), (label, tab_text(app))
                assert pane.paged_list.total == total
                # The cursor stays on its claim if queued, else goes to the next queued (or last).
                queued = [c.id for c in queue_page(case, pane.queue, offset=0, limit=100)]
                after = [i for i in queued if i >= before] or queued[-1:] or [None]
                assert pane.paged_list.cursor_item_id == after[0], (pane.queue, before)
            assert shown == [*QUEUES[1:], "all"]
            await press(pilot, "V")             # and back
            assert pane.queue == QUEUES[-1]
            # A claim that is in the next queue keeps the cursor.
            denied = queue_page(case, "denied", offset=0, limit=1)[0].id
            pane.reveal(denied)
            await settle(pilot)
            app.review.show_queue("denied")
            await settle(pilot)
            assert pane.paged_list.cursor_item_id == denied


async def test_a_link_to_a_claim_outside_the_queue_shows_all_claims(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        confirmed = queue_page(case, "confirmed", offset=0, limit=1)[0].id
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            pane = app.active_pane
            app.follow(db_link("claim", confirmed))
            await settle(pilot)
            assert pane.queue == "all"
            assert pane.paged_list.cursor_item_id == confirmed


def db_link(kind, item_id):
    from tui.widgets.detail import Link

    return Link(kind, item_id)


def conflicted_case(path: Path) -> int:
    """The seed case with claim 5 marked one way on a laptop copy, another here."""
    laptop = path.with_name("laptop.casebook")
    with db.open_case(path) as case:
        db.backup_case_file(case.conn, laptop)
    with db.open_case(laptop) as copy:
        mark_claim(copy, 5, "confirmed", annotator="dora", note="Seen in the registry.",
                   created_at="2026-11-26T09:00:00.000000Z")
    with db.open_case(path) as case:
        mark_claim(case, 5, "denied", annotator="ana", note="Someone else's entry.",
                   created_at="2026-11-26T10:00:00.000000Z")
        assert merge_case_files(case, laptop).conflicts_found == 1
    return 5


async def test_a_conflict_shows_both_sides_and_a_status_key_settles_it(seed_case_copy: Path):
    claim_id = conflicted_case(seed_case_copy)
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="eve")
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            for _ in range(QUEUES.index("conflicts")):
                await pilot.press("v")
            await settle(pilot)
            pane = app.active_pane
            assert pane.queue == "conflicts" and pane.paged_list.cursor_item_id == claim_id
            row = screen_text(app).splitlines()[2]
            assert "!" in row[:16] and "≠" in row[:16]   # conflict, and dora and ana disagree
            detail = pane.detail.text
            assert "! in conflict" in detail and "≠ annotators disagree" in detail
            assert "Conflict (1 open)" in detail
            assert "dora  ✓ confirmed" in detail and "ana  ✗ denied" in detail
            assert "Seen in the registry." in detail and "Someone else's entry." in detail
            await press(pilot, "d")
            assert claim_conflicts(case, claim_id) == []          # settled
            settled = claim_conflicts(case, claim_id, include_resolved=True)[0]
            assert (settled.resolved_by, get_claim(case, claim_id).status) == ("eve", "disputed")
            assert pane.paged_list.total == 0
            pane.set_queue("all")
            pane.reveal(claim_id)
            await settle(pilot)
            assert "(settles a conflict)" in pane.detail.text
            assert "Conflict (" not in pane.detail.text


async def test_disagreement_shows_on_the_row_and_in_the_detail(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        mark_claim(case, 7, "confirmed", annotator="ana", created_at="2026-11-26T09:00:00.000000Z")
        mark_claim(case, 7, "denied", annotator="bruno", created_at="2026-11-26T09:30:00.000000Z")
        mark_claim(case, 8, "confirmed", annotator="ana")
        mark_claim(case, 8, "confirmed", annotator="bruno")
        app = browser(case, annotator="ana")
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            pane = app.active_pane
            lines = screen_text(app).splitlines()
            row_7 = next(line for line in lines if get_claim(case, 7).statement[:30] in line)
            row_8 = next(line for line in lines if get_claim(case, 8).statement[:30] in line)
            assert "≠" in row_7 and "≠" not in row_8
            pane.reveal(7)
            await settle(pilot)
            text = pane.detail.text
            assert "≠ annotators disagree" in text
            assert "Annotators (2)  ≠ they disagree: 0 of 1 pairs agree" in text
            assert "ana  ✓ confirmed  2026-11-26 09:00" in text
            assert "bruno  ✗ denied  2026-11-26 09:30" in text
            pane.reveal(8)
            await settle(pilot)
            assert "they agree (1 pair)" in pane.detail.text
            for _ in range(QUEUES.index("disagreements")):
                await pilot.press("v")
            await settle(pilot)
            assert pane.paged_list.total == 1 and pane.paged_list.cursor_item_id == 7


async def test_history_shows_who_when_from_what_to_what_and_the_note(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = queue_page(case, "denied", offset=0, limit=1)[0].id   # the seed denied it
        mark_claim(case, claim_id, "disputed", annotator="ana", note="One source only.",
                   created_at="2030-01-02T09:00:00.000000Z")
        db.claims.add_note(case, claim_id, "Asked the desk.", annotator="bruno")
        app = browser(case, annotator="ana")
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            pane = app.active_pane
            pane.reveal(claim_id)
            await settle(pilot)
            history = pane.detail.text.split("History (")[1]
            assert history.startswith("3)")
            assert "seed  · unreviewed → ✗ denied" in history
            assert "2030-01-02 09:00  ana  ✗ denied → ? disputed" in history
            assert "One source only." in history
            assert "bruno  note, status stays ? disputed" in history and "Asked the desk." in history
