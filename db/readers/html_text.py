"""All the visible text of an HTML document, block by block.

For what is not a news page — an e-book's chapter, a web page read with
``--extraction full`` — and to measure how much of a page the article
extraction kept. Scripts, styles, templates, hidden elements and the head
are left out; nothing a page refers to (images, frames) is fetched.
"""

from __future__ import annotations

from typing import Any

BLOCKS = frozenset("""
address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody
td tfoot th thead tr ul
""".split())
_INVISIBLE = frozenset("script style noscript template head svg math iframe object embed canvas "
                       "select option button input textarea".split())


def parse_html(html: str | bytes) -> Any:
    """An lxml tree of the page, or None if there is nothing to parse."""
    import lxml.html
    from lxml import etree

    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def html_paragraphs(root: Any) -> list[str]:
    """The visible text of an HTML tree, one entry per block (paragraph,
    heading, list item, table row: its cells joined by " | ")."""
    from lxml import etree

    paragraphs: list[str] = []
    current: list[str] = []
    cells: list[str] | None = None

    def flush() -> None:
        text = " ".join("".join(current).split())
        current.clear()
        if not text:
            return
        if cells is not None:
            cells.append(text)
        else:
            paragraphs.append(text)

    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        hidden = tag in _INVISIBLE or element.get("hidden") is not None or \
            "display:none" in (element.get("style") or "").replace(" ", "").lower()
        if event == "start":
            if skipping or hidden:
                skipping += 1
                continue
            if tag in BLOCKS:
                flush()
            if tag == "tr":
                cells = []
            if element.text:
                current.append(element.text)
            continue
        if skipping:
            skipping -= 1
            if not skipping and element.tail:
                current.append(element.tail)
            continue
        if tag in ("td", "th"):
            flush()
        elif tag == "tr" and cells is not None:
            flush()
            row, cells = cells, None
            if row:
                paragraphs.append(" | ".join(row))
        elif tag in BLOCKS:
            flush()
        if tag == "br":
            current.append(" ")
        if element.tail:
            current.append(element.tail)
    flush()
    return paragraphs


def visible_words(root: Any) -> int:
    return sum(len(paragraph.split()) for paragraph in html_paragraphs(root))
