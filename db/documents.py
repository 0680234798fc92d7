"""Reading documents from disk: text, Markdown, web pages, PDF, Word and
OpenDocument files, e-mail (one message or an mbox), EPUB and MHTML.

A document is read, checked and turned into text and metadata here, before
the case is touched: a file that is binary, not valid UTF-8, empty, too large,
encrypted, damaged or without text raises :class:`BadDocumentError` with one
line that names the file and says what is wrong.

What a file is comes from its content (a PDF named ``.txt`` is read as a
PDF, and says so), its name deciding only between text, Markdown and HTML.
The formats in containers (PDF, Office, EPUB, e-mail) are read in a child
process bounded in time and memory (:mod:`db.bounded`), by one reader each
in :mod:`db.readers`.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from .errors import CaseError
from .models import LineBox, Model, SourcePage
from .readers.common import ReadOptions
from .sources import SplitMode
from .text import nfc

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
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
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
_SNIFF_BYTES = 8192
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)


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


def document_kind(path: Path) -> DocumentKind | None:
    """The kind a file's name says it is, or None for names casebook does not read."""
    return SUFFIX_KINDS.get(path.suffix.lower())


def read_document(path: str | Path, *, max_bytes: int = MAX_DOCUMENT_BYTES,
                  options: ReadOptions | None = None) -> Document:
    """Read, check and extract one document. Raises BadDocumentError (an mbox,
    which holds many, is read with :func:`read_documents`)."""
    found = read_documents(path, max_bytes=max_bytes, options=options)
    if len(found) != 1:
        raise BadDocumentError(path, f"holds {len(found)} documents (a mailbox)")
    return found[0]


@dataclass(frozen=True)
class ListedFile:
    """A file as a folder's listing found it (``db.ingest.plan_paths``): which
    file it was (device and inode) and whether its name was a symbolic link
    (to a file inside the folder). Reading it later reads that file or
    nothing: a name swapped meanwhile for a link out of the folder, or for
    another file, is refused."""

    device: int
    inode: int
    link: bool = False


def read_documents(path: str | Path, *, max_bytes: int = MAX_DOCUMENT_BYTES,
                   options: ReadOptions | None = None,
                   listed: ListedFile | None = None) -> list[Document]:
    """Read, check and extract the documents a file holds: one, or each message
    of an mbox. ``listed``: the file a folder's listing found under this name
    (else the name is read as named). Raises BadDocumentError."""
    from .readers.dispatch import read_container, sniff_container

    path = Path(path)
    options = options or ReadOptions()
    named = document_kind(path)
    with _reading(path), _opened(path, listed) as handle:   # opened once: what is read is what was checked
        head = handle.read(_SNIFF_BYTES)
        handle.seek(0)
        container = sniff_container(path, head, named, handle)
        if container is None and named in CONTAINER_KINDS:
            raise BadDocumentError(path, _not_as_named(path, head, named, handle))
        limit = MAX_FILE_BYTES[container] if container is not None and \
            max_bytes == MAX_DOCUMENT_BYTES else max_bytes
        data = _read_bytes(path, limit, handle)
    if container is not None:
        found = read_container(path, data, container, named, options)
    else:
        found = [read_text_document(path, data, named, options)]
    return [_with_file(document, path, data) for document in found]


@contextlib.contextmanager
def _opened(path: Path, listed: ListedFile | None) -> Iterator[IO[bytes]]:
    """The file, open for reading. A listed one is opened without following a
    symbolic link it was not (O_NOFOLLOW), without waiting on a pipe put in its
    place (O_NONBLOCK), and must be the regular file the listing found."""
    if listed is None:
        with path.open("rb") as handle:
            yield handle
        return
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if listed.link else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise BadDocumentError(path, "became a symbolic link after the folder was listed: "
                                         "not followed") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode) or (found.st_dev, found.st_ino) != (listed.device,
                                                                                listed.inode):
            raise BadDocumentError(path, "is not the file the folder held when it was listed "
                                         "(replaced meanwhile): not read")
        yield handle


_OFFICE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _not_as_named(path: Path, head: bytes, named: DocumentKind, handle: IO[bytes]) -> str:
    """Why a file named as a PDF, Word file, e-book or e-mail is not one."""
    what = KIND_NAMES[named]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if _OFFICE_ENCRYPTED in _read_bytes(path, max(MAX_FILE_BYTES.values()), handle):
            return ("is a password-protected Office document: casebook cannot decrypt it; save it "
                    "without the password (or as PDF) and add that file")
        return "is an old Office document (.doc, .xls): save it as .docx or PDF to add it"
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return f"is {found}, not {what}"
    if b"\x00" in head:
        return f"is a binary file, not {what}"
    actually = "an HTML page" if _sniff_kind(head) == "html" else "text"
    return f"is named as {what} but is {actually} (a download that failed?)"


