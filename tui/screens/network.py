"""``w``: the network of the entity under the cursor — its neighbours to depth
1, 2 or 3 as an indented outline, each line the tie that first reached the
entity (type read from the nearer end, role, dates, status) and a link to it
(Enter goes there). ``1`` ``2`` ``3`` set the depth, ``s`` (``S`` back) keeps
only ties of one status in turn — confirmed, disputed, denied, unreviewed, then
every status again (``c``: confirmed only, or every status) — and ``t`` (``T``
back) only ties of one type, in turn (then every type again); the title says
which. Read in a thread worker, walked through the indexes
(``db.relationships.neighbours``), at most ``NODES_SHOWN`` entities."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError
from db.models import RELATIONSHIP_TYPES, STATUS_ORDER
from db.relationships import Network, NetworkNode, neighbours
from db.text import one_line

from ..details.blocks import relationship_link
from ..labels import BADGE_WIDTH, status_badge
from ..text import LINE_CHARS, cell_pad, join, plain_line
from ..widgets.detail import BLANK, Block, DetailView, Link
from .dialog import Dialog
from .relationship import RelationshipScreen

NODES_SHOWN = 500
DIM = ".cb--dim"


def node_block(node: NetworkNode) -> Block:
    """``    ← member of  Arseniy Nedyak  person  lieutenant colonel · unreviewed``."""
    indent = "    " * (node.depth - 1)
    tie = node.relationship
    if tie is None:
        return Block(join([plain_line(node.entity.name, ".cb--name"),
                           (f"  {node.entity.kind}", DIM)]), Link("entity", node.entity.id or 0))
    forward = tie.subject_entity_id == node.parent_id
    words = tie.type_label if forward else f"← {tie.type_label}"
    said = " · ".join(part for part in (tie.role, tie.date_label) if part)
    parts: list[Content | tuple[str, str]] = [
        (f"{indent}", ""), cell_pad(status_badge(tie.status), BADGE_WIDTH), (" ", ""),
        Content.styled(f"{words}  ", ".cb--label"), plain_line(node.entity.name, ".cb--name"),
        (f"  {node.entity.kind}", DIM)]
    if said:
        parts += [("  ", ""), plain_line(said, DIM)]
    return Block(join(parts), Link("entity", node.entity.id or 0, via=relationship_link(tie)),
                 hang=len(indent) + BADGE_WIDTH + 1)


def ties_shown(status: str | None, type_: str | None) -> str:
    """``every tie``, ``confirmed ties only``, ``disputed “leads” ties only``."""
    words = type_.replace("_", " ") if type_ else ""
    which = " ".join(part for part in (status or "", f"“{words}”" if words else "") if part)
    return f"{which} ties only" if which else "every tie"


def network_blocks(network: Network, depth: int, status: str | None = None,
                   type_: str | None = None) -> list[Block]:
    """The outline depth first, each entity under the one it was reached from."""
    children: dict[int | None, list[NetworkNode]] = {}
    for node in network.nodes:
        if node.depth:
            children.setdefault(node.parent_id, []).append(node)
    words = type_.replace("_", " ") if type_ else ""
    which = ties_shown(status, type_)
    reached = len(network.nodes) - 1
    blocks = [Block(Content.styled(
        f"Depth {depth} · {which} · {reached:,} entit{'y' if reached == 1 else 'ies'} reached", DIM)),
        BLANK, node_block(network.nodes[0])]
    if not reached:
        blocks.append(Block(Content.styled(
            "No relationships" + (f" of type “{words}”" if words else "")
            + (f" {status}." if status else "."), DIM)))

    def walk(parent: int) -> None:
        for child in children.get(parent, []):
            blocks.append(node_block(child))
            walk(child.entity.id or 0)

    walk(network.centre.id or 0)
    if network.truncated:
        blocks.append(Block(Content.styled(f"… the first {NODES_SHOWN:,} entities shown", DIM)))
    return blocks


class NetworkScreen(Dialog[Link | None]):
    """An entity's neighbours to a depth, as an outline of links."""

    BINDINGS = [
        Binding("escape,w", "close", "Close"),
        Binding("1", "depth(1)", "Depth 1", show=False),
        Binding("2", "depth(2)", "Depth 2", show=False),
        Binding("3", "depth(3)", "Depth 3", show=False),
        Binding("s", "status(1)", "Next status", show=False),
        Binding("S", "status(-1)", "Previous status", show=False),
        Binding("c", "confirmed", "Confirmed only", show=False),
        Binding("t", "type(1)", "Next type", show=False),
        Binding("T", "type(-1)", "Previous type", show=False),
        Binding("o", "open_relationship", "Open the tie", show=False),
    ]
    # ``t`` steps through these: every type (None), then each type in turn.
    TYPES: tuple[str | None, ...] = (None, *RELATIONSHIP_TYPES)
    # ``s`` steps through these: every status (None), then each in turn.
    STATUSES: tuple[str | None, ...] = (None, *STATUS_ORDER)

    class Loaded(Message, bubble=False):
        def __init__(self, blocks: list[Block], asked: tuple[int, str | None, str | None]) -> None:
            super().__init__()
            self.blocks = blocks
            self.asked = asked      # (depth, status, type) walked

    def __init__(self, case: Case, entity_id: int, *, depth: int = 1) -> None:
        super().__init__()
        self.case = case
        self.entity_id = entity_id
        self.depth = depth
        self.status: str | None = None
        self.type_: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="network-box"):
            yield Static(self._title(), id="network-title")
            yield DetailView(id="network-view")
            yield Static(Content("↑↓ · Enter go · o the tie · 1 2 3 depth · s status · t type · "
                                 "Esc close"), id="network-hint")

    def _title(self) -> Content:
        """``Network · depth 2 · disputed “leads” ties only``."""
        return Content.assemble(("Network", "bold"),
                                (f" · depth {self.depth} · {ties_shown(self.status, self.type_)}",
                                 DIM))

    def on_mount(self) -> None:
        view = self.query_one(DetailView)
        view.show([Block(Content.styled("Walking…", DIM))])
        view.focus()
        self._load()

    @work(thread=True, exclusive=True, group="network")
    def _load(self) -> None:
        depth, status, type_ = self.depth, self.status, self.type_
        try:
            network = neighbours(self.case, self.entity_id, depth=depth,
                                 statuses=[status] if status else [],
                                 types=[type_] if type_ else [], max_nodes=NODES_SHOWN + 1)
            blocks = network_blocks(network, depth, status, type_)
        except CaseError as error:
            blocks = [Block(Content.styled(one_line(f"Could not walk: {error}", limit=LINE_CHARS), DIM))]
        self.post_message(self.Loaded(blocks, (depth, status, type_)))

    def on_network_screen_loaded(self, message: Loaded) -> None:
        if message.asked == (self.depth, self.status, self.type_):   # not one walked before a key
            self.query_one(DetailView).show(message.blocks)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self.dismiss(message.link)

    def action_open_relationship(self) -> None:
        """``o``: the tie under the cursor, in its own detail over this one."""
        link = self.query_one(DetailView).link
        if link is None or link.via is None:
            self.notify("o opens a tie: put the cursor on an entity reached by one.", timeout=2)
            return

        def chosen(followed: Link | None) -> None:
            if followed is not None:
                self.dismiss(followed)

        self.app.push_screen(RelationshipScreen(self.case, link.via.id), chosen)

    def _reload(self) -> None:
        self.query_one("#network-title", Static).update(self._title())
        self._load()

    def action_depth(self, depth: int) -> None:
        if depth != self.depth:
            self.depth = depth
            self._reload()

    def action_status(self, step: int) -> None:
        at = self.STATUSES.index(self.status)
        self.status = self.STATUSES[(at + step) % len(self.STATUSES)]
        self._reload()

    def action_confirmed(self) -> None:
        self.status = None if self.status == "confirmed" else "confirmed"
        self._reload()

    def action_type(self, step: int) -> None:
        at = self.TYPES.index(self.type_)
        self.type_ = self.TYPES[(at + step) % len(self.TYPES)]
        self._reload()

    def action_close(self) -> None:
        self.dismiss(None)
