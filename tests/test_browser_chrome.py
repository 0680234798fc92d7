"""The header (title, counts, annotator, read-only), the layout at 80x24 and
200x50, and colour: NO_COLOR and 16-colour terminals."""

from __future__ import annotations

import re

from conftest import PtyApp, browser, reversed_rows, screen_lines, screen_text, settle

import db
from db.entities import entities_page

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def sgr_parameters(output: bytes) -> list[list[str]]:
    return [match.group(1).decode().split(";") for match in SGR.finditer(output)]


def colour_codes(output: bytes) -> set[str]:
    """Every colour an SGR sequence sets (39/49, the defaults, excluded)."""
    found = set()
    for params in sgr_parameters(output):
        index = 0
        while index < len(params):
            code = params[index]
            if code in ("38", "48"):
                found.add(";".join(params[index:index + (5 if params[index + 1:index + 2] == ["2"] else 3)]))
                index += 5 if params[index + 1:index + 2] == ["2"] else 3
                continue
            if code.isdigit() and (30 <= int(code) <= 37 or 40 <= int(code) <= 47
                                   or 90 <= int(code) <= 97 or 100 <= int(code) <= 107):
                found.add(code)
            index += 1
    return found


async def test_header_shows_title_counts_and_annotator(seed_case):
    counts = db.counts(seed_case)
    app = browser(seed_case, annotator="Zoë Ångström")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        header, tabs = screen_lines(app)[:2]
        assert seed_case.title in header
        assert "annotator Zoë Ångström" in header
        assert f"{counts.sources} sources · {counts.annotations} marks" in header
        assert "READ-ONLY" in header          # the fixture opens the file read-only
        for label in (f"1 Entities {counts.entities}", f"2 Events {counts.events}",
                      f"3 Excerpts {counts.excerpts}", f"4 Claims {counts.claims}"):
            assert label in tabs


async def test_a_writable_case_has_no_read_only_badge(seed_case_copy, monkeypatch):
    monkeypatch.setenv("CASEBOOK_ANNOTATOR", "from-the-environment")
    with db.open_case(seed_case_copy) as case:
        app = browser(case, annotator=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            header = screen_lines(app)[0]
            assert "READ-ONLY" not in header
            assert "annotator from-the-environment" in header


async def test_a_case_others_may_read_is_warned_about_in_a_toast(seed_case_copy):
    seed_case_copy.chmod(0o644)
    with db.open_case(seed_case_copy) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            said = [str(notice.message) for notice in app._notifications]
    assert any("anyone may read this case file (mode 0644)" in text
               and f"chmod 600 {seed_case_copy}" in text for text in said), said
    seed_case_copy.chmod(0o600)
    with db.open_case(seed_case_copy) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            assert not any("may read" in str(notice.message) for notice in app._notifications)


def test_a_file_this_user_cannot_write_shows_the_badge(seed_case_copy):
    seed_case_copy.chmod(0o444)
    app = PtyApp("open", seed_case_copy, as_unprivileged=True)
    try:
        app.wait_for("READ-ONLY", limit=60)      # a condition, not a time: the machine may be busy
        assert "READ-ONLY" in app.screen.display[0]
    finally:
        app.close()


async def test_narrow_stacks_the_detail_under_the_list_and_wide_puts_it_beside(seed_case):
    for size, stacked in (((80, 24), True), ((200, 50), False)):
        app = browser(seed_case)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            pane = app.active_pane
            listing, detail = pane.paged_list.region, pane.detail.region
            if stacked:
                assert detail.y >= listing.bottom and detail.width == listing.width
            else:
                assert detail.x >= listing.right and detail.y == listing.y
                assert listing.height >= 40     # the space is used
            assert pane.detail.text.splitlines()[1] in screen_text(app)


def test_cli_opens_with_read_only_and_annotator(seed_case_copy):
    app = PtyApp("open", seed_case_copy, "--read-only", "--annotator", "Ana")
    try:
        app.wait_for("READ-ONLY")
        app.wait_for("annotator Ana")
    finally:
        assert app.close() == 0


def entities_page_names(path) -> list[str]:
    with db.open_case(path, read_only=True) as case:
        return [entity.name for entity in entities_page(case, offset=0, limit=5)]


def test_no_color_means_no_colour_at_all(seed_case_file):
    app = PtyApp("open", seed_case_file, env={"NO_COLOR": "1"})
    try:
        app.wait_for("Entities")
        app.write("j")
        # Without colour the cursor row shows in reverse video, and only it.
        second = entities_page_names(seed_case_file)[1]
        app.wait_until(lambda: any(row.startswith(second) for row in reversed_rows(app)),
                       "the cursor on the second row")
        first = entities_page_names(seed_case_file)[0]
        assert not [row for row in reversed_rows(app) if row.startswith(first)]
        app.send("2", "/", "Logv", until="Kirill Logvinov")
        assert colour_codes(bytes(app.output)) == set()
    finally:
        assert app.close() == 0


def test_sixteen_colour_terminals_get_the_terminals_own_palette(seed_case_file):
    app = PtyApp("open", seed_case_file, env={"TERM": "screen"})
    try:
        app.wait_for("Entities")
        app.send("j", "4", until="unreviewed")
        app.send("G")
        output = bytes(app.output)
        codes = colour_codes(output)
        assert codes, "some colour is expected"
        assert not any(code.startswith(("38", "48")) for code in codes), codes
    finally:
        assert app.close() == 0


async def test_clicking_a_tab_shows_its_pane(seed_case):
    app = browser(seed_case)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tabs = screen_lines(app)[1]
        await pilot.click("#pane-bar", offset=(tabs.index("Claims"), 0))
        await settle(pilot)
        assert app.active_kind == "claim"
        await pilot.click("#pane-bar", offset=(tabs.index("Events"), 0))
        await settle(pilot)
        assert app.active_kind == "event"


def test_esc_then_a_digit_in_one_write_still_switches_panes(seed_case_file):
    """tmux joins Esc and a digit typed within its escape-time into one Meta+digit."""
    app = PtyApp("open", seed_case_file)
    try:
        app.wait_for("Entities")
        app.send("\t")
        app.send(b"\x1b2", until="1990s")   # the timeline's first rows
        app.send(b"\x1b4", until="unreviewed")
        assert "¢" not in app.text and "™" not in app.text
    finally:
        assert app.close() == 0
