"""The pane tabs: ``1 Entities 88  2 Events 44  3 Excerpts 232  4 Claims 60``."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from db import CaseCounts

from .lines import component_style

SHORT_TITLES = {"entity": "Ent", "event": "Ev", "excerpt": "Exc", "claim": "Cl"}
PANES: tuple[tuple[str, str, str], ...] = (
    # (kind, key, title)
    ("entity", "1", "Entities"),
    ("event", "2", "Events"),
    ("excerpt", "3", "Excerpts"),
    ("claim", "4", "Claims"),
)
_COUNT_FIELD = {"entity": "entities", "event": "events", "excerpt": "excerpts", "claim": "claims"}


class PaneBar(Widget):
    """One line of tabs; the active pane stands out in colour and in weight."""

    COMPONENT_CLASSES = {"pane-bar--active", "pane-bar--key", "pane-bar--count"}

    DEFAULT_CSS = """
    PaneBar {
        height: 1;
        background: $boost;
        & > .pane-bar--active { background: $primary; color: $text; text-style: bold underline; }
        & > .pane-bar--key { color: $text-accent; text-style: bold; }
        & > .pane-bar--count { color: $text-muted; }
    }
    """

    active: reactive[str] = reactive("entity")
    counts: reactive[CaseCounts | None] = reactive(None)
    # The Claims pane's review queue and how many claims are in it.
    queue: reactive[str] = reactive("all")
    queue_total: reactive[int | None] = reactive(None)

    class PaneClicked(Message):
        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def _tabs(self) -> list[tuple[str, Content]]:
        """The tabs that fit: with counts, else without, else with short titles."""
        for counts, short in ((True, False), (False, False), (False, True)):
            tabs = self._tabs_as(counts=counts, short=short)
            if sum(label.cell_length + 1 for _, label in tabs) <= self.size.width or short:
                return tabs
        return tabs

    def _tabs_as(self, *, counts: bool, short: bool) -> list[tuple[str, Content]]:
        tabs = []
        for kind, key, title in PANES:
            title = SHORT_TITLES[kind] if short else title
            count = ("" if self.counts is None or not counts
                     else f" {getattr(self.counts, _COUNT_FIELD[kind]):,}")
            if kind == "claim" and self.queue != "all":
                title += f": {self.queue[:5] if short else self.queue}"
                count = "" if self.queue_total is None else f" {self.queue_total:,}"
            label = Content.assemble(
                " ", (key, component_style(self, "pane-bar--key")), f" {title}",
                (count, component_style(self, "pane-bar--count")), " ",
            )
            if kind == self.active:
                label = label.stylize_before(component_style(self, "pane-bar--active"))
            tabs.append((kind, label))
        return tabs

    def render(self) -> Content:
        return Content(" ").join(label for _, label in self._tabs())

    def on_click(self, event: events.Click) -> None:
        x = 0
        for kind, label in self._tabs():
            if x <= event.x < x + label.cell_length:
                self.post_message(self.PaneClicked(kind))
                return
            x += label.cell_length + 1
