"""Pickers: type to find an entity, a claim or an event, ↑/↓ choose, Enter.

``EntityPicker`` chooses an entity for a form (a new event's or claim's
entities); ``LinkScreen`` links the chosen entity to the excerpt,
``UnlinkScreen`` takes one of its entities off it, and ``CiteScreen`` cites
the excerpt (or the chosen words) for a claim or an event. Searches run in a
thread worker as you type (the newest keystroke wins); writes run in
``WriteScreen``'s worker and come back as facts: ``EntityLinked``,
``EntityUnlinked``, ``EvidenceCited``.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from db import STANCES, Case, CaseError, Entity
from db.building import cite_for_claim, cite_for_event, link_entity, unlink_entity
from db.entities import entities_by_ids
from db.search import query_terms, search
from db.text import fold, one_line

from ..text import LINE_CHARS, TITLE_CHARS, highlighted_line, join, plain_line
from ..widgets.choice import Choice
from ..widgets.detail import BLANK, Block, DetailView, Link
from ..widgets.text_field import TextField
from .build_base import STANCE_LETTERS, Built, WriteScreen, evidence_line, field_row
from .excerpt_context import ExcerptContext, Span

HITS = 20
PICKER_HINT = "type to search · ↑↓ choose · Enter {verb} · Esc cancel"


def note(text: str) -> list[Block]:
    return [Block(Content.styled(text, ".cb--dim"))]


def entity_block(entity: Entity, terms: tuple[str, ...], *, linked: bool) -> Block:
    parts: list[Content | tuple[str, str]] = [("• ", ""), highlighted_line(entity.name, terms),
                                              (f"  {entity.kind}", ".cb--dim")]
    if entity.aliases:
        parts += [(" · ", ".cb--dim"), highlighted_line(" · ".join(entity.aliases), terms)]
    if linked:
        parts.append(("  (mentioned here)", ".cb--label"))
    return Block(join(parts), Link("entity", entity.id or 0), wrap=False)


class PickerScreen(WriteScreen):
    """An input, results as links below it, Enter on the chosen one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "results('link_down')", "Next", show=False),
        Binding("up", "results('link_up')", "Previous", show=False),
        Binding("pagedown", "results('page_down')", "Page down", show=False),
        Binding("pageup", "results('page_up')", "Page up", show=False),
    ]

    heading = ""
    label = "Find"
    verb = "choose"
    placeholder = "a name (Uhrik finds Uhrík)"

    class Found(Message, bubble=False):
        def __init__(self, query: str, blocks: list[Block], titles: dict[Link, object]) -> None:
            super().__init__()
            self.query = query
            self.blocks = blocks
            self.titles = titles

    def __init__(self, case: Case, context: ExcerptContext, span: Span | None = None, *,
                 query: str = "", title: str = "", annotator: str = "") -> None:
        super().__init__(case, context, span, annotator=annotator)
        self.query_text = query
        self.found: dict[Link, object] = {}   # what each result link stands for
        if title:
            self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box picker"):
            yield Static(Content.styled(self.heading, "bold"), classes="box-title")
            yield Static(evidence_line(self.context, self.span), classes="evidence")
            with Horizontal(classes="picker-bar"):
                yield Static(Content(self.label), classes="field-label")
                yield TextField(self.query_text, id="picker-input", placeholder=self.placeholder)
            yield from self.options()
            yield DetailView(id="picker-results")
            yield Static("", id="form-status")
            yield Static(Content(PICKER_HINT.format(verb=self.verb)), classes="box-hint")

    def options(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.query_one(TextField).focus()
        self.find(self.query_text)

    @property
    def results(self) -> DetailView:
        return self.query_one("#picker-results", DetailView)

    def action_results(self, action: str) -> None:
        getattr(self.results, f"action_{action}")()

    # -- finding -----------------------------------------------------------

    @on(Input.Changed, "#picker-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.find(event.value)

    def find(self, query: str) -> None:
        self.query_text = query
        if not query_terms(query):
            self.show_found(query, self.before_typing(), {})
            return
        self._search(query)

    def before_typing(self) -> list[Block]:
        return note("Type to search.")

    def search_blocks(self, query: str) -> tuple[list[Block], dict[Link, object]]:
        """Blocks for the results of ``query`` (runs in a thread worker)."""
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="find")
    def _search(self, query: str) -> None:
        worker = get_current_worker()
        try:
            blocks, found = self.search_blocks(query)
        except CaseError as error:
            blocks, found = note(f"Search failed: {one_line(str(error), limit=LINE_CHARS)}"), {}
        if not worker.is_cancelled:
            self.post_message(self.Found(query, blocks, found))

    def on_picker_screen_found(self, message: Found) -> None:
        if message.query == self.query_text:
            self.show_found(message.query, message.blocks, message.titles)

    def show_found(self, query: str, blocks: list[Block], found: dict[Link, object]) -> None:
        self.found = found
        if query_terms(query) and not found:
            shown = one_line(query, limit=TITLE_CHARS)
            blocks = [*blocks, *note(f"No match for “{shown}”.")] if blocks else \
                [Block(Content.assemble(("No match for ", ".cb--dim"), plain_line(query)))]
        self.results.show(blocks)

    # -- choosing ----------------------------------------------------------

    @on(Input.Submitted, "#picker-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.results.link)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self._choose(message.link)

    def _choose(self, link: Link | None) -> None:
        if self.saving:
            return
        if link is None or link not in self.found:
            self.show_status("Nothing chosen: type to find one, ↑↓ to choose it.", error=True)
            return
        self.chosen(link, self.found[link])

    def chosen(self, link: Link, item: object) -> None:
        self.dismiss(item)


class EntityPicker(PickerScreen):
    """Choose any entity of the case (for a form's list of entities)."""

    heading = "Choose an entity"
    label = "Entity"
    verb = "choose"

    def search_blocks(self, query: str) -> tuple[list[Block], dict[Link, object]]:
        results = search(self.case, query, kinds=["entity"], limit=HITS)
        ids = [hit.id for group in results.groups for hit in group.hits]
        entities = entities_by_ids(self.case, ids)
        mentioned = {entity.id for entity in self.context.entities}
        blocks = [entity_block(entity, results.terms, linked=entity.id in mentioned)
                  for entity in entities]
        return blocks, {Link("entity", entity.id or 0): entity for entity in entities}


class LinkScreen(EntityPicker):
    """``l``: the excerpt mentions an entity the case already has."""

    heading = "Link an entity to this excerpt"
    verb = "link"

    class EntityLinked(Built):
        def __init__(self, excerpt_id: int, entity: Entity) -> None:
            super().__init__(excerpt_id, "Linked: this excerpt mentions "
                             f"{one_line(entity.name, limit=TITLE_CHARS)}.", None)
            self.entity = entity

    def before_typing(self) -> list[Block]:
        return note("Type a name or an alias: Uhrik finds Uhrík. (A new entity: Esc, then e.)")

    def chosen(self, link: Link, item: object) -> None:
        entity: Entity = item  # type: ignore[assignment]
        if any(entity.id == known.id for known in self.context.entities):
            name = one_line(entity.name, limit=TITLE_CHARS)
            self.show_status(f"This excerpt already mentions {name}.", error=True)
            return
        excerpt_id = self.context.excerpt_id

        def write() -> Built:
            link_entity(self.case, excerpt_id, entity.id or 0)
            return self.EntityLinked(excerpt_id, entity)

        self.start_write(write)


class UnlinkScreen(PickerScreen):
    """``L``: take an entity off the excerpt (a link made by mistake)."""

    heading = "Unlink an entity from this excerpt"
    label = "Entity"
    verb = "unlink"
    placeholder = "filter the entities it mentions"

    class EntityUnlinked(Built):
        def __init__(self, excerpt_id: int, entity: Entity) -> None:
            super().__init__(excerpt_id, f"Unlinked: this excerpt no longer mentions "
                             f"{one_line(entity.name, limit=TITLE_CHARS)}.", None)
            self.entity = entity

    def find(self, query: str) -> None:
        # Its entities are already at hand: filtered here, no search.
        self.query_text = query
        wanted = fold(query).split()
        entities = [entity for entity in self.context.entities
                    if all(any(word in fold(name) for name in (entity.name, *entity.aliases))
                           for word in wanted)]
        blocks = [entity_block(entity, tuple(wanted), linked=False) for entity in entities]
        if not self.context.entities:
            blocks = note("This excerpt mentions no entity: there is nothing to unlink.")
        self.show_found(query, blocks, {Link("entity", e.id or 0): e for e in entities})

    def chosen(self, link: Link, item: object) -> None:
        entity: Entity = item  # type: ignore[assignment]
        excerpt_id = self.context.excerpt_id

        def write() -> Built:
            unlink_entity(self.case, excerpt_id, entity.id or 0)
            return self.EntityUnlinked(excerpt_id, entity)

        self.start_write(write)


class CiteScreen(PickerScreen):
    """``i``: the excerpt (or the chosen words) is evidence for a claim or an
    event the case already has; for a claim, with the stance chosen here."""

    heading = "Cite this excerpt as evidence"
    label = "For"
    verb = "cite"
    placeholder = "words of a claim or an event"

    class EvidenceCited(Built):
        def __init__(self, excerpt_id: int, link: Link, title: str, stance: str) -> None:
            what = f"claim ({stance})" if link.kind == "claim" else "event"
            super().__init__(excerpt_id, f"Cited as evidence for the {what}: "
                             f"{one_line(title, limit=TITLE_CHARS)}", link)
            self.link = link
            self.title = title
            self.stance = stance

    BINDINGS = [
        # Enter on the Stance (the search box and the results have their own):
        # cite the chosen result with that stance, or say what is missing.
        Binding("enter", "cite", "Cite", show=False),
    ]

    def options(self) -> ComposeResult:
        yield field_row("Stance", Choice(STANCES, first=STANCE_LETTERS, id="stance"),
                        hint="for a claim")

    def action_cite(self) -> None:
        self._choose(self.results.link)

    def before_typing(self) -> list[Block]:
        return note("Type words of a claim's statement or an event's title.")

    def search_blocks(self, query: str) -> tuple[list[Block], dict[Link, object]]:
        results = search(self.case, query, kinds=["claim", "event"], limit=HITS // 2)
        blocks: list[Block] = []
        found: dict[Link, object] = {}
        for group in results.groups:
            if not group.hits:
                continue
            if blocks:
                blocks.append(BLANK)
            title = "Claims" if group.kind == "claim" else "Events"
            blocks.append(Block(Content.styled(f"{title} ({len(group.hits)})", ".cb--heading")))
            for hit in group.hits:
                link = Link(hit.kind, hit.id)
                found[link] = hit.title
                blocks.append(Block(join([("• ", ""), highlighted_line(hit.title, results.terms),
                                          ("  ", ""), plain_line(hit.detail, ".cb--dim")]),
                                    link, wrap=False))
        return blocks, found

    def chosen(self, link: Link, item: object) -> None:
        title = str(item)
        stance = self.query_one("#stance", Choice).value
        excerpt_id, span = self.context.excerpt_id, self.span

        def write() -> Built:
            if link.kind == "claim":
                cite_for_claim(self.case, link.id, excerpt_id, stance=stance, span=span)
            else:
                cite_for_event(self.case, link.id, excerpt_id, span=span)
            return self.EvidenceCited(excerpt_id, link, title, stance)

        self.start_write(write)


PICKERS: dict[str, Callable[..., PickerScreen]] = {
    "link": LinkScreen, "unlink": UnlinkScreen, "cite": CiteScreen,
}
