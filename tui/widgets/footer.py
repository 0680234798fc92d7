"""The footer of keys, made to fit: when they do not fit the width, the
ones furthest right go first, except those it must ``keep`` (quit and keys:
a person who knows nothing else needs those at any width)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_CELLS = 14   # "▏^p Commands " and a spare cell


class FittedFooter(Footer):
    """A compact Footer that drops keys from the right to fit, never ``keep``."""

    def __init__(self, *, keep: Iterable[str], id: str | None = None) -> None:
        super().__init__(compact=True, id=id)
        self.keep = frozenset(keep)   # actions, without parameters
        self._fitted_width = -1
        self._outdated = True   # bindings or width changed since the last compose

    @staticmethod
    def _cells(key: FooterKey) -> int:
        # Compact: the key, a space, the description, a space.
        return cell_len(key.key_display) + 1 + cell_len(key.description) + 1

    def compose(self) -> ComposeResult:
        self._outdated = False
        widgets: list[Widget] = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)
                and not widget.has_class("-command-palette")]
        room = self.size.width - PALETTE_CELLS
        used = sum(self._cells(key) for key in keys)
        for key in reversed(keys):
            if used <= room or not self.size.width:
                break
            if key.action.split("(")[0] not in self.keep:
                widgets.remove(key)
                used -= self._cells(key)
        self.styles.grid_size_columns = len(widgets)
        self._fitted_width = self.size.width
        yield from widgets

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._outdated = True
        super().bindings_changed(screen)   # a recompose after the next refresh

    async def recompose(self) -> None:
        # The bindings change several times in a row (focus moves, each part
        # refreshes them; four times before the first frame): the first recompose
        # queued shows them as they are by then, and the others have nothing to do.
        if self._outdated:
            await super().recompose()

    async def on_resize(self) -> None:
        if self.size.width != self._fitted_width:
            self._outdated = True
            await self.recompose()
