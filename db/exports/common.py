"""What several exports share: JSON text, stable ids, web URLs, sources in words."""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from typing import Any

from ..casefile import Case
from ..models import SourceInfo, range_label
from ..text import json_safe

# Reports list claims by status in this order, and entities under these headings.
STATUS_ORDER = ("confirmed", "disputed", "denied", "unreviewed")
KIND_HEADINGS = {"person": "People", "organization": "Organisations", "place": "Places",
                 "document": "Documents", "other": "Other"}


def dumps(value: Any) -> str:
    """JSON on one line, UTF-8 kept readable, terminal-unsafe characters escaped."""
    return json_safe(json.dumps(value, ensure_ascii=False))


def stable_uuid(namespace: uuid.UUID, *parts: object) -> str:
    """A UUIDv5 of ``parts``: the same item gets the same id at every export."""
    return str(uuid.uuid5(namespace, ":".join(map(str, parts))))


# A URL that a browser or another tool may follow: http(s), a host, and nothing
# that could end an attribute or a line (source URLs are untrusted text).
_UNSAFE_IN_URL = re.compile(r"[\s\"'<>`\\{}|^\x00-\x1f\x7f]")


def web_url(url: str) -> str:
    """``url`` if it is a well-formed http(s) URL, else ``""``."""
    if not url or _UNSAFE_IN_URL.search(url):
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url


def published_label(date: str) -> str:
    """A partial ISO date in words: ``2023``, ``October 2023``, ``26 October 2023``."""
    precision = {4: "year", 7: "month", 10: "day"}.get(len(date), "unknown")
    return range_label(date, "", precision)


def source_label(info: SourceInfo) -> str:
    """A source in one line: title, publisher, author, date."""
    parts = [info.title or f"source {info.id}"]
    parts += [value for value in (info.publisher, info.author) if value]
    if info.published:
        parts.append(published_label(info.published))
    return ", ".join(parts)


def revised_items(case: Case) -> set[tuple[str, str]]:
    """(kind, uid) of every item with a revision: read once, so a report asks
    for revisions only of the few items that have them."""
    return {(row[0], row[1]) for row in case.rows(
        "SELECT DISTINCT item_kind, item_uid FROM revisions")}
