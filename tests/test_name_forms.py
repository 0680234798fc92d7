"""Possible mentions read only the names a document could resemble, from the
forms stored when names change (schema v12, ``name_forms``), and propose
exactly what working out every name's skeleton would."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import ROOT, run_cli

import db
from db import curation, possible_mentions
from db.check import check_case, mention_name_problems
from db.entities import add_entity
from db.mentions import refresh_mention_names
from db.possible_mentions import NameForms, StoredForm, name_form_rows
from db.text import folded_words, register_functions

SEED_TEXTS = [ROOT / "seed" / "sources" / name
              for name in ("000_316e2e01f824b1a7.txt", "003_37048b06751c40a7.txt")]
NEWS = [
    "Kirill Logvinova's guests included MEPs, according to the report.",
    "Die Gäste von Logwinow kamen aus Brüssel; Logwinows Empfang war lang.",
    "Председателят на ЕП Роберта Мецола забрани достъпа на руските дипломати.",
    "Staff of the Russian embassy in Dublin were expelled too; Milan Uhríkovi poslali list.",
    "Ivan Petrovu and Petrova met Ivana Petrovová at the Embassy of Freedonia in Brussels.",
]


def worked_out(case: db.Case) -> NameForms:
    """Every live name's forms worked out afresh from the entities, as before v12."""
    return NameForms([(row[0], row[1], row[2], row[3]) for row in case.rows(
        "SELECT e.id, e.kind, e.name, n.name FROM (SELECT id AS entity_id, name FROM entities "
        "UNION SELECT entity_id, alias FROM entity_aliases) n JOIN entities e ON e.id = n.entity_id "
        "WHERE e.retired = 0 ORDER BY e.id, n.name")])


def proposals(forms: NameForms, texts: list[str]) -> list[list[tuple]]:
    return [[(p.entity_id, p.start, p.end, p.name, p.reason, p.score) for p in forms.propose(text)]
            for text in texts]


def assert_forms_are_the_names(case: db.Case, texts: list[str]) -> None:
    """The stored forms are the names' (casebook check), and reading them by a
    text's keys proposes what every name worked out afresh does."""
    refresh_mention_names(case)
    assert list(mention_name_problems(case)) == []
    expected = proposals(worked_out(case), texts)
    assert any(expected), "the texts resemble some name"
    assert proposals(NameForms.of_case(case), texts) == expected
    for text, wanted in zip(texts, expected, strict=True):
        forms = NameForms.for_words(case, folded_words(text))
        assert proposals(forms, [text]) == [wanted], text


def test_the_stored_forms_propose_what_every_name_would(seed_case_copy: Path):
    texts = [paragraph for path in SEED_TEXTS
             for paragraph in path.read_text(encoding="utf-8").split("\n") if paragraph.strip()]
    with db.open_case(seed_case_copy) as case:
        assert_forms_are_the_names(case, texts + NEWS)
        # Reading by keys reads few of the names: those that begin as the words do.
        forms = NameForms.for_words(case, folded_words(NEWS[0]))
        read = sum(len(names) for names in forms._by_prefix.values())
        stored = case.scalar("SELECT count(*) FROM name_forms")
        assert 0 < read < stored / 10


