"""Search as you type: results grouped by kind, matched words highlighted.

Each keystroke starts a search in a thread worker, in stages (db.search):
the first matches of every kind and their counts at once, then bm25 order
where a kind has few enough matches to rank at once, then the rest ranked
while the analyst reads. Each stage is drawn as it comes. A ``Searcher`` on
the search's own connection makes the newest keystroke win: the search for
the one before stops mid-query or before its next read.
Enter (or a click on a result) closes the screen with the chosen ``Link``.
A kind with more matches than it shows ends in an "all …" link: Enter there
opens ``SearchListScreen``, every match of that kind in a paged list (read a
page at a time in SQL, never the whole result set). The screen remembers
which result was opened (``chosen``): ``n``/``N`` in the panes go on from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from db import Case, CaseError, NotFoundError, ReadInterrupted
from db.search import (
    RANK_LIMIT,
    Searcher,
    SearchGroup,
    SearchHit,
    SearchResults,
    count_all_matches,
    matches_page,
    query_terms,
)

from ..labels import damage_mark
from ..text import highlighted_line, plain_line
from ..widgets.detail import BLANK, Block, DetailView, Link
from ..widgets.paged_list import PagedList
from .dialog import Dialog

HITS_PER_KIND = 10
ALL_OF = "all:"   # the kind of an "all …" link: ALL_OF + the kind whose full list it opens
REFINE_AFTER_S = 0.25  # the final order is worked out once typing pauses this long
HINT = "Type to search entities, events, excerpts and claims. Uhrik finds Uhrík."


def result_blocks(query: str, terms: tuple[str, ...], groups: list[SearchGroup],
                  titles: Mapping[str, str], latin_terms: tuple[str, ...] = ()) -> list[Block]:
    """The results as blocks: a heading per kind (its title from ``titles``)
    with hits, each hit a link; a hit found by transliteration (by the Latin
    spelling of its words, ``latin_terms``) is marked ``≈`` and comes last."""
    if not terms:
        return [Block(Content.styled(HINT, ".cb--dim"))]
    blocks: list[Block] = []
    for group in groups:
        if not group.hits:
            continue
        more = "+" if group.capped else ""
        count = (f"{group.total:,}{more}" if group.total <= len(group.hits)
                 else f"{len(group.hits)} of {group.total:,}{more}")
        if group.transliterated:
            count += f", {group.transliterated:,} transliterated ≈"
        if blocks:
            blocks.append(BLANK)
        title = titles.get(group.kind, group.kind)
        blocks.append(Block(Content.styled(f"{title} ({count})", ".cb--heading")))
        for hit in group.hits:
            line = Content.assemble(
                ("≈ ", ".cb--dim") if hit.transliterated else "• ",
                damage_mark(hit.damage),   # as the panes mark a row that breaks the rules
                highlighted_line(hit.title, latin_terms if hit.transliterated else terms,
                                 transliterated=hit.transliterated),
                ("  " if hit.detail else "", ""), plain_line(hit.detail, ".cb--dim"),
            )
            blocks.append(Block(line, Link(hit.kind, hit.id), wrap=False))
        if group.total > len(group.hits):
            every = f"{group.total:,}{more}"
            blocks.append(Block(Content.styled(f"  ⋯ all {every} {title.lower()}", ".cb--dim"),
                                Link(ALL_OF + group.kind, 0), wrap=False))
    if not blocks:
        return [Block(Content.assemble(("No matches for ", ".cb--dim"), plain_line(query)))]
    return blocks


def search_hint(exact: bool, room: int = 0) -> Content:
    """The line under the results: the keys, and whether transliteration is on;
    in ``room`` cells (0: any), the longest that fits, so Esc close stays."""
    spelling = "Ctrl+T across scripts" if exact else "Ctrl+T exact"
    hints = (f"↑↓ choose · Enter open · Tab to results · {spelling} · Esc close",
             f"↑↓ choose · Enter open · {spelling} · Esc close",
             f"↑↓ Enter · {spelling} · Esc close")
    return Content(next((hint for hint in hints if not room or len(hint) <= room), hints[-1]))


class SearchScreen(Dialog[Link | None]):
    """``/``: type to search; ↑/↓ choose a result; Enter opens it; Esc closes."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("down", "result_down", "Next result", show=False),
        Binding("up", "result_up", "Previous result", show=False),
        Binding("pagedown", "result_page_down", "Page down", show=False),
        Binding("pageup", "result_page_up", "Page up", show=False),
        Binding("ctrl+t", "toggle_exact", "Exact / across scripts",
                tooltip="Transliteration off (only words as written) or on (Metsola finds Мецола)"),
    ]

    class ResultsShown(Message):
        """The results for ``query`` have been drawn (for end-to-end timing):
        once per stage; ``ranked`` when every group is in its final order."""

        def __init__(self, query: str, hits: int, ranked: bool = True) -> None:
            super().__init__()
            self.query = query
            self.hits = hits
            self.ranked = ranked

    class ResultsFound(Message, bubble=False):
        def __init__(self, query: str, terms: tuple[str, ...], groups: list[SearchGroup],
                     ranked: bool = True, latin_terms: tuple[str, ...] = (),
                     exact: bool = False) -> None:
            super().__init__()
            self.query = query
            self.terms = terms
            self.groups = groups
            self.ranked = ranked
            self.latin_terms = latin_terms
            self.exact = exact

    def __init__(self, searcher: Callable[[], Searcher], *, group_titles: Mapping[str, str],
                 case: Case, query: str = "", exact: bool = False) -> None:
        super().__init__()
        self._searcher = searcher
        self.group_titles = group_titles
        self.query_text = query
        self.exact = exact   # transliteration off: only words as written
        self._shown_query: str | None = None
        self._case = case
        # The result opened: its kind and its place in that kind's full list.
        self.chosen: tuple[str, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            with Horizontal(id="search-bar"):
                yield Static(Content("Search "), id="search-label")
                yield Input(value=self.query_text, placeholder="names, events, excerpts, claims",
                            id="search-input", select_on_focus=True)
            yield DetailView(id="search-results")
            yield Static(search_hint(self.exact), id="search-hint")

    def on_mount(self) -> None:
        self.query_one(DetailView).show(result_blocks("", (), [], self.group_titles))
        self.query_one(Input).focus()
        if self.query_text:
            self._start(self.query_text)

    @property
    def results(self) -> DetailView:
        return self.query_one(DetailView)

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self._start(event.value)

    def _start(self, query: str) -> None:
        self.query_text = query
        searcher = self._searcher()
        self._run(searcher, searcher.keystroke(), query, self.exact)

    @work(thread=True, exclusive=True, group="search")
    def _run(self, searcher: Searcher, token: int, query: str, exact: bool) -> None:
        try:
            found = searcher.first_matches(token, query, limit=HITS_PER_KIND, exact=exact)
            self._found(query, found, ranked=not found.groups)
            if not found.groups:
                return
            found = searcher.search(token, query, limit=HITS_PER_KIND, exact=exact)
            self._found(query, found, ranked=found.ranked)
            if not found.ranked and self._paused(searcher, token):
                found = searcher.refine(token, found, limit=HITS_PER_KIND)
                self._found(query, found, ranked=True)
        except ReadInterrupted:
            return
        except CaseError as error:
            self.app.call_from_thread(self.notify, f"Search failed: {error}",
                                      severity="error", markup=False)

    @staticmethod
    def _paused(searcher: Searcher, token: int) -> bool:
        """Whether the analyst stopped typing for REFINE_AFTER_S. Ranking a
        huge group takes up to a second at a million excerpts and parts of it
        cannot be interrupted at once: while the keys keep coming, it would only
        slow the next keystroke's first results."""
        deadline = time.monotonic() + REFINE_AFTER_S
        while time.monotonic() < deadline:
            if not searcher.is_current(token):
                return False
            time.sleep(0.01)
        return searcher.is_current(token)

    def _found(self, query: str, results: SearchResults, *, ranked: bool) -> None:
        self.post_message(self.ResultsFound(query, results.terms, list(results.groups), ranked,
                                            results.latin_terms, results.exact))

    def on_search_screen_results_found(self, message: ResultsFound) -> None:
        if message.query != self.query_text or message.exact != self.exact:
            return  # a newer keystroke (or a toggle) is on its way
        # A later stage of the query on screen reorders it: the cursor stays
        # on the result it was on, if that is still there.
        again = message.query == self._shown_query
        self._shown_query = message.query
        self.results.show(result_blocks(message.query, message.terms, message.groups,
                                        self.group_titles, message.latin_terms),
                          keep_place=again)
        hits = sum(len(group.hits) for group in message.groups)
        self.call_after_refresh(self.post_message,
                                self.ResultsShown(message.query, hits, message.ranked))

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        link = self.results.link
        if link is not None:
            self._open(link)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self._open(message.link)

    def _open(self, link: Link) -> None:
        if link.kind.startswith(ALL_OF):
            kind = link.kind.removeprefix(ALL_OF)
            title = self.group_titles.get(kind, kind)
            self.app.push_screen(SearchListScreen(self._case, self.query_text, kind, title),
                                 callback=self._listed)
            return
        same_kind = [shown for shown in self.results.links if shown.kind == link.kind]
        self.chosen = (link.kind, same_kind.index(link))
        self.dismiss(link)

    def _listed(self, chosen: tuple[Link, int] | None) -> None:
        if chosen is not None:
            link, position = chosen
            self.chosen = (link.kind, position)
            self.dismiss(link)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_resize(self) -> None:
        # The hint's new width is known once the layout is done.
        self.call_after_refresh(self._show_hint)

    def _show_hint(self) -> None:
        hint = self.query_one("#search-hint", Static)
        hint.update(search_hint(self.exact, hint.size.width))

    def action_toggle_exact(self) -> None:
        """Transliteration off or on; the query is searched again."""
        self.exact = not self.exact
        self._show_hint()
        self._shown_query = None
        self._start(self.query_text)

    def action_result_down(self) -> None:
        self.results.action_link_down()

    def action_result_up(self) -> None:
        self.results.action_link_up()

    def action_result_page_down(self) -> None:
        self.results.action_page_down()

    def action_result_page_up(self) -> None:
        self.results.action_page_up()



class SearchMatches:
    """Every match of one kind for a query, as a paged list reads it
    (``tui.widgets.paging.PageSource``): a count, then pages in SQL."""

    noun = "matches"

    def __init__(self, case: Case, query: str, kind: str) -> None:
        self.case = case
        self.query = query
        self.kind = kind

    def count(self) -> int:
        return count_all_matches(self.case, self.query, self.kind)

    def page(self, *, offset: int, limit: int, total: int) -> list[SearchHit]:
        return matches_page(self.case, self.query, self.kind, offset=offset, limit=limit,
                            total=total)

    def position(self, item_id: int) -> int:
        raise NotFoundError("a search result is found by its place, not its id")

    def place(self, item_id: int) -> int | None:
        return None

    def refetch(self, items: list[SearchHit]) -> list[SearchHit]:
        return items


class SearchListScreen(Dialog[tuple[Link, int] | None]):
    """Every match of one kind (from search's "all …" link): a paged list;
    Enter opens the match under the cursor, Esc goes back to the search."""

    BINDINGS = [Binding("escape", "close", "Back to the search")]

    def __init__(self, case: Case, query: str, kind: str, title: str) -> None:
        super().__init__()
        self.query_text = query
        self.kind = kind
        self.title_text = title
        self.terms = tuple(query_terms(query))
        self.source = SearchMatches(case, query, kind)

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            with Horizontal(id="search-bar"):
                yield Static(Content.assemble((f"{self.title_text} matching ", ""),
                                              plain_line(self.query_text)),
                             id="search-label")
            yield PagedList(self.source, self._row, id="search-list")
            yield Static(Content(self._hint(None)), id="search-hint")

    @staticmethod
    def _hint(total: int | None) -> str:
        order = "" if total is None or total <= RANK_LIMIT else " (in index order)"
        count = "" if total is None else f"{total:,}{order} · "
        return f"{count}↑↓ PgUp PgDn g G move · Enter open · Esc back to the search"

    def on_mount(self) -> None:
        self.query_one(PagedList).focus()

    def _row(self, hit: SearchHit, width: int) -> Content:
        return Content.assemble(damage_mark(hit.damage), highlighted_line(hit.title, self.terms),
                                ("  " if hit.detail else "", ""),
                                plain_line(hit.detail, ".cb--dim"))

    @property
    def paged_list(self) -> PagedList:
        return self.query_one(PagedList)

    def on_paged_list_first_page_shown(self, message: PagedList.FirstPageShown) -> None:
        self.query_one("#search-hint", Static).update(Content(self._hint(self.paged_list.total)))

    def on_paged_list_item_chosen(self, message: PagedList.ItemChosen) -> None:
        message.stop()
        hit: SearchHit = message.item
        self.dismiss((Link(hit.kind, hit.id), self.paged_list.cursor))

    def action_close(self) -> None:
        self.dismiss(None)
