"""Keys arriving together are handled one after another, as if typed apart.

A terminal read can hold several keys at once: a paste without bracketed
paste, keys bunched by SSH lag or key repeat, tmux's Esc+key. Textual hands
each key to the widget focused *when it arrives*, so in ``Enter Enter`` the
second Enter reaches the dialog the first one is closing (and Textual raises
``ScreenStackError``), and in ``nowak`` typed into a form's entity list every
letter opens its own picker. The gate holds each key until the one before has
had its effect: it follows a key with a ``KeyBarrier`` message through the
same widgets (a few rounds, so the messages the key's action posted are
handled first), and after a screen opened or closed it waits until the new
screen is mounted and has its focus. Then the next key goes to whatever has
the focus *now*: the picker's box, the screen under the closed dialog.

tmux sends Esc and a key typed within its ``escape-time`` as one Alt+key
(``Esc j`` arrives as ``alt+j``, ``Esc 2`` as ``™``). Casebook binds no Alt
key, so the gate splits each into Esc, then the key: Esc closes the search
box or form first, and the key goes to what is under it. Textual's own parser
reads Esc followed by a sign (``Esc /``, ``Esc ?``) as the bare sign, ``Esc b``
as Ctrl+Left and ``Esc Enter`` as Enter, the Esc lost; ``AltAwareParser``, which
the browser's terminal driver uses instead, keeps it (``alt+slash``, which the
gate splits like the others).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from ..terminal import META_DIGIT_KEYS

DIGIT_OF_META_KEY = {name: digit for digit, name in META_DIGIT_KEYS.items()}
ROUNDS = 3              # key → action → message → handler (which may open a screen)
POLL_S = 0.01
LIMIT_S = 0.5           # a key is never held longer than this for the one before


class KeyBarrier(Message):
    """Follows a key through the widgets it went to; back at the app, the
    key (and what it posted meanwhile) has been handled."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


def split_alt(event: events.Key) -> list[events.Key]:
    """tmux's Esc+key as Esc, then the key; any other key as it is."""
    digit = DIGIT_OF_META_KEY.get(event.key)
    if digit is not None:
        return [events.Key("escape", "\x1b"), events.Key(digit, digit)]
    character = event.character
    if (event.key.startswith("alt+") and character is not None and len(character) == 1
            and character.isprintable()):
        # A letter or digit is its own key name; a sign keeps its name (alt+slash: slash).
        name = character if character.isalnum() else event.key.removeprefix("alt+")
        return [events.Key("escape", "\x1b"), events.Key(name, character)]
    return [event]


# Esc then one of these Textual reads as another key (Esc b as Ctrl+Left, Esc -
# as an en dash): the digits are undone by the gate (META_DIGIT_KEYS), these here.
_ESC_REMAPPED = frozenset("\x1b" + character for character in "bf-=§")


