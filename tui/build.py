"""Building a case out of a document, from the browser: the keys and what
the app does with them.

Wherever an excerpt is the current item — a row of the Excerpts pane, its
detail, or an excerpt link under a detail's cursor — ``s`` chooses words of
it, ``e`` ``t`` ``a`` make an entity, an event or a claim from it, ``l`` and
``L`` link and unlink an entity, ``i`` cites it for a claim or an event.
(``c d x u n z`` are the claims' own keys.) On a read-only case the keys
say why they do nothing.

The excerpt is read in a thread worker (``ContextLoaded``), then a screen
opens; each screen makes its write in its own worker and reports the
result as a fact (``EntityCreated``...). The app then reads the panes and
counts again and shows the new item; Back returns to the excerpt.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.message import Message

from db import CaseError
from db.casefile import OPENED_READ_ONLY
from db.text import one_line

from .excerpt_context import ExcerptContext, Span, read_context
from .history import Location
from .screens.build_base import Built
from .screens.build_forms import FORMS, ClaimForm, EntityForm, EventForm
from .screens.pickers import PICKERS, CiteScreen, LinkScreen, UnlinkScreen
from .screens.help import Section, binding_rows
from .screens.span import SpanChoice, SpanScreen
from .widgets.span_picker import SpanPicker

BUILD_BINDINGS = [
    Binding("s", "build_span", "Span", tooltip="Choose words of the excerpt (they become the quote)"),
    Binding("e", "build_entity", "Entity", show=False, tooltip="New entity the excerpt mentions"),
    Binding("t", "build_event", "Event", show=False, tooltip="New event with the excerpt as evidence"),
    Binding("a", "build_claim", "Claim", show=False, tooltip="New claim with the excerpt as evidence"),
    Binding("l", "build_link", "Link", show=False, tooltip="Link an entity the case has to the excerpt"),
    Binding("L", "build_unlink", "Unlink", show=False, tooltip="Unlink an entity from the excerpt"),
    Binding("i", "build_cite", "Cite", show=False,
            tooltip="Cite the excerpt for a claim or an event the case has"),
]

# What each key does, for the line that says why it did nothing.
DOING = {
    "span": "choosing words of an excerpt", "entity": "a new entity", "event": "a new event",
    "claim": "a new claim", "link": "linking an entity", "unlink": "unlinking an entity",
    "cite": "citing an excerpt",
}
SPANS_KEPT = 100
FORM_KEYS = [
    ("Tab Shift+Tab", "Next / previous field"),
    ("Enter", "Save (in a picker: take the chosen result)"),
    ("Esc", "Cancel: nothing is written"),
    ("← → or a letter", "Change a choice (kind, precision, stance)"),
    ("↑ ↓ Space", "In a list of entities: move, tick; type a name to add one"),
    ("→ at the end", "Take the suggested claimant"),
]


class BuildMixin:
    """The app's part of the build-a-case flow (mixed into CasebookApp)."""

    class ContextLoaded(Message, bubble=False):
        def __init__(self, what: str, context: ExcerptContext) -> None:
            super().__init__()
            self.what = what
            self.context = context

    # -- the keys ----------------------------------------------------------

    def action_build_span(self) -> None:
        self.start_building("span")

    def action_build_entity(self) -> None:
        self.start_building("entity")

    def action_build_event(self) -> None:
        self.start_building("event")

    def action_build_claim(self) -> None:
        self.start_building("claim")

    def action_build_link(self) -> None:
        self.start_building("link")

    def action_build_unlink(self) -> None:
        self.start_building("unlink")

    def action_build_cite(self) -> None:
        self.start_building("cite")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The keys apply (and show in the footer) where an excerpt is current;
        # elsewhere they are free for whatever else binds them.
        if action.startswith("build_"):
            return self.excerpt_is_current()
        return super().check_action(action, parameters)  # type: ignore[misc]

    def on_detail_view_link_highlighted(self) -> None:
        # A detail's cursor on an excerpt link makes the keys apply there.
        self.refresh_bindings()

    def excerpt_is_current(self) -> bool:
        pane = self.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        return pane.kind == "excerpt" or (link is not None and link.kind == "excerpt")

    def current_excerpt_id(self) -> int | None:
        """The excerpt the keys act on: the Excerpts pane's, or the excerpt
        link under a focused detail's cursor."""
        pane = self.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None and link.kind == "excerpt":
            return link.id
        if pane.kind == "excerpt":
            return pane.paged_list.cursor_item_id
        return None

    def start_building(self, what: str) -> None:
        if self.read_only:
            reason = self.case.read_only_reason or OPENED_READ_ONLY
            self.notify(f"Read-only: {reason}, so {DOING[what]} cannot be saved.",
                        severity="warning", markup=False)
            return
        excerpt_id = self.current_excerpt_id()
        if excerpt_id is None:
            self.notify(f"That is for {DOING[what]} from an excerpt: go to Excerpts (3), or put "
                        "a detail's cursor on an excerpt.", markup=False, timeout=4)
            return
        self._read_excerpt(what, excerpt_id)

    @work(thread=True, exclusive=True, group="build")
    def _read_excerpt(self, what: str, excerpt_id: int) -> None:
        try:
            context = read_context(self.case, excerpt_id)
        except CaseError as error:
            self.call_from_thread(self.notify, one_line(f"Could not read the excerpt: {error}"),
                                  severity="error", markup=False)
            return
        self.post_message(self.ContextLoaded(what, context))

    def on_build_mixin_context_loaded(self, message: ContextLoaded) -> None:
        if message.what == "span":
            self.choose_span(message.context)
        else:
            self.open_build_screen(message.what, message.context, None)

    def choose_span(self, context: ExcerptContext) -> None:
        spans = self._chosen_spans()
        screen = SpanScreen(context, spans.get(context.excerpt_id))

        def chosen(choice: SpanChoice | None) -> None:
            if choice is None:
                return
            what, span = choice
            spans.pop(context.excerpt_id, None)
            if span is not None:
                spans[context.excerpt_id] = span   # the picker starts there next time
                while len(spans) > SPANS_KEPT:
                    spans.pop(next(iter(spans)))
            self.open_build_screen(what, context, span)

        self.push_screen(screen, callback=chosen)

    def _chosen_spans(self) -> dict[int, Span]:
        if not hasattr(self, "_spans"):
            self._spans: dict[int, Span] = {}
        return self._spans

    def open_build_screen(self, what: str, context: ExcerptContext, span: Span | None) -> None:
        screen_class = FORMS.get(what) or PICKERS[what]
        self.push_screen(screen_class(self.case, context, span))

    # -- keys and commands -------------------------------------------------

    def build_key_sections(self) -> list[Section]:
        return [
            ("On an excerpt (Excerpts pane, or an excerpt link in a detail)",
             binding_rows(BUILD_BINDINGS)),
            ("Choosing words (s)", binding_rows(SpanPicker.BINDINGS) + binding_rows(SpanScreen.BINDINGS)),
            ("In a form or a picker", FORM_KEYS),
        ]

    def build_commands(self) -> Iterable[SystemCommand]:
        for binding in BUILD_BINDINGS:
            action = getattr(self, f"action_{binding.action}")
            yield SystemCommand(f"Excerpt: {binding.description}",
                                f"{binding.tooltip} (key {binding.key})", action)

    # -- the facts ---------------------------------------------------------

    def on_entity_form_entity_created(self, message: EntityForm.EntityCreated) -> None:
        self.show_built(message)

    def on_event_form_event_created(self, message: EventForm.EventCreated) -> None:
        self.show_built(message)

    def on_claim_form_claim_created(self, message: ClaimForm.ClaimCreated) -> None:
        self.show_built(message)

    def on_link_screen_entity_linked(self, message: LinkScreen.EntityLinked) -> None:
        self.show_built(message)

    def on_unlink_screen_entity_unlinked(self, message: UnlinkScreen.EntityUnlinked) -> None:
        self.show_built(message)

    def on_cite_screen_evidence_cited(self, message: CiteScreen.EvidenceCited) -> None:
        self.show_built(message)

    def show_built(self, message: Built) -> None:
        """The case changed: read the panes and counts again, say what
        happened, and show the new item (Back returns to the excerpt)."""
        for pane in self.query("Pane"):
            pane.reload()
        self._load_counts()
        self.notify(message.summary, markup=False, timeout=4)
        if message.follow is not None:
            self.go(Location(message.follow.kind, message.follow.id))
