"""Reads the browser needs: where an item sits in its view, labels for excerpts,
and a read that a newer one can interrupt."""

from __future__ import annotations

import threading
import time

import pytest

from db import NotFoundError, ReadInterrupted, open_case
from db import counts as db_counts
from db.claims import claim_position, claims_page, count_claims
from db.entities import count_entities, entities_page, entity_position
from db.events import count_events, event_position, timeline_page
from db.sources import (
    count_excerpts,
    excerpt_position,
    excerpts_page,
    list_sources,
    source_length,
    sources_by_ids,
)


def test_every_item_is_found_at_its_position(seed_case):
    views = [
        (count_entities, entities_page, entity_position),
        (count_events, timeline_page, event_position),
        (count_excerpts, excerpts_page, excerpt_position),
        (count_claims, claims_page, claim_position),
    ]
    for count, page, position in views:
        total = count(seed_case)
        items = page(seed_case, offset=0, limit=total, total=total)
        assert len(items) == total > 0
        for index, item in enumerate(items):
            assert position(seed_case, item.id) == index, (page.__name__, item)


def test_retired_items_leave_each_view_and_its_positions_unless_included(seed_case_copy):
    """Retired items (the first, one in the middle and the last of each view)
    leave counts, pages read from either end and positions; include_retired
    gives back the whole view in the same order."""
    from db import curation, review

    views = [
        ("entity", count_entities, entities_page, entity_position),
        ("event", count_events, timeline_page, event_position),
        ("excerpt", count_excerpts, excerpts_page, excerpt_position),
        ("claim", count_claims, claims_page, claim_position),
    ]
    with open_case(seed_case_copy) as case:
        for kind, count, page, position in views:
            total = count(case)
            every = page(case, offset=0, limit=total, total=total)
            retired = {every[0].id, every[total // 2].id, every[-1].id}
            for item_id in retired:
                curation.retire(case, kind, item_id, reason="a test", annotator="ana")
            assert count(case) == total - 3 and count(case, include_retired=True) == total
            live = [item.id for item in every if item.id not in retired]
            shown = count(case)
            assert [i.id for i in page(case, offset=0, limit=shown, total=shown)] == live
            tail = page(case, offset=shown - 5, limit=5, total=shown)   # read from the far end
            assert [i.id for i in tail] == live[-5:]
            assert [i.id for i in page(case, offset=0, limit=total, total=total,
                                       include_retired=True)] == [i.id for i in every]
            for index, item_id in enumerate(live):
                assert position(case, item_id) == index, (kind, item_id)
            for item_id in retired:
                with pytest.raises(NotFoundError, match="is retired"):
                    position(case, item_id)
                assert position(case, item_id, include_retired=True) == \
                    [i.id for i in every].index(item_id)
        assert review.count_queue(case, "all") == count_claims(case)
        first_live = claims_page(case, offset=0, limit=1)[0]
        assert review.next_in_queue(case, "all", 0) == first_live
        assert db_counts(case).entities == count_entities(case)
        assert db_counts(case, include_retired=True).entities == count_entities(
            case, include_retired=True)


def test_every_page_of_every_view_leaves_out_its_retired_items(seed_case_copy):
    """Pages read past retired rows (not testing each row stepped over: db/paging.py)
    are exactly the live rows in order, from either end, at every offset, with runs
    of retired rows at the ends and inside, in views narrowed to a status, a kind
    or a source too."""
    from db import curation

    with open_case(seed_case_copy) as case:
        source_id = int(case.scalar(
            "SELECT source_id FROM excerpts GROUP BY source_id ORDER BY count(*) DESC LIMIT 1"))
        views = [
            ("entity", lambda **o: entities_page(case, **o)),
            ("entity", lambda **o: entities_page(case, kind="person", **o)),
            ("event", lambda **o: timeline_page(case, **o)),
            ("excerpt", lambda **o: excerpts_page(case, source_id=source_id, **o)),
            ("claim", lambda **o: claims_page(case, **o)),
            ("claim", lambda **o: claims_page(case, status="unreviewed", **o)),
        ]
        for kind, page in views:
            every = [item.id for item in page(offset=0, limit=10**6, include_retired=True)]
            # the first two, a run of three inside, every seventh, the last
            picked = {*every[:2], *every[len(every) // 2:len(every) // 2 + 3], *every[::7],
                      every[-1]}
            for item_id in picked:
                if not curation.is_retired(case, kind, item_id):
                    curation.retire(case, kind, item_id, reason="a test", annotator="ana")
            every_now = [item.id for item in page(offset=0, limit=10**6, include_retired=True)]
            live = [item_id for item_id in every_now
                    if not curation.is_retired(case, kind, item_id)]
            assert 0 < len(live) < len(every_now)
            total = len(live)
            for size in (1, 4, 9):
                for offset in range(0, total):
                    ids = [item.id for item in page(offset=offset, limit=size, total=total)]
                    assert ids == live[offset:offset + size], (kind, size, offset)


def test_claim_position_within_a_status(seed_case):
    for status in ("unreviewed", "denied"):
        total = count_claims(seed_case, status=status)
        claims = claims_page(seed_case, offset=0, limit=total, total=total, status=status)
        assert claims and all(claim.status == status for claim in claims)
        for index, claim in enumerate(claims):
            assert claim_position(seed_case, claim.id, status=status) == index
    confirmed = claims_page(seed_case, offset=0, limit=1, status="unreviewed")[0]
    with pytest.raises(NotFoundError, match="no denied claim"):
        claim_position(seed_case, confirmed.id, status="denied")
    with pytest.raises(NotFoundError, match="no claim 999999"):
        claim_position(seed_case, 999999)


def test_sources_label_excerpts(seed_case):
    sources = list_sources(seed_case)
    found = sources_by_ids(seed_case, [s.id for s in sources] + [sources[0].id, 424242])
    assert sorted(found) == sorted(s.id for s in sources)
    assert found[sources[0].id].title == sources[0].title
    assert sources_by_ids(seed_case, []) == {}
    last = excerpts_page(seed_case, offset=count_excerpts(seed_case) - 1, limit=1)[0]
    assert source_length(seed_case, last.source_id) >= last.end
    with pytest.raises(NotFoundError):
        source_length(seed_case, 424242)


def test_interrupt_aborts_only_the_running_read(seed_case_file):
    with open_case(seed_case_file, read_only=True) as case:
        outcome: list[BaseException | None] = []

        def endless_read() -> None:
            try:
                case.rows(
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                    "SELECT count(*) FROM n WHERE x < 0"
                )
                outcome.append(None)
            except ReadInterrupted as error:
                outcome.append(error)

        reader = threading.Thread(target=endless_read)
        reader.start()
        # An interrupt sent before the read starts is lost (no statement is running),
        # so under load send it again until the read has been stopped.
        deadline = time.monotonic() + 30
        while reader.is_alive() and time.monotonic() < deadline:
            case.interrupt()
            reader.join(timeout=0.1)
        assert not reader.is_alive()
        assert isinstance(outcome[0], ReadInterrupted)
        # The connection is still good for the next read.
        assert count_claims(case) > 0
