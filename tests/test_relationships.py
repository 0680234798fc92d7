"""db/relationships.py: ties between entities, refused when unsound, marked like
claims, listed in pages, walked as a network through the indexes."""

from __future__ import annotations

import re
import sqlite3

import pytest

import db
from db.entities import add_entity
from db.errors import (
    InvalidValueError,
    NotFoundError,
    NothingToUndoError,
    StaleClaimError,
    UnchangedStatusError,
)
from db.models import stored_id
from db.relationships import (
    add_relationship,
    count_relationships,
    entity_ties,
    get_relationship,
    mark_relationship,
    neighbours,
    note_relationship,
    relationship_evidence,
    relationship_history,
    relationship_walk,
    relationships_page,
    shortest_paths,
    undo_relationship_mark,
)
from db.sources import add_quote, add_source


@pytest.fixture
def people(empty_case):
    """A chain a – b – c – d, and e on its own; one source to quote."""
    names = ["Anna", "Boris", "Chen", "Dana", "Emil"]
    ids = [stored_id(add_entity(empty_case, kind="person", name=name)) for name in names]
    source = add_source(empty_case, text="Anna leads Boris. Boris works for Chen.", title="t")
    quote = add_quote(empty_case, stored_id(source), "Anna leads Boris.")
    return empty_case, ids, quote


def link(case, a, b, type_="associate", **options):
    return add_relationship(case, subject_entity_id=a, object_entity_id=b, type=type_, **options)


def test_a_relationship_is_stored_with_its_dates_at_their_precision_and_its_evidence(people):
    case, (a, b, *_), quote = people
    made = link(case, a, b, "leads", role=" head of mission ", start="June 2019", end="2023",
                evidence=[(quote, "supports")], created_by="ana")
    stored = get_relationship(case, stored_id(made))
    assert (stored.date_start, stored.start_precision) == ("2019-06", "month")
    assert (stored.date_end, stored.end_precision) == ("2023", "year")
    assert stored.role == "head of mission" and stored.status == "unreviewed"
    assert stored.date_label == "June 2019 – 2023"
    assert len(stored.uid) == 36 and stored.created_by == "ana" and stored.created_at
    assert [(e.excerpt.text, e.stance) for e in relationship_evidence(case, stored_id(stored))] == \
        [("Anna leads Boris.", "supports")]


@pytest.mark.parametrize(("options", "message"), [
    ({"b": 0}, "two different entities"),
    ({"b": 999}, "no entity 999"),
    ({"type_": "friend_of"}, "unknown relationship type 'friend_of' (choose member_of"),
    ({"start": "14 Smarch 2020"}, "start '14 Smarch 2020' is not a date"),
    ({"start": "2020-02-30"}, "is not a date"),
    ({"start": "2020", "start_precision": "day"}, "is a year, not a day: no day or month is invented"),
    ({"start": "2020-05", "end": "2019"}, "end 2019 is before start 2020-05"),
    ({"end": "2019-12", "start": "2020"}, "before start 2020"),
    ({"evidence": [(12345, "supports")]}, "no excerpt 12345"),
    ({"evidence": [(1, "agrees")]}, "unknown stance 'agrees'"),
])
def test_an_unsound_relationship_is_refused_in_one_line_and_nothing_is_written(people, options, message):
    case, ids, _ = people
    b = options.pop("b", 1)   # an index into ids, else an id the case does not hold
    b = ids[b] if b < len(ids) else b
    with pytest.raises((InvalidValueError, NotFoundError), match=re.escape(message)) as raised:
        link(case, ids[0], b, **options)
    assert "\n" not in str(raised.value)
    assert count_relationships(case) == 0


def test_consistent_dates_of_different_precision_are_accepted(people):
    case, (a, b, *_), _ = people
    made = link(case, a, b, start="2010", end="2010-05")
    assert made.date_label == "2010 – May 2010"
    assert link(case, a, b, start="1990s", end="1995").start_precision == "decade"
    assert link(case, b, a, end="2019").date_label == "until 2019"


