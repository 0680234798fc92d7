"""``M``: the possible-mentions queue. One proposal at a time — words of an
excerpt that resemble an entity's name (inflected, in another script, a
generic alias where another place is named) — judged with one key: ``l`` link
(the excerpt is linked to the entity), ``n`` not this entity, ``Space`` skip
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

from db import Case, CaseError
from db.entities import entities_by_ids
from db.models import Entity, PossibleMention
from db.possible_mentions import judge_mention, possible_mentions
from db.sources import excerpts_by_ids
from db.text import one_line

from ..text import join, plain_line
from .build_base import BUILD_CSS
from .dialog import Dialog
from .duplicates import entity_lines

BATCH = 50
CONTEXT = 120   # characters of the excerpt either side of the words
HINT = "l link · n not this entity · Space skip · Esc close"
REASONS = {"inflected": "an inflected form", "transliterated": "in another script",
           "similar": "a close spelling", "generic": "a generic name, another place named"}


class Proposal:
    """A possible mention with what the screen shows of it."""

    def __init__(self, mention: PossibleMention, text: str, entity: Entity | None) -> None:
        self.mention = mention
        self.text = text
        self.entity = entity


def proposal_lines(proposal: Proposal, remaining: int) -> Content:
    m = proposal.mention
    text = proposal.text
    start = max(0, m.start - CONTEXT)
    end = min(len(text), m.end + CONTEXT)
    parts: list[Content | str | tuple[str, str]] = [
        (f"{REASONS.get(m.reason, m.reason)} · {m.score:.0f}", ".cb--heading"), ("\n\n", ""),
        ("excerpt ", ".cb--dim"), (f"{m.excerpt_id}\n", ".cb--dim"),
        ("…" if start else "", ""), plain_line(text[start:m.start]),
        (" " if text[m.start - 1:m.start].isspace() else "", ""),
        plain_line(text[m.start:m.end], ".cb--match"),
        (" " if text[m.end:m.end + 1].isspace() else "", ""),
        plain_line(text[m.end:end]), ("…" if end < len(text) else "", ""), ("\n\n", ""),
        ("resembles ", ".cb--dim"), plain_line(m.name, ".cb--name"), ("\n\n", ""),
    ]
    if proposal.entity is not None:
        parts.append(entity_lines("→", proposal.entity))
    parts.append((f"\n\n{remaining} more in this batch", ".cb--dim"))
    return join(parts)


class PossibleMentionsScreen(Dialog[None]):
    CSS_PATH = BUILD_CSS
    takes_focus = False   # its keys are its bindings: nothing to focus
    BINDINGS = [
        Binding("l", "judge('link')", "Link", tooltip="Link the excerpt to the entity"),
        Binding("n", "judge('not')", "Not this entity"),
        Binding("space", "judge('skip')", "Skip"),
        Binding("escape", "close", "Close"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, proposals: list[Proposal], problem: str = "") -> None:
            super().__init__()
            self.proposals = proposals
            self.problem = problem

    class Judged(Message, bubble=False):
        def __init__(self, summary: str, failed: bool = False) -> None:
            super().__init__()
            self.summary = summary
            self.failed = failed

    def __init__(self, case: Case, *, annotator: str, read_only: bool) -> None:
        super().__init__()
        self.case = case
        self.annotator = annotator
        self.read_only = read_only
        self.proposals: list[Proposal] = []
        self.busy = True
        self.judged = 0
        self.linked = 0
        self._after = 0   # skipped ones come back on the next visit, not in this one

    def compose(self) -> ComposeResult:
        with Vertical(classes="build-box"):
            yield Static(Content.styled("Possible mentions", "bold"), classes="box-title")
            yield Static(Content("Reading the proposals…"), id="proposal")
            with Vertical(classes="box-foot"):
                yield Static("", id="form-status")
                yield Static(Content(HINT), classes="box-hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="possible-mentions")
    def load(self) -> None:
        try:
            found = possible_mentions(self.case, limit=BATCH, after=self._after)
            texts = {x.id: x.text for x in excerpts_by_ids(self.case, list({m.excerpt_id for m in found}))}
            entities = {e.id: e for e in entities_by_ids(self.case, list({m.entity_id for m in found}))}
        except CaseError as error:
            self.post_message(self.Loaded([], one_line(str(error))))
            return
        self.post_message(self.Loaded([Proposal(m, texts.get(m.excerpt_id, ""), entities.get(m.entity_id))
                                       for m in found]))

    def on_possible_mentions_screen_loaded(self, message: Loaded) -> None:
        self.busy = False
        self.proposals = message.proposals
        if message.problem:
            self.show_status(message.problem, error=True)
        self.show_proposal()

    def show_proposal(self) -> None:
        view = self.query_one("#proposal", Static)
        if not self.proposals:
            view.update(Content(f"No more possible mentions ({self.judged} judged here, "
                                f"{self.linked} linked)."))
            return
        view.update(proposal_lines(self.proposals[0], len(self.proposals) - 1))

    def action_judge(self, judgement: str) -> None:
        if self.busy or not self.proposals:
            return
        if self.read_only and judgement != "skip":
            self.show_status("Read-only: judgements cannot be saved.", error=True)
            return
        self.busy = True
        self.show_status("Saving…")
        self.write(self.proposals[0].mention, judgement)

    @work(thread=True, exclusive=True, group="possible-mentions")
    def write(self, mention: PossibleMention, judgement: str) -> None:
        try:
            linked = False
            if not self.read_only:
                linked = judge_mention(self.case, mention.id, judgement, annotator=self.annotator)
        except CaseError as error:
            self.post_message(self.Judged(f"Not saved: {one_line(str(error))}", failed=True))
            return
        words = {"link": "linked" if linked else "linked already", "not": "not this entity",
                 "skip": "skipped"}
        self.post_message(self.Judged(f"{one_line(mention.form)} → {one_line(mention.name)}: "
                                      f"{words[judgement]}"))

    def on_possible_mentions_screen_judged(self, message: Judged) -> None:
        self.busy = False
        self.show_status(message.summary, error=message.failed)
        if message.failed:
            return
        self.judged += 1
        self.linked += message.summary.endswith(": linked")
        done = self.proposals.pop(0)
        self._after = done.mention.id
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
