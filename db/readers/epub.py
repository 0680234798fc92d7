"""EPUB e-books: the chapters in spine (reading) order, block by block, with
the package's Dublin Core metadata. Navigation documents are left out, and
nothing a chapter refers to (images, fonts, remote resources) is loaded."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .common import ReadOptions, clean_title, join_paragraphs, safe_xml
from .document import BadDocumentError, Document, partial_date
from .html_text import html_paragraphs, parse_html
from .office import open_package, read_member

_CONTAINER = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
_CHAPTER_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")


def read_epub(path: Path, data: bytes, options: ReadOptions) -> Document:
    package = open_package(path, data)
    with package:
        if _protected(path, package):
            raise BadDocumentError(path, "is protected by DRM (its chapters are encrypted): casebook "
                                         "reads only e-books without DRM")
        container = safe_xml(read_member(path, package, "META-INF/container.xml") or b"")
        rootfile = container.find(".//c:rootfile", _CONTAINER) if container is not None else None
        if rootfile is None or not rootfile.get("full-path"):
            raise BadDocumentError(path, "is not a readable EPUB (META-INF/container.xml names no package)")
        opf_name = rootfile.get("full-path", "")
        opf = safe_xml(read_member(path, package, opf_name) or b"")
        if opf is None:
            raise BadDocumentError(path, f"is not a readable EPUB ({opf_name} is not well-formed XML)")
        base = posixpath.dirname(opf_name)
        manifest = {item.get("id"): item for item in opf.iterfind("opf:manifest/opf:item", _OPF)}
        paragraphs: list[str] = []
        chapters = 0
        for itemref in opf.iterfind("opf:spine/opf:itemref", _OPF):
            item = manifest.get(itemref.get("idref"))
            if item is None or item.get("media-type") not in _CHAPTER_TYPES:
                continue
            if "nav" in (item.get("properties") or "").split():
                continue
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            chapter = read_member(path, package, name, required=False)
            root = parse_html(chapter) if chapter else None
            if root is not None:
                found = html_paragraphs(root)
                chapters += bool(found)
                paragraphs += found
    text = join_paragraphs(paragraphs)
    if not text:
        raise BadDocumentError(path, "has no text in its chapters (an e-book of pictures?)")
    metadata = opf.find("opf:metadata", _OPF)
    meta = {"format": "epub", "media_type": "application/epub+zip", "chapters": str(chapters)}
    identifier = _dc(metadata, "identifier")
    if identifier:
        meta["identifier"] = identifier
    language = _dc(metadata, "language")
    if language:
        meta["language"] = language
    return Document(path=str(path), kind="epub", text=text, split="lines",
                    title=clean_title(_dc(metadata, "title")) or path.stem,
                    author=", ".join(_all_dc(metadata, "creator")), publisher=_dc(metadata, "publisher"),
                    published=partial_date(_dc(metadata, "date")), meta=meta)


def _protected(path: Path, package: Any) -> bool:
    """Chapters encrypted (DRM); fonts alone may be obfuscated, which is no matter."""
    encryption = read_member(path, package, "META-INF/encryption.xml", required=False)
    if not encryption:
        return False
    root = safe_xml(encryption)
    if root is None:
        return True
    for reference in root.iter("{http://www.w3.org/2001/04/xmlenc#}CipherReference"):
        if not reference.get("URI", "").lower().endswith((".ttf", ".otf", ".woff", ".woff2")):
            return True
    return False


def _all_dc(metadata: Any, name: str) -> list[str]:
    if metadata is None:
        return []
    return [" ".join(found.text.split()) for found in metadata.iterfind(f"dc:{name}", _OPF)
            if found.text and found.text.strip()]


def _dc(metadata: Any, name: str) -> str:
    values = _all_dc(metadata, name)
    return values[0] if values else ""
