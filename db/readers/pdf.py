"""PDF: the text layer in reading order, with pages and line boxes (PDFium).

PDFium (pypdfium2) was chosen by measurement (benchmarks/pdf_libraries.py):
it is the fastest of the libraries tried by far, reads damaged files that
others refuse, and gives each line's box, from which :mod:`.layout` builds
the reading order. It never fetches anything a PDF refers to.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..text import nfc
from . import layout
from .common import ReadOptions, clean_title, safe_xml
from .document import BadDocumentError, Document, partial_date

# A PDF of more pages is refused: 2,000 pages read in about 20 s and hold
# about 8 MB of text; a longer one is a dump that should be split first.
MAX_PDF_PAGES = 2000

_INFO_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BAD_TITLES = re.compile(r"^(untitled|microsoft word - .*|.*\.(docx?|odt|rtf|pdf|indd|qxd|txt)|"
                         r"document\d*|title|slide \d+|\s*)$", re.I)
_XMP = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta>", re.S)
_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
       "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/"}


def read_pdf(path: Path, data: bytes, options: ReadOptions) -> Document:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password=options.password)
    except pdfium.PdfiumError as error:
        raise BadDocumentError(path, _open_failure(str(error), options)) from None
    try:
        count = len(pdf)
        if count > MAX_PDF_PAGES:
            raise BadDocumentError(
                path, f"has {count:,} pages; casebook reads at most {MAX_PDF_PAGES:,} pages of a PDF "
                      f"(split it first, e.g. qpdf in.pdf --split-pages={MAX_PDF_PAGES} part.pdf)")
        if count == 0:
            raise BadDocumentError(path, "is a PDF with no pages")
        pages = [_page_lines(pdf, number) for number in range(count)]
        info = _info(pdf)
        attachments = _embedded_files(pdf)
    finally:
        pdf.close()
    empty = [page.number for page in pages if not page.lines]
    if len(empty) == len(pages):
        raise BadDocumentError(
            path, "has no text layer (a scan, or pictures of pages): add one with OCR, for example "
                  "`ocrmypdf in.pdf out.pdf`, and add that file")
    layout.drop_running_lines(pages)
    for page in pages:
        page.lines = layout.reading_order(layout.merge_fragments(page.lines), page.width)
    built = layout.assemble(layout.paragraphs_of(pages), pages)
    if not built.text.strip():
        raise BadDocumentError(path, "has no text but page headers and numbers")
    xmp = _xmp(data)
    title = (clean_title(xmp.get("title") or info.get("Title", ""), _BAD_TITLES)
             or _first_heading(built.text) or path.stem)
    notices = []
    if empty:
        notices.append(f"{_pages_named(empty)} no text (scanned?): only an OCR text layer would "
                       "make them searchable (for example `ocrmypdf --skip-text in.pdf out.pdf`)")
    meta = {"format": "pdf", "media_type": "application/pdf", "pages": str(count)}
    for key, name in (("Subject", "subject"), ("Keywords", "keywords"), ("Creator", "creator_tool"),
                      ("Producer", "producer")):
        if info.get(key, "").strip():
            meta[name] = " ".join(info[key].split())
    if options.password and _was_encrypted(data):
        meta["encrypted"] = "yes (opened with the password given)"
    return Document(
        path=str(path), kind="pdf", text=built.text, split="lines", title=title,
        author=" ".join((xmp.get("author") or info.get("Author", "")).split()),
        published=partial_date(xmp.get("date", "")) or _info_date(info.get("CreationDate", "")),
        pages=tuple(built.pages), boxes=tuple(built.boxes), meta=meta, notices=tuple(notices),
        raw_attachments=tuple(attachments),
    )


def _open_failure(message: str, options: ReadOptions) -> str:
    if "password" in message.lower():
        if options.password:
            return "is an encrypted PDF and the password given does not open it"
        return "is an encrypted PDF: give its password with --password"
    return "is not a readable PDF (damaged or truncated)"


def _was_encrypted(data: bytes) -> bool:
    return b"/Encrypt" in data[-65536:] or b"/Encrypt" in data[:65536]


def _page_lines(pdf: Any, index: int) -> layout.PageLines:
    page = pdf[index]
    try:
        width, height = page.get_size()
        label = ""
        try:
            label = nfc(pdf.get_page_label(index) or "").strip()
        except Exception:  # a broken label tree: the page keeps its number
            label = ""
        found = layout.PageLines(number=index + 1, width=width, height=height, label=label[:40])
        text_page = page.get_textpage()
        try:
            for rect in range(text_page.count_rects()):
                left, bottom, right, top = text_page.get_rect(rect)
                text = _clean(text_page.get_text_bounded(left, bottom, right, top))
                if text.strip():
                    size = _type_size(text_page, left, bottom, right, top)
                    found.lines.append(layout.Line(text, index + 1, left, height - top, right,
                                                   height - bottom, size))
        finally:
            text_page.close()
    finally:
        page.close()
    return found


def _type_size(text_page: Any, left: float, bottom: float, right: float, top: float) -> float:
    """The type size of the first character of a line (PDFium's own, not the
    box's height, which varies with ascenders and descenders)."""
    import pypdfium2.raw as pdfium_c

    middle = (bottom + top) / 2
    index = pdfium_c.FPDFText_GetCharIndexAtPos(text_page.raw, left + 1, middle, 2.0, (top - bottom) / 2)
    if index < 0:
        return 0.0
    return round(float(pdfium_c.FPDFText_GetFontSize(text_page.raw, index)), 1)


def _clean(text: str) -> str:
    """PDFium marks a hyphen it takes for a soft one with U+0002 or U+FFFE."""
    text = text.replace("\r", " ").replace("\n", " ").rstrip()
    if text.endswith(("\x02", "\ufffe")):
        text = text[:-1] + layout.SOFT_HYPHEN
    return _CONTROL.sub("", text.replace("\ufffe", ""))


def _info(pdf: Any) -> dict[str, str]:
    try:
        return {key: nfc(str(value)) for key, value in pdf.get_metadata_dict(skip_empty=True).items()}
    except Exception:  # an info dictionary PDFium cannot read: none
        return {}


def _info_date(value: str) -> str:
    found = _INFO_DATE.match(value.strip())
    if not found:
        return ""
    return partial_date("-".join(part for part in found.groups() if part))


def _xmp(data: bytes) -> dict[str, str]:
    """Title, author and date from the document's XMP packet (the last one: updates are appended)."""
    packets = _XMP.findall(data[-4 * 1024 * 1024:]) or _XMP.findall(data[:4 * 1024 * 1024])
    if not packets:
        return {}
    root = safe_xml(packets[-1])
    if root is None:
        return {}

    def first(path: str) -> str:
        for found in root.iterfind(path, _NS):
            text = " ".join((found.text or "").split())
            if text:
                return nfc(text)
        return ""

    return {
        "title": first(".//dc:title//rdf:li"),
        "author": ", ".join(nfc(" ".join((li.text or "").split()))
                            for li in root.iterfind(".//dc:creator//rdf:li", _NS) if (li.text or "").strip()),
        "date": first(".//xmp:CreateDate") or first(".//dc:date//rdf:li") or first(".//dc:date")
        or _attribute(root, "CreateDate"),
    }


def _attribute(root: Any, name: str) -> str:
    """XMP written as attributes of rdf:Description (``xmp:CreateDate="..."``)."""
    for description in root.iterfind(".//rdf:Description", _NS):
        value = description.get(f"{{{_NS['xmp']}}}{name}")
        if value:
            return str(value)
    return ""


def _first_heading(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 120 else ""


def _pages_named(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]} has"
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    shown = ", ".join(map(str, numbers[:10])) + more
    return f"pages {shown} have"


def _embedded_files(pdf: Any) -> list[tuple[str, str, bytes]]:
    """Files embedded in the PDF (its attachments): name, type, bytes."""
    found = []
    try:
        for index in range(pdf.count_attachments()):
            attachment = pdf.get_attachment(index)
            name = nfc(attachment.get_name() or f"attachment {index + 1}")
            found.append((name, "", bytes(attachment.get_data())))
    except Exception:  # a damaged attachment tree: the PDF's own text still counts
        return found
    return found
