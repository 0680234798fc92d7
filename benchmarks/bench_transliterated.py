"""Transliterated search and possible mentions (issue 14 points 4-5), side by
side with exact search and plain linking, on a copy of a generated case.

- what feeding the indexes costs a multilingual paragraph: its Latin
  spelling against its folded words (the floor: ``search_text``);
- the file's growth from the Latin-spelling indexes (their shadow tables,
  from ``dbstat``), with the generated case as it is and after multilingual
  documents are added;
- per keystroke, ``first_matches`` then ``search`` as the browser runs them,
  through a :class:`~db.search.Searcher` (a new token each keystroke; the
  stages share their reads) (median and p95, ms), exact (``--exact``)
  against transliterated, over the existing query set plus a multilingual one;
- ``add-source`` throughput (documents per second, in process, as
  ``import_document``) with possible mentions proposed against without
  (an empty :class:`~db.possible_mentions.NameForms`), on the same text: every
  paragraph also names, inflected, a few persons whose surname no other
  entity carries (picked from the case: ``unique_names``), so proposals are
  found and stored; the generated case's common surnames have dozens of
  namesakes and are proposed for no one.

    .venv/bin/python benchmarks/bench_transliterated.py benchmarks/cases/generated-100000-seed0.casebook

``benchmarks/run.py`` runs it as its ``transliterated`` section, on copies of
the seed case and the large one, side by side.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from measure import Figure  # noqa: E402

import db  # noqa: E402
from db.ingest import import_document  # noqa: E402
from db.possible_mentions import NameForms  # noqa: E402
from db.readers.document import Document  # noqa: E402
from db.search import Searcher  # noqa: E402

SECTION = "transliterated search and possible mentions"

QUERIES = ("the", "intelligence officers", "embassy in brussels", "Austrevicius", "Uhrík",
           "Logvinov", "payments from", "zqx")
MULTILINGUAL = ("Μέτσολα", "Metsola", "Мецола", "Логвинов", "社長", "서울에서", "สถานทูต", "Lodz")
# Bad input (issue 14): whole queries, as pasted, each timed as one keystroke.
BAD = ("Łódź社長Мецола", "\u0301\u0308", "a\u200db", "\u200fשלום\u200e", "\u202eMetsola\u202c",
       "\U0001f600\u200d\U0001f4bb", "x" * 10_000, "社" * 5_000, ("Мецола " * 2_000).strip(),
       "Metsola " * 1_250)
SAMPLE = ("Η Ρομπέρτα Μέτσολα μίλησε στο Κοινοβούλιο. Председателят Роберта Мецола каза. "
          "Логвинов в Брюсселе. 東京で田中社長が話した。서울에서 만났다. สถานทูตรัสเซีย")
WORDS = "the intelligence officer met a diplomat in Brussels and Vilnius about payments".split()
# Paragraphs for the feeds' cost: words of every script, shuffled, with marks that
# spelling as written keeps (kana voicing, Devanagari vowel signs, Thai vowels).
SCRIPT_WORDS = (SAMPLE + " ハンバーグ・ステーキを食べた हिन्दी में रूसी दूतावास สถานทูตรัสเซีย "
                "قال مُحَمَّد إن السفارة في بروكسل Европейският парламент").split()
FEED_PARAGRAPHS = 2000
DOCUMENTS = 20
ROUNDS = 3            # add-source with and without proposals, in turn
UNIQUE = 3            # persons named in every paragraph whose surname only they carry


def _latin_bytes(case: db.Case) -> int:
    return int(case.scalar("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE '%latin_fts%'"))


def _keystrokes(query: str) -> list[str]:
    return [query[:end] for end in range(1, len(query) + 1)]


def _keystroke(searcher: Searcher, typed: str, exact: bool) -> float:
    """One keystroke's first two stages, as the browser's search screen runs them (ms)."""
    start = time.perf_counter()
    token = searcher.keystroke()
    searcher.first_matches(token, typed, exact=exact)
    searcher.search(token, typed, exact=exact)
    return (time.perf_counter() - start) * 1000


def _latency(case: db.Case, exact: bool) -> tuple[float, float]:
    searcher = Searcher(case)
    times = sorted(_keystroke(searcher, typed, exact)
                   for query in (*QUERIES, *MULTILINGUAL) for typed in _keystrokes(query))
    case.conn.set_progress_handler(None, 0)   # the Searcher's; the case goes on
    return statistics.median(times), times[int(len(times) * 0.95)]


def unique_names(case: db.Case, forms: NameForms, count: int = UNIQUE) -> list[str]:
    """Inflected surnames (``Surname`` + ``s``) of the first ``count`` persons,
    in id order, for whom such a word is proposed and for no one else."""
    found: list[str] = []
    for entity_id, name in case.rows("SELECT id, name FROM entities "
                                     "WHERE kind = 'person' AND retired = 0 ORDER BY id"):
        surname = name.split()[-1]
        if not surname.isalpha():
            continue
        variant = f"{surname}s"
        proposals = forms.propose(f"They met {variant} there.")
        if [p.entity_id for p in proposals] == [entity_id]:
            found.append(variant)
            if len(found) == count:
                break
    return found


def _bad_latency(case: db.Case, exact: bool) -> float:
    """The slowest of the bad queries, each the best of three (ms)."""
    searcher = Searcher(case)
    slowest = max(min(_keystroke(searcher, query, exact) for _ in range(3)) for query in BAD)
    case.conn.set_progress_handler(None, 0)
    return slowest


def _document(rng: random.Random, number: int, multilingual: bool, named: str) -> Document:
    paragraphs = []
    for _ in range(40):
        words = [rng.choice(WORDS) for _ in range(60)]
        paragraphs.append(" ".join(words) + (f" {named}" if named else "")
                          + (f" {SAMPLE}" if multilingual else "") + f" #{number}")
    return Document(path=f"doc-{number}.txt", kind="text", split="blocks", title=f"Document {number}",
                    text="\n\n".join(paragraphs))


def _ingest(case: db.Case, forms: NameForms, first: int, multilingual: bool,
            named: str = "") -> tuple[float, int]:
    """Documents per second, and the possible mentions they stored."""
    rng = random.Random(first)
    proposed = 0
    start = time.perf_counter()
    for number in range(first, first + DOCUMENTS):
        proposed += import_document(case, _document(rng, number, multilingual, named),
                                    forms=forms).proposed
    return DOCUMENTS / (time.perf_counter() - start), proposed


def feed_cost(paragraphs: int = FEED_PARAGRAPHS) -> tuple[float, float]:
    """What feeding the indexes costs a multilingual paragraph (µs), as the
    triggers call it: the folded words (``casebook_search_text``, the floor)
    and their Latin spelling (``casebook_transliterated_text``), each over the
    same paragraphs once, the spelling's cache (if any) cold at the start."""
    from db import text

    rng = random.Random(7)
    made = [" ".join(rng.choice(SCRIPT_WORDS + WORDS) for _ in range(60)) for _ in range(paragraphs)]
    clear = getattr(getattr(text, "_latin_spellings", None), "cache_clear", None)
    if clear is not None:
        clear()
    found = []
    for feed in (text.search_text, text.transliterate):
        start = time.perf_counter()
        for paragraph in made:
            feed(paragraph)
        found.append((time.perf_counter() - start) / paragraphs * 1e6)
    return found[0], found[1]


