"""The panes' reads: opening a case, paging, jumping to the end, filtering.

Each figure is the median of several runs of the db/ call the browser makes
for one screenful (50 rows), on the seed case and on the large case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from measure import Figure, best_of, clock_ms

import db
from db.claims import claims_page, count_claims
from db.entities import count_entities, entities_page
from db.events import count_events, timeline_page
from db.sources import count_excerpts, excerpt_position, excerpts_page

SECTION = "panes (one screen of 50 rows)"
PAGE = 50


def _open_and_count(path: Path) -> None:
    with db.open_case(path, read_only=True) as case:
        db.counts(case)


def measure_case(path: Path, *, repeats: int) -> dict[str, float]:
    found: dict[str, float] = {"open the case and count everything": best_of(
        repeats, lambda: _open_and_count(path))}
    with db.open_case(path, read_only=True) as case:
        excerpts = count_excerpts(case)
        entities_total = count_entities(case, kind="place")
        events = count_events(case)
        unreviewed = count_claims(case, status="unreviewed")
        last_excerpt = case.scalar(
            'SELECT id FROM excerpts ORDER BY source_id DESC, start DESC, "end" DESC LIMIT 1')

        def follow_link_to_last_excerpt() -> None:
            position = excerpt_position(case, last_excerpt)
            excerpts_page(case, offset=position, limit=PAGE, total=excerpts)

        reads = {
            "excerpts: first screen": lambda: excerpts_page(case, offset=0, limit=PAGE, total=excerpts),
            "excerpts: jump to the end": lambda: excerpts_page(
                case, offset=excerpts - PAGE, limit=PAGE, total=excerpts),
            "excerpts: jump to the middle": lambda: excerpts_page(
                case, offset=excerpts // 2, limit=PAGE, total=excerpts),
            "excerpts: follow a link to the last one": follow_link_to_last_excerpt,
            "entities: filter by kind (count + first screen)": lambda: entities_page(
                case, offset=0, limit=PAGE, total=count_entities(case, kind="place"), kind="place"),
            "entities of a kind: jump to the end": lambda: entities_page(
                case, offset=max(0, entities_total - PAGE), limit=PAGE, total=entities_total,
                kind="place"),
            "timeline: jump to the end": lambda: timeline_page(
                case, offset=max(0, events - PAGE), limit=PAGE, total=events),
            "timeline: jump to the middle": lambda: timeline_page(
                case, offset=events // 2, limit=PAGE, total=events),
            "claims: unreviewed queue (count + first screen)": lambda: claims_page(
                case, offset=0, limit=PAGE, total=count_claims(case, status="unreviewed"),
                status="unreviewed"),
            "claims: unreviewed queue, jump to the end": lambda: claims_page(
                case, offset=max(0, unreviewed - PAGE), limit=PAGE, total=unreviewed,
                status="unreviewed"),
        }
        for name, read in reads.items():
            clock_ms(read)  # warm
            found[name] = best_of(repeats, read)
    return found


def run(seed_path: Path, large_path: Path, *, repeats: int = 5) -> tuple[list[Figure], dict[str, Any]]:
    seed = measure_case(seed_path, repeats=repeats)
    large = measure_case(large_path, repeats=repeats)
    figures = [Figure(SECTION, name, "ms", seed[name], large[name]) for name in seed]
    return figures, {"seed": seed, "large": large}
