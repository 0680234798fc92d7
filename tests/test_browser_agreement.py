"""Agreement in the browser: `a` (or the palette) shows each pair of
annotators with Cohen's kappa and the claims they disagree on; Enter goes to
one. The claim detail shows each annotator's standing mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser, press, screen_text, settle
from textual.command import CommandPalette

import db
from db.agreement import pair_agreements
from db.claims import mark_claim
from tui.screens.agreement import AgreementScreen

# claim id: (ana, bruno)
JUDGEMENTS = {3: ("confirmed", "confirmed"), 4: ("denied", "denied"), 6: ("confirmed", "disputed"),
              7: ("disputed", "disputed"), 8: ("denied", "confirmed")}


def judged_case(path: Path) -> Path:
    with db.open_case(path) as case:
        for claim_id, (ana, bruno) in JUDGEMENTS.items():
            mark_claim(case, claim_id, ana, annotator="ana",
                       created_at=f"2030-01-0{claim_id % 9 + 1}T09:00:00.000000Z")
            mark_claim(case, claim_id, bruno, annotator="bruno",
                       created_at=f"2030-01-0{claim_id % 9 + 1}T10:00:00.000000Z")
        mark_claim(case, 9, "denied", annotator="chloé", created_at="2030-01-09T11:00:00.000000Z")
    return path


@pytest.fixture
def judged_case_file(seed_case_copy: Path) -> Path:
    return judged_case(seed_case_copy)


async def test_a_shows_kappa_per_pair_and_the_disagreements(judged_case_file: Path):
    with db.open_case(judged_case_file, read_only=True) as case:
        pairs = {(p.annotator_a, p.annotator_b): p for p in pair_agreements(case)}
        ana_bruno = pairs[("ana", "bruno")]
        assert (ana_bruno.claims, ana_bruno.agreements) == (5, 3)
        app = browser(case)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "A")
            assert isinstance(app.screen, AgreementScreen)
            text = app.screen.query_one("#agreement-view").text
            assert "Annotators (3) and claims judged: ana 5 · bruno 5 · chloé 1" in text
            row = next(line for line in text.splitlines() if line.startswith("ana · bruno"))
            assert row.split()[3:] == ["5", "3", "2", f"{ana_bruno.observed:.2f}",
                                       f"{ana_bruno.expected:.2f}", f"{ana_bruno.kappa:.2f}"]
            assert "  — no claim judged by both" in text        # ana and chloé share none
            assert "Claims in disagreement (2)" in text
            await press(pilot, "escape")
            assert not isinstance(app.screen, AgreementScreen)


async def test_enter_on_a_disagreement_goes_to_the_claim(judged_case_file: Path):
    with db.open_case(judged_case_file, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "r")              # the unreviewed queue: claim 6 is not in it
            await press(pilot, "A")
            view = app.screen.query_one("#agreement-view")
            assert [link.id for link in view.links] == [6, 8]
            await press(pilot, "enter")
            assert not isinstance(app.screen, AgreementScreen)
            pane = app.active_pane
            assert app.active_kind == "claim" and pane.paged_list.cursor_item_id == 6
            assert "≠ annotators disagree" in pane.detail.text
            assert "ana  ✓ confirmed" in pane.detail.text
            assert "bruno  ? disputed" in pane.detail.text


async def test_the_palette_opens_agreement_and_the_queues(judged_case_file: Path):
    with db.open_case(judged_case_file, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            for title in ("Agreement", "Review", "Claims: unreviewed", "Claims: conflicts",
                          "Claims: disagreements", "Claims: all"):
                assert title in titles
            await press(pilot, "colon")
            await pilot.press(*"agreement")
            await settle(pilot)
            await press(pilot, "enter")
            assert isinstance(app.screen, AgreementScreen)
            await press(pilot, "escape")
            await press(pilot, "colon")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"claims: disagreements")
            await settle(pilot)
            await press(pilot, "enter")
            assert app.active_kind == "claim" and app.active_pane.queue == "disagreements"
            assert app.active_pane.paged_list.total == 2


async def test_no_judgements_yet(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        assert "No annotator has judged a claim yet." in screen_text(app)


async def test_agreement_says_who_said_what_and_updates_while_open(judged_case_file: Path):
    # Issue 16.12: it showed only a disagreement's current status, and never updated.
    import asyncio

    from conftest import run_cli

    with db.open_case(judged_case_file, read_only=True) as case:
        app = browser(case)
        app.POLL_SECONDS = 0.05
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "A")
            view = app.screen.query_one("#agreement-view")
            lines = view.text.splitlines()
            said = [line.strip() for line in lines if line.startswith("    ana ")]
            assert sorted(said) == ["ana ✓ confirmed · bruno ? disputed",
                                    "ana ✗ denied · bruno ✓ confirmed"]
            view.action_link_down()
            chosen = view.link
            result = run_cli("annotate", judged_case_file, "3", "disputed", "--annotator", "chloé")
            assert result.returncode == 0, result.stderr
            deadline = asyncio.get_running_loop().time() + 60   # a ceiling: the machine may be busy
            while "Claims in disagreement (3)" not in view.text:
                assert asyncio.get_running_loop().time() < deadline, view.text
                await asyncio.sleep(0.05)
                await settle(pilot)
            assert "chloé ? disputed" in view.text
            assert isinstance(app.screen, AgreementScreen) and view.link == chosen
