"""Text, Markdown and HTML files: their bytes decoded (UTF-8, UTF-16, or the
legacy charset a page declares), Markdown's front matter read, a page
through the web-page reader (:mod:`.web`)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .common import ReadOptions
from .document import (
    SIGNATURES,
    SNIFF_BYTES,
    BadDocumentError,
    Document,
    DocumentKind,
    choose_split,
    normalise_text,
    partial_date,
    sniff_text_kind,
)
from .web import page_document

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)


def read_text_document(path: Path, data: bytes, named: DocumentKind | None,
                       options: ReadOptions) -> Document:
    """Text, Markdown or HTML from the file's bytes."""
    kind = named if named in ("text", "markdown", "html") else sniff_text_kind(data)
    if kind == "html":
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


def _decode(path: Path, data: bytes, *, html: bool) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise BadDocumentError(path, f"is not valid UTF-16 (at byte {error.start})") from None
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise BadDocumentError(path, f"is {what}, not a text document")
    if b"\x00" in data[:SNIFF_BYTES]:
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
    found = _META_CHARSET.search(data[:SNIFF_BYTES])
    if not found:
        return None
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return None if name in ("utf-8", "utf-8-sig") else name


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
