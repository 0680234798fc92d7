"""Back and forward, like a browser: where the analyst was, and where they went."""

from __future__ import annotations

from dataclasses import dataclass

from .widgets.detail import Link

HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Location:
    """A pane, the item its cursor rests on, and the detail link in focus (if any)."""

    pane: str
    item_id: int | None = None
    link: Link | None = None


class History:
    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._back: list[Location] = []
        self._forward: list[Location] = []
        self._limit = limit

    def visit(self, here: Location, there: Location) -> None:
        """Going from ``here`` to ``there``: ``here`` is where Back returns."""
        if (here.pane, here.item_id) == (there.pane, there.item_id):
            return
        self._back.append(here)
        del self._back[:-self._limit]
        self._forward.clear()

    def back(self, here: Location) -> Location | None:
        if not self._back:
            return None
        self._forward.append(here)
        return self._back.pop()

    def forward(self, here: Location) -> Location | None:
        if not self._forward:
            return None
        self._back.append(here)
        return self._forward.pop()

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)