def measure_case(source: Path, *, say: Callable[[str], None] = lambda _: None) -> dict[str, float]:
    """Every figure of one case, measured on a copy of it (adding documents writes)."""
    found: dict[str, float] = {}
    found["feed_folded_us"], found["feed_latin_us"] = feed_cost()
    say(f"feeding the indexes, a multilingual paragraph of 60 words: folded "
        f"{found['feed_folded_us']:.0f} µs, Latin spelling {found['feed_latin_us']:.0f} µs "
        f"({found['feed_latin_us'] / found['feed_folded_us']:.2f}x)")
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        path = Path(folder) / "copy.casebook"
        shutil.copyfile(source, path)
        start = time.perf_counter()
        with db.open_case(path) as case:   # migrates: builds the Latin-spelling indexes
            found["open_s"] = time.perf_counter() - start
            say(f"open and migrate: {found['open_s']:.1f} s")
            found["file_mib"] = path.stat().st_size / 2**20
            found["latin_mib"] = _latin_bytes(case) / 2**20
            say(f"file {found['file_mib']:.1f} MiB; Latin-spelling indexes {found['latin_mib']:.2f} MiB")
            for exact in (True, False):
                name = "exact" if exact else "transliterated"
                found[f"{name}_median"], found[f"{name}_p95"] = _latency(case, exact)
                say(f"per keystroke, {name}: median {found[f'{name}_median']:.1f} ms, "
                    f"p95 {found[f'{name}_p95']:.1f} ms")
                found[f"{name}_bad"] = _bad_latency(case, exact)
                say(f"  the slowest of {len(BAD)} bad queries (10,000 characters, marks, "
                    f"joiners), {name}: {found[f'{name}_bad']:.1f} ms")
            forms = NameForms.of_case(case)
            names = unique_names(case, forms)
            named = "Reports name " + ", ".join(names) + "." if names else ""
            found["unique_names"] = len(names)
            say(f"persons named in every paragraph, their surname theirs alone: {', '.join(names)}")
            # In turn, median of ROUNDS each: the first documents added also warm the file's pages.
            without, proposing, stored = [], [], []
            for turn in range(ROUNDS):
                without.append(_ingest(case, NameForms(()), 1 + 100 * turn, False, named)[0])
                rate, proposed = _ingest(case, forms, 1000 + 100 * turn, False, named)
                proposing.append(rate)
                stored.append(proposed)
            found["without"] = statistics.median(without)
            found["proposing"] = statistics.median(proposing)
            found["proposed_per_round"] = statistics.median(stored)
            say(f"add-source, {DOCUMENTS} documents of 40 paragraphs (median of {ROUNDS} in turn): "
                f"without proposals "
                f"{found['without']:.2f} docs/s, proposing {found['proposing']:.2f} docs/s "
                f"({found['proposing'] / found['without']:.2f}x), "
                f"{found['proposed_per_round']:.0f} possible mentions stored a round")
            found["multilingual"] = _ingest(case, forms, 2000, multilingual=True)[0]
            say(f"add-source of multilingual documents, proposing: {found['multilingual']:.2f} docs/s")
            found["proposed"] = case.scalar("SELECT count(*) FROM possible_mentions")
            say(f"possible mentions proposed: {found['proposed']}")
            found["latin_after_mib"] = _latin_bytes(case) / 2**20
            say(f"Latin-spelling indexes after {DOCUMENTS} multilingual documents "
                f"({DOCUMENTS * 40} paragraphs): {found['latin_after_mib']:.2f} MiB")
            for exact in (True, False):
                name = "exact" if exact else "transliterated"
                median, p95 = _latency(case, exact)
                found[f"{name}_after_median"], found[f"{name}_after_p95"] = median, p95
                say(f"per keystroke, {name}: median {median:.1f} ms, p95 {p95:.1f} ms")
    return found


