"""Marking claims in the browser, the review queue, and noticing others' changes.

``Reviewing`` is mixed into ``CasebookApp``. A mark (``c`` ``d`` ``x`` ``u``),
a note (``n``) or an undo (``z``) applies to the claim under the cursor:
the Claims pane's current claim, or a claim link under the cursor of a
focused detail. It is committed at once in a thread worker with the claim
version the annotator saw; the result comes back as a message
(``ClaimMarked``, ``MarkRefused`` when the claim changed meanwhile,
``MarkFailed``) and the views read again without losing their place. In the
Claims pane a judgement moves the cursor on to the next claim of the queue.

Other people's marks: every ``POLL_SECONDS`` a worker asks SQLite whether
another connection committed (``PRAGMA data_version``); if so the views read
again, keeping the cursor on its item. The claim being read stays under the
cursor even if someone's mark takes it out of the queue, and a mark expects
the version of the claim from when the annotator came to it (``seen``), not
the one a refresh brought: marking over a change they may not have noticed
asks them first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.message import Message

from db import Annotation, Case, CaseCounts, CaseError, StaleClaimError, counts
from db.casefile import OPENED_READ_ONLY
from db.claims import add_note, mark_claim, undo_last_mark
from db.conflicts import open_conflict_counts, resolve_conflicts
from db.review import annotation_cursor, claims_marked_since, count_queue, next_in_queue
from db.text import one_line

from .feeds import ClaimRow
from .rows import STATUS_BADGES
from .screens.agreement import AgreementScreen
from .screens.mark_dialogs import NoteScreen, NoteWritten, StaleMarkScreen
from .widgets.claims_pane import REVIEW_QUEUE, ClaimsPane, next_queue
from .widgets.detail import Link
from .widgets.pane import Pane

if TYPE_CHECKING:
    from .app import CasebookApp

POLL_SECONDS = 1.5
MARK_ACTIONS = frozenset({"mark", "note", "undo_mark"})

# Keys on a claim: in the Claims pane, or on a claim link in a focused detail.
# Not in the footer (no room at 80 columns): the Claims pane shows them over
# its detail, and ? lists them.
CLAIM_BINDINGS = [
    Binding("c", "mark('confirmed')", "Mark", key_display="c d x u", show=False,
            tooltip="Mark: c confirmed, d disputed, x denied, u unreviewed"),
    Binding("d", "mark('disputed')", "Disputed", show=False),
    Binding("x", "mark('denied')", "Denied", show=False),
    Binding("u", "mark('unreviewed')", "Unreviewed", show=False),
    Binding("n", "note", "Note", show=False,
            tooltip="A note on the claim (↑↓ in the box: with a status)"),
    Binding("z", "undo_mark", "Undo", show=False,
            tooltip="Undo your latest mark (just after a mark: that one)"),
    Binding("v", "next_queue", "Queue", show=False,
            tooltip="Claims: next queue (unreviewed, statuses, conflicts…)"),
    Binding("V", "next_queue(-1)", "Previous queue", show=False,
            tooltip="Claims: the previous queue"),
]
REVIEW_BINDINGS = [
    *CLAIM_BINDINGS,
    Binding("r", "review", "Review", show=False,
            tooltip="Review: the unreviewed claims, one after another"),
    Binding("A", "agreement", "Agreement", show=False,
            tooltip="Agreement between annotators (Cohen's kappa)"),
]


@dataclass(frozen=True)
class ClaimTarget:
    """The claim a marking key applies to, as the annotator saw it."""

    claim_id: int
    version: int | None
    statement: str = ""
    in_claims_pane: bool = False


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


def commit(case: Case, request: MarkRequest, *, annotator: str) -> tuple[Annotation, bool]:
    """Write one request (called in a worker). Returns the annotation and
    whether it settled a merge conflict: on a claim in conflict a status key
    resolves it."""
    claim_id, version = request.claim_id, request.expected_version
    if request.kind == "undo":
        return undo_last_mark(case, claim_id, annotator=annotator, expected_version=version), False
    if request.kind == "note" and request.status is None:
        return add_note(case, claim_id, request.note, annotator=annotator,
                        expected_version=version), False
    assert request.status is not None
    if open_conflict_counts(case, [claim_id]):
        return resolve_conflicts(case, claim_id, request.status, annotator=annotator,
                                 note=request.note, expected_version=version), True
    return mark_claim(case, claim_id, request.status, annotator=annotator, note=request.note,
                      expected_version=version), False


def describe(request: MarkRequest, annotation: Annotation, settled: bool) -> str:
    """One short line saying what was recorded (our own words and statuses only)."""
    status = STATUS_BADGES.get(annotation.status, annotation.status)
    claim = f"Claim {request.claim_id}"
    if annotation.kind == "undo":
        return f"{claim}: mark taken back ({status})."
    if annotation.kind == "note":
        return f"{claim}: note added."
    if settled:
        return f"{claim}: conflict settled, {status}."
    return f"{claim}: {status}" + (" with a note." if annotation.note else ".")


class Reviewing:
    """Marking keys, the review queue and polling, for ``CasebookApp``."""

    POLL_SECONDS = POLL_SECONDS

    class ClaimMarked(Message):
        """A mark, note or undo was committed (and is on disk)."""

        def __init__(self, request: MarkRequest, annotation: Annotation, settled: bool,
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

    class MarkFailed(Message):
        """A mark could not be written (the reason is one line)."""

        def __init__(self, request: MarkRequest, reason: str) -> None:
            super().__init__()
            self.request = request
            self.reason = reason

    class CaseChanged(Message):
        """Another connection committed to the case file."""

        def __init__(self, data_version: int, cursor: int, claim_ids: list[int],
                     counts: CaseCounts | None, first: bool) -> None:
            super().__init__()
            self.data_version = data_version
            self.cursor = cursor
            self.claim_ids = claim_ids
            self.counts = counts
            self.first = first

    class PollQuiet(Message, bubble=False):
        """A poll found no change (or could not read): poll again at the next tick."""

    class QueueCounted(Message, bubble=False):
        def __init__(self, queue: str, total: int) -> None:
            super().__init__()
            self.queue = queue
            self.total = total

    # -- state -------------------------------------------------------------

    def start_reviewing(self: "CasebookApp") -> None:
        """Called once mounted: begin polling for other people's changes."""
        self._mark_in_flight = False
        self._seen_link: tuple[int, int | None] | None = None
        # (claim marked, its version after the mark, Claims cursor moves then)
        self._just_marked: tuple[int, int | None, int] | None = None
        self._seen_version: int | None = None
        self._seen_cursor: int | None = None
        self._seen_counts: CaseCounts | None = None
        self._polling = False
        self.poll_now()
        self.set_interval(self.POLL_SECONDS, self.poll_now, name="poll")

    @property
    def closing(self: "CasebookApp") -> bool:
        """The app is quitting: its widgets are going, a late result is dropped."""
        return not self.default_screen.query(ClaimsPane)

    @property
    def claims_pane(self: "CasebookApp") -> ClaimsPane:
        return self.query_one("#claim-pane", ClaimsPane)

    @property
    def claims_queue(self: "CasebookApp") -> str:
        return self.claims_pane.queue

    def claim_target(self: "CasebookApp") -> ClaimTarget | None:
        """The claim under the cursor: the Claims pane's, or a focused claim link."""
        pane = self.active_pane
        if isinstance(pane, ClaimsPane):
            row = pane.paged_list.cursor_item
            if isinstance(row, ClaimRow) and row.id == pane.detail_id:
                return ClaimTarget(row.id, pane.seen_version(row.id, row.claim.version),
                                   row.claim.statement, True)
            return None
        link = pane.detail.link if pane.detail.has_focus else None
        if link is not None and link.kind == "claim":
            seen = self._seen_link
            version = seen[1] if seen is not None and seen[0] == link.id else link.version
            return ClaimTarget(link.id, version)
        return None

    def _claim_in_reach(self: "CasebookApp") -> bool:
        pane = self.active_pane
        if pane.kind == "claim":
            return bool(pane.paged_list.total)
        link = pane.detail.link if pane.detail.has_focus else None
        return link is not None and link.kind == "claim"

    def check_action(self: "CasebookApp", action: str, parameters: tuple[object, ...]
                     ) -> bool | None:
        if action in MARK_ACTIONS:
            return self._claim_in_reach() or (action == "undo_mark" and self._just_marked
                                             is not None and self.active_kind == "claim")
        if action == "next_queue":
            return self.active_kind == "claim"
        return super().check_action(action, parameters)  # type: ignore[misc]

    def on_detail_view_link_highlighted(self: "CasebookApp", message: Any) -> None:
        if message.detail.screen is not self.default_screen:
            return   # search results, agreement: not a place to mark from
        link = message.link
        if link is None or link.kind != "claim":
            self._seen_link = None
        elif self._seen_link is None or self._seen_link[0] != link.id:
            # As for the Claims pane: the version the cursor found, kept while
            # the detail is read again around it.
            self._seen_link = (link.id, link.version)
        self.refresh_bindings()   # the marking keys apply on a claim link

    def say(self: "CasebookApp", text: str, **options: Any) -> None:
        """One notification at a time: marking fast never piles them up."""
        self.clear_notifications()
        self.notify(text, **options)

    def _refuse_if_read_only(self: "CasebookApp") -> bool:
        if not self.read_only:
            return False
        reason = self.case.read_only_reason or OPENED_READ_ONLY
        self.say(f"Read-only ({reason}): marks and notes are off.",
                 severity="warning", timeout=4, markup=False)
        return True

    def _busy(self: "CasebookApp") -> bool:
        """A mark is being saved, or the claims are being read again: a key now
        could land on a claim the annotator has not seen, so it is refused."""
        if self._mark_in_flight:
            self.say("Saving the last mark…", timeout=1, markup=False)
        elif self.claims_pane.paged_list.is_rereading:
            self.say("Updating the claims…", timeout=1, markup=False)
        else:
            return False
        return True

    def _ready_to_mark(self: "CasebookApp") -> ClaimTarget | None:
        if self._refuse_if_read_only():
            return None
        if self._busy():
            return None
        target = self.claim_target()
        if target is None:
            self.say("No claim under the cursor yet.", timeout=2, markup=False)
        return target

    # -- the keys ----------------------------------------------------------

    def action_mark(self: "CasebookApp", status: str) -> None:
        target = self._ready_to_mark()
        if target is not None:
            self.send_mark(MarkRequest("mark", target.claim_id, target.version, status=status,
                                       statement=target.statement,
                                       advance=target.in_claims_pane, queue=self.claims_queue))

    def action_note(self: "CasebookApp") -> None:
        target = self._ready_to_mark()
        if target is None:
            return

        def written(note: NoteWritten | None) -> None:
            if note is not None:
                self.send_mark(MarkRequest(
                    "note", target.claim_id, target.version, status=note.status, note=note.text,
                    statement=target.statement,
                    advance=target.in_claims_pane and note.status is not None,
                    queue=self.claims_queue))

        self.push_screen(NoteScreen(target.claim_id, target.statement), callback=written)

    def action_undo_mark(self: "CasebookApp") -> None:
        if self._refuse_if_read_only():
            return
        if self._busy():
            return
        just = self._just_marked
        if (just is not None and self.active_kind == "claim"
                and self.claims_pane.paged_list.moves == just[2]):
            # Right after a mark moved the cursor on: take that mark back, and go back to it.
            claim_id, version, _ = just
            self.send_mark(MarkRequest("undo", claim_id, version, return_to=claim_id,
                                       queue=self.claims_queue))
            return
        target = self.claim_target()
        if target is None:
            self.say("No claim under the cursor yet.", timeout=2, markup=False)
            return
        self.send_mark(MarkRequest("undo", target.claim_id, target.version,
                                   statement=target.statement, queue=self.claims_queue))

    def action_next_queue(self: "CasebookApp", step: int = 1) -> None:
        self.show_queue(next_queue(self.claims_queue, step))

    def action_review(self: "CasebookApp") -> None:
        self.show_queue(REVIEW_QUEUE)

    def show_queue(self: "CasebookApp", queue: str) -> None:
        """The Claims pane, showing ``queue``."""
        if self.active_kind != "claim":
            self.action_show_pane("claim")
        self.claims_pane.set_queue(queue)
        self.claims_pane.paged_list.focus()

    def action_agreement(self: "CasebookApp") -> None:
        def chosen(link: Link | None) -> None:
            if link is not None:
                self.follow(link)

        self.push_screen(AgreementScreen(self.case), callback=chosen)

    # -- committing --------------------------------------------------------

    def send_mark(self: "CasebookApp", request: MarkRequest) -> None:
        self._mark_in_flight = True
        self._commit(request)

    @work(thread=True, exclusive=True, group="mark")
    def _commit(self: "CasebookApp", request: MarkRequest) -> None:
        try:
            annotation, settled = commit(self.case, request, annotator=self.annotator)
        except StaleClaimError as error:
            self.post_message(self.MarkRefused(request, error))
            return
        except CaseError as error:
            self.post_message(self.MarkFailed(request, one_line(str(error))))
            return
        except Exception as error:  # noqa: BLE001 - never lose the session over one mark
            self.post_message(self.MarkFailed(
                request, one_line(f"Could not save the mark (nothing was written): {error}")))
            return
        next_id = None
        if request.advance:
            try:
                found = next_in_queue(self.case, request.queue, request.claim_id, wrap=True)
                next_id = found.id if found else None
            except Exception:  # noqa: BLE001 - the mark stands; the cursor stays
                next_id = None
        self.post_message(self.ClaimMarked(request, annotation, settled, next_id))

    def on_reviewing_claim_marked(self: "CasebookApp", message: "Reviewing.ClaimMarked") -> None:
        if self.closing:
            return
        request = message.request
        self._mark_in_flight = False
        claims = self.claims_pane
        version_after = (None if request.expected_version is None
                         else request.expected_version + 1)
        self._just_marked = None
        if claims.seen is not None and claims.seen[0] == request.claim_id and version_after:
            claims.seen = (request.claim_id, version_after)   # our own change: seen
        if self._seen_link is not None and self._seen_link[0] == request.claim_id:
            self._seen_link = (request.claim_id, version_after)
        if request.advance:
            claims.reload(keep_id=message.next_id)
            self._just_marked = (request.claim_id, version_after, claims.paged_list.moves)
        elif request.return_to is not None:
            claims.reload(keep_id=request.return_to)
        else:
            claims.reload()
        for pane in self.query(Pane):
            if pane is not claims:
                pane.refresh_detail()
        self.reload_counts()
        text = describe(request, message.annotation, message.settled)
        if request.advance and message.next_id is None:
            text += f" The {request.queue} queue is empty."
        self.say(text, timeout=3, markup=False)
        self.refresh_bindings()

    def on_reviewing_mark_refused(self: "CasebookApp", message: "Reviewing.MarkRefused") -> None:
        if self.closing:
            return
        self._mark_in_flight = False
        request, error = message.request, message.error
        self.reload_views()

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:
                self.send_mark(replace(request, expected_version=error.current_version))
            else:
                self._now_seen(request.claim_id, error.current_version)
                self.say(f"Claim {request.claim_id} left as it is: "
                            f"{STATUS_BADGES.get(error.current_status, error.current_status)}.",
                            timeout=3, markup=False)

        self.push_screen(StaleMarkScreen(error, kind=request.kind, status=request.status,
                                         note=request.note, statement=request.statement),
                         callback=chosen)

    def _now_seen(self: "CasebookApp", claim_id: int, version: int) -> None:
        claims = self.claims_pane
        if claims.seen is not None and claims.seen[0] == claim_id:
            claims.seen = (claim_id, version)
        if self._seen_link is not None and self._seen_link[0] == claim_id:
            self._seen_link = (claim_id, version)

    def on_reviewing_mark_failed(self: "CasebookApp", message: "Reviewing.MarkFailed") -> None:
        if self.closing:
            return
        self._mark_in_flight = False
        self.say(message.reason, severity="error", timeout=5, markup=False)
        self.reload_views()

    # -- reading again -----------------------------------------------------

    def reload_views(self: "CasebookApp", *, lists: bool = False) -> None:
        """Read the claims (and with ``lists`` every list) and every detail again,
        keeping each cursor on its item."""
        for pane in self.query(Pane):
            if lists or pane.kind == "claim":
                pane.reload()
            else:
                pane.refresh_detail()
        self.reload_counts()

    def reload_counts(self: "CasebookApp") -> None:
        self._load_counts()
        self._count_queue(self.claims_queue)

    @work(thread=True, exclusive=True, group="queue-count")
    def _count_queue(self: "CasebookApp", queue: str) -> None:
        try:
            total = count_queue(self.case, queue)
        except CaseError:
            return   # the list says so itself
        self.post_message(self.QueueCounted(queue, total))

    def on_reviewing_queue_counted(self: "CasebookApp", message: "Reviewing.QueueCounted") -> None:
        if self.closing:
            return
        if message.queue == self.claims_queue:
            from .widgets.pane_bar import PaneBar

            bar = self.query_one(PaneBar)
            bar.queue = message.queue
            bar.queue_total = message.total

    def on_claims_pane_queue_changed(self: "CasebookApp", message: ClaimsPane.QueueChanged) -> None:
        from .widgets.pane_bar import PaneBar

        bar = self.query_one(PaneBar)
        bar.queue, bar.queue_total = message.queue, None
        self._count_queue(message.queue)
        self.refresh_bindings()

    # -- noticing other people's changes -------------------------------------

    def poll_now(self: "CasebookApp") -> None:
        if not self._polling:
            self._polling = True
            self._poll(self._seen_version, self._seen_cursor)

    @work(thread=True, exclusive=True, group="poll")
    def _poll(self: "CasebookApp", seen: int | None, cursor: int | None) -> None:
        try:
            version = self.case.data_version()
            if seen is not None and version == seen:
                self.post_message(self.PollQuiet())
                return
            if seen is None or cursor is None:   # the starting point (kept cheap: start-up)
                self.post_message(self.CaseChanged(version, annotation_cursor(self.case), [],
                                                   None, first=True))
                return
            changed, cursor = claims_marked_since(self.case, cursor)
            self.post_message(self.CaseChanged(version, cursor, changed, counts(self.case),
                                               first=False))
        except Exception:  # noqa: BLE001 - a failed look is tried again at the next tick
            self.post_message(self.PollQuiet())

    def on_reviewing_poll_quiet(self: "CasebookApp", message: "Reviewing.PollQuiet") -> None:
        self._polling = False

    def on_reviewing_case_changed(self: "CasebookApp", message: "Reviewing.CaseChanged") -> None:
        if self.closing:
            return
        self._polling = False
        before = self._seen_counts
        self._seen_version, self._seen_cursor = message.data_version, message.cursor
        self._seen_counts = message.counts
        if message.first:
            return
        # Marks alone: the claims and the details. Anything else: every list too.
        marks_only = (bool(message.claim_ids) and before is not None
                      and message.counts is not None
                      and before.model_copy(update={"annotations": 0})
                      == message.counts.model_copy(update={"annotations": 0}))
        claims = self.claims_pane
        here = claims.paged_list.cursor_item_id
        if claims.queue != "all" and here in message.claim_ids:
            # The claim being read changed: it stays under the cursor, as it is now,
            # even if it left the queue; the next move reads the queue again.
            claims.hold()
            if self.active_pane is claims:
                self.say(f"Claim {here} was just changed by someone else (see its history).",
                         timeout=4, markup=False)
        else:
            claims.reload()
        for pane in self.query(Pane):
            if pane is claims:
                continue
            if marks_only:
                pane.refresh_detail()
            else:
                pane.reload()
        self.reload_counts()
