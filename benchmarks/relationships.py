"""Relationships at scale, beside a bare-SQLite floor: an entity's
relationships, its depth-2 network (the network view's first screen), the
same two for the ten biggest hubs (the entities with the most relationships,
where a walk reads the most rows), the shortest paths between two random
entities (up to 4 hops), and the GraphML and GEXF exports of the whole case
against the JSON export (time and peak memory).

    .venv/bin/python benchmarks/relationships.py [--excerpts N] [--repeats R] [--case PATH]
                                                 [--no-exports]

Generates a case of ``--excerpts`` excerpts (about two relationships per
entity: 200,000 at 1,000,000 excerpts), or reads ``--case``. The floors are
the same lookups as bare ``sqlite3`` queries of ids through the same
indexes, no models: what any code reading this file pays. Paths through
shared events, claims and excerpts too (``path --through all``) are timed
between random entities and from the ten most mentioned, beside the same
bidirectional search in bare sqlite3 and sets of ids. The issue's
targets: an entity's relationships and its depth-2 network under 50 ms,
a path of up to 4 hops under 200 ms, GraphML within 2x the JSON export.
Each figure is on the clock and (``cpu``) on the CPU of the thread or
process measured: on a machine others load, the clock stretches and the
CPU figure is what the same run costs on an idle one.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.connections import THROUGH, find_paths  # noqa: E402
from db.generate import generate_case  # noqa: E402
from db.relationships import entity_ties, neighbours, shortest_paths  # noqa: E402

_STEP = ("SELECT object_entity_id FROM relationships WHERE subject_entity_id = ? "
         "UNION ALL SELECT subject_entity_id FROM relationships WHERE object_entity_id = ?")


class Times:
    """Milliseconds of a lookup done again and again: on the clock (what an
    analyst waits) and on this thread's CPU (what it costs, whatever else the
    machine runs: a loaded machine stretches the one, not the other)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def timed(works: Iterable[Callable[[], object]]) -> Times:
    times = Times()
    for work in works:
        wall, cpu = time.perf_counter(), time.thread_time()
        work()
        times.cpu.append((time.thread_time() - cpu) * 1000)
        times.wall.append((time.perf_counter() - wall) * 1000)
    return times


def p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, ours: Times, floor: Times, target: str = "") -> None:
    median = statistics.median(ours.wall)
    base = statistics.median(floor.wall)
    print(f"{name:<44} {median:9.2f} {p(ours.wall, 0.95):9.2f} {base:9.2f} "
          f"{median / base if base else 0:8.1f}x {statistics.median(ours.cpu):9.2f}  {target}")


def bare_network(conn: sqlite3.Connection, entity_id: int, depth: int,
                 max_nodes: int = 500) -> int:
    """The ids within ``depth`` steps, stopping at ``max_nodes`` as the network view does."""
    seen, frontier = {entity_id}, [entity_id]
    for _ in range(depth):
        reached = []
        for near in frontier:
            for (far,) in conn.execute(_STEP, [near, near]):
                if far not in seen:
                    if len(seen) >= max_nodes:
                        return len(seen)
                    seen.add(far)
                    reached.append(far)
        frontier = reached
    return len(seen)


def bare_ties(conn: sqlite3.Connection, entity: int, limit: int | None = None) -> list[Any]:
    """The floor for an entity's relationships: the other ends, from bare sqlite3."""
    cursor = conn.execute(_STEP, [entity, entity])
    return cursor.fetchall() if limit is None else cursor.fetchmany(limit)


def biggest_hubs(conn: sqlite3.Connection, count: int = 10) -> list[tuple[int, int]]:
    """The ``count`` entities with the most relationships (either end), with how many."""
    return conn.execute(
        "SELECT entity, count(*) FROM (SELECT subject_entity_id AS entity FROM relationships "
        "UNION ALL SELECT object_entity_id FROM relationships) "
        "GROUP BY entity ORDER BY count(*) DESC, entity LIMIT ?", [count]).fetchall()


