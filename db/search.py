"""Full-text search over entities, events, excerpts and claims.

User input is never passed raw to MATCH: it is cut into words the way the
FTS5 tokenizer cuts them, each word quoted, the last one a prefix (search as
you type). Any string at all yields results or none, never a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, get_args

from .casefile import Case
from .entities import entities_by_ids
from .events import EVENT_SELECT, event_from_row
from .models import Model
from .paging import rows_by_id
from .sources import EXCERPT_SELECT, excerpt_from_row
from .claims import CLAIM_SELECT, claim_from_row
from .text import fold, nfc, one_line, tokens

Kind = Literal["entity", "event", "excerpt", "claim"]
KINDS: tuple[str, ...] = get_args(Kind)
MAX_TERMS = 12
MAX_TERM_LENGTH = 64
# Matches ranked per kind: enough to order what a screen shows by relevance
# without ranking every row of a huge index.
RANK_WINDOW = 400

_FTS_TABLE = {
    "entity": "entities_fts",
    "event": "events_fts",
    "excerpt": "excerpts_fts",
    "claim": "claims_fts",
}


class SearchHit(Model):
    kind: Kind
    id: int
    title: str            # the line to show: a name, a title, a statement, the excerpt text
    detail: str = ""      # what it is: entity kind and aliases, a date, a source, a status


class SearchGroup(Model):
    kind: Kind
    hits: tuple[SearchHit, ...]
    total: int            # matches counted, up to count_cap
    capped: bool          # True when there are more than ``total``


class SearchResults(Model):
    query: str
    terms: tuple[str, ...]  # folded words, the last a prefix: for highlighting
    groups: tuple[SearchGroup, ...]

    @property
    def empty(self) -> bool:
        return not any(group.hits for group in self.groups)


def query_terms(query: str) -> list[str]:
    """The folded words of a query, as the index sees them."""
    words = [word[:MAX_TERM_LENGTH] for _, _, word in tokens(nfc(query.replace("\x00", " ")))]
    return words[:MAX_TERMS]


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for free text, or None if it has no words.

    Every word is a quoted string (so AND, NEAR, *, ^, quotes and brackets are
    just text); the last word is a prefix so results follow the typing.
    """
    terms = query_terms(query)
    if not terms:
        return None
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that match the query terms (the last as a prefix)."""
    if not terms:
        return []
    whole, prefix = set(terms[:-1]), terms[-1]
    return [
        (start, end)
        for start, end, word in tokens(text)
        if word in whole or word.startswith(prefix)
    ]


def focus(text: str, terms: Sequence[str], width: int = 160) -> str:
    """A one-line window of ``text`` around its first match."""
    flat = one_line(text)
    if len(flat) <= width:
        return flat
    spans = highlight_spans(flat, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(flat), start + width)
    start = max(0, end - width)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _matching_ids(case: Case, kind: str, expression: str, limit: int) -> list[int]:
    table = _FTS_TABLE[kind]
    rows = case.rows(
        f"SELECT id FROM (SELECT rowid AS id, rank FROM {table} WHERE {table} MATCH ? LIMIT ?) "
        "ORDER BY rank LIMIT ?",
        [expression, RANK_WINDOW, limit],
    )
    return [row[0] for row in rows]


def count_matches(case: Case, kind: str, expression: str, cap: int) -> int:
    table = _FTS_TABLE[kind]
    return case.scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
        [expression, cap + 1],
    )


def _hits(case: Case, kind: str, ids: list[int], terms: Sequence[str]) -> list[SearchHit]:
    if kind == "entity":
        return [
            SearchHit(kind="entity", id=e.id, title=e.name,
                      detail=" · ".join([e.kind, *e.aliases]))
            for e in entities_by_ids(case, ids)
        ]
    if kind == "event":
        return [
            SearchHit(kind="event", id=row["id"], title=row["title"], detail=event_from_row(row).date_label)
            for row in rows_by_id(case, EVENT_SELECT, ids)
        ]
    if kind == "claim":
        return [
            SearchHit(kind="claim", id=c.id, title=c.statement,
                      detail=f"{c.status} · {c.claimant}" if c.claimant else c.status)
            for c in (claim_from_row(row) for row in rows_by_id(case, CLAIM_SELECT, ids))
        ]
    excerpts = [excerpt_from_row(row) for row in rows_by_id(case, EXCERPT_SELECT, ids)]
    source_ids = sorted({x.source_id for x in excerpts})
    marks = ",".join("?" * len(source_ids))
    titles = dict(case.rows(f"SELECT id, title FROM sources WHERE id IN ({marks})", source_ids)) \
        if source_ids else {}
    return [
        SearchHit(kind="excerpt", id=x.id, title=focus(x.text, terms),
                  detail=f"{titles.get(x.source_id, '')} · {x.start}–{x.end}")
        for x in excerpts
    ]


def search(
    case: Case,
    query: str,
    *,
    kinds: Iterable[str] = KINDS,
    limit: int = 10,
    count_cap: int = 1000,
) -> SearchResults:
    """Search every kind; each group holds its best ``limit`` hits and a count."""
    terms = query_terms(query)
    expression = match_expression(query)
    groups = []
    for kind in kinds:
        if kind not in _FTS_TABLE:
            raise ValueError(f"unknown kind {kind!r} (choose {', '.join(KINDS)})")
        if expression is None:
            continue
        ids = _matching_ids(case, kind, expression, limit)
        total = count_matches(case, kind, expression, count_cap) if ids else 0
        groups.append(SearchGroup(
            kind=kind, hits=tuple(_hits(case, kind, ids, terms)),
            total=min(total, count_cap), capped=total > count_cap,
        ))
    return SearchResults(query=query, terms=tuple(terms), groups=tuple(groups))


__all__ = [
    "KINDS", "SearchGroup", "SearchHit", "SearchResults", "count_matches", "focus",
    "fold", "highlight_spans", "match_expression", "query_terms", "search",
]
