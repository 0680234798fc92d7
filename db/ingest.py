"""Adding documents to a case: each one a source, its paragraphs, its mentions.

Each document goes in as one write transaction — the source, its paragraph
excerpts (indexed for search by the schema's triggers) and the links to the
entities they mention — so a failure leaves the case as it was. Documents
are read and checked (:mod:`db.documents`) before the case is touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from .casefile import Case
from .documents import Document, document_kind
from .errors import InvalidValueError
from .mentions import MentionIndex
from .models import Model, SourceInfo
from .sources import add_source, split_paragraphs
from .text import nfc


class Added(Model):
    """What adding one document made."""

    source: SourceInfo
    paragraphs: int
    mentions: int


class Skipped(Model):
    path: str
    reason: str


class Plan(Model):
    """The files a list of paths names: files to read, and what a directory
    holds that is not read, each with the reason."""

    files: tuple[str, ...]
    skipped: tuple[Skipped, ...]


def plan_paths(paths: Iterable[str | os.PathLike[str]]) -> Plan:
    """Files named directly are read whatever their name (binary and other bad
    files are reported when read); a directory gives the documents directly in
    it (``.txt``, ``.md``, ``.html`` and the like), in name order, and says
    what else it holds and why that is not read. Subdirectories are not entered.
    """
    files: list[str] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            files.append(str(path))
            continue
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            reason = _not_read_because(entry)
            if reason:
                skipped.append(Skipped(path=str(entry), reason=reason))
            else:
                files.append(str(entry))
    unique = list(dict.fromkeys(files))  # a file named twice is read once
    return Plan(files=tuple(unique), skipped=tuple(skipped))


def _not_read_because(entry: Path) -> str:
    if entry.name.startswith("."):
        return "hidden file"
    if entry.is_dir():
        return "a directory (subdirectories are not read)"
    if not entry.is_file():
        return "not a regular file"
    if document_kind(entry) is None:
        suffix = entry.suffix or "no extension"
        return f"not a document type casebook reads ({suffix}; it reads .txt, .md and .html)"
    return ""


def with_metadata(document: Document, **fields: str | None) -> Document:
    """The document with metadata given by the user in place of what it says.

    ``published`` must be a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD).
    """
    updates = {name: value.strip() for name, value in fields.items() if value is not None}
    if not updates:
        return document
    try:
        SourceInfo(title=updates.get("title", document.title),
                   published=updates.get("published", document.published))
    except ValidationError as error:
        raise InvalidValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None
    return document.model_copy(update=updates)


# Share of the work of adding a document spent finding the entities its
# paragraphs mention (before the write lock is taken); the rest is writing
# and indexing them (measured on a 30 MB text: about 13 s and 15 s).
_FINDING_SHARE = 0.45
_STEP = 5000


def import_document(
    case: Case,
    document: Document,
    *,
    index: MentionIndex | None = None,
    progress: Callable[[float], None] | None = None,
) -> Added:
    """Add a document as a source with its paragraphs and mention links, in one
    transaction. Raises DuplicateSourceError (nothing written) if the same text
    is already in the case. ``progress(fraction)`` reports the share done.

    The mentions are found first, outside the transaction: the write lock,
    which annotators' marks wait for, is held only while rows are written
    (about 15 s for a 30 MB text, well within the 30 s busy timeout).
    """
    index = index or MentionIndex.of_case(case)
    say = progress or (lambda fraction: None)
    text = nfc(document.text)
    spans = split_paragraphs(text, document.split)
    found: list[set[int]] = []
    say(0.0)
    for first in range(0, len(spans), _STEP):
        found += [index.find(text[start:end]) for start, end in spans[first:first + _STEP]]
        say(_FINDING_SHARE * len(found) / len(spans))

    def written(done: int, total: int) -> None:
        say(_FINDING_SHARE + (1 - _FINDING_SHARE) * 0.9 * done / max(total, 1))

    with case.write() as tx:
        source = add_source(
            case, text=text, title=document.title, publisher=document.publisher,
            author=document.author, url=document.url, published=document.published,
            split=document.split, progress=written,
        )
        excerpt_ids = [row[0] for row in tx.execute(
            'SELECT id FROM excerpts WHERE source_id = ? ORDER BY start, "end"', [source.id]
        )]
        if len(excerpt_ids) != len(spans):  # add_source split the text as we did
            raise RuntimeError(f"source {source.id}: {len(excerpt_ids)} paragraphs, expected {len(spans)}")
        links = [(excerpt_id, entity_id)
                 for excerpt_id, entities in zip(excerpt_ids, found) for entity_id in entities]
        tx.executemany("INSERT INTO excerpt_entities (excerpt_id, entity_id) VALUES (?, ?)", links)
    say(1.0)
    return Added(source=source, paragraphs=len(excerpt_ids), mentions=len(links))
