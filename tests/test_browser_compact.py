"""A compact detail at 80x24 (issue 16 point 8) and a focus that can be told
apart without colour (point 9)."""

from __future__ import annotations

from conftest import browser, press, screen_text, settle

from tui.details.blocks import SOURCE_IN_LINK


async def test_an_excerpts_heading_takes_three_rows_at_most(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        lines = app.active_pane.detail.text.splitlines()
        heading = lines[:lines.index("")]
        assert len(heading) <= 3, heading
        assert heading[0].startswith("Excerpt · quote · characters 0–127 of")
        assert heading[2] == "Euromaidan Press · 2023"
        assert "Before Russia’s invasion of Ukraine" in screen_text(app)   # the excerpt itself


async def test_excerpt_links_do_not_repeat_a_long_source_title(seed_case):
    title = seed_case.scalar("SELECT title FROM sources ORDER BY length(title) DESC LIMIT 1")
    assert len(title) > SOURCE_IN_LINK + 20
    logvinov = seed_case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.active_pane.reveal(logvinov)
        await settle(pilot)
        text = app.active_pane.detail.text
        flat = " ".join(text.split())
        assert title[:SOURCE_IN_LINK - 1] + "…" in flat
        assert title not in flat


async def test_enter_into_an_entity_keeps_its_name_on_screen(seed_case):
    logvinov = seed_case.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'")
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.active_pane.reveal(logvinov)
        await settle(pilot)
        detail = app.active_pane.detail
        await press(pilot, "enter")
        assert detail.has_focus and detail.scroll_offset.y == 0
        assert "Kirill Logvinov" in screen_text(app).split("Detail")[1]
        assert detail.link is None                  # no link on screen yet: Enter waits
        await press(pilot, "j")                     # reads on, onto the first link shown
        assert detail.link is not None and detail.link.kind == "event"
        await press(pilot, "enter")
        assert app.active_kind == "event"


async def test_no_color_tells_the_focused_cursor_from_the_other(seed_case, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = browser(seed_case, palette="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.active_pane
        focused = pane.paged_list.get_component_styles("cb--cursor").text_style
        blurred = pane.detail.get_component_styles("cb--cursor-blurred").text_style
        assert focused.reverse and focused.bold
        assert blurred.underline and not blurred.reverse
        await press(pilot, "tab")
        assert pane.detail.styles.border_title_style.reverse
