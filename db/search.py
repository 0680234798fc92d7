"""Full-text search over entities, events, excerpts and claims, fast at scale.

User input is never passed raw to MATCH: it is cut into words the way the
FTS5 tokenizer cuts them, each word quoted, the last one a prefix (search as
you type). Any string at all yields results or none, never a syntax error.

Searching as you type comes in two stages (README, Benchmarks, has the figures):

- :func:`first_matches` answers at once: the first matches in index order and
  how many there are (up to a cap). An unranked ``LIMIT`` stops after a few
  index pages: about a millisecond a keystroke at a million excerpts.
- :func:`search` orders them by relevance, FTS5's bm25, which weighs every
  matching row before it can return the best: at a million excerpts a
  one-letter prefix matches nearly all of them, a second of work. So kinds
  are ranked, fewest matches first, while all they rank together is at most
  ``RANK_AT_ONCE`` matches (then exactly as bm25 orders them), and only when
  no word of the query is common enough (``PHRASE_LIMIT``) that bm25's count
  of the rows holding it would cost more; the others' hits stay in index
  order and their groups say ``ranked=False``.
- :func:`refine` then ranks those too, while the analyst reads; the next
  keystroke cancels it.

:class:`Searcher` runs both for a browser: each keystroke supersedes the
search for the one before, which stops at once with ``ReadInterrupted``.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from .casefile import Case
from .entities import entities_by_ids
from .errors import CaseFileError, ReadInterrupted
from .kinds import SEARCHED_KINDS, KindName, SearchHit, item_kind
from .models import Entity, Model
from .paging import live
from .text import (
    focus,
    fold,
    folded_words,
    highlight_spans,
    latin_spelling,
    nfc,
    query_phrases,
    tokens,
    written_words,
)

Kind = KindName   # "entity", "event", "excerpt", "claim" (db/kinds.py)

_SQLITE_CORRUPT = 11       # primary code; FTS5 says SQLITE_CORRUPT_VTAB (267)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reads_the_index(read: Callable[_P, _R]) -> Callable[_P, _R]:
    """A search over a damaged index (pages of a received file overwritten)
    fails with one line a user can act on, as a ``CaseFileError``, not with
    SQLite's error: the browser says it and goes on."""
    @functools.wraps(read)
    def reading(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return read(*args, **kwargs)
        except sqlite3.DatabaseError as error:
            if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF != _SQLITE_CORRUPT:
                raise
            raise CaseFileError(f"the search index is damaged ({error}); "
                                "`casebook check` names what is wrong") from None
    return reading

KINDS: tuple[str, ...] = tuple(kind.name for kind in SEARCHED_KINDS)
MAX_TERMS = 12
MAX_TERM_LENGTH = 64
MAX_PHRASES = 16      # a MATCH expression's phrases at most (a word mixing scripts is several)
# A kind's full list of matches (``matches_page``) is by relevance up to
# this many matches, in index order beyond.
RANK_LIMIT = 5_000
# Matches ``search`` ranks at once, every kind together, at most. bm25 costs
# some 2-8 µs a matching row (on a generated case of 1,000,000 excerpts, on
# this two-core machine, loaded or not): this bounds a keystroke's ranking
# near 2-8 ms. The kinds with the fewest matches are ranked first, the rest
# stay in index order (until ``refine``). It is the default ``count_cap``
# too, so the count a keystroke reads for its first matches tells it.
RANK_AT_ONCE = 1_000
# Before ranking, bm25 counts the rows that hold each phrase of the query (its
# rarity), some 0.05 µs a row: "in" or "o*" in a million excerpts is half a
# million rows, 30-90 ms, however few rows match the whole query. A query with
# a phrase in more rows than this is left in index order.
PHRASE_LIMIT = 20_000

# Each kind's search index, and its index of words in other scripts spelt in Latin.
FTS_TABLES: dict[str, str] = {
    kind.name: kind.search_index.name for kind in SEARCHED_KINDS if kind.search_index}
LATIN_TABLES: dict[str, str] = {
    kind.name: kind.latin_index.name for kind in SEARCHED_KINDS if kind.latin_index}


class SearchGroup(Model):
    kind: Kind
    hits: tuple[SearchHit, ...]
    total: int            # matches counted, up to count_cap
    capped: bool          # True when there are more than ``total``
    ranked: bool = True   # hits by relevance; False: in index order (first stage,
                          # or too many to rank at once: see ``search``)
    transliterated: int = 0  # of ``total``, matches found only by the Latin spelling
                             # of words in another script: their hits come last


class SearchResults(Model):
    query: str
    terms: tuple[str, ...]  # folded words, the last a prefix: for highlighting
    groups: tuple[SearchGroup, ...]
    latin_terms: tuple[str, ...] = ()  # the terms spelt in Latin, for transliterated hits
    exact: bool = False     # transliteration was off

    @property
    def empty(self) -> bool:
        return not any(group.hits for group in self.groups)

    @property
    def ranked(self) -> bool:
        return all(group.ranked for group in self.groups)


def _once(words: list[str]) -> list[str]:
    """Each word once, in order, and the last one last: it is the prefix being
    typed (``a a`` is the word ``a`` and a word beginning with ``a``). A query
    that repeats a word (pasted, 2,000 times) finds what it finds once."""
    if not words:
        return words
    *head, last = words
    return [*dict.fromkeys(head), last]


def query_terms(query: str) -> list[str]:
    """The folded words of a query, as the index sees them: each once, at most
    ``MAX_TERMS`` of them, each at most ``MAX_TERM_LENGTH`` characters."""
    return list(_query_terms(query))


@functools.lru_cache(maxsize=64)
def _query_terms(query: str) -> tuple[str, ...]:
    # Cached: a keystroke's stages ask for its words several times, and a
    # pasted query of 10,000 characters is 2,000 words to fold each time.
    words: list[str] = []
    seen: set[str] = set()
    for _, _, word in tokens(nfc(query.replace("\x00", " "))):
        word = word[:MAX_TERM_LENGTH]
        if word not in seen and len(seen) == MAX_TERMS:
            break
        seen.add(word)
        words.append(word)
    return tuple(_once(words)[:MAX_TERMS])


def match_phrases(query: str) -> list[str]:
    """The quoted FTS5 phrases of a query, its words in order (at most
    ``MAX_PHRASES``), the last a prefix (``*``) so results follow the typing."""
    quoted = []
    terms = query_terms(query)
    for number, term in enumerate(terms):
        phrases = query_phrases(term)
        for part, (phrase, may_be_prefix) in enumerate(phrases):
            last = number == len(terms) - 1 and part == len(phrases) - 1
            quoted.append(f'"{phrase}"' + ("*" if last and may_be_prefix else ""))
    return quoted if len(quoted) <= MAX_PHRASES else [*quoted[:MAX_PHRASES - 1], quoted[-1]]


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for free text, or None if it has no words.

    Every word is a quoted string (so AND, NEAR, *, ^, quotes and brackets are
    just text); the last word is a prefix so results follow the typing.
    """
    return " ".join(match_phrases(query)) or None


def latin_terms(query: str) -> list[str]:
    """The query's words spelt in Latin as written (``Мецола`` -> ``metsola``,
    ``ハンバーグ`` -> ``hanbagu``), as the transliterated indexes hold them."""
    return list(_latin_terms(query))


@functools.lru_cache(maxsize=64)
def _latin_terms(query: str) -> tuple[str, ...]:
    # Cached as _query_terms is: at most MAX_TERMS words of a pasted query, each spelt once.
    words = _once(written_words(nfc(query.replace("\x00", " ")), MAX_TERMS))
    spelt = [latin[:MAX_TERM_LENGTH] for word in words
             for latin in latin_spelling(word[:MAX_TERM_LENGTH])]
    return tuple(_once(spelt)[:MAX_TERMS])


def latin_expression(query: str) -> str | None:
    """The MATCH expression of the query spelt in Latin, or None if it has no words."""
    terms = latin_terms(query)
    if not terms:
        return None
    return " ".join(f'"{term}"' + ("*" if number == len(terms) - 1 else "")
                    for number, term in enumerate(terms))


def _phrases_of(expression: str) -> list[str]:
    """The phrases of a MATCH expression made here: quoted, none holding a quote."""
    return [f'"{phrase}' for phrase in expression[1:].split(' "')]


def cheap_to_rank(case: Case, table: str, expression: str) -> bool:
    """Whether bm25's count of the rows that hold each phrase of ``expression``
    (``PHRASE_LIMIT``) is cheap: always, for one phrase, whose rows are the
    matches, which callers have counted."""
    phrases = _phrases_of(expression)
    return len(phrases) < 2 or all(
        int(case.scalar(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? "
                        "LIMIT ?)", [phrase, PHRASE_LIMIT + 1])) <= PHRASE_LIMIT
        for phrase in phrases)


def _live(kind: str, include_retired: bool, rowid: str = "rowid") -> str:
    """The condition that leaves retired items out (a partial index of the few
    retired ids keeps it cheap), or nothing with ``include_retired``."""
    condition = live(str(item_kind(kind).table), include_retired=include_retired, column=rowid)
    return f" AND {condition}" if condition else ""


def count_matches(case: Case, kind: str, expression: str, cap: int, *,
                  include_retired: bool = False) -> int:
    """Matches of ``expression``, counted up to ``cap + 1`` (more than cap)."""
    table = FTS_TABLES[kind]
    return int(case.scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ?"
        f"{_live(kind, include_retired)} LIMIT ?)",
        [expression, cap + 1],
    ))


def first_ids(case: Case, kind: str, expression: str, limit: int, *,
              include_retired: bool = False) -> list[int]:
    """The first matches in index order: no ranking, a few index pages read."""
    return first_ids_and_count(case, kind, expression, limit, cap=limit,
                               include_retired=include_retired)[0]


def first_ids_and_count(
    case: Case, kind: str, expression: str, limit: int, *, cap: int, include_retired: bool = False
) -> tuple[list[int], int]:
    """The first ``limit`` matches in index order and the matches counted up
    to ``cap + 1``, in one query: a prefix longer than the prefix indexes
    (``offic*``) merges every word it covers before the first row comes, so
    that is done once rather than for the ids and again for the count."""
    table = FTS_TABLES[kind]
    rows = case.rows(f"SELECT rowid FROM {table} WHERE {table} MATCH ?"
                     f"{_live(kind, include_retired)} LIMIT ?", [expression, max(limit, cap + 1)])
    return [row[0] for row in rows[:limit]], len(rows)


def ranked_ids(case: Case, kind: str, expression: str, limit: int, *,
               include_retired: bool = False) -> list[int]:
    """The best ``limit`` matches by bm25 (FTS5's ``rank``): it weighs every
    match, so callers rank only when there are few (``RANK_AT_ONCE``)."""
    table = FTS_TABLES[kind]
    rows = case.rows(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ?{_live(kind, include_retired)} "
        "ORDER BY rank LIMIT ?",
        [expression, limit],
    )
    return [row[0] for row in rows]


def exact_ids(case: Case, kind: str, expression: str, cap: int, *,
              include_retired: bool = False) -> set[int] | None:
    """Every id the query as typed finds, or None when there are more than ``cap``."""
    ids, count = first_ids_and_count(case, kind, expression, cap, cap=cap,
                                     include_retired=include_retired)
    return None if count > cap else set(ids)


def latin_ids_and_count(
    case: Case, kind: str, expression: str, latin: str, limit: int, *, cap: int, rank: bool,
    include_retired: bool = False, exact: set[int] | None = None, cheap: bool = False,
) -> tuple[list[int], int, bool]:
    """The first (``rank``: best by bm25, where they are few) ``limit``
    transliterated matches of a kind, and their count up to ``cap + 1``:
    rows with words in other scripts whose Latin spelling matches and, for a
    query in another script (``Мецола``), rows whose own words match its
    spelling (``Metsola``). Rows the query as typed finds (``exact``, read
    here if not given) are left out: they are exact matches. With more exact
    matches than ``cap`` there is nothing to add.

    The third value is False where ranking was left undone: with ``cheap``,
    transliterated matches are ranked only where ``cheap_to_rank``."""
    if exact is None:
        exact = exact_ids(case, kind, expression, cap, include_retired=include_retired)
        if exact is None:
            return [], 0, True
    seen = set(exact)
    parts = [LATIN_TABLES[kind]] + ([FTS_TABLES[kind]] if latin != expression else [])
    ids: list[int] = []
    count = 0
    ranked = True
    for table in parts:
        room = max(limit - len(ids), 0)
        wanted = max(cap + 1 - count, room, 1) + len(seen)
        query = f"SELECT rowid FROM {table} WHERE {table} MATCH ?{_live(kind, include_retired)}"
        rows = [row[0] for row in case.rows(f"{query} LIMIT ?", [latin, wanted])]
        found = [rowid for rowid in rows if rowid not in seen]
        count += len(found)
        if rank and room and found and len(rows) < wanted:   # every match seen: few, rank them
            if cheap and not cheap_to_rank(case, table, latin):
                ranked = False
            else:
                best = [row[0] for row in case.rows(f"{query} ORDER BY rank LIMIT ?",
                                                    [latin, room + len(seen)])]
                found = [rowid for rowid in best if rowid not in seen]
        ids.extend(found[:room])
        seen.update(rows)
        if count > cap and len(ids) >= limit:
            break
    return ids, count, ranked


def _hits(case: Case, kind: str, ids: list[int], terms: Sequence[str],
          transliterated: bool = False) -> list[SearchHit]:
    return item_kind(kind).hits(case, ids, terms, transliterated)


def _with_latin(
    case: Case, group: SearchGroup, expression: str, latin: str | None, latin_terms: Sequence[str],
    *, limit: int, count_cap: int, rank: bool, include_retired: bool, exact: set[int] | None,
) -> SearchGroup:
    """The group with its transliterated matches after its exact ones
    (``exact``: every exact match's id, None if more than ``count_cap``)."""
    if latin is None or group.capped:
        return group
    ids, count, ranked = latin_ids_and_count(
        case, group.kind, expression, latin, max(limit - len(group.hits), 0), cap=count_cap,
        rank=rank, include_retired=include_retired, exact=exact, cheap=True)
    if not count:
        return group
    total = group.total + count
    return group.model_copy(update={
        "hits": group.hits + tuple(_hits(case, group.kind, ids, latin_terms, True)),
        "total": min(total, count_cap), "capped": group.capped or total > count_cap,
        "transliterated": min(count, count_cap), "ranked": group.ranked and ranked,
    })


def _rankable(case: Case, counted: Mapping[Kind, int], expression: str,
              rank_limit: int | None) -> set[Kind]:
    """The kinds ``search`` ranks at once, given each kind's matches: fewest
    first, while together they are at most ``rank_limit``, if the query's
    phrases are rare enough to rank cheaply in that kind's index
    (``cheap_to_rank``). Every kind with matches where ``rank_limit`` is None."""
    if rank_limit is None:
        return {kind for kind, matches in counted.items() if matches}
    chosen: set[Kind] = set()
    ranking = 0
    for kind, matches in sorted(counted.items(), key=lambda item: item[1]):
        if not matches:
            continue
        if ranking + matches > rank_limit:
            break
        if cheap_to_rank(case, FTS_TABLES[kind], expression):
            chosen.add(kind)
            ranking += matches
    return chosen


def _results(
    case: Case, query: str, kinds: Iterable[str], limit: int, count_cap: int, *,
    rank: bool, rank_limit: int | None = None, include_retired: bool = False,
    exact: bool = False,
) -> SearchResults:
    terms = query_terms(query)
    expression = match_expression(query)
    latin = None if exact else latin_expression(query)
    spelt = () if exact else tuple(latin_terms(query))
    wanted = []
    for name in kinds:
        if name not in KINDS:
            raise ValueError(f"unknown kind {name!r} (choose {', '.join(KINDS)})")
        wanted.append(item_kind(name).name)
    if expression is None:
        return SearchResults(query=query, terms=tuple(terms), groups=(),
                             latin_terms=spelt, exact=exact)
    # One read a kind: its first matches in index order, counted up to what
    # ranking may weigh (every exact match's id too, where they are few).
    most = max(count_cap, rank_limit or 0) if rank else count_cap
    found = {kind: first_ids_and_count(case, kind, expression, most, cap=most,
                                       include_retired=include_retired) for kind in wanted}
    counted = {kind: matches for kind, (_, matches) in found.items()}
    ranking = _rankable(case, counted, expression, rank_limit) if rank else set()
    groups = []
    for kind in wanted:
        every, matches = found[kind]
        ranked = kind in ranking
        ids = (ranked_ids(case, kind, expression, limit, include_retired=include_retired)
               if ranked else every[:limit])
        group = SearchGroup(
            kind=kind, hits=tuple(_hits(case, kind, ids, terms)),
            total=min(matches, count_cap), capped=matches > count_cap,
            ranked=ranked or (rank and not matches),
        )
        exact_set = set(every) if matches <= count_cap else None
        groups.append(_with_latin(case, group, expression, latin, spelt, limit=limit,
                                  count_cap=count_cap, rank=ranked or (rank and not matches),
                                  include_retired=include_retired, exact=exact_set))
    return SearchResults(query=query, terms=tuple(terms), groups=tuple(groups),
                         latin_terms=spelt, exact=exact)


@_reads_the_index
def first_matches(
    case: Case,
    query: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = 10,
    count_cap: int = 1000,
    include_retired: bool = False,
    exact: bool = False,
) -> SearchResults:
    """Stage one of search as you type: each group's first ``limit`` matches in
    index order and their count, at once at any size. Then :func:`search`."""
    return _results(case, query, kinds, limit, count_cap, rank=False,
                    include_retired=include_retired, exact=exact)


@_reads_the_index
def search(
    case: Case,
    query: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = 10,
    count_cap: int = 1000,
    rank_limit: int | None = RANK_AT_ONCE,
    include_retired: bool = False,
    exact: bool = False,
) -> SearchResults:
    """Search every kind; each group holds its best ``limit`` hits and a count.

    Ranked by bm25 where the kinds have at most ``rank_limit`` matches in all
    (fewest first; see the module's docstring); each group says whether it is. ``rank_limit=None``
    ranks every group however many matches it has.

    Unless ``exact``, matches by transliteration follow each group's exact
    ones (``Metsola`` finds ``Мецола``; their hits say ``transliterated``).
    """
    return _results(case, query, kinds, limit, count_cap, rank=True, rank_limit=rank_limit,
                    include_retired=include_retired, exact=exact)


@_reads_the_index
def refine(case: Case, results: SearchResults, *, limit: int = 10) -> SearchResults:
    """The groups ``search`` left in index order, ranked however many matches
    they have: the final order. It can take a second at a million excerpts,
    so a browser runs it last, in a :class:`Searcher`, where the next
    keystroke cancels it."""
    expression = match_expression(results.query)
    latin = None if results.exact else latin_expression(results.query)

    def ranked(group: SearchGroup) -> SearchGroup:
        assert expression is not None
        ids = ranked_ids(case, group.kind, expression, limit)
        hits = tuple(_hits(case, group.kind, ids, results.terms))
        if latin is not None and group.transliterated and len(hits) < limit:
            found, _, _ = latin_ids_and_count(case, group.kind, expression, latin,
                                              limit - len(hits), cap=limit, rank=True)
            hits += tuple(_hits(case, group.kind, found, results.latin_terms, True))
        return group.model_copy(update={"hits": hits, "ranked": True})

    groups = tuple(
        group if group.ranked or expression is None else ranked(group)
        for group in results.groups
    )
    return results.model_copy(update={"groups": groups})


class ResultPlace(Model):
    """One result of a search in the order its full list shows them: the
    ``position``-th match of ``kind`` (of ``total``)."""

    kind: Kind
    position: int
    total: int
    hit: SearchHit


@_reads_the_index
def count_all_matches(case: Case, query: str, kind: str, *, include_retired: bool = False) -> int:
    """Every match of one kind, counted (no cap): the length of its full list."""
    expression = match_expression(query)
    if expression is None:
        return 0
    table = FTS_TABLES[item_kind(kind).name]
    return int(case.scalar(
        f"SELECT count(*) FROM {table} WHERE {table} MATCH ?{_live(kind, include_retired)}",
        [expression],
    ))


@_reads_the_index
def matches_page(case: Case, query: str, kind: str, *, offset: int, limit: int, total: int,
                 include_retired: bool = False) -> list[SearchHit]:
    """A page of one kind's full list of matches, read in SQL (``LIMIT``/``OFFSET``):
    by bm25 when the kind has at most ``RANK_LIMIT`` matches (``total``), else
    in index order, which costs a few index pages where ranking would weigh
    every match for each page."""
    expression = match_expression(query)
    if expression is None or limit <= 0:
        return []
    table = FTS_TABLES[item_kind(kind).name]
    order = " ORDER BY rank" if total <= RANK_LIMIT else ""
    rows = case.rows(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ?{_live(kind, include_retired)}"
        f"{order} LIMIT ? OFFSET ?",
        [expression, limit, max(0, offset)],
    )
    return _hits(case, kind, [row[0] for row in rows], query_terms(query))


@_reads_the_index
def step_result(case: Case, query: str, *, kind: str | None, position: int, step: int,
                kinds: Sequence[str] = KINDS,
                include_retired: bool = False) -> tuple[ResultPlace, bool] | None:
    """The result ``step`` (1 or -1) after the ``position``-th of ``kind`` in
    the search's full lists, one kind after another (``kind`` None: before
    the first). Past the last it starts again from the first, and before the
    first (``N`` from nowhere too) from the last, and says so (the second
    value is True), as ``n`` and ``N`` do in vi. None: no match at all."""
    totals = {name: count_all_matches(case, query, name, include_retired=include_retired)
              for name in kinds}
    if not any(totals.values()):
        return None
    order = list(kinds)
    wrapped = False
    if kind is None or kind not in totals:
        index, position = (0, -1) if step > 0 else (len(order) - 1, totals[order[-1]])
        wrapped = step < 0
    else:
        index = order.index(kind)
    position += step
    for _ in range(len(order) + 1):
        name = order[index]
        if 0 <= position < totals[name]:
            hits = matches_page(case, query, name, offset=position, limit=1, total=totals[name],
                                include_retired=include_retired)
            if hits:
                return ResultPlace(kind=item_kind(name).name, position=position, total=totals[name],
                                   hit=hits[0]), wrapped
        index += 1 if step > 0 else -1
        if not 0 <= index < len(order):
            wrapped = True
            index %= len(order)
        position = 0 if step > 0 else totals[order[index]] - 1
    return None


@_reads_the_index
def entity_named(case: Case, name: str) -> Entity | None:
    """The entity of the case whose name or an alias is ``name`` (folding case
    and accents), or None: search narrows the candidates, the words decide."""
    wanted = folded_words(name)
    if not wanted:
        return None
    hits = search(case, name, kinds=["entity"], limit=20, exact=True).groups[0].hits
    return next((entity for entity in entities_by_ids(case, [hit.id for hit in hits])
                 if any(folded_words(known) == wanted for known in (entity.name, *entity.aliases))),
                None)


class Searcher:
    """Search as you type for a browser: the newest keystroke wins.

    Give it a ``Case`` of its own (``open_case(path, read_only=True)``), or
    an ``opener`` that makes one on first use in a worker thread, so that
    cancelling a search never hits the browser's other reads or an
    annotator's write. On each keystroke the UI thread calls :meth:`keystroke`,
    which cancels the search still running for an older one, and hands the
    token to a worker thread that calls :meth:`first_matches`, :meth:`search`
    and, if some group is not ranked yet, :meth:`refine` with it, showing
    each answer as it comes. A superseded search raises ``ReadInterrupted``:
    mid-query through ``Case.interrupt()`` and a progress handler, between
    queries through the token. The stages of one keystroke share their reads:
    ``search`` reuses the matches ``first_matches`` counted.
    """

    # SQLite asks the progress handler every this many VM steps (~0.1 ms).
    _CHECK_EVERY = 1000

    def __init__(self, case: Case | None = None, *, opener: Callable[[], Case] | None = None):
        if (case is None) == (opener is None):
            raise ValueError("give a Searcher a case or an opener, not both")
        self._case: Case | None = None
        self._opener = opener
        self._open_lock = threading.Lock()
        self._latest = 0
        self._lock = threading.Lock()
        self._running = threading.local()  # the token of the search this thread runs
        self._reads: tuple[int, dict[tuple[str, str], list[sqlite3.Row]]] = (0, {})
        if case is not None:
            self._attach(case)

    def _attach(self, case: Case) -> None:
        # Case.interrupt() alone can miss: an older search that passed its token
        # check but had not yet started its query would then run to the end (up
        # to a second at a million excerpts) while the new keystroke waits. The
        # progress handler runs inside every query, in the thread running it,
        # and stops it as soon as its token is stale.
        case.conn.set_progress_handler(self._superseded, self._CHECK_EVERY)
        self._case = case

    @property
    def case(self) -> Case:
        """The search's connection, opened on first use (call from a worker)."""
        with self._open_lock:
            if self._case is None:
                assert self._opener is not None
                self._attach(self._opener())
            return self._case  # type: ignore[return-value]

    def _superseded(self) -> int:
        return int(getattr(self._running, "token", self._latest) != self._latest)

    def keystroke(self) -> int:
        """A token for a new search; the searches of older tokens stop."""
        with self._lock:
            self._latest += 1
            token = self._latest
        if self._case is not None:
            self._case.interrupt()
        return token

    def is_current(self, token: int) -> bool:
        """False once a newer keystroke came."""
        return token == self._latest

    def warm(self) -> None:
        """Open the connection and read what every search reads first (the
        schema, each index's structure): the first keystroke then costs what
        the next ones do, not ~100 ms more at a million excerpts."""
        first_matches(self.case, "e", limit=1)

    def first_matches(self, token: int, query: str, **options: Any) -> SearchResults:
        return first_matches(_Superseded(self, token), query, **options)  # type: ignore[arg-type]

    def search(self, token: int, query: str, **options: Any) -> SearchResults:
        return search(_Superseded(self, token), query, **options)  # type: ignore[arg-type]

    def refine(self, token: int, results: SearchResults, **options: Any) -> SearchResults:
        return refine(_Superseded(self, token), results, **options)  # type: ignore[arg-type]

    def close(self) -> None:
        self.keystroke()
        if self._case is not None:
            self._case.close()


class _Superseded:
    """The reads of one search, each refused once a newer keystroke came."""

    def __init__(self, searcher: Searcher, token: int):
        self._searcher = searcher
        self._token = token

    def _read(self, method: str, sql: str, params: Any) -> Any:
        if self._token != self._searcher._latest:
            raise ReadInterrupted("the search was superseded by a newer keystroke")
        self._searcher._running.token = self._token
        try:
            return getattr(self._searcher.case, method)(sql, params)
        except sqlite3.OperationalError as error:
            if str(error) == "interrupted":
                raise ReadInterrupted("the search was superseded by a newer keystroke") from None
            raise

    def rows(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        # The same read twice in one keystroke's stages (its matches, counted)
        # is made once: the newest keystroke's reads are kept until the next.
        token, reads = self._searcher._reads
        key = (sql, repr(params))
        if token == self._token and key in reads:
            return reads[key]
        found: list[sqlite3.Row] = self._read("rows", sql, params)   # refused if superseded
        if token != self._token:
            reads = {}
            self._searcher._reads = (self._token, reads)
        reads[key] = found
        return found

    def row(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        found: sqlite3.Row | None = self._read("row", sql, params)
        return found

    def scalar(self, sql: str, params: Any = ()) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]


__all__ = [
    "FTS_TABLES", "KINDS", "LATIN_TABLES", "PHRASE_LIMIT", "RANK_AT_ONCE", "RANK_LIMIT",
    "ResultPlace", "SearchGroup",
    "SearchHit", "SearchResults", "Searcher", "count_all_matches", "count_matches",
    "entity_named", "exact_ids", "first_ids", "first_ids_and_count", "first_matches", "focus", "fold",
    "cheap_to_rank", "highlight_spans", "latin_expression", "latin_ids_and_count", "latin_terms",
    "match_expression", "match_phrases", "matches_page", "query_terms", "ranked_ids", "refine", "search",
    "step_result",
]
