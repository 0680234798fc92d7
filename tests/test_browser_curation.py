"""Curating in the browser: ``e`` edits the entity, event or claim under the
cursor (a revision, refused with who changed what when stale), ``X`` retires
with a reason and restores; the detail shows the history. The real app,
driven by Pilot, over a copy of the demo case; snapshots of the edit form."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser, press, screen_lines, screen_text, settle
from textual.widgets import Input

import db
from db import curation
from db.entities import get_entity
from tui.screens.build_forms import EntityForm
from tui.screens.edit import EditScreen, RetireScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def case(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as opened:
        yield opened


async def _on_entity(pilot, entity_id: int) -> None:
    await press(pilot, "1")
    pilot.app.pane("entity").reveal(entity_id)
    await settle(pilot)


async def _type(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
    await settle(pilot)


async def test_e_edits_an_entity_as_a_revision_shown_in_its_detail(case):
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EditScreen)
        assert form.query_one("#field-name", Input).value == "Kirill Logvinov"
        assert form.query_one("#field-aliases", Input).value == \
            "Logvinov | Кирилл Логвинов@ru | Логвинов@ru"   # each with its language tag
        await press(pilot, "end")
        await _type(pilot, " Jr")
        await press(pilot, "enter")
        assert not isinstance(app.screen, EditScreen)
        entity = get_entity(case, entity_id)
        assert dict(entity.languages) == {"Кирилл Логвинов": "ru", "Логвинов": "ru"}   # tags kept
        assert entity.name == "Kirill Logvinov Jr" and entity.version == 1
        [revision] = curation.revisions(case, kind="entity", item_uid=entity.uid)
        assert revision.annotator == "tester"
        detail = app.pane("entity").detail.text
        assert "Revisions · version 1" in detail and "Kirill Logvinov → Kirill Logvinov Jr" in detail


async def test_the_edit_form_sets_changes_and_takes_away_language_tags(case):
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EditScreen)
        form.query_one("#field-aliases", Input).focus()
        await press(pilot, "end", "backspace", "backspace", "backspace")   # "Логвинов@ru": untagged
        await _type(pilot, " | Moskva@RU")                                # a new one, tagged
        await press(pilot, "enter")
        assert not isinstance(app.screen, EditScreen)
        entity = get_entity(case, entity_id)
        assert dict(entity.languages) == {"Кирилл Логвинов": "ru", "Moskva": "ru"}
        [revision] = curation.revisions(case, kind="entity", item_uid=entity.uid)
        assert revision.fields == {"aliases": (
            ["Logvinov", "Кирилл Логвинов@ru", "Логвинов@ru"],
            ["Logvinov", "Кирилл Логвинов@ru", "Логвинов", "Moskva@ru"])}
        assert "Логвинов@ru" in app.pane("entity").detail.text   # the history shows the tags
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EditScreen)
        aliases = form.query_one("#field-aliases", Input)
        assert aliases.value == "Logvinov | Moskva@ru | Кирилл Логвинов@ru | Логвинов"
        aliases.focus()
        await press(pilot, "end")
        await _type(pilot, " | Moskwa@xx")   # no language: refused, the form stays
        await press(pilot, "enter")
        assert app.screen is form
        status = str(form.query_one("#form-status").render())
        assert "Not saved" in status and "'xx' after '@' is not an ISO 639-1" in status
        assert get_entity(case, entity_id).version == entity.version


async def test_a_stale_edit_says_who_changed_what_and_enter_again_saves_over_it(case):
    event_id = 1
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        app.pane("event").reveal(event_id)
        await settle(pilot)
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EditScreen)
        curation.revise(case, "event", event_id, {"description": "Ben's words."}, annotator="ben")
        await press(pilot, "end")
        await _type(pilot, "!")
        await press(pilot, "enter")
        assert app.screen is form   # refused: nothing written, the form stays
        status = str(form.query_one("#form-status").render())
        assert "ben revised description" in status and "Enter saves yours over it" in status
        assert not case.scalar("SELECT title FROM events WHERE id = 1").endswith("!")
        await press(pilot, "enter")
        assert app.screen is not form
        assert case.scalar("SELECT title FROM events WHERE id = 1").endswith("!")
        assert case.scalar("SELECT description FROM events WHERE id = 1") == "Ben's words."


async def test_X_retires_with_a_reason_H_shows_it_marked_and_X_restores_it(case):
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        claims = app.pane("claim")
        claim_id = claims.paged_list.cursor_item_id
        before = claims.paged_list.total
        await press(pilot, "X")
        assert isinstance(app.screen, RetireScreen)
        await press(pilot, "enter")                       # a reason is required
        assert isinstance(app.screen, RetireScreen)
        status = str(app.screen.query_one("#form-status").render())
        assert "needs a reason" in status and "--reason" not in status   # (no CLI option here)
        await _type(pilot, "a duplicate")
        await press(pilot, "enter")
        assert not isinstance(app.screen, RetireScreen)
        assert curation.is_retired(case, "claim", claim_id)
        # It left the list (and the count); the cursor is on the claim after it.
        assert claims.paged_list.total == before - 1
        assert claims.paged_list.cursor_item_id not in (None, claim_id)
        assert app.pane_bar.counts["claim"] == before - 1
        assert "retired " not in screen_text(app)
        await press(pilot, "H")                           # shown, marked retired
        assert claims.paged_list.total == before
        assert app.pane_bar.counts["claim"] == before
        claims.reveal(claim_id)
        await settle(pilot)
        assert claims.paged_list.cursor_item_id == claim_id
        assert sum("retired " in line for line in screen_lines(app)) == 1
        assert "Retired  a duplicate" in claims.detail.text
        await press(pilot, "X")                           # restores, with a reason
        assert isinstance(app.screen, RetireScreen)
        await _type(pilot, "not a duplicate after all")
        await press(pilot, "enter")
        assert not curation.is_retired(case, "claim", claim_id)
        assert curation.retirements(case, kind="claim")[-1].reason == "not a duplicate after all"
        assert "retired " not in screen_text(app)
        await press(pilot, "H")                           # hidden again; the claim is back
        assert claims.paged_list.total == before
        assert claims.paged_list.cursor_item_id == claim_id


async def test_a_retired_entity_is_left_out_of_its_list_until_H(case):
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    curation.retire(case, "entity", entity_id, reason="a test", annotator="ben")
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "1")
        entities = app.pane("entity")
        total = entities.paged_list.total
        assert total == int(case.scalar("SELECT count(*) FROM entities")) - 1
        assert "Kirill Logvinov" not in screen_text(app)
        entities.reveal(entity_id)                         # a link to it: said, not shown
        await settle(pilot)
        assert entities.paged_list.cursor_item_id != entity_id
        await app.run_action("command_palette")
        await settle(pilot)
        await _type(pilot, "Show retired")
        await press(pilot, "enter")
        assert app.curating.retired_shown and entities.paged_list.total == total + 1
        entities.reveal(entity_id)
        await settle(pilot)
        assert entities.paged_list.cursor_item_id == entity_id
        [line] = [line for line in screen_lines(app) if "Kirill Logvinov" in line
                  and "retired " in line]
        assert line.index("retired ") < line.index("Kirill Logvinov")


async def test_e_on_an_excerpt_still_builds_an_entity(case):
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "e")
        assert isinstance(app.screen, EntityForm)


def _edit_steps(entity_id: int):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        await press(pilot, "e")
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_edit_form(snap_compare, case, size):
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    assert snap_compare(browser(case), terminal_size=size, run_before=_edit_steps(entity_id))


async def test_the_duplicates_queue_judges_with_one_key_and_combines_the_same(case):
    from db.entities import add_entity
    from tui.kinds import LIKELY_DUPLICATES
    from tui.screens.judging import JudgingScreen

    kirill = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    twin = add_entity(case, kind="person", name="Logvinov").id
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "D")
        screen = app.screen
        assert isinstance(screen, JudgingScreen) and screen.queue is LIKELY_DUPLICATES
        assert screen.proposals and {screen.proposals[0].a.id, screen.proposals[0].b.id} == {
            kirill, twin}
        await press(pilot, "space")                    # skipped: kept, and it comes back
        assert case.scalar("SELECT judgement FROM duplicate_judgements") == "skip"
        await press(pilot, "escape", "D")
        screen = app.screen
        assert isinstance(screen, JudgingScreen)
        assert {screen.proposals[0].a.id, screen.proposals[0].b.id} == {kirill, twin}
        await press(pilot, "s")
        assert curation.is_retired(case, "entity", twin)
        assert "Logvinov" in get_entity(case, kirill).aliases
        assert case.scalar("SELECT count(*) FROM combinations") == 1
        assert all(twin not in (p.a.id, p.b.id) for p in screen.proposals)
        assert screen.did_more == 1


def _queue_steps():
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "D")
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_duplicates_queue(snap_compare, case, size):
    from db.entities import add_entity
    add_entity(case, kind="person", name="Logvinov", description="Entered twice.")
    assert snap_compare(browser(case), terminal_size=size, run_before=_queue_steps())


def _linked(detail, kind: str, item_id: int) -> list[str]:
    """The lines of a detail's links to one item (plain text)."""
    return [block.content.plain for block in detail.blocks
            if block.link is not None and (block.link.kind, block.link.id) == (kind, item_id)]


