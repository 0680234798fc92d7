"""Marking claims in the browser: a mark, a note or an undo on the claim
under the cursor.

A mark (``c`` ``d`` ``x`` ``U``), a note (``n``) or an undo (``u`` ``z``) applies
to the claim under the cursor: the Claims pane's current claim, or a claim
link under the cursor of a focused detail — or to the relationship of a tie
under that cursor in an entity's Relationships (the same record of writes,
``db.kinds.MarkWrites``, and the same rule as in its own detail). It is committed at once in a
thread worker with the version of the claim the annotator came to
(``SeenVersions``); the result comes back as a message (``ClaimMarked``,
``MarkRefused`` when the claim changed meanwhile, ``MarkFailed``) and the
views read again without losing their place. In the Claims pane a
judgement moves the cursor on to the next claim of the queue. A mark equal
to the claim's status is not written and moves nothing (``MarkUnchanged``):
``u`` is the undo reflex, so it undoes; back to unreviewed is ``U``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from rich.cells import cell_len, set_cell_size
from textual.binding import Binding
from textual.message import Message

from db import Annotation, Case, CaseError, NothingToUndoError, StaleClaimError, UnchangedStatusError
from db.casefile import OPENED_READ_ONLY
from db.errors import sqlite_problem
from db.kinds import item_kind
from db.models import Model
from db.review import next_in_queue

from ..labels import STATUS_BADGES
from ..panes.claims_pane import ClaimsPane
from ..panes.feeds import ClaimRow
from ..panes.pane import Pane
from ..text import LINE_CHARS, TITLE_CHARS, one_line
from ..widgets.detail import Link
from .seen import CLAIMS_LIST, DETAIL_LINK, DETAIL_TIE, SeenVersions

if TYPE_CHECKING:   # the dialogs are imported when first opened (issue 17 point 9)
    from ..screens.mark_dialogs import NoteWritten

# Keys on a claim: in the Claims pane, or on a claim link in a focused detail;
# and on a tie in an entity's Relationships (the relationship it goes through).
# Not in the footer (no room at 80 columns): the Claims pane shows them over
# its detail, and ? lists them.
CLAIM_BINDINGS = [
    Binding("c", "mark('confirmed')", "Mark", key_display="c d x U", show=False,
            tooltip="Mark: c confirmed, d disputed, x denied, U back to unreviewed"),
    Binding("d", "mark('disputed')", "Disputed", show=False),
    Binding("x", "mark('denied')", "Denied", show=False),
    Binding("U", "mark('unreviewed')", "Unreviewed", show=False),
    Binding("m", "note", "Note", show=False,
            tooltip="A note on the claim or the tie (↓ in the box: with a status)"),
    Binding("u,z", "undo_mark", "Undo", show=False,
            tooltip="Undo your latest mark (just after a mark: that one)"),
]
MARK_ACTIONS = frozenset({"mark", "note", "undo_mark"})


class MarkingHost(Protocol):
    """What marking needs from the app."""

    case: Case
    annotator: str
    read_only: bool

    @property
    def active_pane(self) -> Pane: ...

    @property
    def claims_pane(self) -> ClaimsPane: ...

    @property
    def closing(self) -> bool: ...

    def say(self, text: str, **options: Any) -> None: ...

    def open_screen(self, screen: Any, callback: Callable[[Any], None] | None = None) -> None: ...

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def refresh_bindings(self) -> None: ...

    def reload_views(self, *, lists: bool = False) -> None: ...

    def refresh_details(self, *, but: Pane | None = None) -> None: ...

    def reload_counts(self) -> None: ...


@dataclass(frozen=True)
class ClaimTarget:
    """The claim a marking key applies to, as the annotator saw it."""

    claim_id: int
    version: int | None
    statement: str = ""
    in_claims_pane: bool = False
    item: str = "claim"            # the kind of item: "claim" or "relationship"


@dataclass(frozen=True)
class MarkRequest:
    """One mark, note or undo to commit."""

    kind: str                      # "mark", "note" or "undo"
    claim_id: int
    expected_version: int | None
    status: str | None = None
    note: str = ""
    statement: str = ""
    advance: bool = False          # move on to the next claim of ``queue`` afterwards
    queue: str = "all"
    return_to: int | None = None   # put the Claims cursor back on this claim afterwards
    in_claims_pane: bool = False   # a note written from the Claims pane (with a status: moves on)
    item: str = "claim"            # the kind marked (db.kinds: its ``marks`` writes it)

    @property
    def version_after(self) -> int | None:
        """The claim's version once this is written (None if not known)."""
        return None if self.expected_version is None else self.expected_version + 1


