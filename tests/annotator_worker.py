"""A stand-in annotator process for the multi-process tests (not a test).

Marks random claims and prints ``ack ANNOTATION_ID CLAIM_ID STATUS`` after
each mark's commit returns, the moment a user would be told it is saved.

    python tests/annotator_worker.py PATH ANNOTATOR COUNT [--start UNIX_TIME]
                                     [--reopen] [--forever] [--claim ID]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import db
from db.claims import mark_claim


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("annotator")
    parser.add_argument("count", type=int)
    parser.add_argument("--start", type=float, default=0.0, help="begin at this time (a barrier)")
    parser.add_argument("--reopen", action="store_true",
                        help="also open and close a second Case on the file for every mark, "
                             "while the first stays open (as a browser opening the file again)")
    parser.add_argument("--forever", action="store_true", help="mark until killed")
    parser.add_argument("--claim", type=int, default=None, help="mark only this claim")
    args = parser.parse_args()
    rng = random.Random(args.annotator)
    first = db.open_case(args.path)
    claims = first.scalar("SELECT max(id) FROM claims")
    case = None if args.reopen else first
    time.sleep(max(0.0, args.start - time.time()))
    done = 0
    while args.forever or done < args.count:
        current = case or db.open_case(args.path)
        claim_id = args.claim or rng.randint(1, claims)
        status = rng.choice(("confirmed", "disputed", "denied"))
        mark = mark_claim(current, claim_id, status, annotator=args.annotator,
                          note=f"{args.annotator} #{done}")
        print(f"ack {mark.id} {claim_id} {status}", flush=True)
        if case is None:
            current.close()
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
