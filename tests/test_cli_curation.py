"""The curation commands, run as the real CLI in a subprocess on real case files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db

ANA = {"CASEBOOK_ANNOTATOR": "ana"}


def _state(path: Path) -> tuple[object, ...]:
    """Everything a bad command must leave as it was."""
    with db.open_case(path, read_only=True) as case:
        return tuple(case.scalar(f"SELECT count(*) FROM {table}") for table in (
            "entities", "events", "claims", "revisions", "retirements", "combinations",
            "duplicate_judgements", "excerpt_entities", "claim_entities", "entity_aliases",
        )) + (case.scalar("SELECT group_concat(name || version, ',') FROM entities"),)


def _json(*args: object) -> object:
    result = run_cli(*args, env=ANA)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_each_kind_prints_its_id_and_json_its_uid(seed_case_copy: Path):
    result = run_cli("add", seed_case_copy, "entity", "kind=person", "name=Ivan Petrov",
                     "aliases=Petrov|I. Petrov", "--evidence", "1")
    assert result.returncode == 0, result.stderr
    entity_id = int(result.stdout)
    event = _json("add", seed_case_copy, "event", "title=Dinner", "date_precision=month",
                  "date_start=2023-05", "--entity", entity_id, "--evidence", "2", "--json")
    claim = _json("add", seed_case_copy, "claim", "statement=Petrov hosted a dinner.",
                  "claimant=VSquare", "--entity", entity_id, "--evidence", "2", "--json")
    assert event["kind"] == "event" and event["date_start"] == "2023-05" and event["uid"]
    assert claim["status"] == "unreviewed" and claim["uid"]
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert case.scalar("SELECT aliases FROM entities WHERE id = ?", [entity_id]) == \
            "I. Petrov | Petrov"
        assert case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ? AND "
                           "excerpt_id = 1", [entity_id]) == 1
        assert case.scalar("SELECT count(*) FROM event_entities WHERE event_id = ?", [event["id"]]) == 1
        assert case.scalar("SELECT count(*) FROM claim_excerpts WHERE claim_id = ?", [claim["id"]]) == 1


def test_what_add_adds_is_in_the_log_with_who_and_when(seed_case_copy: Path):
    """Issue 11: an entity, an event and a claim added from the command line are
    in ``casebook log`` (and its --kind filter), newest first, by the annotator."""
    entity = _json("add", seed_case_copy, "entity", "kind=person", "name=Ivan Petrov", "--json")
    event = _json("add", seed_case_copy, "event", "title=Dinner", "--json")
    claim = _json("add", seed_case_copy, "claim", "statement=Petrov hosted a dinner.", "--json")
    newest = _json("log", seed_case_copy, "--limit", "3", "--json")
    assert [(e["action"], e["kind"], e["item_id"], e["annotator"]) for e in newest] == [
        ("added", "claim", claim["id"], "ana"), ("added", "event", event["id"], "ana"),
        ("added", "entity", entity["id"], "ana")]
    assert [e["at"] for e in newest] == sorted((e["at"] for e in newest), reverse=True)
    assert newest[0]["detail"] == "Petrov hosted a dinner."
    [only] = _json("log", seed_case_copy, "--kind", "entity", "--id", entity["id"], "--json")
    assert (only["action"], only["annotator"]) == ("added", "ana")
    assert _json("log", seed_case_copy, "--kind", "entity", "--annotator", "ana", "--json") == [only]
    text = run_cli("log", seed_case_copy, "--kind", "event", "--limit", "1")
    assert text.returncode == 0 and "ana" in text.stdout and "added" in text.stdout
    assert "Dinner" in text.stdout


@pytest.mark.parametrize("args, fragment", [
    (("add", "{p}", "entity", "kind=person", "colour=red", "name=X"), "has no field 'colour'"),
    (("add", "{p}", "entity", "kind=dragon", "name=X"), "'person', 'organization'"),
    (("add", "{p}", "entity", "name"), "'name' is not FIELD=VALUE"),
    (("add", "{p}", "event", "title=T", "date_precision=day", "date_start=2023"),
     "does not match precision"),
    (("add", "{p}", "event", "title=T", "date_precision=weekly"), "date_precision"),
    (("add", "{p}", "claim", "claimant=x"), "a claim needs statement=VALUE"),
    (("add", "{p}", "claim", "statement=s", "--evidence", "99999"), "no excerpt 99999"),
    (("add", "{p}", "claim", "statement=s", "--entity", "99999"), "no entity 99999"),
    (("revise", "{p}", "entity", "1", "colour=red"), "has no field 'colour' to revise"),
    (("revise", "{p}", "entity", "99999", "name=x"), "no entity 99999"),
    (("revise", "{p}", "entity", "1", "name=x", "--expect-version", "7"), "changed since you saw it"),
    (("revise", "{p}", "event", "1", "date_precision=year", "date_start=2023-01"),
     "does not match precision"),
    (("revise", "{p}", "excerpt", "1", "text=x"), "cannot be revised"),
    (("revise", "{p}", "entity", "1", "--undo"), "nothing to undo"),
    (("retire", "{p}", "entity", "1", "--reason", ""), "needs a reason"),
    (("restore", "{p}", "entity", "1"), "is not retired"),
    (("combine", "{p}", "1", "1"), "cannot be combined with itself"),
    (("combine", "{p}", "1", "99999"), "no entity 99999"),
    (("uncombine", "{p}", "1"), "nothing to uncombine"),
    (("judge", "{p}", "1", "1", "same"), "against itself"),
    (("show", "{p}", "claim", "99999"), "no claim 99999"),
    (("log", "{p}", "--id", "1"), "--id needs --kind"),
])
def test_bad_input_is_one_line_and_changes_nothing(seed_case_copy: Path, args, fragment):
    before = _state(seed_case_copy)
    result = run_cli(*(str(seed_case_copy) if a == "{p}" else a for a in args), env=ANA)
    assert_one_line_error(result, fragment)
    assert _state(seed_case_copy) == before


def test_revise_show_undo_and_log(seed_case_copy: Path):
    shown = _json("show", seed_case_copy, "event", "1", "--json")
    version = shown["item"]["version"]
    result = run_cli("revise", seed_case_copy, "event", "1", "title=Renamed", "--set",
                     "description=Checked.", "--expect-version", version, "--note", "typo",
                     "--as", "ben")
    assert result.returncode == 0, result.stderr
    assert f"version {version + 1}" in result.stdout and "→ Renamed" in result.stdout
    shown = _json("show", seed_case_copy, "event", "1", "--json")
    assert shown["item"]["title"] == "Renamed" and shown["item"]["version"] == version + 1
    [revision] = shown["revisions"]
    assert revision["annotator"] == "ben" and revision["note"] == "typo"
    assert revision["fields"]["title"][1] == "Renamed"
    # someone else cannot undo ben's revision; ben can
    assert_one_line_error(run_cli("revise", seed_case_copy, "event", "1", "--undo", env=ANA),
                          "its latest revision is by ben")
    assert run_cli("revise", seed_case_copy, "event", "1", "--undo", "--as", "ben").returncode == 0
    assert _json("show", seed_case_copy, "event", "1", "--json")["item"]["title"] == shown_title(
        seed_case_copy)
    entries = _json("log", seed_case_copy, "--kind", "event", "--id", "1", "--json")
    assert [(e["action"], e["annotator"]) for e in entries] == [
        ("undid a revision", "ben"), ("revised", "ben"), ("added", "seed")]
    assert _json("log", seed_case_copy, "--annotator", "nobody", "--json") == []
    text = run_cli("show", seed_case_copy, "event", "1")
    assert "ben v" in text.stdout and text.returncode == 0


def test_show_lists_the_linked_items_retired_ones_only_when_asked(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        claim_id, excerpt_id, stance = case.row(
            "SELECT claim_id, excerpt_id, stance FROM claim_excerpts "
            "ORDER BY claim_id, excerpt_id LIMIT 1")
        entities = {row[0]: row[1] for row in case.rows(
            "SELECT entity_id, role FROM claim_entities WHERE claim_id = ?", [claim_id])}
    links = _json("show", seed_case_copy, "claim", claim_id, "--json")["links"]
    assert {(link["id"], link["role"]) for link in links if link["kind"] == "entity"} == set(
        entities.items())
    assert any(link["kind"] == "excerpt" and link["id"] == excerpt_id for link in links)
    assert all(link["label"] and not link["retired"] for link in links)
    # the excerpt's own links lead back to the claim
    back = _json("show", seed_case_copy, "excerpt", excerpt_id, "--json")["links"]
    assert {"kind": "claim", "id": claim_id} in [{"kind": b["kind"], "id": b["id"]} for b in back]
    assert run_cli("retire", seed_case_copy, "excerpt", excerpt_id, "--reason", "t",
                   env=ANA).returncode == 0
    links = _json("show", seed_case_copy, "claim", claim_id, "--json")["links"]
    assert not any(link["kind"] == "excerpt" and link["id"] == excerpt_id for link in links)
    links = _json("show", seed_case_copy, "claim", claim_id, "--include-retired", "--json")["links"]
    [retired] = [link for link in links if link["kind"] == "excerpt" and link["id"] == excerpt_id]
    assert retired["retired"] is True
    text = run_cli("show", seed_case_copy, "claim", claim_id, "--include-retired").stdout
    assert f"    excerpt {excerpt_id} ({stance}) retired: " in text


def test_show_writes_language_tags_as_typed_and_revise_sets_and_takes_them(seed_case_copy: Path):
    with sqlite3.connect(seed_case_copy) as conn:
        [(logvinov,)] = conn.execute("SELECT id FROM entities WHERE name = 'Kirill Logvinov'")
    conn.close()
    # the aliases with their tags, as 'revise aliases=' takes them back
    assert "aliases: Logvinov | Кирилл Логвинов@ru | Логвинов@ru\n" in run_cli(
        "show", seed_case_copy, "entity", logvinov).stdout
    # The aliases are given as written, tags and all: as 'show' and the edit form write them.
    assert run_cli("revise", seed_case_copy, "entity", logvinov,
                   "aliases=Logvinov|Кирилл Логвинов@ru|Логвинов@RU|Kirill L.", env=ANA).returncode == 0
    shown = run_cli("show", seed_case_copy, "entity", logvinov).stdout
    assert "aliases: Kirill L. | Logvinov | Кирилл Логвинов@ru | Логвинов@ru\n" in shown
    # A tag changed, one taken away: a revision of its own, on the record.
    assert run_cli("revise", seed_case_copy, "entity", logvinov,
                   "aliases=Logvinov|Кирилл Логвинов@uk|Логвинов|Kirill L.", "--note", "tags",
                   env=ANA).returncode == 0
    item = _json("show", seed_case_copy, "entity", logvinov, "--json")
    assert item["item"]["languages"] == [["Кирилл Логвинов", "uk"]]
    latest = item["revisions"][-1]
    assert latest["note"] == "tags" and latest["fields"]["aliases"][1] == [
        "Logvinov", "Кирилл Логвинов@uk", "Логвинов", "Kirill L."]
    assert "Логвинов@ru" in latest["fields"]["aliases"][0]
    # A tag that is no language: one line, nothing written.
    version = item["item"]["version"]
    refused = run_cli("revise", seed_case_copy, "entity", logvinov, "aliases=Logvinov|Moskva@xx",
                      env=ANA)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "'xx'" in refused.stderr
    assert _json("show", seed_case_copy, "entity", logvinov, "--json")["item"]["version"] == version


def shown_title(path: Path) -> str:
    """The event's title as the seed case has it (the undo put it back)."""
    with db.open_case(path, read_only=True) as case:
        return str(case.scalar(
            "SELECT json_extract(fields, '$.title[0]') FROM revisions WHERE undoes = '' LIMIT 1"))


