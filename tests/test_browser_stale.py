"""A claim that changed since the annotator saw it is never overwritten
blindly: the browser says who changed it to what and when, and the annotator
keeps theirs (marked again over the new version, on the record) or takes the
claim as it now is."""

from __future__ import annotations

from pathlib import Path

from conftest import browser, press, screen_text, settle

import db
from db.claims import add_note, claim_history, get_claim, mark_claim
from db.review import queue_page
from tui.screens.mark_dialogs import StaleMarkScreen

BRUNO_AT = "2030-01-02T10:05:00.000000Z"


def quiet_browser(case: db.Case):
    """A browser that does not poll: its view stays as the annotator saw it."""
    app = browser(case, annotator="ana")
    app.POLL_SECONDS = 3600
    return app


async def stale_dialog(pilot, path: Path, key: str = "c", *, change=None):
    """Put the cursor on the first unreviewed claim, let bruno mark it through
    another connection before any poll, then press ``key``."""
    app = pilot.app
    await settle(pilot)
    await press(pilot, "r")
    claim = app.active_pane.paged_list.cursor_item.claim
    with db.open_case(path) as other:
        (change or (lambda case, claim_id: mark_claim(
            case, claim_id, "denied", annotator="bruno", note="Ministry denies it.",
            created_at=BRUNO_AT)))(other, claim.id)
    await press(pilot, key)
    return claim


async def test_the_dialog_says_who_changed_it_to_what_and_when(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            claim = await stale_dialog(pilot, seed_case_copy)
            assert isinstance(app.screen, StaleMarkScreen)
            text = screen_text(app)
            assert f"Claim {claim.id} changed since you saw it" in text
            assert "bruno marked it ✗ denied at 2030-01-02 10:05 UTC: “Ministry denies it.”" in text
            assert "Your mark: ✓ confirmed" in text
            assert f"You saw version {claim.version}; it is now version {claim.version + 1}" in text
            # Nothing of ana's is written while she chooses.
            assert [m.annotator for m in claim_history(case, claim.id)] == ["bruno"]


async def test_a_long_note_is_cut_so_the_choices_stay_on_an_80x24_screen(seed_case_copy: Path):
    long_note = " ".join(f"reason{n}" for n in range(300))

    def change(case, claim_id):
        mark_claim(case, claim_id, "denied", annotator="bruno", note=long_note, created_at=BRUNO_AT)

    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await stale_dialog(pilot, seed_case_copy, change=change)
            assert isinstance(app.screen, StaleMarkScreen)
            text = " ".join(screen_text(app).split())
            assert "“reason0 reason1" in text and "…”" in text and "reason299" not in text
            assert "Keep mine" in text and "Take theirs" in text


async def test_keep_mine_marks_again_over_the_new_version(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            claim = await stale_dialog(pilot, seed_case_copy)
            pane = app.pane("claim")
            await press(pilot, "m")
            assert not isinstance(app.screen, StaleMarkScreen)
            history = claim_history(case, claim.id)
            assert [(m.annotator, m.previous_status, m.status) for m in history] == [
                ("bruno", "unreviewed", "denied"), ("ana", "denied", "confirmed")]
            assert get_claim(case, claim.id).version == claim.version + 2
            # The judgement done, the queue moves on.
            assert pane.paged_list.cursor_item_id != claim.id


async def test_take_theirs_changes_nothing_and_shows_the_claim_as_it_is(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(160, 48)) as pilot:
            claim = await stale_dialog(pilot, seed_case_copy)
            await press(pilot, "t")
            assert not isinstance(app.screen, StaleMarkScreen)
            assert [m.annotator for m in claim_history(case, claim.id)] == ["bruno"]
            assert get_claim(case, claim.id).status == "denied"
            # The queue reads again: the claim bruno denied has left the unreviewed queue.
            pane = app.pane("claim")
            assert pane.paged_list.cursor_item_id != claim.id
            pane.set_queue("all")
            pane.reveal(claim.id)
            await settle(pilot)
            assert "bruno  · unreviewed → ✗ denied" in pane.detail.text


async def test_esc_takes_theirs_too(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            claim = await stale_dialog(pilot, seed_case_copy, "x")
            await press(pilot, "escape")
            assert [m.annotator for m in claim_history(case, claim.id)] == ["bruno"]


async def test_a_stale_note_and_a_stale_undo_are_offered_too(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        app = quiet_browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            claim = await stale_dialog(
                pilot, seed_case_copy, "m",
                change=lambda other, claim_id: add_note(other, claim_id, "Checking.",
                                                        annotator="bruno"))
            await pilot.press(*"Mine too.", "enter")
            await settle(pilot)
            assert isinstance(app.screen, StaleMarkScreen)
            assert "bruno added a note" in screen_text(app)
            assert "Your note: Mine too." in screen_text(app)
            await press(pilot, "m")
            assert [(m.annotator, m.kind, m.note) for m in claim_history(case, claim.id)] == [
                ("bruno", "note", "Checking."), ("ana", "note", "Mine too.")]


async def test_a_mark_on_a_claim_link_checks_the_version_it_showed(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id = queue_page(case, "unreviewed", offset=0, limit=1)[0].id
        app = quiet_browser(case)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "4")
            pane = app.active_pane
            pane.reveal(claim_id)
            await settle(pilot)
            entity_link = next(link for link in pane.detail.links if link.kind == "entity")
            app.follow(entity_link)
            await settle(pilot)
            detail = app.active_pane.detail
            detail.focus()
            assert detail.select_link(next(link for link in detail.links
                                           if link.kind == "claim" and link.id == claim_id))
            await settle(pilot)
            with db.open_case(seed_case_copy) as other:
                mark_claim(other, claim_id, "confirmed", annotator="bruno", created_at=BRUNO_AT)
            await press(pilot, "d")
            assert isinstance(app.screen, StaleMarkScreen)
            await press(pilot, "t")
            assert get_claim(case, claim_id).status == "confirmed"
            assert "✓ confirmed" in detail.text     # the link reads again
