"""Export from the browser (issue 16 point 7): ``:`` ``export``, a format, a
file name, Enter; the CLI's formats and its safe writing (db.outfile)."""

from __future__ import annotations

import json
import os

from conftest import browser, press, run_cli, screen_text, settle
from textual.command import CommandPalette

import db
from tui.screens.prompt import PromptScreen


async def export_from_palette(pilot, command: str) -> PromptScreen:
    await press(pilot, "colon")
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*command)
    await settle(pilot)
    await press(pilot, "enter")
    prompt = pilot.app.screen
    assert isinstance(prompt, PromptScreen)
    return prompt


def notices(app) -> list[str]:
    return [notice.message for notice in app._notifications]


async def test_export_json_from_the_palette_writes_what_the_cli_writes(seed_case_copy):
    target = seed_case_copy.with_name("brussels.json")
    with db.open_case(seed_case_copy, read_only=True) as case:
        claims = db.counts(case).claims
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            prompt = await export_from_palette(pilot, "export json")
            assert prompt.query_one("Input").value == str(target)    # beside the case
            await press(pilot, "enter")
            await settle(pilot)
            assert app.screen is app.screen_stack[0]
            assert notices(app)[-1].startswith(f"Exported json to {target} (")
    exported = json.loads(target.read_text())
    assert len(exported["claims"]) == claims
    assert os.stat(target).st_mode & 0o777 == 0o600
    cli = seed_case_copy.with_name("cli.json")
    assert run_cli("export", str(seed_case_copy), "-f", "json", "-o", str(cli)).returncode == 0
    assert json.loads(cli.read_text()).keys() == exported.keys()
    assert len(json.loads(cli.read_text())["claims"]) == claims


async def test_an_existing_file_is_replaced_only_on_a_second_enter(seed_case_copy):
    target = seed_case_copy.with_name("brussels.md")
    target.write_text("mine\n")
    with db.open_case(seed_case_copy, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            prompt = await export_from_palette(pilot, "export markdown")
            await press(pilot, "enter")
            assert app.screen is prompt and "exists: Enter again replaces it" in screen_text(app)
            assert target.read_text() == "mine\n"
            await press(pilot, "escape")                        # Esc: nothing written
            assert target.read_text() == "mine\n"
            await export_from_palette(pilot, "export markdown")
            await press(pilot, "enter", "enter")
            await settle(pilot)
    assert target.read_text().startswith("#")


async def test_a_symbolic_link_or_a_missing_directory_is_refused_in_one_line(seed_case_copy,
                                                                             tmp_path):
    elsewhere = tmp_path / "elsewhere.html"
    link = seed_case_copy.with_name("link.html")
    link.symlink_to(elsewhere)
    with db.open_case(seed_case_copy, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            prompt = await export_from_palette(pilot, "export html")
            prompt.query_one("Input").value = str(link)
            await press(pilot, "enter")
            await settle(pilot)
            assert "Export failed" in notices(app)[-1] and "symbolic link" in notices(app)[-1]
            prompt = await export_from_palette(pilot, "export html")
            prompt.query_one("Input").value = str(tmp_path / "no" / "such" / "dir.html")
            await press(pilot, "enter")
            await settle(pilot)
            assert notices(app)[-1].startswith("Export failed: ")
            assert "\n" not in notices(app)[-1]
    assert not elsewhere.exists() and not (tmp_path / "no").exists()


async def test_csv_exports_a_directory(seed_case_copy):
    target = seed_case_copy.with_name("brussels-csv")
    with db.open_case(seed_case_copy, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await export_from_palette(pilot, "export csv")
            await press(pilot, "enter")
            await settle(pilot)
            assert notices(app)[-1].startswith(f"Exported csv to {target} (")
    assert (target / "claims.csv").is_file()
