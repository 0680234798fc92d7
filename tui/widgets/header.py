"""The top line: the case title, counts, the annotator, and a read-only badge."""

from __future__ import annotations

from typing import Protocol

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..text import fit, plain_line
from .lines import component_style


class HeaderCounts(Protocol):
    """What the header counts (``db.CaseCounts`` has them)."""

    @property
    def sources(self) -> int: ...

    @property
    def annotations(self) -> int: ...


class CaseHeader(Widget):
    """One line. The title is cut first when the terminal is narrow."""

    COMPONENT_CLASSES = {"case-header--title", "case-header--dim", "case-header--badge"}

    DEFAULT_CSS = """
    CaseHeader {
        height: 1;
        background: $panel;
        & > .case-header--title { text-style: bold; }
        & > .case-header--dim { color: $text-muted; }
        & > .case-header--badge { background: $error; color: $text; text-style: bold; }
    }
    """

    counts: reactive[HeaderCounts | None] = reactive(None)
    case_title: reactive[str] = reactive("")

    def __init__(self, title: str, annotator: str, *, read_only: bool,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(CaseHeader.case_title, title)
        self.annotator = annotator
        self.read_only = read_only

    def render(self) -> Content:
        dim = component_style(self, "case-header--dim")
        width = self.size.width
        right: list[Content] = []
        if self.counts is not None and width >= 100:
            right.append(Content.styled(
                f"{self.counts.sources:,} sources · {self.counts.annotations:,} marks · ",
                dim,
            ))
        right.append(Content.styled("annotator ", dim))
        right.append(plain_line(self.annotator))
        if self.read_only:
            right.append(Content(" "))
            right.append(Content.styled(" READ-ONLY ", component_style(self, "case-header--badge")))
        right_side = fit(Content.assemble(*right, " "), max(0, width - 12))
        room = max(0, width - right_side.cell_length - 2)
        title = fit(plain_line(self.case_title, component_style(self, "case-header--title")), room)
        gap = max(1, width - 1 - title.cell_length - right_side.cell_length)
        return Content.assemble(" ", title, " " * gap, right_side)
