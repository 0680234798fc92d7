"""A case file someone edited with sqlite3 never crashes casebook: every
reader (the browser, search, every export, check, the claims listing) reads
each damaged variant of the demo case (``damaged_files.VARIANTS``: rows, a
schema casebook did not make, a broken search index, a forged history) without
a traceback, ``check`` names the damage, and nothing is written to the file;
the browser runs once in a pty per variant too."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, browser, press, screen_text, settle
from damaged_files import CLAIM, ENTITY, EVENT, EXCERPT, VARIANTS, make_damaged

import db

FORMATS = ["json", "markdown", "html", "ftm", "w3c", "stix", "misp", "claimreview", "graphml", "gexf"]

# Runs the real CLI's main() once per command in one process (a subprocess per
# command would take minutes for every variant): each command's exit status.
DRIVER = """
import contextlib, io, json, sys
from casebook.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as done:
            code = done.code
        else:
            code = 0
    results.append({"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(results))
"""


# Damage to the search index: search says so, every other reader reads on.
INDEX_DAMAGE = {"search-index-pages-broken"}
# Damage a merge leaves behind, so need not refuse: it brings in the copy's
# marks (never its stored statuses) and reads no search index.
LEFT_BEHIND_BY_MERGE = {"history-forged", "search-index-pages-broken"}


@pytest.fixture(scope="module")
def damaged(seed_case_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    return {name: make_damaged(seed_case_file, folder, name) for name in VARIANTS}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_commands(commands: list[list[str]]) -> list[dict[str, object]]:
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(commands)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_reader_of_the_cli_reads_a_damaged_file_and_check_names_the_damage(damaged, name,
                                                                                 tmp_path):
    path = damaged[name]
    before = digest(path)
    commands = [["check", str(path)], ["search", str(path), "Logvinov"], ["claims", str(path)],
                ["relationships", str(path)],
                *(["export", str(path), "--format", fmt, "-o", str(tmp_path / f"out.{fmt}")]
                  for fmt in FORMATS),
                ["export", str(path), "--format", "csv", "-o", str(tmp_path / "csv")]]
    results = run_commands(commands)
    for result in results:
        stderr = str(result["stderr"])
        assert "Traceback" not in stderr and "unexpected error" not in stderr, result
        assert result["code"] in (0, 1), result
    check, search, *rest = results
    _, fragment = VARIANTS[name]
    if fragment:      # damage casebook must name (a huge name is no damage)
        assert check["code"] == 1 and fragment in str(check["stderr"]), check
    if name in INDEX_DAMAGE:   # no search without its index: said in one line
        assert search["code"] == 1, search
        assert str(search["stderr"]).startswith("casebook: error: the search index is damaged ("), search
        assert str(search["stderr"]).count("\n") == 1, search
    else:
        rest.append(search)
    assert all(result["code"] == 0 for result in rest), [r for r in rest if r["code"] != 0]
    assert digest(path) == before


@pytest.mark.parametrize("name", sorted(VARIANTS))
async def test_the_browser_reads_a_damaged_file(damaged, name):
    with db.open_case(damaged[name], read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "slash", *"Logvinov")
            assert "Logvinov" in screen_text(app)
            await press(pilot, "enter")     # the first result
            for key in ("1", "2", "3", "4"):
                await press(pilot, key, "j", "tab", "j", "shift+tab")
            assert app.is_ready and app.return_code is None


def test_a_damaged_row_is_read_with_the_reason(damaged):
    from db.events import get_event
    from db.walk import events

    with db.open_case(damaged["event-date-sometime"], read_only=True) as case:
        [event] = [event for event in events(case) if event.damage]
        assert "sometime" in event.damage and event.date_label == "sometime"
        assert get_event(case, event.id).damage == event.damage


# Where each variant's damage lands: (kind, the SQL naming the item in damaged_files).
DAMAGED_ITEM = {
    "event-date-sometime": ("event", EVENT),
    "claim-version-negative": ("claim", CLAIM),
    "excerpt-text-edited": ("excerpt", EXCERPT),
    "excerpt-text-same-length": ("excerpt", EXCERPT),   # found only where its source is read
    "null-entity-name": ("entity", ENTITY),
    "entity-kind-unknown": ("entity", ENTITY),
}


def damaged_item(path: Path, name: str) -> tuple[str, int]:
    kind, sql = DAMAGED_ITEM[name]
    connection = sqlite3.connect(path)
    try:
        return kind, int(connection.execute(f"SELECT {sql}").fetchone()[0])
    finally:
        connection.close()


@pytest.mark.parametrize("name", sorted(DAMAGED_ITEM))
async def test_the_browser_marks_the_damaged_row_and_says_what_is_wrong(damaged, name,
                                                                       seed_case_file):
    from tui.widgets.detail import Link

    kind, item_id = damaged_item(seed_case_file, name)   # (the damage may hide what named it)
    with db.open_case(damaged[name], read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            app.follow(Link(kind, item_id))
            await settle(pilot)
            text = screen_text(app)
            assert "Damaged:" in text, text          # the detail says what is wrong
            # The row in the list is marked too (its detail's mark is the other one), but
            # for an excerpt whose text is only found wrong where its source is read.
            assert text.count("⚠") >= (1 if name == "excerpt-text-same-length" else 2), text
            assert app.is_ready and app.return_code is None


# Variants whose damaged item a search for "Logvinov" finds (the edited excerpt
# still names him); the same-length edit is found only where its source is read.
SEARCHED_DAMAGE = sorted(set(DAMAGED_ITEM) - {"excerpt-text-same-length", "null-entity-name"})


@pytest.mark.parametrize("name", SEARCHED_DAMAGE)
async def test_search_results_mark_the_damaged_row_as_the_panes_do(damaged, name, seed_case_file):
    from tui.labels import DAMAGE_MARK
    from tui.screens.search import ALL_OF, SearchListScreen, SearchScreen

    kind, item_id = damaged_item(seed_case_file, name)
    with db.open_case(damaged[name], read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await press(pilot, "slash", *"Logvinov")
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            # The damaged item's result line is marked, no other is.
            results = screen.results
            marked = [(block.link.kind, block.link.id) for block in results.blocks
                      if block.link is not None and not block.link.kind.startswith(ALL_OF)
                      and DAMAGE_MARK in block.content.plain]
            assert marked == [(kind, item_id)], results.text
            # The full list of that kind ("all …", the search's paged list) marks it too.
            everything = [block.link for block in results.blocks
                          if block.link is not None and block.link.kind == ALL_OF + kind]
            if everything:
                await pilot.press("tab")
                while results.link != everything[0]:
                    await pilot.press("j")
                await press(pilot, "enter")
                listing = app.screen
                assert isinstance(listing, SearchListScreen)
                total = listing.paged_list.total or 0
                rows = [listing.paged_list.item_at(i) for i in range(min(total, 100))]
                assert [hit.id for hit in rows if hit is not None and hit.damage] == [item_id]
                assert DAMAGE_MARK in screen_text(app)
            assert app.return_code is None


def test_the_cli_listings_mark_the_damaged_row(damaged, tmp_path):
    [search, claims, show, export] = run_commands([
        ["search", str(damaged["event-date-sometime"]), "Logvinov"],
        ["claims", str(damaged["claim-version-negative"])],
        ["show", str(damaged["null-entity-name"]), "entity", "1"],
        ["export", str(damaged["event-date-sometime"]), "--format", "markdown",
         "-o", str(tmp_path / "out.md")]])
    for result in (search, claims, show, export):
        assert result["code"] == 0, result
    assert "damaged: date_start 'sometime' does not match precision 'day'" in str(search["stdout"])
    assert "damaged: version: Input should be greater than or equal to 0" in str(claims["stdout"])
    assert "damaged: name: Input should be a valid string" in str(show["stdout"])
    assert "1 damaged row was written as far as it could be read" in str(export["stderr"])
    assert "event 3: date_start 'sometime'" in str(export["stderr"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_merge_backup_and_agreement_read_a_damaged_file_and_merge_refuses_it(damaged, name,
                                                                             seed_case_file,
                                                                             tmp_path):
    """A damaged copy merged into a good case: refused, the damage named, the case as it
    was; backup and agreement read it as it is."""
    path, mine = damaged[name], tmp_path / "mine.casebook"
    shutil.copyfile(seed_case_file, mine)
    mine.chmod(0o600)
    before, mine_before = digest(path), digest(mine)
    merge, backup, agreement = run_commands([
        ["merge", str(mine), str(path)], ["backup", str(path), str(tmp_path / "copy.casebook")],
        ["agreement", str(path), "--include-seed"]])
    for result in (merge, backup, agreement):
        assert "Traceback" not in str(result["stderr"]) and result["code"] in (0, 1), result
    assert backup["code"] == 0 and agreement["code"] == 0, (backup, agreement)
    _, fragment = VARIANTS[name]
    if name in LEFT_BEHIND_BY_MERGE:
        assert merge["code"] == 0, merge
        [check] = run_commands([["check", str(mine)]])
        assert check["code"] == 0, check            # nothing of the damage came in
    elif fragment:
        assert merge["code"] == 1, merge
        said = str(merge["stderr"])   # the first problem: the damage, or the schema changed to allow it
        assert "nothing merged" in said and (fragment in said or "is not casebook's" in said), merge
        assert digest(mine) == mine_before
    else:   # a huge name is no damage
        assert merge["code"] == 0, merge
    assert digest(path) == before


# Damage in a row both files hold, now in the receiving case: the merge compares
# that row with the copy's (they differ), so it reads it, and refuses.
DAMAGED_HERE = ["excerpt-text-edited", "event-date-sometime", "entity-kind-unknown",
                "claim-status-unknown", "claim-version-negative"]


def test_merge_refuses_to_write_into_a_case_whose_compared_row_is_damaged(damaged, seed_case_file,
                                                                         tmp_path):
    copy = tmp_path / "clean.casebook"
    shutil.copyfile(seed_case_file, copy)
    copy.chmod(0o600)
    targets = {}
    for name in DAMAGED_HERE:
        targets[name] = tmp_path / f"{name}.casebook"
        shutil.copyfile(damaged[name], targets[name])
        targets[name].chmod(0o600)
    before = {name: digest(path) for name, path in targets.items()}
    results = run_commands([["merge", str(targets[name]), str(copy)] for name in DAMAGED_HERE])
    for name, result in zip(DAMAGED_HERE, results, strict=True):
        said = str(result["stderr"])
        assert result["code"] == 1 and "Traceback" not in said and said.count("\n") == 1, result
        _, fragment = VARIANTS[name]
        assert said.startswith(f"casebook: error: {targets[name].name}: ") and fragment in said, result
        assert "nothing is merged into a case that fails casebook's checks" in said, result
        assert digest(targets[name]) == before[name]


def test_a_new_link_to_a_row_the_copy_lacks_refuses_the_merge_naming_it(damaged, seed_case_file,
                                                                        tmp_path):
    """The dangling links are new to the case (checked as the merge adds them,
    its transaction rolled back): the first is named, nothing is written."""
    mine = tmp_path / "mine.casebook"
    shutil.copyfile(seed_case_file, mine)
    mine.chmod(0o600)
    before = digest(mine)
    [merge] = run_commands([["merge", str(mine), str(damaged["dangling-link"])]])
    said = str(merge["stderr"])
    assert merge["code"] == 1, merge
    assert "dangling-link.casebook: a row of excerpt_entities (excerpt_id " in said, merge
    assert "entity_id 888888) refers to a missing entities row; nothing merged" in said, merge
    assert digest(mine) == before


# What the banner names first where the cheap checks on open find it before the
# row does (a row breaking a CHECK constraint, a table made to take what it refused).
BANNER_SAYS = {
    "claim-status-unknown": "CHECK constraint failed in claims",
    "entity-kind-unknown": "CHECK constraint failed in entities",
    "null-entity-name": "the schema's table 'entities' is not casebook's",
    "null-source-text": "the schema's table 'sources' is not casebook's",
    "text-in-an-integer-column": "the schema's table 'claims' is not casebook's",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_in_a_terminal_each_damaged_file_opens_under_its_banner_and_is_browsed(damaged, name):
    """Once in a pty per variant, as a person sees it: the damage named on the
    screen, a search and each pane, no traceback, the file as it was."""
    from conftest import PtyApp

    path = damaged[name]
    before = digest(path)
    _, fragment = VARIANTS[name]
    app = PtyApp("open", path, size=(40, 160))
    try:
        app.wait_for("Entities")
        if fragment:
            app.wait_for("This case file is damaged")
            app.wait_for("READ-ONLY")

            def lines_now() -> list[str]:
                return [line.strip() for line in app.screen.display]

            app.wait_until(lambda: any(line.startswith("1 Entities") for line in lines_now()),
                           "the pane bar under the banner (a frame drawn whole)")
            lines = lines_now()
            first = next(n for n, line in enumerate(lines) if "This case file is damaged" in line)
            last = next(n for n, line in enumerate(lines) if line.startswith("1 Entities"))
            banner = " ".join(lines[first:last])       # wrapped over the lines above the tabs
            unwrapped = "".join(banner.split())          # (a long path wraps inside itself)
            assert "".join(BANNER_SAYS.get(name, fragment).split()) in unwrapped, banner
            # The advice comes first: a long problem is what the banner's lines cut.
            assert f"'casebookcheck{path}'listseveryproblem" in unwrapped, banner
        app.write("/Logvinov")
        app.wait_until(lambda: "Logvinov" in app.text and ("Search failed" in app.text
                                                         or "Kirill Logvinov" in app.text
                                                         or "⚠" in app.text),  # a damaged row
                       "the search's results, or why it failed")
        if name in INDEX_DAMAGE:
            app.wait_for("the search index is damaged")
        app.send("\r", "4")                 # the first result, then the claims
        assert "Traceback" not in app.text and "Error" not in app.text
    finally:
        status = app.close()
    assert status == 0
    assert b"Traceback" not in bytes(app.output)
    assert digest(path) == before
