"""Per-keystroke search latency: casebook's API against sqlite-utils and bare FTS5.

Every prefix of each query below is one keystroke, as an analyst types it.
For each keystroke, on the same file in the same run:

- casebook ``first_matches()``: stage one, what the browser shows at once;
- casebook ``search()``: stage two, ranked where a kind has few enough
  matches to rank at once (what ``casebook search`` prints);
- casebook ``refine()``: stage three, the rest ranked too, while the analyst
  reads (cancelled by the next keystroke in the browser);
- sqlite-utils' ``table.search()`` ranked by bm25, each kind with the same
  MATCH expression and limit: what a straightforward tool does;
- bare unranked FTS5 ``MATCH ... LIMIT 50`` per kind: the floor.
"""

from __future__ import annotations

import sqlite3
import statistics
from functools import partial
from pathlib import Path
from typing import Any

import sqlite_utils
from measure import Figure, best_of, clock_ms, summary

import db
from db.search import FTS_TABLES, first_matches, match_expression, refine, search

# Typed in full, one keystroke at a time: one- and two-letter prefixes, the
# commonest word, several words, names with and without their diacritics.
QUERIES = (
    "the",
    "intelligence officers",
    "embassy in brussels",
    "Austrevicius",      # finds Auštrevičius
    "Uhrík",
    "Logvinov",
    "payments from",
    "zqx",               # nothing
)
LIMIT = 10
SECTION = "search per keystroke"


def keystrokes() -> list[str]:
    return [query[:end] for query in QUERIES for end in range(1, len(query) + 1)]


def _tables(tools: sqlite_utils.Database) -> dict[str, str]:
    """The table sqlite-utils searches for each kind: the content table where
    it finds the index, else the index itself (entities keep their own copy)."""
    found = {}
    for kind, fts in FTS_TABLES.items():
        content = {"entity": "entities", "event": "events", "excerpt": "excerpts",
                   "claim": "claims"}[kind]
        found[kind] = content if tools.table(content).detect_fts() else fts
    return found


def _sqlite_utils_ids(tools: sqlite_utils.Database, tables: dict[str, str],
                      expression: str) -> dict[str, list[int]]:
    return {kind: [row["rowid"] for row in tools.table(table).search(expression, limit=LIMIT)]
            for kind, table in tables.items()}


def _floor(conn: sqlite3.Connection, expression: str) -> None:
    for fts in FTS_TABLES.values():
        conn.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? LIMIT 50", [expression]).fetchall()


def measure_case(path: Path, *, repeats: int) -> dict[str, Any]:
    typed = keystrokes()
    first, ranked, staged, final, tool, floor = [], [], [], [], [], []
    agreement: list[float] = []
    final_agreement: list[float] = []
    unranked_keystrokes = 0
    with db.open_case(path, read_only=True) as case:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tools = sqlite_utils.Database(conn)
        tables = _tables(tools)
        for text in typed:  # warm the file's pages, as a session that has been typing
            search(case, text)
        for text in typed:
            expression = match_expression(text)
            first_ms = best_of(repeats, partial(first_matches, case, text, limit=LIMIT))
            ranked_ms = best_of(repeats, partial(search, case, text, limit=LIMIT))
            results = search(case, text, limit=LIMIT)
            refine_ms, refined = clock_ms(partial(refine, case, results, limit=LIMIT))
            first.append(first_ms)
            ranked.append(ranked_ms)
            staged.append(first_ms + ranked_ms)
            final.append(first_ms + ranked_ms + refine_ms)
            unranked_keystrokes += not results.ranked
            if expression is None:
                continue
            tool_ms, truth = clock_ms(partial(_sqlite_utils_ids, tools, tables, expression))
            tool.append(tool_ms)
            floor.append(best_of(repeats, partial(_floor, conn, expression)))
            for answer, shared in ((results, agreement), (refined, final_agreement)):
                for group in answer.groups:
                    if truth[group.kind]:
                        ours = {hit.id for hit in group.hits}
                        shared.append(len(ours & set(truth[group.kind])) / len(truth[group.kind]))
        conn.close()
    return {
        "keystrokes": len(typed),
        "first_matches": summary(first),
        "search": summary(ranked),
        "first_then_ranked": summary(staged),
        "final_order": summary(final),
        "sqlite_utils": summary(tool),
        "floor": summary(floor),
        "bm25_top10_agreement": statistics.mean(agreement) if agreement else None,
        "bm25_top10_agreement_refined": statistics.mean(final_agreement) if final_agreement else None,
        "keystrokes_left_in_index_order": unranked_keystrokes,
        "sqlite_utils_tables": tables,
    }


def figures(seed: dict[str, Any], large: dict[str, Any]) -> list[Figure]:
    rows = []
    labels = [
        ("first_matches", "1. casebook first_matches() (shown at once)"),
        ("search", "2. casebook search() (ranked where cheap)"),
        ("first_then_ranked", "   stages 1+2, as the browser runs them"),
        ("final_order", "3. + refine(): every group ranked"),
        ("sqlite_utils", "sqlite-utils table.search(), ranked"),
        ("floor", "bare FTS5 MATCH LIMIT 50 (floor)"),
    ]
    for key, label in labels:
        for stat in ("median", "p95"):
            rows.append(Figure(SECTION, f"{label}, {stat}", "ms", seed[key][stat], large[key][stat]))
    for key, label in (("first_matches", "first_matches()"), ("search", "search()"),
                       ("first_then_ranked", "stages 1+2")):
        for stat in ("median", "p95"):
            rows.append(Figure(SECTION, f"ratio {label} / sqlite-utils, {stat}", "x",
                               seed[key][stat] / seed["sqlite_utils"][stat],
                               large[key][stat] / large["sqlite_utils"][stat]))
    for stat in ("median", "p95"):
        rows.append(Figure(SECTION, f"ratio search() / floor, {stat}", "x",
                           seed["search"][stat] / seed["floor"][stat],
                           large["search"][stat] / large["floor"][stat]))
    rows.append(Figure(SECTION, "top-10 hits as exact bm25: search()", "%",
                       100 * (seed["bm25_top10_agreement"] or 0),
                       100 * (large["bm25_top10_agreement"] or 0),
                       note="groups with too many matches to rank at once stay in index order"))
    rows.append(Figure(SECTION, "top-10 hits as exact bm25: after refine()", "%",
                       100 * (seed["bm25_top10_agreement_refined"] or 0),
                       100 * (large["bm25_top10_agreement_refined"] or 0)))
    rows.append(Figure(SECTION, "keystrokes with a group left for refine()", "of "
                       f"{large['keystrokes']}", seed["keystrokes_left_in_index_order"],
                       large["keystrokes_left_in_index_order"]))
    return rows


def run(seed_path: Path, large_path: Path, *, repeats: int = 3) -> tuple[list[Figure], dict[str, Any]]:
    seed = measure_case(seed_path, repeats=repeats)
    large = measure_case(large_path, repeats=repeats)
    return figures(seed, large), {"seed": seed, "large": large, "queries": QUERIES}
