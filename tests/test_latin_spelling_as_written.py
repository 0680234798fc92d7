"""Issue 14 point 3, across scripts: a word is spelt in Latin as written, its
marks kept, and only then folded, for the index, the query and highlighting
alike (schema v13): ``hanbagu`` finds ``ハンバーグ`` (not spelt ``ha n ha ku``,
its voicing marks folded away) and ``dutavas`` finds ``दूतावास`` (not
``dtavas``, its vowel signs gone). Files indexed before are re-indexed when
opened, after a backup."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli
from old_cases import older_case

import db
from db.check import check_case
from db.entities import add_entity
from db.search import latin_terms, search
from db.sources import add_source
from db.text import folded_words, highlight_spans, latin_spelling, transliterate

TEXTS = {
    "ja": "東京で田中社長がハンバーグを食べた。",
    "ja-menu": "ハンバーグ・ステーキ、ﾊﾝﾊﾞｰｸﾞ定食",
    "hi": "हिन्दी में रूसी दूतावास",
    "bg": "Европейският парламент и Роберта Мецола.",
    "ar": "قال مُحَمَّد إن السفارة في بروكسل",
    "th": "สถานทูตรัสเซียในกรุงบรัสเซลส์",
}


@pytest.fixture(scope="module")
def written_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("written") / "written.casebook"
    with db.create_case(path, title="As written") as case:
        for title, text in TEXTS.items():
            add_source(case, title=title, text=text)
        add_entity(case, kind="place", name="दूतावास", aliases=["ハンバーグ"])
    return path


def excerpts_found(case: db.Case, query: str, *, exact: bool = False) -> list[tuple[str, bool]]:
    return sorted((hit.detail.split(" · ")[0], hit.transliterated)
                  for group in search(case, query, exact=exact).groups if group.kind == "excerpt"
                  for hit in group.hits)


def test_a_word_is_spelt_as_written_then_folded():
    assert latin_spelling("ハンバーグ") == latin_spelling("ﾊﾝﾊﾞｰｸﾞ") == ["hanbagu"]
    assert latin_spelling("दूतावास") == ["dutavas"]
    assert latin_spelling("हिन्दी") == ["hindi"]
    assert latin_spelling("Мецола") == latin_spelling("МЕЦОЛА") == ["metsola"]
    assert latin_spelling("社長が") == ["she", "zhang", "ga"]            # ga: voiced, as written
    assert latin_spelling("สถานทูต") == ["s", "th", "a", "n", "thu", "t"]   # ู on its letter
    assert latin_spelling("مُحَمَّد") == latin_spelling("محمد") == ["mhmd"]  # harakat left out
    assert latin_spelling("Uhrík") == ["uhrik"] and latin_spelling("ABC") == ["abc"]
    # The index is fed the spelling as written and, where folding spells other
    # words, those too: what a file indexed before v13 found is still found.
    assert transliterate("हिन्दी में रूसी दूतावास").split()[:2] == ["hindi", "mem"]
    assert {"dutavas", "dtavas"} <= set(transliterate("दूतावास").split())
    assert {"evropeyskiyat", "evropeiskiyat"} <= set(transliterate(TEXTS["bg"]).split())
    # The query is spelt by the same function, as written.
    assert latin_terms("ハンバーグ") == ["hanbagu"] and latin_terms("दूतावास") == ["dutavas"]
    assert latin_terms("Европейският Мецола") == ["evropeyskiyat", "metsola"]


def test_hanbagu_finds_the_katakana_word_and_exact_does_not(written_case: Path):
    with db.open_case(written_case, read_only=True) as case:
        assert excerpts_found(case, "hanbagu") == [("ja", True), ("ja-menu", True)]
        assert excerpts_found(case, "hanba") == [("ja", True), ("ja-menu", True)]  # as typed
        assert excerpts_found(case, "hanbagu", exact=True) == []
        assert excerpts_found(case, "ハンバーグ") == [("ja", False), ("ja-menu", False)]
        entities = [hit.title for group in search(case, "hanbagu").groups
                    if group.kind == "entity" for hit in group.hits]
        assert entities == ["दूतावास"]


def test_the_cli_finds_hanbagu_marked_transliterated(written_case: Path):
    result = run_cli("search", written_case, "hanbagu", "--kind", "excerpt")
    assert result.returncode == 0, result.stderr
    assert "excerpts (2, 2 transliterated)" in result.stdout
    assert "ハンバーグを食べた" in result.stdout and "ハンバーグ・ステーキ" in result.stdout
    exact = run_cli("search", written_case, "hanbagu", "--kind", "excerpt", "--exact")
    assert exact.returncode == 0, exact.stderr
    assert "ハンバーグ" not in exact.stdout


def test_devanagari_is_found_by_its_whole_latin_spelling(written_case: Path):
    with db.open_case(written_case, read_only=True) as case:
        for query in ("dutavas", "Dutavas", "rusi dutavas", "hindi", "दूतावास"):
            assert ("hi", True) in excerpts_found(case, query) or query == "दूतावास", query
        assert excerpts_found(case, "दूतावास") == [("hi", False)]
        assert excerpts_found(case, "dutavas", exact=True) == []
        assert excerpts_found(case, "dtavas") == [("hi", True)]      # the old spelling still
    result = run_cli("search", written_case, "dutavas", "--kind", "excerpt")
    assert result.returncode == 0, result.stderr
    assert "दूतावास" in result.stdout and "(transliterated)" in result.stdout


def test_other_scripts_keep_their_spellings(written_case: Path):
    with db.open_case(written_case, read_only=True) as case:
        for query in ("metsola", "evropeiskiyat parlament", "evropeyskiyat", "mhmd brwksl",
                      "s th a n t"):
            assert [found for found, transliterated in excerpts_found(case, query)
                    if transliterated] == [{"metsola": "bg", "evropeiskiyat parlament": "bg",
                                            "evropeyskiyat": "bg", "mhmd brwksl": "ar",
                                            "s th a n t": "th"}[query]], query


def test_highlighting_lands_on_the_whole_word_as_written():
    def lit(text: str, terms: list[str]) -> list[str]:
        return [text[start:end] for start, end in highlight_spans(text, terms, transliterated=True)]

    assert lit(TEXTS["hi"], ["dutavas"]) == ["दूतावास"]          # its vowel sign inside the span
    assert lit(TEXTS["hi"], ["rusi", "duta"]) == ["रूसी", "दूतावास"]   # the last term a prefix
    assert lit(TEXTS["ja-menu"], ["hanbagu"]) == ["ハンバーグ", "ﾊﾝﾊﾞｰｸﾞ定食"]
    assert lit(TEXTS["bg"], ["evropeyskiyat"]) == ["Европейският"]
    assert lit(TEXTS["hi"], ["dtavas"]) == ["दूतावास"]
    assert highlight_spans(TEXTS["hi"], ["dutavas"]) == []   # not transliterated: nothing


def _spelt_folded(text: str | None) -> str:
    """The transliterated index's feed before v13: each word folded, then spelt."""
    if not text or all(word.isascii() for word in folded_words(text)):
        return ""
    words: dict[str, None] = {}
    for word in folded_words(text):
        words.update(dict.fromkeys(latin_spelling(word)))
    return " ".join(words)


