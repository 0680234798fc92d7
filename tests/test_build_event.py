"""From an excerpt, a new event (``t``): the chosen words are its evidence,
a date among them fills the dates at the precision written, and a date is
checked at its precision before anything is written: never an invented day."""

from __future__ import annotations

import pytest
from build_flow import (  # noqa: F401
    browsing,
    choose_words,
    excerpt_with,
    on_excerpt,
    press,
    type_text,
)

import db
import db.building
import db.entities
from db.dates import date_problem
from db.events import event_entities, event_evidence, timeline_page
from tui.screens.build_forms import EventForm
from tui.widgets.checklist import EntityChecklist


def field_error(form, name: str) -> str:
    error = form.query_one(f"#{name}-error")
    return str(error.render()) if error.display else ""


async def test_an_invented_day_is_refused_and_nothing_is_written(observer_case):
    paragraph = excerpt_with(observer_case, "barred from the Parliament since March 2022")
    before = db.counts(observer_case)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "t")
        form = app.screen
        assert isinstance(form, EventForm)
        await type_text(pilot, "Diplomats barred")
        await press(pilot, "tab")
        await type_text(pilot, "2022-03")
        assert form.choice("precision") == "month"          # follows the way it is written
        # The analyst insists on a day: "2022-03" is no day, and none is made up.
        await press(pilot, "tab", "tab", "d")
        assert form.choice("precision") == "day"
        await press(pilot, "enter")
        assert isinstance(app.screen, EventForm)
        assert field_error(form, "date_start") == (
            "↑ 2022-03 is a month: choose precision month, or add the day")
        assert form.query_one("#date_start").has_focus
        assert db.counts(observer_case) == before
        # An end before the start is refused too.
        await press(pilot, "ctrl+u")
        await type_text(pilot, "2022-03-02")
        await press(pilot, "tab")
        await type_text(pilot, "2022-03-01")
        await press(pilot, "enter")
        assert "ends before it starts" in field_error(form, "date_end")
        assert field_error(form, "date_start") == ""
        assert db.counts(observer_case) == before
        # Back to the month the source gives: saved at that precision.
        await press(pilot, "ctrl+u", "shift+tab", "ctrl+u")
        await type_text(pilot, "2022-03")
        await press(pilot, "tab", "tab", "m", "enter")
        assert not isinstance(app.screen, EventForm)
    (event,) = timeline_page(observer_case, offset=0, limit=10)
    assert (event.date_start, event.date_end, event.date_precision) == ("2022-03", "", "month")
    assert event.date_label == "March 2022"
    assert [e.excerpt.id for e in event_evidence(observer_case, event.id)] == [paragraph.id]


async def test_a_date_in_the_chosen_words_fills_the_dates(observer_case):
    paragraph = excerpt_with(observer_case, "barred from the Parliament since March 2022")
    async with browsing(observer_case, paragraph.id, (160, 48)) as (app, pilot):
        await press(pilot, "s")
        await choose_words(pilot, paragraph.text, "since March 2022")
        await press(pilot, "t")
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.text("date_start") == "2022-03" and form.choice("precision") == "month"
        assert form.text("title") == ""          # the words were little more than the date
        await type_text(pilot, "Diplomats barred")
        await press(pilot, "enter")
        assert app.active_kind == "event"
    (event,) = timeline_page(observer_case, offset=0, limit=10)
    assert event.title == "Diplomats barred"
    assert event.date_label == "March 2022"
    (evidence,) = event_evidence(observer_case, event.id)
    assert evidence.excerpt.kind == "quote" and evidence.excerpt.text == "since March 2022"


async def test_a_decade_and_entities_ticked_or_found(observer_case):
    paragraph = excerpt_with(observer_case, "suspects Kirill Logvinov")
    kirill = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov")
    vsse = db.entities.add_entity(observer_case, kind="organization", name="VSSE")
    db.building.link_entity(observer_case, paragraph.id, kirill.id)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "t")
        form = app.screen
        await type_text(pilot, "Career")
        await press(pilot, "tab")
        await type_text(pilot, "1990s")
        assert form.choice("precision") == "decade"
        # Entities: the one the excerpt mentions is listed; another is found by typing.
        checklist = form.query_one(EntityChecklist)
        await press(pilot, "tab", "tab", "tab", "tab")
        assert checklist.has_focus
        await press(pilot, "space")                            # tick Kirill Logvinov
        await type_text(pilot, "vss")                          # opens the entity picker
        await press(pilot, "enter")
        assert app.screen is form and checklist.has_focus
        assert {e.id for e in checklist.chosen} == {kirill.id, vsse.id}
        await press(pilot, "enter")
    (event,) = timeline_page(observer_case, offset=0, limit=10)
    assert (event.date_start, event.date_precision, event.date_label) == ("1990", "decade", "1990s")
    assert {e.id for e in event_entities(observer_case, event.id)} == {kirill.id, vsse.id}


@pytest.mark.parametrize("typed, precision, problem", [
    ("2023-06-14", "day", ""),
    ("2023-06", "day", "2023-06 is a month: choose precision month, or add the day"),
    ("2023", "month", "2023 is a year: choose precision year, or write YYYY-MM"),
    ("June 2023", "month", ""),                       # as sources write it
    ("June 2023", "day", "June 2023 is a month: choose precision month, or add the day"),
    ("Summer 2023", "month", "not a month: write YYYY-MM"),
    ("1990s", "decade", ""),
    ("1995s", "decade", "not a decade: write 1990s"),
    ("", "year", "a date is needed (YYYY), or choose unknown"),
    ("2023", "unknown", "unknown takes no date: clear it or choose a precision"),
    ("", "unknown", ""),
])
def test_a_date_is_checked_at_its_precision(typed, precision, problem):
    assert date_problem(typed, precision, required=True) == problem
