"""``?``: every key, read from the bindings themselves so the list never drifts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from ..widgets.detail import hanging_wrap
from .dialog import Dialog

KEY_NAMES = {
    "up": "↑", "down": "↓", "left": "←", "right": "→",
    "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
    "enter": "Enter", "escape": "Esc", "backspace": "Backspace", "tab": "Tab",
    "shift+tab": "Shift+Tab", "space": "Space", "slash": "/", "question_mark": "?",
    "colon": ":", "ctrl+p": "Ctrl+P", "ctrl+q": "Ctrl+Q", "ctrl+c": "Ctrl+C",
}

Row = tuple[str, str]          # (keys, what they do)
Section = tuple[str, list[Row]]


def key_name(key: str) -> str:
    if key.startswith("ctrl+") and key not in KEY_NAMES:
        return "Ctrl+" + key.removeprefix("ctrl+").upper()
    return KEY_NAMES.get(key, key)


def binding_rows(bindings: Iterable[BindingType]) -> list[Row]:
    """One row per action: its keys and its description.

    Bindings of one action with different parameters share a row: the first
    one's tooltip describes them all when it has one (``show_pane``'s
    "Panes: 1 Entities, ..."), else their descriptions are joined
    ("Previous word / Next word").
    """
    rows: dict[str, tuple[list[str], list[str], bool]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or binding.system or not binding.description:
            continue
        action = binding.action.split("(")[0]
        if action not in rows:
            rows[action] = ([], [binding.tooltip or binding.description], bool(binding.tooltip))
        keys, descriptions, covered = rows[action]
        keys.extend(key_name(key.strip()) for key in binding.key.split(","))
        if not covered and binding.description not in descriptions:
            descriptions.append(binding.description)
    return [(" ".join(keys), " / ".join(descriptions)) for keys, descriptions, _ in rows.values()]


def help_lines(sections: Sequence[Section]) -> list[tuple[Content, int]]:
    """Each line of the help and the indent its wrapped lines hang at (the
    description's column: a long one never wraps back under the keys)."""
    width = max(len(keys) for _, rows in sections for keys, _ in rows) + 2
    lines: list[tuple[Content, int]] = []
    for title, rows in sections:
        if lines:
            lines.append((Content(""), 0))
        lines.append((Content.styled(title, "bold"), 0))
        for keys, description in rows:
            lines.append((Content.assemble((f"  {keys:<{width}}", "bold"), description),
                          width + 2))
    return lines


def help_content(sections: Sequence[Section]) -> Content:
    return Content("\n").join(line for line, _ in help_lines(sections))


class HelpText(Widget):
    """The help's lines, wrapped to the width with hanging indents."""

    DEFAULT_CSS = "HelpText { height: auto; }"

    def __init__(self, lines: list[tuple[Content, int]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = lines

    def _wrapped(self, width: int) -> list[Content]:
        if width <= 0:
            return [line for line, _ in self.lines]
        return [wrapped for line, hang in self.lines
                for wrapped in hanging_wrap(line, width, min(hang, width // 2))]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width))

    def render(self) -> Content:
        return Content("\n").join(self._wrapped(self.content_size.width))


class HelpScreen(Dialog[None]):
    """Every key, grouped by where it applies."""

    BINDINGS = [
        Binding("escape,question_mark", "close", "Close"),
        Binding("up,k", "scroll('up')", "Scroll up", show=False),
        Binding("down,j", "scroll('down')", "Scroll down", show=False),
        Binding("pageup,b,ctrl+b", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown,space,ctrl+f", "scroll('page_down')", "Page down", show=False),
        Binding("ctrl+u", "scroll('half_up')", "Half a page up", show=False),
        Binding("ctrl+d", "scroll('half_down')", "Half a page down", show=False),
        Binding("home,g", "scroll('home')", "Top", show=False),
        Binding("end,G", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield HelpText(help_lines(self.sections), id="help-text")
            yield Static(Content("↑↓ Space b g G scroll · Esc or ? closes"), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        half = max(1, scroll.scrollable_content_region.height // 2)
        moves = {
            "up": lambda: scroll.scroll_up(animate=False),
            "down": lambda: scroll.scroll_down(animate=False),
            "page_up": lambda: scroll.scroll_page_up(animate=False),
            "page_down": lambda: scroll.scroll_page_down(animate=False),
            "half_up": lambda: scroll.scroll_to(y=scroll.scroll_y - half, animate=False),
            "half_down": lambda: scroll.scroll_to(y=scroll.scroll_y + half, animate=False),
            "home": lambda: scroll.scroll_home(animate=False),
            "end": lambda: scroll.scroll_end(animate=False),
        }
        moves[direction]()
