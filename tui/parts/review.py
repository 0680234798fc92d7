"""The review queues of the Claims pane, and agreement between annotators.

``r`` opens the unreviewed queue; ``v`` (``V`` back) steps through the
queues (``db.review.QUEUES``), and the Claims tab says which and how many;
``A`` shows agreement between annotators, from which Enter goes to a claim
they disagree on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual.binding import Binding
from textual.message import Message

from db import Case, CaseError
from db.review import count_queue

from ..panes.claims_pane import REVIEW_QUEUE, ClaimsPane, next_queue
from ..widgets.detail import Link
from ..widgets.pane_bar import PaneBar, TabView

QUEUE_BINDINGS = [
    Binding("v", "next_queue", "Queue", show=False,
            tooltip="Claims: next queue (unreviewed, statuses, conflicts…)"),
    Binding("V", "next_queue(-1)", "Previous queue", show=False,
            tooltip="Claims: the previous queue"),
]
REVIEW_BINDINGS = [
    Binding("r", "review", "Review", show=False,
            tooltip="Review: the unreviewed claims, one after another"),
    Binding("A", "agreement", "Agreement", show=False,
            tooltip="Agreement between annotators (Cohen's kappa)"),
]


class ReviewHost(Protocol):
    """What the review queues need from the app."""

    case: Case

    @property
    def active_kind(self) -> str: ...

    @property
    def claims_pane(self) -> ClaimsPane: ...

    @property
    def pane_bar(self) -> PaneBar: ...

    def action_show_pane(self, kind: str) -> None: ...

    def follow(self, link: Link) -> None: ...

    def open_screen(self, screen: Any, callback: Callable[[Any], None] | None = None) -> None: ...

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def refresh_bindings(self) -> None: ...


class Review:
    """Which queue the Claims pane shows, and how many claims are in it."""

    BINDINGS = [*QUEUE_BINDINGS, *REVIEW_BINDINGS]

    class QueueCounted(Message, bubble=False):
        def __init__(self, queue: str, total: int) -> None:
            super().__init__()
            self.queue = queue
            self.total = total

    def __init__(self, host: ReviewHost) -> None:
        self.host = host

    @property
    def queue(self) -> str:
        return self.host.claims_pane.queue

    def allows(self, action: str) -> bool | None:
        """``v`` and ``V`` apply in the Claims pane; the rest anywhere."""
        if action == "next_queue":
            return self.host.active_kind == "claim"
        return True

    def next_queue(self, step: int = 1) -> None:
        self.show_queue(next_queue(self.queue, step))

    def review(self) -> None:
        self.show_queue(REVIEW_QUEUE)

    def show_queue(self, queue: str) -> None:
        """The Claims pane, showing ``queue``."""
        if self.host.active_kind != "claim":
            self.host.action_show_pane("claim")
        claims = self.host.claims_pane
        claims.set_queue(queue)
        claims.paged_list.focus()

    def agreement(self) -> None:
        def chosen(link: Link | None) -> None:
            if link is not None:
                self.host.follow(link)

        from ..screens.agreement import AgreementScreen  # on first use (issue 17 point 9)

        self.host.open_screen(AgreementScreen(self.host.case), chosen)

    # -- the queue's count in the Claims tab ---------------------------------

    def count_queue(self) -> None:
        queue, case = self.queue, self.host.case

        def count() -> None:
            try:
                total = count_queue(case, queue)
            except CaseError:
                return   # the list says so itself
            self.host.post_message(self.QueueCounted(queue, total))

        self.host.run_in_thread(count, group="queue-count")

    def queue_counted(self, message: QueueCounted) -> None:
        if message.queue == self.queue:
            self._show_in_tab(message.queue, message.total)

    def queue_changed(self, message: ClaimsPane.QueueChanged) -> None:
        self._show_in_tab(message.queue, None)
        self.count_queue()
        self.host.refresh_bindings()

    def _show_in_tab(self, queue: str, total: int | None) -> None:
        view = None if queue == "all" else TabView(queue, total)
        self.host.pane_bar.show_view("claim", view)
