"""The review flow's speed: a judgement key to the next claim on screen, and
another annotator's mark to this screen — the seed case beside a large case.

    .venv/bin/python benchmarks/review.py [--excerpts 1000000] [--marks 40]

In the real browser (headless, 80x24) on the unreviewed queue: the time
from a ``c``/``d``/``x`` key event to the mark being committed
(``ClaimMarked``), and to the next claim's row and detail being in place; the
time for ``v`` to show the next queue; and, with the browser polling every
0.1 s, from another connection committing a mark to the claim on screen
showing it. Beside them, the floor: ``mark_claim`` called directly on the
same file (one ``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``).

Cases are built once into benchmarks/cases/ (git-ignored); results are
printed as a table and written to benchmarks/results/review.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.claims import get_claim, mark_claim  # noqa: E402
from db.models import Claim  # noqa: E402
from db.review import next_in_queue, queue_page  # noqa: E402

if TYPE_CHECKING:
    from tui.app import CasebookApp
    from tui.panes.claims_pane import ClaimsPane


def build_cases(directory: Path, excerpts: int) -> dict[str, Path]:
    from db.generate import generate_case
    from seed.build import build_case

    directory.mkdir(parents=True, exist_ok=True)
    seed = directory / "seed.casebook"
    large = directory / f"generated-{excerpts}.casebook"
    if not seed.exists():
        build_case(seed)
    if not large.exists():
        print(f"building {large.name} (once; minutes for a million excerpts)…", file=sys.stderr)
        generate_case(large, excerpts=excerpts)
    return {"seed": seed, f"{excerpts:,} excerpts": large}


async def until(condition: Callable[[], bool], limit: float = 30.0) -> float:
    """Seconds until ``condition()`` holds, looking every millisecond (Pilot's
    own pause waits for the screen to go idle, which would add its own time)."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > limit:
            raise SystemExit("the browser never got there")
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


async def drive(path: Path, marks: int) -> dict[str, list[float]]:
    from tui.app import CasebookApp
    from tui.parts.marking import Marking

    timings: dict[str, list[float]] = {"committed": [], "next_shown": [], "queue_switch": [],
                                       "others_mark_shown": []}
    with db.open_case(path) as case:
        app = CasebookApp(case, annotator="bench")
        app.POLL_SECONDS = 0.1
        committed: list[float] = []
        original = Marking.claim_marked

        def noted(self: Marking, message: Marking.ClaimMarked) -> None:
            committed.append(time.perf_counter())
            original(self, message)

        Marking.claim_marked = noted  # type: ignore[method-assign]
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await until(lambda: app.is_ready)
                await pilot.press("r")
                pane = app.claims_pane
                await until(lambda: pane.paged_list.cursor_item is not None
                            and pane.detail_id == pane.paged_list.cursor_item_id)
                for index in range(marks):
                    claim_id = shown_id(pane.paged_list.cursor_item_id)
                    following = next_in_queue(case, "unreviewed", claim_id, wrap=True)
                    await asyncio.sleep(0.05)          # a breath, as a reader takes
                    start = time.perf_counter()
                    app.simulate_key("cdx"[index % 3])   # (Pilot's press waits for idle)
                    await until(partial(marked_since, committed, start))
                    timings["committed"].append(committed[-1] - start)
                    await until(partial(next_claim_shown, app, pane, following))
                    timings["next_shown"].append(time.perf_counter() - start)
                for _ in range(7):
                    before = pane.queue
                    await asyncio.sleep(0.05)
                    start = time.perf_counter()
                    app.simulate_key("v")
                    await until(partial(queue_switched, pane, before))
                    timings["queue_switch"].append(time.perf_counter() - start)
                await pilot.press("4")
                pane.set_queue("all")
                await until(lambda: not pane.paged_list.is_rereading)
                with db.open_case(path) as other:
                    for index in range(min(marks, 20)):
                        claim_id = shown_id(pane.paged_list.cursor_item_id)
                        status = ("confirmed", "denied")[index % 2]
                        await asyncio.sleep(0.05)
                        start = time.perf_counter()
                        mark_claim(other, claim_id, status, annotator="other")
                        await until(partial(others_mark_shown, pane, status))
                        timings["others_mark_shown"].append(time.perf_counter() - start)
        finally:
            Marking.claim_marked = original  # type: ignore[method-assign]
    return timings


def shown_id(item_id: int | None) -> int:
    if item_id is None:
        raise SystemExit("the claims pane shows no claim")
    return item_id


def marked_since(committed: list[float], start: float) -> bool:
    return bool(committed) and committed[-1] > start


def next_claim_shown(app: CasebookApp, pane: ClaimsPane, following: Claim | None) -> bool:
    """The claim after the one just marked is on the cursor, its detail drawn
    and the mark settled."""
    return (following is not None and pane.paged_list.cursor_item_id == following.id
            and f"Claim {following.id}\n" in pane.detail.text
            and not app.marking.in_flight and not pane.paged_list.is_rereading)


def queue_switched(pane: ClaimsPane, before: str) -> bool:
    return (pane.queue != before and not pane.paged_list.is_rereading
            and pane.paged_list.total is not None)


def others_mark_shown(pane: ClaimsPane, status: str) -> bool:
    """The claim on the cursor (a ``ClaimRow``) has another annotator's mark."""
    row: Any = pane.paged_list.cursor_item
    return row is not None and row.claim.status == status and "other" in pane.detail.text


def floor(path: Path, marks: int) -> list[float]:
    times = []
    with db.open_case(path) as case:
        claims = [c.id for c in queue_page(case, "unreviewed", offset=0, limit=marks)
                  if c.id is not None]
        for claim_id in claims:
            version = get_claim(case, claim_id).version
            start = time.perf_counter()
            mark_claim(case, claim_id, "disputed", annotator="floor", expected_version=version)
            times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--excerpts", type=int, default=1_000_000)
    parser.add_argument("--marks", type=int, default=40)
    parser.add_argument("--cases", type=Path, default=ROOT / "benchmarks" / "cases")
    args = parser.parse_args()
    cases = build_cases(args.cases, args.excerpts)
    scratch = args.cases / "review-scratch"
    scratch.mkdir(exist_ok=True)
    results: dict[str, dict[str, list[float]]] = {}
    for name, path in cases.items():
        copy = scratch / path.name
        shutil.copyfile(path, copy)        # marks go into a copy; the case stays as built
        timings = asyncio.run(drive(copy, args.marks))
        timings["floor_mark_claim"] = floor(copy, args.marks)
        results[name] = timings
        copy.unlink()
    print(f"{'ms (median / p95)':<26}" + "".join(f"{name:>24}" for name in results))
    rows = ["floor_mark_claim", "committed", "next_shown", "queue_switch", "others_mark_shown"]
    labels = {"floor_mark_claim": "mark_claim alone (floor)", "committed": "key → mark committed",
              "next_shown": "key → next claim shown", "queue_switch": "v → next queue shown",
              "others_mark_shown": "other's mark → shown"}
    for row in rows:
        cells = "".join(
            f"{statistics.median(r[row]) * 1000:>15.1f} / {p95(r[row]) * 1000:>6.1f}"
            for r in results.values())
        print(f"{labels[row]:<26}{cells}")
    out = ROOT / "benchmarks" / "results" / "review.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"excerpts": args.excerpts, "marks": args.marks, "runs": results},
                              indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