def bare_shared_path(conn: sqlite3.Connection, a: int, b: int, max_hops: int = 4) -> int:
    """The fewest hops between two entities through relationships and shared
    items: the same bidirectional search in bare sqlite3 and sets of ids (no
    models, no budget, no chains kept, no relationship-only search first)."""
    seen = ({a}, {b})
    frontiers = ([a], [b])
    for hops in range(1, max_hops + 1):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        reached: set[int] = set()
        for at in range(0, len(frontiers[side]), 500):
            batch = frontiers[side][at:at + 500]
            marks = ",".join("?" * len(batch))
            sql = (f"SELECT object_entity_id FROM relationships WHERE subject_entity_id IN ({marks}) "
                   f"UNION ALL SELECT subject_entity_id FROM relationships "
                   f"WHERE object_entity_id IN ({marks})")
            for table, item in (("event_entities", "event_id"), ("claim_entities", "claim_id"),
                                ("excerpt_entities", "excerpt_id")):
                sql += (f" UNION ALL SELECT b.entity_id FROM {table} a JOIN {table} b "
                        f"ON b.{item} = a.{item} WHERE a.entity_id IN ({marks})")
            reached.update(row[0] for row in conn.execute(sql, batch * 5))
        reached -= seen[side]
        if reached & seen[1 - side]:
            return hops
        seen[side].update(reached)
        frontiers[side][:] = sorted(reached)
        if not reached:
            return 0
    return 0


def shared_paths(case: db.Case, conn: sqlite3.Connection, pairs: list[tuple[int, int]],
                 rng: random.Random, entities: int) -> None:
    """``path --through all``: random pairs, then from the most mentioned entities."""
    # (hops of the first chain, of the first through shared items, cut short)
    found: list[tuple[int, int, bool]] = []

    def path_through(a: int, b: int) -> None:
        paths = find_paths(case, a, b, max_hops=4, through=THROUGH)
        first, shared = paths.chains[:1], paths.shared_chains[:1]
        found.append((first[0].hops if first else 0, shared[0].hops if shared else 0,
                      paths.cut_short))

    row("paths through shared items too (all)",
        timed(partial(path_through, a, b) for a, b in pairs),
        timed(partial(bare_shared_path, conn, a, b) for a, b in pairs),
        "as paths: < 200 ms")
    _found_line(found)
    mentioned = [entity for entity, _ in conn.execute(
        "SELECT entity_id, count(*) FROM excerpt_entities GROUP BY entity_id "
        "ORDER BY 2 DESC, 1 LIMIT 10").fetchall()]
    if mentioned:
        hub_pairs = [(mentioned[at % len(mentioned)], rng.randint(1, entities))
                     for at in range(len(pairs))]
        hub_pairs = [(a, b) for a, b in hub_pairs if a != b]
        found.clear()
        row("paths from the 10 most mentioned (all)",
            timed(partial(path_through, a, b) for a, b in hub_pairs),
            timed(partial(bare_shared_path, conn, a, b) for a, b in hub_pairs),
            "as paths: < 200 ms")
        _found_line(found)
        most = conn.execute("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?",
                            [mentioned[0]]).fetchone()[0]
        print(f"{'  excerpts of the most mentioned':<44} {most:>9,}")


def _found_line(found: list[tuple[int, int, bool]]) -> None:
    joined = [f[0] for f in found if f[0]]
    shared = [f[1] for f in found if f[1]]
    print(f"{'  pairs joined within 4 hops':<44} {len(joined):>9} of {len(found)}"
          f" (median {statistics.median(joined) if joined else 0} hops; through shared items"
          f" {len(shared)}, median {statistics.median(shared) if shared else 0} hops;"
          f" {sum(1 for f in found if f[2])} cut short)")


