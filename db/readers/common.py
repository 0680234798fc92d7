"""What every reader shares: the options of a read, and safe XML."""

from __future__ import annotations

import re
from typing import Any, Literal

from ..models import Model
from ..text import nfc

Extraction = Literal["precise", "balanced", "full"]
EXTRACTIONS: tuple[str, ...] = ("precise", "balanced", "full")


class ReadOptions(Model):
    """How to read: the password of encrypted PDFs, how much of a web page to
    keep (``precise``: the article, favouring precision; ``balanced``: the
    article, as trafilatura balances precision and recall; ``full``: all the
    page's visible text), and
    how deep inside attachments this document is."""

    password: str | None = None
    extraction: Extraction = "precise"
    depth: int = 0


def safe_xml(data: bytes | str) -> Any:
    """The root element of an XML document, parsed without DTDs, entities or
    network access (no billion laughs, no external entity); None if it is
    not well-formed."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=False)
    try:
        return etree.fromstring(data.encode("utf-8") if isinstance(data, str) else data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def clean_title(title: str, bad: re.Pattern[str] | None = None) -> str:
    """A title on one line; '' for what is no title (an editor's file name)."""
    title = " ".join(nfc(title or "").split())
    if bad is not None and bad.match(title):
        return ""
    return title[:500]


def join_paragraphs(paragraphs: list[str]) -> str:
    """The text of a document read as paragraphs: one paragraph per line,
    white space inside each collapsed, empty ones left out."""
    kept = (" ".join(nfc(paragraph).split()) for paragraph in paragraphs)
    return "\n".join(paragraph for paragraph in kept if paragraph)
