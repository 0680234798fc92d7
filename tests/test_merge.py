"""Offline copies: backup, then merge marks back (union, idempotence, conflicts, lineage)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db
from db.claims import add_claim, add_note, claim_history, get_claim, mark_claim
from db.conflicts import claim_conflicts, resolve_conflicts
from db.entities import add_entity
from db.merge import merge_case_files
from db.sources import add_quote, add_source


@pytest.fixture
def laptop(seed_case_copy: Path, tmp_path: Path) -> Path:
    """A copy of the main case taken with `casebook backup`, as for a laptop."""
    out = tmp_path / "laptop.casebook"
    result = run_cli("backup", seed_case_copy, out)
    assert result.returncode == 0, result.stderr
    return out


def annotation_ids(path: Path) -> set[str]:
    with db.open_case(path, read_only=True) as case:
        return {row[0] for row in case.rows("SELECT id FROM annotations")}


def statuses(path: Path) -> dict[str, str]:
    with db.open_case(path, read_only=True) as case:
        return {row[0]: row[1] for row in case.rows("SELECT uid, status FROM claims")}


def test_backup_is_a_private_complete_copy(seed_case_copy: Path, tmp_path: Path):
    with db.open_case(seed_case_copy) as case:  # held open: the mark is still in the WAL
        mark_claim(case, 1, "denied", annotator="ana", note="only in the WAL")
        out = tmp_path / "copy.casebook"
        result = run_cli("backup", seed_case_copy, out)
        assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert annotation_ids(out) == annotation_ids(seed_case_copy)
    assert run_cli("check", out).returncode == 0
    assert_one_line_error(run_cli("backup", seed_case_copy, out), "already exists")
    assert_one_line_error(run_cli("backup", seed_case_copy, tmp_path / "no" / "x.casebook"),
                          "no such directory")
    assert not (tmp_path / "no").exists()


def test_merge_is_a_union_both_ways_and_idempotent(seed_case_copy: Path, laptop: Path):
    with db.open_case(seed_case_copy) as main:
        mark_claim(main, 3, "denied", annotator="ana")
    with db.open_case(laptop) as copy:
        mark_claim(copy, 4, "confirmed", annotator="bob")
        add_note(copy, 5, "ask the MEP's office", annotator="bob")
    union = annotation_ids(seed_case_copy) | annotation_ids(laptop)
    result = run_cli("merge", seed_case_copy, laptop, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["annotations_added"], report["claims_changed"], report["conflicts_found"]) == (2, 1, 0)
    assert annotation_ids(seed_case_copy) == union
    again = json.loads(run_cli("merge", seed_case_copy, laptop, "--json").stdout)
    assert again["annotations_added"] == 0 and again["annotations_present"] == len(annotation_ids(laptop))
    assert annotation_ids(seed_case_copy) == union
    back = json.loads(run_cli("merge", laptop, seed_case_copy, "--json").stdout)
    assert back["annotations_added"] == 1 and back["conflicts_found"] == 0
    assert annotation_ids(laptop) == union
    assert statuses(laptop) == statuses(seed_case_copy)
    assert run_cli("check", seed_case_copy).returncode == 0


def test_claims_marked_differently_on_both_sides_are_flagged(seed_case_copy: Path, laptop: Path):
    with db.open_case(seed_case_copy) as main:
        ours = mark_claim(main, 3, "confirmed", annotator="ana")
        mark_claim(main, 4, "denied", annotator="ana")
        seen = get_claim(main, 3).version
    with db.open_case(laptop) as copy:
        theirs = mark_claim(copy, 3, "denied", annotator="bob")   # differs: a conflict
        mark_claim(copy, 4, "denied", annotator="bob")            # agrees: no conflict
    result = run_cli("merge", seed_case_copy, laptop)
    assert result.returncode == 0, result.stderr
    assert "1 new conflict: claims marked differently on both sides" in result.stdout
    assert "1 claim in conflict, waiting for review" in result.stdout
    with db.open_case(seed_case_copy) as main:
        [conflict] = claim_conflicts(main, 3)
        assert {conflict.a.id, conflict.b.id} == {ours.id, theirs.id}
        assert conflict.detected_by == "merge laptop.casebook" and conflict.open
        assert claim_conflicts(main, 4) == []
        # Status: the latest mark by time (bob's), but the conflict stays open for review.
        assert get_claim(main, 3).status == "denied"
        # Whoever saw the claim before the merge is told it changed.
        with pytest.raises(db.StaleClaimError, match="bob marked it denied"):
            mark_claim(main, 3, "disputed", annotator="carol", expected_version=seen)
        mark_claim(main, 3, "disputed", annotator="carol")  # an ordinary mark resolves nothing
        assert claim_conflicts(main, 3)[0].open
    listed = run_cli("conflicts", seed_case_copy)
    assert "ana marked confirmed" in listed.stdout and "bob marked denied" in listed.stdout
    resolved = run_cli("resolve", seed_case_copy, "3", "disputed", "--annotator", "carol",
                       "--note", "both partly right")
    assert resolved.returncode == 0, resolved.stderr
    with db.open_case(seed_case_copy, read_only=True) as main:
        [conflict] = claim_conflicts(main, 3, include_resolved=True)
        assert (conflict.resolved_by, conflict.open) == ("carol", False)
        assert claim_history(main, 3)[-1].id == conflict.resolution
    assert run_cli("conflicts", seed_case_copy).stdout.strip() == "no open conflicts"
    assert_one_line_error(run_cli("resolve", seed_case_copy, "3", "denied"), "no open conflict")
    # Carol takes her resolution back: the conflict is open again.
    assert run_cli("undo", seed_case_copy, "3", "--annotator", "carol").returncode == 0
    assert "claim 3 (now disputed)" in run_cli("conflicts", seed_case_copy).stdout
    assert run_cli("resolve", seed_case_copy, "3", "disputed", "--annotator", "carol").returncode == 0
    # Merging again finds nothing new: the conflict is not raised twice.
    assert json.loads(run_cli("merge", seed_case_copy, laptop, "--json").stdout)["conflicts_found"] == 0


def test_notes_alone_do_not_conflict(seed_case_copy: Path, laptop: Path):
    with db.open_case(seed_case_copy) as main:
        mark_claim(main, 6, "denied", annotator="ana")
    with db.open_case(laptop) as copy:
        add_note(copy, 6, "I doubt this", annotator="bob")
    with db.open_case(seed_case_copy) as main:
        report = merge_case_files(main, laptop)
        assert report.conflicts_found == 0 and report.annotations_added == 1
        assert get_claim(main, 6).status == "denied"


def test_conflicts_travel_with_the_copy_that_found_them(seed_case_copy: Path, laptop: Path,
                                                        tmp_path: Path):
    second = tmp_path / "second.casebook"
    assert run_cli("backup", seed_case_copy, second).returncode == 0
    with db.open_case(laptop) as copy:
        mark_claim(copy, 8, "confirmed", annotator="bob")
    with db.open_case(second) as copy:
        mark_claim(copy, 8, "denied", annotator="dan")
    with db.open_case(laptop) as copy:
        assert merge_case_files(copy, second).conflicts_found == 1
    with db.open_case(seed_case_copy) as main:
        report = merge_case_files(main, laptop)
        assert (report.conflicts_found, report.conflicts_copied) == (0, 1)
        [conflict] = claim_conflicts(main, 8)
        assert {conflict.a.annotator, conflict.b.annotator} == {"bob", "dan"}
        resolve_conflicts(main, 8, "disputed", annotator="carol")
    with db.open_case(laptop) as copy:  # the resolution travels back
        report = merge_case_files(copy, seed_case_copy)
        assert (report.conflicts_found, report.open_conflicts) == (0, 0)
        assert claim_conflicts(copy, 8) == []
        assert get_claim(copy, 8).status == "disputed"


def test_a_claim_the_case_lacks_comes_with_its_evidence(seed_case_copy: Path, laptop: Path):
    with db.open_case(laptop) as copy:
        source = add_source(copy, title="Field notes", text="The courier met K. on Tuesday.\n"
                            "He denied it later.\n")
        person = add_entity(copy, kind="person", name="The Courier", aliases=["courier"])
        new = add_claim(copy, statement="The courier met K.", claimant="Field notes",
                        entity_ids=[person.id, 1],
                        evidence=[(add_quote(copy, source.id, "The courier met K."), "supports"),
                                  (1, "context")])
        mark_claim(copy, new.id, "confirmed", annotator="bob")
        add_entity(copy, kind="place", name="Unlinked Square")  # not part of any claim
    with db.open_case(seed_case_copy) as main:
        report = merge_case_files(main, laptop)
        # every item comes, the entity no claim names too
        assert (report.claims_copied, report.sources_copied, report.entities_copied) == (1, 1, 2)
        assert report.excerpts_copied == 3  # two paragraphs and the quote
        assert report.not_merged == {"sources": 0, "entities": 0, "events": 0,
                                     "relationships": 0}
        assert report.added["claims"] == 1 and report.added["links"] >= 4
        claim_id = main.scalar("SELECT id FROM claims WHERE uid = ?", [new.uid])
        assert get_claim(main, claim_id).status == "confirmed"
        from db.claims import claim_entities, claim_evidence
        evidence = {(e.excerpt.text, e.stance) for e in claim_evidence(main, claim_id)}
        assert ("The courier met K.", "supports") in evidence and len(evidence) == 2
        assert {entity.name for entity, _ in claim_entities(main, claim_id)} >= {"The Courier"}
        again = merge_case_files(main, laptop)
        assert (again.claims_copied, again.sources_copied, again.annotations_added) == (0, 0, 0)
    assert run_cli("check", seed_case_copy).returncode == 0


def test_another_case_is_refused_unless_forced(seed_case_copy: Path, tmp_path: Path):
    stranger = tmp_path / "other.casebook"
    with db.create_case(stranger, title="Another case") as other:
        claim = add_claim(other, statement="Unrelated")
        mark_claim(other, claim.id, "denied", annotator="zoe")
    before = annotation_ids(seed_case_copy)
    assert_one_line_error(run_cli("merge", seed_case_copy, stranger), "copy of another case",
                          "--force")
    assert annotation_ids(seed_case_copy) == before
    forced = run_cli("merge", seed_case_copy, stranger, "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(annotation_ids(seed_case_copy)) == len(before) + 1


def test_merge_refuses_bad_input_in_one_line(seed_case_copy: Path, tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    before = annotation_ids(seed_case_copy)
    assert_one_line_error(run_cli("merge", seed_case_copy, tmp_path / "missing.casebook"), "no such file")
    assert_one_line_error(run_cli("merge", seed_case_copy, notes), "not a SQLite database")
    assert_one_line_error(run_cli("merge", seed_case_copy, seed_case_copy), "is the case being merged into")
    assert annotation_ids(seed_case_copy) == before
    assert not (tmp_path / "missing.casebook").exists()


def test_an_annotation_id_with_different_content_stops_the_merge(seed_case_copy: Path,
                                                                 tmp_path: Path):
    forged = tmp_path / "forged.casebook"
    assert run_cli("backup", seed_case_copy, forged).returncode == 0
    with db.open_case(forged) as copy:
        with copy.write() as tx:  # what a hand-edited copy could hold, its schema put back after
            guard = tx.execute("SELECT sql FROM sqlite_schema WHERE name = 'annotations_no_update'"
                               ).fetchone()[0]
            tx.execute("DROP TRIGGER annotations_no_update")
            tx.execute("UPDATE annotations SET note = 'rewritten' WHERE claim_id = 1")
            tx.execute(guard)
        mark_claim(copy, 2, "denied", annotator="mallory")
    before = annotation_ids(seed_case_copy)
    assert_one_line_error(run_cli("merge", seed_case_copy, forged), "different content")
    assert annotation_ids(seed_case_copy) == before
