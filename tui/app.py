"""The casebook browser: entities, events, excerpts and claims of one case file.

``CasebookApp(case, annotator=...)`` browses an open ``db.Case``; the CLI
(``casebook open PATH``) opens and validates the file first.

Benchmark hook: with ``CASEBOOK_EXIT_WHEN_READY=1`` in the environment the
app exits with status 0 as soon as the first full frame is drawn with every
visible part populated: the header's counts, the active pane's first rows
and the detail of the row under the cursor (or the pane's empty state).
Timing a process from its start to that exit measures start-up. The search
screen posts ``SearchScreen.ResultsShown`` once a query's results are
drawn, so a Pilot script can time a keystroke to its results.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import ContentSwitcher, Footer
from textual.message import Message
from textual.screen import Screen


import db
from db import Case, CaseCounts, CaseError, open_case
from db.review import QUEUES
from db.search import Searcher

from .build import BUILD_BINDINGS, BuildMixin
from .feeds import ClaimFeed, EntityFeed, EventFeed, ExcerptFeed, Feed
from .history import History, Location
from .review import CLAIM_BINDINGS, REVIEW_BINDINGS, Reviewing
from .screens.help import HelpScreen, Section, binding_rows
from .screens.search import SearchScreen
from .terminal import EXIT_WHEN_READY, THEMES, Palette
from .widgets.detail import DetailView, Link
from .widgets.claims_pane import ClaimsPane
from .widgets.header import CaseHeader
from .widgets.paged_list import PagedList
from .widgets.pane import Pane
from .widgets.pane_bar import PANES, PaneBar

PANE_TITLES = {kind: title for kind, _, title in PANES}


# tmux (escape-time, 500 ms by default) sends Esc and a digit typed soon after
# as one Meta+digit, which Textual reads as these characters: they switch panes
# as the digit would.
ESC_DIGIT_KEYS = {"inverted_exclamation_mark": "entity", "trade_mark_sign": "event",
                  "pound_sign": "excerpt", "cent_sign": "claim"}


class CasebookApp(Reviewing, BuildMixin, App[None]):
    """Browse a case with the keyboard: panes, links, history and search."""

    # Absolute, so subclasses elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "casebook"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    COMMAND_PALETTE_DISPLAY = "Ctrl+P"

    # Marking and review keys (c d x u n z v V r A) are REVIEW_BINDINGS, in
    # tui/review.py; building a case from an excerpt (s e t a l L i) is
    # BUILD_BINDINGS, in tui/build.py.
    BINDINGS = [
        Binding("1", "show_pane('entity')", "Panes", key_display="1-4",
                tooltip="Panes: 1 Entities, 2 Events, 3 Excerpts, 4 Claims"),
        Binding("2", "show_pane('event')", "Events", show=False),
        Binding("3", "show_pane('excerpt')", "Excerpts", show=False),
        Binding("4", "show_pane('claim')", "Claims", show=False),
        *(Binding(key, f"show_pane('{pane}')", show=False) for key, pane in ESC_DIGIT_KEYS.items()),
        Binding("slash", "search", "Search", tooltip="Search as you type"),
        Binding("backspace,b", "history_back", "Back", tooltip="Back to where you were"),
        Binding("f", "history_forward", "Forward", tooltip="Forward again after going back"),
        Binding("escape", "back_out", "Back out", show=False,
                tooltip="From a detail to its list; from a list, back"),
        Binding("question_mark", "keys", "Keys", tooltip="This list of keys"),
        Binding("colon,ctrl+p", "command_palette", "Commands", show=False,
                tooltip="Commands: the command palette"),
        Binding("q", "quit", "Quit"),
        *REVIEW_BINDINGS,
        *BUILD_BINDINGS,
    ]

    class Ready(Message):
        """The first full frame is drawn: header counts, rows and their detail."""

    class CountsLoaded(Message, bubble=False):
        def __init__(self, title: str, counts: CaseCounts) -> None:
            super().__init__()
            self.title = title
            self.counts = counts

    def __init__(self, case: Case, *, annotator: str | None = None,
                 read_only: bool | None = None, pane: str = "entity",
                 palette: Palette = "full") -> None:
        # Native ANSI colours let Textual's NO_COLOR filter drop colour entirely.
        super().__init__(ansi_color=True if palette == "none" else None)
        self.palette = palette
        self.theme = THEMES[palette]
        self.case = case
        self.annotator = annotator or db.claims.default_annotator()
        self.read_only = case.read_only if read_only is None else read_only
        self.history = History()
        self.is_ready = False
        self.last_query = ""
        self._start_pane = pane
        self._counts_shown = False
        self._searcher: Searcher | None = None
        self._searcher_lock = threading.Lock()

    def feeds(self) -> list[Feed]:
        return [EntityFeed(), EventFeed(), ExcerptFeed(), ClaimFeed()]

    def compose(self) -> ComposeResult:
        # The file's name until the title is read (in a worker, like every read).
        yield CaseHeader(self.case.path.stem, self.annotator, read_only=self.read_only,
                         id="header")
        yield PaneBar(id="pane-bar")
        with ContentSwitcher(initial=f"{self._start_pane}-pane", id="panes"):
            for feed in self.feeds():
                pane_class = ClaimsPane if feed.kind == "claim" else Pane
                yield pane_class(feed, self.case, id=f"{feed.kind}-pane")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(PaneBar).active = self._start_pane
        self.pane(self._start_pane).paged_list.focus()
        self._load_counts()
        self.start_reviewing()

    def on_unmount(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    # -- the panes -------------------------------------------------------

    @property
    def active_kind(self) -> str:
        current = self.query_one(ContentSwitcher).current or "entity-pane"
        return current.removesuffix("-pane")

    def pane(self, kind: str) -> Pane:
        return self.query_one(f"#{kind}-pane", Pane)

    @property
    def active_pane(self) -> Pane:
        return self.pane(self.active_kind)

    def here(self) -> Location:
        pane = self.active_pane
        detail = pane.detail
        link = detail.link if detail.has_focus else None
        return Location(pane.kind, pane.paged_list.cursor_item_id, link)

    def _show(self, location: Location) -> None:
        self.query_one(ContentSwitcher).current = f"{location.pane}-pane"
        self.query_one(PaneBar).active = location.pane
        pane = self.pane(location.pane)
        pane.paged_list.focus()
        if location.item_id is not None:
            pane.reveal(location.item_id, link=location.link)

    def go(self, location: Location) -> None:
        """Navigate, remembering where we were for Back."""
        self.history.visit(self.here(), location)
        self._show(location)

    def follow(self, link: Link) -> None:
        self.go(Location(link.kind, link.id))

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

    def action_back_out(self) -> None:
        pane = self.active_pane
        if pane.detail.has_focus:
            pane.paged_list.focus()
        elif self.history.can_go_back:  # a habitual Esc with nowhere to go says nothing
            self.action_history_back()

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        self.follow(message.link)

    def on_pane_bar_pane_clicked(self, message: PaneBar.PaneClicked) -> None:
        self.action_show_pane(message.kind)

    def on_paged_list_item_missing(self, message: PagedList.ItemMissing) -> None:
        self.notify(f"Not found: {message.reason}", severity="warning", markup=False)

    # -- counts and readiness ----------------------------------------------

    @work(thread=True, exclusive=True, group="counts")
    def _load_counts(self) -> None:
        try:
            title, counts = self.case.title, db.counts(self.case)
        except CaseError as error:
            self.call_from_thread(self.notify, f"Could not count: {error}",
                                  severity="error", markup=False)
            return
        self.post_message(self.CountsLoaded(title, counts))

    def on_casebook_app_counts_loaded(self, message: CountsLoaded) -> None:
        if self.closing:
            return
        header = self.query_one(CaseHeader)
        header.case_title = message.title
        header.counts = message.counts
        self.query_one(PaneBar).counts = message.counts
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
        self._warm_search()  # after the first frame: start-up does not wait for it
        if os.environ.get(EXIT_WHEN_READY) == "1":
            self.exit(return_code=0)

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

    @work(thread=True, exclusive=True, group="search-warm")
    def _warm_search(self) -> None:
        try:
            self.searcher().warm()
        except CaseError:
            pass  # the first search will say what is wrong

    def action_search(self) -> None:
        screen = SearchScreen(self.searcher, query=self.last_query)
        self.push_screen(screen, callback=lambda link: self._searched(screen, link))

    def _searched(self, screen: SearchScreen, link: Link | None) -> None:
        self.last_query = screen.query_text
        if link is not None:
            self.follow(link)

    # -- keys and commands -------------------------------------------------

    def key_sections(self) -> list[Section]:
        return [
            ("Anywhere", binding_rows(b for b in self.BINDINGS
                                      if b not in BUILD_BINDINGS and b not in CLAIM_BINDINGS) + [
                ("Tab Shift+Tab", "Move between a list and its detail"),
            ]),
            ("In a list", binding_rows(PagedList.BINDINGS)),
            ("In a detail", binding_rows(DetailView.BINDINGS) + [
                ("Esc", "Back to the list"),
            ]),
            ("On a claim (in Claims, or on a claim link in a detail)",
             binding_rows(CLAIM_BINDINGS)),
            ("In search", [("type", "Search as you type; case and accents fold")]
             + binding_rows(SearchScreen.BINDINGS)
             + [("Enter", "Open the chosen result"), ("Tab", "Move to the results")]),
            *self.build_key_sections(),
        ]

    def action_keys(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Keys" panel would compete with ours (?).
        yield from (command for command in super().get_system_commands(screen)
                    if command.title != "Keys")
        for kind, key, title in PANES:
            yield SystemCommand(f"Show {title}", f"Go to the {title.lower()} pane (key {key})",
                                lambda kind=kind: self.action_show_pane(kind))
        yield SystemCommand("Search", "Search the case as you type (key /)", self.action_search)
        yield SystemCommand("Back", "Back to where you were (Backspace)", self.action_history_back)
        yield SystemCommand("Forward", "Forward again (f)", self.action_history_forward)
        yield SystemCommand("Keys", "Every key and what it does (?)", self.action_keys)
        yield SystemCommand("Review", "The unreviewed claims, one after another (key r)",
                            self.action_review)
        for queue in QUEUES:
            yield SystemCommand(f"Claims: {queue}", f"Show the {queue} queue of claims (key v)",
                                lambda queue=queue: self.show_queue(queue))
        yield SystemCommand("Agreement", "Agreement between annotators, Cohen's kappa (key A)",
                            self.action_agreement)
        yield from self.build_commands()
