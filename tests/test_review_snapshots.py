"""Snapshots of the review screens at 80x24 and 160x48: the queue after a
judgement, the note box, the changed-meanwhile dialog, agreement.

Deterministic: the seed case is, the marks other annotators make carry a
fixed time (``created_at``), the claims on screen after a judgement have no
mark made in the run, and notifications are cleared before the picture.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser, press, settle
from test_browser_agreement import judged_case
from test_browser_snapshots import SIZES, steps

import db
from db.claims import mark_claim


def quiet_browser(case: db.Case, **options):
    app = browser(case, annotator="ana", **options)
    app.POLL_SECONDS = 3600       # nothing changes behind the picture
    return app


async def no_notifications(pilot) -> None:
    pilot.app.clear_notifications()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_review_queue(snap_compare, seed_case_copy: Path, size):
    with db.open_case(seed_case_copy) as case:
        assert snap_compare(quiet_browser(case), terminal_size=size,
                            run_before=steps("r", "c", after=no_notifications))


@pytest.mark.parametrize("size", SIZES)
def test_note_box(snap_compare, seed_case_copy: Path, size):
    with db.open_case(seed_case_copy) as case:
        assert snap_compare(quiet_browser(case), terminal_size=size,
                            run_before=steps("r", "m", *"Checked with the desk", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_changed_meanwhile(snap_compare, seed_case_copy: Path, size):
    async def bruno_marks_then_ana_confirms(pilot) -> None:
        claim_id = pilot.app.active_pane.paged_list.cursor_item_id
        with db.open_case(seed_case_copy) as other:
            mark_claim(other, claim_id, "denied", annotator="bruno", note="Ministry denies it.",
                       created_at="2030-01-02T10:05:00.000000Z")
        await press(pilot, "c")

    with db.open_case(seed_case_copy) as case:
        assert snap_compare(quiet_browser(case), terminal_size=size,
                            run_before=steps("r", after=bruno_marks_then_ana_confirms))


@pytest.mark.parametrize("size", SIZES)
def test_agreement(snap_compare, seed_case_copy: Path, size):
    judged_case(seed_case_copy)
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert snap_compare(quiet_browser(case), terminal_size=size, run_before=steps("A"))


def test_claim_with_marks_and_disagreement(snap_compare, seed_case_copy: Path):
    judged_case(seed_case_copy)
    with db.open_case(seed_case_copy, read_only=True) as case:
        async def to_claim_6(pilot) -> None:
            pilot.app.active_pane.reveal(6)
            await settle(pilot)

        assert snap_compare(quiet_browser(case), terminal_size=(160, 48),
                            run_before=steps("4", after=to_claim_6))
