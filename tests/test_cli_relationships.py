"""casebook add PATH relationship, relationships, path, and marking a
relationship, run as the real CLI in a subprocess on real case files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db

ANA = {"CASEBOOK_ANNOTATOR": "ana"}


def _id(path: Path, name: str) -> int:
    with db.open_case(path, read_only=True) as case:
        return int(case.scalar("SELECT id FROM entities WHERE name = ?", [name]))


def _written(path: Path) -> tuple[object, ...]:
    """What a refused command must leave as it was."""
    with db.open_case(path, read_only=True) as case:
        return tuple(case.scalar(f"SELECT count(*) FROM {table}") for table in (
            "relationships", "relationship_excerpts", "relationship_annotations", "entities"))


def test_add_a_relationship_with_evidence_then_mark_list_and_walk_it(seed_case_copy: Path):
    uhrik, paet = _id(seed_case_copy, "Milan Uhrík"), _id(seed_case_copy, "Urmas Paet")
    result = run_cli("add", seed_case_copy, "relationship", f"subject={uhrik}", f"object={paet}",
                     "type=associate", "role=fellow MEP", "start=June 2023",
                     "--evidence", "244:context", "--evidence", "242", env=ANA)
    assert result.returncode == 0, result.stderr
    new_id = int(result.stdout)
    listed = json.loads(run_cli("relationships", seed_case_copy, "--entity", paet, "--type",
                                "associate", "--json").stdout)
    assert [r["id"] for r in listed] == [new_id]
    [made] = listed
    assert (made["subject"], made["object"], made["role"]) == ("Milan Uhrík", "Urmas Paet",
                                                             "fellow MEP")
    assert (made["date_start"], made["start_precision"], made["created_by"]) == (
        "2023-06", "month", "ana")
    assert sorted((e["excerpt_id"], e["stance"]) for e in made["evidence"]) == [
        (242, "supports"), (244, "context")]
    # marked, noted and undone through the claims' commands with --kind relationship
    marked = run_cli("annotate", seed_case_copy, new_id, "confirmed", "--kind", "relationship",
                     env=ANA)
    assert marked.stdout.strip() == f"relationship {new_id}: unreviewed → confirmed by ana"
    assert run_cli("note", seed_case_copy, new_id, "seen together", "--kind", "relationship",
                   env=ANA).returncode == 0
    history = json.loads(run_cli("history", seed_case_copy, new_id, "--kind", "relationship",
                                 "--json").stdout)
    assert [(m["kind"], m["status"]) for m in history["history"]] == [
        ("mark", "confirmed"), ("note", "confirmed")]
    assert history["relationship"]["status"] == "confirmed"
    text = run_cli("relationships", seed_case_copy, "--entity", paet)
    assert f"{new_id:>6}  confirmed   Milan Uhrík  associate  Urmas Paet  " \
           "(fellow MEP; since June 2023)" in text.stdout
    # the new tie is a one-hop path now, confirmed
    path = json.loads(run_cli("path", seed_case_copy, uhrik, paet, "--status", "confirmed",
                              "--json").stdout)
    assert [[s["relationship"]["id"] for s in p["steps"]] for p in path["paths"]] == [[new_id]]


def test_path_prints_each_step_with_its_evidence_and_says_when_there_is_none(seed_case_copy: Path):
    paet, nedyak = _id(seed_case_copy, "Urmas Paet"), _id(seed_case_copy, "Arseniy Nedyak")
    far = run_cli("path", seed_case_copy, paet, nedyak, "--max-hops", "5")
    assert far.returncode == 0, far.stderr
    first = far.stdout.split("\n2. ")[0]
    assert first.startswith("1. 5 hops")
    assert "Urmas Paet  member of  European Parliament" in first
    assert "European Parliament  ← member of  Milan Uhrík" in first
    assert "supports: “Estonian MEP Urmas Paet”" in first
    near = run_cli("path", seed_case_copy, paet, nedyak)     # 4 hops by default: too few
    assert near.returncode == 1 and near.stderr == ""
    assert near.stdout.strip() == ("no connection between Urmas Paet and Arseniy Nedyak "
                                   "within 4 hops")
    none = json.loads(run_cli("path", seed_case_copy, paet, nedyak, "--json").stdout)
    assert none["paths"] == []


def test_path_through_shared_items_ranks_ties_first_and_shows_what_is_shared(seed_case_copy: Path):
    paet, logvinov = _id(seed_case_copy, "Urmas Paet"), _id(seed_case_copy, "Kirill Logvinov")
    result = run_cli("path", seed_case_copy, paet, logvinov, "--through", "events,excerpts",
                     "--limit", "2")
    assert result.returncode == 0, result.stderr
    chains = result.stdout.split("\n2. ")
    assert chains[0].startswith("1. 3 hops\n")                # relationships alone, first
    assert "shares" not in chains[0]
    assert chains[1].startswith("2 hops, 1 through shared items")
    assert "European Parliament  shares event · excerpt with  Kirill Logvinov" in chains[1]
    assert "      event 18: Two MEPs ask why Logvinov keeps his accreditation (2022)" in chains[1]
    assert "      excerpt " in chains[1] and "claim " not in chains[1]   # not asked for
    as_json = json.loads(run_cli("path", seed_case_copy, paet, logvinov, "--through", "all",
                                 "--limit", "2", "--json").stdout)
    assert as_json["through"] == ["events", "claims", "excerpts"] and not as_json["cut_short"]
    vias = [[s["via"] for s in chain["steps"]] for chain in as_json["paths"]]
    assert vias[:2] == [["relationship"] * 3, ["relationship", "shared"]]
    shared = as_json["paths"][1]["steps"][1]
    assert shared["relationship"] is None and shared["to"]["id"] == logvinov
    assert shared["shared"]["claims"] and shared["shared"]["events"][0]["id"] == 18
    assert all(e["text"] for e in shared["shared"]["excerpts"])
    assert [chain["shared_steps"] for chain in as_json["paths"]][:2] == [0, 1]


def test_path_through_something_unknown_is_one_line(seed_case_copy: Path):
    paet, logvinov = _id(seed_case_copy, "Urmas Paet"), _id(seed_case_copy, "Kirill Logvinov")
    assert_one_line_error(run_cli("path", seed_case_copy, paet, logvinov, "--through", "people"),
                          "cannot go through 'people': choose from events, claims, excerpts or all")
    nedyak = _id(seed_case_copy, "Arseniy Nedyak")
    near = run_cli("path", seed_case_copy, paet, nedyak, "--max-hops", "1", "--through", "claims")
    assert near.returncode == 1
    assert near.stdout.strip() == ("no connection between Urmas Paet and Arseniy Nedyak within "
                                   "1 hop (also through claims)")


@pytest.mark.parametrize(("args", "fragment"), [
    (("subject={a}", "object={a}", "type=associate"), "two different entities"),
    (("subject={a}", "object=999999", "type=associate"), "no entity 999999"),
    (("subject={a}", "object={b}", "type=cousin_of"), "unknown relationship type"),
    (("subject={a}", "object={b}", "type=associate", "start=2023-13"), "is not a date"),
    (("subject={a}", "object={b}", "type=associate", "start=2023", "end=2019"), "before start"),
    (("subject=Paet", "object={b}", "type=associate"), "give an entity id"),
    (("subject={a}", "type=associate"), "needs object="),
    (("subject={a}", "object={b}", "type=associate", "colour=red"), "no field 'colour'"),
    (("subject={a}", "object={b}", "type=associate", "--evidence", "242:maybe"), "unknown stance"),
    (("subject={a}", "object={b}", "type=associate", "--evidence", "9999999"), "no excerpt"),
    (("subject={a}", "object={b}", "type=associate", "--entity", "{a}"), "--entity is for"),
])
def test_a_bad_relationship_is_one_line_and_writes_nothing(seed_case_copy: Path, args, fragment):
    a, b = _id(seed_case_copy, "Milan Uhrík"), _id(seed_case_copy, "Urmas Paet")
    before = _written(seed_case_copy)
    result = run_cli("add", seed_case_copy, "relationship",
                     *[arg.format(a=a, b=b) for arg in args], env=ANA)
    assert_one_line_error(result, fragment)
    assert _written(seed_case_copy) == before


def test_a_relationship_to_a_retired_entity_is_one_line_and_writes_nothing(seed_case_copy: Path):
    a, b = _id(seed_case_copy, "Milan Uhrík"), _id(seed_case_copy, "Urmas Paet")
    assert run_cli("retire", seed_case_copy, "entity", str(b), "--reason", "a duplicate",
                   env=ANA).returncode == 0
    before = _written(seed_case_copy)
    for ends in ((f"subject={a}", f"object={b}"), (f"subject={b}", f"object={a}")):
        result = run_cli("add", seed_case_copy, "relationship", *ends, "type=associate", env=ANA)
        assert_one_line_error(result, f"entity {b} is retired")
    assert _written(seed_case_copy) == before


def test_bad_listing_and_path_input_is_one_line(seed_case_copy: Path):
    paet = _id(seed_case_copy, "Urmas Paet")
    for args, fragment in (
        (("relationships", seed_case_copy, "--entity", "999999"), "no entity 999999"),
        (("relationships", seed_case_copy, "--type", "cousin_of"), "cousin_of"),
        (("path", seed_case_copy, paet, paet), "two different entities"),
        (("path", seed_case_copy, paet, "999999"), "no entity 999999"),
        (("path", seed_case_copy, paet, "1", "--max-hops", "0"), "max-hops"),
        (("annotate", seed_case_copy, "999999", "confirmed", "--kind", "relationship"),
         "no relationship 999999"),
    ):
        assert_one_line_error(run_cli(*args, env=ANA), fragment)


def test_a_retired_relationship_is_listed_only_when_asked(seed_case_copy: Path):
    assert run_cli("retire", seed_case_copy, "relationship", "1", "--reason", "misread",
                   env=ANA).returncode == 0
    listed = [r["id"] for r in json.loads(run_cli("relationships", seed_case_copy,
                                                  "--json").stdout)]
    every = [r["id"] for r in json.loads(run_cli("relationships", seed_case_copy, "--json",
                                                 "--include-retired").stdout)]
    assert 1 not in listed and 1 in every and len(every) == len(listed) + 1


def test_ties_to_a_retired_entity_are_listed_only_when_asked(seed_case_copy: Path):
    # As the exports and the browser: a retired entity's ties go with it.
    logvinov = _id(seed_case_copy, "Kirill Logvinov")

    def listed(*options: str) -> list[dict]:
        result = run_cli("relationships", seed_case_copy, "--json", *options)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    ties = [r["id"] for r in listed() if logvinov in (r["subject_entity_id"], r["object_entity_id"])]
    assert ties
    assert run_cli("retire", seed_case_copy, "entity", str(logvinov), "--reason", "test",
                   env=ANA).returncode == 0
    after = [r["id"] for r in listed()]
    assert not set(ties) & set(after)
    every = [r["id"] for r in listed("--include-retired")]
    assert set(ties) <= set(every) and len(every) == len(after) + len(ties)
    plain = run_cli("relationships", seed_case_copy, "--entity", str(logvinov))
    assert plain.returncode == 0 and plain.stdout == ""
    assert plain.stderr.splitlines() == [
        "0 relationships", f"(entity {logvinov} is retired: --include-retired lists its ties)"]
    asked = run_cli("relationships", seed_case_copy, "--entity", str(logvinov), "--include-retired")
    assert asked.stderr.splitlines() == [f"{len(ties)} relationships"]
    assert len(asked.stdout.splitlines()) == len(ties)


def test_a_relationship_row_that_breaks_a_rule_is_read_marked_damaged(seed_case_copy: Path,
                                                                      tmp_path: Path):
    """Edited with sqlite3: a date that is no date and an end that names no
    entity. Listing, showing and exporting say so and go on."""
    with sqlite3.connect(seed_case_copy) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.execute("UPDATE relationships SET date_start = 'last spring', start_precision = 'day'"
                    " WHERE id = 1")
        raw.execute("UPDATE relationship_excerpts SET stance = 'maybe' WHERE relationship_id = 2")
    raw.close()
    listed = run_cli("relationships", seed_case_copy, "--json")
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr + listed.stdout
    assert 1 in [r["id"] for r in json.loads(listed.stdout)]
    exported = run_cli("export", seed_case_copy, "-f", "json", "-o", tmp_path / "case.json")
    assert exported.returncode == 0, exported.stderr
    assert "Traceback" not in exported.stderr
    assert "damaged" in exported.stderr, exported.stderr
    written = json.loads((tmp_path / "case.json").read_text())
    assert 1 in [r["id"] for r in written["relationships"]]


def test_combine_moves_relationships_to_the_kept_entity_and_uncombine_gives_them_back(
        seed_case_copy: Path):
    """``casebook combine`` on the demo case: a duplicate's relationships move to the
    kept entity with their evidence and marks, each a revision; the one between the
    two would link the kept entity to itself and is retired; uncombine undoes it all."""
    logvinov, chizhov = _id(seed_case_copy, "Kirill Logvinov"), _id(seed_case_copy,
                                                                    "Vladimir Chizhov")
    duplicate = int(run_cli("add", seed_case_copy, "entity", "kind=person",
                            "name=K. Logvinov", env=ANA).stdout)

    def add(*fields: str) -> int:
        result = run_cli("add", seed_case_copy, "relationship", *fields, env=ANA)
        assert result.returncode == 0, result.stderr
        return int(result.stdout)

    successor = add(f"subject={duplicate}", f"object={chizhov}", "type=other",
                    "role=successor", "--evidence", "5:supports")
    itself = add(f"subject={logvinov}", f"object={duplicate}", "type=associate")
    assert run_cli("annotate", seed_case_copy, successor, "confirmed", "--kind", "relationship",
                   env=ANA).returncode == 0
    result = run_cli("combine", seed_case_copy, logvinov, duplicate, env=ANA)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"entity {duplicate} combined into entity {logvinov} (0 links moved, 1 names added, "
        "1 relationships moved, 1 retired (they would link it to itself))")
    moved = json.loads(run_cli("show", seed_case_copy, "relationship", successor,
                               "--json").stdout)
    assert (moved["item"]["subject_entity_id"], moved["item"]["status"]) == (logvinov, "confirmed")
    [revision] = moved["revisions"]
    uids = {e["item"]["id"]: e["item"]["uid"] for e in (
        json.loads(run_cli("show", seed_case_copy, "entity", i, "--json").stdout)
        for i in (logvinov, duplicate))}
    assert revision["fields"] == {"subject": [uids[duplicate], uids[logvinov]]}
    assert (revision["annotator"], revision["note"]) == (
        "ana", f"combined entity {duplicate} into entity {logvinov}")
    listed = json.loads(run_cli("relationships", seed_case_copy, "--entity", logvinov,
                                "--json").stdout)
    [mine] = [r for r in listed if r["id"] == successor]
    assert mine["evidence"] == [{"excerpt_id": 5, "stance": "supports"}]
    assert itself not in {r["id"] for r in listed}    # retired: a self-loop, never stored
    looped = json.loads(run_cli("show", seed_case_copy, "relationship", itself, "--json").stdout)
    assert looped["retired"] is True
    assert looped["retirements"][0]["reason"].endswith(f"it would link entity {logvinov} to itself")
    history = json.loads(run_cli("history", seed_case_copy, successor, "--kind", "relationship",
                                 "--json").stdout)
    assert [m["status"] for m in history["history"]] == ["confirmed"]
    # the combination's revision is taken back by uncombining, not by undo
    undo = run_cli("revise", seed_case_copy, "relationship", successor, "--undo", env=ANA)
    assert_one_line_error(undo, "moved it with a combination of entities", "uncombine")
    assert run_cli("uncombine", seed_case_copy, duplicate, env=ANA).returncode == 0
    back = json.loads(run_cli("show", seed_case_copy, "relationship", successor, "--json").stdout)
    assert back["item"]["subject_entity_id"] == duplicate and back["item"]["status"] == "confirmed"
    assert [r["fields"]["subject"] for r in back["revisions"]] == [
        [uids[duplicate], uids[logvinov]], [uids[logvinov], uids[duplicate]]]
    assert json.loads(run_cli("show", seed_case_copy, "relationship", itself,
                              "--json").stdout)["retired"] is False


def test_relationship_marks_travel_by_annotations_file_and_merge_and_conflicts_are_flagged(
        seed_case_copy: Path, tmp_path: Path):
    """export-annotations carries relationship marks and import-annotations brings them
    in; marked differently on two copies, a relationship is flagged (as a claim is) by
    the import and by a merge, listed by ``conflicts`` and settled by ``resolve``."""
    import shutil
    ana, ben = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(seed_case_copy, ana)
    shutil.copyfile(seed_case_copy, ben)
    for copy in (ana, ben):   # private, as casebook's own copies are (else a warning line)
        copy.chmod(0o600)
    assert run_cli("annotate", ana, "1", "confirmed", "--kind", "relationship",
                   env=ANA).returncode == 0
    assert run_cli("annotate", ana, "2", "disputed", "--kind", "relationship", "--note", "dates?",
                   env=ANA).returncode == 0
    assert run_cli("annotate", ben, "1", "denied", "--kind", "relationship",
                   env={"CASEBOOK_ANNOTATOR": "ben"}).returncode == 0
    lines = tmp_path / "ana.jsonl"
    assert run_cli("export-annotations", ana, "-o", lines).returncode == 0
    records = [json.loads(text) for text in lines.read_text().splitlines()]
    ties = [r for r in records if "relationship_uid" in r]
    assert [(r["status"], r["note"]) for r in ties][-2:] == [("confirmed", ""), ("disputed", "dates?")]
    imported = ben.with_name("ben-imported.casebook")
    shutil.copyfile(ben, imported)
    imported.chmod(0o600)
    result = run_cli("import-annotations", imported, lines)
    assert result.returncode == 0, result.stderr
    assert "1 new conflict: relationships marked differently on both sides" in result.stdout
    with db.open_case(imported, read_only=True) as case:
        assert case.scalar("SELECT status FROM relationships WHERE id = 2") == "disputed"
        assert case.scalar("SELECT count(*) FROM relationship_conflicts WHERE relationship_id = 1 "
                           "AND resolved_at = '' AND detected_by = 'import ana.jsonl'") == 1
    again = json.loads(run_cli("import-annotations", imported, lines, "--json").stdout)
    assert again["added"]["relationship_marks"] == 0 and again["relationship_conflicts_found"] == 0
    # the same through a merge of the case files
    merged = run_cli("merge", ben, ana)
    assert merged.returncode == 0, merged.stderr
    assert "1 new conflict: relationships marked differently" in merged.stdout
    listed = run_cli("conflicts", ben)
    assert "relationship 1 (now " in listed.stdout
    assert "ana marked confirmed at" in listed.stdout and "ben marked denied at" in listed.stdout
    assert "--kind relationship" in listed.stderr
    settled = run_cli("resolve", ben, "1", "confirmed", "--kind", "relationship", "--note",
                      "two sources", env=ANA)
    assert settled.returncode == 0, settled.stderr
    assert settled.stdout.strip() == ("relationship 1: conflict resolved; mark: denied → "
                                      "confirmed by ana")
    assert run_cli("conflicts", ben).stdout.strip() == "no open conflicts"
    assert_one_line_error(run_cli("resolve", ben, "1", "denied", "--kind", "relationship",
                                  env=ANA), "relationship 1 has no open conflict")
    # merged back, the settling comes with it
    assert run_cli("merge", ana, ben).returncode == 0
    with db.open_case(ana, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM relationship_conflicts "
                           "WHERE resolved_by = 'ana'") == 1
        assert case.scalar("SELECT status FROM relationships WHERE id = 1") == "confirmed"
    # and the JSON export carries the conflict, settled, to a rebuilt file
    exported, rebuilt = tmp_path / "ana.json", tmp_path / "rebuilt.casebook"
    assert run_cli("export", ana, "--format", "json", "-o", exported).returncode == 0
    assert len(json.loads(exported.read_text())["relationship_conflicts"]) == 1
    assert run_cli("import", exported, rebuilt).returncode == 0
    with db.open_case(rebuilt, read_only=True) as case:
        assert case.scalar("SELECT resolved_by FROM relationship_conflicts") == "ana"


def test_an_annotations_file_naming_a_relationship_the_case_lacks_imports_nothing(
        seed_case_copy: Path, tmp_path: Path):
    lines = tmp_path / "marks.jsonl"
    lines.write_text(json.dumps({
        "id": "11111111-1111-4111-8111-111111111111",
        "relationship_uid": "22222222-2222-4222-8222-222222222222", "kind": "mark",
        "status": "confirmed", "previous_status": "unreviewed", "annotator": "ana",
        "created_at": "2026-01-01T10:00:00.000000Z"}) + "\n")
    before = _written(seed_case_copy)
    assert_one_line_error(run_cli("import-annotations", seed_case_copy, lines),
                          "line 1: relationship 22222222-2222-4222-8222-222222222222 is not in "
                          "this case")
    both = tmp_path / "both.jsonl"
    both.write_text(json.dumps({"id": "11111111-1111-4111-8111-111111111111",
                                "claim_uid": "22222222-2222-4222-8222-222222222222",
                                "relationship_uid": "22222222-2222-4222-8222-222222222222",
                                "status": "confirmed", "previous_status": "unreviewed",
                                "annotator": "ana",
                                "created_at": "2026-01-01T10:00:00.000000Z"}) + "\n")
    assert_one_line_error(run_cli("import-annotations", seed_case_copy, both),
                          "line 1", "claim_uid or relationship_uid")
    assert _written(seed_case_copy) == before
