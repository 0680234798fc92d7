"""The db/ API the browser's build-a-case flow calls: from an excerpt, or a
span of it, make an entity, event or claim, or cite it, or link an entity."""

from __future__ import annotations

import pytest

import db
from db.building import (
    cite_for_claim,
    cite_for_event,
    claim_from_excerpt,
    entity_from_excerpt,
    event_from_excerpt,
    evidence_excerpt,
    link_entity,
    link_entity_mentions,
    unlink_entity,
)
from db.check import check_case
from db.claims import claim_evidence, get_claim
from db.entities import entity_excerpts, excerpt_entities
from db.events import event_evidence
from db.search import search


@pytest.fixture
def case(seed_case_copy):
    with db.open_case(seed_case_copy) as opened:
        yield opened


def paragraph_with(case: db.Case, fragment: str) -> db.Excerpt:
    from db.sources import get_excerpt

    row = case.row("SELECT id FROM excerpts WHERE kind = 'paragraph' AND instr(text, ?) > 0 LIMIT 1",
                   [fragment])
    return get_excerpt(case, row[0])


def test_a_span_of_an_excerpt_becomes_a_quote_of_its_source(case):
    paragraph = paragraph_with(case, "48-year-old Kirill Logvinov")
    start = paragraph.text.index("48-year-old")
    quote = evidence_excerpt(case, paragraph.id, (start, start + len("48-year-old Kirill Logvinov")))
    assert quote.kind == "quote" and quote.text == "48-year-old Kirill Logvinov"
    assert (quote.source_id, quote.start) == (paragraph.source_id, paragraph.start + start)
    # The same span again is the same excerpt; the whole excerpt is itself.
    assert evidence_excerpt(case, paragraph.id, (start, start + 27)).id == quote.id
    assert evidence_excerpt(case, paragraph.id, (0, len(paragraph.text))).id == paragraph.id
    with pytest.raises(db.InvalidValueError, match="not within excerpt"):
        evidence_excerpt(case, paragraph.id, (5, len(paragraph.text) + 1))
    assert check_case(case).ok


def test_an_entity_from_an_excerpt_is_linked_there_and_wherever_named(case):
    paragraph = paragraph_with(case, "Safeguard Defenders")
    naming = {row[0] for row in case.rows(
        "SELECT id FROM excerpts WHERE kind = 'paragraph' AND instr(text, 'Epoch Times') > 0")}
    assert naming and paragraph.id not in naming
    entity = entity_from_excerpt(case, paragraph.id, kind="organization", name="Epoch Media Group",
                                 aliases=["Epoch Times"], description="Publisher (test).")
    linked = {x.id for x in entity_excerpts(case, entity.id, limit=500)}
    assert linked >= naming | {paragraph.id}
    assert entity.id in {e.id for e in excerpt_entities(case, paragraph.id)}
    hits = search(case, "Epoch Media", kinds=["entity"]).groups[0].hits
    assert hits[0].id == entity.id


def test_link_entity_mentions_folds_diacritics_and_checks_whole_words(case):
    entity = db.entities.add_entity(case, kind="person", name="Milan Uhrik")  # typed without the accent
    added = link_entity_mentions(case, entity.id)
    texts = [x.text for x in entity_excerpts(case, entity.id, limit=100)]
    assert added == len(texts) > 0
    assert all("Milan Uhrík" in text for text in texts)
    assert link_entity_mentions(case, entity.id) == 0  # nothing new the second time


def test_link_and_unlink_an_existing_entity(case):
    paragraph = paragraph_with(case, "Euromaidan Press has summarized the report")
    nato = case.scalar("SELECT id FROM entities WHERE name = 'NATO'")
    assert link_entity(case, paragraph.id, nato) is True
    assert link_entity(case, paragraph.id, nato) is False
    assert nato in {e.id for e in excerpt_entities(case, paragraph.id)}
    assert unlink_entity(case, paragraph.id, nato) is True
    with pytest.raises(db.NotFoundError, match="no entity 99999"):
        link_entity(case, paragraph.id, 99999)
    with pytest.raises(db.NotFoundError, match="no excerpt 99999"):
        link_entity(case, 99999, nato)


def test_a_claim_from_a_span_starts_unreviewed_with_that_evidence(case):
    paragraph = paragraph_with(case, "Uhrík, praising dialogue")
    start = paragraph.text.index("denied meeting Logvinov")
    uhrik = case.scalar("SELECT id FROM entities WHERE name = 'Milan Uhrík'")
    claim = claim_from_excerpt(case, paragraph.id, statement="Uhrík denies meeting Logvinov.",
                               claimant="Milan Uhrík", claimant_entity_id=uhrik, entity_ids=[uhrik],
                               span=(start, start + len("denied meeting Logvinov")))
    stored = get_claim(case, claim.id)
    assert stored.status == "unreviewed" and stored.version == 0
    (evidence,) = claim_evidence(case, claim.id)
    assert evidence.excerpt.text == "denied meeting Logvinov" and evidence.stance == "supports"
    # More evidence from another excerpt; citing it again changes its stance.
    other = paragraph_with(case, "attended one of Logvinov’s receptions")
    cite_for_claim(case, claim.id, other.id, stance="contradicts")
    cite_for_claim(case, claim.id, other.id, stance="context")
    assert {(e.excerpt.id, e.stance) for e in claim_evidence(case, claim.id)} >= {(other.id, "context")}


def test_an_event_from_an_excerpt_keeps_its_date_precision(case):
    paragraph = paragraph_with(case, "In June 2023, far-right Slovak MEP")
    event = event_from_excerpt(case, paragraph.id, title="Uhrík at a Logvinov reception",
                               date_start="2023-06", date_precision="month", span=(0, 12))
    assert event.date_label == "June 2023"
    (evidence,) = event_evidence(case, event.id)
    assert evidence.excerpt.text == "In June 2023"
    cite_for_event(case, event.id, paragraph.id)
    assert len(event_evidence(case, event.id)) == 2


def test_bad_values_are_one_line_errors_and_write_nothing(case):
    paragraph = paragraph_with(case, "Logvinov hosts lavish dinners")
    before = db.counts(case)
    with pytest.raises(db.InvalidValueError, match="does not match precision"):
        event_from_excerpt(case, paragraph.id, title="x", date_start="June 2023", date_precision="month")
    with pytest.raises(db.InvalidValueError):
        entity_from_excerpt(case, paragraph.id, kind="ship", name="Kursk")
    with pytest.raises(db.InvalidValueError, match="unknown stance"):
        claim_from_excerpt(case, paragraph.id, statement="x", stance="maybe")
    with pytest.raises(db.NotFoundError, match="no entity 4242"):
        claim_from_excerpt(case, paragraph.id, statement="x", entity_ids=[4242], span=(0, 8))
    assert db.counts(case) == before  # the span's quote excerpt was rolled back with the claim