class AltAwareParser(XTermParser):
    """Textual's terminal parser, except that Esc followed by a key within the
    escape delay (tmux: its escape-time) keeps its Esc: a sign (``Esc /``) is
    ``alt+`` the sign, as a letter is; ``Esc b``, ``Esc f``, ``Esc -``, ``Esc =``
    are ``alt+b`` … rather than Ctrl+Left, Ctrl+Right, ``–`` and ``≠``; and a
    key with no character of its own (``Esc Enter``) is Esc, then that key."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False
                                ) -> Iterable[events.Key]:
        if sequence in _ESC_REMAPPED:
            for event in super()._sequence_to_key_events(sequence[1]):
                yield events.Key(f"alt+{event.key}", event.character)
            return
        for event in super()._sequence_to_key_events(sequence, alt):
            character = event.character
            if not alt or len(sequence) != 1 or event.key.startswith("alt+"):
                yield event
            elif character == sequence and character.isprintable():
                yield events.Key(f"alt+{event.key}", character)
            else:
                yield events.Key("escape", "\x1b")
                yield event


def use_alt_aware_parser() -> None:
    """Make the terminal drivers read keys with ``AltAwareParser`` (the drivers
    make their parser when the app starts; a headless one makes none)."""
    from textual.drivers import linux_driver

    setattr(linux_driver, "XTermParser", AltAwareParser)  # noqa: B010 (a module's global)


@dataclass
class _Waiting:
    serial: int
    target: DOMNode
    screen: Screen[Any]
    rounds: int
    since: float


class KeyGate:
    """One input event at a time. ``arrived`` takes every key and paste the
    terminal sends; ``dispatch`` is the app's own handling of one event."""

    def __init__(self, app: App[Any], dispatch: Callable[[events.Event], Awaitable[None]]
                 ) -> None:
        self.app = app
        self.dispatch = dispatch
        self.held: deque[events.Event] = deque()
        self.waiting: _Waiting | None = None
        self.serial = 0
        self._poll: Timer | None = None
        self._releasing = False
        self._unready_since: float | None = None
        self._screen_seen: Screen[Any] | None = None

    async def arrived(self, event: events.Event) -> None:
        self.held.extend(split_alt(event) if isinstance(event, events.Key) else [event])
        await self._release()

    async def barrier_reached(self, barrier: KeyBarrier) -> None:
        waiting = self.waiting
        if waiting is None or barrier.serial != waiting.serial:
            return
        if waiting.rounds > 1 and self.app.screen is waiting.screen:
            waiting.rounds -= 1
            waiting.target = self._target()
            waiting.target.post_message(KeyBarrier(waiting.serial))
            return
        self.waiting = None
        await self._release()

    def _follow(self, target: DOMNode, *, rounds: int, screen: Screen[Any] | None = None
                ) -> None:
        """Wait for a barrier sent after what ``target`` has queued."""
        self.serial += 1
        self.waiting = _Waiting(self.serial, target, screen or self.app.screen, rounds,
                                time.monotonic())
        target.post_message(KeyBarrier(self.serial))
        self._start_polling()

    def _target(self) -> DOMNode:
        return self.app.focused or self.app.screen

    def _screen_ready(self) -> bool:
        """The screen on top is mounted and has its focus (a screen that never
        takes one gets its keys after LIMIT_S)."""
        screen = self.app.screen
        # Not the focus chain: before its first layout a new screen's is empty.
        if screen.is_mounted and (screen.focused is not None
                                  or not getattr(screen, "takes_focus", True)):
            self._unready_since = None
            return True
        now = time.monotonic()
        if self._unready_since is None:
            self._unready_since = now
        return now - self._unready_since > LIMIT_S    # it may never take the focus

    async def _release(self) -> None:
        if self._releasing:
            return
        self._releasing = True
        try:
            while self.held and self.waiting is None:
                if not self._screen_ready():
                    self._start_polling()
                    return
                if self.app.screen is not self._screen_seen:
                    # A new screen's focused widget first handles its Focus (an
                    # Input selecting its text on focus would select what we type).
                    self._screen_seen = self.app.screen
                    self._follow(self._target(), rounds=1)
                    return
                event = self.held.popleft()
                target, screen = self._target(), self.app.screen
                await self.dispatch(event)
                if event.is_forwarded or self.app.screen is not screen:
                    self._follow(target, rounds=ROUNDS, screen=screen)
        finally:
            self._releasing = False
        if not self.held and self.waiting is None:
            self._stop_polling()

    def _start_polling(self) -> None:
        if self._poll is None:
            self._poll = self.app.set_interval(POLL_S, self._tick, name="key-gate")

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    async def _tick(self) -> None:
        waiting = self.waiting
        if waiting is not None:
            gone = not waiting.target.is_attached or waiting.screen is not self.app.screen
            if gone or time.monotonic() - waiting.since > LIMIT_S:
                # The barrier went with a closed screen's widgets: the key took effect.
                self.waiting = None
        await self._release()
        if not self.held and self.waiting is None:
            self._stop_polling()
