"""Settling a field revised differently on both sides of a merge: the real
CLI lists it (``casebook conflicts``), ``casebook settle ID --keep
ours|theirs|VALUE`` writes a revision and closes it, the settling travels
with the next merge, and the browser shows an unsettled one in the detail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import assert_one_line_error, browser, press, run_cli, settle

import db
from db import curation
from db.merge import merge_case_files


@pytest.fixture
def conflicted(seed_case_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The case (ana) and a laptop copy (ben) that both retitled event 1; the
    laptop merged in: one open field conflict in the case."""
    laptop = tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, laptop)
    with db.open_case(seed_case_copy) as case:
        curation.revise(case, "event", 1, {"title": "Ana's title"}, annotator="ana",
                        note="from the registry")
    with db.open_case(laptop) as copy:
        curation.revise(copy, "event", 1, {"title": "Ben's title"}, annotator="ben")
    with db.open_case(seed_case_copy) as case:
        assert merge_case_files(case, laptop).revision_conflicts_found == 1
    return seed_case_copy, laptop


def _conflict_id(path: Path) -> int:
    with db.open_case(path, read_only=True) as case:
        return int(case.scalar("SELECT id FROM revision_conflicts"))


def test_conflicts_lists_both_sides_with_who_and_when(conflicted):
    path, _ = conflicted
    conflict_id = _conflict_id(path)
    listed = run_cli("conflicts", path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == f"conflict {conflict_id}: event 1 title (now Ben's title)"
    assert lines[1].split()[:4] == ["ours", "Ana's", "title", "by"] and "ana at" in lines[1]
    assert "from the registry" in lines[1]
    assert lines[2].split()[:4] == ["theirs", "Ben's", "title", "by"] and "ben at" in lines[2]
    assert "casebook settle" in listed.stderr
    [entry] = json.loads(run_cli("conflicts", path, "--json").stdout)
    field = entry["field"]
    assert (field["id"], field["item_kind"], field["item_id"], field["field"]) == (
        conflict_id, "event", 1, "title")
    assert field["ours"]["annotator"] == "ana" and field["theirs"]["annotator"] == "ben"
    assert field["now"] == "Ben's title" and field["resolved_at"] == ""


@pytest.mark.parametrize(("keep", "title"), [("ours", "Ana's title"), ("theirs", "Ben's title"),
                                             ("A third title", "A third title")])
def test_settle_writes_a_revision_and_closes_the_conflict(conflicted, keep: str, title: str):
    path, _ = conflicted
    conflict_id = _conflict_id(path)
    done = run_cli("settle", path, str(conflict_id), "--keep", keep, "--note", "checked",
                   "--as", "chloé")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"conflict {conflict_id}: settled, event title Ben's title → ")
    with db.open_case(path, read_only=True) as case:
        assert case.scalar("SELECT title FROM events WHERE id = 1") == title
        latest = curation.revisions(case, kind="event", newest_first=True, limit=1)[0]
        assert latest.annotator == "chloé" and latest.fields == {"title": ("Ben's title", title)}
        assert latest.note.startswith(f"settles conflict {conflict_id}: kept ")
        assert latest.note.endswith("; checked")
        row = case.row("SELECT resolved_at, resolved_by FROM revision_conflicts")
        assert row["resolved_by"] == "chloé" and row["resolved_at"] == latest.at
        assert curation.item_state(case, "event", 1).conflicts == ()
    assert run_cli("conflicts", path).stdout.strip() == "no open conflicts"
    again = run_cli("settle", path, str(conflict_id), "--keep", "ours")
    assert_one_line_error(again, f"conflict {conflict_id} was settled by chloé")


def test_bad_settles_say_one_line_and_write_nothing(conflicted):
    path, _ = conflicted
    conflict_id = _conflict_id(path)
    assert_one_line_error(run_cli("settle", path, "999", "--keep", "ours"), "no conflict 999")
    assert_one_line_error(run_cli("settle", path, str(conflict_id), "--keep", " "),
                          "needs a title")
    with db.open_case(path) as case:
        curation.retire(case, "event", 1, reason="a test", annotator="ana")
    assert_one_line_error(run_cli("settle", path, str(conflict_id), "--keep", "ours"),
                          "is retired")
    with db.open_case(path, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM revision_conflicts WHERE resolved_at = ''") == 1
        assert case.scalar("SELECT title FROM events WHERE id = 1") == "Ben's title"


def test_a_settling_travels_with_the_next_merge_both_ways(conflicted, tmp_path: Path):
    path, laptop = conflicted
    with db.open_case(laptop) as copy:                 # the laptop learns of the conflict
        merge_case_files(copy, path)
        assert copy.scalar("SELECT count(*) FROM revision_conflicts WHERE resolved_at = ''") == 1
    with db.open_case(path) as case:
        curation.settle_conflict(case, _conflict_id(path), "ours", annotator="ana")
    with db.open_case(laptop) as copy:
        merge_case_files(copy, path)
        assert copy.scalar("SELECT count(*) FROM revision_conflicts WHERE resolved_at = ''") == 0
        assert copy.scalar("SELECT title FROM events WHERE id = 1") == "Ana's title"
    with db.open_case(path) as case:
        merge_case_files(case, laptop)
        assert case.scalar("SELECT count(*) FROM revision_conflicts WHERE resolved_at = ''") == 0
        assert case.scalar("SELECT title FROM events WHERE id = 1") == "Ana's title"


async def test_the_browser_shows_an_unsettled_conflict_in_the_detail(conflicted):
    path, _ = conflicted
    conflict_id = _conflict_id(path)
    with db.open_case(path) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "2")
            app.pane("event").reveal(1)
            await settle(pilot)
            detail = " ".join(app.pane("event").detail.text.split())   # unwrapped
            assert f"Unsettled conflict {conflict_id} · title" in detail
            assert "ours: Ana's title" in detail and "theirs: Ben's title" in detail
            assert f"casebook settle PATH {conflict_id} --keep" in detail
        curation.settle_conflict(case, conflict_id, "theirs", annotator="ana")
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "2")
            app.pane("event").reveal(1)
            await settle(pilot)
            detail = " ".join(app.pane("event").detail.text.split())   # unwrapped
            assert "Unsettled conflict" not in detail
            assert f"settles conflict {conflict_id}: kept theirs (ben)" in detail
