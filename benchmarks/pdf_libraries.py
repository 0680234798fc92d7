"""Which PDF library casebook reads PDFs with, by measurement.

    .venv/bin/python benchmarks/pdf_libraries.py [--pages 100] [--repeats 3]

Makes test PDFs whose text is known (tests/made_documents.py: a two-column
report with running headers, footers, page numbers and words hyphenated
at line ends; a one-column one; a long report for speed) and reads each
with every candidate, printing for each:

- ms per page (median of the repeats) on the long report;
- word order: how much of the written text comes out in order (difflib's
  ratio over the words, 100 = every word in its place), on the two-column
  report — reading order is what breaks first;
- furniture: running headers, footers and page numbers left in the text;
- broken words: words hyphenated at a line end that did not come out whole.

The candidates are well kept, permissively licensed, have wheels for Linux
and macOS, and never fetch anything: pypdf (BSD, pure Python), pdfplumber
(MIT, on pdfminer.six), PDFium through pypdfium2 (Apache-2.0/BSD, PDFium's
own text order), and casebook's reader (PDFium's line boxes, then its own
reading order, hyphenation and furniture removal: db/readers/pdf.py).
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import made_documents as made  # noqa: E402

_WORD = re.compile(r"\w+(?:-\w+)*")


def with_pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def with_pdfplumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def with_pypdfium2(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return "\n".join(pdf[index].get_textpage().get_text_range() for index in range(len(pdf)))
    finally:
        pdf.close()


def with_casebook(path: Path) -> str:
    from db.readers.common import ReadOptions
    from db.readers.pdf import read_pdf

    return read_pdf(path, path.read_bytes(), ReadOptions()).text


CANDIDATES: dict[str, Callable[[Path], str]] = {
    "pypdf": with_pypdf,
    "pdfplumber": with_pdfplumber,
    "pypdfium2 (PDFium's text)": with_pypdfium2,
    "casebook (PDFium boxes + layout)": with_casebook,
}


def words(text: str) -> list[str]:
    return _WORD.findall(text.replace("\ufffe", "-").replace("\x02", "-").replace("\u00ad", "-"))


def order_score(written: list[str], text: str) -> float:
    matcher = difflib.SequenceMatcher(None, words(" ".join(written)), words(text), autojunk=False)
    return 100 * matcher.ratio()


def furniture(text: str, pages: int) -> int:
    return text.count(made.HEADER.split(" — ")[0] + " ") + text.count("Unclassified") + \
        sum(text.count(f"Page {n} of {pages}") for n in range(1, pages + 1))


def broken_words(written: list[str], text: str) -> int:
    """Hyphenated words that did not come out whole."""
    return sum(p.count(made.LONG_WORD) for p in written) - words(text).count(made.LONG_WORD)


def measure(repeats: int, pages: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        two_columns = Path(folder) / "two-columns.pdf"
        written = made.report_pdf(two_columns, paragraph_count=30)
        long_report = Path(folder) / "long.pdf"
        made.report_pdf(long_report, paragraph_count=pages * 7, columns=1)
        from pypdfium2 import PdfDocument

        two_pages = len(PdfDocument(two_columns))
        long_pages = len(PdfDocument(long_report))
        rows = []
        for name, read in CANDIDATES.items():
            text = read(two_columns)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                read(long_report)
                times.append((time.perf_counter() - start) * 1000 / long_pages)
            rows.append({"library": name, "ms_per_page": statistics.median(times),
                         "word_order": order_score(written, text), "furniture": furniture(text, two_pages),
                         "broken_words": broken_words(written, text), "pages_timed": long_pages})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100, help="pages of the long report timed (about)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows = measure(args.repeats, args.pages)
    print(f"{'PDF library':34} {'ms/page':>8} {'word order':>11} {'furniture':>10} {'broken words':>13}")
    for row in rows:
        print(f"{row['library']:34} {row['ms_per_page']:8.2f} {row['word_order']:10.1f}% "
              f"{row['furniture']:10d} {row['broken_words']:13d}")
    print(f"\nms/page over a {rows[0]['pages_timed']}-page one-column report; the rest on a two-column "
          "report with running headers (tests/made_documents.py).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
