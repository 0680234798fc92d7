"""The pane tabs: ``1 Entities 88  2 Events 44  3 Excerpts 232  4 Claims 60``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from .lines import component_style


@dataclass(frozen=True)
class Tab:
    """One pane's tab: its name, the key that shows it, its title long and short."""

    name: str
    key: str
    title: str
    short_title: str


@dataclass(frozen=True)
class TabView:
    """A tab showing part of its list (the Claims pane's review queue): the
    part's name instead of the plain title, and its own count."""

    name: str
    total: int | None = None


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

    active: reactive[str] = reactive("")
    counts: reactive[Mapping[str, int] | None] = reactive(None)   # by tab name
    views: reactive[Mapping[str, TabView]] = reactive(dict)       # by tab name

    class PaneClicked(Message):
        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, tabs: Sequence[Tab], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tabs = tuple(tabs)

    def show_view(self, tab: str, view: TabView | None) -> None:
        """Show part of ``tab``'s list (or, with None, all of it)."""
        views = {name: shown for name, shown in self.views.items() if name != tab}
        if view is not None:
            views[tab] = view
        self.views = views

    def _tabs(self) -> list[tuple[str, Content]]:
        """The tabs that fit: with counts, else without, else with short titles."""
        tabs: list[tuple[str, Content]] = []
        for counts, short in ((True, False), (False, False), (False, True)):
            tabs = self._tabs_as(counts=counts, short=short)
            if sum(label.cell_length + 1 for _, label in tabs) <= self.size.width or short:
                return tabs
        return tabs

    def _tabs_as(self, *, counts: bool, short: bool) -> list[tuple[str, Content]]:
        tabs = []
        for tab in self.tabs:
            title = tab.short_title if short else tab.title
            count = ("" if self.counts is None or not counts or tab.name not in self.counts
                     else f" {self.counts[tab.name]:,}")
            view = self.views.get(tab.name)
            if view is not None:
                title += f": {view.name[:5] if short else view.name}"
                count = "" if view.total is None else f" {view.total:,}"
            label = Content.assemble(
                " ", (tab.key, component_style(self, "pane-bar--key")), f" {title}",
                (count, component_style(self, "pane-bar--count")), " ",
            )
            if tab.name == self.active:
                label = label.stylize_before(component_style(self, "pane-bar--active"))
            tabs.append((tab.name, label))
        return tabs

    def render(self) -> Content:
        return Content(" ").join(label for _, label in self._tabs())

    def on_click(self, event: events.Click) -> None:
        x = 0
        for name, label in self._tabs():
            if x <= event.x < x + label.cell_length:
                self.post_message(self.PaneClicked(name))
                return
            x += label.cell_length + 1