def export(path: Path, format_: str, out: Path) -> tuple[float, float, float]:
    """Seconds on the clock, seconds of CPU and peak RSS (MiB) of ``casebook
    export`` in a process of its own."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "casebook", "export", str(path), "-f",
                              format_, "-o", str(out), "--force"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        said = child.stderr.read().decode(errors="replace").strip() if child.stderr else ""
        raise SystemExit(f"export {format_} failed: {said}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--excerpts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--case", type=Path, default=None, help="A case file to read.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-exports", action="store_true",
                        help="Time the reads only, not the exports of the whole case.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = options.case
        if path is None:
            path = Path(scratch) / "case.casebook"
            start = time.perf_counter()
            generate_case(path, excerpts=options.excerpts, seed=options.seed)
            print(f"generated {options.excerpts:,} excerpts in {time.perf_counter() - start:.1f} s")
        rng = random.Random(options.seed)
        with db.open_case(path, read_only=True) as case:
            entities = int(case.scalar("SELECT max(id) FROM entities"))
            ties = int(case.scalar("SELECT count(*) FROM relationships"))
            print(f"{entities:,} entities, {ties:,} relationships\n")
            print(f"{'ms (median, p95) · floor: bare sqlite3':<44} {'casebook':>9} {'p95':>9} "
                  f"{'floor':>9} {'ratio':>9} {'cpu':>9}  target")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            picks = [rng.randint(1, entities) for _ in range(options.repeats)]
            row("an entity's relationships (entity_ties)",
                timed(partial(entity_ties, case, e) for e in picks),
                timed(partial(bare_ties, conn, e) for e in picks),
                "< 50 ms")
            row("its depth-2 network (neighbours, 500 max)",
                timed(partial(neighbours, case, e, depth=2) for e in picks),
                timed(partial(bare_network, conn, e, 2) for e in picks), "< 50 ms")
            hubs = biggest_hubs(conn)
            hub_picks = [hubs[at % len(hubs)][0] for at in range(options.repeats)] if hubs else []
            if hub_picks:
                row("the 10 biggest hubs' relationships (200 max)",
                    timed(partial(entity_ties, case, e) for e in hub_picks),
                    timed(partial(bare_ties, conn, e, 200) for e in hub_picks), "< 50 ms")
                row("their depth-2 networks (500 max)",
                    timed(partial(neighbours, case, e, depth=2) for e in hub_picks),
                    timed(partial(bare_network, conn, e, 2) for e in hub_picks), "< 50 ms")
                print(f"{'  relationships of those hubs':<44} {hubs[0][1]:>9,} to {hubs[-1][1]:,}")
            pairs = [(rng.randint(1, entities), rng.randint(1, entities))
                     for _ in range(options.repeats)]
            pairs = [(a, b) for a, b in pairs if a != b]
            found: list[int] = []

            def path_between(a: int, b: int) -> None:
                chains = shortest_paths(case, a, b, max_hops=4)
                found.append(chains[0].hops if chains else 0)

            row("shortest paths, up to 4 hops (bidirectional)",
                timed(partial(path_between, a, b) for a, b in pairs),
                timed(partial(bare_network, conn, a, 2) for a, _ in pairs), "< 200 ms")
            hops = [h for h in found if h]
            print(f"{'  pairs connected within 4 hops':<44} {len(hops):>9} of {len(found)}"
                  f" (median {statistics.median(hops) if hops else 0} hops)")
            shared_paths(case, conn, pairs, rng, entities)
            conn.close()
        if options.no_exports:
            return
        print()
        print(f"{'exports of the whole case':<44} {'seconds':>9} {'peak MiB':>9} {'vs json':>9} "
              f"{'cpu s':>9} {'vs json':>9}")
        json_s, json_cpu, json_mb = export(path, "json", Path(scratch) / "case.json")
        print(f"{'  json (the floor)':<44} {json_s:9.2f} {json_mb:9.0f} {'':9} {json_cpu:9.2f}")
        for format_ in ("graphml", "gexf"):
            seconds, cpu, mb = export(path, format_, Path(scratch) / f"case.{format_}")
            print(f"{'  ' + format_:<44} {seconds:9.2f} {mb:9.0f} {seconds / json_s:8.2f}x "
                  f"{cpu:9.2f} {cpu / json_cpu:8.2f}x  target < 2x")

if __name__ == "__main__":
    main()
