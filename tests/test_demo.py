"""casebook demo: where the demo case is, and rebuilding it from the seed without losing its marks."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import PtyApp, assert_one_line_error, run_cli

import db
from db.claims import claim_history


def _demo(data_home: Path) -> Path:
    return data_home / "casebook" / "brussels-demo.casebook"


def _old_demo(seed_case_file: Path, data_home: Path) -> Path:
    """A demo case someone has worked on: a claim marked and an entity retired."""
    demo = _demo(data_home)
    demo.parent.mkdir(parents=True)
    shutil.copyfile(seed_case_file, demo)
    marked = run_cli("annotate", demo, "1", "confirmed", "--note", "seen in the report",
                     "--annotator", "ana")
    assert marked.returncode == 0, marked.stderr
    retired = run_cli("retire", demo, "entity", "1", "--reason", "a test", "--annotator", "ana")
    assert retired.returncode == 0, retired.stderr
    return demo


def test_demo_path_says_where_and_creates_nothing(tmp_path: Path):
    result = run_cli("demo", "--path", env={"XDG_DATA_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(_demo(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_rebuild_builds_afresh_and_keeps_the_old_one_with_its_marks(seed_case_file: Path,
                                                                     tmp_path: Path):
    demo = _old_demo(seed_case_file, tmp_path)
    app = PtyApp("demo", "--rebuild", env={"XDG_DATA_HOME": str(tmp_path),
                                          "CASEBOOK_EXIT_WHEN_READY": "1"})
    app.read_to_end(limit=120)
    assert app.close() == 0
    output = bytes(app.output).decode("utf-8", "replace")
    assert "Rebuilt the demo case at" in output
    backups = sorted(demo.parent.glob("brussels-demo.casebook.*.bak"))
    assert len(backups) == 1, list(demo.parent.iterdir())
    assert backups[0].name in output.replace("\r\n", "")
    assert sorted(p.name for p in demo.parent.iterdir()) == [demo.name, backups[0].name]

    with db.open_case(demo, read_only=True) as fresh:     # the seed as it is now
        assert "ana" not in {m.annotator for m in claim_history(fresh, 1, limit=10)}
        assert fresh.scalar("SELECT count(*) FROM retirements") == 0
    with db.open_case(backups[0], read_only=True) as old:  # the work, whole
        assert [m.note for m in claim_history(old, 1, limit=10)
                if m.annotator == "ana"] == ["seen in the report"]

    merged = run_cli("merge", demo, backups[0])             # as the message says
    assert merged.returncode == 0, merged.stderr
    with db.open_case(demo, read_only=True) as fresh:
        history = claim_history(fresh, 1, limit=10)
        assert [m.note for m in history if m.annotator == "ana"] == ["seen in the report"]


def test_rebuild_is_refused_while_the_demo_is_open_elsewhere(seed_case_file: Path, tmp_path: Path):
    demo = _old_demo(seed_case_file, tmp_path)
    before = demo.read_bytes()
    elsewhere = sqlite3.connect(demo)          # another program, reading the case
    try:
        elsewhere.execute("SELECT count(*) FROM claims").fetchone()
        result = run_cli("demo", "--rebuild", env={"XDG_DATA_HOME": str(tmp_path)})
    finally:
        elsewhere.close()
    assert_one_line_error(result, "is open in another program")
    assert demo.read_bytes() == before
    assert sorted(p.name for p in demo.parent.iterdir()) == [demo.name]


def test_rebuild_without_a_demo_builds_one(tmp_path: Path):
    result = run_cli("demo", "--rebuild", env={"XDG_DATA_HOME": str(tmp_path)})
    # No terminal here: the browser says so, after the demo is built.
    assert "Rebuilt the demo case at" in result.stderr
    assert "needs a terminal" in result.stderr
    assert _demo(tmp_path).is_file()
    assert not list(_demo(tmp_path).parent.glob("*.bak"))
