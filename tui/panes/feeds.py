"""What each list pane reads from the case: a count, pages by position, and
where an item sits. Plain calls into ``db`` (run by the list in thread
workers), so a pane is a view over SQL, never a copy of a table. Each feed
is a ``tui.widgets.paging.PageSource`` over one open case.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, ClassVar

from db import Case, Claim, Entity, Event, Excerpt, NotFoundError, SourceInfo
from db.claims import claims_by_ids
from db.entities import count_entities, entities_page, entity_position
from db.events import count_events, event_position, timeline_page
from db.models import ClaimFlags
from db.paging import retired_among
from db.review import claim_flags, count_queue, queue_page, queue_position
from db.sources import count_excerpts, excerpt_position, excerpts_page, sources_by_ids


@dataclass(frozen=True)
class ExcerptRow:
    """An excerpt with its source, so a row can say where it comes from."""

    excerpt: Excerpt
    source: SourceInfo | None

    @property
    def id(self) -> int:
        assert self.excerpt.id is not None
        return self.excerpt.id


class Feed:
    """One pane's view over the case. Subclasses name the db calls.

    Retired items are left out unless ``include_retired`` (the browser's
    toggle); when they are shown, ``retired`` holds the ids of those read so
    far, for their rows to say so.
    """

    noun: ClassVar[str]       # for "no entities in this case"
    table: ClassVar[str]      # the items' table, for which of a page are retired

    def __init__(self, case: Case) -> None:
        self.case = case
        self.include_retired = False
        self.retired: frozenset[int] = frozenset()

    def note_retired(self, ids: list[int]) -> None:
        """Remember which of a page just read are retired (only when they are shown)."""
        if not self.include_retired or not ids:
            return
        found = retired_among(self.case, self.table, ids)
        self.retired = (self.retired - set(ids)) | found

    def count(self) -> int:
        raise NotImplementedError

    def page(self, *, offset: int, limit: int, total: int) -> list[Any]:
        raise NotImplementedError

    def position(self, item_id: int) -> int:
        raise NotImplementedError

    def place(self, item_id: int) -> int | None:
        """Where an item is, or would be if it left this view (None: unknown)."""
        try:
            return self.position(item_id)
        except NotFoundError:
            return None

    def refetch(self, items: list[Any]) -> list[Any]:
        """The same items read again (their rows may have changed), in place."""
        return items


class EntityFeed(Feed):
    noun = "entities"
    table = "entities"

    def __init__(self, case: Case, *, entity_kind: str | None = None):
        super().__init__(case)
        self.entity_kind = entity_kind

    def count(self) -> int:
        return count_entities(self.case, kind=self.entity_kind,
                              include_retired=self.include_retired)

    def page(self, *, offset: int, limit: int, total: int) -> list[Entity]:
        entities = entities_page(self.case, offset=offset, limit=limit, total=total,
                                 kind=self.entity_kind, include_retired=self.include_retired)
        self.note_retired([e.id for e in entities if e.id is not None])
        return entities

    def position(self, item_id: int) -> int:
        return entity_position(self.case, item_id, kind=self.entity_kind,
                               include_retired=self.include_retired)


class EventFeed(Feed):
    noun = "events"
    table = "events"

    def count(self) -> int:
        return count_events(self.case, include_retired=self.include_retired)

    def page(self, *, offset: int, limit: int, total: int) -> list[Event]:
        events = timeline_page(self.case, offset=offset, limit=limit, total=total,
                               include_retired=self.include_retired)
        self.note_retired([v.id for v in events if v.id is not None])
        return events

    def position(self, item_id: int) -> int:
        return event_position(self.case, item_id, include_retired=self.include_retired)


class ExcerptFeed(Feed):
    noun = "excerpts"
    table = "excerpts"
    _SOURCE_CACHE = 512

    def __init__(self, case: Case) -> None:
        super().__init__(case)
        # Sources are few next to excerpts; a bounded cache saves a read per page.
        self._sources: dict[int, SourceInfo] = {}
        self._lock = threading.Lock()

    def count(self) -> int:
        return count_excerpts(self.case, include_retired=self.include_retired)

    def page(self, *, offset: int, limit: int, total: int) -> list[ExcerptRow]:
        excerpts = excerpts_page(self.case, offset=offset, limit=limit, total=total,
                                 include_retired=self.include_retired)
        self.note_retired([x.id for x in excerpts if x.id is not None])
        sources = self._sources_for([x.source_id for x in excerpts])
        return [ExcerptRow(x, sources.get(x.source_id)) for x in excerpts]

    def position(self, item_id: int) -> int:
        return excerpt_position(self.case, item_id, include_retired=self.include_retired)

    def _sources_for(self, source_ids: list[int]) -> dict[int, SourceInfo]:
        with self._lock:
            missing = [i for i in set(source_ids) if i not in self._sources]
        found = sources_by_ids(self.case, missing) if missing else {}
        with self._lock:
            if len(self._sources) + len(found) > self._SOURCE_CACHE:
                self._sources.clear()
            self._sources.update(found)
            return {i: self._sources[i] for i in source_ids if i in self._sources}


@dataclass(frozen=True)
class ClaimRow:
    """A claim with what its row shows beside the status: conflict, disagreement."""

    claim: Claim
    flags: ClaimFlags | None = None

    @property
    def id(self) -> int:
        assert self.claim.id is not None
        return self.claim.id


QUEUE_NOUNS = {
    "all": "claims", "conflicts": "claims in conflict",
    "disagreements": "claims in disagreement",
}


class ClaimFeed(Feed):
    """The claims of one review queue (``db.review.QUEUES``; ``all`` by default)."""

    table = "claims"

    def __init__(self, case: Case, *, queue: str = "all"):
        super().__init__(case)
        self.queue = queue

    @property
    def noun(self) -> str:  # type: ignore[override]
        return QUEUE_NOUNS.get(self.queue, f"{self.queue} claims")

    def count(self) -> int:
        return count_queue(self.case, self.queue, include_retired=self.include_retired)

    def page(self, *, offset: int, limit: int, total: int) -> list[ClaimRow]:
        claims = queue_page(self.case, self.queue, offset=offset, limit=limit, total=total,
                            include_retired=self.include_retired)
        self.note_retired([claim.id for claim in claims if claim.id is not None])
        flags = claim_flags(self.case, [claim.id for claim in claims if claim.id is not None])
        return [ClaimRow(claim, flags.get(claim.id or 0)) for claim in claims]

    def position(self, item_id: int) -> int:
        return queue_position(self.case, self.queue, item_id,
                              include_retired=self.include_retired)

    def place(self, item_id: int) -> int | None:
        return queue_position(self.case, self.queue, item_id, exact=False,
                              include_retired=self.include_retired)

    def refetch(self, items: list[ClaimRow]) -> list[ClaimRow]:
        ids = [row.id for row in items]
        claims = {claim.id: claim for claim in claims_by_ids(self.case, ids)}
        flags = claim_flags(self.case, ids)
        self.note_retired(ids)
        return [ClaimRow(claims[row.id], flags.get(row.id)) if row.id in claims else row
                for row in items]
