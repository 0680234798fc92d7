"""casebook add PATH relationship, relationships, path, and marking a
relationship, run as the real CLI in a subprocess on real case files."""

from __future__ import annotations

import json
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
