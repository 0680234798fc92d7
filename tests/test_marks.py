"""Marks, notes and undo on one case file: append-only, attributed, never blind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli
from sqlite_utils import Database

import db
from db.claims import (
    add_claim,
    add_note,
    claim_history,
    get_claim,
    mark_claim,
    undo_last_mark,
)
from db.errors import NothingToUndoError
from db.marks import timestamp_after
from db.schema import SCHEMA_VERSION, migrations


@pytest.fixture
def claim(empty_case):
    return add_claim(empty_case, statement="The minister met the agent in 2019.")


def statuses(case, claim_id):
    return [(a.kind, a.annotator, a.previous_status, a.status) for a in claim_history(case, claim_id)]


def test_a_mark_moves_status_and_version_and_is_recorded(empty_case, claim):
    mark = mark_claim(empty_case, claim.id, "confirmed", annotator="ana", note="two sources")
    after = get_claim(empty_case, claim.id)
    assert (after.status, after.version, after.updated_at) == ("confirmed", 1, mark.created_at)
    assert claim_history(empty_case, claim.id) == [mark]
    assert (mark.kind, mark.previous_status, mark.note) == ("mark", "unreviewed", "two sources")


def test_a_mark_that_changes_nothing_can_be_refused(empty_case, claim):
    with pytest.raises(db.UnchangedStatusError, match="already unreviewed: nothing was written"):
        mark_claim(empty_case, claim.id, "unreviewed", annotator="ana", unless_unchanged=True)
    assert claim_history(empty_case, claim.id) == []
    assert get_claim(empty_case, claim.id).version == 0
    mark_claim(empty_case, claim.id, "confirmed", annotator="ana", unless_unchanged=True)
    assert get_claim(empty_case, claim.id).status == "confirmed"
    # Without the option (the CLI's annotate), a repeated mark is on the record.
    mark_claim(empty_case, claim.id, "confirmed", annotator="bob")
    assert [a.status for a in claim_history(empty_case, claim.id)] == ["confirmed", "confirmed"]


def test_a_note_keeps_the_status_but_is_on_the_record(empty_case, claim):
    mark_claim(empty_case, claim.id, "disputed", annotator="ana")
    note = add_note(empty_case, claim.id, "ask the second source", annotator="bob")
    assert (note.kind, note.status, note.previous_status) == ("note", "disputed", "disputed")
    after = get_claim(empty_case, claim.id)
    assert (after.status, after.version) == ("disputed", 2)
    with_status = add_note(empty_case, claim.id, "source retracted", annotator="bob", status="denied")
    assert (with_status.kind, with_status.status) == ("mark", "denied")
    with pytest.raises(db.InvalidValueError, match="needs some text"):
        add_note(empty_case, claim.id, "   ", annotator="bob")


def test_undo_adds_an_annotation_and_restores_the_status(empty_case, claim):
    first = mark_claim(empty_case, claim.id, "confirmed", annotator="ana")
    second = mark_claim(empty_case, claim.id, "denied", annotator="ana")
    undo = undo_last_mark(empty_case, claim.id, annotator="ana")
    assert (undo.kind, undo.undoes, undo.previous_status, undo.status) == (
        "undo", second.id, "denied", "confirmed")
    assert get_claim(empty_case, claim.id).status == "confirmed"
    # Undo again takes back the mark before: undo is a stack of one's own marks.
    again = undo_last_mark(empty_case, claim.id, annotator="ana")
    assert (again.undoes, again.status) == (first.id, "unreviewed")
    assert get_claim(empty_case, claim.id).status == "unreviewed"
    assert len(claim_history(empty_case, claim.id)) == 4  # nothing deleted
    with pytest.raises(NothingToUndoError, match="no marks"):
        undo_last_mark(empty_case, claim.id, annotator="ana")


def test_undo_refuses_when_the_latest_mark_is_someone_elses(empty_case, claim):
    mark_claim(empty_case, claim.id, "confirmed", annotator="ana")
    mark_claim(empty_case, claim.id, "denied", annotator="bob")
    with pytest.raises(NothingToUndoError,
                       match=r"latest mark is by bob \(denied, \d{4}-\d\d-\d\d \d\d:\d\d\), not"):
        undo_last_mark(empty_case, claim.id, annotator="ana")
    assert get_claim(empty_case, claim.id).status == "denied"
    # Once bob takes his back, ana's is the latest again and hers to undo.
    undo_last_mark(empty_case, claim.id, annotator="bob")
    undo_last_mark(empty_case, claim.id, annotator="ana")
    assert get_claim(empty_case, claim.id).status == "unreviewed"


def test_a_stale_version_is_refused_saying_who_changed_it_to_what(empty_case, claim):
    seen = get_claim(empty_case, claim.id).version
    mark_claim(empty_case, claim.id, "denied", annotator="bob")
    with pytest.raises(db.StaleClaimError) as caught:
        mark_claim(empty_case, claim.id, "confirmed", annotator="ana", expected_version=seen)
    error = caught.value
    assert (error.changed_by, error.current_status, error.current_version) == ("bob", "denied", 1)
    assert "bob marked it denied" in str(error) and "you saw version 0" in str(error)
    assert get_claim(empty_case, claim.id).status == "denied"  # nothing overwritten
    # The annotator chooses to mark anyway, against the version they now know.
    mark_claim(empty_case, claim.id, "confirmed", annotator="ana",
               expected_version=error.current_version)
    assert get_claim(empty_case, claim.id).status == "confirmed"


def test_stale_messages_name_notes_and_undos(empty_case, claim):
    add_note(empty_case, claim.id, "check this", annotator="bob")
    with pytest.raises(db.StaleClaimError, match="bob added a note"):
        add_note(empty_case, claim.id, "mine", annotator="ana", expected_version=0)
    mark_claim(empty_case, claim.id, "denied", annotator="bob")
    undo_last_mark(empty_case, claim.id, annotator="bob")
    with pytest.raises(db.StaleClaimError, match="bob undid a mark"):
        undo_last_mark(empty_case, claim.id, annotator="bob", expected_version=1)


def test_times_never_run_backwards_within_a_claim(empty_case, claim):
    future = "2999-01-01T00:00:00.000000Z"
    mark_claim(empty_case, claim.id, "confirmed", annotator="ana", created_at=future)
    later = mark_claim(empty_case, claim.id, "denied", annotator="ana")
    assert later.created_at == "2999-01-01T00:00:00.000001Z"
    assert claim_history(empty_case, claim.id)[-1] == later
    assert timestamp_after(None) < future


def test_marking_a_read_only_case_says_why(seed_case_file: Path):
    with db.open_case(seed_case_file, read_only=True) as case:
        with pytest.raises(db.ReadOnlyError, match="read-only \\(it was opened read-only\\)"):
            mark_claim(case, 1, "denied", annotator="ana")
        with pytest.raises(db.ReadOnlyError):
            undo_last_mark(case, 1, annotator="ana")
        with pytest.raises(db.ReadOnlyError):
            add_note(case, 1, "x", annotator="ana")


def test_unknown_claim_and_empty_annotator(empty_case):
    with pytest.raises(db.NotFoundError, match="no claim 42"):
        mark_claim(empty_case, 42, "denied", annotator="ana")
    with pytest.raises(db.NotFoundError, match="no claim 42"):
        undo_last_mark(empty_case, 42, annotator="ana")
    with pytest.raises(db.InvalidValueError, match="annotator"):
        add_note(empty_case, 42, "x", annotator=" ")


def test_a_v1_case_file_keeps_its_marks_through_the_migration(tmp_path: Path):
    path = tmp_path / "old.casebook"
    conn = sqlite3.connect(path, isolation_level=None)
    old = Database(conn)
    migrations.apply(old, stop_before="m002_annotation_kinds_and_conflicts")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    conn.execute("INSERT INTO case_meta VALUES ('case_uid', 'c0ffee00-0000-4000-8000-000000000000')")
    conn.execute("INSERT INTO claims (id, uid, statement, status, version) "
                 "VALUES (1, 'a0000000-0000-4000-8000-000000000001', 'S', 'denied', 1)")
    conn.execute("INSERT INTO annotations VALUES ('b0000000-0000-4000-8000-000000000001', 1, "
                 "'denied', 'unreviewed', 'old', 'ana', '2024-01-01T00:00:00.000000Z')")
    conn.close()
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        [mark] = claim_history(case, 1)
        assert (mark.kind, mark.undoes, mark.status, mark.note) == ("mark", "", "denied", "old")
        assert undo_last_mark(case, 1, annotator="ana").status == "unreviewed"
    assert any(p.name.startswith("old.casebook.v1-") for p in tmp_path.iterdir())


# -- the command line ------------------------------------------------------------


def test_cli_stale_version_is_one_line_naming_who_and_what(seed_case_copy: Path):
    claims = run_cli("history", seed_case_copy, "5", "--json")
    version = __import__("json").loads(claims.stdout)["claim"]["version"]
    assert run_cli("annotate", seed_case_copy, "5", "denied", "--annotator", "bob").returncode == 0
    stale = run_cli("annotate", seed_case_copy, "5", "confirmed", "--annotator", "ana",
                    "--expect-version", str(version))
    assert_one_line_error(stale, "claim 5 changed since you saw it", "bob marked it denied")
    again = run_cli("annotate", seed_case_copy, "5", "confirmed", "--annotator", "ana",
                    "--expect-version", str(version + 1))
    assert again.returncode == 0, again.stderr


def test_cli_note_undo_history(seed_case_copy: Path):
    env = {"CASEBOOK_ANNOTATOR": "ana"}
    assert run_cli("annotate", seed_case_copy, "6", "disputed", env=env).returncode == 0
    noted = run_cli("note", seed_case_copy, "6", "needs a second source", env=env)
    assert noted.returncode == 0 and "note by ana (status disputed)" in noted.stdout
    undone = run_cli("undo", seed_case_copy, "6", env=env)
    assert undone.returncode == 0, undone.stderr
    undone = run_cli("undo", seed_case_copy, "6", env=env)
    assert "undo: disputed → unreviewed by ana" in undone.stdout
    assert_one_line_error(run_cli("undo", seed_case_copy, "6", env={"CASEBOOK_ANNOTATOR": "bob"}),
                          "nothing to undo on claim 6")
    shown = run_cli("history", seed_case_copy, "6")
    assert shown.returncode == 0
    assert [line.split()[1] for line in shown.stdout.splitlines()[1:] if "by ana" in line] == [
        "mark:", "note", "undo:", "undo:"]
    assert "needs a second source" in shown.stdout


def test_cli_read_only_file_refuses_a_mark_in_one_line(seed_case_copy: Path):
    seed_case_copy.chmod(0o400)
    before = seed_case_copy.read_bytes()
    assert_one_line_error(run_cli("annotate", seed_case_copy, "1", "denied", as_unprivileged=True),
                          "read-only", "permission")
    assert seed_case_copy.read_bytes() == before


def test_check_finds_a_status_that_contradicts_the_marks(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        mark_claim(case, 3, "denied", annotator="ana")
        with case.write() as tx:
            tx.execute("UPDATE claims SET status = 'confirmed' WHERE id = 3")
    assert_one_line_error(run_cli("check", seed_case_copy),
                          "claim 3 is confirmed but its latest mark says denied")


def test_check_finds_standing_marks_out_of_step(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        mark_claim(case, 3, "denied", annotator="ana")
        with case.write() as tx:
            tx.execute("DELETE FROM standing_marks WHERE annotator = 'ana'")
    assert_one_line_error(run_cli("check", seed_case_copy), "standing_marks is out of step")
