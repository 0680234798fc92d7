"""Bad documents: one clear line each, a non-zero exit, and the case as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db
from db.documents import MAX_DOCUMENT_BYTES, read_document
from db.ingest import import_document

DATA = Path(__file__).resolve().parent / "data" / "ingest"
ARTICLE = DATA / "brussels-observer-article.html"
MIXED = DATA / "mixed"

NAVIGATION_ONLY = """<!DOCTYPE html><html><head><title>Sign in | The Brussels Observer</title>
<script>window.dataLayer = [];</script><style>body{margin:0}</style></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/europe">Europe</a></li></ul></nav>
<form action="/login"><label>Email</label><input type="email"><label>Password</label>
<input type="password"><button>Sign in</button></form>
<footer><p>© 2023 The Brussels Observer SA. All rights reserved.</p></footer></body></html>"""
SCRIPT_SHELL = ('<!doctype html><html><head><title>App</title><script src="app.js"></script></head>'
                '<body><div id="root"></div><noscript>You need to enable JavaScript.</noscript>'
                '</body></html>')


def case_state(path: Path) -> str:
    """Everything the case holds, as one digest: equal digests, equal cases."""
    with db.open_case(path, read_only=True) as case:
        digest = hashlib.sha256()
        for line in case.conn.iterdump():
            digest.update(line.encode("utf-8"))
        return digest.hexdigest()


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad document, written to ``folder``, with what the error says."""
    folder.mkdir(exist_ok=True)
    made = {}

    def make(name: str, data: bytes, says: str) -> None:
        path = folder / name
        path.write_bytes(data)
        made[name] = (path, says)

    # Read as what it is (a PDF), whatever its name says: here a cut-off one.
    make("scan.pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
         "is not a readable PDF (damaged or truncated)")
    make("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image")
    make("dump.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "is a binary file")
    make("latin1.txt", "Première ligne\nDeuxième: Sûreté de l'État\n".encode("latin-1"),
         "is not valid UTF-8: byte 0xe8 at offset 5 (line 1)")
    make("cut.md", "# Notes\n\nLa Sûreté".encode()[:-1] + b"\n\nSuite.\n",
         "is not valid UTF-8: byte 0xc3 at offset 18 (line 3)")
    make("empty.txt", b"", "is empty")
    make("blank.txt", b"  \n\n\t\n", "has no text")
    make("login.html", NAVIGATION_ONLY.encode(), "no article text found in this HTML page")
    make("app.html", SCRIPT_SHELL.encode(), "no article text found in this HTML page: its text is put on "
         "the screen by JavaScript, which casebook does not run")
    return made


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("name", ["scan.pdf.txt", "photo.txt", "dump.txt", "latin1.txt", "cut.md",
                                  "empty.txt", "blank.txt", "login.html", "app.html"])
def test_each_bad_document_is_one_line_and_changes_nothing(
        seed_case_copy: Path, bad: dict[str, tuple[Path, str]], name: str):
    path, says = bad[name]
    before = case_state(seed_case_copy)
    result = run_cli("add-source", seed_case_copy, path)
    assert_one_line_error(result, name, says)
    assert case_state(seed_case_copy) == before


def test_a_file_over_the_size_limit(seed_case_copy: Path, tmp_path: Path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: the size is what is checked, before reading
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    before = case_state(seed_case_copy)
    assert_one_line_error(run_cli("add-source", seed_case_copy, huge),
                          "huge.txt: is too large (32.0 MiB; the limit is 32.0 MiB)")
    assert case_state(seed_case_copy) == before


def test_missing_files_and_cases(seed_case_copy: Path, tmp_path: Path):
    assert_one_line_error(run_cli("add-source", seed_case_copy, tmp_path / "nope.txt"),
                          "nope.txt: no such file")
    assert_one_line_error(run_cli("add-source", tmp_path / "none.casebook", ARTICLE),
                          "none.casebook: no such file")
    assert not (tmp_path / "none.casebook").exists()


def test_one_bad_file_in_a_directory_stops_all_and_each_is_named(
        seed_case_copy: Path, tmp_path: Path, bad: dict[str, tuple[Path, str]]):
    folder = tmp_path / "inbox"
    shutil.copytree(MIXED, folder)
    for name in ("latin1.txt", "login.html"):
        shutil.copy(bad[name][0], folder / name)
    before = case_state(seed_case_copy)
    result = run_cli("add-source", seed_case_copy, folder)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert "latin1.txt: is not valid UTF-8: byte 0xe8 at offset 5 (line 1)" in lines[0]
    assert "login.html: no article text found" in lines[1]
    assert lines[2] == "casebook: error: nothing added: 2 of 6 documents are bad (--skip-bad adds the others)"
    assert result.stdout == ""
    assert case_state(seed_case_copy) == before


def test_skip_bad_adds_the_good_and_still_fails(
        seed_case_copy: Path, tmp_path: Path, bad: dict[str, tuple[Path, str]]):
    folder = tmp_path / "inbox"
    shutil.copytree(MIXED, folder)
    shutil.copy(bad["photo.txt"][0], folder / "photo.txt")
    result = run_cli("add-source", seed_case_copy, folder, "--skip-bad")
    assert result.returncode == 1
    assert "photo.txt: is a PNG image" in result.stderr
    assert "added 4 of 5 documents" in result.stdout
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert db.counts(case).sources == 6


def test_an_interrupted_import_leaves_the_case_as_it_was(seed_case_copy: Path):
    """Each document is one transaction: stopped half-way (here by Ctrl-C while
    mentions are being linked), nothing of it stays."""
    before = case_state(seed_case_copy)
    document = read_document(ARTICLE)

    def interrupt(fraction: float) -> None:
        if fraction > 0.6:
            raise KeyboardInterrupt

    with db.open_case(seed_case_copy) as case:
        with pytest.raises(KeyboardInterrupt):
            import_document(case, document, progress=interrupt)
        assert case.conn.in_transaction is False
    assert case_state(seed_case_copy) == before
    # And the same document goes in whole afterwards.
    assert run_cli("add-source", seed_case_copy, ARTICLE).returncode == 0
    assert case_state(seed_case_copy) != before


def test_a_read_only_case_is_one_line(seed_case_copy: Path):
    seed_case_copy.chmod(0o400)
    try:
        result = run_cli("add-source", seed_case_copy, ARTICLE, as_unprivileged=True)
    finally:
        seed_case_copy.chmod(0o600)
    assert_one_line_error(result, "read-only")