def figures(seed: dict[str, float], large: dict[str, float]) -> list[Figure]:
    rows = [Figure(SECTION, "Latin-spelling indexes", "KiB", 1024 * seed["latin_mib"],
                   1024 * large["latin_mib"]),
            Figure(SECTION, "  of the whole file", "%", 100 * seed["latin_mib"] / seed["file_mib"],
                   100 * large["latin_mib"] / large["file_mib"])]
    for when, label in (("", ""), ("_after", f" (after {DOCUMENTS} multilingual documents)")):
        for name in ("exact", "transliterated"):
            for stat in ("median", "p95"):
                rows.append(Figure(SECTION, f"per keystroke, {name}{label}, {stat}", "ms",
                                   seed[f"{name}{when}_{stat}"], large[f"{name}{when}_{stat}"]))
        if not when:
            for name in ("exact", "transliterated"):
                rows.append(Figure(SECTION, f"the slowest bad query, {name}", "ms",
                                   seed[f"{name}_bad"], large[f"{name}_bad"]))
        rows.append(Figure(SECTION, f"ratio transliterated / exact{label}, p95", "x",
                           seed[f"transliterated{when}_p95"] / seed[f"exact{when}_p95"],
                           large[f"transliterated{when}_p95"] / large[f"exact{when}_p95"]))
    rows += [
        Figure(SECTION, f"add-source, {DOCUMENTS} documents, without proposals", "docs/s",
               seed["without"], large["without"]),
        Figure(SECTION, f"add-source, {DOCUMENTS} documents, proposing mentions", "docs/s",
               seed["proposing"], large["proposing"]),
        Figure(SECTION, "ratio proposing / without", "x", seed["proposing"] / seed["without"],
               large["proposing"] / large["without"]),
        Figure(SECTION, f"  possible mentions stored, {DOCUMENTS} documents", "rows",
               seed["proposed_per_round"], large["proposed_per_round"]),
        Figure(SECTION, "feeding a multilingual paragraph, folded words", "µs",
               seed["feed_folded_us"], large["feed_folded_us"]),
        Figure(SECTION, "feeding a multilingual paragraph, Latin spelling", "µs",
               seed["feed_latin_us"], large["feed_latin_us"]),
        Figure(SECTION, "ratio Latin spelling / folded words", "x",
               seed["feed_latin_us"] / seed["feed_folded_us"],
               large["feed_latin_us"] / large["feed_folded_us"]),
        Figure(SECTION, "add-source of multilingual documents, proposing", "docs/s",
               seed["multilingual"], large["multilingual"]),
        Figure(SECTION, "possible mentions proposed", "rows", seed["proposed"], large["proposed"]),
        Figure(SECTION, "Latin-spelling indexes after the multilingual documents", "KiB",
               1024 * seed["latin_after_mib"], 1024 * large["latin_after_mib"]),
    ]
    return rows


def run(seed_path: Path, large_path: Path) -> tuple[list[Figure], dict[str, object]]:
    seed = measure_case(seed_path)
    large = measure_case(large_path)
    return figures(seed, large), {"seed": seed, "large": large,
                                  "queries": [*QUERIES, *MULTILINGUAL]}


def main(source: Path) -> None:
    measure_case(source, say=print)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("case", type=Path, help="a case file (copied: documents go into the copy)")
    main(parser.parse_args().case)
