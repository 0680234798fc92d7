"""db/kinds.py: each kind of item described once, and search built from the records."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

import db
from db import search
from db.kinds import ITEM_KINDS, KindName, SearchHit, item_kind
from db.models import CaseCounts
from db.tables import SEARCH_INDEXES, TABLES


def test_each_kind_names_a_declared_table_and_its_search_index():
    for kind in ITEM_KINDS:
        assert TABLES[kind.table.name] is kind.table
        if kind.search_index is not None:   # relationships are not searched by text
            assert SEARCH_INDEXES[kind.search_index.name] is kind.search_index
            assert kind.search_index.content in (kind.table, None), kind.name
        assert kind.count_field in CaseCounts.model_fields
    assert get_args(KindName) == tuple(kind.name for kind in ITEM_KINDS)


def test_each_kinds_count_is_its_tables_row_count(seed_case):
    counts = db.counts(seed_case)
    for kind in ITEM_KINDS:
        rows = seed_case.scalar(f"SELECT count(*) FROM {kind.table}")
        assert getattr(counts, kind.count_field) == rows > 0, kind.name


def test_search_takes_its_kinds_and_indexes_from_the_records():
    assert search.KINDS == ("entity", "event", "excerpt", "claim")
    assert search.FTS_TABLES == {kind.name: kind.search_index.name
                                 for kind in ITEM_KINDS if kind.search_index}


@pytest.mark.parametrize("kind", ITEM_KINDS, ids=[kind.name for kind in ITEM_KINDS])
def test_each_kind_builds_its_search_hits(seed_case, kind):
    ids = [row[0] for row in seed_case.rows(f"SELECT id FROM {kind.table} ORDER BY id DESC LIMIT 3")]
    hits = kind.hits(seed_case, ids, ["the"])
    assert [hit.id for hit in hits] == ids   # in the order asked for
    assert {hit.kind for hit in hits} == {kind.name}
    assert all(hit.title.strip() and hit.detail for hit in hits)
    assert kind.hits(seed_case, [], ["the"]) == []


def test_a_search_group_per_kind_with_its_records_hits(seed_case):
    results = search.search(seed_case, "Logvinov")
    assert [group.kind for group in results.groups] == list(search.KINDS)
    entity = next(group for group in results.groups if group.kind == "entity")
    assert entity.hits[0].title == "Kirill Logvinov"


def test_an_unknown_kind_is_refused_naming_the_kinds_there_are(seed_case):
    every = r"\(choose entity, event, excerpt, claim, relationship\)"
    with pytest.raises(ValueError, match=r"unknown kind 'source' " + every):
        item_kind("source")
    searched = r"\(choose entity, event, excerpt, claim\)"
    with pytest.raises(ValueError, match=r"unknown kind 'relationship' " + searched):
        search.search(seed_case, "x", kinds=["relationship"])   # not searched by text
    with pytest.raises(ValidationError, match="'entity', 'event', 'excerpt', 'claim' or 'relationship'"):
        SearchHit(kind="source", id=1, title="t")


def test_each_review_kind_has_one_judging_queue_with_a_key_for_each_judgement():
    from db.review_kinds import REVIEW_KINDS
    from tui.kinds import REVIEW_QUEUES

    assert [queue.data for queue in REVIEW_QUEUES] == list(REVIEW_KINDS)
    for queue in REVIEW_QUEUES:
        kind = queue.data
        assert TABLES[kind.judgements_table.name] is kind.judgements_table
        if kind.table is not None:   # likely duplicates are worked out afresh: no table
            assert TABLES[kind.table.name] is kind.table
        assert [binding.action for binding in queue.bindings] == [
            f"judge('{judgement}')" for judgement in kind.judgements]


def test_the_likely_duplicates_are_a_review_kind_that_reads_and_judges(seed_case_copy):
    from db.entities import add_entity
    from db.models import DuplicatePair
    from db.review_kinds import LIKELY_DUPLICATE

    with db.open_case(seed_case_copy) as case:
        kirill = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
        twin = add_entity(case, kind="person", name="Logvinov").id
        pairs = [p for p in LIKELY_DUPLICATE.proposals(case, 50, None)
                 if isinstance(p, DuplicatePair) and {p.a.id, p.b.id} == {kirill, twin}]
        assert len(pairs) == 1
        assert LIKELY_DUPLICATE.judge(case, pairs[0], "not_same", "ana") is False
        assert case.scalar("SELECT judgement FROM duplicate_judgements") == "not_same"
        assert all({p.a.id, p.b.id} != {kirill, twin}     # judged: no longer proposed
                   for p in LIKELY_DUPLICATE.proposals(case, 50, None) if isinstance(p, DuplicatePair))
