"""Possible mentions (issue 14 point 4 of its users' list): words a person
would link to an entity — inflected, spelt in another language or script, a
generic alias where the text names another place — are proposed when a
source is added, never linked silently; judged link / not / skip, every
judgement kept; a browser queue (M) with single keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import assert_one_line_error, browser, press, run_cli, settle

import db
from db.entities import add_entity
from db.possible_mentions import (
    AMBIGUOUS,
    PER_PARAGRAPH,
    NameForms,
    judge_mention,
    judgements,
    possible_mentions,
    skeleton,
)
from db.text import folded_words
from tui.kinds import POSSIBLE_MENTIONS
from tui.screens.judging import JudgingScreen

ANA = {"CASEBOOK_ANNOTATOR": "ana"}
FIRST = ("Roberta", "Anna", "Eleni", "Maria", "Petra", "Jana", "Olga")
NEWS = """Kirill Logvinova's guests included MEPs, according to the report.

Die Gäste von Logwinow kamen aus Brüssel; Logwinows Empfang war lang.

Председателят на ЕП Роберта Мецола забрани достъпа на руските дипломати.

Η Μέτσολα απαγόρευσε την είσοδο.

Staff of the Russian embassy in Dublin were expelled too.

The Russian Embassy said nothing; Russian diplomats stayed silent.

