"""Input from outside is bounded (issue 17, point 7 of the issue, point 6 of
the brief): JSON nested too deep, a number of thousands of digits or a key
given twice is refused in one line (``casebook import`` reads the file as a
stream, so a deep file costs no memory); ``add-source`` on a folder never
follows a symbolic link out of it."""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_one_line_error, run_cli

import db

LINE = ('{"id": "0b7e4a06-87e3-4c1e-9d55-2f1a3c6f4e10", "claim_uid": "u", "kind": "mark", '
        '"status": "confirmed", "previous_status": "unreviewed", "note": "", "annotator": "a", '
        '"created_at": "2026-01-01T00:00:00.000000Z", "undoes": ""}')


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("line", "said"), [
    ('{"a": ' * 1000 + "1" + "}" * 1000, "nested deeper than 32 levels"),
    (LINE[:-1] + ', "n": ' + "9" * 5000 + "}", "a number of 5,000 characters"),
    (LINE[:-1] + ', "annotator": "someone else"}', 'the key "annotator" twice'),
], ids=["nested", "long-number", "duplicate-key"])
def test_import_annotations_refuses_json_past_a_bound_in_one_line(seed_case_copy, tmp_path,
                                                                  line, said):
    lines = tmp_path / "marks.jsonl"
    lines.write_text(line + "\n")
    before = digest(seed_case_copy)
    assert_one_line_error(run_cli("import-annotations", seed_case_copy, lines),
                          "marks.jsonl line 1: refused:", said)
    assert digest(seed_case_copy) == before


