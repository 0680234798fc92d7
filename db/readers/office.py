"""Word (.docx) and OpenDocument (.odt) text: paragraphs, headings and tables
in document order, with the core properties as metadata.

Both are ZIP packages of XML, read here with lxml (no DTDs, no entities, no
network) after the package is checked against unpacking limits. The text is
the document as it reads with tracked changes accepted: inserted text is in,
deleted text is out. Comments, footnotes and deleted text are not mixed into
the text; the reader says how many there were, and keeps the comments in the
source's metadata.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from .common import ReadOptions, clean_title, join_paragraphs, safe_xml
from .document import BadDocumentError, Document, partial_date

# Unpacking limits for a package: a real document's parts add up to a few
# megabytes; a "bomb" declares gigabytes that inflate from kilobytes.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_PACKAGE_MEMBERS = 10_000
_KEPT_COMMENTS = 100

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CORE = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


def open_package(path: Path, data: bytes) -> zipfile.ZipFile:
    """The ZIP package, after checking what it declares against the limits."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
        raise BadDocumentError(path, "is a damaged or truncated ZIP package") from None
    if len(members) > MAX_PACKAGE_MEMBERS:
        raise BadDocumentError(path, f"holds {len(members):,} files; a document holds at most "
                                     f"{MAX_PACKAGE_MEMBERS:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise BadDocumentError(
            path, f"unpacks to {unpacked / 2**20:,.0f} MiB, past the {MAX_UNPACKED_BYTES // 2**20} MiB "
                  "limit (a decompression bomb?)")
    return package


def read_member(path: Path, package: zipfile.ZipFile, name: str, *, required: bool = True) -> bytes | None:
    """One part of the package, never more than its declared size."""
    try:
        info = package.getinfo(name)
    except KeyError:
        if required:
            raise BadDocumentError(path, f"is not a complete document ({name} is missing)") from None
        return None
    if info.flag_bits & 0x1:
        raise BadDocumentError(path, "is password-protected (its ZIP parts are encrypted): save it "
                                     "without the password and add that file")
    try:
        with package.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, OSError, EOFError):
        raise BadDocumentError(path, f"is damaged ({name} cannot be unpacked)") from None
    if len(data) > info.file_size:
        raise BadDocumentError(path, f"is damaged ({name} is larger than it says)")
    return data


def _xml(path: Path, package: zipfile.ZipFile, name: str, *, required: bool = True) -> Any:
    data = read_member(path, package, name, required=required)
    if data is None:
        return None
    root = safe_xml(data)
    if root is None and required:
        raise BadDocumentError(path, f"is damaged ({name} is not well-formed XML)")
    return root


# -- Word ----------------------------------------------------------------------


