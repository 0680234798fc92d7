"""Evidence: the excerpts a claim or an event cites, with their sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .casefile import Case
from .damage import read_model
from .models import Evidence
from .paging import rows_by_id
from .sources import EXCERPT_SELECT, excerpt_from_row, source_titles


def evidence_rows(case: Case, links_sql: str, params: Sequence[Any]) -> list[Evidence]:
    """Evidence for links selected by ``links_sql`` (columns excerpt_id, stance)."""
    links = case.rows(links_sql, params)
    if not links:
        return []
    excerpts = {
        row["id"]: excerpt_from_row(row)
        for row in rows_by_id(case, EXCERPT_SELECT, [link["excerpt_id"] for link in links])
    }
    titles = source_titles(case, [excerpt.source_id for excerpt in excerpts.values()])
    return [
        read_model(Evidence, {"excerpt": excerpts[link["excerpt_id"]],
                              "source_title": titles.get(excerpts[link["excerpt_id"]].source_id, ""),
                              "stance": link["stance"]})
        for link in links if link["excerpt_id"] in excerpts
    ]
