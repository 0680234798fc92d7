"""What a file is, by its content, and the one reader for each format.

:func:`sniff_container` tells PDFs, ZIP-packaged documents (Word,
OpenDocument, EPUB), e-mail, mailboxes and MHTML pages from their bytes;
:func:`read_container` reads one in a bounded child process
(:func:`db.bounded.run_bounded`), and turns the files it carries into
documents of their own where casebook reads their format.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..bounded import ReaderLimitError, run_bounded
from .common import ReadOptions
from .document import (
    KIND_NAMES,
    MAX_DOCUMENT_BYTES,
    SUFFIX_KINDS,
    Attachment,
    BadDocumentError,
    Document,
    DocumentKind,
    mib,
)
from .mail import read_mbox
from .text import read_text_document

# Attachments inside attachments: a message forwarded as an attachment of a
# forwarded message... past this depth they are listed, not read.
MAX_ATTACHMENT_DEPTH = 3
# An attachment larger than this (decoded) is listed, not read: the limit of
# a document on its own.
MAX_ATTACHMENT_BYTES = MAX_DOCUMENT_BYTES

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,70}:[ \t]?\S?", re.M)
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:",
                 b"return-path:", b"mime-version:", b"delivered-to:", b"content-type:", b"cc:",
                 b"reply-to:", b"x-mailer:", b"user-agent:", b"snapshot-content-location:")
_OTHER_ZIPS = {
    "xl/workbook.xml": "an Excel workbook (.xlsx)", "ppt/presentation.xml": "a PowerPoint file (.pptx)",
}
_ODF_OTHERS = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
}


def sniff_container(path: Path, head: bytes, named: DocumentKind | None,
                    opened: IO[bytes] | None = None) -> DocumentKind | None:
    """The container format the file's first bytes show, or None for text
    (Text, Markdown and HTML are told apart by name, then by content).
    ``opened``: the file, already open (a ZIP's contents are looked at there)."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, path if opened is None else opened)
    if named in ("text", "markdown", "html"):
        # A note that begins "From: ..." is still a note; a page a browser
        # saved as one file, renamed .html or .txt, is still that page.
        return "mhtml" if _looks_like_headers(head) and _saved_page(head) else None
    if head.startswith(b"From ") and _looks_like_headers(head.split(b"\n", 1)[-1]):
        return "mbox"
    if _looks_like_headers(head):
        if _saved_page(head) or (named == "mhtml" and _related_parts(_top_headers(head))):
            return "mhtml"
        return "email"
    return None


_ADDRESSED = (b"to", b"cc", b"message-id", b"received", b"in-reply-to")


def _saved_page(head: bytes) -> bool:
    """The headers of a web page saved as one file (MHTML): related parts, and
    either the address it was saved from (Chrome's Snapshot-Content-Location)
    or an HTML page in a message addressed to no one. An e-mail whose HTML
    body carries its pictures (multipart/related inside, or even at the top)
    has a To, a Message-ID or Received lines: it stays an e-mail."""
    headers = _top_headers(head)
    if not _related_parts(headers):
        return False
    if b"snapshot-content-location" in headers:
        return True
    return not any(name in headers for name in _ADDRESSED) and b"text/html" in head.lower()


def _related_parts(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"content-type", b"").startswith(b"multipart/related")


def _top_headers(head: bytes) -> dict[bytes, bytes]:
    """The file's first header block, lower-cased, folded lines unfolded (the first of each name)."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    headers: dict[bytes, bytes] = {}
    for line in re.sub(rb"\n[ \t]+", b" ", block).split(b"\n"):
        name, colon, value = line.partition(b":")
        if colon:
            headers.setdefault(name.strip(), value.strip())
    return headers


def _looks_like_headers(head: bytes) -> bool:
    """Mail headers: the file begins with ``Name: value`` lines, two of them ones mail uses."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = [line for line in block.split(b"\n") if line and not line[:1].isspace()]
    if len(lines) < 2 or not all(_HEADER_LINE.match(line) for line in lines[:3]):
        return False
    known = sum(1 for line in lines if line.lower().startswith(_MAIL_HEADERS))
    return known >= 2


def _zip_kind(where: Path, source: Path | bytes | IO[bytes]) -> DocumentKind:
    """Which ZIP-packaged document a file (or an attachment's bytes) is, by what it holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as package:
            names = set(package.namelist())
            mimetype = ""
            if "mimetype" in names:
                mimetype = package.read("mimetype")[:100].decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        raise BadDocumentError(where, "is a damaged or truncated ZIP archive (an Office document or "
                                      "e-book?)") from None
    if mimetype == "application/epub+zip" or "META-INF/container.xml" in names and "mimetype" in names:
        return "epub"
    if mimetype == "application/vnd.oasis.opendocument.text":
        return "odt"
    if "word/document.xml" in names:
        return "docx"
    for member, what in _OTHER_ZIPS.items():
        if member in names:
            raise BadDocumentError(where, f"is {what}; casebook reads documents, not spreadsheets or "
                                          "slides (save it as PDF to add it)")
    if mimetype in _ODF_OTHERS:
        raise BadDocumentError(where, f"is {_ODF_OTHERS[mimetype]}; save it as PDF to add it")
    raise BadDocumentError(where, "is a ZIP archive, not a document: unpack it and add what it holds")


def read_container(path: Path, data: bytes, kind: DocumentKind, named: DocumentKind | None,
                   options: ReadOptions) -> list[Document]:
    """Read a container format in a bounded child process."""
    try:
        documents = run_bounded(_read_all, path, data, kind, options)
    except ReaderLimitError as error:
        raise BadDocumentError(path, str(error)) from None
    if named is not None and named != kind and not (named, kind) == ("email", "mhtml"):
        lie = f"is {KIND_NAMES[kind]}, though its name says {KIND_NAMES[named]}: read as {KIND_NAMES[kind]}"
        documents = [document.model_copy(update={"notices": (lie, *document.notices)})
                     for document in documents[:1]] + documents[1:]
    return documents


def _read_all(path: Path, data: bytes, kind: DocumentKind, options: ReadOptions) -> list[Document]:
    """In the reader process: the documents, with their attachments read."""
    if kind == "mbox":
        return [_with_attachments(message, options) for message in read_mbox(path, data, options)]
    return [_with_attachments(READERS[kind](path, data, options), options)]


def _with_attachments(document: Document, options: ReadOptions) -> Document:
    """The document with its raw attachments read (or listed, with why not),
    and its file described in its metadata."""
    attachments = []
    for name, media_type, data in document.raw_attachments:
        attachments.append(_attachment(Path(document.path), name, media_type, data, options))
    return document.model_copy(update={"attachments": tuple(attachments), "raw_attachments": ()})


def _attachment(parent: Path, name: str, media_type: str, data: bytes, options: ReadOptions) -> Attachment:
    size = len(data)
    base = Attachment(name=name, media_type=media_type, size=size)
    if size > MAX_ATTACHMENT_BYTES:
        return base.model_copy(update={"note": f"not read: {mib(size)}, past the "
                                               f"{mib(MAX_ATTACHMENT_BYTES)} limit for a document"})
    if options.depth + 1 > MAX_ATTACHMENT_DEPTH:
        return base.model_copy(update={"note": f"not read: attachments nested more than "
                                               f"{MAX_ATTACHMENT_DEPTH} deep"})
    where = Path(f"{parent}#{name}")
    inner = options.model_copy(update={"depth": options.depth + 1})
    try:
        document = read_bytes(where, data, name, inner)
    except BadDocumentError as error:
        return base.model_copy(update={"note": f"not read: {error.reason}"})
    meta = {**document.meta, "file_name": name, "file_sha256": hashlib.sha256(data).hexdigest(),
            "file_bytes": str(size)}
    if media_type:
        meta.setdefault("media_type", media_type)
    read = _with_attachments(document.model_copy(update={"meta": meta}), inner)
    return base.model_copy(update={"document": read})


def read_bytes(where: Path, data: bytes, name: str, options: ReadOptions) -> Document:
    """A document from bytes that are not a file of their own (an attachment)."""
    named = SUFFIX_KINDS.get(Path(name).suffix.lower())
    if not data:
        raise BadDocumentError(where, "is empty")
    kind = _sniff_bytes(where, data, named)
    if kind is None:
        if named is None:
            suffix = Path(name).suffix or "no extension"
            raise BadDocumentError(where, f"not a document type casebook reads ({suffix})")
        return read_text_document(where, data, named, options)
    if kind == "mbox":
        raise BadDocumentError(where, "is a mailbox (add it on its own)")
    return READERS[kind](where, data, options)


def _sniff_bytes(where: Path, data: bytes, named: DocumentKind | None) -> DocumentKind | None:
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(where, data)
    return sniff_container(where, data[:8192], named)


def _reader(module: str, function: str) -> Callable[[Path, bytes, ReadOptions], Document]:
    def read(path: Path, data: bytes, options: ReadOptions) -> Document:
        import importlib

        found: Callable[[Path, bytes, ReadOptions], Document] = getattr(
            importlib.import_module(f"db.readers.{module}"), function)
        return found(path, data, options)

    return read


READERS: dict[str, Callable[[Path, bytes, ReadOptions], Document]] = {
    "pdf": _reader("pdf", "read_pdf"),
    "docx": _reader("office", "read_docx"),
    "odt": _reader("office", "read_odt"),
    "epub": _reader("epub", "read_epub"),
    "email": _reader("mail", "read_email"),
    "mhtml": _reader("mail", "read_mhtml"),
}
