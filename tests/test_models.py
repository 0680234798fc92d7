"""Dates at their precision, and validation of what goes into a case."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from db.models import Event, Excerpt


@pytest.mark.parametrize(
    "start, end, precision, label",
    [
        ("2022-03-18", "", "day", "18 March 2022"),
        ("2023-06", "", "month", "June 2023"),
        ("2018", "", "year", "2018"),
        ("1990", "", "decade", "1990s"),
        ("", "", "unknown", "date unknown"),
        ("2010", "2014", "year", "2010–2014"),
        ("2022-06", "2022-08", "month", "June–August 2022"),
        ("2022-05", "2023-03", "month", "May 2022 – March 2023"),
        ("2023-06-03", "2023-06-05", "day", "3–5 June 2023"),
    ],
)
def test_event_dates_show_their_precision(start, end, precision, label):
    event = Event(title="t", date_start=start, date_end=end, date_precision=precision)
    assert event.date_label == label


@pytest.mark.parametrize(
    "start, end, precision",
    [
        ("2022-03", "", "day"),       # a month is not a day
        ("2022-03-18", "", "year"),   # no invented precision either way
        ("1995", "", "decade"),       # a decade starts at a round year
        ("2022", "", "unknown"),
        ("2014", "2010", "year"),     # ranges run forwards
        ("2022-13", "", "month"),
    ],
)
def test_event_dates_must_match_their_precision(start, end, precision):
    with pytest.raises(ValidationError):
        Event(title="t", date_start=start, date_end=end, date_precision=precision)


def test_excerpt_text_must_fit_its_span():
    Excerpt(source_id=1, start=0, end=3, text="abc")
    with pytest.raises(ValidationError):
        Excerpt(source_id=1, start=0, end=4, text="abc")
    with pytest.raises(ValidationError):
        Excerpt(source_id=1, start=3, end=3, text="")
