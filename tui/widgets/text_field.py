"""A one-line text field for what an analyst types into a form.

What is typed is kept as typed (the case stores it NFC). A paste keeps its
first line of text with control, bidi and invisible characters dropped
(``db.text.printable``): an Input would otherwise draw them raw, and a name
or a title never needs them.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from ..text import printable


class TextField(Input):
    """An Input whose pastes cannot carry terminal control characters.

    Focus leaves the cursor at the end instead of selecting everything, so a
    prefilled name is added to, not typed over by accident.
    """

    def __init__(self, value: str | None = None, **options: Any) -> None:
        options.setdefault("select_on_focus", False)
        super().__init__(value, **options)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # instead of Input's own paste, not as well
        line = printable(next((line for line in event.text.splitlines() if line.strip()), ""))
        if not line:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *self.selection)
