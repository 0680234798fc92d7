"""Marks as JSON Lines: export, import, round trip; bad files import nothing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db
from db.claims import add_note, mark_claim, undo_last_mark
from db.conflicts import claim_conflicts
from db.jsonl import iter_annotation_lines


def export(path: Path) -> list[dict]:
    with db.open_case(path, read_only=True) as case:
        return [json.loads(line) for line in iter_annotation_lines(case)]


def state(path: Path) -> tuple[int, list[tuple]]:
    with db.open_case(path, read_only=True) as case:
        return (case.scalar("SELECT count(*) FROM annotations"),
                [tuple(row) for row in case.rows("SELECT id, status, version FROM claims")])


@pytest.fixture
def marked(seed_case_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(a case with marks, notes and an undo; a copy from before them)."""
    before = tmp_path / "before.casebook"
    with db.open_case(seed_case_copy) as case:
        db.backup_case_file(case.conn, before)
        mark_claim(case, 2, "denied", annotator="ana", note="retracted\nby the \"source\" — Uhrík")
        mark_claim(case, 3, "confirmed", annotator="ana")
        mark_claim(case, 3, "disputed", annotator="ana")
        undo_last_mark(case, 3, annotator="ana")
        add_note(case, 4, "ask again", annotator="bob")
    return seed_case_copy, before


def test_round_trip(marked: tuple[Path, Path], tmp_path: Path):
    source, target = marked
    out = tmp_path / "marks.jsonl"
    result = run_cli("export-annotations", source, "-o", out)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    with db.open_case(source, read_only=True) as case:   # the seed's relationship marks too
        ties = case.scalar("SELECT count(*) FROM relationship_annotations")
    assert ties and len(lines) == state(source)[0] + ties
    assert sum("relationship_uid" in json.loads(line) for line in lines) == ties
    assert {json.loads(line)["kind"] for line in lines} == {"mark", "note", "undo"}
    imported = run_cli("import-annotations", target, out, "--json")
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert (report["annotations_added"], report["claims_changed"]) == (5, 2)
    assert export(target) == export(source)
    printed = run_cli("export-annotations", target)  # to standard output
    assert [json.loads(line) for line in printed.stdout.splitlines()] == export(source)
    assert [row[:2] for row in state(target)[1]] == [row[:2] for row in state(source)[1]]
    assert run_cli("check", target).returncode == 0


def test_importing_twice_adds_nothing(marked: tuple[Path, Path], tmp_path: Path):
    source, target = marked
    out = tmp_path / "marks.jsonl"
    run_cli("export-annotations", source, "-o", out)
    assert run_cli("import-annotations", target, out).returncode == 0
    after_first = state(target)
    again = run_cli("import-annotations", target, out)
    assert again.returncode == 0 and "0 annotations added" in again.stdout
    assert state(target) == after_first


def test_import_flags_conflicts_like_a_merge(marked: tuple[Path, Path], tmp_path: Path):
    source, target = marked
    with db.open_case(target) as case:
        mark_claim(case, 2, "confirmed", annotator="carol")  # source has ana's denied
    out = tmp_path / "marks.jsonl"
    run_cli("export-annotations", source, "-o", out)
    report = json.loads(run_cli("import-annotations", target, out, "--json").stdout)
    assert report["conflicts_found"] == 1
    with db.open_case(target, read_only=True) as case:
        [conflict] = claim_conflicts(case, 2)
        assert {conflict.a.annotator, conflict.b.annotator} == {"ana", "carol"}
        assert conflict.detected_by == "import marks.jsonl"


def good_line(path: Path) -> dict:
    return export(path)[0]


FIRST = "11111111-1111-4111-8111-111111111111"
THIRD = "33333333-3333-4333-8333-333333333333"
BAD_LINES = [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: not a JSON object"),
    ({"id": None}, "line 2: id: Field required"),
    ({"status": "maybe"}, "line 2: status: Input should be"),
    ({"id": "not-a-uuid"}, "line 2: id: badly formed"),
    ({"created_at": "yesterday"}, "line 2: created_at: must be UTC ISO 8601"),
    ({"annotator": "  "}, "line 2: annotator: annotator is empty"),
    ({"colour": "red"}, "line 2: colour: Extra inputs are not permitted"),
    ({"kind": "undo"}, "line 2: line: undoes names the undone annotation"),
    ({"claim_uid": "00000000-0000-4000-8000-000000000000"},
     "line 2: claim 00000000-0000-4000-8000-000000000000 is not in this case"),
    ({"id": FIRST}, f"line 2: annotation {FIRST} appears twice (first on line 1)"),
]


@pytest.mark.parametrize("change, message", BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_a_malformed_line_is_named_and_nothing_is_imported(marked: tuple[Path, Path],
                                                            tmp_path: Path, change, message: str):
    source, target = marked
    valid = {**good_line(source), "kind": "mark", "undoes": ""}
    lines = [json.dumps({**valid, "id": FIRST})]
    if isinstance(change, str):
        lines.append(change)
    else:
        record = {**valid, "id": "22222222-2222-4222-8222-222222222222", **change}
        lines.append(json.dumps({k: v for k, v in record.items() if v is not None}))
    lines.append(json.dumps({**valid, "id": THIRD}))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = state(target)
    assert_one_line_error(run_cli("import-annotations", target, bad), f"bad.jsonl {message}")
    assert state(target) == before


def test_invalid_utf8_and_clashing_ids(marked: tuple[Path, Path], tmp_path: Path):
    source, target = marked
    lines = [json.dumps(record) for record in export(source)]
    bad = tmp_path / "bytes.jsonl"
    bad.write_bytes((lines[0] + "\n").encode() + b'{"note": "\xff"}\n')
    before = state(target)
    assert_one_line_error(run_cli("import-annotations", target, bad), "line 2: not valid UTF-8")
    clash = tmp_path / "clash.jsonl"
    record = json.loads(lines[0])  # a seed mark the target already holds
    clash.write_text(json.dumps({**record, "note": "changed"}) + "\n", encoding="utf-8")
    assert_one_line_error(run_cli("import-annotations", target, clash), "line 1",
                          "already in the case with different content")
    assert state(target) == before


def test_blank_lines_and_an_empty_file_are_fine(marked: tuple[Path, Path], tmp_path: Path):
    source, target = marked
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text("\n" + "\n\n".join(json.dumps(r) for r in export(source)) + "\n\n")
    assert run_cli("import-annotations", target, spaced).returncode == 0
    assert export(target) == export(source)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert "0 annotations added" in run_cli("import-annotations", target, empty).stdout


def test_export_never_overwrites_and_import_needs_a_file(marked: tuple[Path, Path], tmp_path: Path):
    source, _ = marked
    out = tmp_path / "taken.jsonl"
    out.write_text("mine")
    assert_one_line_error(run_cli("export-annotations", source, "-o", out), "already exists")
    assert out.read_text() == "mine"
    assert_one_line_error(run_cli("export-annotations", source, "-o", tmp_path / "no" / "x.jsonl"),
                          "no such directory")
    assert_one_line_error(run_cli("import-annotations", source, tmp_path / "missing.jsonl"),
                          "no such file")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".jsonl") == ["taken.jsonl"]
