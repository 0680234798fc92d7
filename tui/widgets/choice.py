"""One of a few values on one line, chosen with the keyboard.

``‹person›  organization  place  document  other``: ←/→ (or h/l, or Space)
move the choice, and a letter chooses the first value starting with it, and
the same letter again the next (``o`` organization, ``o`` again other);
``first`` says which value a letter chooses first where several start with
it (``c`` context before contradicts). Enter is left to the form (save).
The chosen value is marked by ‹ › as well as by colour, so a 16-colour or
NO_COLOR terminal shows it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from .lines import component_style


class Choice(Widget, can_focus=True):
    """A row of values; exactly one is chosen."""

    COMPONENT_CLASSES = {"choice--chosen"}

    BINDINGS = [
        Binding("left,h", "step(-1)", "Previous", show=False),
        Binding("right,l,space", "step(1)", "Next", show=False),
    ]

    DEFAULT_CSS = """
    Choice {
        height: 1;
        width: 1fr;
        & > .choice--chosen { text-style: bold; color: $text-accent; }
    }
    Choice:focus { background: $boost; }
    Choice:focus > .choice--chosen { background: $accent; color: $text; text-style: bold; }
    Choice:ansi > .choice--chosen, Choice:nocolor > .choice--chosen {
        background: ansi_default; color: ansi_default; text-style: bold underline;
    }
    Choice:ansi:focus > .choice--chosen, Choice:nocolor:focus > .choice--chosen {
        text-style: reverse bold;
    }
    """

    value: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, choice: "Choice", value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> "Choice":
            return self.choice

    def __init__(self, values: Sequence[str], *, value: str | None = None,
                 first: Mapping[str, str] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values = tuple(values)
        self.first = dict(first or {})
        self.set_reactive(Choice.value, value if value in self.values else self.values[0])
        self._last_letter = ""

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def action_step(self, step: int) -> None:
        self._last_letter = ""
        index = self.values.index(self.value)
        self.value = self.values[(index + step) % len(self.values)]

    def on_key(self, event: events.Key) -> None:
        letter = (event.character or "").lower()
        if not letter.isalpha() or letter in "hl":
            self._last_letter = ""
            return
        starting = [v for v in self.values if v.startswith(letter)]
        preferred = self.first.get(letter)
        if preferred in starting:
            starting = [preferred, *(v for v in starting if v != preferred)]
        if not starting:
            return
        event.stop()
        event.prevent_default()
        # The first value with that letter; the same letter again, the next one.
        if letter == self._last_letter and self.value in starting:
            self.value = starting[(starting.index(self.value) + 1) % len(starting)]
        else:
            self.value = starting[0]
        self._last_letter = letter

    def _first_shown(self) -> int:
        """The first value drawn: a row wider than the widget starts late
        enough (after "… ") for the chosen value to be seen."""
        chosen = self.values.index(self.value)
        room = self.size.width
        first = 0
        while first < chosen and (2 if first else 0) + sum(
                len(v) + 3 for v in self.values[first:chosen + 1]) - 1 > room:
            first += 1
        return first

    def on_click(self, event: events.Click) -> None:
        first = self._first_shown()
        x = 2 if first else 0
        for value in self.values[first:]:
            width = len(value) + 3
            if x <= event.x < x + width:
                self.value = value
                return
            x += width

    def render(self) -> Content:
        chosen = component_style(self, "choice--chosen")
        parts: list[Content] = []
        first = self._first_shown()
        if first:
            parts.append(Content("…"))
        for value in self.values[first:]:
            if value == self.value:
                parts.append(Content.styled(f"‹{value}›", chosen))
            else:
                parts.append(Content(f" {value} "))
        return Content(" ").join(parts)
