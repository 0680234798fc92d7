"""Building a case out of a document, from the browser: the keys and what
they open.

Wherever an excerpt is the current item — a row of the Excerpts pane, its
detail, or an excerpt link under a detail's cursor — ``s`` chooses words of
it, ``e`` ``t`` ``a`` make an entity, an event or a claim from it, ``l`` and
``L`` link and unlink an entity, ``i`` cites it for a claim or an event.
(``c d x U u n z`` are the claims' own keys.) On a read-only case the keys
say why they do nothing.

The excerpt is read in a thread worker (``ContextLoaded``), then a screen
opens; each screen makes its write in its own worker and reports the
result as a fact (``Built``: ``EntityCreated``...). The panes and counts
are then read again and the new item shown; Back returns to the excerpt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.binding import Binding
from textual.message import Message

from db import Case, CaseError
from db.casefile import OPENED_READ_ONLY

from ..history import Location
from ..panes.pane import Pane
from ..text import LINE_CHARS, one_line

if TYPE_CHECKING:
    # The screens are imported when first opened, not by the browser's start
    # (issue 17 point 9: tests/test_startup.py holds them out of it).
    from ..screens.build_base import Built
    from ..screens.excerpt_context import ExcerptContext, Span
    from ..screens.help import Section
    from ..screens.span import SpanChoice

BUILD_BINDINGS = [
    Binding("s", "build_span", "Span", tooltip="Choose words of the excerpt (they become the quote)"),
    Binding("e", "build_entity", "Entity", show=False, tooltip="New entity the excerpt mentions"),
    Binding("t", "build_event", "Event", show=False, tooltip="New event with the excerpt as evidence"),
    Binding("a", "build_claim", "Claim", show=False, tooltip="New claim with the excerpt as evidence"),
    Binding("l", "build_link", "Link", show=False, tooltip="Link an entity the case has to the excerpt"),
    Binding("L", "build_unlink", "Unlink", show=False, tooltip="Unlink an entity from the excerpt"),
    Binding("R", "build_relationship", "Relationship", show=False,
            tooltip="New relationship citing the excerpt"),
    Binding("i", "build_cite", "Cite", show=False,
            tooltip="Cite the excerpt for a claim or an event the case has"),
]

# What each key does, for the line that says why it did nothing.
DOING = {
    "span": "choosing words of an excerpt", "entity": "a new entity", "event": "a new event",
    "claim": "a new claim", "link": "linking an entity", "unlink": "unlinking an entity",
    "cite": "citing an excerpt", "relationship": "a new relationship",
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


class BuildingHost(Protocol):
    """What building from an excerpt needs from the app."""

    case: Case
    read_only: bool
    annotator: str

    @property
    def active_pane(self) -> Pane: ...

    def panes(self) -> Iterable[Pane]: ...

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

    def open_screen(self, screen: Any, callback: Callable[[Any], None] | None = None) -> None: ...

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def load_counts(self) -> None: ...

    def go(self, location: Location) -> None: ...


class Building:
    """The build keys, the screens they open, and what a write brings back."""

    BINDINGS = BUILD_BINDINGS

    class ContextLoaded(Message, bubble=False):
        """The excerpt a key starts from was read (``context``), or could not
        be (``problem``, one line)."""

        def __init__(self, what: str, context: ExcerptContext | None, problem: str = "") -> None:
            super().__init__()
            self.what = what
            self.context = context
            self.problem = problem

    def __init__(self, host: BuildingHost) -> None:
        self.host = host
        # The words last chosen in each excerpt: the span picker starts there again.
        self.spans: dict[int, Span] = {}

    # -- where the keys apply ------------------------------------------------

    def allows(self, action: str) -> bool:
        # The keys apply (and show in the footer) where an excerpt is current;
        # elsewhere they are free for whatever else binds them.
        return self.excerpt_is_current()

    def excerpt_is_current(self) -> bool:
        pane = self.host.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        return pane.kind == "excerpt" or (link is not None and link.kind == "excerpt")

    def current_excerpt_id(self) -> int | None:
        """The excerpt the keys act on: the Excerpts pane's, or the excerpt
        link under a focused detail's cursor."""
        pane = self.host.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None and link.kind == "excerpt":
            return link.id
        if pane.kind == "excerpt":
            return pane.paged_list.cursor_item_id
        return None

    # -- the keys ----------------------------------------------------------

    def start(self, what: str) -> None:
        if self.host.read_only:
            reason = self.host.case.read_only_reason or OPENED_READ_ONLY
            self.host.notify(f"Read-only: {reason}, so {DOING[what]} cannot be saved.",
                             severity="warning", markup=False)
            return
        excerpt_id = self.current_excerpt_id()
        if excerpt_id is None:
            self.host.notify(f"That is for {DOING[what]} from an excerpt: go to Excerpts (3), "
                             "or put a detail's cursor on an excerpt.", markup=False, timeout=4)
            return
        case = self.host.case

        def read() -> None:
            from ..screens.excerpt_context import read_context

            try:
                context = read_context(case, excerpt_id)
            except CaseError as error:
                problem = one_line(f"Could not read the excerpt: {error}", limit=LINE_CHARS)
                self.host.post_message(self.ContextLoaded(what, None, problem))
                return
            self.host.post_message(self.ContextLoaded(what, context))

        self.host.run_in_thread(read, group="build")

    def context_loaded(self, message: ContextLoaded) -> None:
        if message.context is None:
            self.host.notify(message.problem, severity="error", markup=False)
        elif message.what == "span":
            self.choose_span(message.context)
        else:
            self.open_build_screen(message.what, message.context, None)

    def choose_span(self, context: ExcerptContext) -> None:
        from ..screens.span import SpanScreen

        spans = self.spans
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

        self.host.open_screen(screen, chosen)

    def open_build_screen(self, what: str, context: ExcerptContext, span: Span | None) -> None:
        from ..screens.build_forms import FORMS
        from ..screens.pickers import PICKERS

        screen_class = FORMS.get(what) or PICKERS[what]
        self.host.open_screen(screen_class(self.host.case, context, span,
                                           annotator=self.host.annotator))

    # -- keys and commands -------------------------------------------------

    def key_sections(self) -> list[Section]:
        from ..screens.help import binding_rows
        from ..screens.span import SpanScreen
        from ..widgets.span_picker import SpanPicker

        return [
            ("On an excerpt (Excerpts pane, or an excerpt link in a detail)",
             binding_rows(BUILD_BINDINGS)),
            ("Choosing words (s)", binding_rows(SpanPicker.BINDINGS)
             + binding_rows(SpanScreen.BINDINGS)),
            ("In a form or a picker", FORM_KEYS),
        ]

    def commands(self) -> Iterable[tuple[str, str, Callable[[], None]]]:
        """(title, help, run) for the command palette."""
        for binding in BUILD_BINDINGS:
            what = binding.action.removeprefix("build_")
            yield (f"Excerpt: {binding.description}", f"{binding.tooltip} (key {binding.key})",
                   partial(self.start, what))

    # -- the facts ---------------------------------------------------------

    def built(self, message: Built) -> None:
        """The case changed: read the panes and counts again, say what
        happened, and show the new item (Back returns to the excerpt)."""
        for pane in self.host.panes():
            pane.reload()
        self.host.load_counts()
        self.host.notify(message.summary, markup=False, timeout=4)
        if message.follow is not None:
            self.host.go(Location(message.follow.kind, message.follow.id))

