"""Groundwork for transliterated search (issue 14 point 4): the Latin
spelling of words in other scripts, folded, from anyascii's offline tables."""

from __future__ import annotations

import pytest

from db.text import transliterate


@pytest.mark.parametrize(("text", "expected"), [
    ("Мецола", "metsola"),
    ("Μέτσολα", "metsola"),
    ("Роберта Мецола", "roberta metsola"),
])
def test_other_scripts_are_spelt_in_latin(text: str, expected: str) -> None:
    assert transliterate(text) == expected


def test_plain_ascii_words_add_nothing() -> None:
    assert transliterate("Roberta Metsola") == ""
    assert transliterate("") == ""
    assert transliterate(None) == ""
    # Latin with diacritics folds to ASCII already (db.text.fold): nothing to add.
    assert transliterate("Łódź") == ""
    # A text with a word in another script keeps its ASCII words too (a query
    # mixing both finds it in the transliterated index alone).
    assert transliterate("Roberta Мецола") == "roberta metsola"


def test_repeated_words_are_spelt_once() -> None:
    assert transliterate("Мецола, Мецола и Мецола") == "metsola i"
