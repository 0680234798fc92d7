"""Every command that writes a file, through the real CLI: each goes through
db/outfile.py, so each refuses a symbolic link, an existing file (unless it
has --force and is given it), names a missing directory, creates 0600,
leaves nothing behind when it cannot write, and streams to a device or a
named pipe where a stream makes sense (else says why not, in one line)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FifoReader, assert_one_line_error, leftovers, mode, run_cli

from db.schema import APPLICATION_ID

Args = Callable[[Path, Path, Path], list[str | os.PathLike[str]]]


@dataclass(frozen=True)
class Writer:
    name: str
    args: Args  # (case file, JSON export, target) -> the command line
    streams: bool = False  # to a device or a named pipe; else refused
    force: bool = False  # has --force
    directory: bool = False  # writes a directory of files

    def run(self, case: Path, case_json: Path, target: Path, *extra: str, as_unprivileged: bool = False):
        return run_cli(*self.args(case, case_json, target), *extra, as_unprivileged=as_unprivileged)


WRITERS = [
    Writer("export", lambda case, _, out: ["export", case, "-f", "json", "-o", out], streams=True,
           force=True),
    Writer("export-csv", lambda case, _, out: ["export", case, "-f", "csv", "-o", out], force=True,
           directory=True),
    Writer("export-annotations", lambda case, _, out: ["export-annotations", case, "-o", out], streams=True),
    Writer("backup", lambda case, _, out: ["backup", case, out]),
    Writer("new", lambda case, _, out: ["new", out, "--title", "T"]),
    Writer("seed", lambda case, _, out: ["seed", out]),
    Writer("import", lambda _, case_json, out: ["import", case_json, out]),
    Writer("generate", lambda case, _, out: ["generate", out, "--excerpts", "10"]),
]
each_writer = pytest.mark.parametrize("writer", WRITERS, ids=[w.name for w in WRITERS])


@pytest.fixture(scope="session")
def case_json(seed_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("json") / "brussels.json"
    assert run_cli("export", seed_case_file, "-f", "json", "-o", out).returncode == 0
    return out


def written(writer: Writer, out: Path) -> list[Path]:
    """What the writer put at ``out``: the file, or the files in the directory."""
    return sorted(out.iterdir()) if writer.directory else [out]


@each_writer
def test_creates_private_files(writer: Writer, seed_case_file: Path, case_json: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = writer.run(seed_case_file, case_json, out)
    assert result.returncode == 0, result.stderr
    files = written(writer, out)
    assert files and all(mode(path) == 0o600 and path.stat().st_size > 0 for path in files)
    if writer.directory:
        assert mode(out) == 0o700
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@each_writer
def test_refuses_a_symbolic_link(writer: Writer, seed_case_file: Path, case_json: Path, tmp_path: Path):
    precious = tmp_path / "precious"
    precious.write_text("do not touch")
    link = tmp_path / "out"
    link.symlink_to(precious)
    for extra in [[], ["--force"]] if writer.force else [[]]:
        assert_one_line_error(writer.run(seed_case_file, case_json, link, *extra),
                              f"{link}: is a symbolic link")
    assert precious.read_text() == "do not touch" and link.is_symlink()
    assert leftovers(tmp_path) == []


@each_writer
def test_refuses_an_existing_file_unless_forced(writer: Writer, seed_case_file: Path, case_json: Path,
                                                tmp_path: Path):
    out = tmp_path / "out"
    if writer.directory:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    else:
        out.write_text("mine")
    result = writer.run(seed_case_file, case_json, out)
    assert_one_line_error(result, f"{out}: already exists")
    # the hint names --force only where the command has it
    assert ("--force replaces" in result.stderr) == writer.force
    assert (out / "notes.txt" if writer.directory else out).read_text() == "mine"
    if writer.force:
        result = writer.run(seed_case_file, case_json, out, "--force")
        assert result.returncode == 0, result.stderr
        if writer.directory:
            assert (out / "notes.txt").read_text() == "mine" and (out / "claims.csv").exists()
        else:
            assert out.read_text(encoding="utf-8") != "mine" and mode(out) == 0o600
    assert leftovers(tmp_path) == [] and leftovers(out if writer.directory else tmp_path) == []


@each_writer
def test_names_a_missing_directory(writer: Writer, seed_case_file: Path, case_json: Path, tmp_path: Path):
    assert_one_line_error(writer.run(seed_case_file, case_json, tmp_path / "no" / "out"),
                          f"{tmp_path / 'no'}: no such directory")
    assert list(tmp_path.iterdir()) == []


@each_writer
def test_an_unwritable_directory_leaves_nothing(writer: Writer, seed_case_file: Path, case_json: Path,
                                                tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        result = writer.run(seed_case_file, case_json, locked / "out", as_unprivileged=True)
        assert_one_line_error(result, "cannot write (Permission denied)")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


@each_writer
def test_dev_null(writer: Writer, seed_case_file: Path, case_json: Path):
    result = writer.run(seed_case_file, case_json, Path("/dev/null"))
    if writer.streams:
        assert result.returncode == 0, result.stderr
    elif writer.directory:
        assert_one_line_error(result, "/dev/null: exists and is not a directory")
    else:
        assert_one_line_error(result, "/dev/null: is a device or a named pipe, and a", "cannot be streamed")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


@each_writer
def test_a_named_pipe(writer: Writer, seed_case_file: Path, case_json: Path, tmp_path: Path):
    fifo = FifoReader(tmp_path / "pipe")
    result = writer.run(seed_case_file, case_json, fifo.path)
    received = fifo.finish()
    if writer.streams:
        assert result.returncode == 0, result.stderr
        assert received.startswith(b"{")  # the JSON document, or the first JSON line
    else:
        assert_one_line_error(result, f"{fifo.path}: ")
        assert received == b""
    assert stat.S_ISFIFO(fifo.path.lstat().st_mode) and leftovers(tmp_path) == []


@pytest.mark.parametrize("format_", ["markdown", "ftm", "w3c", "stix"])
def test_every_export_format_writes_a_private_file(format_: str, seed_case_file: Path, tmp_path: Path):
    out = tmp_path / f"case.{format_}"
    result = run_cli("export", seed_case_file, "-f", format_, "-o", out)
    assert result.returncode == 0, result.stderr
    assert mode(out) == 0o600 and out.stat().st_size > 0 and leftovers(tmp_path) == []


# -- the backup taken before a migration ------------------------------------------------


def old_case(path: Path) -> Path:
    """A case file at schema v0, which opening for writing migrates (after a backup)."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.close()
    path.chmod(0o600)
    return path


def test_the_migration_backup_is_private(tmp_path: Path):
    case = old_case(tmp_path / "old.casebook")
    (tmp_path / "none.jsonl").write_text("")
    result = run_cli("import-annotations", case, tmp_path / "none.jsonl")
    assert result.returncode == 0, result.stderr
    (backup,) = tmp_path.glob("old.casebook.v0-*.bak")
    assert mode(backup) == 0o600 and leftovers(tmp_path) == []


def test_a_migration_that_cannot_back_up_changes_nothing(tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    case = old_case(folder / "old.casebook")
    (tmp_path / "none.jsonl").write_text("")
    before = case.read_bytes()
    folder.chmod(0o500)
    try:
        result = run_cli("import-annotations", case, tmp_path / "none.jsonl", as_unprivileged=True)
        # (a folder this user may not write: the case is read-only there, so it is not migrated)
        assert_one_line_error(result, "needs upgrading", "the folder it is in")
        assert [p.name for p in folder.iterdir()] == ["old.casebook"] and case.read_bytes() == before
    finally:
        folder.chmod(0o700)
