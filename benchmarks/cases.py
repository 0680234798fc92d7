"""The two cases every benchmark runs on: the seed case and a generated one.

Both are cached in benchmarks/cases/ (gitignored) and rebuilt only when
missing or made by another version of the schema or the generator.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db.generate import generate_case, generator_label
from db.schema import SCHEMA_VERSION
from seed.build import build_case

CASES_DIR = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class BenchCase:
    label: str
    path: Path
    built_in_s: float | None  # None when taken from the cache


def _meta(path: Path, key: str) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return None
        found = conn.execute("SELECT value FROM case_meta WHERE key = ?", [key]).fetchone()
        return found[0] if found else None
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _current(path: Path, key: str, expected: str | None) -> bool:
    if not path.exists():
        return False
    value = _meta(path, key)
    return value is not None and (expected is None or value == expected)


def _remove(path: Path) -> None:
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        companion.unlink(missing_ok=True)


def seed_case(directory: Path = CASES_DIR, say: Callable[[str], object] = print) -> BenchCase:
    path = directory / "seed.casebook"
    if _current(path, "title", None):
        return BenchCase("seed", path, None)
    _remove(path)
    directory.mkdir(parents=True, exist_ok=True)
    say(f"building the seed case at {path}")
    start = time.perf_counter()
    build_case(path)
    return BenchCase("seed", path, time.perf_counter() - start)


def generated_case(excerpts: int, seed: int = 0, directory: Path = CASES_DIR,
                   say: Callable[[str], object] = print) -> BenchCase:
    path = directory / f"generated-{excerpts}-seed{seed}.casebook"
    if _current(path, "generator", generator_label(excerpts, seed)):
        return BenchCase(f"{excerpts:,} excerpts", path, None)
    _remove(path)
    directory.mkdir(parents=True, exist_ok=True)
    say(f"generating a case of {excerpts:,} excerpts at {path} (cached for later runs)")
    start = time.perf_counter()
    generate_case(path, excerpts=excerpts, seed=seed)
    return BenchCase(f"{excerpts:,} excerpts", path, time.perf_counter() - start)
