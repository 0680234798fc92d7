"""Aliases with a language tag (issue 14 point 6): ``Staatsveiligheid@nl``,
``Μέτσολα@el``; the seed case carries the other-language names of its main
bodies and places, found by search and linked in texts in those languages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

import db
from db.curation import (
    combine,
    field_conflicts,
    revise,
    settle_conflict,
    uncombine,
    undo_own_latest_revision,
)
from db.entities import add_alias, add_entity, entities_by_ids, tagged_names
from db.merge import merge_case_files
from db.search import entity_named, search
from db.tables import ENTITY_ALIASES, REVISIONS
from db.text import split_language

ANA = {"CASEBOOK_ANNOTATOR": "ana"}


@pytest.mark.parametrize(("typed", "expected"), [
    ("Staatsveiligheid@nl", ("Staatsveiligheid", "nl")),
    ("Μέτσολα@el", ("Μέτσολα", "el")),
    ("Sûreté de l'État@fr-BE", ("Sûreté de l'État", "fr-BE")),
    ("Beograd@sr-Latn", ("Beograd", "sr-Latn")),
    ("VSSE", ("VSSE", "")),
    ("john@aol", ("john@aol", "")),          # not a language
    ("@nl", ("@nl", "")),                     # no alias before it
    ("a @ nl", ("a @ nl", "")),
    ("Moskva@RU", ("Moskva", "ru")),          # BCP 47 is case-insensitive: its usual case kept
    ("Beograd@SR-LATN", ("Beograd", "sr-Latn")),
    ("Sûreté@fr-be", ("Sûreté", "fr-BE")),
])
def test_a_language_tag_is_an_iso_code_after_the_alias(typed: str, expected: tuple[str, str]):
    assert split_language(typed) == expected


def test_tags_are_stored_shown_and_kept_through_a_revision(tmp_path: Path):
    path = tmp_path / "tags.casebook"
    with db.create_case(path, title="t") as case:
        entity = add_entity(case, kind="organization", name="State Security Service",
                            aliases=["VSSE", "Staatsveiligheid@nl", "Sûreté de l'État@fr"])
        add_alias(case, entity.id, "Veiligheid van de Staat@nl")
        [stored] = entities_by_ids(case, [entity.id])
        assert set(stored.aliases) == {"VSSE", "Staatsveiligheid", "Sûreté de l'État",
                                       "Veiligheid van de Staat"}
        assert dict(stored.languages) == {"Staatsveiligheid": "nl", "Sûreté de l'État": "fr",
                                          "Veiligheid van de Staat": "nl"}
        assert "Staatsveiligheid@nl" in tagged_names(stored) and "VSSE" in tagged_names(stored)
        # A revision gives the aliases as written, tags and all (as the edit form shows
        # them): a tag given again stays, a new one replaces it, one left off is gone.
        revision = revise(case, "entity", entity.id,
                          {"aliases": "Staatsveiligheid@NL | Sûreté de l'État@fr-be | VSSE"},
                          annotator="ana")
        [revised] = entities_by_ids(case, [entity.id])
        assert dict(revised.languages) == {"Staatsveiligheid": "nl", "Sûreté de l'État": "fr-BE"}
        assert case.scalar("SELECT count(*) FROM alias_languages") == 2   # gone with their aliases
        assert revision.fields["aliases"] == (tagged_names(stored), [
            "Staatsveiligheid@nl", "Sûreté de l'État@fr-BE", "VSSE"])
        revise(case, "entity", entity.id, {"aliases": "Staatsveiligheid@nl | Sûreté de l'État | VSSE"},
               annotator="ana")
        [untagged] = entities_by_ids(case, [entity.id])
        assert dict(untagged.languages) == {"Staatsveiligheid": "nl"}
        with pytest.raises(db.CaseError, match="already has those values"):   # tags as stored
            revise(case, "entity", entity.id, {"aliases": "VSSE|Sûreté de l'État|Staatsveiligheid@NL"},
                   annotator="ana")
        # Search finds the alias without its tag, and shows the tag.
        [hit] = [h for g in search(case, "staatsveiligheid").groups for h in g.hits]
        assert "Staatsveiligheid@nl" in hit.detail
        assert entity_named(case, "Staatsveiligheid").id == entity.id
    result = run_cli("check", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cli_adds_tagged_aliases_and_the_json_export_keeps_them(tmp_path: Path):
    path = tmp_path / "cli.casebook"
    assert run_cli("new", path, "--title", "t").returncode == 0
    added = run_cli("add", path, "entity", "kind=place", "name=Brussels",
                    "aliases=Bruxelles@fr|Brussel@nl|Брюксел@bg", env=ANA)
    assert added.returncode == 0, added.stderr
    shown = run_cli("show", path, "entity", "1", "--json")
    item = json.loads(shown.stdout)["item"]
    assert sorted(map(tuple, item["languages"])) == [("Brussel", "nl"), ("Bruxelles", "fr"),
                                                      ("Брюксел", "bg")]
    exported = tmp_path / "case.json"
    assert run_cli("export", path, "--format", "json", "-o", exported).returncode == 0
    rebuilt = tmp_path / "rebuilt.casebook"
    assert run_cli("import", exported, rebuilt).returncode == 0
    with db.open_case(rebuilt, read_only=True) as case:
        assert dict(entities_by_ids(case, [1])[0].languages) == {
            "Bruxelles": "fr", "Brussel": "nl", "Брюксел": "bg"}


def test_the_seed_case_names_its_main_bodies_and_places_in_other_languages(seed_case):
    def found(query: str) -> list[str]:
        return [h.title for g in search(seed_case, query, kinds=["entity"], exact=True).groups
                for h in g.hits]

    assert found("Staatsveiligheid")[0] == "Belgian State Security Service"
    assert found("Sûreté de l'État")[0] == "Belgian State Security Service"
    assert found("Bruxelles")[0] == "Brussels" and found("Brussel")[0] == "Brussels"
    assert found("Мецола")[0] == "Roberta Metsola" and found("Μέτσολα")[0] == "Roberta Metsola"
    assert found("Логвинов")[0] == "Kirill Logvinov"
    assert found("Parlement européen")[0] == "European Parliament"
    tagged = dict(entity_named(seed_case, "VSSE").languages)
    assert tagged == {"Staatsveiligheid": "nl", "Veiligheid van de Staat": "nl",
                      "Sûreté de l'État": "fr"}


def test_a_text_in_another_language_links_the_seed_entities(seed_case_copy: Path, tmp_path: Path):
    text = tmp_path / "nieuws.txt"
    text.write_text("De Staatsveiligheid waarschuwt voor spionage in Brussel.\n\n"
                    "Η Μέτσολα μίλησε στις Βρυξέλλες.\n", encoding="utf-8")
    result = run_cli("add-source", seed_case_copy, text)
    assert result.returncode == 0, result.stderr
    with db.open_case(seed_case_copy, read_only=True) as case:
        linked = {row[0] for row in case.rows(
            "SELECT e.name FROM excerpt_entities l JOIN entities e ON e.id = l.entity_id "
            "JOIN excerpts x ON x.id = l.excerpt_id WHERE x.source_id = (SELECT max(id) FROM sources)")}
    assert linked == {"Belgian State Security Service", "Brussels", "Roberta Metsola"}


def test_two_letters_that_are_no_language_are_refused_in_one_line_and_nothing_is_written(tmp_path: Path):
    path = tmp_path / "cli.casebook"
    assert run_cli("new", path, "--title", "t").returncode == 0
    refused = run_cli("add", path, "entity", "kind=place", "name=Moscow", "aliases=Moskva@xx", env=ANA)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
    assert "'xx' after '@' is not an ISO 639-1 language code" in refused.stderr
    assert run_cli("add", path, "entity", "kind=place", "name=Moscow", "aliases=Moskva@RU",
                   env=ANA).returncode == 0
    revised = run_cli("revise", path, "entity", "1", "aliases=Moskva@QQ", env=ANA)
    assert revised.returncode == 1 and "'QQ' after '@' is not an ISO 639-1" in revised.stderr
    shown = json.loads(run_cli("show", path, "entity", "1", "--json").stdout)
    assert shown["item"]["version"] == 0 and shown["revisions"] == []
    assert [tuple(pair) for pair in shown["item"]["languages"]] == [("Moskva", "ru")]


def _tags(path: Path) -> set[tuple[str, str, str]]:
    """Every alias's language tag, by entity uid: what two merged copies must agree on."""
    with db.open_case(path, read_only=True) as case:
        return {tuple(row) for row in case.rows(
            "SELECT e.uid, l.alias, l.lang FROM alias_languages l JOIN entities e ON e.id = l.entity_id")}


