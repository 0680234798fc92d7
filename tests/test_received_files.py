"""A case file from someone else is untrusted (issue 17, points 3 and 4): a
trigger, view or table casebook did not create is named by ``check`` and
refused before anything is written; a broken search index is found by
``check`` (read-only too), which lists every problem as JSON on request; a
merge brings in nothing from a copy that fails casebook's checks."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from conftest import assert_one_line_error, run_cli
from damaged_files import _tampering

import db
from db.claims import add_claim, mark_claim
from db.sources import add_quote, add_source

# What a received file could hold: each mark re-attributed, the status rewritten.
REWRITES_STATUS = ("CREATE TRIGGER keep_confirmed AFTER UPDATE OF status ON claims BEGIN "
                   "UPDATE claims SET status = 'confirmed' WHERE id = NEW.id; END")
REATTRIBUTES = ("CREATE TRIGGER blame AFTER INSERT ON annotations BEGIN "
                "UPDATE standing_marks SET annotator = 'someone else' WHERE annotation_id = NEW.id; END")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tamper(path: Path, *statements: str) -> None:
    connection = _tampering(path)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def test_a_trigger_someone_added_is_refused_before_any_write_and_named_by_check(seed_case_copy):
    tamper(seed_case_copy, REWRITES_STATUS, REATTRIBUTES)
    before = digest(seed_case_copy)
    result = run_cli("annotate", seed_case_copy, "2", "disputed", "--annotator", "ana")
    assert_one_line_error(result, "the schema has a trigger 'blame' that casebook did not create",
                          "nothing was changed", "casebook check")
    assert "→" not in result.stdout   # no "confirmed → disputed" told while something else is stored
    assert digest(seed_case_copy) == before
    check = run_cli("check", seed_case_copy)
    assert check.returncode == 1
    assert "trigger 'keep_confirmed' that casebook did not create" in check.stderr
    assert "trigger 'blame' that casebook did not create" in check.stderr
    with db.open_case(seed_case_copy) as case:   # the library refuses as the command line does
        try:
            mark_claim(case, 2, "denied", annotator="ana")
        except db.CaseFileError as error:
            assert "did not create" in str(error)
        else:
            raise AssertionError("a write went through a trigger casebook did not create")
    assert digest(seed_case_copy) == before


def test_a_view_a_table_and_a_changed_trigger_are_named(seed_case_copy):
    guard = sqlite3.connect(seed_case_copy).execute(
        "SELECT sql FROM sqlite_schema WHERE name = 'annotations_no_update'").fetchone()[0]
    tamper(seed_case_copy, "CREATE VIEW everything AS SELECT * FROM claims",
           "CREATE TABLE notes_to_self (body TEXT)", "DROP TRIGGER annotations_no_update",
           guard.replace("BEGIN", "BEGIN SELECT 1;", 1))
    check = run_cli("check", seed_case_copy)
    assert check.returncode == 1, check
    assert "a view 'everything' that casebook did not create" in check.stderr
    assert "a table 'notes_to_self' that casebook did not create" in check.stderr
    assert "the schema's trigger 'annotations_no_update' is not casebook's" in check.stderr
    assert_one_line_error(run_cli("note", seed_case_copy, "2", "a note"), "did not create")


def test_check_finds_a_broken_search_index_read_only_and_changes_nothing(seed_case_copy):
    assert run_cli("check", seed_case_copy).returncode == 0
    tamper(seed_case_copy, "UPDATE excerpts_fts_data SET block = randomblob(length(block)) "
                           "WHERE rowid IN (SELECT rowid FROM excerpts_fts_data WHERE id > 10 LIMIT 3)")
    before = digest(seed_case_copy)
    check = run_cli("check", seed_case_copy)
    assert check.returncode == 1
    assert "search index excerpts_fts is inconsistent" in check.stderr, check.stderr
    assert "Traceback" not in check.stderr
    assert digest(seed_case_copy) == before
    assert not Path(f"{seed_case_copy}-wal").exists()


def test_check_json_lists_every_problem_with_its_row(seed_case_copy):
    tamper(seed_case_copy, "UPDATE claims SET version = -1 WHERE id = 3", REATTRIBUTES)
    result = run_cli("check", "--json", seed_case_copy)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["schema_version"] == db.SCHEMA_VERSION
    problems = report["problems"]
    assert {"problem": "the schema has a trigger 'blame' that casebook did not create",
            "kind": None, "id": None} in problems
    [claim] = [p for p in problems if p["kind"] == "claim"]
    assert claim["id"] == 3 and "version" in claim["problem"]


def test_merge_refuses_a_copy_whose_new_claim_cites_an_edited_excerpt(seed_case_copy, tmp_path):
    laptop = tmp_path / "laptop.casebook"
    assert run_cli("backup", seed_case_copy, laptop).returncode == 0
    with db.open_case(laptop) as copy:
        source = add_source(copy, title="Field notes", text="The courier met K. on Tuesday.\n")
        quote = add_quote(copy, source.id, "The courier met K.")
        claim = add_claim(copy, statement="The courier met K.", evidence=[(quote, "supports")])
        mark_claim(copy, claim.id, "confirmed", annotator="bob")
    tamper(laptop, f"UPDATE excerpts SET text = 'The courier shot K.' WHERE id = {quote}")
    before = digest(seed_case_copy)
    result = run_cli("merge", seed_case_copy, laptop)
    assert_one_line_error(result, "laptop.casebook: excerpt", "nothing merged", "casebook check")
    assert digest(seed_case_copy) == before
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM claims WHERE uid = ?", [claim.uid]) == 0
    assert run_cli("check", seed_case_copy).returncode == 0


async def _opened(path: Path, **options):
    """The browser over ``path`` once its file check has run: (banner text, app state)."""
    from conftest import browser, press, screen_text, settle

    with db.open_case(path) as case:
        app = browser(case, **options)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            banner = app.query_one("#damage-banner")
            shown = banner.display
            await press(pilot, "4", "c")   # try to mark the first claim confirmed
            return shown, screen_text(app), app.read_only


async def test_the_browser_opens_a_damaged_file_read_only_with_a_banner(seed_case_file, tmp_path):
    from damaged_files import make_damaged

    path = make_damaged(seed_case_file, tmp_path, "event-date-sometime")
    marks = sqlite3.connect(path).execute("SELECT count(*) FROM annotations").fetchone()[0]
    shown, text, read_only = await _opened(path)
    assert shown and read_only
    assert "This case file is damaged. Opened read-only" in text, text
    assert "First: event 3: date_start 'sometime'" in text, text
    assert "casebook check" in text and "READ-ONLY" in text
    assert "Read-only: marks are off" in text
    assert sqlite3.connect(path).execute("SELECT count(*) FROM annotations").fetchone()[0] == marks


async def test_despite_damage_keeps_it_writable_and_a_good_file_has_no_banner(seed_case_file,
                                                                              seed_case_copy,
                                                                              tmp_path):
    from damaged_files import make_damaged

    path = make_damaged(seed_case_file, tmp_path, "event-date-sometime")
    shown, text, read_only = await _opened(path, despite_damage=True)
    assert shown and not read_only and "This case file is damaged" in text
    assert "Opened for writing all the same" in text and "Opened read-only" not in text
    shown, text, read_only = await _opened(seed_case_copy)
    assert not shown and not read_only and "damaged" not in text


async def test_the_browser_over_a_trigger_casebook_did_not_create_writes_nothing(seed_case_copy):
    tamper(seed_case_copy, REWRITES_STATUS)
    shown, text, read_only = await _opened(seed_case_copy, despite_damage=True)
    assert shown and "trigger 'keep_confirmed' that casebook did not create" in text, text
    statuses = sqlite3.connect(seed_case_copy).execute(
        "SELECT count(*) FROM annotations").fetchone()[0]
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM annotations") == statuses


def test_check_repair_writes_a_repaired_copy_and_never_touches_the_file(seed_case_copy, tmp_path):
    shift = ("(SELECT min(id) FROM excerpts WHERE source_id = 1 AND start > 1000 AND "
             "length(text) > 40)")
    tamper(seed_case_copy,
           f'UPDATE excerpts SET start = start + 3, "end" = "end" + 3 WHERE id = {shift}',
           "PRAGMA ignore_check_constraints = ON", "UPDATE claims SET status = 'maybe' WHERE id = 2",
           REWRITES_STATUS,
           "UPDATE excerpts_fts_data SET block = randomblob(length(block)) "
           "WHERE rowid IN (SELECT rowid FROM excerpts_fts_data WHERE id > 10 LIMIT 3)")
    before = digest(seed_case_copy)
    assert run_cli("check", seed_case_copy).returncode == 1
    out = tmp_path / "repaired.casebook"
    result = run_cli("check", seed_case_copy, "--repair", out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dropped the trigger 'keep_confirmed' casebook did not create" in result.stdout
    assert "where its text stands in source 1" in result.stdout
    assert "1 claim given the status of its latest mark" in result.stdout
    assert f"ok: {out}" in result.stdout
    assert digest(seed_case_copy) == before
    assert run_cli("check", out).returncode == 0
    # its search indexes are fed as casebook feeds them: folded, and spelt in Latin
    for query, found in (("Uhrik", "Uhrík"), ("Bryuksel", "Брюксел")):
        searched = run_cli("search", out, query, "--json")
        assert searched.returncode == 0 and found in searched.stdout, (query, searched.stdout[:300])
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert_one_line_error(run_cli("check", seed_case_copy, "--repair", out), "exists")


def test_check_repair_lists_what_it_could_not_repair(seed_case_file, tmp_path):
    from damaged_files import make_damaged

    path = make_damaged(seed_case_file, tmp_path, "excerpt-text-edited")
    result = run_cli("check", path, "--repair", tmp_path / "repaired.casebook")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not repaired: excerpt" in result.stderr and "does not match source" in result.stderr


def test_in_a_terminal_a_damaged_file_opens_read_only_under_its_banner(seed_case_file, tmp_path):
    """Once in a pty, as a person sees it: the banner, the badge, no traceback."""
    from conftest import PtyApp
    from damaged_files import make_damaged

    path = make_damaged(seed_case_file, tmp_path, "excerpt-text-edited")
    before = digest(path)
    app = PtyApp("open", path)
    try:
        app.wait_for("This case file is damaged", limit=60)   # a condition, never a fixed time
        app.wait_for("READ-ONLY", limit=30)
        assert "Traceback" not in app.text
    finally:
        status = app.close()
    assert status == 0 and b"Traceback" not in bytes(app.output)
    assert digest(path) == before


def test_the_browsers_file_check_runs_in_a_process_of_its_own_and_stops(seed_case_file, tmp_path):
    """The browser's check of a whole file (db.check.FileCheck) says what
    `casebook check` says, from a child process (a minute of Python at a million
    excerpts, off the browser's GIL), and stop() ends that process."""
    import threading
    import time

    from damaged_files import make_damaged

    from db.check import FileCheck

    damaged = make_damaged(seed_case_file, tmp_path, "event-date-sometime")
    problems = FileCheck(damaged).problems()
    assert any("date_start 'sometime'" in problem for problem in problems), problems
    assert FileCheck(seed_case_file).problems() == []
    assert FileCheck(tmp_path / "missing.casebook").problems() == [
        f"{tmp_path / 'missing.casebook'}: no such file"]
    # stopped while it runs: the child is killed and nothing is reported
    check = FileCheck(damaged)
    found: list[list[str]] = []
    worker = threading.Thread(target=lambda: found.append(check.problems()))
    worker.start()
    deadline = time.monotonic() + 60
    while check._child is None and time.monotonic() < deadline:   # a condition, not a fixed time
        time.sleep(0.01)
    child = check._child
    assert child is not None
    check.stop()
    worker.join(60)
    assert found == [[]] and child.poll() is not None
    assert FileCheck(damaged).problems() != []   # (a new check after another's stop still runs)
    stopped = FileCheck(damaged)
    stopped.stop()
    assert stopped.problems() == [] and stopped._child is None   # stopped first: no process at all
