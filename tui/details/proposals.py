"""What the judging queues show of a proposal (``tui.screens.judging``), and
the record that describes one queue to the browser: its keys, its words,
how a batch is read and how a proposal is drawn. The records themselves are
in ``tui.kinds``, beside the kinds of item; what the case file knows of a
queue is the ``db.review_kinds.ReviewKind`` a record names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.content import Content

import db.review_kinds
from db import Case
from db.entities import entities_by_ids
from db.models import DuplicatePair, Entity, PossibleMention
from db.sources import excerpts_by_ids
from db.text import one_line

from ..text import TITLE_CHARS, join, plain_line

DESCRIPTION_CHARS = 160
CONTEXT = 120   # characters of the excerpt either side of a possible mention's words
MENTION_REASONS = {"inflected": "an inflected form", "transliterated": "in another script",
                   "similar": "a close spelling", "generic": "a generic name, another place named"}


@dataclass(frozen=True)
class ReviewQueue:
    """One judging queue: what the browser reads, draws and says for a kind of proposal."""

    data: db.review_kinds.ReviewKind   # the proposals as the case file holds them
    bindings: tuple[Binding, ...]   # a key a judgement: action ``judge('<judgement>')``
    hint: str                   # the keys, under the proposal
    reading: str                # shown while the first batch is read
    # (case, how many, the proposal last judged here or None) -> a batch; in a thread worker
    load: Callable[[Case, int, Any], Sequence[Any]]
    lines: Callable[[Any, int], Content]        # a proposal, and how many more are in the batch
    said: Callable[[Any, str, bool], str]       # (proposal, judgement, did more) -> the status line
    finished: Callable[[int, int], str]         # (judged here, of which did more) -> the last words
    proposal: Callable[[Any], Any] = lambda shown: shown   # the db proposal of a loaded one
    # (the rest of the batch, the one judged, did more) -> what is left to show
    rest: Callable[[list[Any], Any, bool], list[Any]] = lambda rest, done, more: rest

    @property
    def title(self) -> str:
        return self.data.plural.capitalize()


def entity_lines(label: str, entity: Entity) -> Content:
    description = one_line(entity.description, limit=TITLE_CHARS)
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


def _more(remaining: int) -> tuple[str, str]:
    return (f"\n\n{remaining} more in this batch", ".cb--dim")


# -- likely duplicates ------------------------------------------------------------------


def pair_lines(pair: DuplicatePair, remaining: int) -> Content:
    return join([
        (f"{pair.reason} · {pair.score:.0f}", ".cb--heading"), ("\n\n", ""),
        entity_lines("1", pair.a), ("\n\n", ""), entity_lines("2", pair.b), _more(remaining)])


def pair_said(pair: DuplicatePair, judgement: str, combined: bool) -> str:
    words = {"same": f"combined entity {pair.b.id} into {pair.a.id}", "not_same": "not the same",
             "skip": "skipped"}
    return f"{pair.a.name} / {pair.b.name}: {words[judgement]}"


def pairs_left(rest: list[DuplicatePair], done: DuplicatePair, combined: bool) -> list[DuplicatePair]:
    """Pairs with an entity combined into another are gone."""
    if not combined:
        return rest
    return [p for p in rest if done.b.id not in (p.a.id, p.b.id)]


# -- possible mentions ------------------------------------------------------------------


class MentionShown:
    """A possible mention with what the queue shows of it: its excerpt's text and its entity."""

    def __init__(self, mention: PossibleMention, text: str, entity: Entity | None) -> None:
        self.mention = mention
        self.text = text
        self.entity = entity


def load_mentions(case: Case, limit: int, after: Any) -> list[MentionShown]:
    found = db.review_kinds.POSSIBLE_MENTION.proposals(case, limit, after)
    mentions = [m for m in found if isinstance(m, PossibleMention)]
    texts = {x.id: x.text for x in excerpts_by_ids(case, list({m.excerpt_id for m in mentions}))}
    entities = {e.id: e for e in entities_by_ids(case, list({m.entity_id for m in mentions}))}
    return [MentionShown(m, texts.get(m.excerpt_id, ""), entities.get(m.entity_id))
            for m in mentions]


def mention_lines(shown: MentionShown, remaining: int) -> Content:
    m = shown.mention
    text = shown.text
    start = max(0, m.start - CONTEXT)
    end = min(len(text), m.end + CONTEXT)
    parts: list[Content | str | tuple[str, str]] = [
        (f"{MENTION_REASONS.get(m.reason, m.reason)} · {m.score:.0f}", ".cb--heading"), ("\n\n", ""),
        ("excerpt ", ".cb--dim"), (f"{m.excerpt_id}\n", ".cb--dim"),
        ("…" if start else "", ""), plain_line(text[start:m.start]),
        (" " if text[m.start - 1:m.start].isspace() else "", ""),
        plain_line(text[m.start:m.end], ".cb--match"),
        (" " if text[m.end:m.end + 1].isspace() else "", ""),
        plain_line(text[m.end:end]), ("…" if end < len(text) else "", ""), ("\n\n", ""),
        ("resembles ", ".cb--dim"), plain_line(m.name, ".cb--name"), ("\n\n", ""),
    ]
    if shown.entity is not None:
        parts.append(entity_lines("→", shown.entity))
    parts.append(_more(remaining))
    return join(parts)


def mention_said(shown: MentionShown, judgement: str, linked: bool) -> str:
    words = {"link": "linked" if linked else "linked already", "not": "not this entity",
             "skip": "skipped"}
    form, name = (one_line(text, limit=TITLE_CHARS) for text in (shown.mention.form, shown.mention.name))
    return f"{form} → {name}: {words[judgement]}"
