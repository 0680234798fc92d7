"""The base of the browser's line-API views: Content lines drawn as strips.

Rows are built from plain strings (see ``tui.text``); their spans name
component classes (``.cb--dim``) that this base resolves against the
stylesheet, so colours live in CSS and every view shares them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.content import Content
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

ROW_CLASSES = set({
    "cb--name", "cb--dim", "cb--date", "cb--match", "cb--quote", "cb--heading",
    "cb--label", "cb--link", "cb--placeholder", "cb--badge", "cb--damaged",
    "cb--status-unreviewed", "cb--status-confirmed", "cb--status-disputed", "cb--status-denied",
})


def component_style(widget: Widget, name: str) -> Style:
    """A component class's own colours and text style, to lay over a base.

    (Textual's ``get_visual_style(partial=True)`` drops opaque backgrounds.)
    """
    styles = widget.get_component_styles(name)
    text_style = styles.text_style
    return Style(
        background=styles.background if styles.has_rule("background") else None,
        foreground=styles.color if styles.has_rule("color") else None,
        bold=text_style.bold, dim=text_style.dim, italic=text_style.italic,
        underline=text_style.underline, reverse=text_style.reverse, strike=text_style.strike,
    )


class LineView(ScrollView):
    """A ScrollView whose lines are Content; subclasses implement ``render_line``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = ROW_CLASSES | {"cb--cursor", "cb--cursor-blurred"}

    DEFAULT_CSS = """
    LineView {
        background: $surface;
        & > .cb--name { text-style: bold; }
        & > .cb--dim { color: $text-muted; }
        & > .cb--date { color: $text-accent; }
        & > .cb--match { color: $text-warning; text-style: bold underline; }
        & > .cb--quote { background: $warning-muted; text-style: bold; }
        & > .cb--heading { color: $text-primary; text-style: bold; }
        & > .cb--label { color: $text-secondary; }
        & > .cb--link { text-style: underline; }
        & > .cb--placeholder { color: $text-disabled; }
        & > .cb--badge { color: $text-error; text-style: bold; }
        & > .cb--damaged { color: $text-error; text-style: bold; }
        & > .cb--status-unreviewed { color: $text-muted; }
        & > .cb--status-confirmed { color: $text-success; text-style: bold; }
        & > .cb--status-disputed { color: $text-warning; text-style: bold; }
        & > .cb--status-denied { color: $text-error; text-style: bold; }
        & > .cb--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        & > .cb--cursor-blurred { background: $block-cursor-blurred-background; }
    }
    """

    _styles: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def parse_style(self, style: str | Style) -> Style:
        """Resolve a span's style: ``.name`` is one of our component classes."""
        if isinstance(style, Style):
            return style
        if self._styles is None:
            self._styles = {}
        found = self._styles.get(style)
        if found is None:
            found = component_style(self, style[1:]) if style.startswith(".") else Style.parse(style)
            self._styles[style] = found
        return found

    def line_strip(self, content: Content, width: int, base: Style) -> Strip:
        """One line of exactly ``width`` cells over ``base`` (cut with an ellipsis)."""
        if content.cell_length > width:
            content = content.truncate(width, ellipsis=True)
        segments = [
            Segment(text, style.rich_style)
            for text, style in content.render(base, end="", parse_style=self.parse_style)
        ]
        return Strip(segments, content.cell_length).extend_cell_length(width, base.rich_style)

    def row_style(self, *, cursor: bool) -> Style:
        """The base style of a row: the widget's own, or the cursor's."""
        if not cursor:
            return self.get_visual_style()
        name = "cb--cursor" if self.has_focus else "cb--cursor-blurred"
        style = self.get_visual_style(name)
        # get_visual_style keeps no "reverse", which NO_COLOR's cursor needs.
        if self.get_component_styles(name).text_style.reverse:
            style += Style(reverse=True)
        return style