def test_retire_restore(seed_case_copy: Path):
    result = run_cli("retire", seed_case_copy, "claim", "3", "--reason", "a duplicate", env=ANA)
    assert (result.returncode, result.stdout.strip()) == (0, "claim 3: retired"), result.stderr
    assert _json("show", seed_case_copy, "claim", "3", "--json")["retired"] is True
    assert_one_line_error(run_cli("revise", seed_case_copy, "claim", "3", "statement=x", env=ANA),
                          "is retired")
    assert run_cli("restore", seed_case_copy, "claim", "3", env=ANA).returncode == 0
    state = _json("show", seed_case_copy, "claim", "3", "--json")
    assert state["retired"] is False
    assert [(r["retired"], r["reason"]) for r in state["retirements"]] == [
        (True, "a duplicate"), (False, "")]


def test_combine_uncombine_and_the_duplicates_queue(seed_case_copy: Path):
    kept = int(run_cli("add", seed_case_copy, "entity", "kind=person", "name=Logvinov").stdout)
    pairs = _json("likely-duplicates", seed_case_copy, "--json")
    [pair] = [p for p in pairs if kept in (p["a"], p["b"])]
    other = pair["a"] if pair["b"] == kept else pair["b"]
    assert pair["reason"] == "same name" and pair["b_name"] in ("Logvinov", "Kirill Logvinov")
    assert run_cli("judge", seed_case_copy, other, kept, "skip", env=ANA).returncode == 0
    result = run_cli("combine", seed_case_copy, kept, other, "--note", "one man", env=ANA)
    assert result.returncode == 0, result.stderr
    assert f"entity {other} combined into entity {kept}" in result.stdout
    state = _json("show", seed_case_copy, "entity", kept, "--json")
    assert "Kirill Logvinov" in state["item"]["aliases"]
    assert _json("show", seed_case_copy, "entity", other, "--json")["retired"] is True
    assert all(kept not in (p["a"], p["b"]) for p in _json("likely-duplicates", seed_case_copy,
                                                            "--json"))
    assert run_cli("uncombine", seed_case_copy, other, env=ANA).returncode == 0
    assert "Kirill Logvinov" not in _json("show", seed_case_copy, "entity", kept, "--json")["item"]["aliases"]
    actions = [e["action"] for e in _json("log", seed_case_copy, "--kind", "entity", "--json")]
    assert {"combined", "uncombined", "judged", "retired", "restored"} <= set(actions)


