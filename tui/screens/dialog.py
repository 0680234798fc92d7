"""The base of every casebook dialog: dismissed once, and only from the top.

Two keys in one read (Enter Enter, Esc Esc: SSH lag, key repeat) could ask a
dialog to close twice; Textual's ``dismiss`` would then pop whatever screen
is on top (the one under it, or the last: ``ScreenStackError``) and call the
callback twice. Here a second ``dismiss``, or one while another screen is on
top, does nothing.
"""

from __future__ import annotations

from typing import TypeVar

from textual.app import ScreenStackError
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


async def _nothing() -> None:
    return None


def _done() -> AwaitComplete:
    """An AwaitComplete with nothing to wait for (its coroutine runs if awaited)."""
    return AwaitComplete(_nothing())


class Dialog(ModalScreen[ResultT]):
    """A ModalScreen whose ``dismiss`` happens at most once."""

    _dismissed = False
    # False for a dialog with nothing to focus: the key gate
    # (tui.widgets.key_gate) then sends it keys as soon as it is mounted.
    takes_focus = True

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if self._dismissed or not self._on_top():
            return _done()
        self._dismissed = True
        return super().dismiss(result)

    def _on_top(self) -> bool:
        try:
            return self.app.screen is self
        except ScreenStackError:
            return False