async def test_details_leave_out_linked_retired_items_until_H_then_mark_them(case):
    """An entity's detail lists its events, claims and excerpts as the panes do:
    a retired one is left out (and out of the count) until ``H``, then marked as
    the panes mark it; a claim's evidence and an excerpt's mentions alike."""
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    claim_id = int(case.scalar("SELECT min(claim_id) FROM claim_entities WHERE entity_id = ?",
                               [entity_id]))
    event_id = int(case.scalar("SELECT min(event_id) FROM event_entities WHERE entity_id = ?",
                               [entity_id]))
    excerpt_id = int(case.scalar(
        "SELECT min(x.excerpt_id) FROM excerpt_entities x JOIN claim_excerpts c "
        "ON c.excerpt_id = x.excerpt_id WHERE x.entity_id = ?", [entity_id]))
    cited_by = int(case.scalar("SELECT min(claim_id) FROM claim_excerpts WHERE excerpt_id = ? "
                               "AND claim_id != ?", [excerpt_id, claim_id]))   # not retired
    mentions = int(case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?",
                               [entity_id]))
    for kind, item_id in (("claim", claim_id), ("event", event_id), ("excerpt", excerpt_id)):
        curation.retire(case, kind, item_id, reason="a test", annotator="ben")
    app = browser(case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        detail = app.pane("entity").detail
        for kind, item_id in (("claim", claim_id), ("event", event_id), ("excerpt", excerpt_id)):
            assert _linked(detail, kind, item_id) == [], kind
        assert f"Mentioned in ({mentions - 1:,})" in detail.text
        await press(pilot, "H")
        assert f"Mentioned in ({mentions:,})" in detail.text
        for kind, item_id in (("claim", claim_id), ("event", event_id), ("excerpt", excerpt_id)):
            [line] = _linked(detail, kind, item_id)
            assert line.startswith("• retired "), (kind, line)
        # every other link is not marked
        others = [block.content.plain for block in detail.blocks if block.link is not None
                  and (block.link.kind, block.link.id) not in
                  {("claim", claim_id), ("event", event_id), ("excerpt", excerpt_id)}]
        assert others and not any("retired " in line for line in others)
        # the claim citing the retired excerpt: marked in its evidence
        await press(pilot, "4")
        app.pane("claim").reveal(cited_by)
        await settle(pilot)
        assert app.pane("claim").detail_id == cited_by
        [line] = _linked(app.pane("claim").detail, "excerpt", excerpt_id)
        assert line.startswith("retired ")
        await press(pilot, "H")                            # hidden again: left out
        assert app.pane("claim").detail_id == cited_by
        assert _linked(app.pane("claim").detail, "excerpt", excerpt_id) == []


def _history_steps(entity_id: int):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        detail = pilot.app.pane("entity").detail
        [index] = [number for number, block in enumerate(detail.blocks)
                   if "description: " in block.content.plain and " → " in block.content.plain]
        top, _ = detail._block_span(index)
        detail.scroll_to(y=max(0, top - 3), animate=False)   # the history's heading in view
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_revision_history(snap_compare, case, size, monkeypatch):
    """An entity's detail with its revisions (made at a fixed time, so the snapshot holds)."""
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    monkeypatch.setattr(curation, "timestamp_after", lambda _latest: "2026-03-02T09:15:00.000000Z")
    curation.revise(case, "entity", entity_id, {"description": "Counsellor at the Mission."},
                    annotator="ana", note="as the article says")
    monkeypatch.setattr(curation, "timestamp_after", lambda _latest: "2026-03-03T10:00:00.000000Z")
    curation.revise(case, "entity", entity_id, {"name": "Kirill V. Logvinov"}, annotator="ben")
    assert snap_compare(browser(case), terminal_size=size, run_before=_history_steps(entity_id))


async def test_a_long_revised_value_is_cut_in_the_history(case):
    entity_id = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    long_text = "A diplomat. " + "word " * 100 + "THE END"
    curation.revise(case, "entity", entity_id, {"description": long_text}, annotator="ana")
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _on_entity(pilot, entity_id)
        [revision] = [block.content.plain for block in app.pane("entity").detail.blocks
                      if "description: " in block.content.plain and " → " in block.content.plain]
        after = revision.split(" → ", 1)[1]
        assert after.startswith("A diplomat. word") and after.endswith("…")
        assert "THE END" not in revision and len(after) == 120


async def test_C_on_one_entity_then_C_on_another_combines_them(case):
    from db.entities import add_entity
    from tui.screens.edit import CombineScreen

    kirill = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    twin = add_entity(case, kind="person", name="K. Logvinov").id or 0
    app = browser(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _on_entity(pilot, kirill)
        await press(pilot, "C")                            # the one to keep
        assert not isinstance(app.screen, CombineScreen)
        assert app.curating.combine_into == (kirill, "Kirill Logvinov")
        await _on_entity(pilot, twin)
        await press(pilot, "C")                            # the same: asks, with a why
        assert isinstance(app.screen, CombineScreen)
        assert "K. Logvinov is the same as Kirill Logvinov" in screen_text(app)
        await press(pilot, "escape")                       # Esc: nothing combined
        assert not isinstance(app.screen, CombineScreen)
        assert not curation.is_retired(case, "entity", twin)
        await press(pilot, "C")                            # C anew picks the one to keep
        assert app.curating.combine_into == (twin, "K. Logvinov")
        await _on_entity(pilot, kirill)
        await press(pilot, "C")
        assert isinstance(app.screen, CombineScreen)
        await _type(pilot, "same man")
        await press(pilot, "enter")
        assert not isinstance(app.screen, CombineScreen)
        # Kirill went into the twin as the keys said: kept, absorbed, why, on the record
        [combination] = [c for c in curation.item_state(case, "entity", twin).combinations]
        assert combination.note == "same man" and combination.annotator == "tester"
        assert curation.is_retired(case, "entity", kirill)
        assert "Kirill Logvinov" in get_entity(case, twin).aliases


def _combine_steps(kept: int, absorbed: int):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await _on_entity(pilot, kept)
        await press(pilot, "C")
        await _on_entity(pilot, absorbed)
        await press(pilot, "C")
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_combine_form(snap_compare, case, size):
    kirill = int(case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
    twin = curation.add_item(case, "entity", {"kind": "person", "name": "K. Logvinov"}).id or 0
    assert snap_compare(browser(case), terminal_size=size, run_before=_combine_steps(kirill, twin))
