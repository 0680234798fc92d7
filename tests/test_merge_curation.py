"""Merging brings everything back: two laptops add, revise, retire and combine,
then merge both ways; both copies end alike, merging twice adds nothing, and
a field revised on both sides is flagged, never settled silently."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

import db
from db import curation
from db.merge import merge_case_files
from db.sources import add_source


def snapshot(path: Path) -> dict[str, object]:
    """The case as uids and current values: what two merged copies must agree on."""
    with db.open_case(path, read_only=True) as case:
        def rows(sql: str) -> set[tuple[object, ...]]:
            return {tuple(row) for row in case.rows(sql)}
        return {
            "sources": rows("SELECT uid, sha256, retired FROM sources"),
            "excerpts": rows("SELECT x.uid, s.uid, start, \"end\", x.retired FROM excerpts x "
                             "JOIN sources s ON s.id = x.source_id"),
            "entities": rows("SELECT e.uid, kind, name, description, aliases, retired, created_at, "
                             "created_by FROM entities e"),
            "events": rows("SELECT uid, title, date_start, date_end, date_precision, description, "
                           "retired, created_at, created_by FROM events"),
            "claims": rows("SELECT uid, statement, claimant, status, retired, created_at, created_by "
                           "FROM claims"),
            "excerpt_entities": rows("SELECT x.uid, e.uid FROM excerpt_entities l JOIN excerpts x "
                                     "ON x.id = l.excerpt_id JOIN entities e ON e.id = l.entity_id"),
            "event_entities": rows("SELECT v.uid, e.uid FROM event_entities l JOIN events v "
                                   "ON v.id = l.event_id JOIN entities e ON e.id = l.entity_id"),
            "event_excerpts": rows("SELECT v.uid, x.uid FROM event_excerpts l JOIN events v "
                                   "ON v.id = l.event_id JOIN excerpts x ON x.id = l.excerpt_id"),
            "claim_entities": rows("SELECT l.uid, c.uid, e.uid, role FROM claim_entities l JOIN claims c "
                                   "ON c.id = l.claim_id JOIN entities e ON e.id = l.entity_id"),
            "claim_excerpts": rows("SELECT l.uid, c.uid, x.uid, stance FROM claim_excerpts l JOIN claims c "
                                   "ON c.id = l.claim_id JOIN excerpts x ON x.id = l.excerpt_id"),
            "revisions": rows("SELECT uid FROM revisions"),
            "retirements": rows("SELECT uid FROM retirements"),
            "combinations": rows("SELECT uid, undone_at FROM combinations"),
            "judgements": rows("SELECT uid FROM duplicate_judgements"),
            "annotations": rows("SELECT id FROM annotations"),
            "revision_conflicts": rows("SELECT item_uid, field, revision_a, revision_b "
                                       "FROM revision_conflicts"),
        }


def test_two_laptops_merged_both_ways_end_alike(seed_case_copy: Path, tmp_path: Path):
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana_path)
    shutil.copyfile(seed_case_copy, ben_path)
    with db.open_case(ana_path) as ana:
        person = curation.add_item(ana, "entity", {"kind": "person", "name": "Ivan Petrov"},
                                   evidence=[1], annotator="ana")
        curation.add_item(ana, "event", {"title": "Petrov dinner", "date_precision": "year",
                                         "date_start": "2023"}, evidence=[2], entity_ids=[person.id],
                          annotator="ana")
        curation.add_item(ana, "claim", {"statement": "Petrov hosted it."}, evidence=[2],
                          entity_ids=[person.id], annotator="ana")
        curation.revise(ana, "event", 1, {"title": "Ana's title"}, annotator="ana")
        curation.revise(ana, "entity", 2, {"description": "Ana's note"}, annotator="ana")
        curation.retire(ana, "claim", 5, reason="duplicate", annotator="ana")
        source = add_source(ana, title="Road notes", text="Petrov paid.\n\nPetrov left.\n")
        curation.retire(ana, "excerpt", int(ana.scalar(
            "SELECT max(id) FROM excerpts WHERE source_id = ?", [source.id])), reason="noise",
            annotator="ana")
    with db.open_case(ben_path) as ben:
        logvinov = int(ben.scalar("SELECT id FROM entities WHERE name = 'Kirill Logvinov'"))
        twin = curation.add_item(ben, "entity", {"kind": "person", "name": "Logvinov"}, evidence=[3],
                                 annotator="ben")
        curation.combine(ben, logvinov, [twin.id], annotator="ben")   # ben's twin, combined
        curation.revise(ben, "event", 1, {"title": "Ben's title"}, annotator="ben")  # conflict
        curation.revise(ben, "claim", 1, {"claimant": "Ben's claimant"}, annotator="ben")
        curation.judge_pair(ben, 1, 2, "not_same", annotator="ben")
    ana_copy, ben_copy = tmp_path / "ana2.casebook", tmp_path / "ben2.casebook"
    shutil.copyfile(ana_path, ana_copy)
    shutil.copyfile(ben_path, ben_copy)
    with db.open_case(ana_copy) as case:
        report = merge_case_files(case, ben_path)
    assert report.added["entities"] == 1 and report.added["combinations"] == 1
    assert report.added["revisions"] == 2 and report.added["judgements"] == 1
    assert report.revision_conflicts_found == 1
    with db.open_case(ben_copy) as case:
        other = merge_case_files(case, ana_path)
    assert other.added["entities"] == 1 and other.added["events"] == 1 and other.added["claims"] == 1
    assert other.added["sources"] == 1 and other.added["excerpts"] == 2
    assert other.revision_conflicts_found == 1
    one, two = snapshot(ana_copy), snapshot(ben_copy)
    for key in one:
        assert one[key] == two[key], key
    # who added what, and when, came along: ana's additions are in ben's log as hers
    with db.open_case(ben_copy, read_only=True) as case:
        added = {(e.kind, e.detail) for e in curation.activity(case, annotator="ana", limit=50)
                 if e.action == "added"}
        assert added == {("entity", "Ivan Petrov (person)"), ("event", "Petrov dinner"),
                         ("claim", "Petrov hosted it.")}
    # the later revision by time is the value meanwhile; the conflict is one row either way
    with db.open_case(ana_copy, read_only=True) as case:
        assert case.scalar("SELECT title FROM events WHERE id = 1") == "Ben's title"
        assert case.scalar("SELECT count(*) FROM revision_conflicts WHERE resolved_at = ''") == 1
        assert case.scalar("SELECT description FROM entities WHERE id = 2") == "Ana's note"
        assert case.scalar("SELECT retired FROM claims WHERE id = 5") == 1
        # ben's combination holds here too: the twin retired, its links on Logvinov
        twin_here = case.scalar("SELECT id FROM entities WHERE uid = ?",
                                [next(iter(e for e in one["entities"] if e[2] == "Logvinov"))[0]])
        assert case.scalar("SELECT retired FROM entities WHERE id = ?", [twin_here]) == 1
        assert case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?", [twin_here]) == 0
    # merging again adds nothing
    with db.open_case(ana_copy) as case:
        again = merge_case_files(case, ben_path)
    assert set(again.added.values()) == {0} and again.annotations_added == 0
    assert snapshot(ana_copy) == one
    assert run_cli("check", ana_copy).returncode == 0, run_cli("check", ana_copy).stdout
    # uncombined on one side, uncombined on the other by the next merge
    with db.open_case(ben_copy) as case:
        twin_id = case.scalar("SELECT id FROM entities WHERE name = 'Logvinov'")
        curation.uncombine(case, twin_id, annotator="ben")
    with db.open_case(ana_copy) as case:
        merge_case_files(case, ben_copy)
    assert snapshot(ana_copy)["combinations"] == snapshot(ben_copy)["combinations"]
    assert snapshot(ana_copy)["excerpt_entities"] == snapshot(ben_copy)["excerpt_entities"]
    assert snapshot(ana_copy)["entities"] == snapshot(ben_copy)["entities"]


def _case_state(path: Path) -> dict[str, object]:
    """What a merge could change, row by row: every table's rows, in order."""
    with db.open_case(path, read_only=True) as case:
        tables = [row[0] for row in case.rows(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' ORDER BY name")]
        return {table: [tuple(row) for row in case.rows(f'SELECT * FROM "{table}" ORDER BY 1')]
                for table in tables}


def _holds_the_write_lock(path: Path) -> bool:
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        return "locked" in str(error) or "busy" in str(error)
    finally:
        probe.close()


def test_a_sigkill_during_a_merge_leaves_the_case_as_it_was(seed_case_copy: Path, tmp_path: Path):
    """A merge is one write transaction: killed inside it (while it holds the
    case's write lock, copying a long document and linking its mentions), the
    case is as it was, and checks clean; merged again, everything comes in."""
    laptop = tmp_path / "laptop.casebook"
    shutil.copyfile(seed_case_copy, laptop)
    with db.open_case(laptop) as copy:
        add_source(copy, title="Long notes", text="\n\n".join(
            f"Note {number}: Kirill Logvinov met the Mission again." for number in range(20000)))
    before = _case_state(seed_case_copy)
    merge = subprocess.Popen([sys.executable, "-m", "casebook", "merge", str(seed_case_copy), str(laptop)],
                             cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    while merge.poll() is None and not _holds_the_write_lock(seed_case_copy):
        pass   # (waits on the condition: the merge inside its write transaction)
    assert merge.poll() is None, f"the merge ended before it could be killed: {merge.stderr.read()}"
    os.kill(merge.pid, signal.SIGKILL)
    merge.wait(timeout=60)
    assert merge.returncode == -signal.SIGKILL
    assert _case_state(seed_case_copy) == before
    assert run_cli("check", seed_case_copy).returncode == 0
    again = run_cli("merge", seed_case_copy, laptop)
    assert again.returncode == 0, again.stderr
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM sources WHERE title = 'Long notes'") == 1
        assert case.scalar("SELECT count(*) FROM excerpts WHERE text LIKE 'Note %: Kirill%'") == 20000


def test_items_both_sides_added_under_one_id_keep_their_own_links(seed_case_copy: Path,
                                                                   tmp_path: Path):
    """Ana and Ben each add an entity and a relationship after they parted: the same
    new id on both sides, each tied to the same excerpt. The copy's link is the same
    pair of ids as the case's own, yet another item's: merged, each keeps its own."""
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana_path)
    shutil.copyfile(seed_case_copy, ben_path)
    added: dict[str, tuple[int, int]] = {}
    for path, name in ((ana_path, "Ana's person"), (ben_path, "Ben's person")):
        with db.open_case(path) as case:
            person = curation.add_item(case, "entity", {"kind": "person", "name": name},
                                       evidence=[1], annotator=name)
            tie = curation.add_item(case, "relationship",
                                    {"subject": str(person.id), "object": "1", "type": "associate"},
                                    evidence=[1], annotator=name)
            added[name] = (person.id, tie.id)
    assert added["Ana's person"] == added["Ben's person"]   # the same ids, other items
    with db.open_case(ana_path) as case:
        report = merge_case_files(case, ben_path)
    assert report.added["entities"] == 1 and report.added["relationships"] == 1
    with db.open_case(ana_path, read_only=True) as case:
        linked = {row[0] for row in case.rows(
            "SELECT e.name FROM excerpt_entities l JOIN entities e ON e.id = l.entity_id "
            "WHERE l.excerpt_id = 1")}
        assert {"Ana's person", "Ben's person"} <= linked
        evidenced = {row[0] for row in case.rows(
            "SELECT e.name FROM relationship_excerpts l JOIN relationships r "
            "ON r.id = l.relationship_id JOIN entities e ON e.id = r.subject_entity_id "
            "WHERE l.excerpt_id = 1")}
        assert {"Ana's person", "Ben's person"} <= evidenced
    assert run_cli("check", ana_path).returncode == 0


def test_an_entity_added_with_the_name_of_one_there_stays_apart_both_ways(seed_case_copy: Path,
                                                                            tmp_path: Path):
    """Within one case entities are matched by uid only: a second 'Uccle' added
    on one laptop is another entity on both sides (the duplicates queue proposes
    the two), not folded into the first by name in one direction."""
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana_path)
    shutil.copyfile(seed_case_copy, ben_path)
    with db.open_case(ben_path) as ben:
        second = curation.add_item(ben, "entity", {"kind": "place", "name": "Uccle"}, evidence=[4],
                                   annotator="ben")
        curation.revise(ben, "entity", second.id, {"description": "Ben's Uccle"}, annotator="ben")
    ana_copy, ben_copy = tmp_path / "ana2.casebook", tmp_path / "ben2.casebook"
    shutil.copyfile(ana_path, ana_copy)
    shutil.copyfile(ben_path, ben_copy)
    with db.open_case(ana_copy) as case:
        report = merge_case_files(case, ben_path)
        assert report.added["entities"] == 1
        assert case.scalar("SELECT count(*) FROM entities WHERE name = 'Uccle'") == 2
        assert case.scalar("SELECT description FROM entities WHERE uid = ?", [second.uid]) == "Ben's Uccle"
        assert any({p.a.name, p.b.name} == {"Uccle"} for p in curation.likely_duplicates(case))
    with db.open_case(ben_copy) as case:
        merge_case_files(case, ana_path)
    one, two = snapshot(ana_copy), snapshot(ben_copy)
    for key in one:
        assert one[key] == two[key], key
