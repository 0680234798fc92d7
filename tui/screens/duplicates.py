"""``D``: the likely-duplicates queue. One proposed pair of entities at a
time, judged with one key like a claim in review: ``s`` the same (the
second is combined into the first: its names become aliases, its links
move; ``casebook uncombine`` undoes it), ``d`` not the same, ``Space`` skip
(it comes back next time). Every judgement is kept. Reads and writes run in
thread workers; the screen shows only what they post back.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError, curation
from db.models import Entity
from db.text import one_line

from ..text import join, plain_line
from .build_base import BUILD_CSS
from .dialog import Dialog

BATCH = 50
DESCRIPTION_CHARS = 160
HINT = "s the same (combine) · d not the same · Space skip · Esc close"


def entity_lines(label: str, entity: Entity) -> Content:
    description = one_line(entity.description)
    if len(description) > DESCRIPTION_CHARS:
        description = description[:DESCRIPTION_CHARS - 1] + "…"
    parts: list[Content | str | tuple[str, str]] = [
        (f"{label} ", ".cb--dim"), plain_line(entity.name, ".cb--name"),
        (f"  {entity.kind} · entity {entity.id}", ".cb--dim")]
    if entity.aliases:
        parts += [("\n   also: ", ".cb--label"), plain_line(" · ".join(entity.aliases))]
    if description:
        parts += [("\n   ", ""), plain_line(description, ".cb--dim")]
    return join(parts)


class DuplicatesScreen(Dialog[None]):
    CSS_PATH = BUILD_CSS
    takes_focus = False   # its keys are its bindings: nothing to focus
    BINDINGS = [
        Binding("s", "judge('same')", "Same", tooltip="The same: combine the second into the first"),
        Binding("d", "judge('not_same')", "Not the same"),
        Binding("space", "judge('skip')", "Skip"),
        Binding("escape", "close", "Close"),
    ]

    class PairsLoaded(Message, bubble=False):
        def __init__(self, pairs: list[curation.DuplicatePair], problem: str = "") -> None:
            super().__init__()
            self.pairs = pairs
            self.problem = problem

    class Judged(Message, bubble=False):
        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, case: Case, *, annotator: str, read_only: bool) -> None:
        super().__init__()
        self.case = case
        self.annotator = annotator
        self.read_only = read_only
        self.pairs: list[curation.DuplicatePair] = []
        self.busy = True
        self.judged = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box"):
            yield Static(Content.styled("Likely duplicates", "bold"), classes="box-title")
            yield Static(Content("Reading the entities…"), id="pair")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(HINT), classes="box-hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="duplicates")
    def load(self) -> None:
        try:
            pairs = curation.likely_duplicates(self.case, limit=BATCH)
        except CaseError as error:
            self.post_message(self.PairsLoaded([], one_line(str(error))))
            return
        self.post_message(self.PairsLoaded(pairs))

    def on_duplicates_screen_pairs_loaded(self, message: PairsLoaded) -> None:
        self.busy = False
        self.pairs = message.pairs
        if message.problem:
            self.show_status(message.problem, error=True)
        self.show_pair()

    def show_pair(self) -> None:
        pair_view = self.query_one("#pair", Static)
        if not self.pairs:
            pair_view.update(Content(f"No more likely duplicates ({self.judged} judged here)."))
            return
        pair = self.pairs[0]
        pair_view.update(join([
            (f"{pair.reason} · {pair.score:.0f}", ".cb--heading"), ("\n\n", ""),
            entity_lines("1", pair.a), ("\n\n", ""), entity_lines("2", pair.b),
            (f"\n\n{len(self.pairs) - 1} more in this batch", ".cb--dim")]))

    def action_judge(self, judgement: str) -> None:
        if self.busy or not self.pairs:
            return
        if self.read_only and judgement != "skip":
            self.show_status("Read-only: judgements cannot be saved.", error=True)
            return
        pair = self.pairs[0]
        self.busy = True
        self.show_status("Saving…")
        self.write(pair, judgement)

    @work(thread=True, exclusive=True, group="duplicates")
    def write(self, pair: curation.DuplicatePair, judgement: str) -> None:
        a, b = pair.a.id or 0, pair.b.id or 0
        try:
            if not self.read_only:
                curation.judge_pair(self.case, a, b, judgement, annotator=self.annotator)
            if judgement == "same":
                curation.combine(self.case, a, [b], annotator=self.annotator,
                                 note="the same (likely-duplicates queue)")
        except CaseError as error:
            self.post_message(self.Judged(f"Not saved: {one_line(str(error))}"))
            return
        words = {"same": f"combined entity {b} into {a}", "not_same": "not the same",
                 "skip": "skipped"}
        self.post_message(self.Judged(f"{pair.a.name} / {pair.b.name}: {words[judgement]}"))

    def on_duplicates_screen_judged(self, message: Judged) -> None:
        self.busy = False
        failed = message.summary.startswith("Not saved")
        self.show_status(message.summary, error=failed)
        if failed:
            return
        self.judged += 1
        done = self.pairs.pop(0)
        if "combined" in message.summary:   # pairs with the absorbed entity are gone
            gone = done.b.id
            self.pairs = [p for p in self.pairs if gone not in (p.a.id, p.b.id)]
        if self.pairs:
            self.show_pair()
        else:
            self.busy = True
            self.load()

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def action_close(self) -> None:
        self.dismiss(None)
