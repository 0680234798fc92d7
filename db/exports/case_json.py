"""``json``: the whole case as one document, shaped by :class:`db.models.CaseDocument`.

Written as it is read, a page at a time, one item per line, so a case of a
million excerpts never sits in memory; ``casebook import`` rebuilds the same
case from it (db/importing.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from .. import walk
from ..casefile import Case
from ..models import (
    CASE_DOCUMENT_FORMAT,
    CombinationRecord,
    JudgementRecord,
    Model,
    PossibleMention,
    PossibleMentionJudgement,
    RetirementRecord,
    RevisionConflictRecord,
    RevisionRecord,
)
from ..schema import schema_version
from ..tables import (
    COMBINATIONS,
    DUPLICATE_JUDGEMENTS,
    POSSIBLE_MENTION_JUDGEMENTS,
    POSSIBLE_MENTIONS,
    RETIREMENTS,
    REVISION_CONFLICTS,
    REVISIONS,
    Table,
)
from ..text import json_safe

# The curation records, each section a table's rows as they are stored.
CURATION: dict[str, tuple[Table, type[Model]]] = {
    "revisions": (REVISIONS, RevisionRecord),
    "retirements": (RETIREMENTS, RetirementRecord),
    "combinations": (COMBINATIONS, CombinationRecord),
    "duplicate_judgements": (DUPLICATE_JUDGEMENTS, JudgementRecord),
    "revision_conflicts": (REVISION_CONFLICTS, RevisionConflictRecord),
    "possible_mentions": (POSSIBLE_MENTIONS, PossibleMention),
    "possible_mention_judgements": (POSSIBLE_MENTION_JUDGEMENTS, PossibleMentionJudgement),
}


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 kept readable, terminal-unsafe characters escaped."""
    return json_safe(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


def write_case_json(case: Case, out: TextIO) -> int:
    """Write the case; returns the number of items (sources, excerpts, ...)."""
    count = 0
    with case.snapshot():
        header = {
            "format": CASE_DOCUMENT_FORMAT,
            "format_version": 1,
            "schema_version": schema_version(case.db),
            "meta": walk.meta(case),
        }
        out.write("{\n")
        for key, value in header.items():
            out.write(f"  {dumps(key)}: {dumps(value)},\n")
        sections: list[tuple[str, Iterable[Model]]] = [
            ("sources", walk.sources(case)),
            ("excerpts", walk.excerpts(case)),
            ("entities", walk.entities(case)),
            ("events", walk.events(case)),
            ("claims", walk.claims(case)),
            ("annotations", walk.annotations(case)),
            ("conflicts", walk.conflicts(case)),
            *((name, walk.records(case, table, model)) for name, (table, model) in CURATION.items()),
            ("relationships", walk.relationships(case)),
            ("relationship_annotations", walk.relationship_annotations(case)),
            ("relationship_conflicts", walk.relationship_conflicts(case)),
        ]
        for number, (name, items) in enumerate(sections):
            out.write(f"  {dumps(name)}: [")
            empty = True
            for item in items:
                out.write(("\n    " if empty else ",\n    ") + dumps(item.model_dump(mode="json")))
                empty = False
                count += 1
            out.write("]" if empty else "\n  ]")
            out.write(",\n" if number < len(sections) - 1 else "\n")
        out.write("}\n")
    return count
