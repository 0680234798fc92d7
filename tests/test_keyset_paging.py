"""db.paging.keyset_pages: walking a table by key, a page at a time, on a real case file."""

from __future__ import annotations

import sqlite3

import pytest

from db.claims import add_claim, mark_claim
from db.entities import add_entity
from db.events import add_event
from db.paging import keyset_pages, keyset_rows


def traced(case) -> list[str]:
    """The statements the case's connection runs from now on."""
    statements: list[str] = []
    case.conn.set_trace_callback(statements.append)
    return statements


def ids(pages: list[list[sqlite3.Row]]) -> list[list[int]]:
    return [[row["id"] for row in rows] for rows in pages]


def test_an_empty_table_has_no_pages_and_costs_one_query(empty_case):
    statements = traced(empty_case)
    assert list(keyset_pages(empty_case, "SELECT id FROM events", key=["id"], page=3)) == []
    assert len(statements) == 1


def test_exactly_one_page_then_one_query_more_to_see_the_end(empty_case):
    for number in range(3):
        add_event(empty_case, title=f"event {number}")
    statements = traced(empty_case)
    assert ids(list(keyset_pages(empty_case, "SELECT id FROM events", key=["id"], page=3))) \
        == [[1, 2, 3]]
    assert len(statements) == 2


def test_a_short_page_is_the_last(empty_case):
    for number in range(7):
        add_event(empty_case, title=f"event {number}")
    statements = traced(empty_case)
    pages = list(keyset_pages(empty_case, "SELECT id, title FROM events", key=["id"], page=3))
    assert ids(pages) == [[1, 2, 3], [4, 5, 6], [7]]
    assert len(statements) == 3
    assert pages[2][0]["title"] == "event 6"


def test_composite_keys_with_ties_across_page_boundaries(empty_case):
    # Five events on one day, two undated, three in one month: the timeline's
    # order (date_start, date_end, id) is tied on its first columns for most.
    dates = [("2023-06-14", "", "day")] * 5 + [("", "", "unknown")] * 2 + \
        [("2023-06", "", "month")] * 3 + [("2023-06-14", "2023-06-16", "day")]
    for number, (start, end, precision) in enumerate(dates):
        add_event(empty_case, title=f"event {number}", date_start=start, date_end=end,
                  date_precision=precision)
    expected = [row["id"] for row in empty_case.rows(
        "SELECT id FROM events ORDER BY date_start, date_end, id")]
    for page in (1, 2, 3, 4, 11, 12):
        pages = list(keyset_pages(empty_case, "SELECT id, date_start, date_end FROM events",
                                  key=["date_start", "date_end", "id"], page=page))
        assert [i for rows in ids(pages) for i in rows] == expected, page
        assert all(len(rows) == page for rows in pages[:-1])


def test_a_condition_narrows_the_rows_before_the_key(empty_case):
    for name in ["Beta", "alpha", "Gamma", "delta", "Alpha"]:
        add_entity(empty_case, kind="person", name=name)
        add_entity(empty_case, kind="place", name=name + " place")
    rows = list(keyset_rows(empty_case, "SELECT id, name, sort_name FROM entities",
                            key=["sort_name", "id"], where="kind = ? OR kind = ?",
                            params=["person", "nobody"], page=2))
    assert [row["name"] for row in rows] == ["alpha", "Alpha", "Beta", "delta", "Gamma"]


def test_rowid_keys_follow_the_order_rows_came_in(empty_case):
    claim = add_claim(empty_case, statement="A claim")
    # Ids that sort backwards: the walk follows the rowid, not the id.
    made = [mark_claim(empty_case, claim.id, status, annotator="ana", annotation_id=f"{9 - n}").id
            for n, status in enumerate(["confirmed", "denied", "disputed", "confirmed", "unreviewed"])]
    assert made == sorted(made, reverse=True)
    rows = list(keyset_rows(empty_case, "SELECT rowid, id FROM annotations", key=["rowid"], page=2))
    assert [row["id"] for row in rows] == made
    joined = "SELECT a.rowid, a.id, c.uid FROM annotations a JOIN claims c ON c.id = a.claim_id"
    rows = list(keyset_rows(empty_case, joined, key=["a.rowid"], page=2))
    assert [row["id"] for row in rows] == made
    assert {row["uid"] for row in rows} == {claim.uid}
    # In a join a bare rowid is refused, never taken for a string.
    with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
        list(keyset_rows(empty_case, joined, key=["rowid"], page=2))


def test_a_key_column_must_be_selected(empty_case):
    add_event(empty_case, title="one")
    add_event(empty_case, title="two")
    with pytest.raises(IndexError):
        list(keyset_pages(empty_case, "SELECT title FROM events", key=["id"], page=1))


def test_a_key_that_does_not_move_on_is_refused_not_looped_on(empty_case):
    for number in range(3):
        add_event(empty_case, title=f"event {number}")
    # The result's "id" is not the table's id the condition compares.
    with pytest.raises(ValueError, match="did not advance"):
        list(keyset_pages(empty_case, "SELECT 0 AS id, title FROM events", key=["id"], page=1))


def test_a_page_holds_a_row_at_least(empty_case):
    with pytest.raises(ValueError, match="at least one row"):
        list(keyset_pages(empty_case, "SELECT id FROM events", key=["id"], page=0))


def test_grouped_pages_hold_the_groups_of_the_rows_after_the_last(empty_case):
    """``group`` groups the rows each page reads (after the last key), so a
    HAVING keeps whole groups however the pages fall."""
    claims = [add_claim(empty_case, statement=f"claim {number}").id for number in range(7)]
    for claim_id in claims:
        for annotator in ("ana", "bob", "cy")[:1 + claim_id % 3]:
            mark_claim(empty_case, claim_id, "confirmed", annotator=annotator)
    expected = [claim_id for claim_id in claims if claim_id % 3]
    pages = list(keyset_pages(empty_case, "SELECT claim_id, count(*) AS marks FROM standing_marks",
                              key=["claim_id"], where="status != ?", params=["unreviewed"],
                              group="GROUP BY claim_id HAVING count(*) > 1", page=2))
    assert [[row["claim_id"] for row in rows] for rows in pages] == \
        [expected[:2], expected[2:4], expected[4:]]
    assert all(row["marks"] == 1 + row["claim_id"] % 3 for rows in pages for row in rows)
