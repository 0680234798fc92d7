"""Bounded rendering (issue 17, point 7): a huge text (a 10 MB name, a
200,000-line excerpt) is cut to what can be drawn before any character work;
a row still ends with the ellipsis at its width, a detail says how much it
left out and where the rest is; keys typed while it loads are kept."""

from __future__ import annotations

import sqlite3

import pytest
from build_flow import browsing, type_text
from conftest import browser, press, settle
from textual import events
from textual.content import Content

import db
from db.text import register_functions, visible
from tui.screens.pickers import LinkScreen
from tui.text import TITLE_CHARS, fit


def test_a_huge_text_is_cut_to_its_row_with_an_ellipsis():
    for text in ("N" * 10_000_000, "\n".join(f"line {n}" for n in range(200_000)).replace("\n", " "),
                 "界" * 1_000_000, "e\u0301" * 1_000_000):
        row = fit(Content(text), 80)
        assert row.cell_length <= 80 and str(row).endswith("…"), text[:20]
        shown = str(row)[:-1].rstrip()   # a wide character cut in half leaves a space
        assert len(shown) > 20 and text.startswith(shown)


def test_a_short_text_is_left_as_it_is_and_an_exact_fit_gets_no_ellipsis():
    assert str(fit(Content("short"), 80)) == "short"
    assert str(fit(Content("x" * 80), 80)) == "x" * 80
    assert str(fit(Content("x" * 81), 80)) == "x" * 79 + "…"


# -- the text is cut before the character work, honestly ----------------------

HUGE_NAME = "N" * 10_000_000
HUGE_EXCERPT = "\n".join(f"line {n}" for n in range(200_000))


def test_a_cut_line_is_the_start_of_the_whole_line_and_counts_what_it_leaves_out():
    from db.text import cut_line, one_line

    for text in ("a \n\t b" * 5_000, "  lead\n\n" + "word " * 10_000, "\x1b[31m" * 3_000,
                 HUGE_NAME, HUGE_EXCERPT):
        flat, rest = cut_line(text, 300)
        assert len(flat) == 300 and rest > 0
        assert one_line(text).startswith(visible(flat))           # what the whole would show
        shown_of = text[:len(text) - rest]                        # the part of the text it stands for
        assert one_line(shown_of) == visible(flat.rstrip())
    assert cut_line("short  text\n", 300) == ("short text", 0)
    assert cut_line("x" * 300, 300) == ("x" * 300, 0)
    assert cut_line("x" * 301, 300) == ("x" * 300, 1)
    assert cut_line("a" * 100 + " " * 1_000 + "b" * 400, 300) == ("a" * 100 + " " + "b" * 199, 201)


def test_a_row_of_a_huge_text_ends_with_an_ellipsis_and_a_block_with_the_cut_note():
    from tui.text import BLOCK_LINES, LINE_CHARS, plain_block, plain_line

    assert str(plain_line(HUGE_NAME)) == "N" * LINE_CHARS + "…"
    assert str(plain_line("a  short\nname")) == "a short name"
    block = str(plain_block(HUGE_EXCERPT)).split("\n")
    shown = "\n".join(block[:-1])
    assert block[:-1] == [f"line {n}" for n in range(BLOCK_LINES)]
    assert block[-1] == (f"… (cut: {len(HUGE_EXCERPT) - len(shown):,} more characters, "
                         "see `casebook show`)")
    assert str(plain_block("two\nlines")) == "two\nlines"
    one_huge_line = str(plain_block(HUGE_NAME))
    assert one_huge_line.endswith(f"… (cut: {10_000_000 - 20_000:,} more characters, "
                                  "see `casebook show`)")


# -- the browser over them ------------------------------------------------------


@pytest.fixture
def huge_case(seed_case_copy):
    connection = sqlite3.connect(seed_case_copy)
    register_functions(connection)   # the search indexes' triggers fold with casebook's fold
    with connection:
        connection.execute("UPDATE entities SET name = ? WHERE id = 1", (HUGE_NAME,))
        connection.execute("UPDATE excerpts SET text = ? WHERE id = 1", (HUGE_EXCERPT,))
    connection.close()
    with db.open_case(seed_case_copy, read_only=True) as case:
        yield case


