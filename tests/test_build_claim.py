"""From an excerpt, a new claim (``a``): a statement, who claims it, the
stance this excerpt takes, and the entities it is about. It starts
unreviewed, with the excerpt (or the chosen words) as its evidence."""

from __future__ import annotations

from build_flow import (  # noqa: F401
    browsing,
    choose_words,
    excerpt_with,
    on_excerpt,
    press,
    type_text,
)

import db
import db.building
import db.entities
from db.claims import claim_entities, claim_evidence, claim_history, claims_page
from tui.screens.build_forms import ClaimForm
from tui.widgets.checklist import EntityChecklist


async def test_a_claim_with_its_stance_claimant_and_entities(observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    austrevicius = db.entities.add_entity(observer_case, kind="person", name="Petras Auštrevičius")
    kirill = db.entities.add_entity(observer_case, kind="person", name="Kirill Logvinov")
    db.building.link_entity(observer_case, paragraph.id, austrevicius.id)
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "s")
        await choose_words(pilot, paragraph.text, "the Russian diplomat is visibly active these days")
        await press(pilot, "a")
        form = app.screen
        assert isinstance(form, ClaimForm)
        assert form.text("statement") == "the Russian diplomat is visibly active these days"
        await press(pilot, "ctrl+u")
        await type_text(pilot, "Logvinov is visibly active in Brussels")
        await press(pilot, "tab")
        await type_text(pilot, "petr")
        await press(pilot, "right")                              # take the suggested name
        assert form.text("claimant") == "Petras Auštrevičius"
        await press(pilot, "tab", "c")                           # stance: context
        assert form.choice("stance") == "context"
        await press(pilot, "c")                                  # c again: contradicts
        assert form.choice("stance") == "contradicts"
        await press(pilot, "s")                                  # supports
        await press(pilot, "tab")
        checklist = form.query_one(EntityChecklist)
        assert checklist.has_focus and checklist.entities == [austrevicius]
        await type_text(pilot, "logv")                           # another entity, by typing
        await press(pilot, "enter")
        assert [e.id for e in checklist.chosen] == [kirill.id]
        await press(pilot, "enter")
        assert app.active_kind == "claim"

    (claim,) = claims_page(observer_case, offset=0, limit=10)
    assert (claim.statement, claim.claimant, claim.status) == (
        "Logvinov is visibly active in Brussels", "Petras Auštrevičius", "unreviewed")
    assert claim_history(observer_case, claim.id) == []
    roles = {(entity.id, role) for entity, role in claim_entities(observer_case, claim.id)}
    assert roles == {(kirill.id, "subject"), (austrevicius.id, "claimant")}
    (evidence,) = claim_evidence(observer_case, claim.id)
    assert evidence.stance == "supports"
    assert evidence.excerpt.text == "the Russian diplomat is visibly active these days"
    assert evidence.excerpt.kind == "quote" and evidence.excerpt.source_id == paragraph.source_id


async def test_a_claim_from_the_whole_excerpt_names_what_the_span_names(observer_case):
    paragraph = excerpt_with(observer_case, "Auštrevičius, a Lithuanian MEP")
    austrevicius = db.entities.add_entity(observer_case, kind="person", name="Petras Auštrevičius")
    db.building.link_entity(observer_case, paragraph.id, austrevicius.id)
    async with browsing(observer_case, paragraph.id, (160, 48)) as (app, pilot):
        await press(pilot, "s")
        await choose_words(pilot, paragraph.text, "Petras Auštrevičius, a Lithuanian MEP")
        await press(pilot, "a")
        form = app.screen
        # The entities named in the chosen words start ticked.
        assert [e.id for e in form.query_one(EntityChecklist).chosen] == [austrevicius.id]
        await press(pilot, "escape")
        assert not isinstance(app.screen, ClaimForm)
        await press(pilot, "a")                                  # no span: the whole excerpt
        form = app.screen
        assert form.text("statement") == "" and form.query_one(EntityChecklist).chosen == []
        await press(pilot, "enter")                              # no statement: refused
        assert "a claim needs a statement" in str(form.query_one("#statement-error").render())
        await type_text(pilot, "Diplomat active")
        await press(pilot, "enter")
    (claim,) = claims_page(observer_case, offset=0, limit=10)
    (evidence,) = claim_evidence(observer_case, claim.id)
    assert evidence.excerpt.id == paragraph.id and evidence.stance == "supports"
