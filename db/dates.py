"""Dates as sources write them, read at the precision they are written at.

``date_in(text)`` finds the first date in a piece of text — "14 June 2023",
"June 14, 2023", "June 2023", "June–August 2022", "2010 to 2014", "2019",
"the 1990s", "2023-06" — and gives it as an event's dates: a month stays a
month and a decade a decade, never an invented day. The browser fills a new
event's dates with it from the words an analyst chose.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .models import MONTHS

_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTHS, 1)}
_MONTH_NUMBERS.update({name[:3].lower(): number for number, name in enumerate(MONTHS, 1)})
_MONTH_NUMBERS["sept"] = 9
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_TO = r"\s*(?:–|—|-|to|until|and)\s*"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rf"(?<![\w-]){pattern}(?!\w|-\d)", re.IGNORECASE)) for name, pattern in (
        ("iso_day", r"(\d{4})-(\d{2})-(\d{2})"),
        ("iso_month", r"(\d{4})-(\d{2})"),
        ("day_month_year", rf"{_DAY} {_MONTH},? {_YEAR}"),
        ("month_day_year", rf"{_MONTH} {_DAY},? {_YEAR}"),
        ("month_range", rf"{_MONTH}{_TO}{_MONTH},? {_YEAR}"),
        ("month_year", rf"{_MONTH},? {_YEAR}"),
        ("decade", r"(\d{3}0)s"),
        ("year_range", rf"{_YEAR}{_TO}{_YEAR}"),
        ("year", r"(1[5-9]\d\d|20\d\d)"),
    )
]


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the event's dates and where the words are."""

    date_start: str
    date_end: str
    precision: str
    start: int     # where the date's words are in the text
    end: int


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name.lower().rstrip(".")]


def _day(year: str, month: int, day: str) -> tuple[str, str, str] | None:
    try:
        date = datetime.date(int(year), month, int(day))
    except ValueError:
        return None  # 31 February is no day
    return date.isoformat(), "", "day"


def _read(kind: str, groups: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(date_start, date_end, precision) for one match, or None if it is no date."""
    if kind == "iso_day":
        year, month, day = groups
        return _day(year, int(month), day) if 1 <= int(month) <= 12 else None
    if kind == "iso_month":
        year, month = groups
        return (f"{year}-{month}", "", "month") if 1 <= int(month) <= 12 else None
    if kind == "day_month_year":
        day, month, year = groups
        return _day(year, _month(month), day)
    if kind == "month_day_year":
        month, day, year = groups
        return _day(year, _month(month), day)
    if kind == "month_range":
        first, last, year = groups
        if _month(last) < _month(first):
            return None
        return f"{year}-{_month(first):02d}", f"{year}-{_month(last):02d}", "month"
    if kind == "month_year":
        month, year = groups
        return f"{year}-{_month(month):02d}", "", "month"
    if kind == "decade":
        return groups[0], "", "decade"
    if kind == "year_range":
        first, last = groups
        return (first, last, "year") if first < last else None
    return groups[0], "", "year"


def date_in(text: str) -> FoundDate | None:
    """The first date written in ``text`` (the longest, where several start
    at the same place), or None."""
    found: list[tuple[int, int, FoundDate]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            read = _read(kind, match.groups())
            if read is not None:
                found.append((match.start(), -(match.end() - match.start()),
                              FoundDate(*read, start=match.start(), end=match.end())))
                break
    if not found:
        return None
    return min(found, key=lambda item: item[:2])[2]