def _latin_match(path: Path, index: str, query: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute(
            f"SELECT rowid FROM {index} WHERE {index} MATCH ? ORDER BY rowid", [query])]
    finally:
        conn.close()


def test_a_v12_file_is_backed_up_and_its_latin_indexes_fed_anew(tmp_path: Path):
    path = tmp_path / "v12.casebook"
    older_case(path, before="m013_latin_spelling_as_written", version=12)
    conn = sqlite3.connect(path, isolation_level=None)
    db.text.register_functions(conn)
    conn.create_function("casebook_transliterated_text", 1, _spelt_folded, deterministic=True)
    text = TEXTS["hi"] + " " + TEXTS["ja"]
    conn.execute("INSERT INTO sources (id, title, text, sha256, added_at, uid) "
                 "VALUES (2, 'v12', ?, ?, '2026-01-01', 'source-2')",
                 [text, hashlib.sha256(text.encode()).hexdigest()])
    conn.execute("INSERT INTO excerpts (source_id, start, \"end\", text, uid) "
                 "VALUES (2, 0, ?, ?, 'excerpt-2')", [len(text), text])
    conn.execute("UPDATE entities SET name = 'ハンバーグ' WHERE id = 2")
    conn.close()
    assert _latin_match(path, "excerpts_latin_fts", "dtavas") == [2]     # as v12 spelt it
    assert _latin_match(path, "excerpts_latin_fts", "hanbagu OR dutavas") == []
    assert _latin_match(path, "entities_latin_fts", "hanbagu") == []
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == db.SCHEMA_VERSION
        assert case.upgrade is not None and case.upgrade.from_version == 12
        assert excerpts_found(case, "hanbagu") == excerpts_found(case, "dutavas") == [("v12", True)]
        assert [hit.title for group in search(case, "hanbagu").groups if group.kind == "entity"
                for hit in group.hits] == ["ハンバーグ"]
        # The indexes agree with their rows (older_case's own source has a made-up hash).
        assert check_case(case).problems == ["source 1 ('s'): sha256 mismatch"]
    assert _latin_match(path, "excerpts_latin_fts", "hanbagu") == [2]
    assert _latin_match(path, "excerpts_latin_fts", "dtavas") == [2]     # still found
    backups = list(tmp_path.glob("v12.casebook.v12-*.bak"))
    assert [case.upgrade.backup] == backups
    assert _latin_match(backups[0], "excerpts_latin_fts", "hanbagu") == []   # as it was
    result = run_cli("search", path, "hanbagu", "--kind", "excerpt")
    assert result.returncode == 0, result.stderr
    assert "ハンバーグ" in result.stdout and "upgraded" not in result.stderr