def test_tags_set_and_taken_away_on_two_laptops_merge_alike_both_ways(tmp_path: Path):
    base = tmp_path / "base.casebook"
    with db.create_case(base, title="t") as case:
        vsse = add_entity(case, kind="organization", name="State Security Service",
                          aliases=["VSSE", "Staatsveiligheid@nl", "Sûreté de l'État@fr"]).id
        moscow = add_entity(case, kind="place", name="Moscow", aliases=["Moskva"]).id
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(base, ana_path)
    shutil.copyfile(base, ben_path)
    with db.open_case(ana_path) as ana:   # a tag taken away, one changed
        revise(ana, "entity", vsse, {"aliases": "VSSE|Staatsveiligheid|Sûreté de l'État@fr-BE"},
               annotator="ana")
    with db.open_case(ben_path) as ben:   # a tag given
        revise(ben, "entity", moscow, {"aliases": "Moskva@ru|Москва@ru"}, annotator="ben")
    ana_copy, ben_copy = tmp_path / "ana2.casebook", tmp_path / "ben2.casebook"
    shutil.copyfile(ana_path, ana_copy)
    shutil.copyfile(ben_path, ben_copy)
    with db.open_case(ana_copy) as case:
        merge_case_files(case, ben_path)
    with db.open_case(ben_copy) as case:
        merge_case_files(case, ana_path)
    assert _tags(ana_copy) == _tags(ben_copy)
    with db.open_case(ana_copy, read_only=True) as case:
        assert dict(entities_by_ids(case, [vsse])[0].languages) == {"Sûreté de l'État": "fr-BE"}
        assert dict(entities_by_ids(case, [moscow])[0].languages) == {"Moskva": "ru", "Москва": "ru"}
        assert case.scalar("SELECT count(*) FROM revision_conflicts") == 0


