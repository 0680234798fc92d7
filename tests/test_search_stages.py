"""Search as you type in stages: first matches at once, then ranked; the newest keystroke wins."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

import db
from db.errors import ReadInterrupted
from db.search import Searcher, first_matches, match_expression, refine, search


def group(results, kind):
    return next(g for g in results.groups if g.kind == kind)


def test_first_matches_come_in_index_order_with_the_same_counts(seed_case):
    for query in ("the", "Logvinov", "Brussels emb", "Uhrik"):
        first, ranked = first_matches(seed_case, query), search(seed_case, query)
        assert [(g.kind, g.total, g.capped) for g in first.groups] == \
               [(g.kind, g.total, g.capped) for g in ranked.groups]
        for stage_one in first.groups:
            ids = [hit.id for hit in stage_one.hits]
            assert ids == sorted(ids) and not stage_one.ranked
    assert not first_matches(seed_case, "Logvinov").ranked


def test_ranked_order_is_exactly_bm25_when_there_are_few_matches(seed_case_file: Path):
    tools = sqlite_utils.Database(sqlite3.connect(f"file:{seed_case_file}?mode=ro", uri=True))
    with db.open_case(seed_case_file, read_only=True) as case:
        for query in ("Logvinov", "intelligence officers", "chin"):
            results = search(case, query, limit=10)
            assert results.ranked
            expression = match_expression(query)
            for kind, table in (("excerpt", "excerpts"), ("event", "events"), ("claim", "claims")):
                expected = [row["id"] for row in tools[table].search(expression, limit=10)]
                assert [hit.id for hit in group(results, kind).hits] == expected, (query, kind)
    tools.close()


def test_more_matches_than_rank_limit_stay_in_index_order_until_refined(seed_case):
    results = search(seed_case, "the", limit=8, rank_limit=5)
    excerpts = group(results, "excerpt")
    assert not excerpts.ranked and excerpts.total > 5
    assert [hit.id for hit in excerpts.hits] == sorted(hit.id for hit in excerpts.hits)
    few = group(search(seed_case, "Uhrik", kinds=["excerpt"], rank_limit=5), "excerpt")
    assert few.ranked and 0 < few.total <= 5

    refined = refine(seed_case, results, limit=8)
    assert refined.ranked
    exact = search(seed_case, "the", limit=8, rank_limit=None)
    assert refined == exact
    assert [g.total for g in refined.groups] == [g.total for g in results.groups]


def test_a_newer_keystroke_stops_the_search_before_its_next_read(seed_case_file: Path):
    searcher = Searcher(db.open_case(seed_case_file, read_only=True))
    try:
        old = searcher.keystroke()
        new = searcher.keystroke()
        with pytest.raises(ReadInterrupted):
            searcher.first_matches(old, "Logvinov")
        with pytest.raises(ReadInterrupted):
            searcher.search(old, "Logvinov")
        assert not searcher.search(new, "Logvinov").empty
    finally:
        searcher.close()


def test_a_newer_keystroke_interrupts_the_query_running_for_the_old_one(seed_case_file: Path):
    searcher = Searcher(db.open_case(seed_case_file, read_only=True))
    token = searcher.keystroke()
    typed: list[int] = []

    def type_a_key_mid_query() -> int:
        if not typed:  # once, while SQLite is inside the search's query
            typed.append(searcher.keystroke())
        return 0

    searcher.case.conn.set_progress_handler(type_a_key_mid_query, 50)
    try:
        with pytest.raises(ReadInterrupted):
            searcher.search(token, "the")
        assert typed
        searcher.case.conn.set_progress_handler(None, 0)
        assert not searcher.search(typed[0], "the").empty  # the connection is fine
    finally:
        searcher.close()


def test_searches_from_a_worker_thread_while_keys_arrive(seed_case_file: Path):
    """As a browser does: the UI thread hands tokens, a worker searches; only the
    newest keystroke's search completes."""
    searcher = Searcher(db.open_case(seed_case_file, read_only=True))
    completed: list[str] = []
    superseded: list[str] = []
    typed = "Kirill Logvinov"
    try:
        for end in range(1, len(typed) + 1):
            token = searcher.keystroke()
            query = typed[:end]

            def work(token=token, query=query) -> None:
                try:
                    searcher.first_matches(token, query)
                    searcher.refine(token, searcher.search(token, query))
                    completed.append(query)
                except ReadInterrupted:
                    superseded.append(query)

            worker = threading.Thread(target=work)
            worker.start()
            worker.join()
        assert completed[-1] == typed
        assert len(completed) + len(superseded) == len(typed)
    finally:
        searcher.close()


