"""db/connections.py: how two entities are connected through relationships
and, if asked, through the events, claims and excerpts both are linked to —
relationship chains first, each shared step with those items as evidence,
the shared links read held to a budget."""

from __future__ import annotations

import pytest

from db.claims import add_claim
from db.connections import THROUGH, check_through, find_paths, shared_items
from db.entities import add_entity, link_excerpt_entity
from db.errors import InvalidValueError, NotFoundError
from db.events import add_event
from db.models import stored_id
from db.relationships import add_relationship
from db.sources import add_quote, add_source


@pytest.fixture
def web(empty_case):
    """Anna – Boris – Chen – Dana tied by relationships; Anna and Dana also in
    one excerpt; Boris and Emil at one event; Emil and Dana in one claim."""
    case = empty_case
    ids = [stored_id(add_entity(case, kind="person", name=name))
           for name in ("Anna", "Boris", "Chen", "Dana", "Emil")]
    a, b, c, d, e = ids
    for near, far in ((a, b), (b, c), (c, d)):
        add_relationship(case, subject_entity_id=near, object_entity_id=far, type="associate")
    source = stored_id(add_source(case, text="Anna met Dana in Riga. Boris spoke.", title="notes"))
    excerpt = add_quote(case, source, "Anna met Dana in Riga.")
    for entity in (a, d):
        link_excerpt_entity(case, excerpt, entity)
    event = stored_id(add_event(case, title="Riga conference", date_start="2021",
                                date_precision="year", entity_ids=[b, e]))
    claim = stored_id(add_claim(case, statement="Emil works for Dana.", entity_ids=[e, d]))
    return case, ids, {"excerpt": excerpt, "event": event, "claim": claim}


def _names(chain) -> list[str]:
    return [chain.steps[0].start.name, *(step.end.name for step in chain.steps)]


def test_relationship_chains_come_first_then_the_shortest_through_shared_items(web):
    case, (a, b, c, d, e), items = web
    alone = find_paths(case, a, d)
    assert [_names(chain) for chain in alone.chains] == [["Anna", "Boris", "Chen", "Dana"]]
    assert alone.through == () and not alone.shared_chains
    found = find_paths(case, a, d, through=["excerpts"])
    assert [_names(chain) for chain in found.chains] == [
        ["Anna", "Boris", "Chen", "Dana"], ["Anna", "Dana"]]   # the longer, of ties alone, first
    step = found.chains[1].steps[0]
    assert step.shared and step.relationship is None and step.shared_kinds == ("excerpt",)
    assert [x.text for x in step.excerpts] == ["Anna met Dana in Riga."]
    assert found.chains[1].shared_steps == 1 and not found.cut_short


def test_a_chain_can_mix_ties_events_and_claims_each_step_with_its_evidence(web):
    case, (a, b, c, d, e), items = web
    # Boris to Emil: only the event joins them; Emil to Chen: the claim, then a tie
    assert find_paths(case, b, e).chains == []
    found = find_paths(case, b, e, through=["events"])
    (chain,) = found.chains
    assert [(s.start.name, s.end.name) for s in chain.steps] == [("Boris", "Emil")]
    assert [ev.title for ev in chain.steps[0].events] == ["Riga conference"]
    mixed = find_paths(case, e, c, through=["claims"]).chains
    assert [_names(x) for x in mixed] == [["Emil", "Dana", "Chen"]]
    first, second = mixed[0].steps
    assert [cl.statement for cl in first.claims] == ["Emil works for Dana."] and first.shared
    assert second.relationship is not None and second.relationship.type == "associate"
    # fewest shared steps first: through everything, Anna–Dana by the excerpt (1), not more
    every = find_paths(case, a, e, through=THROUGH)
    assert every.relationship_chains == []
    counts = [chain.shared_steps for chain in every.chains]
    assert counts == sorted(counts) and counts[0] == 1
    assert _names(every.chains[0]) in (["Anna", "Boris", "Emil"], ["Anna", "Dana", "Emil"])


