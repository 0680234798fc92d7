"""Curating from the browser: ``e`` edits the entity, event or claim under the
cursor (a form prefilled with its fields: a revision), ``X`` retires the
item (with a reason) or restores a retired one; ``C`` on one entity, then
``C`` on another, combines the second into the first (a form asks why); ``H`` shows retired items in
the lists (they are left out by default) or hides them again; ``W`` opens the
activity log (who did what when), from which Enter goes to an item. On an excerpt ``e`` is the
build key (a new entity); excerpts are verbatim and are only retired.

The item is read in a thread worker (``ItemLoaded``), then a screen opens;
its write comes back as ``ItemCurated``: the panes and details are read
again. An item's revision history is in its detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.binding import Binding
from textual.message import Message

from db import CaseError, curation
from db.casefile import OPENED_READ_ONLY

from ..history import Location
from ..kinds import LIKELY_DUPLICATES, POSSIBLE_MENTIONS
from ..text import LINE_CHARS, TITLE_CHARS, one_line
from ..widgets.detail import Link
from .building import BuildingHost

if TYPE_CHECKING:   # the screens are imported when first opened (issue 17 point 9)
    from ..screens.edit import ItemCurated

CURATION_BINDINGS = [
    Binding("e", "edit_item", "Edit", show=False,
            tooltip="Edit the entity, event or claim (a revision, kept with who and why)"),
    Binding("X", "retire_item", "Retire", show=False,
            tooltip="Retire the item with a reason, or restore a retired one"),
    Binding("C", "combine_item", "Combine", show=False,
            tooltip="Combine: C on the entity to keep, then C on its duplicate"),
]
QUEUE_BINDING = Binding("D", "duplicates", "Duplicates", show=False,
                        tooltip="Likely duplicate entities, one pair at a time")
ACTIVITY_BINDING = Binding("W", "activity", "Activity", show=False,
                           tooltip="The activity log: who did what when, newest first")
RETIRED_BINDING = Binding("H", "toggle_retired", "Retired", show=False,
                          tooltip="Show retired items in the lists (marked retired), or hide them")
MENTIONS_BINDING = Binding("M", "possible_mentions", "Possible mentions", show=False,
                           tooltip="Words that may name an entity, one at a time: link or not")
EDITABLE = ("entity", "event", "claim")


class CuratingHost(BuildingHost, Protocol):
    """What curating needs from the app: what building needs, and who is at the keys."""

    annotator: str

    def clear_notifications(self) -> None: ...


class Curating:
    BINDINGS = [*CURATION_BINDINGS, QUEUE_BINDING, RETIRED_BINDING, ACTIVITY_BINDING,
                MENTIONS_BINDING]

    class ItemLoaded(Message, bubble=False):
        """The item a key acts on was read (``state``), or could not be (``problem``)."""

        def __init__(self, what: str, kind: str, item_id: int,
                     state: curation.ItemState | None, problem: str = "") -> None:
            super().__init__()
            self.what = what
            self.kind = kind
            self.item_id = item_id
            self.state = state
            self.problem = problem

    def __init__(self, host: CuratingHost) -> None:
        self.host = host
        self.retired_shown = False   # retired items leave the lists until H shows them
        self.combine_into: tuple[int, str] | None = None   # C pressed on this entity (id, name)

    def toggle_retired(self) -> None:
        """Show retired items in every list (each row marked), or hide them again."""
        self.retired_shown = not self.retired_shown
        for pane in self.host.panes():
            pane.show_retired(self.retired_shown)
        self.host.load_counts()
        self.host.notify("Retired items shown, marked retired (H hides them)." if self.retired_shown
                         else "Retired items hidden (H shows them).", timeout=3)

    def current_item(self) -> tuple[str, int] | None:
        """The item the keys act on: the link under a focused detail's cursor,
        else the pane's current row."""
        pane = self.host.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None:
            return link.kind, link.id
        item_id = pane.paged_list.cursor_item_id
        return None if item_id is None else (pane.kind, item_id)

    def allows(self, action: str) -> bool:
        current = self.current_item()
        if current is None:
            return False
        if action == "combine_item":
            return current[0] == "entity"
        return current[0] in EDITABLE if action == "edit_item" else True

    def start(self, what: str) -> None:
        if self.host.read_only:
            reason = self.host.case.read_only_reason or OPENED_READ_ONLY
            self.host.notify(f"Read-only: {reason}, so nothing can be changed.",
                             severity="warning", markup=False)
            return
        current = self.current_item()
        if current is None:
            return
        kind, item_id = current
        case = self.host.case

        def read() -> None:
            try:
                state = curation.item_state(case, kind, item_id)
            except CaseError as error:
                self.host.post_message(self.ItemLoaded(what, kind, item_id, None,
                                                       one_line(str(error), limit=LINE_CHARS)))
                return
            self.host.post_message(self.ItemLoaded(what, kind, item_id, state))

        self.host.run_in_thread(read, group="curate")

    def item_loaded(self, message: ItemLoaded) -> None:
        state = message.state
        if state is None:
            self.host.notify(message.problem, severity="error", markup=False)
            return
        version = int(state.item.get("version", 0))
        if message.what == "retire":
            title = str(next((state.item[f] for f in ("name", "title", "statement", "text")
                              if f in state.item), ""))
            from ..screens.edit import RetireScreen

            self.host.open_screen(RetireScreen(self.host.case, message.kind, message.item_id,
                                               version, title, retired=state.retired,
                                               annotator=self.host.annotator))
            return
        if state.retired:
            self.host.notify(f"{message.kind} {message.item_id} is retired: X restores it first.",
                             severity="warning", markup=False)
            return
        if message.what == "combine":
            self._combine(message.item_id, str(state.item.get("name", "")))
            return
        from ..screens.edit import EditScreen

        self.host.open_screen(EditScreen(self.host.case, message.kind, message.item_id, version,
                                         state.revisable_values(), annotator=self.host.annotator))

    def _combine(self, entity_id: int, name: str) -> None:
        """``C`` on the entity to keep, then ``C`` on the one to combine into it."""
        kept, self.combine_into = self.combine_into, None
        if kept is None or kept[0] == entity_id:
            self.combine_into = (entity_id, name)
            self.host.notify(f"Combine into {one_line(name, limit=TITLE_CHARS)}: press C on the "
                             "entity that is the same.", markup=False, timeout=5)
            return
        self.host.clear_notifications()   # (the first C's words would cover the form's hint)
        from ..screens.edit import CombineScreen

        self.host.open_screen(CombineScreen(self.host.case, kept, (entity_id, name),
                                            annotator=self.host.annotator))

    def curated(self, message: ItemCurated) -> None:
        for pane in self.host.panes():
            pane.reload()
        self.host.load_counts()
        self.host.notify(message.summary, markup=False, timeout=4)

    def activity(self) -> None:
        """The activity log; Enter on an entry goes to its item."""
        def chosen(link: Link | None) -> None:
            if link is not None:
                self.host.go(Location(link.kind, link.id))

        kinds = tuple(pane.kind for pane in self.host.panes())
        from ..screens.activity import ActivityScreen

        self.host.open_screen(ActivityScreen(self.host.case, item_kinds=kinds), chosen)

    def duplicates(self) -> None:
        def closed(_: object) -> None:
            for pane in self.host.panes():
                pane.reload()
            self.host.load_counts()

        from ..screens.judging import judging_screen

        self.host.open_screen(judging_screen(LIKELY_DUPLICATES, self.host.case,
                                             annotator=self.host.annotator,
                                             read_only=self.host.read_only), closed)

    def possible_mentions(self) -> None:
        def closed(_: object) -> None:
            for pane in self.host.panes():
                pane.reload()

        from ..screens.judging import judging_screen

        self.host.open_screen(judging_screen(POSSIBLE_MENTIONS, self.host.case,
                                             annotator=self.host.annotator,
                                             read_only=self.host.read_only), closed)
