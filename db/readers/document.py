"""A document as every reader gives it, and what can be wrong with one.

The readers (:mod:`db.readers`) and the reading of files from disk
(:mod:`db.documents`) share these: the :class:`Document` model and its
attachments, :class:`BadDocumentError`, the kinds of document by name and by
their first bytes, and the text helpers (line endings, paragraphs, dates).
Nothing here reads a file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from ..errors import CaseError
from ..models import LineBox, Model, SourcePage
from ..sources import SplitMode
from ..text import nfc

DocumentKind = Literal["text", "markdown", "html", "pdf", "docx", "odt", "epub", "email", "mbox", "mhtml"]
# Read in a bounded child process (db.bounded): formats whose readers unpack.
CONTAINER_KINDS = frozenset({"pdf", "docx", "odt", "epub", "email", "mbox", "mhtml"})

# 32 MiB: several thousand pages of text, or a saved page with its scripts and
# inline images; a larger file is almost always not a document (a dump, a
# disk image) and would be held in memory whole while it is split and indexed.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
# Files that hold more than text (pictures, fonts, attachments) may be larger.
MAX_FILE_BYTES: dict[str, int] = {
    "pdf": 256 * 1024 * 1024, "docx": 128 * 1024 * 1024, "odt": 128 * 1024 * 1024,
    "epub": 128 * 1024 * 1024, "email": 128 * 1024 * 1024, "mhtml": 128 * 1024 * 1024,
    "mbox": 512 * 1024 * 1024,
}

SUFFIX_KINDS: dict[str, DocumentKind] = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".epub": "epub",
    ".eml": "email", ".msg.eml": "email", ".mbox": "mbox", ".mbx": "mbox",
    ".mht": "mhtml", ".mhtml": "mhtml",
}
KIND_NAMES: dict[str, str] = {
    "text": "a text file", "markdown": "a Markdown file", "html": "an HTML page", "pdf": "a PDF",
    "docx": "a Word document", "odt": "an OpenDocument text", "epub": "an EPUB e-book",
    "email": "an e-mail message", "mbox": "an mbox mailbox", "mhtml": "an MHTML saved page",
}

# File signatures of common binary formats, for a clearer message than "binary".
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old Office document (.doc, .xls: save it as .docx or PDF to add it)"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
)
# What is read of a file to tell what it is.
SNIFF_BYTES = 8192
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)


class BadDocumentError(CaseError):
    """A document that cannot be added: the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


    def __reduce__(self) -> tuple[object, tuple[str, str]]:  # crosses from a reader process
        return (type(self), (str(self.path), self.reason))


class Attachment(Model):
    """A file a document carries (an e-mail's attachment, a file embedded in a
    PDF): read as a document of its own, or not, with the reason."""

    name: str
    media_type: str = ""
    size: int = 0
    document: "Document | None" = None
    note: str = ""


class Document(Model):
    """A document read from disk, ready to become a source.

    ``pages`` and ``boxes`` (PDF) are code-point spans of ``text``; ``meta``
    is what the document says about itself beyond the source's columns
    (format, Message-ID, page count...); ``notices`` are things the reader
    tells the user (a tracked change left out, a page with no text).
    """

    path: str
    kind: DocumentKind
    text: str
    split: SplitMode
    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    pages: tuple[SourcePage, ...] = ()
    boxes: tuple[LineBox, ...] = ()
    meta: dict[str, str] = {}
    notices: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # Files found by the reader, turned into ``attachments`` by db.readers.dispatch.
    raw_attachments: tuple[tuple[str, str, bytes], ...] = ()

    def all_documents(self) -> list["Document"]:
        """This document and every attachment read as one, depth first."""
        found = [self]
        for attachment in self.attachments:
            if attachment.document is not None:
                found += attachment.document.all_documents()
        return found


def sniff_text_kind(data: bytes) -> DocumentKind:
    """HTML or text, by how the bytes begin (a BOM, comments, then <!doctype html> or <html>)."""
    head = data[:1024].lstrip(codecs.BOM_UTF8)
    return "html" if _HTML_START.match(head) else "text"


def mib(size: int) -> str:
    """A size in mebibytes, for messages: ``12.5 MiB``."""
    return f"{size / (1024 * 1024):.1f} MiB"


def normalise_text(text: str) -> str:
    """NFC, without a byte-order mark, lines ending in ``\\n``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


# -- paragraphs -----------------------------------------------------------

# Hard-wrapped text keeps its lines at most about this long: a line within a
# paragraph that runs past it is a paragraph of its own (text saved from the
# web, like the seed sources, puts one paragraph on each line).
WRAPPED_LINE_LENGTH = 100
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def choose_split(text: str) -> SplitMode:
    """``blocks`` for hard-wrapped text (paragraphs between blank lines),
    ``lines`` for text with one paragraph per line.

    The lines that continue onto another line of the same block tell: in
    wrapped text they are short; if more than a fifth are long, each line
    is a paragraph.
    """
    blocks = [block.strip("\n").split("\n") for block in _BLANK_LINE.split(text)]
    inner = [len(line.rstrip()) for lines in blocks if len(lines) > 1 for line in lines[:-1]]
    if len(blocks) < 2 or not inner:
        return "lines"  # no blank lines, or one line per block: nothing to join
    long = sum(length > WRAPPED_LINE_LENGTH for length in inner)
    return "lines" if long * 5 > len(inner) else "blocks"


# -- dates ----------------------------------------------------------------

_DATE_PREFIX = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?![\d])")


def partial_date(value: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from the start of an ISO-like
    date or timestamp; ``''`` if it does not start with one."""
    found = _DATE_PREFIX.match(value.strip())
    if not found:
        return ""
    year, month, day = found.groups()
    if not month:
        return year
    if not 1 <= int(month) <= 12:
        return year
    if not day:
        return f"{year}-{int(month):02d}"
    if not 1 <= int(day) <= 31:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


Attachment.model_rebuild()
