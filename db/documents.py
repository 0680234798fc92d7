"""Reading documents from disk: plain text, Markdown and saved web pages.

A document is read, checked and turned into text and metadata here, before
the case is touched: a file that is binary, not valid UTF-8, empty, too large
or (for HTML) without article text raises :class:`BadDocumentError` with one
line that names the file and says what is wrong.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from .errors import CaseError
from .models import Model
from .sources import SplitMode
from .text import nfc

DocumentKind = Literal["text", "markdown", "html"]

# 32 MiB: several thousand pages of text, or a saved page with its scripts and
# inline images; a larger file is almost always not a document (a dump, a
# disk image) and would be held in memory whole while it is split and indexed.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024

SUFFIX_KINDS: dict[str, DocumentKind] = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
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
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
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


class Document(Model):
    """A document read from disk, ready to become a source."""

    path: str
    kind: DocumentKind
    text: str
    split: SplitMode
    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""


def document_kind(path: Path) -> DocumentKind | None:
    """The kind a file's name says it is, or None for names casebook does not read."""
    return SUFFIX_KINDS.get(path.suffix.lower())


def read_document(path: str | Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Document:
    """Read, check and extract one document. Raises BadDocumentError."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    kind = document_kind(path) or _sniff_kind(data)
    if kind == "html":
        from .webpage import extract_page  # trafilatura loads slowly: only for HTML

        text = _decode(path, data, html=True)
        try:
            page = extract_page(text)
        except Exception as error:  # a parser failing on untrusted input: one line, not a traceback
            raise BadDocumentError(path, f"could not be read as HTML ({type(error).__name__})") from None
        if not page.text.strip():
            raise BadDocumentError(path, "no article text found in this HTML page")
        return Document(path=str(path), kind="html", text=page.text, split="lines",
                        title=page.title or path.stem, publisher=page.publisher,
                        author=page.author, url=page.url, published=page.published)
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


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise BadDocumentError(path, "is a directory")
        size = path.stat().st_size
        if size > max_bytes:
            raise BadDocumentError(
                path, f"is too large ({_mib(size)}; the limit is {_mib(max_bytes)})")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise BadDocumentError(path, "no such file") from None
    except PermissionError:
        raise BadDocumentError(path, "permission denied") from None
    except OSError as error:
        raise BadDocumentError(path, f"cannot read ({error.strerror or error})") from None
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
