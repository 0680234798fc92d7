"""Sources and their excerpts: adding documents, locating quotes, reading text."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from .casefile import Case, new_uid, utc_now
from .damage import not_its_span, read_model
from .errors import CaseError, InvalidValueError, NotFoundError
from .models import Excerpt, Source, SourceInfo
from .paging import check_shown, count_live, page_ids, rows_by_id
from .tables import EXCERPTS, SOURCES
from .text import nfc

SplitMode = Literal["lines", "blocks"]


class DuplicateSourceError(CaseError):
    """The same document (same sha256) is already in the case."""

    def __init__(self, existing_id: int, title: str):
        self.existing_id = existing_id
        super().__init__(f"already in the case as source {existing_id} ({title!r})")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_LINE = re.compile(r"[^\n]+")
_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", re.S)


def split_paragraphs(text: str, mode: SplitMode = "lines") -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text``, trimmed of surrounding whitespace.

    ``lines``: each non-blank line is a paragraph (web text saved as one line
    per paragraph). ``blocks``: paragraphs are separated by blank lines
    (hard-wrapped text and Markdown).
    """
    pattern = _LINE if mode == "lines" else _BLOCK
    spans = []
    for match in pattern.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def add_source(
    case: Case,
    *,
    text: str,
    title: str,
    publisher: str = "",
    author: str = "",
    url: str = "",
    published: str = "",
    split: SplitMode = "lines",
    progress: Callable[[int, int], None] | None = None,
) -> SourceInfo:
    """Add a document, NFC-normalised, with one paragraph excerpt per paragraph.

    Raises DuplicateSourceError if the same text is already in the case.
    ``progress(done, total)`` is called as the paragraphs are written and
    indexed, in characters of the text (a large document takes seconds).
    """
    text = nfc(text)
    if not text.strip():
        raise InvalidValueError(f"source {title!r} has no text")
    info = SourceInfo(
        title=title, publisher=publisher, author=author, url=url,
        published=published, sha256=text_sha256(text), added_at=utc_now(), uid=new_uid(),
    )
    with case.write() as tx:
        existing = tx.execute(
            "SELECT id, title FROM sources WHERE sha256 = ?", [info.sha256]
        ).fetchone()
        if existing:
            raise DuplicateSourceError(existing["id"], existing["title"])
        source_id = tx.execute(_ADD_SOURCE.sql, _ADD_SOURCE.values(info, text=text)).lastrowid
        spans = split_paragraphs(text, split)
        for first in range(0, len(spans), _PARAGRAPHS_PER_STEP):
            step = spans[first:first + _PARAGRAPHS_PER_STEP]
            tx.executemany(_ADD_EXCERPT.sql, [
                _ADD_EXCERPT.values(source_id=source_id, start=start, end=end, text=text[start:end],
                                    kind="paragraph", uid=new_uid())
                for start, end in step
            ])
            if progress:
                progress(step[-1][1], len(text))
    return info.model_copy(update={"id": source_id})


_PARAGRAPHS_PER_STEP = 5000
_ADD_SOURCE = SOURCES.insert(with_id=False)
_ADD_EXCERPT = EXCERPTS.insert(with_id=False)


def locate_quote(text: str, quote: str, *, source_title: str = "") -> tuple[int, int]:
    """Span of the one verbatim occurrence of ``quote`` in ``text``.

    Fails, naming the quote and the source, when it is missing or ambiguous.
    """
    quote = nfc(quote)
    where = f" in {source_title!r}" if source_title else ""
    if not quote.strip():
        raise InvalidValueError(f"empty quote{where}")
    first = text.find(quote)
    if first < 0:
        raise InvalidValueError(f"quote not found verbatim{where}: {quote!r}")
    if text.find(quote, first + 1) >= 0:
        count = text.count(quote)
        raise InvalidValueError(
            f"quote is ambiguous{where} ({count} occurrences; quote more): {quote!r}"
        )
    return first, first + len(quote)


