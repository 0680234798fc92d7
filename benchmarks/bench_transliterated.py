"""Transliterated search and possible mentions (issue 14 points 4-5), side by
side with exact search and plain linking, on a copy of a generated case.

- the file's growth from the Latin-spelling indexes (their shadow tables,
  from ``dbstat``), with the generated case as it is and after multilingual
  documents are added;
- per keystroke, ``first_matches`` then ``search`` as the browser runs them
  (median and p95, ms), exact (``--exact``) against transliterated, over the
  existing query set plus a multilingual one;
- ``add-source`` throughput (documents per second, in process, as
  ``import_document``) with possible mentions proposed against without
  (an empty :class:`~db.possible_mentions.NameForms`).

    .venv/bin/python benchmarks/bench_transliterated.py benchmarks/cases/generated-100000-seed0.casebook
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import db
from db.documents import Document
from db.ingest import import_document
from db.possible_mentions import NameForms
from db.search import first_matches, search

QUERIES = ("the", "intelligence officers", "embassy in brussels", "Austrevicius", "Uhrík",
           "Logvinov", "payments from", "zqx")
MULTILINGUAL = ("Μέτσολα", "Metsola", "Мецола", "Логвинов", "社長", "서울에서", "สถานทูต", "Lodz")
SAMPLE = ("Η Ρομπέρτα Μέτσολα μίλησε στο Κοινοβούλιο. Председателят Роберта Мецола каза. "
          "Логвинов в Брюсселе. 東京で田中社長が話した。서울에서 만났다. สถานทูตรัสเซีย")
WORDS = "the intelligence officer met a diplomat in Brussels and Vilnius about payments".split()
DOCUMENTS = 20


def _latin_bytes(case: db.Case) -> int:
    return int(case.scalar("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE '%latin_fts%'"))


def _keystrokes(query: str) -> list[str]:
    return [query[:end] for end in range(1, len(query) + 1)]


def _latency(case: db.Case, exact: bool) -> tuple[float, float]:
    times = []
    for query in (*QUERIES, *MULTILINGUAL):
        for typed in _keystrokes(query):
            start = time.perf_counter()
            first_matches(case, typed, exact=exact)
            search(case, typed, exact=exact)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def _document(rng: random.Random, number: int, multilingual: bool) -> Document:
    paragraphs = []
    for _ in range(40):
        words = [rng.choice(WORDS) for _ in range(60)]
        paragraphs.append(" ".join(words) + (f" {SAMPLE}" if multilingual else "") + f" #{number}")
    return Document(path=f"doc-{number}.txt", kind="text", split="blocks", title=f"Document {number}",
                    text="\n\n".join(paragraphs))


def _ingest(case: db.Case, forms: NameForms, first: int, multilingual: bool) -> float:
    rng = random.Random(first)
    start = time.perf_counter()
    for number in range(first, first + DOCUMENTS):
        import_document(case, _document(rng, number, multilingual), forms=forms)
    return DOCUMENTS / (time.perf_counter() - start)


def main(source: Path) -> None:
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        path = Path(folder) / "copy.casebook"
        shutil.copyfile(source, path)
        start = time.perf_counter()
        with db.open_case(path) as case:   # migrates: builds the Latin-spelling indexes
            print(f"open and migrate: {time.perf_counter() - start:.1f} s")
            size = path.stat().st_size
            print(f"file {size / 2**20:.1f} MiB; Latin-spelling indexes {_latin_bytes(case) / 2**20:.2f} MiB")
            for exact in (True, False):
                median, p95 = _latency(case, exact)
                print(f"per keystroke, {'exact' if exact else 'transliterated'}: "
                      f"median {median:.1f} ms, p95 {p95:.1f} ms")
            forms = NameForms.of_case(case)
            without = _ingest(case, NameForms(()), 1, multilingual=False)
            proposing = _ingest(case, forms, 1000, multilingual=False)
            print(f"add-source, {DOCUMENTS} documents of 40 paragraphs: without proposals "
                  f"{without:.2f} docs/s, proposing {proposing:.2f} docs/s "
                  f"({proposing / without:.2f}x)")
            multilingual = _ingest(case, forms, 2000, multilingual=True)
            print(f"add-source of multilingual documents, proposing: {multilingual:.2f} docs/s")
            proposed = case.scalar("SELECT count(*) FROM possible_mentions")
            print(f"possible mentions proposed: {proposed}")
            print(f"Latin-spelling indexes after {DOCUMENTS} multilingual documents "
                  f"({DOCUMENTS * 40} paragraphs): {_latin_bytes(case) / 2**20:.2f} MiB")
            for exact in (True, False):
                median, p95 = _latency(case, exact)
                print(f"per keystroke, {'exact' if exact else 'transliterated'}: "
                      f"median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
