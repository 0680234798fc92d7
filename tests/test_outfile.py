"""The one safe-new-file helper (db/outfile.py): a file appears complete or not
at all, 0600, never through a symbolic link, never over a file unless asked;
devices and named pipes get a stream. The commands that use it are tested
through the real CLI in test_writers.py."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FifoReader, leftovers, mode

from db.outfile import (
    OutputError,
    atomic_binary_file,
    atomic_directory,
    atomic_file,
    atomic_path,
    check_target,
)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[FifoReader]:
    reader = FifoReader(tmp_path / "to-another-tool")
    yield reader
    reader.finish()


# -- a new file ---------------------------------------------------------------------


def test_a_file_appears_complete_and_private(tmp_path: Path):
    out = tmp_path / "report.txt"
    with atomic_file(out) as handle:
        handle.write("Auštrevičius\r\n")
        handle.flush()
        assert not out.exists()  # nothing at the target until the block ends
        (temporary,) = leftovers(tmp_path)
        assert temporary.startswith(".report.txt.") and temporary.endswith(".part")
        assert mode(tmp_path / temporary) == 0o600
    assert out.read_bytes() == "Auštrevičius\r\n".encode()  # UTF-8, line ends as written
    assert mode(out) == 0o600 and leftovers(tmp_path) == []


def test_a_binary_file_appears_complete_and_private(tmp_path: Path):
    out = tmp_path / "data.bin"
    with atomic_binary_file(out) as handle:
        handle.write(bytes(range(256)))
    assert out.read_bytes() == bytes(range(256))
    assert mode(out) == 0o600 and leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", [atomic_file, atomic_binary_file], ids=["text", "binary"])
@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt], ids=["error", "ctrl-c"])
def test_a_failure_half_way_leaves_nothing(tmp_path: Path, writer, failure: type[BaseException]):
    half = "half" if writer is atomic_file else b"half"
    out = tmp_path / "half.out"
    with pytest.raises(failure):
        with writer(out) as handle:
            handle.write(half)
            raise failure()
    assert list(tmp_path.iterdir()) == []
    out.write_text("old")
    with pytest.raises(failure):
        with writer(out, force=True) as handle:
            handle.write(half)
            raise failure()
    assert out.read_text() == "old" and leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path):
    out = tmp_path / "notes.txt"
    out.write_text("my notes")
    with pytest.raises(OutputError, match=r"notes.txt: already exists$"):
        with atomic_file(out) as handle:
            handle.write("new")
    with pytest.raises(OutputError, match=r"already exists \(--force replaces it\)$"):
        with atomic_file(out, force_hint="--force replaces it"):
            pass
    assert out.read_text() == "my notes"
    out.chmod(0o644)
    with atomic_file(out, force=True) as handle:
        handle.write("new")
    assert out.read_text() == "new" and mode(out) == 0o600 and leftovers(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_never_replaced(tmp_path: Path):
    out = tmp_path / "race.txt"
    with pytest.raises(OutputError, match="already exists"):
        with atomic_file(out) as handle:
            handle.write("ours")
            out.write_text("theirs")  # another program, while we were writing
    assert out.read_text() == "theirs" and leftovers(tmp_path) == []


def test_without_hard_links_a_file_is_still_placed_and_never_replaces(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A FAT or exFAT memory stick has no hard links (link() fails with EPERM)."""
    def no_hard_links(source: object, target: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    out = tmp_path / "stick.txt"
    with atomic_file(out) as handle:
        handle.write("ours")
    assert out.read_text() == "ours" and mode(out) == 0o600 and leftovers(tmp_path) == []
    late = tmp_path / "late.txt"
    with pytest.raises(OutputError, match="already exists"):
        with atomic_file(late) as handle:
            handle.write("ours")
            late.write_text("theirs")
    assert late.read_text() == "theirs" and leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_symbolic_link_is_refused_never_followed(tmp_path: Path, force: bool):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch")
    link = tmp_path / "out.txt"
    link.symlink_to(precious)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere")
    for target in (link, dangling):
        for writer in (atomic_file, atomic_binary_file, atomic_path, atomic_directory):
            with pytest.raises(OutputError, match="is a symbolic link"):
                with writer(target, force=force):
                    pytest.fail("the block must not run")
    assert precious.read_text() == "do not touch" and link.is_symlink()
    assert not (tmp_path / "nowhere").exists() and leftovers(tmp_path) == []


def test_a_missing_directory_is_named(tmp_path: Path):
    for writer in (atomic_file, atomic_binary_file, atomic_path, atomic_directory):
        with pytest.raises(OutputError, match=f"^{tmp_path / 'no'}: no such directory$"):
            with writer(tmp_path / "no" / "x.out"):
                pytest.fail("the block must not run")
    assert list(tmp_path.iterdir()) == []


def test_what_is_not_a_regular_file_is_refused(tmp_path: Path):
    with pytest.raises(OutputError, match="is a directory"):
        with atomic_file(tmp_path, force=True):
            pass
    listening = socket.socket(socket.AF_UNIX)
    try:
        listening.bind(str(tmp_path / "socket"))
        with pytest.raises(OutputError, match="is not a regular file"):
            check_target(tmp_path / "socket", force=True)
    finally:
        listening.close()
    assert stat.S_ISSOCK((tmp_path / "socket").lstat().st_mode)


# -- devices and named pipes ------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_device_is_written_as_a_stream_never_replaced(force: bool):
    with atomic_file("/dev/null", force=force) as handle:
        handle.write("gone")
    with atomic_binary_file("/dev/null", force=force) as handle:
        handle.write(b"gone")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


def test_a_named_pipe_gets_a_stream(tmp_path: Path, fifo: FifoReader):
    with atomic_file(fifo.path) as handle:
        handle.write("line one\nline two\n")
    assert fifo.finish() == b"line one\nline two\n"
    assert stat.S_ISFIFO(fifo.path.lstat().st_mode) and leftovers(tmp_path) == []


def test_what_cannot_stream_says_so(tmp_path: Path, fifo: FifoReader):
    for target in ("/dev/null", fifo.path):
        with pytest.raises(OutputError, match=r"is a device or a named pipe, and a backup cannot be "
                                              r"streamed into one$"):
            with atomic_path(target, force=True, what="a backup"):
                pytest.fail("the block must not run")
    with pytest.raises(OutputError, match="exists and is not a directory"):
        with atomic_directory("/dev/null", force=True):
            pass
    assert fifo.finish() == b""  # never opened
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and leftovers(tmp_path) == []


# -- a path for code that writes by name ------------------------------------------------


def test_a_path_written_by_sqlite_appears_complete_and_private(tmp_path: Path):
    out = tmp_path / "copy.sqlite"
    with atomic_path(out) as temporary:
        assert temporary.parent == tmp_path and mode(temporary) == 0o600
        conn = sqlite3.connect(temporary)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES ('kept')")
        conn.commit()
        conn.close()
        assert not out.exists()
    check = sqlite3.connect(out)
    assert check.execute("SELECT x FROM t").fetchall() == [("kept",)]
    check.close()
    assert mode(out) == 0o600 and leftovers(tmp_path) == []


def test_a_path_that_fails_leaves_nothing_not_even_sqlite_companions(tmp_path: Path):
    out = tmp_path / "copy.sqlite"
    with pytest.raises(sqlite3.OperationalError):
        with atomic_path(out) as temporary:
            conn = sqlite3.connect(temporary)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE t (x)")
            try:
                conn.execute("INSERT INTO nowhere VALUES (1)")  # fails half-way, -wal and -shm open
            finally:
                assert {p.name.removeprefix(temporary.name) for p in tmp_path.iterdir()} >= {"-wal", "-shm"}
                conn.close()
    assert list(tmp_path.iterdir()) == []


# -- a directory of files ---------------------------------------------------------------


def test_a_directory_appears_complete(tmp_path: Path):
    out = tmp_path / "tables"
    with atomic_directory(out) as staging:
        assert staging.parent == tmp_path and not out.exists()
        for name in ("a.csv", "b.csv"):
            with atomic_file(staging / name) as handle:
                handle.write(name)
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]
    assert mode(out) == 0o700 and mode(out / "a.csv") == 0o600 and leftovers(tmp_path) == []


def test_a_directory_that_fails_half_way_leaves_nothing(tmp_path: Path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(tmp_path / "tables") as staging:
            with atomic_file(staging / "a.csv") as handle:
                handle.write("a")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_written_into_only_when_asked(tmp_path: Path):
    out = tmp_path / "tables"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError, match=r"already exists \(--force replaces its files\)$"):
        with atomic_directory(out, force_hint="--force replaces its files"):
            pass
    with atomic_directory(out, force=True) as target:
        assert target == out
        with atomic_file(target / "a.csv", force=True) as handle:
            handle.write("a")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "notes.txt"]
    assert (out / "notes.txt").read_text() == "keep me" and leftovers(out) == []


def test_a_directory_that_appears_meanwhile_is_never_replaced(tmp_path: Path):
    out = tmp_path / "tables"
    with pytest.raises(OutputError, match="already exists"):
        with atomic_directory(out) as staging:
            (staging / "ours.csv").write_text("ours")
            out.mkdir()
            (out / "theirs.csv").write_text("theirs")
    assert [p.name for p in out.iterdir()] == ["theirs.csv"] and leftovers(tmp_path) == []
