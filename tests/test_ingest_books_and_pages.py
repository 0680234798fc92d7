"""EPUB e-books, MHTML saved pages, and how much of a web page is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import made_documents as made
from conftest import assert_one_line_error, found_in, linked_entities, run_cli
from test_bad_documents import case_state

import db
from db.documents import read_document
from db.readers.common import ReadOptions
from db.source_details import source_meta
from db.sources import get_source

BODY = ("<p>Kirill Logvinov, the head of the political section, met the officials several times in "
        "the spring, according to the documents seen by the newspaper and two people present.</p>")


def last_source(path: Path) -> db.Source:
    with db.open_case(path, read_only=True) as case:
        return get_source(case, case.scalar("SELECT max(id) FROM sources"))


def test_an_epub_reads_its_chapters_in_spine_order(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "book.epub"
    firsts = made.epub_book(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    book = last_source(seed_case_copy)
    assert (book.title, book.author, book.publisher, book.published) == (
        "Spies in the Heartland", "Hannah Ng", "Harbour Books", "2024-03-15")
    paragraphs = book.text.split("\n")
    places = [paragraphs.index(first) for first in firsts]
    assert places == sorted(places)
    assert paragraphs[0] == "Chapter One: Vilnius" and "Contents" not in book.text  # no navigation
    assert "p { margin" not in book.text
    with db.open_case(seed_case_copy, read_only=True) as case:
        meta = source_meta(case, book.id)
        assert meta["identifier"] == "urn:isbn:9780000000002" and meta["chapters"] == "3"


def test_an_epub_with_the_wrong_name_is_read_as_an_epub(tmp_path: Path):
    path = tmp_path / "book.txt"
    made.epub_book(path)
    document = read_document(path)
    assert document.kind == "epub"
    assert document.notices[0] == ("is an EPUB e-book, though its name says a text file: "
                                   "read as an EPUB e-book")


def test_an_mhtml_page_goes_through_the_web_page_path(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "spy-hub.mhtml"
    made.saved_mhtml(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    page = last_source(seed_case_copy)
    assert page.title == "Brussels, a hub for spies" and page.author == "Jana Nováková"
    assert page.url == "https://observer.example/spy-hub"
    assert page.text.startswith("Before the invasion, Kirill Logvinov") or "Before the invasion" in page.text
    assert "Home | Europe" not in page.text and "© 2023" not in page.text


def test_a_saved_page_renamed_html_or_txt_is_still_read_as_mhtml(seed_case_copy: Path, tmp_path: Path):
    """What a file is comes from its content: a page saved as one file and
    renamed (.html, .txt) is not raw MIME stored as text, nor "no article"."""
    made.saved_mhtml(tmp_path / "spy-hub.html")
    made.explorer_mht(tmp_path / "archive.txt")     # Internet Explorer's or Word's "Web Archive"
    for name, said in (("spy-hub.html", "an HTML page"), ("archive.txt", "a text file")):
        result = run_cli("add-source", seed_case_copy, tmp_path / name, "--title", name)
        assert result.returncode == 0, result.stderr
        assert (f"{name}: is an MHTML saved page, though its name says {said}: "
                "read as an MHTML saved page") in result.stderr
        page = last_source(seed_case_copy)
        assert page.text.startswith("Brussels, a hub for spies\nBefore the invasion, Kirill Logvinov")
        assert "Content-Type" not in page.text and "=3D" not in page.text
        with db.open_case(seed_case_copy, read_only=True) as case:
            assert source_meta(case, page.id)["format"] == "mhtml"


def test_a_text_note_that_begins_like_mail_stays_a_note(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("From: the desk\nSubject: Logvinov\nContent-Type: multipart/related, text/html\n"
                    "To: everyone\n\nKirill Logvinov was at the reception.\n", encoding="utf-8")
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "though its name says" not in result.stderr
    assert last_source(seed_case_copy).text.startswith("From: the desk")


def test_an_epubs_chapters_are_found_by_search_with_their_mentions_linked(seed_case_copy: Path,
                                                                          tmp_path: Path):
    path = tmp_path / "book.epub"
    made.epub_book(path)
    assert run_cli("add-source", seed_case_copy, path).returncode == 0
    (hit,) = found_in(seed_case_copy, "Uhrik Republika", "Spies in the Heartland")  # folded: Uhrík
    assert hit["title"] == "Milan Uhrík founded the party Republika."
    assert linked_entities(seed_case_copy, hit["id"]) >= {"Milan Uhrík", "Republika"}
    (hit,) = found_in(seed_case_copy, "Austrevicius alarm", "Spies in the Heartland")
    assert "Petras Auštrevičius" in linked_entities(seed_case_copy, hit["id"])
    (heading,) = found_in(seed_case_copy, "Bratislava", "Spies in the Heartland")
    assert heading["title"] == "Chapter Three: Bratislava"


def test_an_mhtml_pages_paragraphs_are_found_by_search_with_their_mentions_linked(seed_case_copy: Path,
                                                                                  tmp_path: Path):
    path = tmp_path / "spy-hub.mhtml"
    made.saved_mhtml(path)
    assert run_cli("add-source", seed_case_copy, path).returncode == 0
    (hit,) = found_in(seed_case_copy, "Logvinov invasion", "Brussels, a hub for spies")
    assert hit["title"].startswith("Before the invasion, Kirill Logvinov ran a network")
    assert linked_entities(seed_case_copy, hit["id"]) >= {"Kirill Logvinov",
                                                           "Russian Permanent Mission to the EU"}
    (hit,) = found_in(seed_case_copy, "Austrevicius recruitment", "Brussels, a hub for spies")
    assert linked_entities(seed_case_copy, hit["id"]) >= {"Petras Auštrevičius", "European Parliament"}
    assert found_in(seed_case_copy, "Home Europe", "Brussels, a hub for spies") == []  # the menu is not text


def long_page(paragraphs: int, hidden_from: int) -> str:
    """A page whose article marks only its first paragraphs as the article."""
    article = "".join(BODY.replace("spring", f"spring of {2000 + n}") for n in range(hidden_from))
    rest = "".join(f"<div class='more'>{BODY.replace('spring', f'autumn of {1900 + n}')}</div>"
                   for n in range(paragraphs - hidden_from))
    return (f"<html><head><title>Long read</title></head><body><article><h1>Long read</h1>{article}</article>"
            f"<section class='comments'>{rest}</section></body></html>")


def test_an_article_much_shorter_than_its_page_is_named(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "long-read.html"
    path.write_text(long_page(30, 3), encoding="utf-8")
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "long-read.html: the article text kept" in result.stderr
    assert "--extraction balanced or full keeps more" in result.stderr
    kept = last_source(seed_case_copy)
    full = run_cli("add-source", seed_case_copy, path, "--extraction", "full", "--title", "Long read (full)")
    assert full.returncode == 0 and "the article text kept" not in full.stderr
    whole = last_source(seed_case_copy)
    assert len(whole.text.split()) > 5 * len(kept.text.split())
    assert "autumn of 1926" in whole.text


def test_extraction_modes_keep_more_in_order(tmp_path: Path):
    path = tmp_path / "page.html"
    page = long_page(12, 2).replace("<section class='comments'>", "<nav>Home | World</nav><section>")
    path.write_text(page, encoding="utf-8")
    words = {mode: len(read_document(path, options=ReadOptions(extraction=mode)).text.split())
             for mode in ("precise", "balanced", "full")}
    assert words["precise"] <= words["balanced"] <= words["full"]
    assert "Home | World" in read_document(path, options=ReadOptions(extraction="full")).text


def test_a_page_built_by_javascript_is_refused_with_the_reason(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "app.html"
    path.write_text("<!doctype html><html><head><title>News</title><script>" + "var x=1;" * 400 +
                    '</script></head><body><div id="__next"></div></body></html>', encoding="utf-8")
    before = case_state(seed_case_copy)
    assert_one_line_error(run_cli("add-source", seed_case_copy, path),
                          "app.html: no article text found in this HTML page: its text is put on the screen "
                          "by JavaScript, which casebook does not run")
    assert case_state(seed_case_copy) == before


def test_one_bad_document_is_named_and_the_summary_counts(seed_case_copy: Path, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    made.word_docx(folder / "memo.docx")
    made.epub_book(folder / "book.epub")
    made.scanned_pdf(folder / "scan.pdf")
    shutil.copy(folder / "memo.docx", folder / "memo-copy.docx")
    result = run_cli("add-source", seed_case_copy, folder, "--skip-bad")
    assert result.returncode == 1
    assert "scan.pdf: has no text layer" in result.stderr
    assert "added 2 of 4 documents to" in result.stdout
    assert "(1 refused, 1 already in the case)" in result.stdout


def test_an_epub_with_drm_is_refused(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "locked.epub"
    made.drm_epub(path)
    assert_one_line_error(run_cli("add-source", seed_case_copy, path),
                          "locked.epub: is protected by DRM (its chapters are encrypted)")


def test_no_format_opens_a_network_connection(seed_case_copy: Path, tmp_path: Path):
    """PDF link annotations, remote images in mail and e-books, saved pages' resources: never fetched."""
    from test_ingest import run_offline

    folder = tmp_path / "everything"
    folder.mkdir()
    made.report_pdf(folder / "report.pdf", paragraph_count=6)
    made.word_docx(folder / "memo.docx")
    made.writer_odt(folder / "note.odt")
    made.epub_book(folder / "book.epub")
    made.html_email(folder / "news.eml")
    made.japanese_email_with_pdf(folder / "jp.eml", folder / "report.pdf")
    made.mbox_of_three(folder / "desk.mbox")
    made.saved_mhtml(folder / "page.mhtml")
    log = tmp_path / "network.log"
    result = run_offline(log, "add-source", seed_case_copy, folder)
    assert result.returncode == 0, result.stderr
    # report.pdf came in first as the attachment of jp.eml.
    assert "added 7 of 8 documents" in result.stdout and "(1 already in the case)" in result.stdout
    assert not log.exists()
