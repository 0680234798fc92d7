"""``p`` twice: how two entities are connected — the shortest chains of
relationships between them (up to ``MAX_HOPS``), each step the tie read from
the nearer end with its role, dates and status, a link to the entity it
reaches and its evidence as links to the excerpts. Read in a thread worker
(``db.relationships.shortest_paths``: a bidirectional search through the
indexes)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError
from db.entities import entities_by_ids
from db.relationships import Connection, relationship_evidence, shortest_paths
from db.text import one_line

from ..details.blocks import evidence_links
from ..labels import BADGE_WIDTH, status_badge
from ..text import LINE_CHARS, cell_pad, join, plain_line
from ..widgets.detail import BLANK, Block, DetailView, Link
from .dialog import Dialog

MAX_HOPS = 4
CHAINS_SHOWN = 10
EVIDENCE_SHOWN = 2
DIM = ".cb--dim"


def path_blocks(case: Case, from_id: int, to_id: int, chains: list[Connection]) -> list[Block]:
    names = {e.id: e.name for e in entities_by_ids(case, [from_id, to_id])}
    blocks = [Block(join([plain_line(names.get(from_id, "?"), ".cb--name"), (" → ", DIM),
                          plain_line(names.get(to_id, "?"), ".cb--name")]), hang=2)]
    if not chains:
        return blocks + [BLANK, Block(Content.styled(
            f"No connection within {MAX_HOPS} hops.", DIM))]
    for number, chain in enumerate(chains, 1):
        hops = f"{chain.hops} hop{'s' if chain.hops != 1 else ''}"
        blocks += [BLANK, Block(Content.styled(f"{number}. {hops}", ".cb--heading"))]
        blocks.append(Block(join([("  ", ""), plain_line(chain.steps[0].start.name, ".cb--name")]),
                            Link("entity", chain.steps[0].start.id or 0)))
        for step in chain.steps:
            tie = step.relationship
            forward = tie.subject_entity_id == step.start.id
            words = tie.type_label if forward else f"← {tie.type_label}"
            said = " · ".join(part for part in (tie.role, tie.date_label) if part)
            parts: list[Content | tuple[str, str]] = [
                ("  ", ""), cell_pad(status_badge(tie.status), BADGE_WIDTH), (" ", ""),
                Content.styled(f"{words}  ", ".cb--label"), plain_line(step.end.name, ".cb--name")]
            if said:
                parts += [("  ", ""), plain_line(said, DIM)]
            blocks.append(Block(join(parts), Link("entity", step.end.id or 0),
                                hang=3 + BADGE_WIDTH))
            evidence = relationship_evidence(case, tie.id or 0, limit=EVIDENCE_SHOWN)
            blocks += [Block(Content.assemble(("      ", ""), block.content), block.link, hang=8)
                       for block in evidence_links(evidence, stances=True)]
    return blocks


class PathScreen(Dialog[Link | None]):
    """The shortest chains between two entities, as links."""

    BINDINGS = [Binding("escape,p", "close", "Close")]

    class Loaded(Message, bubble=False):
        def __init__(self, blocks: list[Block]) -> None:
            super().__init__()
            self.blocks = blocks

    def __init__(self, case: Case, from_id: int, to_id: int) -> None:
        super().__init__()
        self.case = case
        self.from_id = from_id
        self.to_id = to_id

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box"):
            yield Static(Content.styled("How are these two connected?", "bold"), id="path-title")
            yield DetailView(id="path-view")
            yield Static(Content("↑↓ · Enter go to the entity or excerpt · Esc close"),
                         id="path-hint")

    def on_mount(self) -> None:
        view = self.query_one(DetailView)
        view.show([Block(Content.styled("Searching…", DIM))])
        view.focus()
        self._load()

    @work(thread=True, exclusive=True, group="path")
    def _load(self) -> None:
        try:
            chains = shortest_paths(self.case, self.from_id, self.to_id, max_hops=MAX_HOPS,
                                    limit=CHAINS_SHOWN)
            blocks = path_blocks(self.case, self.from_id, self.to_id, chains)
        except CaseError as error:
            blocks = [Block(Content.styled(one_line(f"Could not search: {error}", limit=LINE_CHARS), DIM))]
        self.post_message(self.Loaded(blocks))

    def on_path_screen_loaded(self, message: Loaded) -> None:
        self.query_one(DetailView).show(message.blocks)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self.dismiss(message.link)

    def action_close(self) -> None:
        self.dismiss(None)