def test_a_searcher_opens_its_connection_on_first_use(seed_case_file: Path):
    opened: list[db.Case] = []

    def opener() -> db.Case:
        opened.append(db.open_case(seed_case_file, read_only=True))
        return opened[-1]

    searcher = Searcher(opener=opener)
    try:
        token = searcher.keystroke()          # the UI thread: nothing opened yet
        assert opened == [] and searcher.is_current(token)
        searcher.warm()                       # a worker: opens and reads
        assert len(opened) == 1
        assert not searcher.first_matches(token, "Logvinov").empty
        assert len(opened) == 1 and not searcher.is_current(token - 1)
    finally:
        searcher.close()
    with pytest.raises(ValueError):
        Searcher()


def test_a_repeated_word_is_searched_once_and_phrases_are_bounded(seed_case):
    from db.search import MAX_PHRASES, match_phrases, query_terms

    assert query_terms("Logvinov " * 2000) == ["logvinov", "logvinov"]   # the word, and as a prefix
    assert query_terms("embassy in embassy in bru") == ["embassy", "in", "bru"]
    assert query_terms("x y x") == ["x", "y", "x"]
    pasted, once = search(seed_case, "Logvinov " * 2000), search(seed_case, "Logvinov")
    assert [(g.kind, [h.id for h in g.hits], g.total) for g in pasted.groups] == \
           [(g.kind, [h.id for h in g.hits], g.total) for g in once.groups]
    assert not pasted.empty
    mixed = "".join(f"{letter}社" for letter in "abcdefghijklmnopqrstuvwxyz")
    phrases = match_phrases(mixed)
    assert len(phrases) == MAX_PHRASES and phrases[-1] == '"社"*'


def test_ranking_at_once_is_shared_by_the_kinds_fewest_matches_first(seed_case):
    full = search(seed_case, "the", limit=8, rank_limit=None)
    totals = {g.kind: g.total for g in full.groups}
    smallest = min((total, kind) for kind, total in totals.items() if total)
    # A budget that fits only the smallest group ranks it alone.
    budget = search(seed_case, "the", limit=8, rank_limit=smallest[0])
    ranked = {g.kind for g in budget.groups if g.ranked and g.total}
    assert ranked == {smallest[1]}
    assert group(budget, smallest[1]).hits == group(full, smallest[1]).hits
    assert refine(seed_case, budget, limit=8) == full


def test_a_query_with_a_phrase_too_common_to_weigh_is_left_for_refine(seed_case, monkeypatch):
    import db.search as search_module

    query = "the Logvinov"
    assert search(seed_case, query).ranked
    assert search_module.cheap_to_rank(seed_case, "excerpts_fts", match_expression(query))
    monkeypatch.setattr(search_module, "PHRASE_LIMIT", 3)   # "the" is in more excerpts than that
    assert not search_module.cheap_to_rank(seed_case, "excerpts_fts", match_expression(query))
    assert search_module.cheap_to_rank(seed_case, "excerpts_fts", match_expression("the"))
    results = search(seed_case, query)
    excerpts = group(results, "excerpt")
    assert not excerpts.ranked and excerpts.total > 0
    assert refine(seed_case, results) == search(seed_case, query, rank_limit=None)


def test_a_keystrokes_stages_share_their_reads(seed_case_file: Path):
    case = db.open_case(seed_case_file, read_only=True)
    searcher = Searcher(case)
    statements: list[str] = []
    case.conn.set_trace_callback(statements.append)
    try:
        token = searcher.keystroke()
        first = searcher.first_matches(token, "Logvinov")
        counted = len(statements)
        ranked = searcher.search(token, "Logvinov")
        again = statements[counted:]
        matches = [sql for sql in statements[:counted] if "MATCH" in sql and "ORDER BY" not in sql]
        assert matches and not any(sql in again for sql in matches)   # counted once
        assert [g.total for g in first.groups] == [g.total for g in ranked.groups]
        assert ranked == search(case, "Logvinov")
        newer = searcher.keystroke()
        statements.clear()
        searcher.first_matches(newer, "Logvinov")
        assert statements    # a new keystroke reads again
    finally:
        case.conn.set_trace_callback(None)
        searcher.close()
