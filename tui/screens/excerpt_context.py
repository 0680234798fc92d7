"""What the build-a-case screens need to know about the excerpt they start
from: its text, its source's title and the entities it mentions. Read once,
in a thread worker, before a screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from db import Case, Entity, Excerpt
from db.entities import excerpt_entities
from db.sources import get_excerpt, sources_by_ids
from db.text import folded_words, printable

Span = tuple[int, int]
MENTIONED_LIMIT = 200


@dataclass(frozen=True)
class ExcerptContext:
    excerpt: Excerpt
    source_title: str
    entities: tuple[Entity, ...]      # the entities it mentions

    @property
    def excerpt_id(self) -> int:
        assert self.excerpt.id is not None
        return self.excerpt.id

    def quote(self, span: Span | None) -> str:
        """The words the span chooses (the whole excerpt without one)."""
        start, end = span or (0, len(self.excerpt.text))
        return self.excerpt.text[start:end]

    def prefill(self, span: Span | None) -> str:
        """What a name, a title or a statement starts as: the span's words
        on one line, safe to put in a field (nothing without a span)."""
        return printable(self.quote(span)) if span else ""

    def named_in(self, span: Span | None) -> set[int]:
        """Mentioned entities whose name or an alias is in the chosen words."""
        if span is None:
            return set()
        words = folded_words(self.quote(span))
        return {entity.id or 0 for entity in self.entities
                if any(_contains(words, folded_words(name)) for name in (entity.name, *entity.aliases))}


def read_context(case: Case, excerpt_id: int) -> ExcerptContext:
    excerpt = get_excerpt(case, excerpt_id)
    source = sources_by_ids(case, [excerpt.source_id]).get(excerpt.source_id)
    entities = excerpt_entities(case, excerpt_id, limit=MENTIONED_LIMIT)
    return ExcerptContext(excerpt, source.title if source else f"source {excerpt.source_id}",
                          tuple(entities))


def _contains(words: list[str], name: list[str]) -> bool:
    return bool(name) and any(words[i:i + len(name)] == name for i in range(len(words)))