@pytest.mark.parametrize("shape", ["no-newline", "then-more-lines"])
def test_import_annotations_refuses_a_2_gb_line_without_reading_it(seed_case_copy, tmp_path, shape):
    """One line of 2 GB (a sparse file: no disk used) gets one line and exit 1, in
    1 GB of memory: the line is read up to the bound (8 MiB) and no further."""
    from db.jsonlimits import MAX_LINE_BYTES

    lines = tmp_path / "marks.jsonl"
    with lines.open("wb") as out:
        out.write(b'{"id": "')
        out.truncate(2 << 30)
        if shape == "then-more-lines":
            out.seek(0, 2)
            out.write(b'"}\n' + (LINE + "\n").encode())
    before = digest(seed_case_copy)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run([sys.executable, "-m", "casebook", "import-annotations",
                             str(seed_case_copy), str(lines)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, preexec_fn=limit)
    assert_one_line_error(result, "marks.jsonl: refused: line 1 is longer than "
                          f"{MAX_LINE_BYTES:,} bytes", "nothing imported")
    assert digest(seed_case_copy) == before


def test_a_line_just_at_the_bound_is_read(tmp_path):
    import io

    from db.jsonlimits import JSONLimitError, bounded_lines

    exact = b"x" * 10 + b"\n"   # the bound counts a line's bytes, its newline aside
    assert list(bounded_lines(io.BytesIO(exact + b"y" * 10), limit=10)) == [(1, exact), (2, b"y" * 10)]
    with pytest.raises(JSONLimitError, match="line 2 is longer than 10 bytes"):
        list(bounded_lines(io.BytesIO(exact + b"y" * 11), limit=10))
    with pytest.raises(JSONLimitError, match="line 1 is longer than 10 bytes"):
        list(bounded_lines(io.BytesIO(b"x" * 11 + b"\n"), limit=10))


def _limited_import(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``casebook import`` with its memory held to 1 GB (the issue's file took 19 GB)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "casebook", "import", str(source), str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, preexec_fn=limit)


@pytest.mark.parametrize(("document", "said"), [
    ('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested deeper than 32 levels"),
    ('{"format": "casebook", "format": "other"}', 'the key "format" twice'),
], ids=["nested", "duplicate-key"])
def test_import_refuses_json_past_a_bound_in_bounded_memory(tmp_path, document, said):
    source, out = tmp_path / "case.json", tmp_path / "new.casebook"
    source.write_text(document)
    result = _limited_import(source, out)
    assert_one_line_error(result, "case.json: refused:", said)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["case.json"]


def test_import_refuses_a_number_of_thousands_of_digits(tmp_path):
    source, out = tmp_path / "case.json", tmp_path / "new.casebook"
    source.write_text('{"format": 1' + "0" * 5000 + "}")
    assert_one_line_error(_limited_import(source, out), "case.json:")
    assert not out.exists()


def test_a_folder_is_read_without_following_links_out_of_it(seed_case_copy, tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (inbox / "note.txt").write_text("Milan Uhrík met Kirill Logvinov.\n")
    (outside / "private.txt").write_text("Zqxwv private words.\n")
    (inbox / "zz.md").symlink_to(outside / "private.txt")
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    (inbox / "same.txt").symlink_to("note.txt")        # a link within the folder is its file
    result = run_cli("add-source", seed_case_copy, inbox)
    assert result.returncode == 0, result.stderr
    assert "a symbolic link out of the folder" in result.stderr
    with db.open_case(seed_case_copy, read_only=True) as case:
        texts = [row[0] for row in case.rows("SELECT text FROM sources")]
    assert any("Milan Uhrík met" in text for text in texts)
    assert not any("Zqxwv" in text or "root:x:0" in text for text in texts)
    named = run_cli("add-source", seed_case_copy, inbox / "zz.md")   # named: read as named
    assert named.returncode == 0, named.stderr


# add-source on a folder, with the folder changed between its listing and the
# reading (a swap race): the real CLI in a subprocess, with the swap made right
# after db.ingest.plan_paths has listed the folder.
SWAP_AFTER_LISTING = """
import os, sys
from pathlib import Path
import db.ingest, casebook.commands_ingest
listing = db.ingest.plan_paths
def listed_then_swapped(paths):
    plan = listing(paths)
    victim, swap = Path(sys.argv[3]), sys.argv[4]
    if swap == "link-out":
        victim.unlink(); victim.symlink_to(sys.argv[5])
    elif swap == "other-file":
        os.replace(sys.argv[5], victim)
    elif swap == "relink":
        victim.unlink(); victim.symlink_to(sys.argv[5])
    elif swap == "fifo":
        victim.unlink(); os.mkfifo(victim)
    return plan
casebook.commands_ingest.plan_paths = listed_then_swapped
from casebook.cli import main
main(["add-source", sys.argv[1], sys.argv[2]])
"""


@pytest.mark.parametrize(("swap", "said"), [
    ("link-out", "became a symbolic link after the folder was listed: not followed"),
    ("other-file", "is not the file the folder held when it was listed"),
    ("relink", "is not the file the folder held when it was listed"),
    ("fifo", "is not the file the folder held when it was listed"),
])
def test_a_folder_entry_swapped_after_the_listing_is_not_read(seed_case_copy, tmp_path, swap, said):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    private = outside / "private.txt"
    private.write_text("Zqxwv private words.\n")
    (inbox / "note.txt").write_text("Milan Uhrík met Kirill Logvinov.\n")
    victim = inbox / "note.txt"
    if swap == "relink":   # a link within the folder, then pointed out of it
        (inbox / "real.txt").write_text("Milan Uhrík met Kirill Logvinov.\n")
        (inbox / "real.txt").rename(inbox / ".real.txt")    # hidden: only the link is listed
        victim.unlink()
        victim.symlink_to(".real.txt")
    other = tmp_path / "other.txt"
    other.write_text("Zqxwv other words.\n")
    target = {"link-out": str(private), "other-file": str(other), "relink": str(private),
              "fifo": ""}[swap]
    before = digest(seed_case_copy)
    result = subprocess.run([sys.executable, "-c", SWAP_AFTER_LISTING, str(seed_case_copy),
                             str(inbox), str(victim), swap, target],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    if swap == "relink":   # (the hidden file the link led to is said to be skipped)
        result.stderr = "".join(line for line in result.stderr.splitlines(keepends=True)
                                if "hidden file" not in line)
    assert_one_line_error(result, "note.txt", said)
    assert digest(seed_case_copy) == before
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert not any("Zqxwv" in row[0] for row in case.rows("SELECT text FROM sources"))


def test_a_folder_entry_unchanged_since_the_listing_is_read(tmp_path):
    from db.documents import read_documents
    from db.ingest import plan_paths

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "note.txt").write_text("Milan Uhrík met Kirill Logvinov.\n")
    (inbox / "same.md").symlink_to("note.txt")     # a link within the folder: its file
    plan = plan_paths([inbox])
    assert set(plan.listed) == {str(inbox / "note.txt"), str(inbox / "same.md")}
    assert plan.listed[str(inbox / "same.md")].link
    for name in plan.files:
        [document] = read_documents(name, listed=plan.listed[name])
        assert "Milan Uhrík met" in document.text


# A lone surrogate (issue 14's leftover: "\ud800" was stored as "?"): refused in
# one line, as no character; a pair (one character) is read as ever.
@pytest.mark.parametrize(("text", "lone_at"), [
    (rb'{"a": "\ud800"}', 8),              # high, then the string ends
    (rb'{"a": "x\udc00"}', 9),             # low, with no high before it
    (rb'{"a": "\ud800\u0041"}', 8),        # high, then not a low
    (rb'{"a": "\ud800\n\udc00"}', 8),       # high, another escape, then a low
    (rb'{"a": "\ud800", "b": "\udc00"}', 8),   # the two halves apart
    (rb'{"a": "\ud83d\ude00"}', None),     # a pair: one character
    (rb'{"a": "\\ud800"}', None),          # an escaped backslash, then the letters "ud800"
    (rb'{"a": "\\\ud800\udc00"}', None),   # a backslash, then a pair
    (rb'{"a": "\\\\\ud800"}', 12),         # two backslashes, then a lone high
], ids=["high", "low", "high-then-other", "high-newline-low", "halves-apart", "pair", "escaped-backslash",
        "backslash-then-pair", "backslashes-then-high"])
def test_a_lone_surrogate_is_found_however_the_text_is_cut(text, lone_at):
    from db.jsonlimits import JSONLimitError, SurrogateScan

    for cut in range(len(text) + 1):          # fed in two chunks, cut anywhere
        for size in (1, 3, 7, len(text)):     # and in chunks of a few bytes
            scan = SurrogateScan()
            pieces = [text[:cut]] + [text[cut:][i:i + size] for i in range(0, len(text) - cut, size)]
            if lone_at is None:
                for piece in pieces:
                    scan.feed(piece)
                scan.feed(b"", final=True)
                continue
            with pytest.raises(JSONLimitError, match=f"a lone surrogate at byte {lone_at}"):
                for piece in pieces:
                    scan.feed(piece)
                scan.feed(b"", final=True)


def test_import_refuses_a_lone_surrogate_and_reads_a_pair(seed_case_file, tmp_path):
    exported = tmp_path / "case.json"
    assert run_cli("export", seed_case_file, "--format", "json", "-o", exported).returncode == 0
    text = exported.read_text(encoding="utf-8")
    at = text.index('"name": "') + len('"name": "')
    lone, pair = tmp_path / "lone.json", tmp_path / "pair.json"
    lone.write_text(text[:at] + "\\ud800" + text[at:], encoding="utf-8")
    pair.write_text(text[:at] + "\\ud83d\\ude00" + text[at:], encoding="utf-8")
    refused = run_cli("import", lone, tmp_path / "lone.casebook")
    assert_one_line_error(refused, "lone.json: refused: a lone surrogate at byte")
    assert not (tmp_path / "lone.casebook").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.json", "lone.json", "pair.json"]
    read = run_cli("import", pair, tmp_path / "pair.casebook")
    assert read.returncode == 0, read.stderr
    with db.open_case(tmp_path / "pair.casebook", read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM entities WHERE name LIKE '\U0001F600%'") == 1


def test_import_annotations_refuses_a_lone_surrogate(seed_case_copy, tmp_path):
    lines = tmp_path / "marks.jsonl"
    lines.write_text(LINE.replace('"note": ""', '"note": "\\udfff"') + "\n")
    before = digest(seed_case_copy)
    assert_one_line_error(run_cli("import-annotations", seed_case_copy, lines),
                          "marks.jsonl line 1: refused: a lone surrogate at byte")
    assert digest(seed_case_copy) == before
