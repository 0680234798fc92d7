"""Search as you type: grouped, highlighted, folded; Enter jumps to the item."""

from __future__ import annotations

from conftest import browser, press, screen_text, settle

from db.entities import entities_page
from db.search import KINDS
from tui.app import CasebookApp
from tui.screens.search import SearchScreen


class RecordingApp(CasebookApp):
    """Remembers every SearchScreen.ResultsShown (as a benchmark would time them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown: list[tuple[str, int]] = []
        self.stages: list[tuple[str, bool]] = []

    def on_search_screen_results_shown(self, message: SearchScreen.ResultsShown) -> None:
        self.shown.append((message.query, message.hits))
        self.stages.append((message.query, message.ranked))


async def type_query(pilot, text: str) -> SearchScreen:
    await press(pilot, "slash")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.press(*text)
    await settle(pilot)
    return screen


def headings(screen: SearchScreen) -> list[str]:
    return [line for line in screen.results.text.splitlines()
            if line.split(" (")[0] in ("Entities", "Events", "Excerpts", "Claims")]


async def test_folding_finds_uhrik_and_highlights_the_match(seed_case):
    app = RecordingApp(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "Uhrik")
        results = screen.results
        assert "Milan Uhrík" in results.text
        assert "Milan Uhrík" in screen_text(app)
        # The matched word carries the match style; the rest of the line does not.
        line = next(block.content for block in results.blocks
                    if block.link and "Milan Uhrík" in block.content.plain)
        matched = {line.plain[span.start:span.end] for span in line.spans if span.style == ".cb--match"}
        assert matched == {"Uhrík"}
        assert app.shown[-1][0] == "Uhrik" and app.shown[-1][1] > 0


async def test_results_are_grouped_by_kind_in_order(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "Logvinov")
        groups = [heading.split(" (")[0] for heading in headings(screen)]
        assert groups == ["Entities", "Events", "Excerpts", "Claims"]
        assert any("of" in heading for heading in headings(screen))  # "10 of 57"
        assert screen.results.link.kind == "entity"


async def test_results_follow_each_keystroke(seed_case):
    app = RecordingApp(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "Metsol")
        assert "Roberta Metsola" in screen.results.text
        await pilot.press("x", "q")             # letters are typed, not commands
        await settle(pilot)
        assert screen.query_text == "Metsolxq"
        assert "No matches for Metsolxq" in screen.results.text
        assert app.is_running and isinstance(app.screen, SearchScreen)
        await pilot.press("backspace", "backspace", "a")
        await settle(pilot)
        assert "Roberta Metsola" in screen.results.text
        assert [query for query, _ in app.shown][-1] == "Metsola"
        # Only the newest query's results are on screen, whatever finished first.
        assert screen.results.text.count("Roberta Metsola") >= 1


async def test_enter_jumps_to_the_item_in_its_pane(seed_case):
    app = browser(seed_case)
    uhrik = next(e for e in entities_page(seed_case, offset=0, limit=1000) if e.name == "Milan Uhrík")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "uhrik")
        assert screen.results.link.id == uhrik.id
        await press(pilot, "enter")
        assert not isinstance(app.screen, SearchScreen)
        assert app.active_kind == "entity"
        assert app.active_pane.paged_list.cursor_item_id == uhrik.id
        assert "Milan Uhrík" in app.active_pane.detail.text
        assert "Milan Uhrík" in screen_text(app)


async def test_arrows_choose_another_kind_of_result(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "Uhrik")
        while screen.results.link.kind != "claim":
            await pilot.press("down")
        chosen = screen.results.link
        await pilot.press("up", "down", "enter")
        await settle(pilot)
        assert app.active_kind == "claim"
        assert app.active_pane.paged_list.cursor_item_id == chosen.id
        await press(pilot, "backspace")        # the jump is in the history
        assert app.active_kind == "entity"


async def test_escape_closes_and_the_query_is_kept(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.active_pane.paged_list.cursor_item_id
        await type_query(pilot, "Chizhov")
        await press(pilot, "escape")
        assert not isinstance(app.screen, SearchScreen)
        assert app.active_pane.paged_list.cursor_item_id == before
        screen = await type_query(pilot, "")
        assert screen.query_one("#search-input").value == "Chizhov"
        assert "Vladimir Chizhov" in screen.results.text


async def test_an_empty_or_hostile_query_is_just_text(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, '"NEAR( *')
        assert "No matches" in screen.results.text or screen.results.links
        await pilot.press(*["backspace"] * 8)
        await settle(pilot)
        assert "Type to search" in screen.results.text
        assert app.is_running


async def test_a_slow_search_is_superseded_and_never_shown(seed_case, monkeypatch):
    """The newest keystroke wins: a stale search stops at its next read, and
    its results, should it get that far, never replace the newer ones."""
    import threading
    import time

    import db.search
    from db.search import Searcher

    real_first_matches = db.search.first_matches
    release = threading.Event()

    def slow_for_short_queries(case, query, **options):
        if query == "Met":
            release.wait(5)           # stands for a slow query over a huge index
            time.sleep(0.05)
        return real_first_matches(case, query, **options)

    monkeypatch.setattr(db.search, "first_matches", slow_for_short_queries)
    keystrokes = []
    real_keystroke = Searcher.keystroke

    def counted_keystroke(self):
        keystrokes.append(1)
        return real_keystroke(self)

    monkeypatch.setattr(Searcher, "keystroke", counted_keystroke)
    app = RecordingApp(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "M", "e", "t")
        await pilot.pause()
        await pilot.press("s", "o", "l", "a")
        await pilot.pause()
        release.set()                 # the stale search finishes last
        await settle(pilot)
        screen = app.screen
        assert screen.query_text == "Metsola"
        assert "Roberta Metsola" in screen.results.text
        shown = [query for query, _ in app.shown]
        assert "Met" not in shown and shown[-1] == "Metsola"
        assert len(keystrokes) == len("Metsola")   # every keystroke supersedes the last


async def test_results_come_in_stages_the_last_ranked(seed_case):
    app = RecordingApp(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Logvinov")
        final = [ranked for query, ranked in app.stages if query == "Logvinov"]
        assert final[0] is False and final[-1] is True   # first matches, then ranked


async def test_tab_moves_into_the_results_and_enter_follows(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "Metsola")
        await pilot.press("tab")
        assert screen.results.has_focus
        await pilot.press("j")
        chosen = screen.results.link
        await press(pilot, "enter")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == (chosen.kind, chosen.id)


async def test_a_later_stage_keeps_the_cursor_on_its_result(seed_case):
    from db.search import search

    app = RecordingApp(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "the")
        await pilot.press("tab", "j", "j")
        chosen = screen.results.link
        ranked = search(seed_case, "the", limit=10)
        screen.post_message(SearchScreen.ResultsFound("the", ranked.terms, list(ranked.groups)))
        await settle(pilot)
        assert screen.results.link == chosen


async def test_escape_after_a_jump_stays_on_the_result(seed_case):
    # Issue 16.1: / Logvinov Enter, then a habitual Esc Esc leaves the analyst on Logvinov.
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2")                      # start elsewhere: Back would leave Events
        await type_query(pilot, "Kirill Logvinov")
        await press(pilot, "enter")
        kind, item = app.active_kind, app.active_pane.paged_list.cursor_item_id
        assert kind == "entity"
        await press(pilot, "escape", "escape", "escape")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == (kind, item)
        assert "Kirill Logvinov" in screen_text(app)


async def test_all_of_a_kind_is_a_list_to_page_through_in_full(seed_case):
    # Issue 16.3: results stopped at 10 per kind ("Entities (10 of 19)").
    from db.search import count_all_matches, matches_page
    from tui.screens.search import ALL_OF, SearchListScreen

    total = count_all_matches(seed_case, "the", "excerpt")
    last = matches_page(seed_case, "the", "excerpt", offset=total - 1, limit=1, total=total)[0]
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await type_query(pilot, "the")
        assert f"⋯ all {total} excerpts" in screen.results.text
        await pilot.press("tab")
        while not screen.results.link.kind.startswith(ALL_OF + "excerpt"):
            await pilot.press("j")
        await press(pilot, "enter")
        listing = app.screen
        assert isinstance(listing, SearchListScreen)
        assert listing.paged_list.total == total
        assert f"{total:,} ·" in screen_text(app)
        await press(pilot, "G")
        assert listing.paged_list.cursor_item_id == last.id
        await press(pilot, "escape")                              # back to the search
        assert app.screen is screen
        await press(pilot, "enter")
        await press(pilot, "G", "enter")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == ("excerpt", last.id)
        assert app.last_result == ("excerpt", total - 1)


async def test_n_and_shift_n_step_through_the_last_searchs_results(seed_case):
    # Issue 16.3: after / … Enter, n did nothing (on a claim it opened the note box).
    from db.search import count_all_matches, matches_page

    totals = {kind: count_all_matches(seed_case, "ministry", kind) for kind in KINDS}
    lists = {kind: [hit.id for hit in matches_page(seed_case, "ministry", kind, offset=0,
                                                   limit=total, total=total)]
             for kind, total in totals.items()}
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        assert "No search yet" in list(app._notifications)[-1].message
        screen = await type_query(pilot, "ministry")
        await pilot.press("tab")
        await press(pilot, "g", "enter")                  # the first entity
        assert app.active_pane.paged_list.cursor_item_id == lists["entity"][0]
        await press(pilot, "n")
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == (
            "entity", lists["entity"][1])
        assert list(app._notifications)[-1].message == f"Entities 2 of {totals['entity']}"
        await press(pilot, "N", "N")                      # before the first: the last claim
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == (
            "claim", lists["claim"][-1])
        assert list(app._notifications)[-1].message == (
            f"Claims {totals['claim']} of {totals['claim']} · search wrapped")
        await press(pilot, "n")                           # on a claim: no note box
        assert app.screen is app.screen_stack[0]
        assert (app.active_kind, app.active_pane.paged_list.cursor_item_id) == (
            "entity", lists["entity"][0])
        assert list(app._notifications)[-1].message == (
            f"Entities 1 of {totals['entity']} · search wrapped")
        await press(pilot, "b")                           # each step is in the history
        assert app.active_kind == "claim"
        # Opening a result of a new search starts from it.
        screen = await type_query(pilot, "")
        await pilot.press(*"Logvinov")
        await settle(pilot)
        await pilot.press("tab", "j")
        chosen = screen.results.link
        await press(pilot, "enter")
        ids = [hit.id for hit in matches_page(seed_case, "Logvinov", chosen.kind, offset=0,
                                              limit=100, total=100)]
        assert app.last_result == (chosen.kind, ids.index(chosen.id))
        await press(pilot, "n")
        assert app.last_result == (chosen.kind, ids.index(chosen.id) + 1)
        assert app.active_pane.paged_list.cursor_item_id == ids[ids.index(chosen.id) + 1]
