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

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .readers.common import ReadOptions
from .readers.dispatch import read_container, sniff_container
from .readers.document import (
    CONTAINER_KINDS,
    KIND_NAMES,
    MAX_DOCUMENT_BYTES,
    MAX_FILE_BYTES,
    SIGNATURES,
    SNIFF_BYTES,
    SUFFIX_KINDS,
    BadDocumentError,
    Document,
    DocumentKind,
    mib,
    sniff_text_kind,
)
from .readers.text import read_text_document


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
    path = Path(path)
    options = options or ReadOptions()
    named = document_kind(path)
    with _reading(path), _opened(path, listed) as handle:   # opened once: what is read is what was checked
        head = handle.read(SNIFF_BYTES)
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
    for signature, found in SIGNATURES:
        if head.startswith(signature):
            return f"is {found}, not {what}"
    if b"\x00" in head:
        return f"is a binary file, not {what}"
    actually = "an HTML page" if sniff_text_kind(head) == "html" else "text"
    return f"is named as {what} but is {actually} (a download that failed?)"


def _with_file(document: Document, path: Path, data: bytes) -> Document:
    """The document's metadata with the file it came from: name, size, SHA-256."""
    meta = {"format": document.kind, **document.meta, "file_name": path.name,
            "file_sha256": hashlib.sha256(data).hexdigest(), "file_bytes": str(len(data))}
    return document.model_copy(update={"meta": meta})


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
            path, f"is too large ({mib(size)}; the limit is {mib(max_bytes)})")
    handle.seek(0)
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since stat
        raise BadDocumentError(path, f"is too large (the limit is {mib(max_bytes)})")
    if not data:
        raise BadDocumentError(path, "is empty")
    return data


