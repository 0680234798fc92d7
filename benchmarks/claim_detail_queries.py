"""Queries the browser's claim detail runs, and what its evidence costs read
one item at a time or all at once with ``claim_evidence_in_context``.

    .venv/bin/python benchmarks/claim_detail_queries.py [--case PATH] [--excerpts N]

Counts the SQL statements (``sqlite3.Connection.set_trace_callback``) of
``tui.details.claim.claim_detail`` for the claim with the most evidence, on
the seed case and, with ``--excerpts``, on a generated case. Beside it, the
evidence alone each way: ``claim_evidence`` then ``excerpt_context`` per item
(three queries each, as the detail once read it), and
``claim_evidence_in_context`` (one query for all of it, as the detail reads
it now), checking that both give the same text around each excerpt. A count,
not a time: it does not move with the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.claims import claim_evidence, claim_evidence_in_context  # noqa: E402
from db.generate import generate_case  # noqa: E402
from db.sources import excerpt_context  # noqa: E402
from seed.build import build_case  # noqa: E402
from tui.details.blocks import RELATED_LIMIT  # noqa: E402
from tui.details.claim import CONTEXT_CHARS, claim_detail  # noqa: E402

Context = tuple[str, int, str]  # text before, excerpt id, text after


def statements(case: db.Case, work: Callable[[], Any]) -> int:
    """How many SQL statements ``work`` runs on the case's connection."""
    seen: list[str] = []
    case.conn.set_trace_callback(seen.append)
    try:
        work()
    finally:
        case.conn.set_trace_callback(None)
    return len(seen)


def context_per_item(case: db.Case, claim_id: int) -> list[Context]:
    contexts = []
    for evidence in claim_evidence(case, claim_id, limit=RELATED_LIMIT):
        before, excerpt, after = excerpt_context(case, evidence.excerpt.id or 0,
                                                 chars=CONTEXT_CHARS)
        contexts.append((before, excerpt.id or 0, after))
    return contexts


def context_at_once(case: db.Case, claim_id: int) -> list[Context]:
    return [(e.before, e.excerpt.id or 0, e.after) for e in
            claim_evidence_in_context(case, claim_id, chars=CONTEXT_CHARS, limit=RELATED_LIMIT)]


def measure(path: Path) -> dict[str, int]:
    with db.open_case(path, read_only=True) as case:
        claim_id, items = case.row("SELECT claim_id, count(*) FROM claim_excerpts GROUP BY claim_id "
                                   "ORDER BY 2 DESC, 1 LIMIT 1") or (0, 0)
        assert context_per_item(case, claim_id) == context_at_once(case, claim_id), \
            "the two ways give different context"
        return {
            "claim": claim_id, "evidence items": items,
            "claim detail (tui.details.claim), in all": statements(
                case, lambda: claim_detail(case, claim_id)),
            "evidence alone, context per item": statements(
                case, lambda: context_per_item(case, claim_id)),
            "evidence alone, claim_evidence_in_context": statements(
                case, lambda: context_at_once(case, claim_id)),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--case", type=Path, help="a case file (default: the seed case, built)")
    parser.add_argument("--excerpts", type=int, help="also a generated case of this many excerpts")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cases = {"seed case": options.case or Path(scratch) / "seed.casebook"}
        if options.case is None:
            build_case(cases["seed case"])
        if options.excerpts:
            cases[f"{options.excerpts:,} excerpts"] = Path(scratch) / "generated.casebook"
            generate_case(cases[f"{options.excerpts:,} excerpts"], excerpts=options.excerpts)
        results = {name: measure(path) for name, path in cases.items()}
    names = list(next(iter(results.values())))
    print(f"{'queries (SQL statements)':<46}" + "".join(f"{name:>20}" for name in results))
    for figure in names:
        print(f"{figure:<46}" + "".join(f"{found[figure]:>20,}" for found in results.values()))


if __name__ == "__main__":
    main()
