"""Where exports go: never through a symlink, never half-written, never over
a file unless asked, never over the case itself; private like the case."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_one_line_error, leftovers, run_cli

from db.outfile import OutputError, atomic_file


def test_an_export_file_is_private(seed_case_file: Path, tmp_path: Path):
    out = tmp_path / "report.md"
    assert run_cli("export", seed_case_file, "-f", "markdown", "-o", out).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").startswith("# Russian and Chinese intelligence in Brussels\n")


def test_an_existing_file_is_replaced_only_with_force(seed_case_file: Path, tmp_path: Path):
    out = tmp_path / "case.json"
    out.write_text("my notes")
    assert_one_line_error(run_cli("export", seed_case_file, "-f", "json", "-o", out),
                          "already exists (--force replaces it)")
    assert out.read_text() == "my notes"
    assert run_cli("export", seed_case_file, "-f", "json", "-o", out, "--force").returncode == 0
    assert out.read_text(encoding="utf-8").startswith('{\n  "format": "casebook-case"')
    assert leftovers(tmp_path) == []


def test_a_symlink_is_never_written_through(seed_case_file: Path, tmp_path: Path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch")
    link = tmp_path / "out.json"
    link.symlink_to(precious)
    for extra in ([], ["--force"]):
        assert_one_line_error(run_cli("export", seed_case_file, "-f", "json", "-o", link, *extra),
                              "is a symbolic link")
    assert precious.read_text() == "do not touch" and link.is_symlink()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_a_device_is_written_to_never_replaced(seed_case_file: Path, force: list[str]):
    """-o /dev/null (as root, a rename would put a plain file in its place)."""
    result = run_cli("export", seed_case_file, "-f", "json", "-o", "/dev/null", *force)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


def test_a_named_pipe_gets_the_export_as_a_stream(seed_case_file: Path, tmp_path: Path):
    fifo = tmp_path / "to-another-tool"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    try:
        result = run_cli("export", seed_case_file, "-f", "markdown", "-o", fifo)
        assert result.returncode == 0, result.stderr
        received, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
    assert received.startswith("# Russian and Chinese intelligence in Brussels\n")
    assert stat.S_ISFIFO(fifo.stat().st_mode) and leftovers(tmp_path) == []


def test_the_case_file_itself_is_refused(seed_case_copy: Path):
    before = seed_case_copy.read_bytes()
    assert_one_line_error(run_cli("export", seed_case_copy, "-f", "json", "-o", seed_case_copy, "--force"),
                          "is the case file itself")
    assert seed_case_copy.read_bytes() == before


def test_bad_targets_and_formats_are_one_line(seed_case_file: Path, tmp_path: Path):
    assert_one_line_error(run_cli("export", seed_case_file, "-f", "json", "-o", tmp_path / "no" / "x.json"),
                          "no such directory")
    assert_one_line_error(run_cli("export", seed_case_file, "-f", "json", "-o", tmp_path), "is a directory")
    assert_one_line_error(run_cli("export", seed_case_file, "-f", "pdf"), "'pdf' is not one of")
    assert_one_line_error(run_cli("export", tmp_path / "none.casebook", "-f", "json"), "no such file")


def test_a_failure_while_writing_leaves_no_file(tmp_path: Path):
    out = tmp_path / "half.json"
    with pytest.raises(RuntimeError):
        with atomic_file(out) as handle:
            handle.write('{"half": ')
            raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    out.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_file(out, force=True) as handle:
            handle.write("new, half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old" and leftovers(tmp_path) == []
    with pytest.raises(OutputError, match="already exists"):
        with atomic_file(out):
            pass


def test_a_closed_pipe_ends_the_export_quietly(seed_case_file: Path):
    process = subprocess.Popen([sys.executable, "-m", "casebook", "export", str(seed_case_file),
                                "-f", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout.read(100).startswith(b"{")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and stderr == ""


def test_stdout_is_utf8_whatever_the_locale(seed_case_file: Path):
    c_locale = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-m", "casebook", "export", str(seed_case_file),
                             "-f", "markdown"], capture_output=True, cwd=ROOT, env=c_locale)
    assert result.returncode == 0, result.stderr
    assert "Petras Auštrevičius".encode() in result.stdout