def test_retired_items_leave_search_unless_asked_for(seed_case_copy: Path):
    def found(*extra: str) -> set[int]:
        results = _json("search", seed_case_copy, "Logvinov", "--kind", "entity", "--json", *extra)
        return {hit["id"] for group in results["groups"] for hit in group["hits"]}

    logvinov = next(iter(found()))
    assert run_cli("retire", seed_case_copy, "entity", logvinov, "--reason", "test",
                   env=ANA).returncode == 0
    assert logvinov not in found() and logvinov in found("--include-retired")
    assert run_cli("restore", seed_case_copy, "entity", logvinov, env=ANA).returncode == 0
    assert logvinov in found()


def test_a_relationship_is_revised_retired_and_restored_from_the_command_line(seed_case_copy: Path):
    shown = _json("show", seed_case_copy, "relationship", "1", "--json")
    version = shown["item"]["version"]
    result = run_cli("revise", seed_case_copy, "relationship", "1", "role=the role, revised",
                     "--set", "description=Checked against the article.", "--expect-version",
                     version, env=ANA)
    assert result.returncode == 0, result.stderr
    assert f"version {version + 1}" in result.stdout
    shown = _json("show", seed_case_copy, "relationship", "1", "--json")
    assert shown["item"]["role"] == "the role, revised" and shown["item"]["version"] == version + 1
    assert [r["annotator"] for r in shown["revisions"]] == ["ana"]
    before = _state(seed_case_copy)
    assert_one_line_error(run_cli("revise", seed_case_copy, "relationship", "1", "type=cousin_of",
                                  env=ANA), "type")
    assert_one_line_error(run_cli("revise", seed_case_copy, "relationship", "1",
                                  "date_end=1900", "--set", "end_precision=year", env=ANA),
                          "before start")
    assert _state(seed_case_copy) == before
    result = run_cli("retire", seed_case_copy, "relationship", "1", "--reason", "misread", env=ANA)
    assert (result.returncode, result.stdout.strip()) == (0, "relationship 1: retired")
    assert _json("show", seed_case_copy, "relationship", "1", "--json")["retired"] is True
    assert run_cli("restore", seed_case_copy, "relationship", "1", env=ANA).returncode == 0
    entries = _json("log", seed_case_copy, "--kind", "relationship", "--id", "1", "--json")
    assert [e["action"] for e in entries] == ["restored", "retired", "revised", "added"]
