"""Queries the browser's claim detail runs: reading each evidence item's
context on its own, or all of it with ``claim_evidence_in_context``.

    .venv/bin/python benchmarks/claim_detail_queries.py [--case PATH] [--excerpts N]

Counts the SQL statements (``sqlite3.Connection.set_trace_callback``) of
``tui.claim_detail.claim_detail`` for the claim with the most evidence, on
the seed case and, with ``--excerpts``, on a generated case: as the detail
reads today (``claim_evidence``, then ``excerpt_context`` per item: three
queries each), and with its evidence read by ``claim_evidence_in_context``
(one query for all of it), checking that both give the same detail. Beside
them, the floor: the evidence alone each way. A count, not a time: it does
not move with the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
import tui.claim_detail as detail  # noqa: E402
from db.claims import claim_evidence, claim_evidence_in_context  # noqa: E402
from db.generate import generate_case  # noqa: E402
from db.models import Evidence  # noqa: E402
from db.sources import excerpt_context  # noqa: E402
from seed.build import build_case  # noqa: E402


def statements(case: db.Case, work: Callable[[], Any]) -> int:
    """How many SQL statements ``work`` runs on the case's connection."""
    seen: list[str] = []
    case.conn.set_trace_callback(seen.append)
    try:
        work()
    finally:
        case.conn.set_trace_callback(None)
    return len(seen)


@contextmanager
def evidence_read_at_once(case: db.Case) -> Iterator[None]:
    """The claim detail with its evidence and context from one query (what
    wiring ``claim_evidence_in_context`` into tui/claim_detail.py will do)."""
    contexts: dict[int, tuple[str, Any, str]] = {}

    def evidence(case: db.Case, claim_id: int, *, limit: int) -> list[Evidence]:
        found = claim_evidence_in_context(case, claim_id, chars=detail.CONTEXT_CHARS, limit=limit)
        contexts.update({e.excerpt.id or 0: (e.before, e.excerpt, e.after) for e in found})
        return list(found)

    def context(case: db.Case, excerpt_id: int, *, chars: int) -> tuple[str, Any, str]:
        return contexts[excerpt_id]

    saved = detail.claim_evidence, detail.excerpt_context
    detail.claim_evidence, detail.excerpt_context = evidence, context  # type: ignore[assignment]
    try:
        yield
    finally:
        detail.claim_evidence, detail.excerpt_context = saved


def measure(path: Path) -> dict[str, int]:
    with db.open_case(path, read_only=True) as case:
        claim_id, items = case.row("SELECT claim_id, count(*) FROM claim_excerpts GROUP BY claim_id "
                                   "ORDER BY 2 DESC, 1 LIMIT 1") or (0, 0)
        today = detail.claim_detail(case, claim_id)
        figures = {"claim": claim_id, "evidence items": items,
                   "claim detail, context per item": statements(
                       case, lambda: detail.claim_detail(case, claim_id))}
        with evidence_read_at_once(case):
            assert detail.claim_detail(case, claim_id) == today, "the detail differs"
            figures["claim detail, claim_evidence_in_context"] = statements(
                case, lambda: detail.claim_detail(case, claim_id))

        def per_item() -> None:
            for evidence in claim_evidence(case, claim_id, limit=detail.RELATED_LIMIT):
                excerpt_context(case, evidence.excerpt.id or 0, chars=detail.CONTEXT_CHARS)

        figures["evidence alone, context per item"] = statements(case, per_item)
        figures["evidence alone, claim_evidence_in_context"] = statements(
            case, lambda: claim_evidence_in_context(case, claim_id, chars=detail.CONTEXT_CHARS,
                                                    limit=detail.RELATED_LIMIT))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
