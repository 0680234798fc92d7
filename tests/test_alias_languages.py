"""Aliases with a language tag (issue 14 point 6): ``Staatsveiligheid@nl``,
``Μέτσολα@el``; the seed case carries the other-language names of its main
bodies and places, found by search and linked in texts in those languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

import db
from db.entities import add_alias, add_entity, entities_by_ids, tagged_names
from db.kinds import ENTITY
from db.search import entity_named, search
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
        # An edit form gives the aliases plain: their tags stay; a new tag replaces one.
        with case.write() as tx:
            ENTITY.write(tx, entity.id, {"aliases": ["Staatsveiligheid", "Sûreté de l'État@fr-BE"]})
        [revised] = entities_by_ids(case, [entity.id])
        assert dict(revised.languages) == {"Staatsveiligheid": "nl", "Sûreté de l'État": "fr-BE"}
        assert case.scalar("SELECT count(*) FROM alias_languages") == 2   # gone with their aliases
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
