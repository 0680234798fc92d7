"""``W``: the case's activity log — who did what when (revisions,
retirements, combinations, judgements, marks, sources added), newest first,
a page at a time in SQL. Tab to the box above and type a name to see
only what that person did; ``t`` shows one kind of item at a time (entities,
events, …, sources, then all again); Enter on an entry goes to its item."""

from __future__ import annotations

import json
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from db import Case
from db.curation import Activity, activity, count_activity

from ..text import cell_pad, fit, join, plain_line
from ..widgets.detail import Link
from ..widgets.paged_list import PagedList
from .dialog import Dialog

WHEN_WIDTH = 16        # "2026-12-03 12:40"
WHO_WIDTH = 12
ACTION_WIDTH = 16      # "undid a revision"
HINT = "↑↓ move · Enter go to it · Tab a name: only theirs · t a kind · Esc close"
# What ``t`` steps through: every kind, then each kind of item the log names.
KIND_FILTERS: tuple[str | None, ...] = (None, "entity", "event", "excerpt", "claim",
                                        "relationship", "source")
TITLE = "Activity, newest first"
# What an entry's detail says, by action, beside the item.
_REVISED = ("revised", "undid a revision")


@dataclass(frozen=True)
class ActivityRow:
    """An entry of the log and its place in it (the list's id for it)."""

    id: int
    entry: Activity


class ActivityFeed:
    """The log, newest first, optionally one annotator's (a ``PageSource``)."""

    noun = "activity"

    def __init__(self, case: Case) -> None:
        self.case = case
        self.annotator: str | None = None
        self.kind: str | None = None

    def count(self) -> int:
        return count_activity(self.case, kind=self.kind, annotator=self.annotator)

    def page(self, *, offset: int, limit: int, total: int) -> list[ActivityRow]:
        entries = activity(self.case, kind=self.kind, annotator=self.annotator, offset=offset,
                           limit=limit)
        return [ActivityRow(offset + number, entry) for number, entry in enumerate(entries)]

    def position(self, item_id: int) -> int:
        return item_id

    def place(self, item_id: int) -> int | None:
        return item_id

    def refetch(self, items: list[ActivityRow]) -> list[ActivityRow]:
        return items


def _detail(entry: Activity) -> str:
    """What changed: a revision's fields from what to what, else the entry's words."""
    if entry.action not in _REVISED:
        return entry.detail
    try:
        fields = json.loads(entry.detail)
    except ValueError:
        return entry.detail
    return "; ".join(f"{name}: {_shown(old)} → {_shown(new)}" for name, (old, new) in fields.items())


def _shown(value: object) -> str:
    if isinstance(value, list):
        return " | ".join(map(str, value)) or "(none)"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def activity_row(row: ActivityRow, width: int) -> Content:
    entry = row.entry
    where = f"{entry.kind} {entry.item_id if entry.item_id is not None else entry.item_uid[:8]}"
    parts: list[Content | tuple[str, str]] = [
        cell_pad(Content.styled(entry.at[:16].replace("T", " "), ".cb--date"), WHEN_WIDTH),
        ("  ", ""), cell_pad(plain_line(entry.annotator or "—", ".cb--name"), WHO_WIDTH),
        ("  ", ""), cell_pad(Content(entry.action), ACTION_WIDTH), ("  ", ""),
        Content.styled(where, ".cb--dim"), ("  ", ""), plain_line(_detail(entry))]
    return fit(join(parts), width)


class ActivityScreen(Dialog[Link | None]):
    """The activity log; dismissed with the item of the entry chosen, or None."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("t", "next_kind", "Kind")]

    def __init__(self, case: Case, *, item_kinds: tuple[str, ...]) -> None:
        super().__init__()
        self.case = case
        self.item_kinds = item_kinds   # the kinds the browser has a pane for
        self.feed = ActivityFeed(case)

    def compose(self) -> ComposeResult:
        with Vertical(id="activity-box"):
            yield Static(Content.styled(TITLE, "bold"), id="activity-title")
            yield Input(placeholder="everyone (type a name)", id="activity-annotator")
            yield PagedList(self.feed, activity_row, id="activity-list")
            yield Static(Content(HINT), id="activity-hint")

    def on_mount(self) -> None:
        self.query_one(PagedList).focus()

    @on(Input.Changed, "#activity-annotator")
    def _filter(self, event: Input.Changed) -> None:
        name = event.value.strip()
        self.feed.annotator = name or None
        self.query_one(PagedList).reload()

    @on(Input.Submitted, "#activity-annotator")
    def _to_list(self, event: Input.Submitted) -> None:
        self.query_one(PagedList).focus()

    def on_paged_list_item_chosen(self, message: PagedList.ItemChosen) -> None:
        message.stop()
        entry = message.item.entry
        if entry.kind not in self.item_kinds or entry.item_id is None:
            self.notify(f"{entry.kind} {entry.item_uid}: not an item the panes show",
                        markup=False, timeout=3)
            return
        self.dismiss(Link(entry.kind, entry.item_id))

    def on_paged_list_item_missing(self, message: PagedList.ItemMissing) -> None:
        message.stop()

    def action_next_kind(self) -> None:
        """Only one kind of item's entries, the next kind at each press; then all again."""
        kind = KIND_FILTERS[(KIND_FILTERS.index(self.feed.kind) + 1) % len(KIND_FILTERS)]
        self.feed.kind = kind
        title = TITLE if kind is None else f"{TITLE} · {kind} only"
        self.query_one("#activity-title", Static).update(Content.styled(title, "bold"))
        self.query_one(PagedList).reload()

    def action_close(self) -> None:
        self.dismiss(None)

