"""A relationship's own detail, over the browser (a relationship has no pane):
opened by ``o`` on a tie in an entity's detail or in the network view (``w``),
or Enter on a relationship link. Enter on one of its ends or its evidence goes
there; ``c`` ``d`` ``x`` ``U`` mark it, ``m`` a note, ``u`` undoes — the
claims' keys, written by the same code (``tui.parts.marking``) with the
version shown here: a mark after someone else's change is refused, saying who
changed what."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError
from db.models import Relationship
from db.relationships import get_relationship
from db.text import one_line

from ..details.relationship import relationship_blocks
from ..text import LINE_CHARS
from ..widgets.detail import Block, DetailView, Link
from .dialog import Dialog

DIM = ".cb--dim"


class RelationshipScreen(Dialog[Link | None]):
    """One relationship's detail, with the marking keys."""

    BINDINGS = [
        Binding("escape,o", "close", "Close"),
        Binding("c", "mark('confirmed')", "Confirmed", show=False),
        Binding("d", "mark('disputed')", "Disputed", show=False),
        Binding("x", "mark('denied')", "Denied", show=False),
        Binding("U", "mark('unreviewed')", "Unreviewed", show=False),
        Binding("m", "ask('note')", "Note", show=False),
        Binding("u,z", "ask('undo')", "Undo", show=False),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, relationship: Relationship | None, blocks: list[Block]) -> None:
            super().__init__()
            self.relationship = relationship
            self.blocks = blocks

    class MarkAsked(Message):
        """A marking key on the relationship as shown (``version``: the one seen)."""

        def __init__(self, kind: str, relationship: Relationship, status: str | None) -> None:
            super().__init__()
            self.kind = kind            # "mark", "note" or "undo"
            self.relationship = relationship
            self.status = status

    def __init__(self, case: Case, relationship_id: int,
                 detail: Callable[[Case, Relationship], list[Block]] = relationship_blocks) -> None:
        super().__init__()
        self.case = case
        self.relationship_id = relationship_id
        self.detail = detail   # tui.kinds' record says what it shows
        self.shown: Relationship | None = None   # as last read: its version is the one seen

    def compose(self) -> ComposeResult:
        with Vertical(id="relationship-box"):
            yield Static(Content.styled("Relationship", "bold"), id="relationship-title")
            yield DetailView(id="relationship-view")
            yield Static(Content("↑↓ · Enter go there · c d x U mark · m note · u undo · "
                                 "Esc close"), id="relationship-hint")

    def on_mount(self) -> None:
        view = self.query_one(DetailView)
        view.show([Block(Content.styled("Reading…", DIM))])
        view.focus()
        self.reload()

    def reload(self) -> None:
        """Read it again (after a mark: the new status, history and version)."""
        self._load()

    @work(thread=True, exclusive=True, group="relationship")
    def _load(self) -> None:
        try:
            tie = get_relationship(self.case, self.relationship_id)
            self.post_message(self.Loaded(tie, self.detail(self.case, tie)))
        except CaseError as error:
            self.post_message(self.Loaded(None, [Block(Content.styled(
                one_line(f"Could not read it: {error}", limit=LINE_CHARS), DIM))]))

    def on_relationship_screen_loaded(self, message: Loaded) -> None:
        first = self.shown is None
        self.shown = message.relationship
        self.query_one(DetailView).show(message.blocks, keep_place=not first)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self.dismiss(message.link)

    def _ask(self, kind: str, status: str | None = None) -> None:
        if self.shown is None:
            self.notify("Still reading it…", timeout=1)
            return
        self.post_message(self.MarkAsked(kind, self.shown, status))

    def action_mark(self, status: str) -> None:
        self._ask("mark", status)

    def action_ask(self, kind: str) -> None:
        self._ask(kind)

    def action_close(self) -> None:
        self.dismiss(None)