def test_undo_puts_a_tag_back_and_a_revision_held_plain_keeps_the_tags(tmp_path: Path):
    """A revision made before aliases were revised with their tags holds them
    plain, and kept each alias's tag: undoing it, or a merge replaying it, still does."""
    path = tmp_path / "c.casebook"
    with db.create_case(path, title="t") as case:
        vsse = add_entity(case, kind="organization", name="State Security Service",
                          aliases=["VSSE", "Staatsveiligheid@nl"]).id
        revise(case, "entity", vsse, {"aliases": "VSSE|Staatsveiligheid"}, annotator="ana")
        assert dict(entities_by_ids(case, [vsse])[0].languages) == {}
        undo_own_latest_revision(case, "entity", vsse, annotator="ana")
        assert dict(entities_by_ids(case, [vsse])[0].languages) == {"Staatsveiligheid": "nl"}
    laptop = tmp_path / "laptop.casebook"
    shutil.copyfile(path, laptop)
    with db.open_case(path) as case:   # a revision of aliases as older casebooks wrote it: plain
        [entity] = entities_by_ids(case, [vsse])
        with case.write() as tx:
            tx.execute(ENTITY_ALIASES.insert().sql, [vsse, "SV"])
            tx.execute("UPDATE entities SET version = version + 1 WHERE id = ?", [vsse])
            tx.execute(REVISIONS.insert().sql, REVISIONS.insert().values(dict(
                uid="00000000-0000-4000-8000-000000000001", item_kind="entity", item_uid=entity.uid,
                version=entity.version + 1, annotator="ana", at="2099-01-01T00:00:00.000000Z",
                fields=json.dumps({"aliases": [["Staatsveiligheid", "VSSE"],
                                               ["SV", "Staatsveiligheid", "VSSE"]]}),
                note="", undoes="")))
    with db.open_case(laptop) as case:   # the laptop lacks it: the merge replays it
        merge_case_files(case, path)
        [entity] = entities_by_ids(case, [vsse])
        assert set(entity.aliases) == {"VSSE", "Staatsveiligheid", "SV"}
        assert dict(entity.languages) == {"Staatsveiligheid": "nl"}
    with db.open_case(path) as case:
        undo_own_latest_revision(case, "entity", vsse, annotator="ana")
        [entity] = entities_by_ids(case, [vsse])
        assert set(entity.aliases) == {"VSSE", "Staatsveiligheid"}
        assert dict(entity.languages) == {"Staatsveiligheid": "nl"}


