"""Where a source's text came from (schema v5): its document's metadata, its
pages and the boxes of its lines (a PDF), and its attachments (an e-mail).

For the browser and the exports: :func:`excerpt_place` says on which page
(``p. 12``) and where on it an excerpt is — any excerpt, a paragraph or a
quote chosen later, since pages are spans of the text; :func:`attachments_of`
and :func:`attached_to` link a message and the files it carried.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from .casefile import Case
from .damage import read_model
from .models import LineBox, PagePlace, SourceAttachment, SourcePage
from .sources import get_excerpt
from .tables import SOURCE_ATTACHMENTS, SOURCE_BOXES, SOURCE_META, SOURCE_PAGES, Table


def write_source_details(tx: sqlite3.Connection, source_id: int, *, meta: dict[str, str] | None = None,
                         pages: Sequence[SourcePage] = (), boxes: Sequence[LineBox] = (),
                         attachments: Sequence[SourceAttachment] = ()) -> None:
    """Store a source's details, inside the caller's write transaction."""
    insert = SOURCE_META.insert()
    tx.executemany(insert.sql, [(source_id, key, value) for key, value in (meta or {}).items()])
    for table, items in ((SOURCE_PAGES, pages), (SOURCE_BOXES, boxes),
                         (SOURCE_ATTACHMENTS, attachments)):
        insert = table.insert()
        tx.executemany(insert.sql, [insert.values(item, source_id=source_id) for item in items])


# -- reading ---------------------------------------------------------------------

def _select(table: Table) -> str:
    """Every column but the source's id (the models leave it out)."""
    return f"SELECT {table.select(table.columns[1:])} FROM {table}"


_PAGE = _select(SOURCE_PAGES)
_BOX = _select(SOURCE_BOXES)
_ATTACHMENT = _select(SOURCE_ATTACHMENTS)


def source_meta(case: Case, source_id: int) -> dict[str, str]:
    """What the document said about itself: ``format``, ``file_name``,
    ``file_sha256``, ``pages``, ``message_id``, ``comments``... ({} for a
    source added before schema v5, or by hand)."""
    return {row[0]: row[1] for row in case.rows(
        "SELECT key, value FROM source_meta WHERE source_id = ? ORDER BY key", [source_id])}


def source_pages(case: Case, source_id: int, *, offset: int = 0, limit: int = 1000) -> list[SourcePage]:
    """A source's pages in order (none for a document without pages)."""
    rows = case.rows(f"{_PAGE} WHERE source_id = ? ORDER BY number LIMIT ? OFFSET ?",
                     [source_id, limit, offset])
    return [read_model(SourcePage, dict(row)) for row in rows]


def page_place(case: Case, source_id: int, start: int, end: int, *, box: bool = True) -> PagePlace | None:
    """The pages a span of a source's text falls on, and (``box``) the box
    around its lines on the first of them; None when the source has no pages."""
    first = case.row(f"{_PAGE} WHERE source_id = ? AND start <= ? ORDER BY start DESC, number DESC LIMIT 1",
                     [source_id, start])
    if first is None:
        first = case.row(f"{_PAGE} WHERE source_id = ? ORDER BY number LIMIT 1", [source_id])
        if first is None:
            return None
    last = case.row(f"{_PAGE} WHERE source_id = ? AND start < ? ORDER BY start DESC, number DESC LIMIT 1",
                    [source_id, max(end, start + 1)]) or first
    first_page, last_page = read_model(SourcePage, dict(first)), read_model(SourcePage, dict(last))
    if last_page.number < first_page.number:
        last_page = first_page
    around = _span_box(case, source_id, start, end, first_page) if box else None
    return PagePlace(first=first_page, last=last_page, box=around)


def _span_box(case: Case, source_id: int, start: int, end: int, page: SourcePage) -> LineBox | None:
    """The box around the lines a span touches on one page."""
    rows = case.rows(
        f"{_BOX} WHERE source_id = ? AND page = ? AND start < ? AND \"end\" > ? ORDER BY start LIMIT 500",
        [source_id, page.number, end, start])
    boxes = [read_model(LineBox, dict(row)) for row in rows]
    if not boxes:
        return None
    return LineBox(start=max(start, boxes[0].start), end=min(end, boxes[-1].end), page=page.number,
                   x0=min(b.x0 for b in boxes), y0=min(b.y0 for b in boxes),
                   x1=max(b.x1 for b in boxes), y1=max(b.y1 for b in boxes))


def excerpt_place(case: Case, excerpt_id: int) -> PagePlace | None:
    """On which page (or pages) an excerpt is, and where on it: for the excerpt
    detail (``place.label`` is ``p. 12`` or ``pp. 12–13``) and the exports.
    None when its source has no pages."""
    excerpt = get_excerpt(case, excerpt_id)
    return page_place(case, excerpt.source_id, excerpt.start, excerpt.end)


def attachments_of(case: Case, source_id: int) -> list[SourceAttachment]:
    """A document's attachments in order: those read name the source they
    became (``attached_id``), the others say why they were not read."""
    rows = case.rows(f"{_ATTACHMENT} WHERE source_id = ? ORDER BY number", [source_id])
    return [read_model(SourceAttachment, dict(row)) for row in rows]


def attached_to(case: Case, source_id: int) -> int | None:
    """The source (an e-mail) that carried this one as an attachment, if any."""
    found: int | None = case.scalar("SELECT source_id FROM source_attachments WHERE attached_id = ? "
                                    "ORDER BY source_id LIMIT 1", [source_id])
    return found


Details = dict[str, list[Any]]


def details_of_sources(case: Case, source_ids: Iterable[int]) -> dict[int, Details]:
    """For the JSON export: each source's meta, pages, boxes and attachments."""
    ids = sorted(set(source_ids))
    found: dict[int, Details] = {i: {"meta": [], "pages": [], "boxes": [], "attachments": []}
                                         for i in ids}
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    for row in case.rows(f"SELECT source_id, key, value FROM source_meta WHERE source_id IN ({marks}) "
                         "ORDER BY source_id, key", ids):
        found[row[0]]["meta"].append((row[1], row[2]))
    queries = {"pages": (_PAGE, SourcePage, "number"), "boxes": (_BOX, LineBox, "start"),
               "attachments": (_ATTACHMENT, SourceAttachment, "number")}
    for name, (select, model, order) in queries.items():
        sql = select.replace("SELECT ", "SELECT source_id, ", 1)
        for row in case.rows(f"{sql} WHERE source_id IN ({marks}) ORDER BY source_id, {order}", ids):
            values = dict(row)
            found[values.pop("source_id")][name].append(model(**values))
    return found
