"""Saved web pages: the article (trafilatura), or the whole visible text,
and a word when the article kept is much shorter than the page."""

from __future__ import annotations

import re
from pathlib import Path

from ..webpage import extract_page
from .common import ReadOptions, join_paragraphs
from .document import BadDocumentError, Document
from .html_text import html_paragraphs, parse_html

# The article kept is "much shorter" than the page below these shares of
# what a recall-oriented extraction, and the whole visible text, find
# (measured on real news pages: an article is about 40-80% of a page's
# visible words, its navigation, footers and comments the rest).
_SHORT_OF_RECALL = 0.5
_SHORT_OF_VISIBLE = 0.2
_MISSING_WORDS = 150
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_APP_ROOT = re.compile(r"<(div|main)[^>]+id=[\"']?(root|app|__next|__nuxt|main-app)[\"'\s>]", re.I)


def page_document(path: Path, html: str, options: ReadOptions) -> Document:
    """A saved page as a document, read as ``options.extraction`` says."""
    try:
        root = parse_html(html)
        visible = html_paragraphs(root) if root is not None else []
        if options.extraction == "full":
            page = extract_page(html, favor="recall")
            text = join_paragraphs(visible)
        else:
            page = extract_page(html, favor="precision" if options.extraction == "precise" else "balance")
            text = page.text
    except BadDocumentError:
        raise
    except Exception as error:  # a parser failing on untrusted input: one line, not a traceback
        raise BadDocumentError(path, f"could not be read as HTML ({type(error).__name__})") from None
    if not text.strip():
        raise BadDocumentError(path, "no article text found in this HTML page" + _why_no_text(html, visible))
    notices = []
    if options.extraction != "full":
        notices += _shortfall(html, text, visible)
    return Document(path=str(path), kind="html", text=text, split="lines",
                    title=page.title or path.stem, publisher=page.publisher, author=page.author,
                    url=page.url, published=page.published,
                    meta={"format": "html", "extraction": options.extraction}, notices=tuple(notices))


def _why_no_text(html: str, visible: list[str]) -> str:
    words = sum(len(paragraph.split()) for paragraph in visible)
    scripts = sum(len(body) for body in _SCRIPT.findall(html))
    if words < 40 and (scripts > 2000 or _APP_ROOT.search(html) or "<noscript" in html.lower()):
        return (": its text is put on the screen by JavaScript, which casebook does not run; open it "
                "in a browser and save it again once it has loaded, or print it to PDF")
    return ""


def _shortfall(html: str, text: str, visible: list[str]) -> list[str]:
    kept = len(text.split())
    shown = sum(len(paragraph.split()) for paragraph in visible)
    recall = len(extract_page(html, favor="recall").text.split())
    if (kept < _SHORT_OF_RECALL * recall and recall - kept >= _MISSING_WORDS) or \
            (kept < _SHORT_OF_VISIBLE * shown and shown - kept >= 2 * _MISSING_WORDS):
        return [f"the article text kept ({kept:,} words) is much shorter than the page's text "
                f"({max(recall, shown):,} words): a paywall, a teaser, or an article only partly "
                "found? --extraction balanced or full keeps more"]
    return []