def test_the_schema_refuses_a_self_link_written_by_hand(people):
    case, (a, *_), _ = people
    with pytest.raises(sqlite3.IntegrityError), case.write() as tx:
        tx.execute("INSERT INTO relationships (uid, subject_entity_id, object_entity_id, type) "
                   "VALUES ('x', ?, ?, 'family')", [a, a])


def test_marks_notes_and_undo_reuse_the_claims_machinery(people):
    case, (a, b, *_), _ = people
    rid = stored_id(link(case, a, b))
    mark = mark_relationship(case, rid, "confirmed", annotator="ana", note="two sources")
    assert (mark.previous_status, mark.status, mark.relationship_id) == ("unreviewed", "confirmed", rid)
    assert get_relationship(case, rid).version == 1
    with pytest.raises(StaleClaimError, match=r"relationship \d+ changed since you saw it: ana marked"):
        mark_relationship(case, rid, "denied", annotator="bo", expected_version=0)
    note_relationship(case, rid, "check the date", annotator="bo")
    with pytest.raises(NothingToUndoError, match="latest mark is by bo"):
        undo_relationship_mark(case, rid, annotator="ana")
    undo_relationship_mark(case, rid, annotator="bo")
    undone = undo_relationship_mark(case, rid, annotator="ana")
    assert undone.status == "unreviewed" and get_relationship(case, rid).status == "unreviewed"
    assert [m.kind for m in relationship_history(case, rid)] == ["mark", "note", "undo", "undo"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), case.write() as tx:
        tx.execute("DELETE FROM relationship_annotations")
    with pytest.raises(NotFoundError, match="no relationship 99"):
        mark_relationship(case, 99, "confirmed", annotator="ana")


def test_a_mark_that_changes_nothing_is_refused_when_asked_and_nothing_is_written(people):
    case, (a, b, *_), _ = people
    rid = stored_id(link(case, a, b))
    with pytest.raises(UnchangedStatusError, match=rf"relationship {rid} is already unreviewed"):
        mark_relationship(case, rid, "unreviewed", annotator="ana", unless_unchanged=True)
    assert relationship_history(case, rid) == [] and get_relationship(case, rid).version == 0
    mark_relationship(case, rid, "confirmed", annotator="ana", unless_unchanged=True)
    assert get_relationship(case, rid).status == "confirmed"


def test_listing_pages_in_sql_by_entity_either_way_and_by_type(people):
    case, (a, b, c, d, _), _ = people
    link(case, a, b, "leads")
    link(case, b, c, "employed_by")
    link(case, c, d, "family")
    link(case, d, b, "associate")
    assert count_relationships(case) == 4
    assert count_relationships(case, entity_id=b) == 3
    assert count_relationships(case, entity_id=b, types=["leads", "family"]) == 1
    first, second = (relationships_page(case, entity_id=b, offset=i, limit=2) for i in (0, 2))
    assert [len(first), len(second)] == [2, 1]
    assert relationships_page(case, entity_id=b, after_id=first[-1].id, limit=5) == second
    # The walk of them all pages by key, each page as the listing's.
    assert list(relationship_walk(case, entity_id=b, page=2)) == [first, second]
    assert list(relationship_walk(case, entity_id=b, types=["leads", "family"])) == [
        relationships_page(case, entity_id=b, types=["leads", "family"])]
    assert list(relationship_walk(case, types=["member_of"])) == []
    ties = entity_ties(case, b)
    assert [(t.relationship.type, t.other.name, t.outgoing) for t in ties] == [
        ("associate", "Dana", False), ("employed_by", "Chen", True), ("leads", "Anna", False)]
    assert ties[2].label == "← leads"


