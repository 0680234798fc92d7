"""The entities of a new event or claim: ticked in a short list.

It starts with the entities the excerpt mentions (those named in the chosen
span ticked). ↑/↓ move, Space ticks or unticks; on the last row, or on
typing a letter anywhere in the list, ``AddWanted`` asks the form for an
entity picker (type to search every entity), whose choice joins the list
ticked. Enter is left to the form (save).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from ..text import join, plain_line, printable
from .lines import LineView

ADD_ROW = "+ another entity (type a name)"


class Listed(Protocol):
    """What a row shows of an entity (``db.Entity`` has it)."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


class EntityChecklist(LineView, can_focus=True):
    """Entities, each ticked or not; the last row adds one."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("space", "tick", "Tick", tooltip="Tick or untick; on the last row, add an entity"),
    ]

    DEFAULT_CSS = """
    EntityChecklist {
        height: auto;
        max-height: 6;
        width: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    EntityChecklist:focus { background: $boost; }
    """

    class AddWanted(Message):
        """The analyst wants another entity: ``query`` is what they began to type."""

        def __init__(self, checklist: "EntityChecklist", query: str) -> None:
            super().__init__()
            self.checklist = checklist
            self.query = query

        @property
        def control(self) -> "EntityChecklist":
            return self.checklist

    def __init__(self, entities: Iterable[Listed] = (), *, ticked: Iterable[int] = frozenset(),
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.entities: list[Listed] = list(entities)
        self.ticked: set[int] = set(ticked)
        self.cursor = 0

    @property
    def chosen(self) -> list[Listed]:
        return [entity for entity in self.entities if entity.id in self.ticked]

    def add(self, entity: Listed) -> None:
        """Add an entity (ticked), or tick it if it is listed already."""
        if all(listed.id != entity.id for listed in self.entities):
            self.entities.append(entity)
        self.ticked.add(entity.id or 0)
        self.cursor = next(i for i, listed in enumerate(self.entities) if listed.id == entity.id)
        self._resized()

    def _resized(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.entities) + 1)
        self.refresh(layout=True)
        self._scroll_to_cursor()

    def on_mount(self) -> None:
        self._resized()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.entities) + 1

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(self.cursor + step, len(self.entities)))
        self._scroll_to_cursor()
        self.refresh()

    def action_tick(self) -> None:
        if self.cursor == len(self.entities):
            self.post_message(self.AddWanted(self, ""))
            return
        entity_id = self.entities[self.cursor].id or 0
        self.ticked.symmetric_difference_update({entity_id})
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isprintable() and not event.character.isspace():
            event.stop()
            event.prevent_default()
            self.post_message(self.AddWanted(self, event.character))

    def on_paste(self, event: events.Paste) -> None:
        """A pasted name searches for it, as typing it would (its first line)."""
        event.stop()
        line = printable(next((line for line in event.text.splitlines() if line.strip()), ""))
        if line.strip():
            self.post_message(self.AddWanted(self, line.strip()))

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index > len(self.entities):
            return Strip.blank(width, self.get_visual_style().rich_style)
        if index == len(self.entities):
            line = Content.styled(ADD_ROW, ".cb--dim")
        else:
            entity = self.entities[index]
            box = "[x] " if entity.id in self.ticked else "[ ] "
            line = join([box, plain_line(entity.name, ".cb--name"), (f"  {entity.kind}", ".cb--dim")])
        cursor = index == self.cursor and self.has_focus
        return self.line_strip(Content(" ") + line, width, self.row_style(cursor=cursor))
