"""Choosing words of an excerpt with the keyboard (``s``): by word and by
line, extending from an anchor, the whole excerpt; the span becomes the
quote. Untrusted text stays text, on the screen and in the bytes."""

from __future__ import annotations

import itertools

import pytest
from build_flow import (  # noqa: F401
    browsing,
    choose_words,
    excerpt_with,
    on_excerpt,
    press,
    span_menu,
)
from conftest import PtyApp, browser, screen_text, settle
from rich.cells import cell_len
from test_browser_hostile import RAW_FORBIDDEN, build_hostile_case

import db
from db.sources import excerpts_page
from db.text import visible
from tui.screens.build_forms import EntityForm, EventForm
from tui.screens.span import SpanScreen
from tui.widgets.span_picker import SpanPicker, picked_words, wrap_offsets

LONG = ("Logvinov is known for lavish dinners at the mission on Regentlaan, where diplomats and "
        "members of the European Parliament discuss investments.\nSecond paragraph: "
        "Antidisestablishmentarianismisalongwordindeed and \x1b[31m escapes ⟨wide 漢字⟩ too.")


@pytest.mark.parametrize("width", [4, 7, 20, 33, 78])
def test_lines_cover_the_text_and_fit_the_width(width):
    lines = wrap_offsets(LONG, width)
    assert lines[0][0] == 0 and lines[-1][1] == len(LONG)
    for (_, end), (start, _) in itertools.pairwise(lines):
        assert LONG[end:start] in ("", "\n")                    # nothing lost between lines
    for start, end in lines:
        assert "\n" not in LONG[start:end]
        assert cell_len(visible(LONG[start:end].rstrip())) <= width


async def test_words_lines_extending_and_the_whole_excerpt(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    text = paragraph.text
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, SpanScreen)
        picker = screen.query_one(SpanPicker)
        assert picker.has_focus and picker.quote == "Logvinov"      # the first word
        await press(pilot, "l", "l", "right")
        assert picker.quote == "for" and picker.span == (text.index("for"), text.index("for") + 3)
        await press(pilot, "h")
        assert picker.quote == "known"
        await press(pilot, "space", "l", "l", "l")                  # extend from "known"
        assert picker.quote == "known for lavish dinners" and picker.extending
        assert "Chosen: “known for lavish dinners”  4 words" in screen_text(app)
        await press(pilot, "h")                                     # shrink back a word
        assert picker.quote == "known for lavish"
        await press(pilot, "space")                                 # start over here
        assert picker.quote == "lavish" and not picker.extending
        await press(pilot, "j")                                     # the word below
        below = picker.quote
        assert below and text.index(below) > text.index("lavish") + 40
        await press(pilot, "k")
        assert picker.quote in ("lavish", "dinners", "for")
        await press(pilot, "G")
        assert picker.quote == "mission"
        await press(pilot, "g")
        assert picker.quote == "Logvinov"
        await press(pilot, "w")                                     # the whole excerpt
        assert picker.span is None and picker.quote == text
        assert "Chosen: the whole excerpt" in screen_text(app)
        await press(pilot, "escape")
        assert not isinstance(app.screen, SpanScreen)


def test_an_apostrophe_inside_a_word_keeps_it_whole():
    text = "Russia’s envoy, O'Brien's and 'quoted' words’ end"
    assert [text[start:end] for start, end in picked_words(text)] == [
        "Russia’s", "envoy", "O'Brien's", "and", "quoted", "words", "end"]


async def test_the_word_picker_moves_over_russias_as_one_word(seed_case_copy):
    # Seen in review: the picker split "Russia’s" at the typographic apostrophe.
    with db.open_case(seed_case_copy) as case:
        paragraph = excerpt_with(case, "Russia’s Foreign Intelligence Service")
        text = paragraph.text
        async with browsing(case, paragraph.id) as (app, pilot):
            await press(pilot, "s")
            picker = app.screen.query_one(SpanPicker)
            russias = text.index("Russia’s")
            await press(pilot, *["l"] * sum(1 for _, end in picker.words if end < russias))
            assert picker.quote == "Russia’s"
            assert text[slice(*picker.span)] == "Russia’s"
            await press(pilot, "l")
            assert picker.quote == "Foreign"
            await press(pilot, "h", "h", "space", "l", "l")           # with Russia’s Foreign
            assert picker.quote == "with Russia’s Foreign"