@dataclass(frozen=True)
class JustMarked:
    """A judgement that moved the Claims cursor on: ``z`` right after takes it back."""

    claim_id: int
    version: int | None
    cursor_moves: int      # the Claims list's moves once it moved on


# A toast's text at 80 columns (tui/app.tcss: Toast is 56 wide, a bar and padding).
TOAST_LINE = 52


def undo_refused(request: MarkRequest, error: NothingToUndoError) -> str:
    """Why there is nothing to undo, in one toast line (the command line says
    it all: when and what the other annotator marked)."""
    if error.latest_by is None:
        return f"Nothing to undo: {request.item} {request.claim_id} has no marks."
    said = "Nothing to undo: last mark by "
    name = one_line(error.latest_by, limit=LINE_CHARS)
    room = TOAST_LINE - cell_len(said) - 1
    if cell_len(name) > room:
        name = set_cell_size(name, room - 1) + "…"
    return f"{said}{name}."


def commit(case: Case, request: MarkRequest, *, annotator: str) -> tuple[Model, bool]:
    """Write one request (called in a worker) through its kind's record
    (``db.kinds``: claims and relationships alike). Returns the annotation and
    whether it settled a merge conflict: on an item in conflict a status key
    resolves it."""
    writes = item_kind(request.item).marks
    assert writes is not None, f"{request.item} is not marked"
    item_id, version = request.claim_id, request.expected_version
    if request.kind == "undo":
        return writes.undo(case, item_id, annotator=annotator, expected_version=version), False
    if request.kind == "note" and request.status is None:
        return writes.note(case, item_id, request.note, annotator=annotator,
                           expected_version=version), False
    assert request.status is not None
    if writes.in_conflict(case, item_id):
        return writes.settle(case, item_id, request.status, annotator=annotator,
                             note=request.note, expected_version=version), True
    try:
        return writes.mark(case, item_id, request.status, annotator=annotator,
                           note=request.note, expected_version=version,
                           unless_unchanged=True), False
    except UnchangedStatusError:
        if request.kind != "note":
            raise
        # A note "with" the status the item already has is a note.
        return writes.note(case, item_id, request.note, annotator=annotator,
                           expected_version=version), False


def describe(request: MarkRequest, annotation: Any, settled: bool) -> str:
    """One short line saying what was recorded (our own words and statuses only)."""
    status = STATUS_BADGES.get(annotation.status, annotation.status)
    claim = f"{request.item.capitalize()} {request.claim_id}"
    if annotation.kind == "undo":
        return f"{claim}: mark taken back ({status})."
    if annotation.kind == "note":
        return f"{claim}: note added."
    if settled:
        return f"{claim}: conflict settled, {status}."
    return f"{claim}: {status}" + (" with a note." if annotation.note else ".")


