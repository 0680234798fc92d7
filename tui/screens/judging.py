"""A judging queue: one proposal at a time, judged with one key like a claim
in review, every judgement kept; ``Space`` skips (it comes back next time).
The queues (``tui.kinds.REVIEW_QUEUES``):

- ``D`` likely duplicates: ``s`` the same (the second entity is combined
  into the first: its names become aliases, its links move; ``casebook
  uncombine`` undoes it), ``d`` not the same;
- ``M`` possible mentions, words of an excerpt that resemble an entity's
  name (inflected, in another script, a generic alias where another place
  is named): ``l`` link (the excerpt is linked to the entity), ``n`` not this
  entity.

Reads and writes run in thread workers; the screen shows only what they post back.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError
from db.text import one_line

from ..details.proposals import ReviewQueue
from ..text import LINE_CHARS
from .build_base import BUILD_CSS
from .dialog import Dialog

BATCH = 50


class JudgingScreen(Dialog[None]):
    """The queue's own keys are bound by :func:`judging_screen`."""

    CSS_PATH = BUILD_CSS
    takes_focus = False   # its keys are its bindings: nothing to focus
    BINDINGS = [Binding("escape", "close", "Close")]

    class Loaded(Message, bubble=False):
        def __init__(self, proposals: list[Any], problem: str = "") -> None:
            super().__init__()
            self.proposals = proposals
            self.problem = problem

    class Judged(Message, bubble=False):
        def __init__(self, summary: str, *, failed: bool = False, more: bool = False) -> None:
            super().__init__()
            self.summary = summary
            self.failed = failed
            self.more = more   # the judgement did more than record itself: linked, combined

    def __init__(self, case: Case, queue: ReviewQueue, *, annotator: str, read_only: bool) -> None:
        super().__init__()
        self.case = case
        self.queue = queue
        self.annotator = annotator
        self.read_only = read_only
        self.proposals: list[Any] = []
        self.busy = True
        self.judged = 0
        self.did_more = 0    # of those judged here, linked or combined
        self._after: Any = None   # the last one judged: skipped ones come back next visit

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box"):
            yield Static(Content.styled(self.queue.title, "bold"), classes="box-title")
            yield Static(Content(self.queue.reading), id="proposal")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(self.queue.hint), classes="box-hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="judging")
    def load(self) -> None:
        try:
            found = list(self.queue.load(self.case, BATCH, self._after))
        except CaseError as error:
            self.post_message(self.Loaded([], one_line(str(error), limit=LINE_CHARS)))
            return
        self.post_message(self.Loaded(found))

    def on_judging_screen_loaded(self, message: Loaded) -> None:
        self.busy = False
        self.proposals = message.proposals
        if message.problem:
            self.show_status(message.problem, error=True)
        self.show_proposal()

    def show_proposal(self) -> None:
        view = self.query_one("#proposal", Static)
        if not self.proposals:
            view.update(Content(self.queue.finished(self.judged, self.did_more)))
            return
        view.update(self.queue.lines(self.proposals[0], len(self.proposals) - 1))

    def action_judge(self, judgement: str) -> None:
        if self.busy or not self.proposals:
            return
        if self.read_only and judgement != "skip":
            self.show_status("Read-only: judgements cannot be saved.", error=True)
            return
        self.busy = True
        self.show_status("Saving…")
        self.write(self.proposals[0], judgement)

    @work(thread=True, exclusive=True, group="judging")
    def write(self, shown: Any, judgement: str) -> None:
        try:
            more = False
            if not self.read_only:
                more = self.queue.data.judge(self.case, self.queue.proposal(shown), judgement,
                                             self.annotator)
        except CaseError as error:
            said = one_line(str(error), limit=LINE_CHARS)
            self.post_message(self.Judged(f"Not saved: {said}", failed=True))
            return
        self.post_message(self.Judged(self.queue.said(shown, judgement, more), more=more))

    def on_judging_screen_judged(self, message: Judged) -> None:
        self.busy = False
        self.show_status(message.summary, error=message.failed)
        if message.failed:
            return
        self.judged += 1
        self.did_more += message.more
        done = self.proposals.pop(0)
        self._after = self.queue.proposal(done)
        self.proposals = self.queue.rest(self.proposals, done, message.more)
        if self.proposals:
            self.show_proposal()
        else:
            self.busy = True
            self.load()

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def action_close(self) -> None:
        self.dismiss(None)


_SCREENS: dict[str, type[JudgingScreen]] = {}


def judging_screen(queue: ReviewQueue, case: Case, *, annotator: str,
                   read_only: bool) -> JudgingScreen:
    """The queue's screen over ``case``, its keys bound (Textual binds keys per class:
    one subclass a queue, made once)."""
    screen_class = _SCREENS.get(queue.data.name)
    if screen_class is None:
        screen_class = type(f"JudgingScreen_{queue.data.name}", (JudgingScreen,),
                            {"BINDINGS": [*queue.bindings, *JudgingScreen.BINDINGS]})
        _SCREENS[queue.data.name] = screen_class
    return screen_class(case, queue, annotator=annotator, read_only=read_only)
