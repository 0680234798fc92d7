"""Merging brings relationships back: two laptops add, mark, revise and retire
relationships, then merge both ways; both copies end alike, merging twice adds
nothing, and a mark id found with other content stops the merge."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli

import db
from db import curation
from db.errors import CaseFileError
from db.merge import merge_case_files
from db.relationships import (
    add_relationship,
    add_relationship_evidence,
    get_relationship,
    mark_relationship,
    note_relationship,
)


def relationships_of(path: Path) -> dict[str, set[tuple[object, ...]]]:
    """The relationships as uids and values: what two merged copies must agree on."""
    with db.open_case(path, read_only=True) as case:
        def rows(sql: str) -> set[tuple[object, ...]]:
            return {tuple(row) for row in case.rows(sql)}
        return {
            "relationships": rows(
                "SELECT r.uid, s.uid, o.uid, type, role, date_start, start_precision, date_end, "
                "end_precision, r.description, status, r.retired FROM relationships r "
                "JOIN entities s ON s.id = r.subject_entity_id "
                "JOIN entities o ON o.id = r.object_entity_id"),
            "evidence": rows("SELECT r.uid, x.uid, stance FROM relationship_excerpts l "
                             "JOIN relationships r ON r.id = l.relationship_id "
                             "JOIN excerpts x ON x.id = l.excerpt_id"),
            "marks": rows("SELECT a.id, r.uid, a.kind, a.status, a.annotator, a.created_at "
                          "FROM relationship_annotations a "
                          "JOIN relationships r ON r.id = a.relationship_id"),
        }


def _entity(case: db.Case, name: str) -> int:
    return int(case.scalar("SELECT id FROM entities WHERE name = ?", [name]))


def test_two_laptops_merge_relationships_both_ways_and_end_alike(seed_case_copy: Path,
                                                                 tmp_path: Path):
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana_path)
    shutil.copyfile(seed_case_copy, ben_path)
    with db.open_case(ana_path) as ana:
        petrov = curation.add_item(ana, "entity", {"kind": "person", "name": "Ivan Petrov"})
        new = add_relationship(ana, subject_entity_id=petrov.id or 0,
                               object_entity_id=_entity(ana, "Kirill Logvinov"),
                               type="associate", start="2023", evidence=[(2, "supports")],
                               created_by="ana")
        mark_relationship(ana, new.id or 0, "confirmed", annotator="ana")
        mark_relationship(ana, 1, "confirmed", annotator="ana")
        curation.revise(ana, "relationship", 2, {"role": "ana's role"}, annotator="ana")
    with db.open_case(ben_path) as ben:
        mark_relationship(ben, 1, "disputed", annotator="ben")       # later than ana's
        note_relationship(ben, 3, "check the date", annotator="ben")
        curation.retire(ben, "relationship", 4, reason="misread", annotator="ben")
        add_relationship_evidence(ben, 5, 7, "context")
        version_before = get_relationship(ben, 1).version
    ana_copy, ben_copy = tmp_path / "ana2.casebook", tmp_path / "ben2.casebook"
    shutil.copyfile(ana_path, ana_copy)
    shutil.copyfile(ben_path, ben_copy)
    with db.open_case(ana_copy) as case:
        report = merge_case_files(case, ben_path)
    assert report.added["relationships"] == 0 and report.added["relationship_marks"] == 2
    assert report.added["relationship_evidence"] == 1 and report.added["retirements"] == 1
    with db.open_case(ben_copy) as case:
        other = merge_case_files(case, ana_path)
        assert get_relationship(case, 1).version == version_before + 1   # ana's mark came in
    assert other.added["relationships"] == 1 and other.added["entities"] == 1
    assert other.added["relationship_marks"] == 2 and other.added["relationship_evidence"] == 1
    one, two = relationships_of(ana_copy), relationships_of(ben_copy)
    for key in one:
        assert one[key] == two[key], key
    with db.open_case(ana_copy, read_only=True) as case:
        assert get_relationship(case, 1).status == "disputed"   # the latest mark by time
        assert get_relationship(case, 2).role == "ana's role"
        assert case.scalar("SELECT retired FROM relationships WHERE id = 4") == 1
    with db.open_case(ben_copy, read_only=True) as case:
        copied = case.row("SELECT * FROM relationships WHERE uid = ?", [new.uid])
        assert copied["status"] == "confirmed" and copied["date_start"] == "2023"
        assert case.scalar("SELECT name FROM entities WHERE id = ?",
                           [copied["subject_entity_id"]]) == "Ivan Petrov"
        assert get_relationship(case, 2).role == "ana's role"
    # merging again adds nothing
    with db.open_case(ana_copy) as case:
        again = merge_case_files(case, ben_path)
    assert set(again.added.values()) == {0}
    assert relationships_of(ana_copy) == one
    result = run_cli("merge", ben_copy, ana_path)
    assert result.returncode == 0, result.stderr
    assert "relationship" not in result.stdout          # nothing new: not said
    assert run_cli("check", ana_copy).returncode == 0


def test_a_relationship_mark_with_other_content_under_the_same_id_stops_the_merge(
        seed_case_copy: Path, tmp_path: Path):
    copy = tmp_path / "copy.casebook"
    shutil.copyfile(seed_case_copy, copy)
    copy.chmod(0o600)   # as casebook's own copies are: one others may read is warned about
    made_at = "2026-01-01T10:00:00.000000Z"
    with db.open_case(copy) as case:
        mark_relationship(case, 1, "confirmed", annotator="ana", annotation_id="same-id",
                          created_at=made_at)
        mark_relationship(case, 2, "denied", annotator="ana")
    with db.open_case(seed_case_copy) as case:
        mark_relationship(case, 1, "denied", annotator="ana", annotation_id="same-id",
                          created_at=made_at)
        before = relationships_of(seed_case_copy)
        with pytest.raises(CaseFileError, match="same-id.*different content"):
            merge_case_files(case, copy)
    assert relationships_of(seed_case_copy) == before
    result = run_cli("merge", seed_case_copy, copy)
    assert result.returncode != 0 and "same-id" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _revisions_of(path: Path) -> set[tuple[object, ...]]:
    with db.open_case(path, read_only=True) as case:
        return {tuple(row) for row in case.rows(
            "SELECT uid, item_uid, fields FROM revisions WHERE item_kind = 'relationship'")}


def test_a_combination_on_one_laptop_moves_the_other_laptops_relationships_in_the_merge(
        seed_case_copy: Path, tmp_path: Path):
    """Ana combines a duplicate entity; Ben, apart, ties more to the duplicate. After
    merging both ways every one of them is at the kept entity (the tie between the two
    retired: it would link an entity to itself), both copies alike, and merging again
    adds nothing (the records a combination makes have the same uid on both sides)."""
    with db.open_case(seed_case_copy) as case:
        logvinov, chizhov = _entity(case, "Kirill Logvinov"), _entity(case, "Vladimir Chizhov")
        mission = _entity(case, "Russian Permanent Mission to the EU")
        duplicate = curation.add_item(case, "entity", {"kind": "person",
                                                       "name": "K. Logvinov"}).id or 0
        shared = add_relationship(case, subject_entity_id=duplicate, object_entity_id=chizhov,
                                  type="other", role="successor", evidence=[(5, "supports")])
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana_path)
    shutil.copyfile(seed_case_copy, ben_path)
    with db.open_case(ana_path) as ana:
        curation.combine(ana, logvinov, [duplicate], annotator="ana")
    with db.open_case(ben_path) as ben:
        mark_relationship(ben, shared.id or 0, "confirmed", annotator="ben")
        works = add_relationship(ben, subject_entity_id=duplicate, object_entity_id=mission,
                                 type="employed_by", evidence=[(6, "context")])
        loop = add_relationship(ben, subject_entity_id=logvinov, object_entity_id=duplicate,
                                type="associate")
    ana_copy, ben_copy = tmp_path / "ana2.casebook", tmp_path / "ben2.casebook"
    shutil.copyfile(ana_path, ana_copy)
    shutil.copyfile(ben_path, ben_copy)
    with db.open_case(ana_copy) as case:
        merge_case_files(case, ben_path)
    with db.open_case(ben_copy) as case:
        merge_case_files(case, ana_path)
    one, two = relationships_of(ana_copy), relationships_of(ben_copy)
    for key in one:
        assert one[key] == two[key], key
    assert _revisions_of(ana_copy) == _revisions_of(ben_copy)
    for path in (ana_copy, ben_copy):
        with db.open_case(path, read_only=True) as case:
            def at(uid: str) -> tuple[int, int, str, int]:
                row = case.row("SELECT subject_entity_id, object_entity_id, status, retired "
                               "FROM relationships WHERE uid = ?", [uid])
                return row[0], row[1], row[2], row[3]
            assert at(shared.uid) == (logvinov, chizhov, "confirmed", 0)
            assert at(works.uid) == (logvinov, mission, "unreviewed", 0)
            assert at(loop.uid) == (logvinov, duplicate, "unreviewed", 1)   # retired, not a loop
            assert case.scalar("SELECT count(*) FROM relationship_excerpts l JOIN relationships r "
                               "ON r.id = l.relationship_id WHERE r.uid = ?", [works.uid]) == 1
    # both ways again: nothing new
    with db.open_case(ana_copy) as case:
        again = merge_case_files(case, ben_copy)
    assert set(again.added.values()) == {0}, again.added
    # Ben uncombines; merged into Ana's copy, every relationship goes back, Ben's too
    with db.open_case(ben_copy) as case:
        curation.uncombine(case, duplicate, annotator="ben")
    with db.open_case(ana_copy) as case:
        merge_case_files(case, ben_copy)
        for uid, subject in ((shared.uid, duplicate), (works.uid, duplicate), (loop.uid, logvinov)):
            assert case.scalar("SELECT subject_entity_id FROM relationships WHERE uid = ?",
                               [uid]) == subject
        assert case.scalar("SELECT retired FROM relationships WHERE uid = ?", [loop.uid]) == 0
    assert relationships_of(ana_copy) == relationships_of(ben_copy)
    assert run_cli("check", ana_copy).returncode == 0
