"""``s``: choose words of an excerpt, then what to make of them.

The excerpt's text with the chosen words highlighted (``SpanPicker``); a
line under it shows them and where they are. ``e`` ``t`` ``a`` ``R`` ``i``
(or Enter, then a choice from a short menu) close the screen with what to
make and the span; the app opens that form with the span as the evidence and
its words filling in the name, title or statement (for a relationship: the
entities they name offered first).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db.text import one_line

from ..text import TITLE_CHARS
from ..widgets.span_picker import SpanPicker
from .build_base import BUILD_CSS
from .dialog import Dialog
from .excerpt_context import ExcerptContext, Span

# What can be made of the chosen words: (action, key, label).
SPAN_ACTIONS = (
    ("entity", "e", "a new entity with this name"),
    ("event", "t", "a new event with this evidence"),
    ("claim", "a", "a new claim with this evidence"),
    ("relationship", "R", "a new relationship with this evidence"),
    ("cite", "i", "evidence for a claim or an event the case has"),
)
SPAN_HINT = ("Move: ←→ or h l a word · ↑↓ or k j a line · Space extend · w the whole excerpt\n"
             "Make: e entity · t event · a claim · R relationship · i cite · Esc cancel")
QUOTE_CHARS = 70

SpanChoice = tuple[str, Span | None]


def span_status(context: ExcerptContext, span: Span | None, *, extending: bool) -> Content:
    if span is None:
        return Content.assemble(("Chosen: ", "bold"), "the whole excerpt",
                                (f"  ({len(context.excerpt.text):,} characters)", "dim"))
    quote = one_line(context.quote(span), limit=TITLE_CHARS)
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS // 2 - 1] + " … " + quote[-(QUOTE_CHARS // 2 - 1):]
    words = len(context.quote(span).split())
    mode = "  extending: move to add words, Space to stop" if extending else ""
    return Content.assemble(("Chosen: ", "bold"), "“", quote, "”",
                            (f"  {words} word{'s' if words != 1 else ''},"
                             f" characters {span[0]:,}–{span[1]:,}", "dim"), (mode, "bold"))


class SpanScreen(Dialog[SpanChoice | None]):
    """The excerpt's words, a span of them chosen with the keyboard."""

    CSS_PATH = BUILD_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "menu", "Make…", tooltip="Choose what to make of the chosen words"),
        # One row in the keys list: the first tooltip speaks for all five.
        *(Binding(key, f"make('{action}')", label.split(" with")[0].removeprefix("a new "),
                  tooltip="" if number else ("Make an entity, an event, a claim or a relationship "
                                             "of them, or cite them"))
          for number, (action, key, label) in enumerate(SPAN_ACTIONS)),
    ]

    def __init__(self, context: ExcerptContext, span: Span | None = None) -> None:
        super().__init__()
        self.context = context
        self.initial_span = span

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box span-box"):
            yield Static(Content.assemble(("Choose words of the excerpt", "bold"), ("  — ", "dim"),
                                          (one_line(self.context.source_title, limit=TITLE_CHARS), "dim")),
                         classes="box-title")
            with Vertical(classes="box-foot"):
                yield Static("", id="span-status")
                yield Static(Content(SPAN_HINT), classes="box-hint")
            yield SpanPicker(self.context.excerpt.text, span=self.initial_span, id="span-picker")

    @property
    def picker(self) -> SpanPicker:
        return self.query_one(SpanPicker)

    def on_mount(self) -> None:
        self.picker.focus()
        self._show_status()

    def on_span_picker_span_changed(self, message: SpanPicker.SpanChanged) -> None:
        self._show_status()

    def _show_status(self) -> None:
        picker = self.picker
        self.query_one("#span-status", Static).update(
            span_status(self.context, picker.span, extending=picker.extending))

    def action_make(self, action: str) -> None:
        self.dismiss((action, self.picker.span))

    def action_menu(self) -> None:
        def made(action: str | None) -> None:
            if action is not None:
                self.action_make(action)

        self.app.push_screen(SpanMenu(), callback=made)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SpanMenu(Dialog[str | None]):
    """Enter in the span picker: what to make of the chosen words."""

    CSS_PATH = BUILD_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        *(Binding(key, f"pick('{action}')", label, show=False) for action, key, label in SPAN_ACTIONS),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="span-menu"):
            yield Static(Content.styled("Make of the chosen words…", "bold"), classes="box-title")
            yield OptionList(*(Option(Content.assemble((f" {key} ", "bold"), f" {label}"), id=action)
                               for action, key, label in SPAN_ACTIONS), id="span-menu-options")
            yield Static(Content("↑↓ and Enter, or a key · Esc back"), classes="box-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, action: str) -> None:
        self.dismiss(action)

    def action_cancel(self) -> None:
        self.dismiss(None)
