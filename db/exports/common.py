"""What several exports share: JSON text, stable ids, web URLs, sources in
words, and the reads the two reports make alike (revisions, relationships)."""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

from ..casefile import Case
from ..curation import Revision, revisions
from ..entities import entities_by_ids
from ..models import RELATIONSHIP_TYPES, Relationship, SourceInfo, range_label
from ..relationships import relationship_walk
from ..text import json_safe

# Reports list claims by status in STATUS_ORDER, and entities under these headings.
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


_LIMIT = 100_000   # revisions of one item: all of them, in practice
_PAGE = 500


def revised_items(case: Case) -> set[tuple[str, str]]:
    """(kind, uid) of every item with a revision: read once, so a report asks
    for revisions only of the few items that have them."""
    return {(row[0], row[1]) for row in case.rows(
        "SELECT DISTINCT item_kind, item_uid FROM revisions")}


def item_revisions(case: Case, kind: str, uid: str, revised: set[tuple[str, str]]) -> list[Revision]:
    """An item's revisions, oldest first ([] at once for an item never revised)."""
    if (kind, uid) not in revised:
        return []
    return revisions(case, kind=kind, item_uid=uid, limit=_LIMIT)


def relationship_pages(case: Case, *, include_retired: bool = False
                       ) -> Iterator[tuple[str, list[Relationship], dict[int | None, str]]]:
    """The relationships by type, a page at a time: (the type, the page, the
    names of its ends). Retired ones, and those to a retired entity, are left
    out unless ``include_retired``."""
    for type_ in RELATIONSHIP_TYPES:
        for page in relationship_walk(case, types=[type_], include_retired=include_retired,
                                      page=_PAGE):
            end_ids = list({i for r in page for i in (r.subject_entity_id, r.object_entity_id)})
            names: dict[int | None, str] = {e.id: e.name for e in entities_by_ids(case, end_ids)}
            yield type_, page, names
