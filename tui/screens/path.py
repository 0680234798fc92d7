"""``p`` twice: how two entities are connected — the shortest chains of
relationships between them (up to ``MAX_HOPS``), each step the tie read from
the nearer end with its role, dates and status, a link to the entity it
reaches and its evidence as links to the excerpts. ``s`` also goes through
what two entities share (an event, a claim, an excerpt linked to both): those
chains come after the relationships', each shared step with the shared items
as links. Read in a thread worker (``db.connections.find_paths``: a
bidirectional search through the indexes, the shared links it reads bounded)."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError
from db.connections import BUDGET, THROUGH, Paths, find_paths
from db.entities import entities_by_ids
from db.relationships import Connection, PathStep, relationship_evidence
from db.sources import source_titles
from db.text import one_line

from ..details.blocks import claim_link, event_link, evidence_links, excerpt_link
from ..labels import BADGE_WIDTH, status_badge
from ..text import LINE_CHARS, cell_pad, join, plain_line
from ..widgets.detail import BLANK, Block, DetailView, Link
from .dialog import Dialog

MAX_HOPS = 4
CHAINS_SHOWN = 10
EVIDENCE_SHOWN = 2
DIM = ".cb--dim"
EVIDENCE_INDENT = "      "


def _indented(blocks: list[Block]) -> list[Block]:
    return [Block(Content.assemble((EVIDENCE_INDENT, ""), block.content), block.link, hang=8)
            for block in blocks]


def _hops(chain: Connection) -> str:
    hops = f"{chain.hops} hop{'s' if chain.hops != 1 else ''}"
    if chain.shared_steps:
        hops += f", {chain.shared_steps} through shared items"
    return hops


def _relationship_step(case: Case, step: PathStep) -> list[Block]:
    tie = step.relationship
    if tie is None:
        return []
    forward = tie.subject_entity_id == step.start.id
    words = tie.type_label if forward else f"← {tie.type_label}"
    said = " · ".join(part for part in (tie.role, tie.date_label) if part)
    parts: list[Content | tuple[str, str]] = [
        ("  ", ""), cell_pad(status_badge(tie.status), BADGE_WIDTH), (" ", ""),
        Content.styled(f"{words}  ", ".cb--label"), plain_line(step.end.name, ".cb--name")]
    if said:
        parts += [("  ", ""), plain_line(said, DIM)]
    evidence = relationship_evidence(case, tie.id or 0, limit=EVIDENCE_SHOWN)
    return [Block(join(parts), Link("entity", step.end.id or 0), hang=3 + BADGE_WIDTH),
            *_indented(evidence_links(evidence, stances=True))]


def _shared_step(step: PathStep, titles: dict[int, str]) -> list[Block]:
    """``  ≈ shares event · excerpt with  Kirill Logvinov``, then the shared items,
    a line each (a long excerpt cut: the link opens it)."""
    words = f"shares {' · '.join(step.shared_kinds)} with  "
    line = join([("  ", ""), cell_pad(Content.styled("≈", DIM), BADGE_WIDTH), (" ", ""),
                 Content.styled(words, ".cb--label"), plain_line(step.end.name, ".cb--name")])
    items = [*(event_link(event) for event in step.events),
             *(claim_link(claim) for claim in step.claims),
             *(excerpt_link(excerpt, titles.get(excerpt.source_id, "")) for excerpt in step.excerpts)]
    return [Block(line, Link("entity", step.end.id or 0), hang=3 + BADGE_WIDTH),
            *(replace(block, wrap=False) for block in _indented(items))]


def path_blocks(case: Case, from_id: int, to_id: int, found: Paths) -> list[Block]:
    names = {e.id: e.name for e in entities_by_ids(case, [from_id, to_id])}
    blocks = [Block(join([plain_line(names.get(from_id, "?"), ".cb--name"), (" → ", DIM),
                          plain_line(names.get(to_id, "?"), ".cb--name")]), hang=2)]
    if found.through and not found.relationship_chains and found.shared_chains:
        blocks += [BLANK, Block(Content.styled(
            f"No chain of relationships alone within {MAX_HOPS} hops.", DIM))]
    if not found.chains:
        also = (" (also through shared events, claims and excerpts)." if found.through
                else ". s looks through shared events, claims and excerpts too.")
        blocks += [BLANK, Block(Content.styled(f"No connection within {MAX_HOPS} hops{also}", DIM))]
    titles = source_titles(case, {excerpt.source_id for chain in found.chains
                                  for step in chain.steps for excerpt in step.excerpts})
    for number, chain in enumerate(found.chains, 1):
        blocks += [BLANK, Block(Content.styled(f"{number}. {_hops(chain)}", ".cb--heading"))]
        blocks.append(Block(join([("  ", ""), plain_line(chain.steps[0].start.name, ".cb--name")]),
                            Link("entity", chain.steps[0].start.id or 0)))
        for step in chain.steps:
            blocks += _shared_step(step, titles) if step.shared else _relationship_step(case, step)
    if found.cut_short:
        blocks += [BLANK, Block(Content.styled(
            f"The search read {BUDGET:,} shared links and stopped: a chain through more "
            "may be missed.", DIM))]
    return blocks


class PathScreen(Dialog[Link | None]):
    """The shortest chains between two entities, as links."""

    BINDINGS = [Binding("escape,p", "close", "Close"),
                Binding("s", "shared", "Through shared items", show=False)]

    class Loaded(Message, bubble=False):
        def __init__(self, blocks: list[Block], through: tuple[str, ...]) -> None:
            super().__init__()
            self.blocks = blocks
            self.through = through

    def __init__(self, case: Case, from_id: int, to_id: int) -> None:
        super().__init__()
        self.case = case
        self.from_id = from_id
        self.to_id = to_id
        self.through: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box"):
            yield Static(self._title(), id="path-title")
            yield DetailView(id="path-view")
            yield Static(self._hint(), id="path-hint")

    def _hint(self) -> Content:
        toggle = "s relationships only" if self.through else "s through shared items"
        return Content(f"↑↓ · Enter go to the item · {toggle} · Esc close")

    def _title(self) -> Content:
        which = "relationships, then shared items" if self.through else "relationships"
        return Content.assemble(("How are these two connected?", "bold"), (f" · {which}", DIM))

    def on_mount(self) -> None:
        view = self.query_one(DetailView)
        view.show([Block(Content.styled("Searching…", DIM))])
        view.focus()
        self._load()

    @work(thread=True, exclusive=True, group="path")
    def _load(self) -> None:
        through = self.through
        try:
            found = find_paths(self.case, self.from_id, self.to_id, max_hops=MAX_HOPS,
                               through=through, limit=CHAINS_SHOWN)
            blocks = path_blocks(self.case, self.from_id, self.to_id, found)
        except CaseError as error:
            blocks = [Block(Content.styled(one_line(f"Could not search: {error}", limit=LINE_CHARS), DIM))]
        self.post_message(self.Loaded(blocks, through))

    def on_path_screen_loaded(self, message: Loaded) -> None:
        if message.through == self.through:   # not a search since toggled
            self.query_one(DetailView).show(message.blocks)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self.dismiss(message.link)

    def action_shared(self) -> None:
        """``s``: also through shared events, claims and excerpts, or not."""
        self.through = () if self.through else THROUGH
        self.query_one("#path-title", Static).update(self._title())
        self.query_one("#path-hint", Static).update(self._hint())
        self.query_one(DetailView).show([Block(Content.styled("Searching…", DIM))])
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)