async def test_enter_offers_what_to_make_and_the_span_is_kept_for_next_time(observer_case):
    paragraph = excerpt_with(observer_case, "Logvinov is known for lavish dinners")
    async with browsing(observer_case, paragraph.id) as (app, pilot):
        await span_menu(pilot, paragraph.text, "lavish dinners")
        await press(pilot, "down", "enter")                        # the second: an event
        assert isinstance(app.screen, EventForm)
        assert app.screen.text("title") == "lavish dinners"
        await press(pilot, "escape")
        await press(pilot, "s")                                     # the picker starts there again
        assert app.screen.picker.quote == "lavish dinners"
        await press(pilot, "enter", "e")                            # the menu's keys work too
        assert isinstance(app.screen, EntityForm)


async def test_a_hostile_excerpt_is_shown_as_text_and_its_words_chosen_as_typed(tmp_path):
    path = build_hostile_case(tmp_path / "hostile.casebook")
    with db.open_case(path) as case:
        excerpt = excerpts_page(case, offset=0, limit=1)[0]
        app = browser(case)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await on_excerpt(pilot, excerpt.id)
            await press(pilot, "s")
            shown = screen_text(app)
            assert "[@click=app.quit]quit?[/]" in shown and "␛[31mred" in shown
            assert "⟨U+202E⟩desrever" in shown
            assert not any(ch in shown for ch in "\x1b\x9b\x85\x00\u202e")
            # The words after the escapes are chosen by their place in the text itself.
            await press(pilot, "G", "space", "h")
            picker = app.screen.picker
            assert picker.quote == "byte \u202edesrever"
            assert excerpt.text[slice(*picker.span)] == picker.quote
            await press(pilot, "e")
            # The name starts as the words, without the bidi override.
            assert app.screen.text("name") == "byte desrever"
            assert app.is_running


def test_the_span_picker_writes_no_escape_from_the_source_to_the_terminal(tmp_path):
    path = build_hostile_case(tmp_path / "hostile.casebook")
    app = PtyApp("open", path, "--annotator", "tester", size=(30, 100))
    try:
        app.wait_for("Entities")
        app.send("3", until="Excerpt ·")  # an excerpt's detail
        app.send("s", until="Choose words")
        app.send("l", "l", " ", "l", "l")
        app.send("e", until="New entity")
        output = bytes(app.output)
        for forbidden in RAW_FORBIDDEN:
            assert forbidden not in output, forbidden
        assert "Choose words" in output.decode("utf-8", "replace")
    finally:
        assert app.close() == 0


async def test_a_long_excerpt_scrolls_under_a_status_line_that_stays_in_view(tmp_path):
    from db.sources import add_source

    words = " ".join(f"word{i}" for i in range(900))
    with db.create_case(tmp_path / "long.casebook", title="Long") as case:
        add_source(case, text=words + "\n", title="Long notes")
        excerpt = excerpts_page(case, offset=0, limit=1)[0]
        async with browsing(case, excerpt.id) as (app, pilot):
            await press(pilot, "s")
            assert "word0" in screen_text(app) and "Chosen: “word0”" in screen_text(app)
            await press(pilot, "G")
            shown = screen_text(app)
            assert "word899" in shown and "word0 " not in shown
            assert "Chosen: “word899”" in shown and "Esc cancel" in shown
            await press(pilot, "k", "k", "space", "j", "j")
            assert app.screen.picker.quote.startswith("word8") and app.screen.picker.quote.endswith("word899")
