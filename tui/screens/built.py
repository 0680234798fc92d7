"""``Built``, the fact every build screen's write ends in, apart from the
screens: the app handles it (and its subclasses, ``EntityCreated``...) from
the start, while the screens are imported only when one first opens
(issue 17 point 9, start-up)."""

from __future__ import annotations

from textual.message import Message

from ..widgets.detail import Link


class Built(Message):
    """A build screen's write is committed. ``follow`` is the item to show
    next (None: stay on the excerpt); ``summary`` says what happened."""

    def __init__(self, excerpt_id: int, summary: str, follow: Link | None) -> None:
        super().__init__()
        self.excerpt_id = excerpt_id
        self.summary = summary
        self.follow = follow
