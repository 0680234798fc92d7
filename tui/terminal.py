"""What colours the terminal can show, decided once from the environment.

``full``: 256 or more colours, the default theme. ``ansi``: 16 colours (TERM
such as ``screen``, ``xterm`` or ``linux``): the terminal's own palette
(Textual's ``ansi-dark`` theme), so every colour is one the user has made
legible. ``none``: ``NO_COLOR`` is set: no colour at all; the cursor,
headings and matches are told apart by reverse, bold and underline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

# Benchmarks: exit (status 0) once the first full frame is drawn; see tui.app.
EXIT_WHEN_READY = "CASEBOOK_EXIT_WHEN_READY"

Palette = Literal["full", "ansi", "none"]
THEMES: dict[str, str] = {"full": "textual-dark", "ansi": "ansi-dark", "none": "ansi-dark"}


def palette_for(environ: Mapping[str, str]) -> Palette:
    if "NO_COLOR" in environ:
        return "none"
    if environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "full"
    term = environ.get("TERM", "").lower()
    if term.endswith(("256color", "direct", "truecolor")) or term in ("alacritty", "xterm-kitty"):
        return "full"
    return "ansi"

# Inside tmux, Esc then a digit typed within its escape-time arrives as one
# Meta+digit, which Textual reads as the character the macOS keyboard puts on
# Option+digit (the key names below). The browser reads each as Esc then the
# digit (tui.widgets.key_gate).
META_DIGIT_KEYS: dict[str, str] = {
    "1": "inverted_exclamation_mark", "2": "trade_mark_sign", "3": "pound_sign",
    "4": "cent_sign", "5": "infinity", "6": "section_sign", "7": "pilcrow_sign",
    "8": "bullet", "9": "feminine_ordinal_indicator", "0": "masculine_ordinal_indicator",
}
