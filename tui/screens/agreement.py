"""``A``: agreement between annotators — per pair, with Cohen's kappa, and
the claims where their standing marks differ (Enter goes to one)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from db import Case, CaseError, Claim
from db.agreement import annotator_judgements, claim_agreements, pair_agreements
from db.models import ClaimAgreement, PairAgreement
from db.review import count_queue, queue_page
from db.text import one_line

from ..details.blocks import claim_link
from ..labels import status_badge
from ..text import LINE_CHARS, cell_pad, join, plain_line
from ..widgets.detail import BLANK, Block, DetailView, Link
from .dialog import Dialog

CLAIMS_SHOWN = 200
NAMES_WIDTH = 24
COLUMNS = (("Shared", 7), ("Agree", 7), ("Differ", 7), ("p_o", 6), ("p_e", 6), ("kappa", 7))
DIM = ".cb--dim"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def pair_row(pair: PairAgreement) -> list[Block]:
    names = join([plain_line(pair.annotator_a, ".cb--name"), (" · ", DIM),
                  plain_line(pair.annotator_b, ".cb--name")])
    values = (f"{pair.claims:,}", f"{pair.agreements:,}", f"{pair.disagreements:,}",
              ratio(pair.observed), ratio(pair.expected), ratio(pair.kappa))
    cells = "".join(value.rjust(width) for value, (_, width) in zip(values, COLUMNS, strict=True))
    blocks = []
    if names.cell_length > NAMES_WIDTH:   # long names: on a line of their own
        blocks.append(Block(names, hang=2))
        names = Content("")
    blocks.append(Block(join([cell_pad(names, NAMES_WIDTH), cells]), wrap=False))
    if pair.kappa is None and pair.kappa_note:
        blocks.append(Block(Content.styled(f"  — {pair.kappa_note}", DIM)))
    return blocks


def who_said_what(agreed: ClaimAgreement | None) -> Block | None:
    """Each annotator's standing mark on a claim in disagreement, under its link."""
    if agreed is None or not agreed.marks:
        return None
    marks = [join([plain_line(mark.annotator, ".cb--name"), (" ", ""), status_badge(mark.status)])
             for mark in agreed.marks]
    return Block(join([("    ", ""), Content(" · ").join(marks)]), hang=4)


def agreement_blocks(judged: dict[str, int], pairs: list[PairAgreement],
                     disagreements: int, claims: list[Claim],
                     marks: dict[int, ClaimAgreement] | None = None) -> list[Block]:
    blocks = [Block(Content.styled(
        "Standing marks only: the seed builder's marks, notes, marks taken back and "
        "'unreviewed' don't count.", DIM))]
    if not judged:
        return blocks + [BLANK, Block(Content("No annotator has judged a claim yet."))]
    names = [join([plain_line(name, ".cb--name"), (f" {count:,}", DIM)])
             for name, count in judged.items()]
    blocks += [BLANK, Block(join([(f"Annotators ({len(judged)}) and claims judged: ",
                                   ".cb--heading"), Content(" · ").join(names)]), hang=2)]
    blocks += [BLANK, Block(Content.styled("Pairs (Cohen's kappa)", ".cb--heading"))]
    header = "Annotators".ljust(NAMES_WIDTH) + "".join(title.rjust(w) for title, w in COLUMNS)
    blocks.append(Block(Content.styled(header, DIM), wrap=False))
    for pair in pairs:
        blocks += pair_row(pair)
    if not pairs:
        blocks.append(Block(Content.styled("Only one annotator so far.", DIM)))
    blocks += [BLANK, Block(Content.styled(f"Claims in disagreement ({disagreements:,})",
                                           ".cb--heading"))]
    for claim in claims:
        blocks.append(claim_link(claim))
        said = who_said_what((marks or {}).get(claim.id or 0))
        if said is not None:
            blocks.append(said)
    if disagreements > len(claims):
        blocks.append(Block(Content.styled(f"… the first {len(claims):,} shown; "
                                           "v in Claims gives the disagreements queue.", DIM)))
    if not claims:
        blocks.append(Block(Content.styled("None: every claim's annotators agree.", DIM)))
    return blocks


class AgreementScreen(Dialog[Link | None]):
    """Agreement per pair of annotators and the claims in disagreement."""

    BINDINGS = [
        Binding("escape,a", "close", "Close"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, blocks: list[Block], *, again: bool = False) -> None:
            super().__init__()
            self.blocks = blocks
            self.again = again

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        with Vertical(id="agreement-box"):
            yield Static(Content.styled("Agreement between annotators", "bold"),
                         id="agreement-title")
            yield DetailView(id="agreement-view")
            yield Static(Content("↑↓ move · Enter go to the claim · Esc close"),
                         id="agreement-hint")

    def on_mount(self) -> None:
        view = self.query_one(DetailView)
        view.show([Block(Content.styled("Counting…", DIM))])
        view.focus()
        self._load()

    def case_changed(self) -> None:
        """Someone marked a claim while this is open: count again, in place."""
        self._load(again=True)

    @work(thread=True, exclusive=True, group="agreement")
    def _load(self, again: bool = False) -> None:
        try:
            claims = queue_page(self.case, "disagreements", offset=0, limit=CLAIMS_SHOWN)
            blocks = agreement_blocks(
                annotator_judgements(self.case), pair_agreements(self.case),
                count_queue(self.case, "disagreements"), claims,
                claim_agreements(self.case, [claim.id for claim in claims if claim.id]),
            )
        except CaseError as error:
            blocks = [Block(Content.styled(one_line(f"Could not count: {error}", limit=LINE_CHARS), DIM))]
        self.post_message(self.Loaded(blocks, again=again))

    def on_agreement_screen_loaded(self, message: Loaded) -> None:
        self.query_one(DetailView).show(message.blocks, keep_place=message.again)

    def on_detail_view_link_followed(self, message: DetailView.LinkFollowed) -> None:
        message.stop()
        self.dismiss(message.link)

    def action_close(self) -> None:
        self.dismiss(None)