class Marking:
    """The marking keys and what they write; the one owner of the claim
    versions the annotator saw."""

    BINDINGS = CLAIM_BINDINGS

    class ClaimMarked(Message):
        """A mark, note or undo was committed (and is on disk)."""

        def __init__(self, request: MarkRequest, annotation: Annotation | Model, settled: bool,
                     next_id: int | None) -> None:
            super().__init__()
            self.request = request
            self.annotation = annotation
            self.settled = settled
            self.next_id = next_id

    class MarkRefused(Message):
        """The claim changed since the annotator saw it: nothing was written."""

        def __init__(self, request: MarkRequest, error: StaleClaimError) -> None:
            super().__init__()
            self.request = request
            self.error = error

    class MarkUnchanged(Message):
        """The claim already has the status asked for: nothing was written."""

        def __init__(self, request: MarkRequest) -> None:
            super().__init__()
            self.request = request

    class MarkFailed(Message):
        """A mark could not be written (the reason is one line)."""

        def __init__(self, request: MarkRequest, reason: str) -> None:
            super().__init__()
            self.request = request
            self.reason = reason

    def __init__(self, host: MarkingHost) -> None:
        self.host = host
        self.seen = SeenVersions()
        self.in_flight = False                  # a mark is being saved
        self.just_marked: JustMarked | None = None

    # -- where the cursors are ---------------------------------------------

    def claim_highlighted(self, claim_id: int, version: int) -> None:
        """The Claims list's cursor rests on a claim."""
        self.seen.came_to(CLAIMS_LIST, claim_id, version)

    def link_highlighted(self, link: Link | None) -> None:
        """A detail's cursor (on the main screen) moved to ``link``."""
        if link is None or link.kind != "claim":
            self.seen.left(DETAIL_LINK)
        else:
            self.seen.came_to(DETAIL_LINK, link.id, link.version)
        tie = _tie(link)
        if tie is None:
            self.seen.left(DETAIL_TIE)
        else:
            self.seen.came_to(DETAIL_TIE, tie.id, tie.version)

    def claim_target(self) -> ClaimTarget | None:
        """The claim under the cursor: the Claims pane's, or a focused claim link."""
        pane = self.host.active_pane
        if isinstance(pane, ClaimsPane):
            row = pane.paged_list.cursor_item
            if isinstance(row, ClaimRow) and row.id == pane.detail_id:
                version = self.seen.expected(CLAIMS_LIST, row.id, row.claim.version)
                return ClaimTarget(row.id, version, row.claim.statement, True)
            return None
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None and link.kind == "claim":
            return ClaimTarget(link.id, self.seen.expected(DETAIL_LINK, link.id, link.version))
        tie = _tie(link)
        if tie is not None:
            return ClaimTarget(tie.id, self.seen.expected(DETAIL_TIE, tie.id, tie.version),
                               f"relationship {tie.id}", item="relationship")
        return None

    def _claim_in_reach(self) -> bool:
        pane = self.host.active_pane
        if pane.kind == "claim":
            return bool(pane.paged_list.total)
        link = pane.detail.link if pane.detail.has_focus else None
        return link is not None and (link.kind == "claim" or _tie(link) is not None)

    def allows(self, action: str) -> bool:
        """Whether a marking key applies where the cursor is (and shows)."""
        if action == "undo_mark" and self.just_marked is not None \
                and self.host.active_pane.kind == "claim":
            return True
        return self._claim_in_reach()

    # -- refusing a key ------------------------------------------------------

    def _refuse_if_read_only(self) -> bool:
        if not self.host.read_only:
            return False
        reason = self.host.case.read_only_reason or OPENED_READ_ONLY
        self.host.say(f"Read-only ({reason}): marks and notes are off.",
                      severity="warning", timeout=4, markup=False)
        return True

    def _busy(self) -> bool:
        """A mark is being saved, or the claims are being read again: a key now
        could land on a claim the annotator has not seen, so it is refused."""
        if self.in_flight:
            self.host.say("Saving the last mark…", timeout=1, markup=False)
        elif self.host.claims_pane.paged_list.is_rereading:
            self.host.say("Updating the claims…", timeout=1, markup=False)
        else:
            return False
        return True

    def _ready_to_mark(self) -> ClaimTarget | None:
        if self._refuse_if_read_only() or self._busy():
            return None
        target = self.claim_target()
        if target is None:
            self.host.say("No claim under the cursor yet.", timeout=2, markup=False)
        return target

    # -- the keys ----------------------------------------------------------

    def mark(self, status: str, *, queue: str) -> None:
        target = self._ready_to_mark()
        if target is not None:
            self.send(MarkRequest("mark", target.claim_id, target.version, status=status,
                                  statement=target.statement, advance=target.in_claims_pane,
                                  queue=queue, item=target.item))

    def note(self, *, queue: str) -> None:
        target = self._ready_to_mark()
        if target is None:
            return

        self._write_note(MarkRequest("note", target.claim_id, target.version,
                                     statement=target.statement, queue=queue,
                                     in_claims_pane=target.in_claims_pane, item=target.item))

    def _write_note(self, request: MarkRequest, *, problem: str = "") -> None:
        """The note box for ``request``'s claim; opened again with the note and
        the reason when saving failed, so nothing typed is lost."""

        def written(note: NoteWritten | None) -> None:
            if note is not None:
                self.send(replace(request, status=note.status, note=note.text,
                                  advance=request.in_claims_pane and note.status is not None))

        from ..screens.mark_dialogs import NoteScreen

        self.host.open_screen(NoteScreen(request.claim_id, request.statement, status=request.status,
                                         text=request.note, problem=problem, noun=request.item),
                              written)

    def undo(self, *, queue: str) -> None:
        if self._refuse_if_read_only() or self._busy():
            return
        just = self.just_marked
        if (just is not None and self.host.active_pane.kind == "claim"
                and self.host.claims_pane.paged_list.moves == just.cursor_moves):
            # Right after a mark moved the cursor on: take that mark back, and go back to it.
            self.send(MarkRequest("undo", just.claim_id, just.version, return_to=just.claim_id,
                                  queue=queue))
            return
        target = self.claim_target()
        if target is None:
            self.host.say("No claim under the cursor yet.", timeout=2, markup=False)
            return
        self.send(MarkRequest("undo", target.claim_id, target.version,
                              statement=target.statement, queue=queue, item=target.item))

    def relationship_key(self, kind: str, relationship_id: int, version: int, *,
                         status: str | None = None, title: str = "") -> None:
        """A marking key in a relationship's own detail, on the version it shows."""
        if self._refuse_if_read_only() or self._busy():
            return
        request = MarkRequest(kind, relationship_id, version, status=status, statement=title,
                              item="relationship")
        if kind == "note":
            self._write_note(request)
        else:
            self.send(request)

    # -- committing --------------------------------------------------------

    def send(self, request: MarkRequest) -> None:
        self.in_flight = True
        case, annotator = self.host.case, self.host.annotator
        self.host.run_in_thread(lambda: self._commit(case, annotator, request), group="mark")

    def _commit(self, case: Case, annotator: str, request: MarkRequest) -> None:
        """In a thread worker: write, then post what happened."""
        try:
            annotation, settled = commit(case, request, annotator=annotator)
        except StaleClaimError as error:
            self.host.post_message(self.MarkRefused(request, error))
            return
        except UnchangedStatusError:
            self.host.post_message(self.MarkUnchanged(request))
            return
        except NothingToUndoError as error:
            self.host.post_message(self.MarkFailed(request, undo_refused(request, error)))
            return
        except CaseError as error:
            self.host.post_message(self.MarkFailed(request, one_line(str(error), limit=LINE_CHARS)))
            return
        except Exception as error:  # noqa: BLE001 - never lose the session over one mark
            # A full disk or a permission (SQLite's errors carry a code) is said as such.
            said = sqlite_problem(error) if hasattr(error, "sqlite_errorcode") else str(error)
            self.host.post_message(self.MarkFailed(
                request, one_line(f"Could not save it (nothing was written): {said}", limit=TITLE_CHARS)))
            return
        next_id = None
        if request.advance:
            try:
                found = next_in_queue(case, request.queue, request.claim_id, wrap=True)
                next_id = found.id if found else None
            except Exception:  # noqa: BLE001 - the mark stands; the cursor stays
                next_id = None
        self.host.post_message(self.ClaimMarked(request, annotation, settled, next_id))

    def claim_marked(self, message: ClaimMarked) -> None:
        request = message.request
        self.in_flight = False
        if request.item != "claim":   # read again in its own detail and wherever it shows
            self.seen.now_seen(request.claim_id, request.version_after, item=request.item)
            self.host.refresh_details()
            self.host.say(describe(request, message.annotation, message.settled),
                          timeout=3, markup=False)
            return
        self.just_marked = None
        self.seen.now_seen(request.claim_id, request.version_after)   # our own change: seen
        claims = self.host.claims_pane
        if request.advance:
            claims.reload(keep_id=message.next_id)
            self.just_marked = JustMarked(request.claim_id, request.version_after,
                                          claims.paged_list.moves)
        elif request.return_to is not None:
            claims.reload(keep_id=request.return_to)
        else:
            claims.reload()
        self.host.refresh_details(but=claims)
        self.host.reload_counts()
        text = describe(request, message.annotation, message.settled)
        if request.advance and message.next_id is None:
            text += f" The {request.queue} queue is empty."
        self.host.say(text, timeout=3, markup=False)
        self.host.refresh_bindings()

    def mark_refused(self, message: MarkRefused) -> None:
        self.in_flight = False
        request, error = message.request, message.error
        self.host.reload_views()

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:
                self.send(replace(request, expected_version=error.current_version))
            else:
                self.seen.now_seen(request.claim_id, error.current_version, item=request.item)
                badge = STATUS_BADGES.get(error.current_status, error.current_status)
                self.host.say(f"{request.item.capitalize()} {request.claim_id} left as it is: "
                              f"{badge}.",
                              timeout=3, markup=False)

        from ..screens.mark_dialogs import StaleMarkScreen

        self.host.open_screen(StaleMarkScreen(error, kind=request.kind, status=request.status,
                                              note=request.note, statement=request.statement),
                              chosen)

    def mark_unchanged(self, message: MarkUnchanged) -> None:
        """Nothing written, nothing moved: the cursor stays on the claim."""
        self.in_flight = False
        request = message.request
        badge = STATUS_BADGES.get(request.status or "", request.status)
        hint = " (u undoes your latest mark)" if request.status == "unreviewed" else ""
        self.host.say(f"{request.item.capitalize()} {request.claim_id} is already {badge}: "
                      f"nothing written.{hint}",
                      timeout=3, markup=False)

    def mark_failed(self, message: MarkFailed) -> None:
        self.in_flight = False
        request = message.request
        if request.kind == "note" and request.note:   # back in its box, with why
            self._write_note(request, problem=message.reason)
        else:
            self.host.say(message.reason, severity="error", timeout=5, markup=False)
        self.host.reload_views()


def _tie(link: Link | None) -> Link | None:
    """The relationship a tie in an entity's detail goes through (its ``via``), if any."""
    via = link.via if link is not None else None
    return via if via is not None and via.kind == "relationship" else None