def test_a_retired_item_or_entity_is_no_shared_step(web):
    from db import curation

    case, (a, b, c, d, e), items = web
    assert find_paths(case, a, d, through=["excerpts"]).shared_chains
    curation.retire(case, "excerpt", items["excerpt"], reason="misquoted", annotator="ana")
    assert find_paths(case, a, d, through=["excerpts"]).shared_chains == []
    assert shared_items(case, a, d, through=["excerpts"]) == {"excerpts": ()}
    curation.retire(case, "entity", e, reason="a duplicate", annotator="ana")
    assert find_paths(case, b, d, through=THROUGH).shared_chains == []   # Emil was the way


def test_the_shared_links_read_are_bounded_and_a_cut_short_search_says_so(web):
    case, (a, b, c, d, e), items = web
    # one shared link is all Boris–Emil needs: found, and the search was whole
    enough = find_paths(case, b, e, through=["events"], budget=1)
    assert not enough.cut_short and [_names(x) for x in enough.chains] == [["Boris", "Emil"]]
    none = find_paths(case, b, e, through=["events"], budget=0)
    assert none.cut_short and none.chains == []
    # Anna's excerpt and Emil's event use the two allowed; Emil's claim is never read
    cut = find_paths(case, a, e, through=THROUGH, budget=2)
    assert cut.cut_short and [_names(x) for x in cut.chains] == [["Anna", "Boris", "Emil"]]
    whole = find_paths(case, a, e, through=THROUGH)
    assert not whole.cut_short and ["Anna", "Dana", "Emil"] in [_names(x) for x in whole.chains]


def test_through_is_read_as_typed_and_a_bad_kind_is_refused(web):
    case, (a, *_), _ = web
    assert check_through(["excerpt,Events", "claims"]) == ("events", "claims", "excerpts")
    assert check_through(["all"]) == THROUGH and check_through([]) == ()
    with pytest.raises(InvalidValueError, match="cannot go through 'people'"):
        check_through(["events,people"])
    with pytest.raises(NotFoundError, match="no entity 999"):
        find_paths(case, a, 999, through=THROUGH)
    with pytest.raises(InvalidValueError, match="two different entities"):
        find_paths(case, a, a, through=THROUGH)


def test_the_seed_case_joins_two_with_no_chain_of_ties_through_what_they_share(seed_case):
    def named(name: str) -> int:
        return int(seed_case.scalar("SELECT id FROM entities WHERE name = ?", [name]))

    nedyak, belarus_gru = named("Arseniy Nedyak"), named("Belarusian military intelligence service")
    assert find_paths(seed_case, nedyak, belarus_gru).chains == []
    found = find_paths(seed_case, nedyak, belarus_gru, through=THROUGH, limit=3)
    assert len(found.chains) == 3 and all(chain.hops <= 4 for chain in found.chains)
    for chain in found.chains:
        assert chain.steps[0].start.id == nedyak and chain.steps[-1].end.id == belarus_gru
        for step in chain.steps:
            # every step has its evidence: a tie, or items both ends are linked to
            assert step.relationship is not None or step.events or step.claims or step.excerpts


def test_a_chain_through_an_entity_the_file_lacks_is_left_out_not_a_crash(seed_case_copy):
    """A received file edited with sqlite3: two ties to an entity it does not have.
    The only chain between their other ends runs through it: no chain, no crash."""
    import sqlite3

    from conftest import run_cli

    conn = sqlite3.connect(seed_case_copy)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE relationships SET subject_entity_id = 1, object_entity_id = 99999 WHERE id = 1")
    conn.execute("UPDATE relationships SET subject_entity_id = 43, object_entity_id = 99999 WHERE id = 5")
    conn.commit()
    conn.close()
    result = run_cli("path", seed_case_copy, 1, 43)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "unexpected error" not in result.stderr
    assert "no connection between" in result.stdout
    shared = run_cli("path", seed_case_copy, 1, 43, "--through", "all")
    assert shared.returncode == 0, shared.stderr   # what the two share still joins them
    assert "99999" not in shared.stdout
