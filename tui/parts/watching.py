"""Noticing other people's changes to the case file.

Every poll interval a worker asks SQLite whether another connection
committed (``PRAGMA data_version``); if so the views read again, keeping
each cursor on its item. The claim being read stays under the cursor even
if someone's mark takes it out of the queue, and a mark still expects the
version the annotator came to (``tui.parts.seen``), not the one a refresh
brought: marking over a change they may not have noticed asks them first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from textual.message import Message

from db import Case, CaseCounts, counts
from db.review import annotation_cursor, claims_marked_since

from ..panes.claims_pane import ClaimsPane
from ..panes.pane import Pane

POLL_SECONDS = 1.5


class WatchingHost(Protocol):
    """What watching for changes needs from the app."""

    case: Case

    @property
    def active_pane(self) -> Pane: ...

    @property
    def claims_pane(self) -> ClaimsPane: ...

    def panes(self) -> Iterable[Pane]: ...

    def say(self, text: str, **options: Any) -> None: ...

    def reload_counts(self) -> None: ...

    def reload_screens(self) -> None: ...

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None: ...

    def post_message(self, message: Message) -> bool: ...


class Watching:
    """Polls the case file and reads the views again when someone else wrote."""

    class CaseChanged(Message):
        """Another connection committed to the case file."""

        def __init__(self, data_version: int, cursor: int, claim_ids: list[int],
                     counts: CaseCounts | None, first: bool) -> None:
            super().__init__()
            self.data_version = data_version
            self.cursor = cursor
            self.claim_ids = claim_ids
            self.counts = counts
            self.first = first

    class PollQuiet(Message, bubble=False):
        """A poll found no change (or could not read): poll again at the next tick."""

    def __init__(self, host: WatchingHost) -> None:
        self.host = host
        self._data_version: int | None = None   # PRAGMA data_version at the last look
        self._cursor: int | None = None         # the annotations seen so far
        self._counts: CaseCounts | None = None
        self._polling = False

    def poll_now(self) -> None:
        if self._polling:
            return
        self._polling = True
        case, seen, cursor = self.host.case, self._data_version, self._cursor
        self.host.run_in_thread(lambda: self._poll(case, seen, cursor), group="poll")

    def _poll(self, case: Case, seen: int | None, cursor: int | None) -> None:
        """In a thread worker: has anyone written since ``seen``? What?"""
        try:
            version = case.data_version()
            if seen is not None and version == seen:
                self.host.post_message(self.PollQuiet())
                return
            if seen is None or cursor is None:   # the starting point (kept cheap: start-up)
                self.host.post_message(self.CaseChanged(version, annotation_cursor(case), [],
                                                        None, first=True))
                return
            changed, cursor = claims_marked_since(case, cursor)
            self.host.post_message(self.CaseChanged(version, cursor, changed, counts(case),
                                                    first=False))
        except Exception:  # noqa: BLE001 - a failed look is tried again at the next tick
            self.host.post_message(self.PollQuiet())

    def poll_quiet(self, message: PollQuiet) -> None:
        self._polling = False

    def case_changed(self, message: CaseChanged) -> None:
        self._polling = False
        before = self._counts
        self._data_version, self._cursor = message.data_version, message.cursor
        self._counts = message.counts
        if message.first:
            return
        # Marks alone: the claims and the details. Anything else: every list too.
        marks_only = (bool(message.claim_ids) and before is not None
                      and message.counts is not None
                      and before.model_copy(update={"annotations": 0})
                      == message.counts.model_copy(update={"annotations": 0}))
        claims = self.host.claims_pane
        here = claims.paged_list.cursor_item_id
        if claims.queue != "all" and here in message.claim_ids:
            # The claim being read changed: it stays under the cursor, as it is now,
            # even if it left the queue; the next move reads the queue again.
            claims.hold()
            if self.host.active_pane is claims:
                self.host.say(f"Claim {here} was just changed by someone else (see its history).",
                              timeout=4, markup=False)
        else:
            claims.reload()
        for pane in self.host.panes():
            if pane is claims:
                continue
            if marks_only:
                pane.refresh_detail()
            else:
                pane.reload()
        self.host.reload_counts()
        self.host.reload_screens()