def test_forms_follow_every_change_of_names(tmp_path: Path):
    """add, revise, combine, uncombine, retire, restore, merge, import, seed and
    generate: each leaves the forms the names', through the same triggers."""
    path = tmp_path / "names.casebook"
    with db.create_case(path, title="Names") as case:
        add_entity(case, kind="person", name="Kirill Logvinov", aliases=["Logvinov"])
        add_entity(case, kind="person", name="Milan Uhrík")
        made = curation.add_item(case, "entity", {"kind": "person", "name": "Ivan Petrov"}, annotator="ana")
        add_entity(case, kind="person", name="Ivana Petrovova")
        embassy = add_entity(case, kind="organization", name="Embassy of Freedonia in Brussels",
                             aliases=["Embassy of Freedonia"])
        assert_forms_are_the_names(case, NEWS)
        assert made.id is not None and embassy.id is not None
        curation.revise(case, "entity", made.id, {"name": "Ivan Petrovu", "aliases": ["Petrova"]},
                        annotator="ana")
        assert_forms_are_the_names(case, NEWS)
        assert any(p.entity_id == made.id for p in NameForms.for_words(
            case, folded_words(NEWS[4])).propose(NEWS[4]))
        curation.revise(case, "entity", embassy.id, {"kind": "place"}, annotator="ana")
        assert_forms_are_the_names(case, NEWS)
        curation.combine(case, 1, [made.id], annotator="ana")
        assert_forms_are_the_names(case, NEWS)
        curation.uncombine(case, made.id, annotator="ana")
        assert_forms_are_the_names(case, NEWS)
        curation.retire(case, "entity", 2, reason="wrong", annotator="ana")
        assert not any(p.entity_id == 2 for p in NameForms.for_words(
            case, folded_words(NEWS[3])).propose(NEWS[3]))
        assert_forms_are_the_names(case, NEWS)
        curation.restore(case, "entity", 2, annotator="ana")
        assert_forms_are_the_names(case, NEWS)
    copy = tmp_path / "copy.casebook"
    result = run_cli("backup", path, copy)
    assert result.returncode == 0, result.stderr
    with db.open_case(copy) as case:
        add_entity(case, kind="person", name="Roberta Metsola", aliases=["Metsola"])
    result = run_cli("merge", path, copy)
    assert result.returncode == 0, result.stderr
    with db.open_case(path) as case:
        assert_forms_are_the_names(case, NEWS)   # refreshed: merged entities are marked stale
        assert case.scalar("SELECT count(*) FROM name_forms WHERE name = 'Roberta Metsola'") == 1
    export, imported = tmp_path / "names.json", tmp_path / "imported.casebook"
    for command in (("export", path, "--format", "json", "-o", export), ("import", export, imported)):
        result = run_cli(*command)
        assert result.returncode == 0, result.stderr
    with db.open_case(imported) as case:
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0   # the import refreshed them
        assert_forms_are_the_names(case, NEWS)
    for command in (("seed", tmp_path / "seed.casebook"),
                    ("generate", tmp_path / "generated.casebook", "--excerpts", "300")):
        result = run_cli(*command)
        assert result.returncode == 0, result.stderr
    with db.open_case(tmp_path / "seed.casebook") as case:
        assert_forms_are_the_names(case, NEWS)
    with db.open_case(tmp_path / "generated.casebook") as case:
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0
        texts = [row[0] for row in case.rows("SELECT text FROM excerpts ORDER BY id LIMIT 20")]
        texts += [f"They met {row[0]}a and {row[1]}s." for row in case.rows(   # inflected names
            "SELECT p.name, o.name FROM entities p JOIN entities o ON o.id = p.id + 1 "
            "WHERE p.kind = 'person' ORDER BY p.id LIMIT 20")]
        assert_forms_are_the_names(case, texts)


def test_names_changed_behind_casebooks_back_get_their_forms(seed_case_copy: Path):
    conn = sqlite3.connect(seed_case_copy)
    register_functions(conn)
    with conn:
        conn.execute("INSERT INTO entity_aliases (entity_id, alias) VALUES (1, 'Kyrylo Lohvynov')")
    conn.close()
    with db.open_case(seed_case_copy) as case:
        forms = NameForms.for_words(case, folded_words("Lohvynova"))
        assert [(p.entity_id, p.name) for p in forms.propose("Lohvynova")] == [(1, "Kyrylo Lohvynov")]
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0


def test_check_finds_forms_out_of_step(seed_case_copy: Path):
    conn = sqlite3.connect(seed_case_copy)
    with conn:
        conn.execute("UPDATE name_forms SET first_key = 'zzzz' WHERE name = 'Logvinov'")
        conn.execute("INSERT INTO name_forms VALUES (9999, 'Nobody', 'nobody', 'nobodi', 'nobo', '')")
    conn.close()
    with db.open_case(seed_case_copy) as case:
        problems = check_case(case).problems
        assert "entity 1: its names in name_forms are not its names' forms" in problems
        assert "name_forms holds the names of 1 entities the case does not have" in problems


