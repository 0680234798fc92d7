"""Events: the case's timeline, each date kept at its known precision."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from .casefile import Case, new_uid, utc_now
from .damage import read_model
from .entities import entities_by_ids
from .errors import NotFoundError
from .evidence import evidence_rows
from .models import Entity, Event, Evidence
from .paging import all_of, check_shown, count_live, live, page_ids, rows_by_id
from .tables import EVENT_ENTITIES, EVENT_EXCERPTS, EVENTS
from .text import nfc

EVENT_SELECT = f"SELECT {EVENTS.select(EVENTS.model_columns)} FROM events WHERE id IN"
_ADD_EVENT = EVENTS.insert(with_id=False)
# Date order (partial ISO dates sort as text: a range by its start, then its end).
TIMELINE_ORDER = ("date_start", "date_end", "id")
# The timeline shows the dated events first, then the undated ones: an analyst
# reads it from its first dated event. Two ranges of one index (events_timeline).
_DATED = "date_start > ''"
_UNDATED = "date_start = ''"


def event_from_row(row: sqlite3.Row) -> Event:
    return read_model(Event, dict(row))


def add_event(
    case: Case,
    *,
    title: str,
    date_start: str = "",
    date_end: str = "",
    date_precision: str = "unknown",
    description: str = "",
    entity_ids: Iterable[int] = (),
    excerpt_ids: Iterable[int] = (),
    created_by: str = "",
    created_at: str | None = None,
) -> Event:
    """A new event, added by ``created_by`` now (or at ``created_at``: the seed
    case's fixed time); the activity log shows it."""
    event = Event.model_validate(dict(   # the model checks the dates against the precision
        title=nfc(title).strip(), date_start=date_start, date_end=date_end,
        date_precision=date_precision, description=nfc(description), uid=new_uid(),
        created_at=created_at or utc_now(), created_by=created_by,
    ))
    with case.write() as tx:
        event_id = tx.execute(_ADD_EVENT.sql, _ADD_EVENT.values(event)).lastrowid
        tx.executemany(EVENT_ENTITIES.insert(or_ignore=True).sql,
                       [(event_id, entity_id) for entity_id in entity_ids])
        tx.executemany(EVENT_EXCERPTS.insert(or_ignore=True).sql,
                       [(event_id, excerpt_id) for excerpt_id in excerpt_ids])
    return event.model_copy(update={"id": event_id})


# -- reading --------------------------------------------------------------


def count_events(case: Case, *, include_retired: bool = False) -> int:
    return count_live(case, "events", include_retired=include_retired)


def count_undated_events(case: Case, *, include_retired: bool = False) -> int:
    return count_live(case, "events", where=_UNDATED, include_retired=include_retired)


def timeline_page(case: Case, *, offset: int, limit: int, total: int | None = None,
                  include_retired: bool = False) -> list[Event]:
    """Events in date order, the undated ones at the end (after the last
    dated); retired ones left out unless ``include_retired``."""
    if total is None:
        total = count_events(case, include_retired=include_retired)
    dated = total - count_undated_events(case, include_retired=include_retired)
    offset = max(0, offset)
    ids = page_ids(case, table="events", order=TIMELINE_ORDER, where=_DATED,
                   offset=offset, limit=min(limit, dated - offset), total=dated,
                   include_retired=include_retired)
    if offset + limit > dated:
        start = max(0, offset - dated)
        ids += page_ids(case, table="events", order=TIMELINE_ORDER, where=_UNDATED,
                        offset=start, limit=offset + limit - max(offset, dated),
                        total=total - dated, include_retired=include_retired)
    return events_by_ids(case, ids)


def event_position(case: Case, event_id: int, *, include_retired: bool = False) -> int:
    """Where an event is in the timeline (``timeline_page``'s order)."""
    event = case.row("SELECT date_start, date_end, retired FROM events WHERE id = ?", [event_id])
    if event is None:
        raise NotFoundError(f"no event {event_id}")
    check_shown("event", event_id, event["retired"], include_retired)
    if event["date_start"]:
        return count_live(case, "events", where=f"{_DATED} AND (date_start, date_end, id) < (?, ?, ?)",
                          params=[event["date_start"], event["date_end"], event_id],
                          include_retired=include_retired)
    dated = (count_events(case, include_retired=include_retired)
             - count_undated_events(case, include_retired=include_retired))
    return dated + count_live(case, "events", where=f"{_UNDATED} AND (date_end, id) < (?, ?)",
                              params=[event["date_end"], event_id],
                              include_retired=include_retired)


def year_position(case: Case, year: int, *, include_retired: bool = False) -> int | None:
    """Where the timeline reaches ``year``: its first event dated in that year
    or later (a decade from its first year), else its last dated event; None
    when no event is dated."""
    dated = (count_events(case, include_retired=include_retired)
             - count_undated_events(case, include_retired=include_retired))
    if not dated:
        return None
    before = count_live(case, "events", where=f"{_DATED} AND date_start < ?",
                        params=[f"{max(0, year):04d}"], include_retired=include_retired)
    return min(before, dated - 1)


def get_event(case: Case, event_id: int) -> Event:
    found = events_by_ids(case, [event_id])
    if not found:
        raise NotFoundError(f"no event {event_id}")
    return found[0]


def events_by_ids(case: Case, ids: Sequence[int]) -> list[Event]:
    """The events with these ids, in the order given (ids not found are left out)."""
    return [event_from_row(row) for row in rows_by_id(case, EVENT_SELECT, ids)]


def event_entities(case: Case, event_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[Entity]:
    shown = "" if include_retired else " AND e.retired = 0"
    ids = [row[0] for row in case.rows(
        "SELECT e.id FROM event_entities x JOIN entities e ON e.id = x.entity_id "
        f"WHERE x.event_id = ?{shown} ORDER BY e.sort_name LIMIT ?", [event_id, limit],
    )]
    return entities_by_ids(case, ids)


def event_evidence(case: Case, event_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[Evidence]:
    """An event's evidence (retired excerpts left out unless ``include_retired``)."""
    hidden = live("excerpts", include_retired=include_retired, column="x.excerpt_id")
    return evidence_rows(
        case,
        "SELECT x.excerpt_id, 'supports' AS stance FROM event_excerpts x "
        f"WHERE {all_of('x.event_id = ?', hidden)} ORDER BY x.excerpt_id LIMIT ?",
        [event_id, limit],
    )


def entity_events(case: Case, entity_id: int, *, limit: int = 200,
                  include_retired: bool = True) -> list[Event]:
    """An entity's events in date order (retired ones left out unless ``include_retired``)."""
    shown = "" if include_retired else " AND v.retired = 0"
    ids = [row[0] for row in case.rows(
        "SELECT v.id FROM event_entities x JOIN events v ON v.id = x.event_id "
        f"WHERE x.entity_id = ?{shown} "
        "ORDER BY v.date_start = '', v.date_start, v.date_end, v.id LIMIT ?",
        [entity_id, limit],
    )]
    return events_by_ids(case, ids)


def excerpt_events(case: Case, excerpt_id: int, *, limit: int = 200,
                   include_retired: bool = True) -> list[Event]:
    shown = "" if include_retired else " AND v.retired = 0"
    ids = [row[0] for row in case.rows(
        "SELECT v.id FROM event_excerpts x JOIN events v ON v.id = x.event_id "
        f"WHERE x.excerpt_id = ?{shown} ORDER BY v.date_start = '', v.date_start, v.id LIMIT ?",
        [excerpt_id, limit],
    )]
    return events_by_ids(case, ids)