def test_the_network_to_a_depth_each_entity_once_by_the_tie_that_reached_it(people):
    case, (a, b, c, d, e), _ = people
    link(case, a, b, "leads")
    tie = link(case, b, c, "employed_by")
    link(case, c, d, "family")
    link(case, a, c, "associate")
    one = neighbours(case, a, depth=1)
    assert sorted((n.entity.name, n.depth) for n in one.nodes) == [("Anna", 0), ("Boris", 1), ("Chen", 1)]
    three = neighbours(case, a, depth=3)
    assert {n.entity.name: n.depth for n in three.nodes} == {"Anna": 0, "Boris": 1, "Chen": 1, "Dana": 2}
    only_leads = neighbours(case, a, depth=3, types=["leads", "employed_by"])
    assert {n.entity.name for n in only_leads.nodes} == {"Anna", "Boris", "Chen"}
    mark_relationship(case, stored_id(tie), "confirmed", annotator="ana")
    confirmed = neighbours(case, b, depth=2, statuses=["confirmed"])
    assert [(n.entity.name, n.relationship and n.relationship.id) for n in confirmed.nodes] == \
        [("Boris", None), ("Chen", tie.id)]
    assert neighbours(case, e, depth=2).nodes[0].entity.name == "Emil"
    assert neighbours(case, a, depth=3, max_nodes=2).truncated
    with pytest.raises(InvalidValueError, match="1, 2 or 3"):
        neighbours(case, a, depth=4)


def test_shortest_paths_are_every_chain_of_the_fewest_hops(people):
    case, (a, b, c, d, e), _ = people
    link(case, a, b, "leads")
    link(case, b, d, "employed_by")
    link(case, a, c, "associate")
    link(case, d, c, "family")          # read backwards on the way from a
    paths = shortest_paths(case, a, d)
    assert sorted([[s.start.name for s in p.steps] + [p.steps[-1].end.name] for p in paths]) == [
        ["Anna", "Boris", "Dana"], ["Anna", "Chen", "Dana"]]
    assert {p.hops for p in paths} == {2}
    assert shortest_paths(case, a, d, max_hops=1) == []
    assert shortest_paths(case, a, e) == []
    assert len(shortest_paths(case, a, d, limit=1)) == 1
    assert [s.relationship.type for s in shortest_paths(case, a, d, types=["family", "associate"])[0].steps] \
        == ["associate", "family"]
    with pytest.raises(NotFoundError, match="no entity 777"):
        shortest_paths(case, a, 777)


def test_a_long_chain_is_found_from_both_ends(empty_case):
    ids = [stored_id(add_entity(empty_case, kind="person", name=f"p{i}")) for i in range(9)]
    for near, far in zip(ids, ids[1:], strict=False):
        link(empty_case, near, far)
    assert shortest_paths(empty_case, ids[0], ids[8], max_hops=8)[0].hops == 8
    assert shortest_paths(empty_case, ids[0], ids[8], max_hops=7) == []
    assert db.counts(empty_case).relationships == 8


# -- curation: revised, retired and restored like every item (db/curation.py) -----------


def test_a_relationship_is_revised_on_the_record_and_a_stale_revision_is_refused(people):
    from db import curation
    from db.errors import StaleRevisionError

    case, (a, b, *_), _quote = people
    made = link(case, a, b, "associate")
    rid = stored_id(made)
    mark_relationship(case, rid, "confirmed", annotator="bruno")
    seen = get_relationship(case, rid).version
    revision = curation.revise(case, "relationship", rid,
                               {"type": "leads", "role": "head of mission", "date_start": "2022-09",
                                "start_precision": "month"},
                               annotator="ana", expected_version=seen, note="the article says so")
    after = get_relationship(case, rid)
    assert (after.type, after.role, after.date_start, after.start_precision) == (
        "leads", "head of mission", "2022-09", "month")
    assert after.version == seen + 1 == revision.version and after.status == "confirmed"
    assert revision.fields["type"] == ("associate", "leads")
    assert [r.note for r in curation.revisions(case, kind="relationship", item_uid=after.uid)] == [
        "the article says so"]
    # a mark since ana's revision: her next revision against what she saw is refused, naming it
    mark_relationship(case, rid, "disputed", annotator="chloé")
    with pytest.raises(StaleRevisionError, match="chloé.*marked it disputed"):
        curation.revise(case, "relationship", rid, {"role": "x"}, annotator="ana",
                        expected_version=after.version)
    # dates are held to their precision and to their order, nothing written
    for changes, message in (({"date_start": "2022-09", "start_precision": "day"}, "precision"),
                             ({"date_end": "2019", "end_precision": "year"}, "before start"),
                             ({"type": "cousin_of"}, "type"),
                             ({"subject_entity_id": b}, "no field")):
        with pytest.raises(InvalidValueError, match=message):
            curation.revise(case, "relationship", rid, changes, annotator="ana")
    assert get_relationship(case, rid).role == "head of mission"
    assert len(curation.revisions(case, kind="relationship")) == 1
    # the activity log has its marks, its revision and its addition (by no one named here)
    actions = [(e.action, e.annotator) for e in curation.activity(case, kind="relationship",
                                                                  item_id=rid)]
    assert actions == [("mark", "chloé"), ("revised", "ana"), ("mark", "bruno"), ("added", "")]


