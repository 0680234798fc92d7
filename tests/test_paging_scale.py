"""Paged reads on a generated case: positions and pages agree from either end."""

from __future__ import annotations

from pathlib import Path

import pytest

import db
from db.entities import count_entities, entities_page
from db.events import count_events, timeline_page
from db.generate import generate_case
from db.sources import count_excerpts, excerpt_position, excerpts_page


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("paging") / "paging.casebook"
    generate_case(path, excerpts=3_000, seed=11)
    with db.open_case(path, read_only=True) as opened:
        yield opened


def test_an_excerpts_position_is_where_its_page_starts(case):
    total = count_excerpts(case)
    ids = [row[0] for row in case.rows(
        'SELECT id FROM excerpts ORDER BY source_id, start, "end"')]
    assert len(ids) == total
    for position in [0, 1, total // 2 - 1, total // 2, total // 2 + 1, total - 2, total - 1,
                     *range(0, total, 97)]:
        assert excerpt_position(case, ids[position]) == position
        page = excerpts_page(case, offset=position, limit=3, total=total)
        assert page[0].id == ids[position]


def test_pages_from_either_end_tile_the_whole_order(case):
    total = count_excerpts(case)
    tiled = [x.id for offset in range(0, total, 250)
             for x in excerpts_page(case, offset=offset, limit=250, total=total)]
    assert tiled == [row[0] for row in case.rows(
        'SELECT id FROM excerpts ORDER BY source_id, start, "end"')]
    places = count_entities(case, kind="place")
    names = [e.name for offset in range(0, places, 7)
             for e in entities_page(case, offset=offset, limit=7, total=places, kind="place")]
    assert len(names) == places
    events = count_events(case)
    last = timeline_page(case, offset=events - 5, limit=5, total=events)
    timeline = [row[0] for row in case.rows(   # the undated events last
        "SELECT id FROM events ORDER BY date_start = '', date_start, date_end, id")]
    assert [e.id for e in last] == timeline[-5:]
    tiled = [e.id for offset in range(0, events, 9)
             for e in timeline_page(case, offset=offset, limit=9, total=events)]
    assert tiled == timeline