def add_excerpt(case: Case, source_id: int, start: int, end: int) -> int:
    """The excerpt for a span of a source, created as a quote if new (its
    text cut in SQL: a source can be megabytes)."""
    with case.write() as tx:
        source = tx.execute("SELECT length(text), substr(text, ?, ?) FROM sources WHERE id = ?",
                            [start + 1, max(0, end - start), source_id]).fetchone()
        if source is None:
            raise NotFoundError(f"no source {source_id}")
        length, text = source
        if not 0 <= start < end <= length:
            raise InvalidValueError(f"span {start}-{end} is outside source {source_id}")
        existing = tx.execute(
            'SELECT id FROM excerpts WHERE source_id = ? AND start = ? AND "end" = ?',
            [source_id, start, end],
        ).fetchone()
        if existing:
            return int(existing["id"])
        cursor = tx.execute(_ADD_EXCERPT.sql, _ADD_EXCERPT.values(
            source_id=source_id, start=start, end=end, text=text, kind="quote", uid=new_uid()))
        return int(cursor.lastrowid or 0)


def add_quote(case: Case, source_id: int, quote: str) -> int:
    """Locate ``quote`` in the source and return its excerpt id."""
    source = get_source(case, source_id)
    start, end = locate_quote(source.text, quote, source_title=source.title)
    return add_excerpt(case, source_id, start, end)


# -- reading --------------------------------------------------------------

_SOURCE_INFO_COLUMNS = SOURCES.select(SOURCES.listed)


