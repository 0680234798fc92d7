"""What every build-a-case screen shares: one write in a thread worker, whose
committed result comes back as a message named as a fact (``Built`` and its
subclasses, ``EntityCreated``...), which closes the screen and bubbles to the
app; a refused write leaves the screen open with the reason on one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from db import Case, CaseError
from db.text import one_line

from ..text import LINE_CHARS, TITLE_CHARS
from .built import Built as Built  # (re-exported: the forms and pickers take it from here)
from .dialog import Dialog
from .excerpt_context import ExcerptContext, Span

BUILD_CSS = Path(__file__).resolve().parent.parent / "build.tcss"
QUOTE_CHARS = 120
SOURCE_CHARS = 50


def evidence_line(context: ExcerptContext, span: Span | None) -> Content:
    """``Evidence: “the words” — Source`` on at most two lines."""
    quote = one_line(context.quote(span), limit=TITLE_CHARS)
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS - 1].rstrip() + "…"
    label = "Evidence (the chosen words): " if span else "Evidence (the whole excerpt): "
    source = one_line(context.source_title, limit=TITLE_CHARS)
    if len(source) > SOURCE_CHARS:
        source = source[:SOURCE_CHARS - 1].rstrip() + "…"
    return Content.assemble((label, "bold"), "“", quote, "”", ("  — ", "dim"), (source, "dim"))


# A stance's letter in a form: c chooses context first, c again contradicts.
STANCE_LETTERS = {"c": "context"}


def field_row(label: str, widget: Widget, *, hint: str = "", hint_id: str | None = None) -> Horizontal:
    """A label, the field, and an optional hint to its right."""
    children: list[Widget] = [Static(Content(label), classes="field-label"), widget]
    if hint or hint_id:
        children.append(Static(Content(hint), classes="field-hint", id=hint_id))
    return Horizontal(*children, classes="field-row")


def field_error(name: str) -> Static:
    """The one line under a field that says what is wrong with it."""
    error = Static("", id=f"{name}-error", classes="field-error")
    error.display = False
    return error


class WriteScreen(Dialog[object]):
    """A modal screen that makes one write from an excerpt."""

    CSS_PATH = BUILD_CSS

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    class WriteRefused(Message, bubble=False):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, case: Case, context: ExcerptContext, span: Span | None = None, *,
                 annotator: str = "") -> None:
        super().__init__()
        self.case = case
        self.annotator = annotator   # who adds what the screen makes (the activity log says)
        self.context = context
        self.span = span
        self.saving = False

    # -- the write ---------------------------------------------------------

    def start_write(self, write: Callable[[], Built]) -> None:
        """Run ``write`` (db calls, returning the fact) in a thread worker."""
        self.saving = True
        self.show_status("Saving…")
        self._write(write)

    @work(thread=True, exclusive=True, group="write")
    def _write(self, write: Callable[[], Built]) -> None:
        try:
            fact = write()
        except CaseError as error:
            self.post_message(self.WriteRefused(one_line(str(error), limit=LINE_CHARS)))
            return
        self.post_message(fact)

    @on(Built)
    def _written(self, message: Built) -> None:
        # Not stopped: the fact bubbles on to the app, which shows it.
        self.dismiss(None)

    def on_write_screen_write_refused(self, message: WriteRefused) -> None:
        self.saving = False
        self.show_status(f"Not saved: {message.reason}", error=True)

    def show_status(self, text: str, *, error: bool = False) -> None:
        for status in self.query("#form-status").results(Static):
            status.update(Content(text))
            status.set_class(error, "-error")

    def action_cancel(self) -> None:
        if self.saving:
            return  # the write is on its way; its result closes the screen
        self.dismiss(None)
