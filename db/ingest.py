"""Adding documents to a case: each one a source, its paragraphs, its mentions.

Each document goes in as one write transaction — the source, its paragraph
excerpts (indexed for search by the schema's triggers) and the links to the
entities they mention — so a failure leaves the case as it was. Documents
are read and checked (:mod:`db.documents`) before the case is touched.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from .casefile import Case
from .documents import ListedFile, document_kind
from .errors import InvalidValueError
from .mentions import MentionIndex, index_for_words
from .models import Model, SourceAttachment, SourceInfo
from .possible_mentions import NameForms, Proposal, store_proposals
from .readers.document import Document
from .source_details import write_source_details
from .sources import DuplicateSourceError, add_source, split_paragraphs
from .tables import EXCERPT_ENTITIES
from .text import folded_words, nfc


class Added(Model):
    """What adding one document made (with its attachments read as sources)."""

    source: SourceInfo
    paragraphs: int
    mentions: int          # links made: names and aliases as written
    proposed: int = 0      # possible mentions proposed for review (db/possible_mentions.py)
    pages: int = 0
    name: str = ""  # for an attachment, its file name in the message
    attachments: tuple["Added", ...] = ()
    # Attachments already in the case: (name, the source they are).
    known: tuple[tuple[str, int], ...] = ()


class Skipped(Model):
    path: str
    reason: str


class Plan(Model):
    """The files a list of paths names: files to read, and what a directory
    holds that is not read, each with the reason."""

    files: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    # A folder's files as its listing found them: read later, each must still be
    # that file (``db.documents.read_documents``'s ``listed``), never a swapped-in link.
    listed: dict[str, ListedFile] = {}


def plan_paths(paths: Iterable[str | os.PathLike[str]]) -> Plan:
    """Files named directly are read whatever their name (binary and other bad
    files are reported when read); a directory gives the documents directly in
    it (``.txt``, ``.md``, ``.html``, ``.pdf``, ``.docx``, ``.eml`` and the
    others casebook reads), in name order, and says
    what else it holds and why that is not read. Subdirectories are not entered.
    """
    files: list[str] = []
    skipped: list[Skipped] = []
    listed: dict[str, ListedFile] = {}
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            files.append(str(path))
            continue
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            found, reason = _listed(path, entry)
            if found is None:
                skipped.append(Skipped(path=str(entry), reason=reason))
            else:
                files.append(str(entry))
                listed[str(entry)] = found
    unique = list(dict.fromkeys(files))  # a file named twice is read once
    return Plan(files=tuple(unique), skipped=tuple(skipped), listed=listed)


def _listed(folder: Path, entry: Path) -> tuple[ListedFile | None, str]:
    """The file a folder's entry is (decided on one lstat, so what is checked is
    what is read), or None and why it is not read."""
    try:
        seen = entry.lstat()
    except OSError as error:
        return None, f"cannot be read ({error.strerror or error})"
    link = stat.S_ISLNK(seen.st_mode)
    if link:
        reason = _link_out_of(folder, entry)
        if reason:
            return None, reason
        try:
            seen = entry.stat()
            # the link still leads where it was resolved to, inside the folder
            inside = entry.resolve(strict=True).lstat()
        except (OSError, RuntimeError):
            return None, "a symbolic link to nothing readable"
        if (seen.st_dev, seen.st_ino) != (inside.st_dev, inside.st_ino):
            return None, "a symbolic link that changed while the folder was listed: not followed"
    reason = _not_read_because(entry, seen.st_mode)
    if reason:
        return None, reason
    return ListedFile(device=seen.st_dev, inode=seen.st_ino, link=link), ""


READ_SUFFIXES = ".txt, .md, .html, .pdf, .docx, .odt, .epub, .eml, .mbox and .mhtml"


def _link_out_of(folder: Path, entry: Path) -> str:
    """Why a symbolic link in ``folder`` is not followed: it leads out of the
    folder (``inbox/zz.md -> /etc/passwd``), or nowhere. A file named on the
    command line is read as named."""
    if not entry.is_symlink():
        return ""
    try:
        target = entry.resolve(strict=True)
        inside = target.is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError):   # dangling, or a loop
        return "a symbolic link to nothing readable"
    if not inside:
        return (f"a symbolic link out of the folder (to {target}): not followed; name the file "
                "itself to add it")
    return ""


def _not_read_because(entry: Path, mode: int) -> str:
    if entry.name.startswith("."):
        return "hidden file"
    if stat.S_ISDIR(mode):
        return "a directory (subdirectories are not read)"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if document_kind(entry) is None:
        suffix = entry.suffix or "no extension"
        return f"not a document type casebook reads ({suffix}; it reads {READ_SUFFIXES})"
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
    forms: NameForms | None = None,
    progress: Callable[[float], None] | None = None,
) -> Added:
    """Add a document as a source with its paragraphs, mention links, pages,
    metadata and attachments (each read attachment a source of its own), in
    one transaction. Raises DuplicateSourceError (nothing written) if the same
    text is already in the case; an attachment already in the case is linked
    to the source it is. ``progress(fraction)`` reports the share done.

    The mentions are found first, outside the transaction: the write lock,
    which annotators' marks wait for, is held only while rows are written
    (about 15 s for a 30 MB text, well within the 30 s busy timeout). Only
    the entity names a document's words could begin are read
    (:func:`db.mentions.index_for_words`), so a case of 100,000 entities
    adds documents as fast as a small one. Words that only resemble a name
    are proposed as possible mentions, not linked: the names they could
    resemble are read by the first letters of their skeletons
    (``forms``, :meth:`db.possible_mentions.NameForms.reading`: give one
    for many documents), not all of them.
    """
    say = progress or (lambda fraction: None)
    documents = document.all_documents()
    texts = [nfc(each.text) for each in documents]
    spans = [split_paragraphs(text, each.split) for text, each in zip(texts, documents, strict=True)]
    total = max(sum(map(len, spans)), 1)
    say(0.0)
    words = [[folded_words(text[start:end]) for start, end in found]
             for text, found in zip(texts, spans, strict=True)]
    present = {word for each in words for paragraph in each for word in paragraph}
    index = index or index_for_words(case, present)
    forms = forms or NameForms.reading(case)
    forms.read_words(present)
    found: list[list[set[int]]] = []
    proposed: list[list[list[Proposal]]] = []
    done = 0
    for text, found_spans, each in zip(texts, spans, words, strict=True):
        found.append([])
        proposed.append([])
        for first in range(0, len(each), _STEP):
            batch = each[first:first + _STEP]
            linked = [index.find_words(paragraph) for paragraph in batch]
            found[-1] += linked
            proposed[-1] += [forms.propose(text[start:end], ids, words=paragraph)
                             for (start, end), ids, paragraph
                             in zip(found_spans[first:first + _STEP], linked, batch, strict=True)]
            done += len(batch)
            say(_FINDING_SHARE * done / total)
    prepared = dict(zip(map(id, documents), zip(texts, spans, found, proposed, strict=True),
                        strict=True))
    writing = _Writing(case, say, total, prepared)
    with case.write():
        added = writing.add(document, parent=None)
    say(1.0)
    return added


class _Writing:
    """The rows of a document and its attachments, inside one transaction."""

    def __init__(self, case: Case, say: Callable[[float], None], total: int,
                 prepared: dict[int, tuple[str, list[tuple[int, int]], list[set[int]],
                                         list[list[Proposal]]]]):
        self.case = case
        self.say = say
        self.total = total
        self.prepared = prepared
        self.written = 0

    def add(self, document: Document, parent: int | None) -> Added:
        text, spans, found, proposed = self.prepared[id(document)]
        first = self.written

        def written(done: int, total: int) -> None:
            share = (first + len(spans) * done / max(total, 1)) / self.total
            self.say(_FINDING_SHARE + (1 - _FINDING_SHARE) * 0.9 * share)

        source = add_source(
            self.case, text=text, title=document.title, publisher=document.publisher,
            author=document.author, url=document.url, published=document.published,
            split=document.split, progress=written,
        )
        self.written += len(spans)
        tx = self.case.conn
        excerpt_ids = [row[0] for row in tx.execute(
            'SELECT id FROM excerpts WHERE source_id = ? ORDER BY start, "end"', [source.id]
        )]
        if len(excerpt_ids) != len(spans):  # add_source split the text as we did
            raise RuntimeError(f"source {source.id}: {len(excerpt_ids)} paragraphs, expected {len(spans)}")
        links = [(excerpt_id, entity_id)
                 for excerpt_id, entities in zip(excerpt_ids, found, strict=True) for entity_id in entities]
        tx.executemany(EXCERPT_ENTITIES.insert().sql, links)
        proposals = sum(store_proposals(tx, excerpt_id, each)
                        for excerpt_id, each in zip(excerpt_ids, proposed, strict=True) if each)
        assert source.id is not None
        write_source_details(tx, source.id, meta=document.meta, pages=document.pages, boxes=document.boxes)
        attachments, known = self._attachments(document, source.id)
        return Added(source=source, paragraphs=len(excerpt_ids), mentions=len(links),
                     proposed=proposals, pages=len(document.pages), attachments=tuple(attachments),
                     known=tuple(known))

    def _attachments(self, document: Document, source_id: int) -> tuple[list[Added], list[tuple[str, int]]]:
        added: list[Added] = []
        known: list[tuple[str, int]] = []
        rows = []
        for number, attachment in enumerate(document.attachments, start=1):
            attached_id, note = None, attachment.note
            if attachment.document is not None:
                try:
                    child = self.add(attachment.document, parent=source_id)
                except DuplicateSourceError as duplicate:
                    attached_id = duplicate.existing_id
                    note = f"already in the case as source {attached_id}"
                    known.append((attachment.name, duplicate.existing_id))
                else:
                    added.append(child.model_copy(update={"name": attachment.name}))
                    attached_id = child.source.id
            rows.append(SourceAttachment(number=number, name=attachment.name,
                                         media_type=attachment.media_type, size=attachment.size,
                                         attached_id=attached_id, note=note))
        write_source_details(self.case.conn, source_id, attachments=rows)
        return added, known
