"""Dates as sources write them (``db.dates.date_in``), read at the precision
they are written at: a month stays a month, never an invented day."""

from __future__ import annotations

import pytest

from db.dates import date_in


@pytest.mark.parametrize("text, found", [
    ("since March 2022, when", ("2022-03", "", "month")),
    ("On 14 June 2023 he", ("2023-06-14", "", "day")),
    ("on June 14, 2023,", ("2023-06-14", "", "day")),
    ("June–August 2022", ("2022-06", "2022-08", "month")),
    ("from 2010 to 2014", ("2010", "2014", "year")),
    ("in the 1990s", ("1990", "", "decade")),
    ("the 2019 elections", ("2019", "", "year")),
    ("2023-06", ("2023-06", "", "month")),
    ("31 February 2023", ("2023-02", "", "month")),   # no such day: the month is what holds
    ("the 2019-20 season", None),
    ("no date here, 12 MEPs", None),
])
def test_dates_as_sources_write_them(text, found):
    date = date_in(text)
    assert (None if date is None else (date.date_start, date.date_end, date.precision)) == found


def test_the_first_date_is_found_and_where_its_words_are():
    text = "Expelled in April 2022, he returned in 2023."
    date = date_in(text)
    assert (date.date_start, date.precision) == ("2022-04", "month")
    assert text[date.start:date.end] == "April 2022"
