"""Snapshots of the build-a-case screens at 80x24 and 160x48: the span
picker, each form and each picker, over the Observer case (documents just
added). Nothing shown depends on the clock, and inputs do not blink. After
an intended change: pytest tests/test_build_snapshots.py --snapshot-update,
then look at the SVGs in tests/__snapshots__/test_build_snapshots/.
"""

from __future__ import annotations

import pytest
from build_flow import excerpt_with, word_keys
from conftest import browser, press, settle
from textual.widgets import Input

import db
import db.building
import db.claims
import db.entities
import db.events

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
FRAGMENT = "suspects Kirill Logvinov"


def steps(excerpt_id: int, *keys: str | list[str]):
    """Go to the excerpt, then press keys one by one (a list of keys at once),
    letting every read finish."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "3")
        pilot.app.pane("excerpt").reveal(excerpt_id)
        await settle(pilot)
        for key in keys:
            together = key if isinstance(key, list) else [key]
            await pilot.press(*("space" if k == " " else k for k in together))
            await settle(pilot)
        for input_box in pilot.app.screen.query(Input):
            input_box.cursor_blink = False
        await settle(pilot)

    return run_before


@pytest.fixture
def case(observer_case):
    """The Observer case with a few entities, one of them linked to the excerpt."""
    paragraph = excerpt_with(observer_case, FRAGMENT)
    kirill = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov",
                                    aliases=["Kirilas Logvinovas"])
    db.entities.add_entity(observer_case, kind="organization", name="VSSE",
                           aliases=["Belgian State Security Service"])
    db.building.link_entity(observer_case, paragraph.id, kirill.id)
    db.claims.add_claim(observer_case, statement="Logvinov works for Russian intelligence",
                        claimant="Belgian counterintelligence")
    db.events.add_event(observer_case, title="Logvinov heads the Russian mission to the EU",
                        date_start="2022-09", date_precision="month")
    return observer_case


def span_keys(case, quote: str) -> list[str | list[str]]:
    return ["s", word_keys(excerpt_with(case, FRAGMENT).text, quote)]


@pytest.mark.parametrize("size", SIZES)
def test_span_picker(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id,
                                         *span_keys(case, "Belgian counterintelligence suspects")))


@pytest.mark.parametrize("size", SIZES)
def test_entity_form(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, *span_keys(case, "Belgian counterintelligence"),
                                         "e", "tab", "o"))


@pytest.mark.parametrize("size", SIZES)
def test_event_form_refusing_an_invented_day(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, *span_keys(case, "since September 2022"),
                                         "t", list("Heads the mission"), "tab", "tab", "tab", "d",
                                         "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_claim_form(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, *span_keys(case, "Belgian counterintelligence "
                                                                        "suspects Kirill Logvinov"),
                                         "a", "tab", list("Belgian"), "tab", "tab", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_link_picker(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, "l", list("belgian")))


@pytest.mark.parametrize("size", SIZES)
def test_cite_picker(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, "i", list("logvinov")))


@pytest.mark.parametrize("size", SIZES)
def test_relationship_form(snap_compare, case, size):
    paragraph = excerpt_with(case, FRAGMENT)
    vsse = next(e for e in db.entities.entities_page(case, offset=0, limit=10) if e.name == "VSSE")
    db.building.link_entity(case, paragraph.id, vsse.id)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id, "R", "tab", "e", "tab", "tab", list("head")))


@pytest.mark.parametrize("size", SIZES)
def test_relationship_form_from_the_span_picker(snap_compare, case, size):
    """R in the span picker: the chosen words are the evidence, and the entity
    they name (VSSE) is offered first, as the subject."""
    paragraph = excerpt_with(case, FRAGMENT)
    vsse = next(e for e in db.entities.entities_page(case, offset=0, limit=10) if e.name == "VSSE")
    db.building.link_entity(case, paragraph.id, vsse.id)
    assert snap_compare(browser(case), terminal_size=size,
                        run_before=steps(paragraph.id,
                                         *span_keys(case, "the Belgian State Security Service "
                                                          "(VSSE) declined to comment"), "R"))