def list_sources(case: Case, *, offset: int = 0, limit: int = 100) -> list[SourceInfo]:
    rows = case.rows(
        f"SELECT {_SOURCE_INFO_COLUMNS} FROM sources ORDER BY id LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [read_model(SourceInfo, dict(row)) for row in rows]


def get_source_info(case: Case, source_id: int) -> SourceInfo:
    row = case.row(f"SELECT {_SOURCE_INFO_COLUMNS} FROM sources WHERE id = ?", [source_id])
    if row is None:
        raise NotFoundError(f"no source {source_id}")
    return read_model(SourceInfo, dict(row))


def sources_by_ids(case: Case, source_ids: list[int]) -> dict[int, SourceInfo]:
    """Sources (without their text) by id, for labelling excerpts."""
    ids = sorted(set(source_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = case.rows(f"SELECT {_SOURCE_INFO_COLUMNS} FROM sources WHERE id IN ({marks})", ids)
    return {row["id"]: read_model(SourceInfo, dict(row)) for row in rows}


def source_titles(case: Case, source_ids: Iterable[int]) -> dict[int, str]:
    """Sources' titles by id, for labelling excerpts."""
    ids = sorted(set(source_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {row["id"]: row["title"]
            for row in case.rows(f"SELECT id, title FROM sources WHERE id IN ({marks})", ids)}


def source_length(case: Case, source_id: int) -> int:
    """A source's length in code points (the unit of excerpt offsets)."""
    # ifnull: a damaged source's NULL text is empty; only a missing row is None.
    found = case.scalar("SELECT ifnull(length(text), 0) FROM sources WHERE id = ?", [source_id])
    if found is None:
        raise NotFoundError(f"no source {source_id}")
    return int(found)


def get_source(case: Case, source_id: int) -> Source:
    row = case.row(f"SELECT {SOURCES.select(SOURCES.model_columns)} FROM sources WHERE id = ?",
                   [source_id])
    if row is None:
        raise NotFoundError(f"no source {source_id}")
    return read_model(Source, dict(row))


def source_slice(case: Case, source_id: int, start: int, end: int) -> str:
    """Part of a source's text, cut in SQL (sources can be megabytes)."""
    # substr counts characters (code points) and is 1-based.
    found = case.scalar(
        "SELECT ifnull(substr(text, ?, ?), '') FROM sources WHERE id = ?",
        [max(0, start) + 1, max(0, end - max(0, start)), source_id],
    )
    if found is None:
        raise NotFoundError(f"no source {source_id}")
    return str(found)


def excerpt_from_row(row: sqlite3.Row) -> Excerpt:
    return read_model(Excerpt, dict(row))


EXCERPT_SELECT = f"SELECT {EXCERPTS.select(EXCERPTS.model_columns)} FROM excerpts WHERE id IN"


def count_excerpts(case: Case, *, source_id: int | None = None,
                   include_retired: bool = False) -> int:
    where, params = ("", []) if source_id is None else ("source_id = ?", [source_id])
    return count_live(case, "excerpts", where=where, params=params,
                      include_retired=include_retired)


def excerpts_page(
    case: Case, *, offset: int, limit: int, total: int | None = None,
    source_id: int | None = None, include_retired: bool = False,
) -> list[Excerpt]:
    """Excerpts in reading order (source, then position); retired ones left
    out unless ``include_retired``."""
    if total is None:
        total = count_excerpts(case, source_id=source_id, include_retired=include_retired)
    where, params = ("source_id = ?", [source_id]) if source_id is not None else ("", [])
    ids = page_ids(
        case, table="excerpts", order=["source_id", "start", '"end"'],
        where=where, params=params, offset=offset, limit=limit, total=total,
        include_retired=include_retired,
    )
    return excerpts_by_ids(case, ids)


def excerpt_position(case: Case, excerpt_id: int, *, include_retired: bool = False) -> int:
    """Where an excerpt sits in reading order (for jumping a view to it).

    SQLite counts a range by stepping through it, so the excerpts of other
    sources are counted from the nearer end of the order: the sources table
    (small) says which end that is. At a million excerpts this reads at most
    about half of the index, and only a few pages for an excerpt near an end.
    Retired excerpts before it are counted apart (they are few) and taken
    off, unless ``include_retired``.
    """
    excerpt = get_excerpt(case, excerpt_id)
    retired = case.scalar("SELECT retired FROM excerpts WHERE id = ?", [excerpt_id])
    check_shown("excerpt", excerpt_id, retired, include_retired)
    source, span = excerpt.source_id, [excerpt.source_id, excerpt.start, excerpt.end]
    sources_before, sources = case.row(
        "SELECT (SELECT count(*) FROM sources WHERE id < ?), (SELECT count(*) FROM sources)",
        [source],
    ) or (0, 0)
    if sources_before <= sources // 2:
        position = int(case.scalar(
            "SELECT (SELECT count(*) FROM excerpts WHERE source_id < ?) + (SELECT count(*) "
            'FROM excerpts WHERE source_id = ? AND (start, "end") < (?, ?))',
            [source, *span],
        ))
    else:
        position = int(case.scalar(
            "SELECT (SELECT count(*) FROM excerpts) - (SELECT count(*) FROM excerpts WHERE source_id > ?)"
            ' - (SELECT count(*) FROM excerpts WHERE source_id = ? AND (start, "end") >= (?, ?))',
            [source, *span],
        ))
    if include_retired:
        return position
    return position - int(case.scalar(
        "SELECT count(*) FROM excerpts WHERE id IN (SELECT id FROM excerpts WHERE retired = 1) "
        'AND (source_id, start, "end") < (?, ?, ?)', span))


def get_excerpt(case: Case, excerpt_id: int) -> Excerpt:
    found = excerpts_by_ids(case, [excerpt_id])
    if not found:
        raise NotFoundError(f"no excerpt {excerpt_id}")
    return found[0]


def excerpts_by_ids(case: Case, ids: Sequence[int]) -> list[Excerpt]:
    """The excerpts with these ids, in the order given (ids not found are left out)."""
    return [excerpt_from_row(row) for row in rows_by_id(case, EXCERPT_SELECT, ids)]


def not_at_its_span(case: Case, excerpt: Excerpt) -> bool:
    """The excerpt's text is not its source's text at its span. Asked after
    SQL's substr differed, which also happens when the text holds a NUL (SQLite's
    string functions stop there): so the whole source is read, in Python."""
    text = case.scalar("SELECT text FROM sources WHERE id = ?", [excerpt.source_id])
    return not isinstance(text, str) or text[excerpt.start:excerpt.end] != excerpt.text


def excerpt_context(case: Case, excerpt_id: int, *, chars: int = 400) -> tuple[str, Excerpt, str]:
    """The text before an excerpt, the excerpt, and the text after it."""
    excerpt = get_excerpt(case, excerpt_id)
    before = source_slice(case, excerpt.source_id, excerpt.start - chars, excerpt.start)
    after = source_slice(case, excerpt.source_id, excerpt.end, excerpt.end + chars)
    if source_slice(case, excerpt.source_id, excerpt.start, excerpt.end) != excerpt.text and \
            not_at_its_span(case, excerpt):
        excerpt = not_its_span(excerpt, excerpt.start, excerpt.end)   # edited by hand
    return before, excerpt, after
