"""A name as possible mentions look it up (the ``name_forms`` table, schema v12),
and the words around a name that say it names something else.

A name's *skeleton* is each folded word spelt in Latin (anyascii, so
``Мецола`` is ``metsola``) with spellings that differ between languages made
one (``w``/``v``, ``ph``/``f``, ``y``/``i``, doubled letters). Each name and
alias is stored with its words and skeletons when it is written
(:func:`name_form_rows`), so that :mod:`db.possible_mentions` reads the
names a text could be by their first letters, and :mod:`db.mentions` and
the schema's migration make the same rows. Nothing here reads a case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from .text import folded_words, latin_spelling

MIN_LETTERS = 5       # a one-word name shorter than this is never guessed at
KEY_LETTERS = 4       # names are looked up by the first letters of their skeleton

# Words after which a generic alias names something else: "in Dublin", "to the EU".
PREPOSITIONS = frozenset({
    "in", "at", "to", "of", "for", "from", "near", "de", "du", "des", "d", "en", "a", "au", "aux",
    "im", "bei", "zu", "van", "te", "nel", "di", "w", "we", "v", "vo", "в", "во", "при", "στο",
    "στη", "στην",
})
# ... unless only an article or a pronoun follows ("in the city", "of its staff").
_NOT_A_NAME = frozenset({"the", "a", "an", "its", "their", "his", "her", "this", "that", "la",
                         "le", "les", "l", "der", "die", "das", "dem", "den", "het", "een"})

_SPELLINGS = [("ph", "f"), ("w", "v"), ("y", "i"), ("ck", "k"), ("x", "ks"), ("q", "k")]
_DOUBLED = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """A folded word as :mod:`db.possible_mentions` compares it: spelt in
    Latin, with spellings that differ between languages made one."""
    spelt = "".join(latin_spelling(word))
    for written, said in _SPELLINGS:
        spelt = spelt.replace(written, said)
    return _DOUBLED.sub(r"\1", spelt)


def is_generic(kind: str, name_words: Sequence[str], alias_words: Sequence[str]) -> bool:
    """Whether an alias is the entity's name cut before the words that say
    which one it is ("Russian Embassy" of "Russian Embassy in Uccle")."""
    count = len(alias_words)
    return (kind != "person" and 0 < count < len(name_words)
            and tuple(name_words[:count]) == tuple(alias_words)
            and name_words[count] in PREPOSITIONS)


def names_another(words: Sequence[str], after: int) -> bool:
    """Whether the folded words from ``after`` name a place or body: a
    preposition and then a word that is not an article ("in Dublin")."""
    return (after + 1 < len(words) and words[after] in PREPOSITIONS
            and words[after + 1] not in _NOT_A_NAME and words[after + 1] not in PREPOSITIONS)


class StoredForm(NamedTuple):
    """A ``name_forms`` row (schema v12): a name or alias as
    :class:`db.possible_mentions.NameForms` looks it up, worked out once when
    the name is written, not on every read."""

    entity_id: int
    name: str          # as written
    words: str         # its folded words, separated by single spaces
    skeletons: str     # each word's skeleton, separated by single spaces
    first_key: str     # the first letters of the first word's skeleton
    last_key: str      # those of the last word's ('' for a name of one word or a short last word)


def name_form_rows(names: Iterable[tuple[int, str]]) -> Iterator[StoredForm]:
    """The stored forms of ``(entity id, name or alias)``: none for a name
    without words or of one word shorter than ``MIN_LETTERS`` (never guessed at)."""
    shapes: dict[str, str] = {}
    for entity_id, name in names:
        words = folded_words(name)
        if not words or (len(words) == 1 and len(words[0]) < MIN_LETTERS):
            continue
        skeletons = []
        for word in words:
            shape = shapes.get(word)
            if shape is None:
                shape = shapes[word] = skeleton(word)
            skeletons.append(shape)
        last = skeletons[-1][:KEY_LETTERS] if len(words) > 1 and len(words[-1]) >= MIN_LETTERS else ""
        yield StoredForm(entity_id, name, " ".join(words), " ".join(skeletons),
                         skeletons[0][:KEY_LETTERS], last)
