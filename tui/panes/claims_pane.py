"""The Claims pane, which is also the review queue: the claims of one queue
(all, unreviewed, a status, conflicts, disagreements) beside the detail of the
claim under the cursor, laid out for review."""

from __future__ import annotations

from textual.message import Message

from db.review import QUEUES

from ..widgets.paged_list import PagedList
from .feeds import ClaimFeed
from .pane import Pane

REVIEW_QUEUE = "unreviewed"
# Over the detail (the footer has no room for them at 80 columns); the keys
# used most first. A narrower detail gets the longest of these that fits whole,
# so undo and the queue stay on the border down to 60 columns and below.
MARK_LEGENDS = (
    "c confirm · d dispute · x deny · u undo · m note · v queue · U unreviewed",
    "c confirm · d dispute · x deny · u undo · m note · v queue",
    "c confirm · d dispute · x deny · u undo · v queue",
    "c/d/x mark · u undo · v queue",
)
MARK_LEGEND = MARK_LEGENDS[0]


def mark_legend(room: int) -> str:
    """The longest legend that fits in ``room`` cells (the shortest if none does)."""
    return next((legend for legend in MARK_LEGENDS if len(legend) <= room), MARK_LEGENDS[-1])


def next_queue(queue: str, step: int = 1) -> str:
    return QUEUES[(QUEUES.index(queue) + step) % len(QUEUES)]


class ClaimsPane(Pane):
    """A Pane over a ``ClaimFeed`` whose queue can change."""

    class QueueChanged(Message):
        """The pane now shows another queue."""

        def __init__(self, pane: "ClaimsPane", queue: str) -> None:
            super().__init__()
            self.pane = pane
            self.queue = queue

    class ClaimHighlighted(Message):
        """The list's cursor rests on a claim, shown at ``version``."""

        def __init__(self, pane: "ClaimsPane", claim_id: int, version: int) -> None:
            super().__init__()
            self.pane = pane
            self.claim_id = claim_id
            self.version = version

    feed: ClaimFeed

    _last_claim_id: int | None = None

    def on_paged_list_item_highlighted(self, message: PagedList.ItemHighlighted) -> None:
        self._last_claim_id = message.item.id
        self.post_message(self.ClaimHighlighted(self, message.item.id, message.item.claim.version))

    def hold(self) -> None:
        """Someone else changed the claim under the cursor: show it as it is now
        without moving the cursor, even if it left this queue."""
        self.paged_list.refresh_rows()
        self.refresh_detail()

    def on_mount(self) -> None:
        self.show_legend()

    def on_resize(self) -> None:
        # The detail's new width is known once the layout is done.
        self.call_after_refresh(self.show_legend)

    def show_legend(self) -> None:
        """The marking keys over the detail, or why there are none."""
        if self.read_only:
            self.detail.border_title = "Read-only: marks are off"
            return
        width = self.detail.outer_size.width
        # The border's two corners take a cell each; not laid out yet: all of it.
        self.detail.border_title = mark_legend(width - 2) if width else MARK_LEGEND

    @property
    def queue(self) -> str:
        return self.feed.queue

    def set_queue(self, queue: str) -> None:
        """Show another queue; the cursor stays on its claim if the claim is in
        it, else goes to the first queued claim after it."""
        if queue == self.feed.queue:
            return
        self.feed.queue = queue
        self.set_class(queue != "all", "-queue")
        # From an empty queue, the claim last shown keeps the place.
        self.paged_list.reload(keep_id=self.paged_list.cursor_item_id or self._last_claim_id)
        self.post_message(self.QueueChanged(self, queue))

    def on_paged_list_item_missing(self, message: PagedList.ItemMissing) -> None:
        # A link to a claim outside the queue: show every claim, then go to it.
        if self.queue == "all":
            return
        message.stop()
        self.notify(f"Claim {message.item_id} is not in the {self.queue} queue: "
                    "showing all claims.", timeout=3, markup=False)
        self.set_queue("all")
        self.paged_list.go_to_item(message.item_id)