def read_docx(path: Path, data: bytes, options: ReadOptions) -> Document:
    package = open_package(path, data)
    with package:
        body = _xml(path, package, "word/document.xml")
        styles = _heading_styles(_xml(path, package, "word/styles.xml", required=False))
        comments = _docx_comments(_xml(path, package, "word/comments.xml", required=False))
        core = _xml(path, package, "docProps/core.xml", required=False)
        notes = sum(_docx_notes(_xml(path, package, name, required=False))
                    for name in ("word/footnotes.xml", "word/endnotes.xml"))
    if body is None or body.find(f"{W}body") is None:
        raise BadDocumentError(path, "is not a Word document (it has no body)")
    paragraphs: list[str] = []
    headings: list[str] = []
    for block in _blocks(body.find(f"{W}body")):
        if block.tag == f"{W}tbl":
            paragraphs += _table_rows(block)
            continue
        text = _paragraph_text(block)
        paragraphs.append(text)
        if text.strip() and _style(block) in styles:
            headings.append(text.strip())
    text = join_paragraphs(paragraphs)
    if not text:
        raise BadDocumentError(path, "has no text (an empty Word document, or only pictures)")
    inserted = len(body.findall(f".//{W}ins")) + len(body.findall(f".//{W}moveTo"))
    deleted = len(body.findall(f".//{W}del")) + len(body.findall(f".//{W}moveFrom"))
    properties = _core_properties(core)
    meta = {"format": "docx", "media_type":
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    meta.update({key: value for key, value in properties.items() if key not in ("title", "author", "date")})
    notices = _left_out(len(comments), inserted, deleted, notes)
    meta.update(_comment_meta(comments, inserted, deleted))
    return Document(path=str(path), kind="docx", text=text, split="lines",
                    title=clean_title(properties.get("title", "")) or (headings[0] if headings else "")
                    or path.stem,
                    author=properties.get("author", ""), published=partial_date(properties.get("date", "")),
                    meta=meta, notices=tuple(notices))


def _blocks(container: Any) -> Any:
    """Paragraphs and tables of the body in order, through content controls."""
    for child in container:
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag in (f"{W}sdt", f"{W}customXml", f"{W}sdtContent"):
            yield from _blocks(child)


def _paragraph_text(paragraph: Any) -> str:
    """What the paragraph reads, tracked insertions in, deletions out."""
    parts: list[str] = []
    for element in paragraph.iter():
        tag = element.tag
        if tag == f"{W}t":
            if not _inside(element, paragraph, (f"{W}del", f"{W}moveFrom", _MC_FALLBACK)):
                parts.append(element.text or "")
        elif tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(" ")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _inside(element: Any, top: Any, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not top:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.iter(f"{W}tr"):
        cells = [" ".join(_paragraph_text(p) for p in cell.iter(f"{W}p")).strip()
                 for cell in row.findall(f"{W}tc")]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _style(paragraph: Any) -> str:
    found = paragraph.find(f"{W}pPr/{W}pStyle")
    return found.get(f"{W}val", "") if found is not None else ""


def _heading_styles(styles: Any) -> set[str]:
    """Style ids of titles and headings (by name, as Word names them in every language)."""
    found = {"Title", "Heading1", "Heading2", "Heading3"}
    if styles is None:
        return found
    for style in styles.iter(f"{W}style"):
        name = style.find(f"{W}name")
        value = (name.get(f"{W}val", "") if name is not None else "").lower()
        if value == "title" or value.startswith("heading") or style.find(f"{W}pPr/{W}outlineLvl") is not None:
            found.add(style.get(f"{W}styleId", ""))
    return found


def _docx_notes(root: Any) -> int:
    """Footnotes or endnotes written by the author (ids from 1: 0 and -1 are separators)."""
    if root is None:
        return 0
    return sum(1 for note in root if note.get(f"{W}id", "0").lstrip("-").isdigit()
               and int(note.get(f"{W}id", "0")) > 0)


def _docx_comments(root: Any) -> list[tuple[str, str, str]]:
    if root is None:
        return []
    return [(comment.get(f"{W}author", ""), comment.get(f"{W}date", "")[:10],
             " ".join("".join(t.text or "" for t in comment.iter(f"{W}t")).split()))
            for comment in root.iter(f"{W}comment")]


def _core_properties(core: Any) -> dict[str, str]:
    if core is None:
        return {}

    def text(path: str) -> str:
        found = core.find(path, _CORE)
        return " ".join((found.text or "").split()) if found is not None else ""

    fields = {"title": text("dc:title"), "author": text("dc:creator"),
              "date": text("dcterms:created") or text("dcterms:modified"),
              "subject": text("dc:subject"), "keywords": text("cp:keywords"),
              "last_modified_by": text("cp:lastModifiedBy"), "modified": text("dcterms:modified")}
    return {key: value for key, value in fields.items() if value}


def _left_out(comments: int, inserted: int, deleted: int, notes: int) -> list[str]:
    said = []
    if comments:
        said.append(f"{_count(comments, 'comment')} left out of the text (kept in the source's metadata)")
    if inserted or deleted:
        said.append(f"tracked changes accepted: {_count(inserted, 'insertion')} in the text, "
                    f"{_count(deleted, 'deletion')} left out")
    if notes:
        said.append(f"{_count(notes, 'footnote or endnote', 'footnotes or endnotes')} left out of the text")
    return said


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


def _comment_meta(comments: list[tuple[str, str, str]], inserted: int, deleted: int) -> dict[str, str]:
    meta = {}
    if comments:
        meta["comments"] = str(len(comments))
    for number, (author, date, text) in enumerate(comments[:_KEPT_COMMENTS], start=1):
        said_by = ", ".join(part for part in (author, date) if part)
        meta[f"comment {number}"] = f"{said_by}: {text}" if said_by else text
    if inserted or deleted:
        meta["tracked_changes"] = f"{_count(inserted, 'insertion')}, {_count(deleted, 'deletion')} (accepted)"
    return meta


# -- OpenDocument ------------------------------------------------------------------

_ODF = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "dc": "http://purl.org/dc/elements/1.1/",
        "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"}
T = f"{{{_ODF['text']}}}"
TABLE = f"{{{_ODF['table']}}}"
_ODF_SKIPPED = {f"{{{_ODF['office']}}}annotation", f"{T}note", f"{T}tracked-changes",
                f"{{{_ODF['office']}}}annotation-end"}


def read_odt(path: Path, data: bytes, options: ReadOptions) -> Document:
    package = open_package(path, data)
    with package:
        manifest = read_member(path, package, "META-INF/manifest.xml", required=False) or b""
        if b"encryption-data" in manifest:
            raise BadDocumentError(path, "is password-protected: save it without the password (or as "
                                         "PDF) and add that file")
        content = _xml(path, package, "content.xml")
        meta_root = _xml(path, package, "meta.xml", required=False)
    text_root = content.find("office:body/office:text", _ODF)
    if text_root is None:
        raise BadDocumentError(path, "is not an OpenDocument text (it has no text body)")
    paragraphs: list[str] = []
    headings: list[str] = []
    _odf_blocks(text_root, paragraphs, headings)
    text = join_paragraphs(paragraphs)
    if not text:
        raise BadDocumentError(path, "has no text (an empty document, or only pictures)")
    comments = len(content.findall(".//office:annotation", _ODF))
    notes = len(content.findall(".//text:note", _ODF))
    changes = content.find(".//text:tracked-changes", _ODF)
    deleted = len(changes.findall(".//text:deletion", _ODF)) if changes is not None else 0
    inserted = len(changes.findall(".//text:insertion", _ODF)) if changes is not None else 0

    def meta_text(name: str) -> str:
        found = meta_root.find(f"office:meta/{name}", _ODF) if meta_root is not None else None
        return " ".join((found.text or "").split()) if found is not None else ""

    meta = {"format": "odt", "media_type": "application/vnd.oasis.opendocument.text"}
    if comments:
        meta["comments"] = str(comments)
    return Document(path=str(path), kind="odt", text=text, split="lines",
                    title=clean_title(meta_text("dc:title")) or (headings[0] if headings else "")
                    or path.stem,
                    author=meta_text("dc:creator") or meta_text("meta:initial-creator"),
                    published=partial_date(meta_text("meta:creation-date") or meta_text("dc:date")),
                    meta=meta, notices=tuple(_left_out(comments, inserted, deleted, notes)))


def _odf_blocks(container: Any, paragraphs: list[str], headings: list[str]) -> None:
    for child in container:
        if child.tag in (f"{T}p", f"{T}h"):
            text = _odf_text(child)
            paragraphs.append(text)
            if child.tag == f"{T}h" and text.strip():
                headings.append(" ".join(text.split()))
        elif child.tag == f"{TABLE}table":
            for row in child.iter(f"{TABLE}table-row"):
                cells = [" ".join(_odf_text(p) for p in cell.iter(f"{T}p")).strip()
                         for cell in row.findall(f"{TABLE}table-cell")]
                if any(cells):
                    paragraphs.append(" | ".join(cells))
        elif child.tag not in _ODF_SKIPPED:
            _odf_blocks(child, paragraphs, headings)  # lists, sections, frames


def _odf_text(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag in _ODF_SKIPPED:
            pass
        elif child.tag == f"{T}s":
            count = child.get(f"{T}c", "1")
            parts.append(" " * (min(int(count), 100) if count.isdigit() else 1))
        elif child.tag in (f"{T}tab", f"{T}line-break"):
            parts.append(" ")
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