def test_a_form_whose_words_and_skeletons_disagree_is_passed_over(seed_case_copy: Path,
                                                                    tmp_path: Path):
    # A received file edited with sqlite3: a derived row that cannot be a name's
    # forms. Adding a document still works (the row proposes nothing); check names it.
    conn = sqlite3.connect(seed_case_copy)
    with conn:
        conn.execute("UPDATE name_forms SET skeletons = 'kiril' WHERE name = 'Kirill Logvinov'")
    conn.close()
    note = tmp_path / "note.txt"
    note.write_text("Kiril Logvinov came to the reception.\n", encoding="utf-8")
    with db.open_case(seed_case_copy) as case:
        text = note.read_text(encoding="utf-8")
        proposed = NameForms.for_words(case, folded_words(text)).propose(text)
        assert "Kirill Logvinov" not in {p.name for p in proposed}
        assert any("name_forms" in problem for problem in check_case(case).problems)
    result = run_cli("add-source", seed_case_copy, note)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_v11_file_migrates_and_links_and_proposes_the_same(seed_case_copy: Path, tmp_path: Path):
    """m012 (after the backup open_case takes) stores every name's forms in its
    one transaction: a document added to the migrated file gets the links and
    proposals it gets in a file made at v12."""
    fresh = tmp_path / "fresh.casebook"
    shutil.copyfile(seed_case_copy, fresh)
    conn = sqlite3.connect(seed_case_copy)
    with conn:
        conn.execute("DROP TABLE name_forms")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_name_forms'")
        conn.execute("PRAGMA user_version = 11")
    conn.close()
    with db.open_case(seed_case_copy) as case:
        assert case.scalar("PRAGMA user_version") == db.SCHEMA_VERSION == 13
        assert case.scalar("SELECT count(*) FROM mention_names_stale") == 0   # nothing left for later
        migrated = {StoredForm(*row) for row in case.rows("SELECT * FROM name_forms")}
        names = [(row[0], row[1]) for row in case.rows(
            "SELECT id, name FROM entities UNION ALL SELECT entity_id, alias FROM entity_aliases")]
        assert migrated == set(name_form_rows(names)) and len(migrated) > 100
        assert check_case(case).ok
    [backup] = list(tmp_path.glob("brussels.casebook.v11-*.bak"))
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 11
        assert not old.execute("SELECT 1 FROM sqlite_master WHERE name = 'name_forms'").fetchone()
    finally:
        old.close()
    note = tmp_path / "note.txt"
    note.write_text("\n\n".join(NEWS) + "\n", encoding="utf-8")
    said = []
    for path in (seed_case_copy, fresh):
        result = run_cli("add-source", path, note)
        assert result.returncode == 0, result.stderr
        said.append(result.stdout)
    assert said[0] == said[1] and "possible mentions proposed" in said[0], said
    found = []
    for path in (seed_case_copy, fresh):
        with db.open_case(path, read_only=True) as case:
            found.append((
                case.rows("SELECT l.excerpt_id, l.entity_id FROM excerpt_entities l JOIN excerpts x "
                          "ON x.id = l.excerpt_id WHERE x.source_id = 3 ORDER BY 1, 2"),
                case.rows("SELECT excerpt_id, entity_id, start, \"end\", form, name, reason, score "
                          "FROM possible_mentions ORDER BY id")))
    links, proposed = ([tuple(row) for row in rows] for rows in found[0])
    assert links and proposed
    assert ([tuple(row) for row in found[1][0]], [tuple(row) for row in found[1][1]]) == (links, proposed)


def test_forms_for_many_documents_read_each_key_once_and_hold_a_bounded_number(
        seed_case_copy: Path, monkeypatch):
    with db.open_case(seed_case_copy) as case:
        expected = proposals(worked_out(case), NEWS)
        forms = NameForms.reading(case)
        assert forms._held == 0
        forms.read_words(folded_words(NEWS[0]))
        held = forms._held
        assert held > 0
        forms.read_words(folded_words(NEWS[0]))   # the same words: nothing read again
        assert forms._held == held
        assert proposals(forms, NEWS) == expected   # other words' names read as they are asked for
        assert forms._held > held
        monkeypatch.setattr(possible_mentions, "_HELD", held - 1)
        forms.read_words(folded_words(NEWS[1]))   # past the bound: forgets, then reads these
        assert forms._held == NameForms.for_words(case, folded_words(NEWS[1]))._held > 0
        assert proposals(forms, NEWS) == expected
