"""``W``: the activity log in the browser — who did what when, newest first,
paged in SQL, narrowed to one annotator, Enter going to the item; the real
app driven by Pilot over a copy of the demo case, and its snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser, press, screen_lines, screen_text, settle
from textual.widgets import Input

import db
from db import curation
from tui.screens.activity import ActivityScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def case(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as opened:
        yield opened


def test_the_log_pages_in_sql_newest_first_and_counts_each_filter(case):
    curation.revise(case, "event", 1, {"title": "Ben's title"}, annotator="ben")
    curation.retire(case, "claim", 2, reason="a duplicate", annotator="ana")
    total = curation.count_activity(case)
    first, second = (curation.activity(case, offset=0, limit=3),
                     curation.activity(case, offset=3, limit=3))
    assert [e.action for e in first[:2]] == ["retired", "revised"]
    assert (first[0].annotator, first[0].kind, first[0].item_id) == ("ana", "claim", 2)
    every = curation.activity(case, limit=total + 10)
    assert len(every) == total
    assert every[:6] == [*first, *second]
    assert [e.at for e in every] == sorted((e.at for e in every), reverse=True)
    assert curation.count_activity(case, annotator="ben") == 1
    assert [e.action for e in curation.activity(case, annotator="ben")] == ["revised"]
    assert "ben" in curation.activity_annotators(case)


def test_a_relationship_added_is_in_the_log_with_who_added_it(case):
    from db.relationships import add_relationship

    before = curation.count_activity(case, kind="relationship")
    added = add_relationship(case, subject_entity_id=1, object_entity_id=2, type="associate",
                             created_by="cleo")
    [entry] = curation.activity(case, annotator="cleo")
    assert (entry.action, entry.kind, entry.item_id, entry.detail) == (
        "added", "relationship", added.id, "associate")
    assert curation.count_activity(case, kind="relationship") == before + 1


def test_a_combination_and_a_judgement_name_the_other_entity_in_the_log(case):
    from db.entities import add_entity

    kept = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    twin = add_entity(case, kind="person", name="K. Logvinov", created_by="dan").id or 0
    other = add_entity(case, kind="person", name="Logvinoff", created_by="dan").id or 0
    curation.combine(case, kept, [twin], annotator="dan", note="one man")
    curation.uncombine(case, twin, annotator="dan")
    curation.judge_pair(case, kept, other, "not_same", annotator="dan")
    details = {e.action: e.detail for e in curation.activity(case, annotator="dan")}
    assert details["combined"] == f"absorbed entity {twin} (K. Logvinov) one man"
    assert details["uncombined"] == f"gave back entity {twin} (K. Logvinov)"
    assert details["judged"] in (f"not_same as entity {other} (Logvinoff)",
                                 f"not_same as entity {kept} (Kirill Logvinov)")


async def test_W_shows_the_log_a_name_narrows_it_and_enter_goes_to_the_item(case):
    curation.revise(case, "event", 1, {"title": "Ben's title"}, annotator="ben")
    curation.retire(case, "claim", 2, reason="a duplicate", annotator="ana")
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        listed = screen.query_one("#activity-list")
        assert listed.total == curation.count_activity(case)
        lines = screen_lines(app)
        newest = next(i for i, line in enumerate(lines) if "retired" in line and "claim 2" in line)
        revised = next(i for i, line in enumerate(lines) if "revised" in line and "event 1" in line)
        assert newest < revised
        await press(pilot, "tab")
        assert isinstance(app.focused, Input)
        await pilot.press("b", "e", "n")
        await settle(pilot)
        assert listed.total == 1
        await press(pilot, "enter")                    # back to the list
        assert app.focused is listed
        await press(pilot, "enter")                    # to the item
        assert not isinstance(app.screen, ActivityScreen)
        assert app.active_kind == "event"
        assert app.pane("event").paged_list.cursor_item_id == 1


async def test_t_shows_one_kind_of_item_at_a_time_in_the_log(case):
    curation.revise(case, "event", 1, {"title": "Ben's title"}, annotator="ben")
    curation.retire(case, "claim", 2, reason="a duplicate", annotator="ana")
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        listed = screen.query_one("#activity-list")
        entities, events = (case.scalar(f"SELECT count(*) FROM {t}") for t in ("entities", "events"))
        await press(pilot, "t")                        # entities: none was curated, each added
        assert listed.total == curation.count_activity(case, kind="entity") == entities
        assert {e.action for e in curation.activity(case, kind="entity", limit=500)} == {"added"}
        assert "entity only" in screen_text(app)
        await press(pilot, "t")                        # events: ben's revision, and each added
        assert listed.total == curation.count_activity(case, kind="event") == events + 1
        assert any("revised" in line and "event 1" in line for line in screen_lines(app))
        assert not any("claim 2" in line for line in screen_lines(app))
        await press(pilot, "t", "t")                   # claims: the retirement and the marks
        assert listed.total == curation.count_activity(case, kind="claim")
        assert any("retired" in line and "claim 2" in line for line in screen_lines(app))
        await press(pilot, "t", "t", "t")              # relationship, source, then all again
        assert listed.total == curation.count_activity(case)
        assert " only" not in screen_lines(app)[1]   # the title says every kind again


async def test_the_palette_opens_the_log_and_esc_closes_it(case):
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.run_action("command_palette")
        await settle(pilot)
        await pilot.press(*"Activity log")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, ActivityScreen)
        await press(pilot, "escape")
        assert not isinstance(app.screen, ActivityScreen)


async def test_an_items_detail_shows_its_combinations(case):
    kirill = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    twin = curation.add_item(case, "entity", {"kind": "person", "name": "K. Logvinov"})
    curation.combine(case, kirill, [twin.id], annotator="ana", note="same man")
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "1")
        app.pane("entity").reveal(kirill)
        await settle(pilot)
        detail = " ".join(app.pane("entity").detail.text.split())
        assert "ana another entity combined into it" in detail and "same man" in detail


def _log_steps():
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "W", "tab")
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        # The seed's marks only: its sources were added when the file was built (today).
        await pilot.press(*"seed")
        await settle(pilot)
        await press(pilot, "enter")
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_activity_log(snap_compare, seed_case, size):
    assert snap_compare(browser(seed_case), terminal_size=size, run_before=_log_steps())


async def test_an_entity_made_with_the_build_form_is_in_the_log_under_its_kind(observer_case):
    """Issue 11: additions are in the log. The browser's build form records who
    (the app's annotator) and when; W lists it, and t's kind filter keeps it."""
    from build_flow import browsing, excerpt_with, type_text

    paragraph = excerpt_with(observer_case, "carried out by VSquare")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "e")
        await type_text(pilot, "VSquare")
        await press(pilot, "tab", "o", "enter")
        made = int(observer_case.scalar("SELECT id FROM entities WHERE name = 'VSquare'"))
        row = observer_case.row("SELECT created_at, created_by FROM entities WHERE id = ?", [made])
        assert row is not None and row[1] == "tester" and row[0].endswith("Z")
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        top = next(line for line in screen_lines(app) if f"entity {made}" in line)
        assert "tester" in top and "added" in top and "VSquare" in top
        await press(pilot, "t")                        # entities only: it is there
        assert "entity only" in screen_text(app)
        assert screen.query_one("#activity-list").total == curation.count_activity(
            observer_case, kind="entity")
        assert any(f"entity {made}" in line and "added" in line for line in screen_lines(app))
        await press(pilot, "t")                        # events only: it is not
        assert not any(f"entity {made}" in line for line in screen_lines(app))
    [entry] = curation.activity(observer_case, kind="entity", item_id=made)
    assert (entry.action, entry.annotator, entry.at) == ("added", "tester", row[0])
