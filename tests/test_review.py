"""The review flow: queues worked claim after claim, and noticing others' changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

import db
from db.claims import add_claim, get_claim, mark_claim
from db.review import (
    QUEUES,
    annotation_cursor,
    case_changed_since,
    claim_flags,
    claims_marked_since,
    count_queue,
    in_queue,
    next_in_queue,
    queue_page,
    queue_position,
)


def test_working_through_the_unreviewed_queue(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        total = count_queue(case, "unreviewed")
        expected = [claim.id for claim in queue_page(case, "unreviewed", offset=0, limit=1000)]
        assert len(expected) == total > 10
        visited = []
        claim = next_in_queue(case, "unreviewed", -1)
        while claim is not None:
            visited.append(claim.id)
            mark_claim(case, claim.id, "disputed", annotator="ana", expected_version=claim.version)
            claim = next_in_queue(case, "unreviewed", claim.id)  # the marked claim left the queue
        assert visited == expected
        assert count_queue(case, "unreviewed") == 0
        assert next_in_queue(case, "unreviewed", -1, wrap=True) is None


def test_next_wraps_to_the_start(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        confirmed = [c.id for c in queue_page(case, "confirmed", offset=0, limit=100)]
        assert next_in_queue(case, "confirmed", confirmed[-1]) is None
        assert next_in_queue(case, "confirmed", confirmed[-1], wrap=True).id == confirmed[0]


def test_queues_page_in_order(tmp_path: Path):
    with db.create_case(tmp_path / "q.casebook", title="Q") as case:
        ids = [add_claim(case, statement=f"claim {i}").id for i in range(30)]
        for claim_id in ids[::3]:
            mark_claim(case, claim_id, "denied", annotator="ana")
        for claim_id in ids[::6]:
            mark_claim(case, claim_id, "confirmed", annotator="bob")  # bob differs from ana
        assert count_queue(case, "all") == 30
        assert count_queue(case, "denied") == 5 and count_queue(case, "confirmed") == 5
        # denied: every third claim but every sixth, which bob confirmed since
        assert [c.id for c in queue_page(case, "denied", offset=2, limit=2)] == [ids[15], ids[21]]
        assert count_queue(case, "disagreements") == 5
        assert [c.id for c in queue_page(case, "disagreements", offset=0, limit=10)] == ids[::6]
        assert next_in_queue(case, "disagreements", ids[0]).id == ids[6]
        assert count_queue(case, "conflicts") == 0 and queue_page(case, "conflicts", offset=0, limit=5) == []
        flags = claim_flags(case, ids[:4])
        assert flags[ids[0]].disagreement and not flags[ids[3]].disagreement
        assert all(flag.open_conflicts == 0 for flag in flags.values())
        with pytest.raises(db.InvalidValueError, match="unknown queue 'later'"):
            count_queue(case, "later")
    assert set(QUEUES) == {"all", "unreviewed", "confirmed", "disputed", "denied",
                           "conflicts", "disagreements"}


def test_an_open_view_notices_marks_from_elsewhere(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as view:
        seen, cursor = view.data_version(), annotation_cursor(view)
        mark_claim(view, 1, "denied", annotator="ana")  # our own mark: we know about it
        assert not case_changed_since(view, seen)
        assert claims_marked_since(view, cursor)[0] == [1]
        seen, cursor = view.data_version(), annotation_cursor(view)
        result = run_cli("annotate", seed_case_copy, "4", "confirmed", "--annotator", "bob")
        assert result.returncode == 0, result.stderr
        assert case_changed_since(view, seen)  # another process committed
        changed, cursor = claims_marked_since(view, cursor)
        assert changed == [4]
        assert get_claim(view, 4).status == "confirmed"
        assert claims_marked_since(view, cursor) == ([], cursor)


def test_changed_claims_come_in_pages(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        cursor = annotation_cursor(case)
        for claim_id in range(1, 8):
            mark_claim(case, claim_id, "denied", annotator="ana")
        first, cursor = claims_marked_since(case, cursor, limit=4)
        second, cursor = claims_marked_since(case, cursor, limit=4)
        assert first == [1, 2, 3, 4] and second == [5, 6, 7]


def test_queue_positions_match_the_pages(tmp_path: Path):
    with db.create_case(tmp_path / "p.casebook", title="P") as case:
        ids = [add_claim(case, statement=f"claim {i}").id for i in range(12)]
        for claim_id in ids[::2]:
            mark_claim(case, claim_id, "denied", annotator="ana")
        for claim_id in ids[::4]:
            mark_claim(case, claim_id, "confirmed", annotator="bob")
        for queue in QUEUES:
            page = [c.id for c in queue_page(case, queue, offset=0, limit=100)]
            for index, claim_id in enumerate(page):
                assert queue_position(case, queue, claim_id) == index, (queue, claim_id)
                assert in_queue(case, queue, claim_id)
            for claim_id in set(ids) - set(page):
                assert not in_queue(case, queue, claim_id)
                with pytest.raises(db.NotFoundError, match=f"not in the {queue} queue"):
                    queue_position(case, queue, claim_id)
                # Its place: where the first queued claim after it sits.
                after = [i for i in page if i > claim_id]
                place = page.index(after[0]) if after else len(page)
                assert queue_position(case, queue, claim_id, exact=False) == place