def test_an_alias_given_two_tags_is_refused_in_one_line(tmp_path: Path):
    path = tmp_path / "cli.casebook"
    assert run_cli("new", path, "--title", "t").returncode == 0
    assert run_cli("add", path, "entity", "kind=place", "name=Belgrade", env=ANA).returncode == 0
    refused = run_cli("revise", path, "entity", "1", "aliases=Beograd@sr-Latn|Beograd@sr-Cyrl",
                      env=ANA)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
    assert "'Beograd' is given twice, tagged sr-Latn and sr-Cyrl" in refused.stderr
    added = run_cli("add", path, "entity", "kind=place", "name=Belgrad", "aliases=Beograd@sr|Beograd",
                    env=ANA)
    assert added.returncode == 1 and "'Beograd' is given twice, tagged sr and none" in added.stderr
    shown = json.loads(run_cli("show", path, "entity", "1", "--json").stdout)
    assert shown["item"]["version"] == 0 and shown["revisions"] == []


def test_combining_carries_the_tags_of_the_names_it_moves_and_uncombining_takes_them(tmp_path: Path):
    path = tmp_path / "c.casebook"
    with db.create_case(path, title="t") as case:
        kept = add_entity(case, kind="person", name="Roberta Metsola", aliases=["Μέτσολα@el"]).id
        twin = add_entity(case, kind="person", name="R. Metsola", aliases=["Мецола@ru", "Metsola"]).id
    laptop = tmp_path / "laptop.casebook"
    shutil.copyfile(path, laptop)
    with db.open_case(path) as case:
        combine(case, kept, [twin], annotator="ana")
        [entity] = entities_by_ids(case, [kept])
        assert set(tagged_names(entity)) == {"Μέτσολα@el", "R. Metsola", "Мецола@ru", "Metsola"}
    with db.open_case(laptop) as case:   # the combination made here by a merge: the same
        merge_case_files(case, path)
        assert set(tagged_names(entities_by_ids(case, [kept])[0])) == {
            "Μέτσολα@el", "R. Metsola", "Мецола@ru", "Metsola"}
    with db.open_case(path) as case:
        uncombine(case, twin, annotator="ana")
        assert tagged_names(entities_by_ids(case, [kept])[0]) == ["Μέτσολα@el"]
        assert set(tagged_names(entities_by_ids(case, [twin])[0])) == {"Мецола@ru", "Metsola"}
    assert run_cli("check", path).returncode == 0


def test_aliases_tagged_differently_on_two_laptops_are_a_conflict_settled_with_their_tags(tmp_path: Path):
    base = tmp_path / "base.casebook"
    with db.create_case(base, title="t") as case:
        belgrade = add_entity(case, kind="place", name="Belgrade", aliases=["Beograd"]).id
    ana_path, ben_path = tmp_path / "ana.casebook", tmp_path / "ben.casebook"
    shutil.copyfile(base, ana_path)
    shutil.copyfile(base, ben_path)
    with db.open_case(ana_path) as ana:
        revise(ana, "entity", belgrade, {"aliases": "Beograd@sr-Latn"}, annotator="ana")
    with db.open_case(ben_path) as ben:
        revise(ben, "entity", belgrade, {"aliases": "Beograd@sr-Cyrl"}, annotator="ben")
    with db.open_case(ana_path) as case:
        assert merge_case_files(case, ben_path).revision_conflicts_found == 1
        [conflict] = field_conflicts(case)
        assert conflict.now == ["Beograd@sr-Cyrl"]   # the later revision stands meanwhile
        assert (conflict.ours.fields["aliases"][1], conflict.theirs.fields["aliases"][1]) == (
            ["Beograd@sr-Latn"], ["Beograd@sr-Cyrl"])
    shown = run_cli("conflicts", ana_path)
    assert shown.returncode == 0 and "aliases (now Beograd@sr-Cyrl)" in shown.stdout, shown.stdout
    with db.open_case(ana_path) as case:
        settle_conflict(case, conflict.id, "ours", annotator="ana")
        assert tagged_names(entities_by_ids(case, [belgrade])[0]) == ["Beograd@sr-Latn"]
