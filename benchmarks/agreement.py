"""``casebook agreement``'s walk of the claims two or more annotators judged,
page by page, beside the floor: the same ids in one bare sqlite3 query.

    .venv/bin/python benchmarks/agreement.py [--claims 60000] [--repeats 3]

The case (N claims, each marked by two annotators) is built once into
benchmarks/cases/ (git-ignored), its marks written in one transaction.
Keyset pages (``shared_claim_pages``) read each page from where the last
ended; pages by position (``LIMIT … OFFSET``, as the command read them
before) step over every claim before the page, so their cost grows with
the square of the claims.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import best_of  # noqa: E402

import db  # noqa: E402
from db.agreement import shared_claim_pages, standing_marks_sql  # noqa: E402
from db.tables import ANNOTATIONS, CLAIMS  # noqa: E402

_PAGE = 500   # casebook/commands_annotations.py's page
_SHARED = "SELECT claim_id FROM ({sql}) GROUP BY claim_id HAVING count(*) > 1 ORDER BY claim_id"


def build(path: Path, claims: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    now = "2024-05-01T10:00:00.000000Z"
    with db.create_case(path, title="Agreement") as case, case.write() as tx:
        add_claim = CLAIMS.insert(("uid", "statement", "updated_at"))
        tx.executemany(add_claim.sql, [add_claim.values(uid=str(uuid.uuid4()), statement=f"claim {i}",
                                                        updated_at=now) for i in range(claims)])
        mark = ANNOTATIONS.insert(("id", "claim_id", "status", "previous_status", "annotator",
                                   "created_at", "kind", "undoes"))
        tx.executemany(mark.sql, [
            mark.values(id=str(uuid.uuid4()), claim_id=claim_id, annotator=annotator,
                        status="denied" if (claim_id + len(annotator)) % 3 == 0 else "confirmed",
                        previous_status="unreviewed", created_at=now, kind="mark", undoes="")
            for claim_id in range(1, claims + 1) for annotator in ("ana", "bob")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    path = ROOT / "benchmarks" / "cases" / f"agreement-{args.claims}.casebook"
    build(path, args.claims)
    sql, params = standing_marks_sql()
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def floor() -> int:
        return len(bare.execute(_SHARED.format(sql=sql), params).fetchall())

    with db.open_case(path, read_only=True) as case:
        def keyset() -> int:
            return sum(len(ids) for ids in shared_claim_pages(case, page=_PAGE))

        def by_position() -> int:
            offset = 0
            while page := case.rows(f"{_SHARED.format(sql=sql)} LIMIT ? OFFSET ?",
                                    [*params, _PAGE, offset]):
                offset += len(page)
            return offset

        assert floor() == keyset() == by_position() == args.claims
        base = best_of(args.repeats, floor)
        print(f"{args.claims:,} claims judged by two annotators, pages of {_PAGE}")
        for name, action in (("floor: one bare query", floor), ("keyset pages", keyset),
                             ("pages by OFFSET (before)", by_position)):
            took = base if action is floor else best_of(args.repeats, action)
            print(f"  {name:<26} {took:9.1f} ms  {took / base:6.2f}x")
    bare.close()


if __name__ == "__main__":
    main()
