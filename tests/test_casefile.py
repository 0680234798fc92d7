"""Opening and creating case files, and refusing everything that is not one."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import db
from db.schema import APPLICATION_ID, SCHEMA_VERSION, migrations


def files_in(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


def test_new_case_file_is_private_wal_and_marked(tmp_path: Path):
    path = tmp_path / "new.casebook"
    with db.create_case(path, title="Operation Test") as case:
        assert case.title == "Operation Test"
        assert case.scalar("PRAGMA journal_mode") == "wal"
        assert case.scalar("PRAGMA application_id") == APPLICATION_ID
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert len(case.meta("case_uid")) == 36
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _free_pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    finally:
        conn.close()


def test_a_newly_built_case_file_has_no_free_pages(tmp_path: Path, seed_case_file: Path):
    """Built under its hidden name, then packed once: m008's rebuild and the
    seed's writes leave nothing free (a plain build of the seed left 11 pages)."""
    path = tmp_path / "new.casebook"
    db.create_case(path, title="new").close()
    assert _free_pages(path) == 0
    assert _free_pages(seed_case_file) == 0
    assert files_in(tmp_path) == {"new.casebook"}     # nothing left beside it


def test_schema_version_counts_the_migrations(tmp_path: Path):
    with db.create_case(tmp_path / "a.casebook", title="A") as case:
        assert len(migrations.applied(case.db)) == SCHEMA_VERSION


def test_create_refuses_an_existing_file(tmp_path: Path):
    path = tmp_path / "taken.casebook"
    path.write_text("precious notes")
    with pytest.raises(db.CaseFileError, match="already exists"):
        db.create_case(path, title="X")
    assert path.read_text() == "precious notes"


def test_create_in_missing_directory_creates_nothing(tmp_path: Path):
    with pytest.raises(db.CaseFileError, match="no such directory"):
        db.create_case(tmp_path / "nope" / "x.casebook", title="X")
    assert files_in(tmp_path) == set()


def _sqlite_file(path: Path, *, application_id: int = 0, user_version: int = 0) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_text("just some notes\n"), "not a SQLite database"),
        (lambda p: p.write_bytes(bytes(range(256)) * 8), "not a SQLite database"),
        (lambda p: _sqlite_file(p), "not a casebook case file"),
        (lambda p: _sqlite_file(p, application_id=APPLICATION_ID, user_version=SCHEMA_VERSION + 5),
         "newer casebook"),
    ],
    ids=["missing", "directory", "empty", "text", "binary", "other-sqlite", "newer-schema"],
)
def test_open_refuses_what_is_not_a_case_file(tmp_path: Path, make, message: str):
    path = tmp_path / "input"
    make(path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    contents = path.read_bytes() if path.is_file() else None
    with pytest.raises(db.CaseFileError, match=message):
        db.open_case(path)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    if contents is not None:
        assert path.read_bytes() == contents


def test_open_refuses_a_truncated_case_file(seed_case_file: Path, tmp_path: Path):
    path = tmp_path / "cut.casebook"
    path.write_bytes(seed_case_file.read_bytes()[:10_000])
    with pytest.raises(db.CaseFileError, match="truncated"):
        db.open_case(path)
    path.write_bytes(seed_case_file.read_bytes()[:60])
    with pytest.raises(db.CaseFileError, match="truncated"):
        db.open_case(path)


def test_an_older_case_file_is_backed_up_then_migrated(tmp_path: Path):
    path = tmp_path / "old.casebook"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a case file at schema v0
    conn.close()
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert case.scalar("SELECT count(*) FROM claims") == 0
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("old.casebook.v0-")]
    assert len(backups) == 1 and backups[0].name.endswith(".bak")
    saved = sqlite3.connect(backups[0])
    assert saved.execute("PRAGMA user_version").fetchone()[0] == 0
    assert saved.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert saved.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    saved.close()
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600


def test_read_only_open_of_an_older_file_changes_nothing(tmp_path: Path):
    path = tmp_path / "old.casebook"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.close()
    with pytest.raises(db.CaseFileError, match="needs upgrading"):
        db.open_case(path, read_only=True)
    assert files_in(tmp_path) == {"old.casebook"}


def test_a_file_this_user_cannot_write_opens_read_only(seed_case_copy: Path):
    import subprocess
    import sys

    from conftest import ROOT, unprivileged

    seed_case_copy.chmod(0o400)
    before = seed_case_copy.read_bytes()
    code = (
        "import sys, db\n"
        "case = db.open_case(sys.argv[1])\n"
        "print(case.read_only, case.read_only_reason)\n"
        "try:\n"
        "    with case.write(): pass\n"
        "except db.ReadOnlyError as error: print('refused:', error)\n"
    )
    result = subprocess.run([*unprivileged(), sys.executable, "-c", code, str(seed_case_copy)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("True ")
    assert second.startswith("refused:") and "read-only" in second
    # SQLite's own read-only WAL access may leave -wal/-shm beside a file it
    # cannot write (docs/case-file.md); the case itself is untouched.
    assert seed_case_copy.read_bytes() == before


def test_read_only_case_refuses_writes(seed_case_file: Path):
    with db.open_case(seed_case_file, read_only=True) as case:
        with pytest.raises(db.ReadOnlyError, match="read-only"):
            with case.write():
                pass


def test_failed_write_rolls_back(empty_case):
    with pytest.raises(RuntimeError):
        with empty_case.write() as tx:
            tx.execute("INSERT INTO case_meta (key, value) VALUES ('x', 'y')")
            raise RuntimeError("boom")
    assert empty_case.meta("x") == ""


def test_annotations_are_append_only(empty_case):
    from db.claims import add_claim, mark_claim

    claim = add_claim(empty_case, statement="S")
    mark_claim(empty_case, claim.id, "confirmed", annotator="ana")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        with empty_case.write() as tx:
            tx.execute("UPDATE annotations SET status = 'denied'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        with empty_case.write() as tx:
            tx.execute("DELETE FROM annotations")
    assert empty_case.scalar("SELECT count(*) FROM annotations") == 1


def test_backup_copies_a_live_wal_case(seed_case_copy: Path, tmp_path: Path):
    from db.claims import mark_claim

    out = tmp_path / "copy.casebook"
    with db.open_case(seed_case_copy) as case:
        mark_claim(case, 1, "denied", annotator="ana", note="in the WAL only")
        db.backup_case_file(case.conn, out)
    with db.open_case(out, read_only=True) as copy:
        assert copy.scalar("SELECT count(*) FROM annotations WHERE note = 'in the WAL only'") == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
