"""Dates as sources write them, and as analysts type them, read at the
precision they are written at.

``date_in(text)`` finds the first date in a piece of text — "14 June 2023",
"June 14, 2023", "June 2023", "June–August 2022", "2010 to 2014", "2019",
"the 1990s", "2023-06" — and gives it as an event's dates: a month stays a
month and a decade a decade, never an invented day. The browser fills a new
event's dates with it from the words an analyst chose. ``date_problem``
says what is wrong with a typed date at a precision, for any form that
takes one.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from pydantic import ValidationError

from .models import MONTHS, Event

_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTHS, 1)}
_MONTH_NUMBERS.update({name[:3].lower(): number for number, name in enumerate(MONTHS, 1)})
_MONTH_NUMBERS["sept"] = 9
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_TO = r"\s*(?:–|—|-|to|until|and)\s*"

_PATTERN_SOURCES: tuple[tuple[str, str], ...] = (
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


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    # Compiled on first use: these long patterns cost the browser's first frame
    # otherwise, which reads no date from text (issue 17 point 9).
    return [(name, re.compile(rf"(?<![\w-]){pattern}(?!\w|-\d)", re.IGNORECASE))
            for name, pattern in _PATTERN_SOURCES]


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
    for kind, pattern in _patterns():
        for match in pattern.finditer(text):
            read = _read(kind, match.groups())
            if read is not None:
                found.append((match.start(), -(match.end() - match.start()),
                              FoundDate(*read, start=match.start(), end=match.end())))
                break
    if not found:
        return None
    return min(found, key=lambda item: item[:2])[2]


# -- dates as typed ----------------------------------------------------------

# What a date looks like at each precision (and how to write one).
DATE_FORMS = {
    "day": "YYYY-MM-DD",
    "month": "YYYY-MM",
    "year": "YYYY",
    "decade": "1990s",
}


def written_date(typed: str) -> FoundDate | None:
    """The typed text read as one date, as a source would write it ("June 2023")."""
    typed = typed.strip()
    found = date_in(typed)
    return found if found and (found.start, found.end) == (0, len(typed)) and not found.date_end else None


def date_value(typed: str) -> str:
    """The date as stored: ``June 2023`` is 2023-06, ``1990s`` the decade 1990."""
    found = written_date(typed)
    return found.date_start if found else typed.strip()


def date_precision_of(typed: str) -> str | None:
    """The precision a typed date is written at, if it reads as a date."""
    found = written_date(typed)
    return found.precision if found else None


def typed_date(date: str, precision: str) -> str:
    """A stored date as it is typed here (the decade 1990 as ``1990s``)."""
    return f"{date}s" if date and precision == "decade" else date


def date_problem(typed: str, precision: str, *, required: bool) -> str:
    """What is wrong with a typed date at ``precision`` ("" if nothing).

    The event model decides; a date is never padded to fit (no invented day).
    """
    typed = typed.strip()
    if precision == "unknown":
        return "unknown takes no date: clear it or choose a precision" if typed else ""
    if not typed:
        return f"a date is needed ({DATE_FORMS[precision]}), or choose unknown" if required else ""
    try:
        Event.model_validate({"title": "-", "date_start": date_value(typed),
                              "date_precision": precision})
    except ValidationError:
        written_as = date_precision_of(typed)
        if written_as and written_as != precision:
            fix = "add the day" if precision == "day" else f"write {DATE_FORMS[precision]}"
            return f"{typed} is a {written_as}: choose precision {written_as}, or {fix}"
        return f"not a {precision}: write {DATE_FORMS[precision]}"
    return ""
