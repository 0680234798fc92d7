"""casebook open PATH and casebook alone: checked before the app starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PtyApp, assert_one_line_error, run_cli


@pytest.mark.parametrize("extra", [[], ["--read-only"]])
def test_bad_paths_get_one_line_before_the_browser_starts(tmp_path: Path, extra: list[str]):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path, message in [(tmp_path / "missing.casebook", "no such file"),
                          (tmp_path, "is a directory"), (text_file, "not a SQLite database"),
                          (other, "not a casebook case file")]:
        assert_one_line_error(run_cli("open", path, *extra), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "other.db"]


def test_an_empty_annotator_is_refused(seed_case_copy: Path):
    assert_one_line_error(run_cli("open", seed_case_copy, "--annotator", "  "), "--annotator")


def test_without_a_terminal_it_says_so(seed_case_copy: Path):
    before = seed_case_copy.read_bytes()
    assert_one_line_error(run_cli("open", seed_case_copy), "needs a terminal")
    assert seed_case_copy.read_bytes() == before


def test_exit_when_ready_draws_a_full_frame_then_exits(seed_case_file: Path):
    app = PtyApp("open", seed_case_file, env={"CASEBOOK_EXIT_WHEN_READY": "1"})
    app.read_to_end()
    assert app.close() == 0
    # The frame it exited on had the counts, the rows and the first row's detail.
    output = bytes(app.output)
    for text in (b"Entities", b"Arseniy Nedyak", b"Events (1)", b"88"):
        assert text in output, text


def test_casebook_alone_builds_the_demo_case_and_opens_it(tmp_path: Path):
    env = {"XDG_DATA_HOME": str(tmp_path), "CASEBOOK_EXIT_WHEN_READY": "1"}
    first = PtyApp(env=env)
    first.read_to_end(limit=120)
    assert first.close() == 0
    demo = tmp_path / "casebook" / "brussels-demo.casebook"
    assert demo.is_file()
    assert b"Built the demo case at" in bytes(first.output)
    assert b"Russian and Chinese intelligence in Brussels" in bytes(first.output)
    second = PtyApp(env=env)       # second time: opened as it is, not rebuilt
    second.read_to_end()
    assert second.close() == 0
    assert b"Built the demo case" not in bytes(second.output)
