"""Article text and metadata from a web page saved by a browser.

Extraction is trafilatura's (boilerplate removal tuned for news and blog
pages): navigation, scripts, styles, ads, share buttons, newsletter boxes and
comment sections are dropped; the title, author, date, site name and URL come
from the page's metadata (OpenGraph and ``article:`` tags, JSON-LD,
``<time>``, the canonical link). It is given the page as a string and never
fetches anything: casebook never opens a network connection.
"""

from __future__ import annotations

import datetime as dt
import re

from .models import Model
from .readers.document import normalise_text, partial_date
from .text import nfc

# Browsers (Chrome, Edge, old IE) mark a saved page with where it came from.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)
_WEB_URL = re.compile(r"https?://\S+", re.I)


class Page(Model):
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    url: str = ""
    published: str = ""


def extract_page(html: str, *, favor: str = "precision") -> Page:
    """The article of a saved web page: its text, one paragraph per line, and metadata.

    ``favor`` is ``precision`` (a page of navigation and a login form has no
    article, and says so rather than give its menu as text), ``balance``
    (trafilatura's own middle) or ``recall`` (keep more of what may be the
    article).
    """
    import trafilatura  # slow to import; only pages need it

    found = trafilatura.bare_extraction(
        html,
        url=None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
        deduplicate=False,
        # Only dates the page states as metadata, never one guessed from its text
        # (a saved page shows the day it was saved, comments their own dates).
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": dt.date.today().isoformat(),
        },
    )
    if found is None or isinstance(found, dict):   # (a dict only with as_dict=True)
        return Page(text="")
    text = "\n".join(line.strip() for line in normalise_text(found.text or "").split("\n"))
    url = found.url or ""
    if not _WEB_URL.fullmatch(url):
        saved_from = _SAVED_FROM.search(html[:4096])
        url = saved_from.group(1) if saved_from else ""
    return Page(
        text=text.strip("\n"),
        title=_clean(found.title),
        author=_clean(found.author),
        publisher=_clean(found.sitename),
        url=url,
        published=partial_date(found.date or ""),
    )


def _clean(value: str | None) -> str:
    return " ".join(nfc(value or "").split())
