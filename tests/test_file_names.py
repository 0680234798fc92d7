"""One case, one name, one owner (issue 17, point 5): a hard-linked or
symlinked case is read but never written through; a case in a folder this
user may not write opens read-only; a reader who may not write the file
leaves no -wal/-shm beside it; a case others may write, or its owner's case
others may read, is warned about (once); every file casebook makes is 0600; the
hidden files of a killed run are cleaned up by the next one."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import assert_one_line_error, run_cli

import db
from db.outfile import remove_stale


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def companions(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_a_hard_linked_case_is_read_but_never_written(seed_case_copy: Path):
    other = seed_case_copy.with_name("other-name.casebook")
    os.link(seed_case_copy, other)
    before = digest(seed_case_copy)
    for name in (seed_case_copy, other):
        assert_one_line_error(run_cli("note", name, "2", "through a second name"),
                              "has 2 names (hard links)", "nothing was changed")
        assert run_cli("claims", name).returncode == 0
    with db.open_case(other) as case:
        assert case.read_only and "hard links" in case.read_only_reason
    assert digest(seed_case_copy) == before
    other.unlink()
    assert run_cli("note", seed_case_copy, "2", "one name again").returncode == 0


def test_a_symlinked_case_is_read_but_never_written_through(seed_case_copy: Path):
    link = seed_case_copy.with_name("link.casebook")
    link.symlink_to(seed_case_copy.name)
    before = digest(seed_case_copy)
    result = run_cli("annotate", link, "2", "denied")
    assert_one_line_error(result, "is a symbolic link", str(seed_case_copy.resolve()))
    assert "Logvinov" in run_cli("search", link, "Logvinov").stdout
    assert digest(seed_case_copy) == before


def test_a_case_in_a_folder_this_user_cannot_write_opens_read_only(seed_case_copy: Path,
                                                                   tmp_path: Path):
    folder = seed_case_copy.parent
    seed_case_copy.chmod(0o600)
    folder.chmod(0o555)
    try:
        search = run_cli("search", seed_case_copy, "Logvinov", as_unprivileged=True)
        assert search.returncode == 0 and "Logvinov" in search.stdout, search.stderr
        assert run_cli("check", seed_case_copy, as_unprivileged=True).returncode == 0
        note = run_cli("note", seed_case_copy, "2", "x", as_unprivileged=True)
        assert_one_line_error(note, "read-only", "the folder it is in", "nothing was changed")
        assert "damaged" not in note.stderr
        assert companions(seed_case_copy) == []
    finally:
        folder.chmod(0o755)


def test_a_reader_who_cannot_write_the_file_leaves_nothing_beside_it(seed_case_copy: Path):
    seed_case_copy.chmod(0o400)
    for command in (["claims"], ["search", "Logvinov"], ["check"], ["log"]):
        result = run_cli(command[0], seed_case_copy, *command[1:], as_unprivileged=True)
        assert result.returncode == 0, result.stderr
        assert companions(seed_case_copy) == [], command


def test_a_case_others_may_write_is_warned_about(seed_case_copy: Path):
    seed_case_copy.chmod(0o664)
    result = run_cli("claims", seed_case_copy)
    assert result.returncode == 0
    assert "casebook: warning:" in result.stderr and "its group may write" in result.stderr
    assert f"chmod 600 {seed_case_copy}" in result.stderr
    seed_case_copy.chmod(0o600)
    assert "warning" not in run_cli("claims", seed_case_copy).stderr


def test_a_case_others_may_read_is_warned_about_once_to_its_owner(seed_case_copy: Path):
    seed_case_copy.chmod(0o644)
    result = run_cli("merge", seed_case_copy, seed_case_copy)   # opens it twice: said once
    assert result.stderr.count("casebook: warning:") == 1, result.stderr
    assert "anyone may read this case file (mode 0644)" in result.stderr
    assert f"chmod 600 {seed_case_copy}" in result.stderr
    seed_case_copy.chmod(0o640)
    group = run_cli("claims", seed_case_copy)
    assert group.returncode == 0 and "its group may read" in group.stderr
    assert "CASEBOOK_SHARED_WITH_GROUP=1" in group.stderr
    # A case shared with a group on purpose: what the group may do is not warned about ...
    shared = {"CASEBOOK_SHARED_WITH_GROUP": "1"}
    assert "warning" not in run_cli("claims", seed_case_copy, env=shared).stderr
    seed_case_copy.chmod(0o660)
    assert "warning" not in run_cli("claims", seed_case_copy, env=shared).stderr
    # ... what anyone may do still is.
    seed_case_copy.chmod(0o644)
    assert "anyone may read" in run_cli("claims", seed_case_copy, env=shared).stderr
    # A colleague reading a case shared with them is not told to chmod it.
    seed_case_copy.chmod(0o444)
    reader = run_cli("claims", seed_case_copy, as_unprivileged=True)
    assert reader.returncode == 0 and "warning" not in reader.stderr, reader.stderr
    seed_case_copy.chmod(0o600)


def test_every_file_casebook_creates_is_0600_from_the_start(seed_case_copy: Path,
                                                            tmp_path: Path):
    """Under the usual umask 022: made with its mode (never readable to others
    for a moment), so a fresh case never warns."""
    made = tmp_path / "made"
    made.mkdir()
    script = (
        "import os, sys; os.umask(0o022); from casebook.cli import main; "
        "sys.argv = ['casebook', *sys.argv[1:]]; main()"
    )

    def casebook(*args: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (args, result.stderr)
        assert "warning" not in result.stderr, (args, result.stderr)
        return result

    casebook("seed", made / "seed.casebook")
    casebook("new", made / "new.casebook", "--title", "x")
    casebook("generate", made / "generated.casebook", "--excerpts", "50")
    casebook("backup", seed_case_copy, made / "backup.casebook")
    casebook("export", seed_case_copy, "-f", "json", "-o", made / "case.json")
    casebook("export", seed_case_copy, "-f", "markdown", "-o", made / "case.md")
    casebook("export", seed_case_copy, "-f", "csv", "-o", made / "csv")
    casebook("import", made / "case.json", made / "imported.casebook")
    casebook("export-annotations", seed_case_copy, "-o", made / "annotations.jsonl")
    casebook("check", seed_case_copy, "--repair", made / "repaired.casebook")
    casebook("merge", made / "imported.casebook", seed_case_copy)
    casebook("claims", made / "imported.casebook")
    files = [path for path in made.rglob("*") if path.is_file()]
    assert len(files) > 10
    assert {path: oct(path.stat().st_mode & 0o777) for path in files} == {
        path: "0o600" for path in files}
    assert oct((made / "csv").stat().st_mode & 0o777) == "0o700"


def test_the_hidden_files_of_a_killed_run_are_removed_by_the_next(seed_case_copy: Path,
                                                                  tmp_path: Path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(gone.stdout)   # a process that has ended
    out = tmp_path / "copy.casebook"
    stale = tmp_path / f".copy.casebook.{dead}.abcd1234.part"
    stale.write_bytes(b"half a case")
    stale.with_name(stale.name + "-wal").write_bytes(b"")
    running = tmp_path / f".copy.casebook.{os.getppid()}.efgh5678.part"   # a live process's
    running.write_bytes(b"being written")
    assert run_cli("backup", seed_case_copy, out).returncode == 0
    assert not stale.exists() and not stale.with_name(stale.name + "-wal").exists()
    assert running.exists()
    assert remove_stale(out) == []