def _with_file(document: Document, path: Path, data: bytes) -> Document:
    """The document's metadata with the file it came from: name, size, SHA-256."""
    meta = {"format": document.kind, **document.meta, "file_name": path.name,
            "file_sha256": hashlib.sha256(data).hexdigest(), "file_bytes": str(len(data))}
    return document.model_copy(update={"meta": meta})


def read_text_document(path: Path, data: bytes, named: DocumentKind | None,
                       options: ReadOptions) -> Document:
    """Text, Markdown or HTML from the file's bytes."""
    kind = named if named in ("text", "markdown", "html") else _sniff_kind(data)
    if kind == "html":
        from .readers.web import page_document

        return page_document(path, _decode(path, data, html=True), options)
    text = normalise_text(_decode(path, data, html=False))
    if not text.strip():
        raise BadDocumentError(path, "has no text (only white space)")
    if kind == "markdown":
        meta, text = split_front_matter(text)
        if not text.strip():
            raise BadDocumentError(path, "has no text (only front matter)")
        return Document(path=str(path), kind="markdown", text=text, split="blocks",
                        title=meta.get("title") or markdown_title(text) or path.stem,
                        publisher=meta.get("publisher", ""), author=meta.get("author", ""),
                        url=meta.get("url", ""), published=partial_date(meta.get("published", "")))
    return Document(path=str(path), kind="text", text=text, split=choose_split(text),
                    title=path.stem)


# -- bytes to text --------------------------------------------------------


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Reading a file, its failures said in one line."""
    try:
        if path.is_dir():
            raise BadDocumentError(path, "is a directory")
        yield
    except FileNotFoundError:
        raise BadDocumentError(path, "no such file") from None
    except PermissionError:
        raise BadDocumentError(path, "permission denied") from None
    except OSError as error:
        raise BadDocumentError(path, f"cannot read ({error.strerror or error})") from None


def _read_bytes(path: Path, max_bytes: int, handle: IO[bytes]) -> bytes:
    """The whole of the open file, if it is not larger than ``max_bytes``."""
    size = os.fstat(handle.fileno()).st_size
    if size > max_bytes:
        raise BadDocumentError(
            path, f"is too large ({_mib(size)}; the limit is {_mib(max_bytes)})")
    handle.seek(0)
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since stat
        raise BadDocumentError(path, f"is too large (the limit is {_mib(max_bytes)})")
    if not data:
        raise BadDocumentError(path, "is empty")
    return data


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _sniff_kind(data: bytes) -> DocumentKind:
    head = data[:1024].lstrip(codecs.BOM_UTF8)
    return "html" if _HTML_START.match(head) else "text"


def _decode(path: Path, data: bytes, *, html: bool) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise BadDocumentError(path, f"is not valid UTF-16 (at byte {error.start})") from None
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise BadDocumentError(path, f"is {what}, not a text document")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise BadDocumentError(path, "is a binary file, not a text document")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as error:
        # A page in a legacy charset says so (and text that is not UTF-8 but
        # decodes as UTF-8 is vanishingly rare, so UTF-8 is tried first: pages
        # saved as UTF-8 often keep their old declaration).
        declared = _declared_charset(data) if html else None
        if declared:
            try:
                return data.decode(declared)
            except UnicodeDecodeError as legacy:
                raise BadDocumentError(
                    path, f"is neither UTF-8 nor the {declared} it declares "
                          f"(byte 0x{data[legacy.start]:02x} at offset {legacy.start})") from None
        offset = skip + error.start  # in the file, counting from its first byte
        line = data.count(b"\n", 0, offset) + 1
        raise BadDocumentError(
            path, f"is not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset} (line {line})",
        ) from None


def _declared_charset(data: bytes) -> str | None:
    """A legacy charset an HTML page declares (UTF-8 is the default, so None)."""
    found = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not found:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return None if name in ("utf-8", "utf-8-sig") else name


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


# -- Markdown -------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_FIELD_NAMES = {
    "title": "title", "author": "author", "authors": "author", "by": "author",
    "publisher": "publisher", "source": "publisher", "site": "publisher",
    "url": "url", "link": "url", "canonical": "url", "canonical_url": "url",
    "date": "published", "published": "published", "pubdate": "published",
}
_ATX_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-style front matter (``key: value`` lines between ``---``) and the rest.

    Only flat ``key: value`` lines are read; nested YAML is skipped.
    """
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text
    meta: dict[str, str] = {}
    for raw in found.group(1).splitlines():
        field = _FIELD.match(raw)
        if not field or field.group(1).lower() not in _FIELD_NAMES:
            continue
        value = field.group(2).strip().strip("\"'").strip()
        if value.startswith("[") and value.endswith("]"):  # authors: [A, B]
            value = value[1:-1].split(",")[0].strip().strip("\"'")
        key = _FIELD_NAMES[field.group(1).lower()]
        if value and key not in meta:
            meta[key] = value
    return meta, text[found.end():].lstrip("\n")


def markdown_title(text: str) -> str:
    found = _ATX_HEADING.search(text)
    return found.group(1).strip() if found else ""


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
