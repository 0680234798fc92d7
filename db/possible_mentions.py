"""Possible mentions: words a person would link to an entity that are not its
name or an alias as written, proposed for review, never linked silently.

An excerpt's words are compared with every name and alias of the case by
their *skeleton*: the folded word spelt in Latin (anyascii, so ``Мецола`` is
``metsola``) with spellings that differ between languages made one (``w``/``v``,
``ph``/``f``, ``y``/``i``, doubled letters). A word is proposed when its
skeleton is the name's (``Logwinow``, ``Мецола``), is the name with an
inflection (``Logvinova``, ``Logwinows``, ``Uhríkovi``: the name, its last
letter perhaps changed, and up to three more) or is close to it (rapidfuzz,
``SIMILAR`` and more). Names are looked up by the first four letters of their
skeleton, so a text is compared with the few names it could be; how a word
resembles those names is worked out once per word and kept (``_CACHED``).

Proposals stay few on a large case: words that resemble the names of more
than ``AMBIGUOUS`` entities (a surname that forty namesakes carry as an
alias) name none of them in particular and are not proposed, and a paragraph
gets at most ``PER_PARAGRAPH`` proposals, the closest.

A **generic alias** ("Russian Embassy" of "Russian Embassy in Uccle": the
name cut just before ``in``, ``of``, ``to`` ...) is not linked where the text
names another place or body right after it ("the Russian embassy in Dublin"):
there it is proposed for review instead (:mod:`db.mentions` leaves it out).

Each proposal is judged ``link`` (the excerpt is linked to the entity),
``not`` or ``skip`` (it stays in the queue); every judgement is kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from .casefile import Case, utc_now
from .errors import InvalidValueError, NotFoundError
from .mentions import refresh_mention_names
from .models import PossibleMention
from .name_forms import (
    KEY_LETTERS,
    MIN_LETTERS,
    StoredForm,
    is_generic,
    name_form_rows,
    names_another,
    skeleton,
)
from .paging import keyset_pages
from .tables import EXCERPT_ENTITIES, POSSIBLE_MENTION_JUDGEMENTS, POSSIBLE_MENTIONS
from .text import folded_words, tokens

JUDGEMENTS = ("link", "not", "skip")
REASONS = ("inflected", "transliterated", "similar", "generic")
SIMILAR = 88          # rapidfuzz ratio from which a different word is proposed
MAX_ENDING = 3        # letters an inflection may add ("Logvinov" -> "Logvinova")
SHARED_SURNAME = 3    # a surname alone is proposed for at most this many persons who bear it
AMBIGUOUS = 3         # words that resemble more entities than this are proposed for none
PER_PARAGRAPH = 12    # proposals a paragraph gets at most: the closest
_CACHED = 50_000      # words whose resemblances are kept at once

# Endings that make a place's name an adjective or a people: "Russian", "Chinese".
_DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "ns", "ans", "ians", "ese", "ish", "i", "er", "ers"})


class Proposal(NamedTuple):
    """A possible mention found in a paragraph, before it is stored (a tuple,
    not a model: a paragraph's are many while compared, and most are dropped)."""

    entity_id: int
    start: int
    end: int
    form: str
    name: str
    reason: str
    score: float


def resemblance(word: str, name: str, *, person: bool = True) -> tuple[str, float] | None:
    """How the skeleton ``word`` resembles the skeleton ``name``: (reason,
    score), or None. Equal skeletons are a different spelling of the name.
    The name of a place or body with a demonym's ending is not an inflection."""
    from rapidfuzz import fuzz  # here: the browser's start-up does not load it

    if word == name:
        return "similar", 100.0
    if len(name) >= MIN_LETTERS:
        # The name and an ending; a name ending in a vowel may change it (Metsola, Metsoli).
        stem = name if word.startswith(name) or name[-1] not in "aeiou" else name[:-1]
        if word.startswith(stem) and len(word) - len(stem) <= MAX_ENDING:
            if not (person or word[len(name):] not in _DEMONYM_ENDINGS):
                return None   # "Russian" is not a mention of Russia
            return "inflected", fuzz.ratio(word, name)
    if word[:1] == name[:1]:
        score = fuzz.ratio(word, name)
        if score >= SIMILAR:
            return "similar", score
    return None


class _Name(NamedTuple):
    entity_id: int
    name: str                     # as written
    words: tuple[str, ...]        # folded
    skeletons: tuple[str, ...]
    generic: bool
    person: bool = False
    surname: bool = False          # a person's last name alone, not a name or alias


# A row of _FORMS_BY_KEY: entity id, entity kind, entity name, then the rest of the stored form.
_FormRow = Sequence[Any]
_FORMS_BY_KEY = (
    "WITH wanted(key) AS (SELECT value FROM json_each(?)), "
    "found(entity_id, name) AS (SELECT entity_id, name FROM name_forms WHERE first_key IN wanted "
    "UNION SELECT entity_id, name FROM name_forms WHERE last_key != '' AND last_key IN wanted) "
    "SELECT f.entity_id, e.kind, e.name, f.name, f.words, f.skeletons, f.first_key, f.last_key "
    "FROM found JOIN name_forms f USING (entity_id, name) JOIN entities e ON e.id = f.entity_id "
    "WHERE e.retired = 0 AND (f.first_key IN wanted OR e.kind = 'person') "
    "ORDER BY f.entity_id, f.name")
_KEYS_PER_QUERY = 500
_HELD = 100_000       # names read forms hold at most before a document (then they forget them)


class NameForms:
    """Every name and alias of a case, looked up by its skeleton's first letters.

    Built from names (the constructor works out their skeletons), from the
    stored forms of a whole case (:meth:`of_case`), or reading from the case
    only the names that begin with the first letters a document's words do
    (:meth:`for_words`, and any other first letters when a text asks): a
    document of a thousand words reads a few hundred of 300,000 names.
    """

    def __init__(self, names: Iterable[tuple[int, str, str, str]] = (), *,
                 reader: Callable[[list[str]], Iterable[_FormRow]] | None = None):
        """``names``: (entity id, entity kind, entity name, this name or alias).
        ``reader``: the rows of the stored forms whose first (or, for a
        person, last) key is one of those given, in (entity id, name) order."""
        self._by_prefix: dict[str, list[_Name]] = defaultdict(list)
        self._shapes: dict[str, str] = {}   # each word's skeleton, worked out once
        self._surnames: dict[str, set[int]] = defaultdict(set)   # the persons of each surname
        # Each word's candidates with how their first word resembles it: (name, reason, score).
        self._alike: dict[str, list[tuple[_Name, str, float]]] = {}
        # ... those that may begin at a word followed by one of a first letter:
        # a word resembles a name's only if both begin alike (``resemblance``),
        # and "reports" begins 1,274 names of documents ("Report 3464/2023").
        self._followed: dict[tuple[str, str], list[tuple[_Name, str, float]]] = {}
        self._reader = reader
        self._read: set[str] = set()   # the keys whose names the reader has given
        self._held = 0                 # the names read from it
        given = list(names)
        kinds = {entity_id: (kind, entity_name) for entity_id, kind, entity_name, _ in given}
        for form in name_form_rows((entity_id, name) for entity_id, _, _, name in given):
            kind, entity_name = kinds[form.entity_id]
            self._add(kind, entity_name, form, first=True, last=True)

    @classmethod
    def of_case(cls, case: Case) -> "NameForms":
        """Every name of the case, from its stored forms (kept up to date)."""
        refresh_mention_names(case)
        forms = cls()
        for rows in keyset_pages(
                case, "SELECT f.entity_id, e.kind, e.name AS entity_name, f.name, f.words, f.skeletons, "
                "f.first_key, f.last_key FROM name_forms f JOIN entities e ON e.id = f.entity_id",
                key=("f.entity_id", "f.name"), where="e.retired = 0", page=20_000):
            for row in rows:
                forms._add(row[1], row[2], StoredForm(row[0], *row[3:]), first=True, last=True)
        return forms

    @classmethod
    def reading(cls, case: Case) -> "NameForms":
        """Forms that read the names from the case as words ask for them, by
        their keys (:meth:`read_words` first, for many words in a few
        queries): one for many documents reads each key once."""
        refresh_mention_names(case)

        def read(keys: list[str]) -> Iterator[_FormRow]:
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                chunk = json.dumps(keys[start:start + _KEYS_PER_QUERY])
                yield from case.rows(_FORMS_BY_KEY, [chunk])

        return cls(reader=read)

    @classmethod
    def for_words(cls, case: Case, words: Iterable[str]) -> "NameForms":
        """The names the folded ``words`` could resemble, read from the case by
        their keys (and, later, those of any other word a text has)."""
        forms = cls.reading(case)
        forms.read_words(words)
        return forms

    def read_words(self, words: Iterable[str]) -> None:
        """Read the names these folded words could resemble, before a document's
        paragraphs are compared (nothing for forms built from names). Forms
        holding more than ``_HELD`` names forget them first: a directory of
        varied documents never holds every name of a large case."""
        if self._reader is None:
            return
        if self._held > _HELD:
            self._forget()
        self._read_keys({shape[:KEY_LETTERS] for shape in map(self._shape, set(words))
                         if len(shape) >= KEY_LETTERS})

    def _forget(self) -> None:
        self._by_prefix.clear()
        self._surnames.clear()
        self._alike.clear()
        self._followed.clear()
        self._read.clear()
        self._held = 0

    def _add(self, kind: str, entity_name: str, form: StoredForm, *, first: bool, last: bool) -> None:
        """A stored form of an entity's name into the buckets of its first key
        (``first``) and, for a person, its last (``last``: the surname alone)."""
        words = tuple(form.words.split(" "))
        skeletons = tuple(form.skeletons.split(" "))
        if len(words) != len(skeletons) or not all(skeletons):
            return   # a stored row edited out of shape: it proposes nothing (casebook check names it)
        person = kind == "person"
        if first:   # (is_generic is False for a person: the entity's name is not folded for one)
            generic = not person and form.name != entity_name and is_generic(
                kind, folded_words(entity_name), words)
            self._by_prefix[form.first_key].append(
                _Name(form.entity_id, form.name, words, skeletons, generic, person))
        if last and person and form.last_key:
            # A person is often named by the surname alone ("Logvinova").
            self._by_prefix[form.last_key].append(
                _Name(form.entity_id, form.name, words[-1:], skeletons[-1:], False, True, True))
            self._surnames[skeletons[-1]].add(form.entity_id)

    def _read_keys(self, keys: Iterable[str]) -> None:
        """Fill the buckets of these keys, each whole, from the reader: a row
        found by one key goes only in that key's bucket (another key's is
        filled when it is read)."""
        wanted = sorted(set(keys) - self._read)
        if self._reader is None or not wanted:
            return
        self._read.update(wanted)
        asked = set(wanted)
        for entity_id, kind, entity_name, *stored in self._reader(wanted):
            form = StoredForm(entity_id, *stored)
            self._add(kind, entity_name, form, first=form.first_key in asked, last=form.last_key in asked)
            self._held += 1

    def _shape(self, word: str) -> str:
        shape = self._shapes.get(word)
        if shape is None:
            shape = self._shapes[word] = skeleton(word)
        return shape

    def _candidates(self, shape: str) -> list[_Name]:
        if len(shape) < KEY_LETTERS:   # "a", "in", "EU": too short to guess at
            return []
        key = shape[:KEY_LETTERS]
        if key not in self._read and self._reader is not None:
            self._read_keys([key])
        return self._by_prefix.get(key, [])

    def _resembling(self, shape: str) -> list[tuple[_Name, str, float]]:
        """The names whose first word resembles the skeleton ``shape``, with how."""
        alike = self._alike.get(shape)
        if alike is None:
            if len(self._alike) >= _CACHED:
                self._alike.clear()
                self._followed.clear()
            alike = self._alike[shape] = []
            for known in self._candidates(shape):
                if known.surname and len(self._surnames[known.skeletons[0]]) > SHARED_SURNAME:
                    continue
                found = resemblance(shape, known.skeletons[0], person=known.person)
                if found is not None:
                    alike.append((known, *found))
        return alike

    def _resembling_before(self, shape: str, following: str) -> list[tuple[_Name, str, float]]:
        """The names that resemble ``shape`` and may go on with a word that
        begins with the letter ``following`` ("" at the end): every one-word
        name, and the longer ones whose second word begins with it."""
        key = (shape, following)
        alike = self._followed.get(key)
        if alike is None:
            alike = self._followed[key] = [
                each for each in self._resembling(shape)
                if len(each[0].skeletons) == 1 or each[0].skeletons[1][:1] == following]
        return alike

    def could_name(self, words: Iterable[str]) -> bool:
        """Whether folded words could begin any name (a cheap test first)."""
        return any(self._candidates(self._shape(word)) for word in words)

    def propose(self, text: str, linked: Iterable[int] = (), *,
                words: Sequence[str] | None = None) -> list[Proposal]:
        """The possible mentions in ``text`` of entities not in ``linked``
        (those it names exactly), the best proposal per entity and span.
        ``words``, the text's folded words if known, skip a text that could
        name no one (or names everyone it resembles as written) at once."""
        if not self._by_prefix and self._reader is None:
            return []
        skip = set(linked)
        if words is not None:
            places = self._places(words, skip)
            if not places:
                return []
        found = list(tokens(text))
        written = [word for _, _, word in found]
        if words is None or written != list(words):
            places = self._places(written, skip)
        shapes = [self._shape(word) for word in written]
        best: dict[tuple[int, int, int], Proposal] = {}
        for position, alike in places:
            for known, reason, score in alike:
                proposal = self._compare(text, found, written, shapes, position, known, reason, score)
                if proposal is None:
                    continue
                key = (proposal.entity_id, proposal.start, proposal.end)
                if key not in best or best[key].score < proposal.score:
                    best[key] = proposal
        return _few(best.values())

    def _places(self, words: Sequence[str], skip: set[int]
                ) -> list[tuple[int, list[tuple[_Name, str, float]]]]:
        """The positions of the folded ``words`` that resemble a name other
        than as it is written, with those names (a one-word name as written
        is linked, not proposed): most paragraphs name only places and bodies
        exactly, and are then not tokenized again."""
        places = []
        shapes = [self._shape(word) for word in words]
        for position, (word, shape) in enumerate(zip(words, shapes, strict=True)):
            if len(shape) < KEY_LETTERS:
                continue
            following = shapes[position + 1][:1] if position + 1 < len(shapes) else ""
            alike = [each for each in self._resembling_before(shape, following)
                     if each[0].entity_id not in skip
                     and (len(each[0].words) > 1 or each[0].generic or each[0].words[0] != word)]
            if alike:
                places.append((position, alike))
        return places

    @staticmethod
    def _compare(text: str, found: list[tuple[int, int, str]], words: list[str],
                 shapes: list[str], position: int, known: _Name, first_reason: str,
                 first_score: float) -> Proposal | None:
        """The proposal of ``known`` at ``position``, whose first word resembles
        the text's as ``first_reason`` and ``first_score`` say, or None."""
        count = len(known.words)
        if position + count > len(words):
            return None
        span = range(position, position + count)
        start, end = found[position][0], found[position + count - 1][1]
        if tuple(words[position:position + count]) == known.words:
            if not known.generic or not names_another(words, position + count):
                return None   # the name as written: linked by db.mentions
            return Proposal(known.entity_id, start, end, text[start:end], known.name, "generic", 100.0)
        reasons, scores = [first_reason], [first_score]
        for i, name_shape in zip(span[1:], known.skeletons[1:], strict=True):
            alike = resemblance(shapes[i], name_shape, person=known.person)
            if alike is None:
                return None
            reasons.append(alike[0])
            scores.append(alike[1])
        if not any(word.isascii() for word in words[position:position + count]) \
                and all(reason == "similar" for reason in reasons):
            reason = "transliterated"
        else:
            reason = "inflected" if "inflected" in reasons else "similar"
        return Proposal(known.entity_id, start, end, text[start:end], known.name, reason,
                        round(min(scores), 1))


def _few(proposals: Iterable[Proposal]) -> list[Proposal]:
    """The proposals a person would review, in text order: one for words inside
    another's of the same entity ("Logvinova" in "Kirill Logvinova": the
    longer), none for words that resemble more than ``AMBIGUOUS`` entities, at
    most ``PER_PARAGRAPH``, the closest."""
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    entities: dict[tuple[int, int], set[int]] = defaultdict(set)
    every = list(proposals)
    for p in every:
        spans[p.entity_id].append((p.start, p.end))
        entities[(p.start, p.end)].add(p.entity_id)
    kept = [p for p in every if len(entities[(p.start, p.end)]) <= AMBIGUOUS and not any(
        (start, end) != (p.start, p.end) and start <= p.start and p.end <= end
        for start, end in spans[p.entity_id])]
    kept = sorted(kept, key=lambda p: (-p.score, p.start, p.entity_id))[:PER_PARAGRAPH]
    return sorted(kept, key=lambda p: (p.start, p.entity_id))


# -- stored proposals and their judgements ------------------------------------


def store_proposals(tx: sqlite3.Connection, excerpt_id: int, proposals: Iterable[Proposal]) -> int:
    """Write an excerpt's proposals inside a write transaction; returns how many are new."""
    insert = POSSIBLE_MENTIONS.insert(with_id=False, or_ignore=True)
    at = utc_now()
    before = tx.total_changes
    tx.executemany(insert.sql, [insert.values(p, excerpt_id=excerpt_id, proposed_at=at, judgement="")
                                for p in proposals])
    return tx.total_changes - before


def propose_mentions(case: Case, *, excerpt_ids: Sequence[int] | None = None,
                     forms: NameForms | None = None) -> int:
    """Find and store the possible mentions of excerpts (all, or those given);
    returns how many are new."""
    forms = forms or NameForms.of_case(case)
    where = "" if excerpt_ids is None else \
        f" WHERE x.id IN ({','.join('?' * len(excerpt_ids))})"
    rows = case.rows(
        "SELECT x.id, x.text, (SELECT group_concat(entity_id) FROM excerpt_entities l "
        f"WHERE l.excerpt_id = x.id) FROM excerpts x{where}", list(excerpt_ids or []))
    added = 0
    with case.write() as tx:
        for excerpt_id, text, linked in rows:
            ids = [int(each) for each in linked.split(",")] if linked else []
            added += store_proposals(tx, excerpt_id, forms.propose(text, ids))
    return added


def possible_mentions(case: Case, *, open_only: bool = True, limit: int = 100,
                      after: int = 0) -> list[PossibleMention]:
    """Proposals in id order: with ``open_only`` those not judged yet or skipped."""
    where = "judgement IN ('', 'skip') AND " if open_only else ""
    rows = case.rows(f"SELECT {POSSIBLE_MENTIONS.select()} FROM possible_mentions "
                     f"WHERE {where}id > ? ORDER BY id LIMIT ?", [after, limit])
    return [PossibleMention(**dict(row)) for row in rows]


def possible_mentions_by_ids(case: Case, ids: list[int]) -> list[PossibleMention]:
    """The proposals of these ids that exist, in the order given."""
    if not ids:
        return []
    rows = case.rows(f"SELECT {POSSIBLE_MENTIONS.select()} FROM possible_mentions "
                     "WHERE id IN (SELECT value FROM json_each(?))", [str(list(ids))])
    found = {row["id"]: PossibleMention(**dict(row)) for row in rows}
    return [found[i] for i in ids if i in found]


def possible_mention(case: Case, mention_id: int) -> PossibleMention:
    row = case.row(f"SELECT {POSSIBLE_MENTIONS.select()} FROM possible_mentions WHERE id = ?",
                   [mention_id])
    if row is None:
        raise NotFoundError(f"no possible mention {mention_id}")
    return PossibleMention(**dict(row))


def count_open(case: Case) -> int:
    return int(case.scalar(
        "SELECT count(*) FROM possible_mentions WHERE judgement IN ('', 'skip')"))


def judge_mention(case: Case, mention_id: int, judgement: str, *, annotator: str) -> bool:
    """Record a judgement of a possible mention (and, for ``link``, link its
    excerpt to its entity) in one transaction; returns whether a new link was made."""
    if judgement not in JUDGEMENTS:
        raise InvalidValueError(f"judgement must be one of {', '.join(JUDGEMENTS)}, not {judgement!r}")
    if not annotator.strip():
        raise InvalidValueError("an annotator is needed to judge a possible mention")
    with case.write() as tx:
        row = tx.execute("SELECT excerpt_id, entity_id FROM possible_mentions WHERE id = ?",
                         [mention_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no possible mention {mention_id}")
        insert = POSSIBLE_MENTION_JUDGEMENTS.insert(with_id=False)
        tx.execute(insert.sql, insert.values(None, possible_mention_id=mention_id,
                                             judgement=judgement, annotator=annotator, at=utc_now()))
        if judgement != "link":
            return False
        before = tx.total_changes
        tx.execute(EXCERPT_ENTITIES.insert(or_ignore=True).sql, [row[0], row[1]])
        return tx.total_changes > before


def judgements(case: Case, mention_id: int) -> list[tuple[str, str, str]]:
    """Every judgement of a possible mention, oldest first: (judgement, annotator, at)."""
    return [(row[0], row[1], row[2]) for row in case.rows(
        "SELECT judgement, annotator, at FROM possible_mention_judgements "
        "WHERE possible_mention_id = ? ORDER BY at, id", [mention_id])]
