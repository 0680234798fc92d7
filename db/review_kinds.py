"""The kinds of proposal annotators judge one at a time (likely duplicates,
possible mentions), each described once on the case-file side.

Not items (:mod:`db.kinds`): no pane, not searched, never revised; each
judgement is kept. A record says where the proposals and their judgements
are, what a proposal is, how the next are read and how a judgement is
recorded (and what it does: a pair judged the same is combined, by
:mod:`db.curation`, which reads the item kinds: so this sits above both).
``tui/kinds.py`` gives each its judging queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .casefile import Case
from .curation import judge_duplicate, likely_duplicates
from .kinds import ItemsFor
from .models import PAIR_JUDGEMENTS, DuplicatePair, Model, PossibleMention
from .possible_mentions import JUDGEMENTS as MENTION_JUDGEMENTS
from .possible_mentions import judge_mention, possible_mentions, possible_mentions_by_ids
from .tables import DUPLICATE_JUDGEMENTS, POSSIBLE_MENTION_JUDGEMENTS, POSSIBLE_MENTIONS, Table

# (case, how many, the proposal last judged in this visit or None) -> the next ones, best first
ProposalsFor = Callable[[Case, int, Any], Sequence[Model]]
# (case, proposal, judgement, annotator) -> whether the judgement did more than record itself
# (a link made, a pair combined)
JudgeFor = Callable[[Case, Any, str, str], bool]


@dataclass(frozen=True)
class ReviewKind:
    """A kind of proposal that annotators review one at a time with single
    keys, every judgement kept (not an item: no pane, not searched, never
    revised). The likely-duplicate pairs are worked out afresh each time
    (no table of their own); possible mentions are stored when a source is added."""

    name: str
    table: Table | None         # the proposals; None: worked out afresh each time
    judgements_table: Table     # append-only: every judgement, the latest stands
    singular: str
    plural: str
    judgements: tuple[str, ...]
    model: type[Model]          # what a proposal is
    proposals: ProposalsFor     # the queue's next batch
    judge: JudgeFor             # records a judgement and does what it says
    items: ItemsFor | None = None   # stored proposals by id


def _next_mentions(case: Case, limit: int, after: Any) -> Sequence[Model]:
    """Open possible mentions after the one last judged (skipped ones come back next visit)."""
    return possible_mentions(case, limit=limit,
                             after=after.id if isinstance(after, PossibleMention) else 0)


def _judge_mention(case: Case, mention: Any, judgement: str, annotator: str) -> bool:
    return judge_mention(case, mention.id, judgement, annotator=annotator)


def _next_pairs(case: Case, limit: int, after: Any) -> Sequence[Model]:
    return likely_duplicates(case, limit=limit)


def _judge_pair(case: Case, pair: Any, judgement: str, annotator: str) -> bool:
    return judge_duplicate(case, pair, judgement, annotator=annotator)


LIKELY_DUPLICATE = ReviewKind("likely_duplicate", None, DUPLICATE_JUDGEMENTS, "likely duplicate",
                              "likely duplicates", PAIR_JUDGEMENTS, DuplicatePair, _next_pairs,
                              _judge_pair)
POSSIBLE_MENTION = ReviewKind("possible_mention", POSSIBLE_MENTIONS, POSSIBLE_MENTION_JUDGEMENTS,
                              "possible mention", "possible mentions", MENTION_JUDGEMENTS,
                              PossibleMention, _next_mentions, _judge_mention,
                              possible_mentions_by_ids)
REVIEW_KINDS: tuple[ReviewKind, ...] = (LIKELY_DUPLICATE, POSSIBLE_MENTION)
