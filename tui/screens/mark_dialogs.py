"""The small screens of marking: writing a note, and choosing what to do when
the claim changed since the annotator saw it.

Everything from the case (statements, names, notes, times) is shown as plain
text (``tui.text``), never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from db import StaleClaimError

from ..labels import STATUS_BADGES, short_time, status_badge
from ..text import fit, join, plain_line
from .dialog import Dialog

# ↓/↑ in the note box: leave the status as it is, or mark with the note. The
# list does not wrap: ↑ from "unchanged" stays unchanged (a reflexive ↑, as in
# a shell's history, must never add a status unseen).
NOTE_STATUSES: tuple[str | None, ...] = (None, "confirmed", "disputed", "denied", "unreviewed")
NOTE_LIMIT = 4000


@dataclass(frozen=True)
class NoteWritten:
    text: str
    status: str | None


# A dialog shows the start of a long statement or note (the whole is in the
# claim's detail and history), so its choices stay on an 80x24 screen.
STATEMENT_PREVIEW = 160
NOTE_PREVIEW = 200


def statement_preview(statement: str, limit: int = STATEMENT_PREVIEW) -> Content:
    return fit(plain_line(statement), limit)


class NoteScreen(Dialog[NoteWritten | None]):
    """``n``: a note on a claim. Enter saves, Esc cancels; ↓/↑ choose a status
    to mark with it (shown, and named in the hint Enter goes by)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "status(1)", "Status", key_display="↑↓",
                tooltip="Choose a status to mark with the note"),
        Binding("up", "status(-1)", "Status", show=False),
    ]

    def __init__(self, claim_id: int, statement: str = "", *, status: str | None = None,
                 text: str = "", problem: str = "", noun: str = "claim") -> None:
        super().__init__()
        self.claim_id = claim_id
        self.noun = noun   # what is noted: a claim or a relationship
        self.statement = statement
        self.status = status
        # A note that could not be saved comes back in its box, with why (``problem``).
        self.text = text
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box", classes="dialog"):
            yield Static(Content.styled(f"Note on {self.noun} {self.claim_id}", "bold"),
                         classes="dialog-title")
            if self.statement:
                yield Static(statement_preview(self.statement), classes="dialog-text")
            if self.problem:
                yield Static(join([("Not saved: ", "bold"), plain_line(self.problem),
                                   (" Enter tries again; Esc gives the note up.", "")]),
                             id="note-problem", classes="dialog-text")
            yield Input(self.text, placeholder="your note", id="note-input", max_length=NOTE_LIMIT)
            yield Static(self._status_line(), id="note-status", classes="dialog-text")
            yield Static(self._hint(), id="note-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_position = len(box.value)   # a note given back: typing goes on at its end
        box.focus()

    def _status_line(self) -> Content:
        chosen = (Content.styled("unchanged (a note only)", "dim") if self.status is None
                  else status_badge(self.status))
        return join([("Status (↓ ↑): ", "bold"), chosen])

    def _hint(self) -> Content:
        if self.status is None:
            return Content("Enter saves the note · Esc cancels · ↓ a status too")
        return join([("Enter saves the note and marks it ", "bold"), status_badge(self.status),
                     (" · ↑ back · Esc cancels", "")])

    def action_status(self, step: int) -> None:
        index = max(0, min(len(NOTE_STATUSES) - 1, NOTE_STATUSES.index(self.status) + step))
        self.status = NOTE_STATUSES[index]
        self.query_one("#note-status", Static).update(self._status_line())
        self.query_one("#note-hint", Static).update(self._hint())

    @on(Input.Submitted, "#note-input")
    def _save(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.notify("A note needs some text (Esc cancels).", severity="warning", timeout=3)
            return
        self.dismiss(NoteWritten(text, self.status))

    def action_cancel(self) -> None:
        self.dismiss(None)


def what_you_did(kind: str, status: str | None, note: str) -> Content:
    if kind == "undo":
        return Content("Your undo of your latest mark")
    if kind == "note" and status is None:
        return join([("Your note: ", ""), fit(plain_line(note), NOTE_PREVIEW)])
    parts: list[Content | tuple[str, str]] = [("Your mark: ", ""), status_badge(status or "")]
    if note:
        parts += [("  ", ""), fit(plain_line(note, "dim"), NOTE_PREVIEW)]
    return join(parts)


def what_changed(error: StaleClaimError) -> Content:
    who = plain_line(error.changed_by or "someone", "bold")
    when = f" at {short_time(error.changed_at)} UTC" if error.changed_at else ""
    did: list[Content | tuple[str, str]]
    if error.change_kind == "note":
        did = [who, (f" added a note{when}; it is still ", ""), status_badge(error.current_status)]
    elif error.change_kind == "undo":
        did = [who, (f" undid a mark{when}, so it is ", ""), status_badge(error.current_status)]
    else:
        did = [who, (" marked it ", ""), status_badge(error.current_status), (when, "")]
    note = fit(plain_line(error.change_note), NOTE_PREVIEW)
    why: list[Content | tuple[str, str]] = (
        [(": “", ""), note, ("”", "")] if error.change_note.strip() else [])
    return join([*did, *why] if why else [*did, "."])


class StaleMarkScreen(Dialog[bool]):
    """The claim changed since the annotator saw it: who changed it to what,
    and a choice. True: keep mine (mark again, over theirs, on the record);
    False: take theirs (change nothing)."""

    BINDINGS = [
        Binding("m", "choose(True)", "Keep mine"),
        Binding("t,escape", "choose(False)", "Take theirs"),
    ]

    def __init__(self, error: StaleClaimError, *, kind: str, status: str | None,
                 note: str = "", statement: str = "") -> None:
        super().__init__()
        self.error = error
        self.kind = kind
        self.status = status
        self.note = note
        self.statement = statement

    def compose(self) -> ComposeResult:
        error = self.error
        mine = "do my undo anyway" if self.kind == "undo" else (
            "add my note anyway" if self.kind == "note" and self.status is None
            else f"mark it {STATUS_BADGES.get(self.status or '', self.status)} over theirs")
        with Vertical(id="stale-box", classes="dialog"):
            changed = f"{error.noun.capitalize()} {error.claim_id} changed since you saw it"
            yield Static(Content.styled(changed, "bold"), classes="dialog-title")
            if self.statement:
                yield Static(statement_preview(self.statement), classes="dialog-text")
            yield Static(what_changed(error), classes="dialog-text")
            yield Static(what_you_did(self.kind, self.status, self.note), classes="dialog-text")
            yield Static(Content.styled(
                f"You saw version {error.expected_version}; it is now version "
                f"{error.current_version}. Nothing was changed yet.", "dim"),
                classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"m  Keep mine: {mine}"), id="keep-mine", compact=True)
                yield Button(Content("t  Take theirs"), id="take-theirs", compact=True)
            yield Static(Content("m keep mine · t or Esc take theirs (leave it as it is)"),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#take-theirs", Button).focus()   # the safe choice

    def action_choose(self, keep_mine: bool) -> None:
        self.dismiss(keep_mine)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "keep-mine")
