"""A one-line question: a title, a box to type in, what Enter and Esc do.

``PromptScreen`` answers with the text typed (stripped), or None on Esc.
A ``check`` says what is wrong with an answer (one line, shown in the box's
hint, the prompt stays open) or None when it will do.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from ..text import plain_line
from .dialog import Dialog

Check = Callable[[str], str | None]


class PromptScreen(Dialog[str | None]):
    """A title, a line to type, Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, hint: str, value: str = "", placeholder: str = "",
                 restrict: str | None = None, max_length: int = 0,
                 check: Check | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.hint_text = hint
        self.value = value
        self.placeholder = placeholder
        self.restrict = restrict
        self.max_length = max_length
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog prompt-box"):
            yield Static(Content.styled(self.title_text, "bold"), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, restrict=self.restrict,
                        max_length=self.max_length, classes="prompt-input")
            yield Static(Content(self.hint_text), classes="dialog-hint prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _answered(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        problem = self.check(answer) if self.check is not None else None
        if problem is not None:
            self.query_one(".prompt-hint", Static).update(plain_line(problem, "bold"))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