def test_a_retired_relationship_leaves_the_network_until_it_is_restored(people):
    from db import curation

    case, (a, b, c, *_), _quote = people
    first, second = link(case, a, b), link(case, b, c)
    assert shortest_paths(case, a, c)[0].hops == 2
    curation.retire(case, "relationship", stored_id(second), reason="misread the article",
                    annotator="ana")
    assert curation.is_retired(case, "relationship", stored_id(second))
    assert shortest_paths(case, a, c) == []
    assert [n.entity.id for n in neighbours(case, b).nodes] == [b, a]
    with pytest.raises(InvalidValueError, match="is retired"):
        curation.revise(case, "relationship", stored_id(second), {"role": "x"}, annotator="ana")
    curation.restore(case, "relationship", stored_id(second), annotator="ana")
    assert shortest_paths(case, a, c)[0].hops == 2
    state = curation.item_state(case, "relationship", stored_id(second))
    assert [(r.retired, r.reason) for r in state.retirements] == [
        (True, "misread the article"), (False, "")]
    assert stored_id(first) != stored_id(second)


def test_no_new_relationship_to_a_retired_entity(people):
    from db import curation

    case, (a, b, *_), _quote = people
    curation.retire(case, "entity", b, reason="a duplicate", annotator="ana")
    with pytest.raises(InvalidValueError, match=f"entity {b} is retired"):
        link(case, a, b)
    assert count_relationships(case) == 0


def test_the_listing_without_the_retired_leaves_out_ties_to_a_retired_entity(people):
    """As every export does: a retired relationship, and one to a retired entity, are
    left out unless include_retired (the CLI listing keeps the latter: retired_ends)."""
    from db import curation

    case, (a, b, c, d, _), _ = people
    ab, bc, cd = link(case, a, b), link(case, b, c), link(case, c, d)
    curation.retire(case, "relationship", stored_id(cd), reason="misread", annotator="ana")
    curation.retire(case, "entity", a, reason="a duplicate", annotator="ana")

    def listed(**options) -> list[int]:
        return [stored_id(r) for r in relationships_page(case, **options)]

    assert listed(include_retired=False) == [stored_id(bc)]
    assert listed(include_retired=False, entity_id=b) == [stored_id(bc)]
    assert count_relationships(case, include_retired=False) == 1
    assert listed(include_retired=False, retired_ends=True) == [stored_id(ab), stored_id(bc)]
    assert listed() == [stored_id(ab), stored_id(bc), stored_id(cd)]
    assert count_relationships(case, entity_id=a, include_retired=False, retired_ends=True) == 1


def test_a_retired_entity_is_no_step_of_a_walk_until_it_is_restored(people):
    # As its detail and the exports leave it out: its ties go with it.
    from db import curation

    case, (a, b, c, *_), _quote = people
    link(case, a, b), link(case, b, c)
    assert shortest_paths(case, a, c)[0].hops == 2
    curation.retire(case, "entity", b, reason="a duplicate", annotator="ana")
    assert shortest_paths(case, a, c) == []
    assert [n.entity.id for n in neighbours(case, a, depth=2).nodes] == [a]
    curation.restore(case, "entity", b, annotator="ana")
    assert [n.entity.id for n in neighbours(case, a, depth=2).nodes] == [a, b, c]