@pytest.mark.parametrize(("pane", "shown", "not_shown"), [
    ("1", [f"… (cut: {10_000_000 - 1000:,} more characters, see `casebook show`)"], []),
    ("3", ["line 199", "more characters, see `casebook show`)"], ["line 200\n"]),
], ids=["huge-name", "huge-excerpt"])
async def test_the_detail_of_a_huge_row_says_where_it_is_cut(huge_case, pane, shown, not_shown):
    app = browser(huge_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, pane)
        rows = app.active_pane.paged_list
        while rows.cursor_item_id != 1:
            await press(pilot, "j")
        await press(pilot, "enter")
        detail = app.active_pane.detail.text
        assert all(text in detail for text in shown), detail[-300:]
        assert not any(text in detail for text in not_shown), detail[-300:]
        assert app.return_code is None


async def test_keys_typed_while_the_first_screen_of_a_huge_row_loads_are_kept(huge_case):
    app = browser(huge_case, pane="excerpt")
    async with app.run_test(size=(80, 24)) as pilot:
        bunched_keys = [events.Key("j", "j"), events.Key("j", "j")]
        excerpts = app.active_pane.paged_list
        assert excerpts.cursor_item_id is None     # typed before the first rows are read
        for key in bunched_keys:
            app.post_message(key)
        await settle(pilot)
        assert excerpts.cursor == 2
        assert excerpts.cursor_item_id == excerpts.model.item_at(2).id   # the third row


async def test_a_huge_name_in_a_picker_is_shown_cut_in_its_results_and_its_status(seed_case_copy):
    """The pickers and forms bound every name they put on one line (issue 17
    point 7): a 10 MB name costs what a short one does there too."""
    connection = sqlite3.connect(seed_case_copy)
    register_functions(connection)
    with connection:
        connection.execute("UPDATE entities SET name = 'Logvinov ' || ? WHERE id = 1", (HUGE_NAME,))
        excerpt_id = connection.execute(
            "SELECT excerpt_id FROM excerpt_entities WHERE entity_id = 1 ORDER BY excerpt_id "
            "LIMIT 1").fetchone()[0]
    connection.close()
    with db.open_case(seed_case_copy) as case:
        async with browsing(case, excerpt_id) as (app, pilot):
            await press(pilot, "l")
            assert isinstance(app.screen, LinkScreen)
            await type_text(pilot, "logvinov")
            results = app.screen.results.text
            assert "Logvinov NNN" in results and len(results) < 20_000
            await press(pilot, "enter")              # it is linked already: refused, with the name
            assert isinstance(app.screen, LinkScreen)
            status = str(app.screen.query_one("#form-status").render())
            assert status.startswith("This excerpt already mentions Logvinov NNN")
            assert status.endswith("….") and len(status) < TITLE_CHARS + 100
            assert app.return_code is None


# -- in bounded memory ------------------------------------------------------------

# In a process of its own (ru_maxrss is the process's peak): the huge rows written
# through casebook's index functions, a JSON line with a huge note bounded, then the
# browser showing both rows. A per-character regex backtracking stack once took
# 1.27 GB here (benchmarks/bench_huge_rows.py); this is about 200 MB.
MEMORY_SCRIPT = """
import asyncio, json, resource, sqlite3, sys
import db
from db.jsonlimits import check_depth
from db.text import register_functions
from tui.app import CasebookApp

path = sys.argv[1]
connection = sqlite3.connect(path)
register_functions(connection)
with connection:
    connection.execute("UPDATE entities SET name = ? WHERE id = 1", ("N" * 10_000_000,))
    connection.execute("UPDATE excerpts SET text = ? WHERE id = 1",
                       ("\\n".join(f"line {n}" for n in range(200_000)),))
connection.close()
check_depth(json.dumps({"note": "x" * 8_000_000}))

async def browse():
    with db.open_case(path, read_only=True) as case:
        app = CasebookApp(case, annotator="tester")
        async with app.run_test(size=(80, 24)) as pilot:
            for pane in ("1", "3"):
                await pilot.press(pane)
                for _ in range(200):         # to the huge row (id 1) and its detail
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                    if app.active_pane.paged_list.cursor_item_id == 1:
                        break
                    await pilot.press("j")
                await pilot.press("enter")
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert "more characters" in app.active_pane.detail.text, pane

asyncio.run(browse())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
MEMORY_BOUND_MB = 600      # generous: about 200 MB is used; 1.27 GB when it was not bounded


def test_huge_rows_are_indexed_and_shown_in_bounded_memory(seed_case_copy):
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(seed_case_copy)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split()[-1])
    assert peak_mb < MEMORY_BOUND_MB, f"peak RSS {peak_mb} MB"
