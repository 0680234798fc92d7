"""Search across scripts (issue 14 point 4): ``Metsola`` finds ``Μέτσολα`` and
``Мецола`` by their Latin spelling, after the matches as written; ``--exact``
(and Ctrl+T in the browser's search) turns it off; hits say they are
transliterated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import browser, press, run_cli, settle

import db
from db.entities import add_entity
from db.kinds import ENTITY
from db.search import first_matches, refine, search
from db.sources import add_source
from db.text import highlight_spans, transliterate
from tui.screens.search import SearchScreen

TEXTS = {
    "el": "Η Ρομπέρτα Μέτσολα μίλησε στο Κοινοβούλιο.",
    "bg": "Председателят Роберта Мецола каза в Брюксел.",
    "en": "Roberta Metsola spoke in Brussels.",
    "ru": "Логвинов встретился с послом.",
    "ja": "東京で田中社長が話した。",
}


@pytest.fixture(scope="module")
def spelt_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spelt") / "spelt.casebook"
    with db.create_case(path, title="Across scripts") as case:
        for title, text in TEXTS.items():
            add_source(case, title=title, text=text)
        add_entity(case, kind="person", name="Roberta Metsola", aliases=["Роберта Мецола"])
        add_entity(case, kind="person", name="Юрий Логвинов")
    return path


def excerpt_hits(results) -> list[tuple[str, bool]]:
    return [(hit.detail.split(" · ")[0], hit.transliterated)
            for group in results.groups if group.kind == "excerpt" for hit in group.hits]


def test_latin_finds_greek_and_cyrillic_after_the_exact_match(spelt_case: Path):
    with db.open_case(spelt_case, read_only=True) as case:
        results = search(case, "Metsola")
        hits = excerpt_hits(results)
        assert hits[0] == ("en", False)                        # as written, first
        assert sorted(hits[1:]) == [("bg", True), ("el", True)]  # then by spelling
        group = next(g for g in results.groups if g.kind == "excerpt")
        assert (group.total, group.transliterated) == (3, 2)
        # Exact: only the words as written.
        assert excerpt_hits(search(case, "Metsola", exact=True)) == [("en", False)]
        # Each stage of search as you type agrees.
        first = first_matches(case, "Metsola")
        assert sorted(excerpt_hits(first)) == sorted(hits)
        assert sorted(excerpt_hits(refine(case, first))) == sorted(hits)


def test_other_script_queries_find_latin_and_each_other(spelt_case: Path):
    with db.open_case(spelt_case, read_only=True) as case:
        assert excerpt_hits(search(case, "Мецола"))[0] == ("bg", False)
        assert sorted(excerpt_hits(search(case, "Мецола"))[1:]) == [("el", True), ("en", True)]
        assert excerpt_hits(search(case, "Logvinov")) == [("ru", True)]
        assert excerpt_hits(search(case, "Logvinov", exact=True)) == []
        # A query mixing scripts: every word by its spelling (Greek Ρομπέρτα is "romperta").
        assert sorted(excerpt_hits(search(case, "Roberta Мецола"))) == [("bg", True), ("en", True)]
        # Entities by a name or alias in another script.
        names = [(hit.title, hit.transliterated) for group in search(case, "logvinov").groups
                 if group.kind == "entity" for hit in group.hits]
        assert names == [("Юрий Логвинов", True)]
        # Han is spelt a character at a time, in pinyin even in Japanese (東京: dong jing).
        assert excerpt_hits(search(case, "Tokyo")) == []
        assert excerpt_hits(search(case, "she zhang")) == [("ja", True)]


def test_a_transliterated_hit_highlights_the_word_in_its_script():
    text = TEXTS["bg"]
    spans = [text[start:end] for start, end in highlight_spans(text, ["metsola"], transliterated=True)]
    assert spans == ["Мецола"]
    assert highlight_spans(text, ["metsola"]) == []


def test_retired_items_stay_out_of_transliterated_search(tmp_path: Path):
    path = tmp_path / "retired.casebook"
    with db.create_case(path, title="t") as case:
        add_source(case, title="bg", text=TEXTS["bg"])
    result = run_cli("retire", path, "excerpt", "1", "--reason", "test", env={"CASEBOOK_ANNOTATOR": "t"})
    assert result.returncode == 0, result.stderr
    with db.open_case(path, read_only=True) as case:
        assert excerpt_hits(search(case, "Metsola")) == []
        assert excerpt_hits(search(case, "Metsola", include_retired=True)) == [("bg", True)]


def test_the_cli_marks_transliterated_hits_and_exact_turns_it_off(spelt_case: Path):
    result = run_cli("search", spelt_case, "Metsola", "--kind", "excerpt")
    assert result.returncode == 0, result.stderr
    assert "excerpts (3, 2 transliterated)" in result.stdout
    assert result.stdout.count("(transliterated)") == 2
    lines = result.stdout.splitlines()
    assert "Roberta Metsola spoke" in lines[1] and "(transliterated)" not in lines[1]
    exact = run_cli("search", spelt_case, "Metsola", "--kind", "excerpt", "--exact")
    assert exact.returncode == 0 and "transliterated" not in exact.stdout
    assert "Мецола" not in exact.stdout and "Roberta Metsola spoke" in exact.stdout


def test_the_index_follows_writes_and_check_agrees(tmp_path: Path):
    path = tmp_path / "writes.casebook"
    with db.create_case(path, title="t") as case:
        entity = add_entity(case, kind="person", name="Мецола")
        with case.write() as tx:
            ENTITY.write(tx, entity.id, {"name": "Логвинов", "aliases": ["Σύρος"]})
        found = {q: [h.title for g in search(case, q).groups for h in g.hits]
                 for q in ("metsola", "logvinov", "syros")}
        assert found == {"metsola": [], "logvinov": ["Логвинов"], "syros": ["Логвинов"]}
        with case.write() as tx:   # back to Latin: out of the transliterated index
            ENTITY.write(tx, entity.id, {"name": "Logvinov", "aliases": []})
        assert case.scalar("SELECT count(*) FROM entities_latin_fts_docsize") == 0
    result = run_cli("check", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_latin_script_case_adds_nothing_to_the_transliterated_indexes(tmp_path: Path):
    path = tmp_path / "latin.casebook"
    with db.create_case(path, title="t") as case:
        add_source(case, title="fr", text="La Sûreté de l'État à Bruxelles; Łódź.")
        for index in ("excerpts_latin_fts", "entities_latin_fts"):
            assert case.scalar(f"SELECT count(*) FROM {index}_docsize") == 0
    assert transliterate("La Sûreté de l'État à Bruxelles; Łódź.") == ""


def test_a_v8_case_file_is_backed_up_and_gains_the_transliterated_index_and_says_so(tmp_path: Path):
    from sqlite_utils import Database

    from db.schema import APPLICATION_ID, SCHEMA_VERSION, migrations

    path = tmp_path / "old.casebook"
    conn = sqlite3.connect(path, isolation_level=None)
    db.text.register_functions(conn)
    migrations.apply(Database(conn), stop_before="m009_possible_mentions")   # a v8 file
    conn.execute("PRAGMA user_version = 8")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO sources (id, title, text, sha256, added_at) "
                 "VALUES (1, 't', 'Роберта Мецола', 'x', '2024-01-01')")
    conn.execute("INSERT INTO excerpts (source_id, start, \"end\", text) VALUES (1, 0, 14, 'Роберта Мецола')")
    conn.close()
    path.chmod(0o600)
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert excerpt_hits(search(case, "Metsola")) == [("t", True)]
        assert case.upgrade is not None and case.upgrade.from_version == 8
        assert f"upgraded from schema v8 to v{SCHEMA_VERSION}; a backup is at" in case.upgrade.message
    backups = list(tmp_path.glob("old.casebook.v8-*.bak"))
    assert [case.upgrade.backup] == backups


async def test_the_browser_marks_transliterated_hits_and_ctrl_t_turns_it_off(spelt_case: Path):
    with db.open_case(spelt_case, read_only=True) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "slash")
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            await pilot.press(*"Metsola")
            await settle(pilot)
            text = screen.results.text
            assert "Excerpts (3, 2 transliterated ≈)" in text
            assert "≈ Председателят Роберта Мецола" in text and "• Roberta Metsola spoke" in text
            line = next(block.content for block in screen.results.blocks
                        if block.link and "Мецола" in block.content.plain and block.link.kind == "excerpt")
            assert {line.plain[s.start:s.end] for s in line.spans if s.style == ".cb--match"} == {"Мецола"}
            assert "Ctrl+T exact" in str(screen.query_one("#search-hint").render())
            await press(pilot, "ctrl+t")
            await settle(pilot)
            text = screen.results.text
            assert "Мецола" not in text.split("Excerpts")[1] and "transliterated" not in text
            assert "Ctrl+T across scripts" in str(screen.query_one("#search-hint").render())
            await press(pilot, "escape")
            await press(pilot, "slash")   # the choice is kept for the next search
            assert app.screen.exact is True


# Issue 14, Bad input: what the transliterated search is given too (the query
# spelt in Latin, and the query run again on the folded index).
TRANSLITERATED_BAD = ["\ud800", "Metsola\udc00", "x\udfff" * 3000, "Мецола\u0301\u200d",
                      "\u202eМецола\u202c", "Мецола Μέτσολα 社長 Logvinov" * 400, "\u0301" * 100,
                      '"Мецола" OR NEAR(Μέτσολα', "ⓜⓔⓣⓢⓞⓛⓐ", "Ｍｅｔｓｏｌａ"]


@pytest.mark.parametrize("query", TRANSLITERATED_BAD, ids=range(len(TRANSLITERATED_BAD)))
def test_bad_queries_across_scripts_give_results_or_none(spelt_case: Path, query: str):
    with db.open_case(spelt_case, read_only=True) as case:
        for results in (first_matches(case, query), search(case, query)):
            assert all(group.total >= len(group.hits) and group.total >= group.transliterated
                       for group in results.groups)
        refine(case, first_matches(case, query))


def test_a_query_in_another_script_with_marks_still_finds_by_spelling(spelt_case: Path):
    with db.open_case(spelt_case, read_only=True) as case:
        assert ("en", True) in excerpt_hits(search(case, "\u202eМецола\u200d"))
        assert ("en", False) in excerpt_hits(search(case, "Ｍｅｔｓｏｌａ"))   # full-width