Milan Uhríkovi poslali list.
"""


def entities(case: db.Case) -> None:
    add_entity(case, kind="person", name="Kirill Logvinov", aliases=["Logvinov"])
    add_entity(case, kind="person", name="Roberta Metsola")
    add_entity(case, kind="person", name="Milan Uhrík")
    add_entity(case, kind="place", name="Russia")
    add_entity(case, kind="organization", name="Russian Embassy in Uccle", aliases=["Russian Embassy"])


@pytest.fixture
def news_case(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "news.casebook"
    with db.create_case(path, title="News") as case:
        entities(case)
    news = tmp_path / "news.txt"
    news.write_text(NEWS, encoding="utf-8")
    return path, news


def test_forms_a_person_would_link_are_proposed():
    forms = NameForms([(1, "person", "Kirill Logvinov", "Kirill Logvinov"),
                       (1, "person", "Kirill Logvinov", "Logvinov"),
                       (2, "person", "Roberta Metsola", "Roberta Metsola"),
                       (3, "person", "Milan Uhrík", "Milan Uhrík"),
                       (4, "place", "Russia", "Russia")])

    def proposed(text: str) -> list[tuple[str, int, str]]:
        return [(p.form, p.entity_id, p.reason) for p in forms.propose(text)]

    assert proposed("Logvinova said") == [("Logvinova", 1, "inflected")]
    assert proposed("die Gäste von Logwinows") == [("Logwinows", 1, "inflected")]
    assert proposed("Logwinow kam") == [("Logwinow", 1, "similar")]
    assert proposed("Роберта Мецола") == [("Роберта Мецола", 2, "transliterated")]
    assert proposed("Η Μέτσολα είπε") == [("Μέτσολα", 2, "transliterated")]
    assert proposed("Milan Uhríkovi") == [("Milan Uhríkovi", 3, "inflected")]
    # Not proposed: the name as written (it is linked), an adjective of a place, strangers.
    assert proposed("Kirill Logvinov and Logvinov") == []
    assert proposed("Russian diplomats") == []
    assert proposed("Logistics in Lodz, Metro and Uhuru") == []
    assert skeleton("logwinow") == skeleton("логвинов") == "logvinov"


def test_add_source_links_names_and_proposes_the_rest(news_case: tuple[Path, Path]):
    path, news = news_case
    result = run_cli("add-source", path, news)
    assert result.returncode == 0, result.stderr
    assert "(7 paragraphs, 1 mention linked, 7 possible mentions proposed)" in result.stdout
    with db.open_case(path, read_only=True) as case:
        found = {(m.form, m.name, m.reason) for m in possible_mentions(case)}
        links = [tuple(row) for row in case.rows(
            "SELECT e.name, x.text FROM excerpt_entities l JOIN entities e ON e.id = l.entity_id "
            "JOIN excerpts x ON x.id = l.excerpt_id")]
    assert found == {
        ("Kirill Logvinova", "Kirill Logvinov", "inflected"),
        ("Logwinow", "Kirill Logvinov", "similar"),
        ("Logwinows", "Kirill Logvinov", "inflected"),
        ("Роберта Мецола", "Roberta Metsola", "transliterated"),
        ("Μέτσολα", "Roberta Metsola", "transliterated"),
        ("Milan Uhríkovi", "Milan Uhrík", "inflected"),
        ("Russian embassy", "Russian Embassy", "generic"),
    }
    # The generic alias links where no other place is named, and not the embassy in Dublin.
    assert links == [("Russian Embassy in Uccle", "The Russian Embassy said nothing; Russian "
                                                  "diplomats stayed silent.")]


def test_proposals_are_listed_and_judged_from_the_command_line(news_case: tuple[Path, Path]):
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    listed = run_cli("mentions", path, "--proposed")
    assert listed.returncode == 0, listed.stderr
    assert "transliterated 100" in listed.stdout and "[Роберта Мецола]" in listed.stdout
    with db.open_case(path, read_only=True) as case:
        by_form = {m.form: m for m in possible_mentions(case)}
    metsola, dublin, uhrik = by_form["Роберта Мецола"], by_form["Russian embassy"], by_form["Milan Uhríkovi"]
    result = run_cli("judge-mention", path, metsola.id, "link", env=ANA)
    assert result.returncode == 0 and "linked" in result.stdout, result.stderr
    assert run_cli("judge-mention", path, dublin.id, "not", env=ANA).returncode == 0
    assert run_cli("judge-mention", path, uhrik.id, "skip", env=ANA).returncode == 0
    with db.open_case(path, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM excerpt_entities WHERE excerpt_id = ? AND "
                           "entity_id = ?", [metsola.excerpt_id, metsola.entity_id]) == 1
        waiting = {m.form for m in possible_mentions(case)}
        assert "Milan Uhríkovi" in waiting            # skipped: asked again
        assert not {"Роберта Мецола", "Russian embassy"} & waiting
        assert [j[0] for j in judgements(case, uhrik.id)] == ["skip"]
    listed = run_cli("mentions", path, "--json")
    assert {m["form"]: m["judgement"] for m in __import__("json").loads(listed.stdout)}[
        "Russian embassy"] == "not"
    assert run_cli("check", path).returncode == 0


def test_every_judgement_is_kept_and_cannot_be_changed(news_case: tuple[Path, Path]):
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    with db.open_case(path) as case:
        first = possible_mentions(case)[0]
        assert judge_mention(case, first.id, "skip", annotator="ana") is False
        assert judge_mention(case, first.id, "link", annotator="bo") is True
        assert judge_mention(case, first.id, "link", annotator="ana") is False   # linked already
        assert [(j[0], j[1]) for j in judgements(case, first.id)] == [
            ("skip", "ana"), ("link", "bo"), ("link", "ana")]
    conn = sqlite3.connect(path)
    for sql in ("UPDATE possible_mention_judgements SET judgement = 'not'",
                "DELETE FROM possible_mention_judgements"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_bad_judgements_are_one_clear_line(news_case: tuple[Path, Path]):
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    assert_one_line_error(run_cli("judge-mention", path, "999", "link", env=ANA), "no possible mention 999")
    result = run_cli("judge-mention", path, "1", "maybe", env=ANA)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert run_cli("mentions", path, "--proposed").stdout.count("proposed") == 7


async def test_the_browser_queue_links_with_one_key(news_case: tuple[Path, Path]):
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    with db.open_case(path) as case:
        app = browser(case)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "M")
            screen = app.screen
            assert isinstance(screen, JudgingScreen) and screen.queue is POSSIBLE_MENTIONS
            first = screen.proposals[0].mention
            assert first.form == "Kirill Logvinova"
            assert "resembles Kirill Logvinov" in str(screen.query_one("#proposal").render())
            await press(pilot, "l")
            await press(pilot, "n")
            await press(pilot, "space")
            assert screen.judged == 3 and screen.did_more == 1
            assert "skipped" in str(screen.query_one("#form-status").render())
            await press(pilot, "escape")
            assert not isinstance(app.screen, JudgingScreen)
        assert case.scalar("SELECT count(*) FROM excerpt_entities WHERE excerpt_id = ? "
                           "AND entity_id = ?", [first.excerpt_id, first.entity_id]) == 1
        assert [m.judgement for m in possible_mentions(case, open_only=False)][:3] == [
            "link", "not", "skip"]


async def _open_the_queue(pilot) -> None:
    await settle(pilot)
    await press(pilot, "M")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_possible_mentions_snapshot(snap_compare, news_case: tuple[Path, Path], size):
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    with db.open_case(path, read_only=True) as case:
        assert snap_compare(browser(case), terminal_size=size, run_before=_open_the_queue)


def test_a_possible_mention_is_a_kind_of_review_in_db_kinds(news_case: tuple[Path, Path]):
    from db.review_kinds import POSSIBLE_MENTION, REVIEW_KINDS
    from db.tables import TABLES

    assert POSSIBLE_MENTION in REVIEW_KINDS
    assert TABLES[POSSIBLE_MENTION.table.name] is POSSIBLE_MENTION.table
    assert POSSIBLE_MENTION.judgements == ("link", "not", "skip")
    path, news = news_case
    assert run_cli("add-source", path, news).returncode == 0
    with db.open_case(path, read_only=True) as case:
        assert POSSIBLE_MENTION.items is not None
        found = POSSIBLE_MENTION.items(case, [3, 1, 999])
    assert [m.id for m in found] == [3, 1]


def test_proposals_stay_few_where_namesakes_and_names_abound(tmp_path: Path):
    """At a million excerpts the generated case had forty persons carrying the
    alias "Metsola": one Greek word was proposed forty times. A word that
    resembles more than AMBIGUOUS entities names none in particular; a
    paragraph gets at most PER_PARAGRAPH proposals, the closest."""
    path = tmp_path / "namesakes.casebook"
    with db.create_case(path, title="Namesakes") as case:
        for number in range(AMBIGUOUS + 2):
            add_entity(case, kind="person", name=f"{FIRST[number]} Metsola", aliases=["Metsola"])
        add_entity(case, kind="person", name="Kirill Logvinov", aliases=["Logvinov"])
        for number in range(PER_PARAGRAPH + 5):
            add_entity(case, kind="place", name=f"Brusel{'abdefghijlmnoprst'[number]}ovo")
    crowded = " ".join(f"Brusel{'abdefghijlmnoprst'[number]}ova" for number in range(PER_PARAGRAPH + 5))
    news = tmp_path / "namesakes.txt"
    news.write_text(f"Η Μέτσολα μίλησε. Логвинов тоже.\n\n{crowded}\n", encoding="utf-8")
    result = run_cli("add-source", path, news)
    assert result.returncode == 0, result.stderr
    with db.open_case(path, read_only=True) as case:
        found = [(m.form, m.name) for m in possible_mentions(case, limit=1000)]
    assert ("Логвинов", "Kirill Logvinov") in found          # one entity: proposed
    assert not [form for form, _ in found if form == "Μέτσολα"]   # five namesakes: none
    crowd = [form for form, _ in found if form.startswith("Brusel")]
    assert len(crowd) == PER_PARAGRAPH and len(set(crowd)) == PER_PARAGRAPH
    assert f"{len(found)} possible mentions proposed" in result.stdout


def test_a_word_is_compared_with_the_names_once():
    forms = NameForms([(1, "person", "Kirill Logvinov", "Kirill Logvinov")])
    assert [p.form for p in forms.propose("Logvinova said")] == ["Logvinova"]
    assert forms._alike[skeleton("logvinova")] and forms._alike["said"] == []
    # The kept resemblance gives the same proposal, and a linked entity is still left out.
    assert [p.form for p in forms.propose("and Logvinova")] == ["Logvinova"]
    assert forms.propose("Logvinova said", [1]) == []


def test_the_words_given_only_skip_a_paragraph_with_nothing_to_propose():
    forms = NameForms([(1, "person", "Kirill Logvinov", "Kirill Logvinov"),
                       (2, "place", "Brussels", "Brussels"),
                       (3, "organization", "Russian Embassy in Uccle", "Russian Embassy")])
    texts = ["Diplomats met in Brussels.",                       # a name as written: linked
             "Logvinova flew to Brussels, Brusels, Łódź.",       # an inflection, a misspelling
             "The Russian Embassy in Dublin and Кирилл Логвинов.",   # a generic alias, a script
             "Logvinova "]
    for text in texts:
        given = forms.propose(text, words=folded_words(text))
        assert given == forms.propose(text)
    assert forms.propose(texts[0], words=folded_words(texts[0])) == []
    assert [p.form for p in forms.propose(texts[1], words=folded_words(texts[1]))] == \
        ["Logvinova", "Brusels"]
    assert {p.reason for p in forms.propose(texts[2], words=folded_words(texts[2]))} == \
        {"generic", "transliterated"}


def test_a_word_that_begins_many_names_is_compared_only_with_those_that_may_follow():
    reports = [(n, "document", f"Report {n}/2023", f"Report {n}/2023") for n in range(10, 400)]
    forms = NameForms([*reports, (1, "person", "Milan Uhrík", "Milan Uhrík"),
                       (2, "document", "Reports Nemec", "Reports Nemec")])
    text = "Reports name Milan Uhríkovi and Reports Nemecs."
    assert [(p.form, p.entity_id) for p in forms.propose(text, words=folded_words(text))] == \
        [("Milan Uhríkovi", 1), ("Reports Nemecs", 2)]
    assert len(forms._resembling(skeleton("reports"))) == 391   # every report, and Reports Nemec
    assert [each[0].entity_id for each in forms._followed[(skeleton("reports"), "n")]] == [2]
