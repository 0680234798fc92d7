"""Reads the browser needs: where an item sits in its view, labels for excerpts,
and a read that a newer one can interrupt."""

from __future__ import annotations

import threading
import time

import pytest

from db import NotFoundError, ReadInterrupted, open_case
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
