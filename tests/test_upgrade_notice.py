"""Opening an older case file upgrades it after a backup, and says so: one
line on stderr from the CLI, a notification in the browser (issue 14, Done
when: "a migration re-indexes existing case files (backed up first) and says so")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import run_cli
from old_cases import older_case

import db
from db.schema import SCHEMA_VERSION
from tui.app import CasebookApp

OLD = 11   # the schema before m012_name_forms


def _older_case(path: Path) -> None:
    """A case file at schema v11, with a source, an excerpt, entities and a claim."""
    older_case(path, before="m012_name_forms", version=OLD)


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_the_cli_says_once_that_it_upgraded_a_case_and_where_the_backup_is(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _older_case(path)
    result = run_cli("annotate", path, "1", "confirmed", "--annotator", "ana")
    assert result.returncode == 0, result.stderr
    (backup,) = tmp_path.glob(f"old.casebook.v{OLD}-*.bak")
    assert result.stderr.splitlines() == [
        f"casebook: {path}: upgraded from schema v{OLD} to v{SCHEMA_VERSION}; "
        f"a backup is at {backup}"]
    assert _version(path) == SCHEMA_VERSION and _version(backup) == OLD
    again = run_cli("annotate", path, "1", "disputed", "--annotator", "ana")
    assert again.returncode == 0 and again.stderr == "", again.stderr   # upgraded once: silent
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_a_read_only_command_on_an_older_case_refuses_and_announces_nothing(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _older_case(path)
    result = run_cli("search", path, "Logvinov")
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"casebook: error: {path}: uses schema v{OLD} and needs upgrading to v{SCHEMA_VERSION}; "
        "open it once for writing to upgrade it ('casebook open' without --read-only; "
        "a backup is kept)"]
    assert _version(path) == OLD and not list(tmp_path.glob("*.bak"))


def test_opening_records_the_upgrade_and_a_current_file_has_none(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _older_case(path)
    with db.open_case(path) as case:
        upgrade = case.upgrade
        assert upgrade is not None
        assert (upgrade.path, upgrade.from_version, upgrade.to_version) == (path, OLD, SCHEMA_VERSION)
        assert upgrade.backup.exists() and upgrade.backup.parent == tmp_path
    with db.open_case(path) as case:
        assert case.upgrade is None


async def test_the_browser_notifies_the_upgrade(tmp_path: Path):
    path = tmp_path / "old.casebook"
    _older_case(path)
    with db.open_case(path) as case:
        assert case.upgrade is not None
        app = CasebookApp(case)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            messages = [str(notice.message) for notice in app._notifications]
            assert case.upgrade.message in messages
            assert f"v{OLD} to v{SCHEMA_VERSION}" in case.upgrade.message
