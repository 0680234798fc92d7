"""Which index for words in every script: today's (v5) against the folded ones.

On a copy of a generated case, the excerpts are indexed three ways side by side:

- ``v5``: ``unicode61 remove_diacritics 2`` over the raw text (schema v5);
- ``pairs``: casebook's fold, unspaced scripts in character pairs (schema v6);
- ``trigram``: FTS5's ``trigram`` tokenizer over the folded text.

For each: the index's size (its shadow tables, from ``dbstat``), the time to
build it, and per keystroke the p95 of a bare ``MATCH ... LIMIT 50`` over the
existing query set plus a multilingual one. The excerpts get a multilingual
sample mixed in first, so the new scripts are there to be found.

    .venv/bin/python benchmarks/bench_scripts.py benchmarks/cases/generated-100000-seed0.casebook
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.search import match_expression  # noqa: E402
from db.text import fold, register_functions  # noqa: E402

QUERIES = ("the", "intelligence officers", "embassy in brussels", "Austrevicius", "Uhrík",
           "Logvinov", "payments from", "zqx")
MULTILINGUAL = ("Μέτσολα", "Европейският", "社長", "서울에서", "สถานทูต", "Lodz", "KIRIKKALE")
SAMPLE = ("Η Ρομπέρτα Μέτσολα μίλησε. Европейският парламент. 東京で田中社長が話した。"
          "서울에서 만났다. สถานทูตรัสเซีย Łódź Kırıkkale")

VARIANTS = {
    "v5": ("unicode61 remove_diacritics 2", "{}"),
    "pairs": ("unicode61 remove_diacritics 0 categories 'L* N* Co M*'", "casebook_search_text({})"),
    "trigram": ("trigram", "casebook_fold({})"),
}


def index_bytes(conn: sqlite3.Connection, name: str) -> int:
    return int(conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE ? ESCAPE '\\'",
                            [f"{name}\\_%"]).fetchone()[0] or 0)


def expression(variant: str, typed: str) -> str | None:
    if variant == "v5":
        words = [w for w in typed.split() if w]
        return " ".join(f'"{w}"' for w in words) + "*" if words else None
    if variant == "trigram":   # substrings: no prefix operator; under 3 characters matches nothing
        folded = fold(typed)
        return f'"{folded}"' if len(folded) >= 3 else None
    return match_expression(typed)


def main(path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        copy = Path(folder) / "copy.casebook"
        shutil.copy(path, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        register_functions(conn)
        conn.create_function("casebook_fold", 1, fold, deterministic=True)
        total = conn.execute("SELECT count(*) FROM excerpts").fetchone()[0]
        print(f"{total:,} excerpts; {path.stat().st_size / 1e6:.0f} MB file")
        print(f"{'index':8} {'MB':>7} {'build s':>8} {'p95 ms':>8} {'multi p95':>10} found")
        for variant, (tokenizer, column) in VARIANTS.items():
            name = f"bench_{variant}"
            prefixes = "" if variant == "trigram" else ", prefix='1 2 3'"
            conn.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(text, content='', "
                         f"tokenize=\"{tokenizer}\"{prefixes})")
            started = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(f"INSERT INTO {name}(rowid, text) SELECT id, {column.format('text')} FROM excerpts")
            conn.execute(f"INSERT INTO {name}(rowid, text) VALUES (-1, {column.format('?')})",
                         [SAMPLE])
            conn.execute("COMMIT")
            conn.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")
            built = time.perf_counter() - started
            times: dict[str, list[float]] = {"en": [], "multi": []}
            found = 0
            for group, queries in (("en", QUERIES), ("multi", MULTILINGUAL)):
                for query in queries:
                    for end in range(1, len(query) + 1):
                        match = expression(variant, query[:end])
                        if match is None:
                            continue
                        started = time.perf_counter()
                        rows = conn.execute(f"SELECT rowid FROM {name} WHERE {name} MATCH ? LIMIT 50",
                                            [match]).fetchall()
                        times[group].append((time.perf_counter() - started) * 1000)
                        if group == "multi" and end == len(query) and (-1,) in rows:
                            found += 1
            p95 = {g: statistics.quantiles(t, n=20)[18] for g, t in times.items()}
            print(f"{variant:8} {index_bytes(conn, name) / 1e6:7.1f} {built:8.1f} {p95['en']:8.2f} "
                  f"{p95['multi']:10.2f} {found}/{len(MULTILINGUAL)}")
        conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("case", type=Path, help="a case file (copied: the copy gets the indexes)")
    main(parser.parse_args().case)
