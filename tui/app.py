"""The casebook browser: entities, events, excerpts and claims of one case file.

``CasebookApp(case, annotator=...)`` browses an open ``db.Case``; the CLI
(``casebook open PATH``) opens and validates the file first.

The app composes the panes (one per kind of item, ``tui.kinds``), moves
between them with a history, and owns the features as parts
(``tui.parts``): marking claims, the review queues, watching for others'
changes, building from an excerpt. It hands each part the keys and
messages that are its own; the parts reach the app only through the
interface each declares.

Benchmark hook: with ``CASEBOOK_EXIT_WHEN_READY=1`` in the environment the
app exits with status 0 as soon as the first full frame is drawn with every
visible part populated: the header's counts, the active pane's first rows
and the detail of the row under the cursor (or the pane's empty state).
Timing a process from its start to that exit measures start-up. The search
screen posts ``SearchScreen.ResultsShown`` once a query's results are
drawn, so a Pilot script can time a keystroke to its results.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static
from textual.worker import WorkerFailed

import db
import db.events
from db import Case, CaseCounts, CaseError, Event, open_case
from db.check import FileCheck, damage_banner
from db.crash import crash_line
from db.review import QUEUES
from db.search import ResultPlace, Searcher, query_terms, step_result
from db.text import one_line

from .history import History, Location
from .kinds import BY_NAME, KINDS, OPENED_BY_NAME
from .panes.claims_pane import ClaimsPane
from .panes.pane import Pane
from .parts.building import BUILD_BINDINGS, Building
from .parts.curating import CURATION_BINDINGS, Curating
from .parts.exporting import Exporting
from .parts.marking import CLAIM_BINDINGS, MARK_ACTIONS, Marking
from .parts.review import QUEUE_BINDINGS, Review
from .parts.watching import POLL_SECONDS, Watching
from .screens.built import Built
from .terminal import EXIT_WHEN_READY, THEMES, Palette
from .text import LINE_CHARS, TITLE_CHARS
from .widgets.detail import DetailView, Link
from .widgets.footer import FittedFooter
from .widgets.header import CaseHeader
from .widgets.key_gate import KeyBarrier, KeyGate
from .widgets.paged_list import PagedList
from .widgets.pane_bar import PaneBar

if TYPE_CHECKING:
    # Each screen is imported when it first opens, not by the first frame
    # (issue 17 point 9; tests/test_startup.py holds them out of the start).
    # Their messages are handled by name (``on_item_curated``), which needs no
    # import; ``Built`` has subclasses, so it is matched by class (screens.built).
    from .screens.edit import ItemCurated
    from .screens.help import Section
    from .screens.relationship import RelationshipScreen
    from .screens.search import SearchScreen

DAMAGE_BANNER_LENGTH = 400   # characters: the banner wraps to a few lines at most


def _pane_bindings() -> list[Binding]:
    first, *rest = KINDS
    tabs = ", ".join(f"{kind.key} {kind.title}" for kind in KINDS)
    return [
        Binding(first.key, f"show_pane('{first.name}')", "Panes",
                key_display=f"{first.key}-{rest[-1].key}" if rest else first.key,
                tooltip=f"Panes: {tabs}"),
        *(Binding(kind.key, f"show_pane('{kind.name}')", kind.title, show=False) for kind in rest),
    ]


# The app's keys that act on the panes behind any dialog: off while one is open.
PANE_ACTIONS = frozenset({"step_result", "jump_to_year", "focus_side"})


class CasebookApp(App[None]):
    """Browse a case with the keyboard: panes, links, history and search."""

    # Absolute, so subclasses elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "casebook"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    COMMAND_PALETTE_DISPLAY = "Ctrl+P"
    POLL_SECONDS = POLL_SECONDS
    NOTIFICATION_TIMEOUT = 3   # a toast covers the detail briefly

    BINDINGS = [
        *_pane_bindings(),
        Binding("slash", "search", "Search", tooltip="Search as you type"),
        Binding("n", "step_result(1)", "Next result", show=False,
                tooltip="The next result of the last search"),
        Binding("N", "step_result(-1)", "Previous result", show=False,
                tooltip="The previous result of the last search"),
        Binding("y", "jump_to_year", "Year", show=False,
                tooltip="The timeline from a year: y, the year, Enter"),
        Binding("backspace,b", "history_back", "Back", tooltip="Back to where you were"),
        Binding("f", "history_forward", "Forward", tooltip="Forward again after going back"),
        Binding("escape", "back_out", "Back out", show=False,
                tooltip="From a detail to its list; Esc never goes back (b does)"),
        Binding("w", "network", "Network", show=False,
                tooltip="Network: the entity's neighbours, depth 1-3"),
        Binding("p", "path", "Path", show=False,
                tooltip="Path: p on one entity, then p on another"),
        Binding("o", "open_relationship", "Open the tie", show=False,
                tooltip="On a relationship (a tie to an entity): its own detail and history"),
        Binding("question_mark", "keys", "Keys", tooltip="This list of keys"),
        Binding("colon,ctrl+p", "command_palette", "Commands", show=False,
                tooltip="Commands: the command palette"),
        Binding("q", "quit", "Quit"),
        *Marking.BINDINGS,
        *Review.BINDINGS,
        *Building.BINDINGS,
        *Curating.BINDINGS,
        # After the build keys: on an excerpt, l links an entity (Building).
        Binding("h", "focus_side('list')", "To the list", show=False,
                tooltip="h / l: to the list (left) / into the detail (right)"),
        Binding("l", "focus_side('detail')", "Into the detail", show=False),
    ]

    class Ready(Message):
        """The first full frame is drawn: header counts, rows and their detail."""

    class FileChecked(Message, bubble=False):
        """``casebook check`` ran on the file (in a worker): what it found."""

        def __init__(self, problems: list[str]) -> None:
            super().__init__()
            self.problems = problems

    class CountsLoaded(Message, bubble=False):
        def __init__(self, title: str, counts: CaseCounts) -> None:
            super().__init__()
            self.title = title
            self.counts = counts

    def __init__(self, case: Case, *, annotator: str | None = None,
                 read_only: bool | None = None, pane: str = "entity",
                 palette: Palette = "full", despite_damage: bool = False) -> None:
        # Native ANSI colours let Textual's NO_COLOR filter drop colour entirely.
        super().__init__(ansi_color=True if palette == "none" else None)
        self.palette = palette
        self.theme = THEMES[palette]
        self.case = case
        self.annotator = annotator or db.claims.default_annotator()
        self.read_only = case.read_only if read_only is None else read_only
        self.history = History()
        self.is_ready = False
        # A bug's one line (db.crash), said by whoever ran the app once it has ended.
        self.crash_line: str | None = None
        self.last_query = ""
        # The result of the last search opened last: its kind and place in that
        # kind's full list (None: none yet, n starts from the first).
        self.last_result: tuple[str, int] | None = None
        self.exact_search = False   # the search screen's Ctrl+T: transliteration off
        self.path_from: int | None = None   # p pressed on this entity: a path from it
        self._start_pane = pane
        self._counts_shown = False
        self._searcher: Searcher | None = None
        self._searcher_lock = threading.Lock()
        self.marking = Marking(self)
        self.review = Review(self)
        self.watching = Watching(self)
        self.building = Building(self)
        self.curating = Curating(self)
        self.exporting = Exporting(self)
        self.key_gate = KeyGate(self, super().on_event)
        # The whole file is checked after the first frame (db.check.FileCheck); a
        # damaged one is then browsed read-only, unless asked (--despite-damage).
        self.file_check = FileCheck(case.path)
        self.despite_damage = despite_damage
        self.damage: list[str] = []

    async def on_event(self, event: events.Event) -> None:
        # Keys and pastes from the terminal, one at a time (tui.widgets.key_gate).
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self.key_gate.arrived(event)
        else:
            await super().on_event(event)

    async def on_key_barrier(self, message: KeyBarrier) -> None:
        await self.key_gate.barrier_reached(message)

    def compose(self) -> ComposeResult:
        # The file's name until the title is read (in a worker, like every read).
        yield CaseHeader(self.case.path.stem, self.annotator, read_only=self.read_only,
                         id="header")
        yield Static("", id="damage-banner", markup=False)
        yield PaneBar([kind.tab for kind in KINDS], id="pane-bar")
        # Only the pane in sight: the others are mounted once the first frame is
        # drawn (``_mount_panes``), or at once when one is asked for before then.
        with ContentSwitcher(initial=BY_NAME[self._start_pane].pane_id, id="panes"):
            yield self._make_pane(self._start_pane)
        yield FittedFooter(keep=("keys", "quit"))

    def _make_pane(self, kind: str) -> Pane:
        pane = BY_NAME[kind].make_pane(self.case, read_only=self.read_only)
        if self.curating.retired_shown:   # H pressed before this pane was mounted
            pane.feed.include_retired = True
            pane.add_class("-retired-shown")
        return pane

    def _mount_panes(self) -> None:
        """Mount the panes not mounted yet, hidden, in the order of ``KINDS``."""
        for kind in KINDS:
            self._mounted_pane(kind.name)

    def _mounted_pane(self, kind: str) -> Pane:
        """The pane of ``kind``, mounted (hidden) now if it was not yet. Its list
        and detail exist at once (``Pane.__init__``); its rows load once mounted."""
        switcher = self.default_screen.query_one("#panes", ContentSwitcher)
        found = switcher.query_children(f"#{BY_NAME[kind].pane_id}")
        if found:
            return found.first(Pane)
        pane = self._make_pane(kind)
        pane.display = False
        if not switcher.is_attached:
            return pane   # the app is quitting (a key, then Ctrl+Q, before the first frame's work)
        names: list[str] = [item.name for item in KINDS]
        later = [child for child in switcher.query_children(Pane)
                 if names.index(child.kind) > names.index(kind) and child.is_attached]
        if later:
            switcher.mount(pane, before=later[0])
        else:
            switcher.mount(pane)
        return pane

    def on_mount(self) -> None:
        self.pane_bar.active = self._start_pane
        self.pane(self._start_pane).paged_list.focus()
        self.load_counts()
        self.watching.poll_now()
        self.set_interval(self.POLL_SECONDS, self.watching.poll_now, name="poll")
        if self.case.upgrade is not None:
            self.notify(self.case.upgrade.message, timeout=8, markup=False)
        if self.case.permission_warning:
            self.notify(self.case.permission_warning, severity="warning", timeout=8, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """A bug: the app ends with one line naming where it failed and the
        report (``db.crash``, no locals, no case text), never with Textual's
        crash screen, whose traceback prints local variables: rows of the case."""
        self._return_code = 1
        # As Textual does: under Pilot the first error is raised again for the test.
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        cause = error.error if isinstance(error, WorkerFailed) else error
        if self.crash_line is None:
            self.crash_line = crash_line(cause, context="casebook open (the browser)")
        self.panic()   # ends the app at once; the CLI says the line once the screen is gone

    def on_unmount(self) -> None:
        gc.unfreeze()   # (an app run after this one in the same process, as tests do, starts clean)
        self.file_check.stop()
        if self._searcher is not None:
            self._searcher.close()

    # -- what the parts may ask of the app -----------------------------------

    @property
    def closing(self) -> bool:
        """The app is quitting: its widgets are going, a late result is dropped."""
        return not self.default_screen.query(Pane)

    @property
    def pane_bar(self) -> PaneBar:
        return self.query_one(PaneBar)

    @property
    def claims_pane(self) -> ClaimsPane:
        pane = self.pane("claim")
        assert isinstance(pane, ClaimsPane)
        return pane

    def panes(self) -> Iterable[Pane]:
        return self.query(Pane)

    def say(self, text: str, **options: Any) -> None:
        """One notification at a time: marking fast never piles them up."""
        self.clear_notifications()
        self.notify(text, **options)

    def open_screen(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None:
        self.push_screen(screen, callback=callback)

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None:
        """Run ``work`` in a thread worker; a newer one of the same group
        replaces it. The work reads or writes the case and posts what it found."""
        self.run_worker(work, thread=True, exclusive=True, group=group)

    def reload_views(self, *, lists: bool = False) -> None:
        """Read the claims (and with ``lists`` every list) and every detail again,
        keeping each cursor on its item."""
        for pane in self.panes():
            if lists or pane.kind == "claim":
                pane.reload()
            else:
                pane.refresh_detail()
        self._reload_opened()
        self.reload_counts()

    def reload_screens(self) -> None:
        """The case changed: a screen open over the panes that shows counts of
        it (agreement) counts again, keeping its place."""
        from .screens.agreement import AgreementScreen

        for screen in self.screen_stack:
            if isinstance(screen, AgreementScreen):
                screen.case_changed()

    def refresh_details(self, *, but: Pane | None = None) -> None:
        for pane in self.panes():
            if pane is not but:
                pane.refresh_detail()
        self._reload_opened()

    def _reload_opened(self) -> None:
        """After our own mark (or a refused one): an item's screen over the panes
        reads it again. Others' changes seen by watching leave it as shown, so a
        key there still goes by the version the annotator saw."""
        from .screens.relationship import RelationshipScreen

        for screen in self.screen_stack:
            if isinstance(screen, RelationshipScreen):
                screen.reload()

    def reload_counts(self) -> None:
        self.load_counts()
        self.review.count_queue()

    # -- the panes -------------------------------------------------------

    @property
    def active_kind(self) -> str:
        current = self.query_one(ContentSwitcher).current or KINDS[0].pane_id
        return current.removesuffix("-pane")

    def pane(self, kind: str) -> Pane:
        return self._mounted_pane(kind)

    @property
    def active_pane(self) -> Pane:
        return self.pane(self.active_kind)

    def here(self) -> Location:
        pane = self.active_pane
        detail = pane.detail
        link = detail.link if detail.has_focus else None
        return Location(pane.kind, pane.paged_list.cursor_item_id, link)

    def _show(self, location: Location) -> None:
        # A pane asked for before the first frame is drawn is shown once mounted.
        self.pane(location.pane).when_mounted(lambda: self._show_mounted(location))

    def _show_mounted(self, location: Location) -> None:
        pane = self.pane(location.pane)
        self.query_one(ContentSwitcher).current = BY_NAME[location.pane].pane_id
        self.pane_bar.active = location.pane
        pane.paged_list.focus()
        if location.item_id is not None:
            pane.reveal(location.item_id, link=location.link)

    def go(self, location: Location) -> None:
        """Navigate, remembering where we were for Back."""
        self.history.visit(self.here(), location)
        self._show(location)

    def follow(self, link: Link) -> None:
        opened = OPENED_BY_NAME.get(link.kind)
        if opened is None:
            self.go(Location(link.kind, link.id))
            return

        def chosen(followed: Link | None) -> None:
            if followed is not None:
                self.follow(followed)

        from .screens.relationship import RelationshipScreen

        self.open_screen(RelationshipScreen(self.case, link.id, opened.detail), chosen)

    def action_open_relationship(self) -> None:
        """``o`` on a tie to an entity (an entity's relationships): that relationship."""
        pane = self.active_pane
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None and link.kind in OPENED_BY_NAME:
            self.follow(link)
        elif link is not None and link.via is not None:
            self.follow(link.via)
        else:
            self.say("o opens a relationship: put the cursor on one in an entity's "
                     "Relationships (l, then ↓).")

    def on_relationship_screen_mark_asked(self, message: RelationshipScreen.MarkAsked) -> None:
        tie = message.relationship
        self.marking.relationship_key(message.kind, tie.id or 0, tie.version,
                                      status=message.status, title=f"relationship {tie.id}")

    def action_show_pane(self, kind: str) -> None:
        if kind == self.active_kind:
            return
        target = self.pane(kind)
        self.go(Location(kind, target.paged_list.cursor_item_id))

    def action_history_back(self) -> None:
        location = self.history.back(self.here())
        if location is None:
            self.notify("Nothing to go back to.", timeout=2)
            return
        self._show(location)

    def action_history_forward(self) -> None:
        location = self.history.forward(self.here())
        if location is None:
            self.notify("Nothing to go forward to.", timeout=2)
            return
        self._show(location)

    def action_focus_side(self, side: str) -> None:
        """``h``/``l``: the list (left, or above) or the detail (right, or below)."""
        pane = self.active_pane
        (pane.paged_list if side == "list" else pane.detail).focus()

    def action_back_out(self) -> None:
        """Esc cancels and closes, never navigates: a habitual Esc (after a
        search, a form, a dialog) must not take the analyst somewhere else.
        From a detail it returns to the list; on a list it does nothing."""
        pane = self.active_pane
        if pane.detail.has_focus:
            pane.paged_list.focus()

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        self.follow(message.link)

    def on_detail_view_link_highlighted(self, message: DetailView.LinkHighlighted) -> None:
        if message.detail.screen is not self.default_screen:
            return   # search results, agreement: not a place to mark or build from
        self.marking.link_highlighted(message.link)
        self.refresh_bindings()   # the marking and build keys apply on some links

    def on_claims_pane_claim_highlighted(self, message: ClaimsPane.ClaimHighlighted) -> None:
        self.marking.claim_highlighted(message.claim_id, message.version)

    def on_pane_bar_pane_clicked(self, message: PaneBar.PaneClicked) -> None:
        self.action_show_pane(message.kind)

    def on_paged_list_item_missing(self, message: PagedList.ItemMissing) -> None:
        self.notify(f"Not found: {message.reason}", severity="warning", markup=False)

    # -- counts and readiness ----------------------------------------------

    def load_counts(self) -> None:
        case = self.case

        def count() -> None:
            try:
                title = case.title
                counts = db.counts(case, include_retired=self.curating.retired_shown)
            except CaseError as error:
                self.call_from_thread(self.notify, f"Could not count: {error}",
                                      severity="error", markup=False)
                return
            self.post_message(self.CountsLoaded(title, counts))

        self.run_in_thread(count, group="counts")

    def on_casebook_app_counts_loaded(self, message: CountsLoaded) -> None:
        if self.closing:
            return
        header = self.query_one(CaseHeader)
        header.case_title = message.title
        header.counts = message.counts
        self.pane_bar.counts = {kind.name: getattr(message.counts, kind.counts_field)
                                for kind in KINDS}
        self.call_after_refresh(self._counts_drawn)

    def _counts_drawn(self) -> None:
        self._counts_shown = True
        self._check_ready()

    def on_pane_ready(self, message: Pane.Ready) -> None:
        self._check_ready()

    def _check_ready(self) -> None:
        if self.is_ready or not self._counts_shown or not self.active_pane.is_ready:
            return
        self.is_ready = True
        self.call_after_refresh(self._announce_ready)

    def _announce_ready(self) -> None:
        self.post_message(self.Ready())
        if os.environ.get(EXIT_WHEN_READY) == "1":
            # A start-up benchmark: the first frame is drawn. The work that
            # follows it (warming search, the full check) would only hold up
            # the process's exit, which the benchmark times.
            self.exit(return_code=0)
            return
        if self.closing:
            return
        self._mount_panes()  # the panes out of sight, once the first frame is drawn
        self._warm_search()  # after the first frame: start-up does not wait for it
        self._check_file()
        # What start-up made lives as long as the app: out of the collector's sight, so
        # that a full collection (50 ms at a million excerpts) never lands on a keystroke.
        self.call_after_refresh(gc.freeze)

    # -- a received file is untrusted ----------------------------------------

    def _check_file(self) -> None:
        def check() -> None:
            try:
                problems = self.file_check.problems()
            except CaseError as error:
                problems = [str(error)]
            except Exception as error:  # noqa: BLE001 - a file that breaks the check is damaged too
                problems = [f"it could not be checked ({one_line(str(error), limit=LINE_CHARS)[:200]})"]
            self.post_message(self.FileChecked(problems))

        self.run_in_thread(check, group="file-check")

    def on_casebook_app_file_checked(self, message: FileChecked) -> None:
        if self.closing or not message.problems:
            return
        self.damage = message.problems
        banner = self.query_one("#damage-banner", Static)
        said = one_line(damage_banner(message.problems, self.case.path,
                                     read_only=self.read_only or not self.despite_damage),
                        limit=LINE_CHARS)
        banner.update(Content(said[:DAMAGE_BANNER_LENGTH]))
        banner.display = True
        if not self.despite_damage and not self.read_only:
            self.case.read_only = True
            self.case.read_only_reason = "the file is damaged: see the top of the screen"
            self.read_only = True
            self.query_one(CaseHeader).read_only = True
            self.query_one(CaseHeader).refresh()
            for pane in self.panes():
                pane.read_only = True
            self.claims_pane.show_legend()
            self.refresh_details()
            self.refresh_bindings()

    # -- search ----------------------------------------------------------

    def searcher(self) -> Searcher:
        """Search as you type on the search's own connection, opened on first
        use in a worker: each keystroke cancels the search for the one before
        (``Searcher.keystroke``), and cancelling never disturbs pane reads."""
        with self._searcher_lock:
            if self._searcher is None:
                path = self.case.path
                self._searcher = Searcher(opener=lambda: open_case(path, read_only=True))
            return self._searcher

    def _warm_search(self) -> None:
        def warm() -> None:
            try:
                self.searcher().warm()
            except CaseError:
                pass  # the first search will say what is wrong

        self.run_in_thread(warm, group="search-warm")

    def action_search(self) -> None:
        from .screens.search import SearchScreen

        titles: dict[str, str] = {kind.name: kind.title for kind in KINDS}
        screen = SearchScreen(self.searcher, query=self.last_query, group_titles=titles,
                              case=self.case, exact=self.exact_search)
        self.push_screen(screen, callback=lambda link: self._searched(screen, link))

    def _searched(self, screen: SearchScreen, link: Link | None) -> None:
        if screen.query_text != self.last_query or link is not None:
            self.last_result = screen.chosen
        self.last_query = screen.query_text
        self.exact_search = screen.exact
        if link is not None:
            self.follow(link)

    class ResultStepped(Message, bubble=False):
        def __init__(self, query: str, place: ResultPlace | None, wrapped: bool,
                     step: int) -> None:
            super().__init__()
            self.query = query
            self.step = step
            self.place = place
            self.wrapped = wrapped

    def action_step_result(self, step: int) -> None:
        """``n``/``N``: the next or previous result of the last search, in the
        order of its full lists (read in a worker, one result at a time)."""
        query = self.last_query
        if not query_terms(query):
            self.say("No search yet: / searches, then n and N step through the results.",
                     timeout=3)
            return
        kind, position = self.last_result or (None, -1)
        case = self.case

        def step_on() -> None:
            try:
                found = step_result(case, query, kind=kind, position=position, step=step)
            except CaseError as error:
                self.call_from_thread(self.notify, f"Search failed: {error}",
                                      severity="error", markup=False)
                return
            place, wrapped = found if found is not None else (None, False)
            self.post_message(self.ResultStepped(query, place, wrapped, step))

        self.run_in_thread(step_on, group="step-result")

    def on_casebook_app_result_stepped(self, message: ResultStepped) -> None:
        if self.closing or message.query != self.last_query:
            return
        place = message.place
        if place is None:
            self.say(f"No matches for {one_line(message.query, limit=TITLE_CHARS)}.", timeout=3,
                     markup=False)
            return
        self.last_result = (place.kind, place.position)
        self.follow(Link(place.kind, place.hit.id))
        # As vi's "search hit BOTTOM, continuing at TOP": past either end, said once.
        wrapped = " · search wrapped" if message.wrapped else ""
        self.say(f"{BY_NAME[place.kind].title} {place.position + 1:,} of {place.total:,}"
                 f"{wrapped}", timeout=2, markup=False)

    # -- the timeline by year ------------------------------------------------

    class YearFound(Message, bubble=False):
        def __init__(self, year: int, event: Event | None) -> None:
            super().__init__()
            self.year = year
            self.event = event

    def action_jump_to_year(self) -> None:
        """``y``, a year, Enter: the timeline at that year's first event."""
        from .screens.prompt import PromptScreen

        prompt = PromptScreen(
            "The timeline from the year", hint="Enter goes to its first event · Esc cancels",
            placeholder="a year, such as 2022", restrict=r"\d{0,4}", max_length=4,
            check=lambda year: None if year else "Type a year, such as 2022 (Esc cancels).",
            id="year-prompt")
        self.push_screen(prompt, callback=self._year_chosen)

    def _year_chosen(self, answer: str | None) -> None:
        if not answer:
            return
        year, case = int(answer), self.case
        shown = self.curating.retired_shown

        def find() -> None:
            try:
                position = db.events.year_position(case, year, include_retired=shown)
                found = (None if position is None
                         else db.events.timeline_page(case, offset=position, limit=1,
                                                      include_retired=shown))
            except CaseError as error:
                self.call_from_thread(self.notify, f"Could not read the timeline: {error}",
                                      severity="error", markup=False)
                return
            self.post_message(self.YearFound(year, found[0] if found else None))

        self.run_in_thread(find, group="year")

    def on_casebook_app_year_found(self, message: YearFound) -> None:
        if self.closing:
            return
        event = message.event
        if event is None or event.id is None:
            self.say("No event in the timeline has a date.", timeout=3)
            return
        self.go(Location("event", event.id))
        if not event.date_start.startswith(f"{message.year:04d}"):
            self.say(f"Nothing dated {message.year}: {event.date_label} is the nearest.",
                     timeout=3, markup=False)

    # -- the parts' keys -----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PANE_ACTIONS and self.screen is not self.default_screen:
            return False   # keys of the panes: not while a dialog is open over them
        if action in MARK_ACTIONS:
            return self.marking.allows(action)
        if action == "next_queue":
            return self.review.allows(action)
        if action.startswith("build_"):
            return self.building.allows(action)
        if action in ("edit_item", "retire_item", "combine_item"):
            return self.curating.allows(action)
        return super().check_action(action, parameters)

    def action_mark(self, status: str) -> None:
        self.marking.mark(status, queue=self.review.queue)

    def action_note(self) -> None:
        self.marking.note(queue=self.review.queue)

    def action_undo_mark(self) -> None:
        self.marking.undo(queue=self.review.queue)

    def action_next_queue(self, step: int = 1) -> None:
        self.review.next_queue(step)

    def action_review(self) -> None:
        self.review.review()

    def action_agreement(self) -> None:
        self.review.agreement()

    def action_network(self) -> None:
        current = self.curating.current_item()
        if current is None or current[0] != "entity":
            self.say("w shows an entity's network: put the cursor on an entity or a link to one.")
            return

        def chosen(link: Link | None) -> None:
            if link is not None:
                self.follow(link)

        from .screens.network import NetworkScreen

        self.open_screen(NetworkScreen(self.case, current[1]), chosen)

    def action_path(self) -> None:
        current = self.curating.current_item()
        if current is None or current[0] != "entity":
            self.say("p joins two entities: put the cursor on an entity or a link to one.")
            return
        start, self.path_from = self.path_from, None
        if start is None or start == current[1]:
            self.path_from = current[1]
            self.say("Path from this entity: press p on the other one.")
            return

        def chosen(link: Link | None) -> None:
            if link is not None:
                self.follow(link)

        from .screens.path import PathScreen

        self.open_screen(PathScreen(self.case, start, current[1]), chosen)

    def action_build_span(self) -> None:
        self.building.start("span")

    def action_build_entity(self) -> None:
        self.building.start("entity")

    def action_build_event(self) -> None:
        self.building.start("event")

    def action_build_claim(self) -> None:
        self.building.start("claim")

    def action_build_relationship(self) -> None:
        self.building.start("relationship")

    def action_build_link(self) -> None:
        self.building.start("link")

    def action_build_unlink(self) -> None:
        self.building.start("unlink")

    def action_build_cite(self) -> None:
        self.building.start("cite")

    def action_edit_item(self) -> None:
        self.curating.start("edit")

    def action_retire_item(self) -> None:
        self.curating.start("retire")

    def action_combine_item(self) -> None:
        self.curating.start("combine")

    def action_duplicates(self) -> None:
        self.curating.duplicates()

    def action_toggle_retired(self) -> None:
        self.curating.toggle_retired()

    def action_activity(self) -> None:
        self.curating.activity()
    def action_possible_mentions(self) -> None:
        self.curating.possible_mentions()

    # -- the parts' messages (dropped once the app is closing) ---------------

    @on(Marking.ClaimMarked)
    def _claim_marked(self, message: Marking.ClaimMarked) -> None:
        if not self.closing:
            self.marking.claim_marked(message)

    @on(Marking.MarkRefused)
    def _mark_refused(self, message: Marking.MarkRefused) -> None:
        if not self.closing:
            self.marking.mark_refused(message)

    @on(Marking.MarkUnchanged)
    def _mark_unchanged(self, message: Marking.MarkUnchanged) -> None:
        if not self.closing:
            self.marking.mark_unchanged(message)

    @on(Marking.MarkFailed)
    def _mark_failed(self, message: Marking.MarkFailed) -> None:
        if not self.closing:
            self.marking.mark_failed(message)

    @on(Review.QueueCounted)
    def _queue_counted(self, message: Review.QueueCounted) -> None:
        if not self.closing:
            self.review.queue_counted(message)

    @on(ClaimsPane.QueueChanged)
    def _queue_changed(self, message: ClaimsPane.QueueChanged) -> None:
        self.review.queue_changed(message)

    @on(Watching.CaseChanged)
    def _case_changed(self, message: Watching.CaseChanged) -> None:
        if not self.closing:
            self.watching.case_changed(message)

    @on(Watching.PollQuiet)
    def _poll_quiet(self, message: Watching.PollQuiet) -> None:
        self.watching.poll_quiet(message)

    @on(Building.ContextLoaded)
    def _context_loaded(self, message: Building.ContextLoaded) -> None:
        self.building.context_loaded(message)

    @on(Built)
    def _built(self, message: Built) -> None:
        self.building.built(message)

    @on(Exporting.Exported)
    def _exported(self, message: Exporting.Exported) -> None:
        if not self.closing:
            self.exporting.exported(message)

    @on(Curating.ItemLoaded)
    def _item_loaded(self, message: Curating.ItemLoaded) -> None:
        self.curating.item_loaded(message)

    def on_item_curated(self, message: ItemCurated) -> None:
        self.curating.curated(message)

    # -- keys and commands -------------------------------------------------

    def key_sections(self) -> list[Section]:
        from .screens.help import binding_rows
        from .screens.search import SearchScreen

        on_a_claim = [*CLAIM_BINDINGS, *QUEUE_BINDINGS]
        anywhere = [binding for binding in self.BINDINGS
                    if binding not in BUILD_BINDINGS and binding not in on_a_claim
                    and binding not in CURATION_BINDINGS]
        return [
            ("Anywhere", binding_rows(anywhere) + [
                ("Tab Shift+Tab", "Move between a list and its detail"),
            ]),
            ("In a list", binding_rows(PagedList.BINDINGS)),
            ("In a detail", binding_rows(DetailView.BINDINGS) + [
                ("Esc", "Back to the list"),
            ]),
            ("On a claim (in Claims, or a claim link in a detail); c d x U m u also on a tie "
             "in an entity's Relationships", binding_rows(on_a_claim)),
            ("In search", [("type", "Search as you type; case and accents fold")]
             + binding_rows(SearchScreen.BINDINGS)
             + [("Enter", "Open the chosen result"), ("Tab", "Move to the results"),
                ("Enter on ⋯ all", "Every match of that kind, a list to page through")]),
            *self.building.key_sections(),
            ("On an item (e: an entity, event or claim)", binding_rows(CURATION_BINDINGS)),
        ]

    def action_keys(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_sections()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own "Keys" panel would compete with ours (?).
        yield from (command for command in super().get_system_commands(screen)
                    if command.title != "Keys")
        for kind in KINDS:
            yield SystemCommand(f"Show {kind.title}",
                                f"Go to the {kind.title.lower()} pane (key {kind.key})",
                                lambda name=kind.name: self.action_show_pane(name))
        yield SystemCommand("Search", "Search the case as you type (key /)", self.action_search)
        yield SystemCommand("Back", "Back to where you were (Backspace)", self.action_history_back)
        yield SystemCommand("Forward", "Forward again (f)", self.action_history_forward)
        yield SystemCommand("Keys", "Every key and what it does (?)", self.action_keys)
        yield SystemCommand("Review", "The unreviewed claims, one after another (key r)",
                            self.action_review)
        for queue in QUEUES:
            yield SystemCommand(f"Claims: {queue}", f"Show the {queue} queue of claims (key v)",
                                lambda queue=queue: self.review.show_queue(queue))
        yield SystemCommand("Agreement", "Agreement between annotators, Cohen's kappa (key A)",
                            self.action_agreement)
        yield SystemCommand("Likely duplicates", "Entities that may be one, a pair at a time (key D)",
                            self.action_duplicates)
        yield SystemCommand("Activity log", "Who did what when, newest first; filter by name "
                            "(key W)", self.action_activity)
        yield SystemCommand("Hide retired items" if self.curating.retired_shown
                            else "Show retired items",
                            "Retired items in the lists, marked retired, or not (key H)",
                            self.action_toggle_retired)
        for title, help_text, run in self.building.commands():
            yield SystemCommand(title, help_text, run)
        for title, help_text, run in self.exporting.commands():
            yield SystemCommand(title, help_text, run)
