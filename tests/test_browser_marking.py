"""Marking claims in the browser: c d x u mark, m writes a note, z takes a mark
back — in the Claims pane (list or detail) and on a claim link in another
detail; every mark is committed with the annotator's name and the version
they saw, and the row, the detail, the header and the history show it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PtyApp, browser, press, screen_text, settle
from textual.widgets import Input

import db
from db.claims import claim_history, get_claim
from db.entities import entities_page
from db.review import queue_page
from tui.labels import STATUS_BADGES
from tui.screens.help import HelpScreen
from tui.screens.mark_dialogs import NoteScreen
from tui.widgets.header import CaseHeader


async def open_claims(pilot, claim_id: int | None = None):
    """The Claims pane (all claims), cursor on ``claim_id``."""
    app = pilot.app
    await settle(pilot)
    await press(pilot, "4")
    if claim_id is not None:
        app.active_pane.reveal(claim_id)
        await settle(pilot)
    return app.active_pane


async def open_logvinov(pilot, case: db.Case) -> None:
    """The Entities pane, cursor on Kirill Logvinov (cited by many claims)."""
    logvinov = next(e for e in entities_page(case, offset=0, limit=500)
                    if e.name == "Kirill Logvinov")
    await settle(pilot)
    pilot.app.active_pane.reveal(logvinov.id)
    await settle(pilot)


def unreviewed_ids(case: db.Case) -> list[int]:
    return [claim.id for claim in queue_page(case, "unreviewed", offset=0, limit=100)]


@pytest.mark.parametrize("key, status", [("c", "confirmed"), ("d", "disputed"),
                                         ("x", "denied"), ("U", "unreviewed")])
async def test_each_status_key_marks_the_claim_under_the_cursor(seed_case_copy: Path, key, status):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[2]
        if status == "unreviewed":     # back to unreviewed needs a claim that is not
            db.claims.mark_claim(case, claim_id, "confirmed", annotator="bruno")
        claim = get_claim(case, claim_id)
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 40)) as pilot:
            pane = await open_claims(pilot, claim.id)
            marks_before = app.query_one(CaseHeader).counts.annotations
            await press(pilot, key)
            latest = claim_history(case, claim.id)[-1]
            assert (latest.status, latest.annotator, latest.kind) == (status, "ana", "mark")
            assert get_claim(case, claim.id).version == claim.version + 1
            # In the list of all claims, the cursor moves on to the next claim...
            assert pane.paged_list.cursor_item_id == claim.id + 1
            # ...and the marked row, the header and the history show the mark at once.
            pane.reveal(claim.id)
            await settle(pilot)
            assert pane.paged_list.cursor_item.claim.status == status
            assert app.query_one(CaseHeader).counts.annotations == marks_before + 1
            assert f"Status: {STATUS_BADGES[status]}" in pane.detail.text
            assert "ana" in pane.detail.text.split("History (")[1]


async def test_marking_from_the_detail_applies_to_its_claim(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[0]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await open_claims(pilot, claim_id)
            await press(pilot, "tab")           # into the detail
            assert pane.detail.has_focus
            await press(pilot, "x")
            assert get_claim(case, claim_id).status == "denied"
            assert pane.detail.has_focus        # still reading, now the next claim
            assert pane.detail_id == claim_id + 1


async def test_a_claim_link_in_an_entity_detail_can_be_marked(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 40)) as pilot:
            await open_logvinov(pilot, case)
            await press(pilot, "enter")          # into the detail
            detail = app.active_pane.detail
            while detail.link.kind != "claim":
                await pilot.press("j")
            await settle(pilot)
            link = detail.link
            await press(pilot, "d")
            assert get_claim(case, link.id).status == "disputed"
            assert claim_history(case, link.id)[-1].annotator == "ana"
            # No queue here: the detail stays, on the same link, showing the new status.
            assert app.active_kind == "entity" and detail.link == link
            assert "? disputed" in detail.text


async def test_marking_keys_do_nothing_where_there_is_no_claim(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)                 # the Entities list: no claim
            marks = db.counts(case).annotations
            await pilot.press("c", "d", "x", "U", "u", "m", "z")
            await settle(pilot)
            assert db.counts(case).annotations == marks
            assert not isinstance(app.screen, NoteScreen)


async def test_n_writes_a_note_and_enter_saves_it(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim = get_claim(case, unreviewed_ids(case)[0])
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await open_claims(pilot, claim.id)
            await press(pilot, "m")
            assert isinstance(app.screen, NoteScreen)
            assert claim.statement[:40] in screen_text(app)
            await press(pilot, "enter")          # an empty note is refused, the box stays
            assert isinstance(app.screen, NoteScreen)
            await pilot.press(*"Two sources, one anonymous.", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, NoteScreen)
            note = claim_history(case, claim.id)[-1]
            assert (note.kind, note.note, note.annotator, note.status) == \
                ("note", "Two sources, one anonymous.", "ana", "unreviewed")
            # A note alone is no judgement: the cursor stays to mark the claim.
            assert pane.paged_list.cursor_item_id == claim.id
            assert "Two sources, one anonymous." in pane.detail.text


async def test_a_note_with_a_status_is_a_mark_and_moves_on(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        first, second = unreviewed_ids(case)[:2]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")               # the unreviewed queue
            pane = app.active_pane
            assert pane.paged_list.cursor_item_id == first
            await pilot.press("m", *"Denied by the ministry")
            await pilot.press("down", "down", "down")   # unchanged → confirmed → disputed → denied
            await settle(pilot)
            assert "✗ denied" in screen_text(app)
            await press(pilot, "enter")
            mark = claim_history(case, first)[-1]
            assert (mark.kind, mark.status, mark.note) == \
                ("mark", "denied", "Denied by the ministry")
            assert pane.paged_list.cursor_item_id == second


async def test_up_in_the_note_box_never_adds_a_status(seed_case_copy: Path):
    # Issue 16.10: n, a note, ↑ (a shell's history reflex), Enter saved an "unreviewed" mark.
    with db.open_case(seed_case_copy) as case:
        first = unreviewed_ids(case)[0]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            pane = app.active_pane
            await pilot.press("m", *"Ask the desk", "up", "up")
            await settle(pilot)
            assert "unchanged (a note only)" in screen_text(app)
            await pilot.press("down")                  # a status is chosen: the hint names it
            await settle(pilot)
            assert "marks it ✓ confirmed" in screen_text(app)
            await pilot.press("up")
            await settle(pilot)
            assert "marks it" not in screen_text(app)
            await press(pilot, "enter")
            assert [(m.kind, m.status) for m in claim_history(case, first)] == \
                [("note", "unreviewed")]
            assert pane.paged_list.cursor_item_id == first   # a note does not move on


async def test_esc_cancels_a_note(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[0]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_claims(pilot, claim_id)
            await pilot.press("m", *"never mind", "escape")
            await settle(pilot)
            assert not isinstance(app.screen, NoteScreen)
            assert claim_history(case, claim_id) == []


async def test_z_takes_back_the_mark_just_made_and_returns_to_it(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        first, second = unreviewed_ids(case)[:2]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            pane = app.active_pane
            await press(pilot, "c")              # oops
            assert pane.paged_list.cursor_item_id == second
            await press(pilot, "z")
            assert get_claim(case, first).status == "unreviewed"
            assert [m.kind for m in claim_history(case, first)] == ["mark", "undo"]
            assert pane.paged_list.cursor_item_id == first
            assert "undo" in pane.detail.text and "(undone)" in pane.detail.text
            # Nothing of ana's left on it: z says so in one line, nothing changes.
            await press(pilot, "z")
            assert [m.kind for m in claim_history(case, first)] == ["mark", "undo"]
            assert app.is_running


async def test_a_mark_equal_to_the_status_writes_nothing_and_stays(seed_case_copy: Path):
    # Issue 16.2: U on an unreviewed claim (and c on a confirmed one) records nothing.
    with db.open_case(seed_case_copy) as case:
        first, second = unreviewed_ids(case)[:2]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            pane = app.active_pane
            marks = db.counts(case).annotations
            notes = []
            app.notify = lambda message, **kw: notes.append(message)  # type: ignore
            await press(pilot, "U")
            assert db.counts(case).annotations == marks
            assert claim_history(case, first) == []
            assert pane.paged_list.cursor_item_id == first
            assert notes == [f"Claim {first} is already · unreviewed: nothing written. "
                             "(u undoes your latest mark)"]
            await press(pilot, "4", "c")                       # all claims: confirm, move on
            assert pane.paged_list.cursor_item_id != first
            pane.reveal(first)
            await settle(pilot)
            await press(pilot, "c")                            # again: nothing, no move
            assert [m.status for m in claim_history(case, first)] == ["confirmed"]
            assert pane.paged_list.cursor_item_id == first
            # A note "with" the status it has is a note, not a second mark.
            await pilot.press("m", *"Seen twice", "down")      # unchanged → confirmed
            await press(pilot, "enter")
            assert [m.kind for m in claim_history(case, first)] == ["mark", "note"]
            assert get_claim(case, first).status == "confirmed"


async def test_u_is_undo_where_the_hands_look_for_it(seed_case_copy: Path):
    # Issue 16.2: c then u (the undo reflex) takes the mark back and returns to its claim.
    with db.open_case(seed_case_copy) as case:
        first, second = unreviewed_ids(case)[:2]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            pane = app.active_pane
            await press(pilot, "c")
            assert pane.paged_list.cursor_item_id == second
            await press(pilot, "u")
            assert [m.kind for m in claim_history(case, first)] == ["mark", "undo"]
            assert claim_history(case, second) == []
            assert get_claim(case, first).status == "unreviewed"
            assert pane.paged_list.cursor_item_id == first


async def test_z_on_a_claim_takes_back_ones_own_latest_mark_there(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[3]
        db.claims.mark_claim(case, claim_id, "disputed", annotator="ana")
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_claims(pilot, claim_id)
            await press(pilot, "z")
            assert get_claim(case, claim_id).status == "unreviewed"
            assert claim_history(case, claim_id)[-1].kind == "undo"


async def test_someone_elses_mark_cannot_be_undone(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[3]
        db.claims.mark_claim(case, claim_id, "disputed", annotator="bruno")
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_claims(pilot, claim_id)
            notes = []
            app.notify = lambda message, **kw: notes.append((message, kw))  # type: ignore
            await press(pilot, "z")
            assert get_claim(case, claim_id).status == "disputed"
            assert notes == [("Nothing to undo: last mark by bruno.",
                              {"severity": "error", "timeout": 5, "markup": False})]


async def test_nothing_to_undo_is_one_toast_line_at_80x24(seed_case_copy: Path):
    # Seen in review: "nothing to undo on claim 1: its latest mark is by … (disputed,
    # 2026-12-04 18:57), not by you" wrapped onto three lines over the detail.
    from textual.widgets._toast import Toast

    with db.open_case(seed_case_copy) as case:
        marked, unmarked = unreviewed_ids(case)[3:5]
        db.claims.mark_claim(case, marked, "disputed", annotator="alexandra.kowalczyk")
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            for claim_id, said in [
                    (marked, "Nothing to undo: last mark by alexandra.kowalczyk."),
                    (unmarked, f"Nothing to undo: claim {unmarked} has no marks.")]:
                await open_claims(pilot, claim_id)
                await press(pilot, "u")
                toasts = [toast for screen in app.screen_stack for toast in screen.query(Toast)]
                assert [toast.region.height for toast in toasts] == [1], said
                assert said in screen_text(app)
            assert get_claim(case, marked).status == "disputed"
            assert [m.kind for m in claim_history(case, unmarked)] == []


async def test_read_only_says_why_and_changes_nothing(seed_case_file: Path):
    with db.open_case(seed_case_file, read_only=True) as case:
        marks = db.counts(case).annotations
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_claims(pilot)
            notes = []
            app.notify = lambda message, **kw: notes.append(message)  # type: ignore
            for key in ("c", "d", "x", "U", "u", "m", "z"):
                await press(pilot, key)
                assert not isinstance(app.screen, NoteScreen)
            assert len(notes) == 7
            assert all(note == "Read-only (it was opened read-only): marks and notes are off."
                       for note in notes)
            assert "Read-only: marks are off" in screen_text(app)
        assert db.counts(case).annotations == marks


def test_a_file_the_user_cannot_write_gives_its_reason(seed_case_copy: Path):
    seed_case_copy.chmod(0o444)
    before = seed_case_copy.read_bytes()
    app = PtyApp("open", seed_case_copy, as_unprivileged=True)
    try:
        app.wait_for("READ-ONLY")
        app.send("4", until="Read-only: marks are off")
        app.wait_for("✓ confirmed")   # the claims read (a pane out of sight loads once mounted)
        app.send("c", until="Read-only (you do not")   # the notification, wrapped in its box
        said = " ".join(line.split("▌", 1)[1].strip()        # the toast, right of its edge
                        for line in app.text.splitlines() if "▌" in line)
        assert "permission to write the file): marks and notes are off." in said
    finally:
        assert app.close() == 0
    assert seed_case_copy.read_bytes() == before


async def test_the_keys_list_the_marking_keys(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        assert "On a claim" in text
        for keys in ("c d x U", "n ", "u z ", "v ", "r ", "a "):
            assert f"  {keys}" in text, keys


async def test_the_note_box_takes_any_text_as_text(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = unreviewed_ids(case)[0]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_claims(pilot, claim_id)
            await press(pilot, "m")
            app.screen.query_one(Input).value = "[@click=app.quit]x[/] [bold]b[/]"
            await press(pilot, "enter")
            assert app.is_running
            assert claim_history(case, claim_id)[-1].note == "[@click=app.quit]x[/] [bold]b[/]"
            assert "[@click=app.quit]x[/] [bold]b[/]" in app.active_pane.detail.text


async def test_a_detail_out_of_sight_shows_the_new_status_when_shown_again(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 40)) as pilot:
            await open_logvinov(pilot, case)
            entity_detail = app.active_pane.detail
            claim_id = next(link.id for link in entity_detail.links if link.kind == "claim"
                            and get_claim(case, link.id).status == "unreviewed")
            await open_claims(pilot, claim_id)
            await press(pilot, "x")
            await press(pilot, "1")
            line = next(line for line in entity_detail.text.splitlines()
                        if get_claim(case, claim_id).statement[:30] in line)
            assert "✗ denied" in line


async def test_a_key_while_a_mark_is_saving_is_refused_not_applied_unseen(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        first, second = unreviewed_ids(case)[:2]
        app = browser(case, annotator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "r")
            said = []
            app.notify = lambda message, **kw: said.append(message)   # type: ignore
            app.simulate_key("c")      # a double tap: both keys queued before either is seen
            app.simulate_key("d")
            await settle(pilot)
            assert get_claim(case, first).status == "confirmed"
            assert get_claim(case, second).status == "unreviewed"
            assert "Saving the last mark…" in said
            assert app.active_pane.paged_list.cursor_item_id == second


async def test_a_note_that_cannot_be_saved_comes_back_in_its_box_with_the_reason(seed_case_copy):
    """The file busy past the wait, then the disk full: the note stays in its box
    with why, each time; Enter again saves it once the file can be written."""
    import sqlite3 as sqlite

    packed = sqlite.connect(seed_case_copy)     # built, then packed: no free pages,
    assert packed.execute("PRAGMA freelist_count").fetchone()[0] == 0   # so a full disk
    packed.close()                                                      # is one page away
    with db.open_case(seed_case_copy) as case:
        claim = get_claim(case, unreviewed_ids(case)[0])
        marks = db.counts(case).annotations
        case.conn.execute("PRAGMA busy_timeout = 200")    # (the browser waits 30 s)
        app = browser(case, annotator="ana")
        async with app.run_test(size=(100, 30)) as pilot:
            await open_claims(pilot, claim.id)
            other = sqlite.connect(seed_case_copy, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")              # another writer holds the file
            await press(pilot, "m")
            await pilot.press(*"Seen in two sources.", "enter")
            await settle(pilot)
            assert isinstance(app.screen, NoteScreen)
            assert app.screen.query_one("#note-input").value == "Seen in two sources."
            assert "Not saved:" in screen_text(app) and "is busy" in screen_text(app)
            other.execute("ROLLBACK")
            other.close()
            pages = case.scalar("PRAGMA page_count")
            case.conn.execute(f"PRAGMA max_page_count = {pages}")   # no room for one more page
            box = app.screen.query_one("#note-input")
            await pilot.press(*" more")               # typed at the end of what was there
            box.value += " " + "x" * 3000              # (a long note: more than the room left)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, NoteScreen), "the note was lost on a full disk"
            assert "the disk is full" in screen_text(app), screen_text(app)
            assert "damaged" not in screen_text(app)
            assert db.counts(case).annotations == marks
            case.conn.execute("PRAGMA max_page_count = 1073741823")
            await press(pilot, "enter")
            assert not isinstance(app.screen, NoteScreen)
            assert claim_history(case, claim.id)[-1].note.startswith("Seen in two sources. more xxx")
            assert db.counts(case).annotations == marks + 1
