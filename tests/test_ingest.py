"""casebook add-source: real documents in, excerpts, search and mentions out."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_one_line_error, run_cli

import db
from db.check import check_case
from db.documents import read_document
from db.ingest import import_document
from db.readers.document import choose_split, partial_date
from db.readers.text import split_front_matter
from db.search import search
from db.sources import get_source

DATA = Path(__file__).resolve().parent / "data" / "ingest"
ARTICLE = DATA / "brussels-observer-article.html"
MIXED = DATA / "mixed"


def sources_by_title(path: Path) -> dict[str, db.Source]:
    with db.open_case(path, read_only=True) as case:
        ids = [row[0] for row in case.rows("SELECT id FROM sources ORDER BY id")]
        return {source.title: source for source in (get_source(case, i) for i in ids)}


def paragraphs(path: Path, source_id: int) -> list[str]:
    with db.open_case(path, read_only=True) as case:
        return [row[0] for row in case.rows(
            "SELECT text FROM excerpts WHERE source_id = ? ORDER BY start", [source_id])]


def mentioned(path: Path, source_id: int) -> set[str]:
    with db.open_case(path, read_only=True) as case:
        return {row[0] for row in case.rows(
            "SELECT DISTINCT e.name FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
            "JOIN entities e ON e.id = m.entity_id WHERE x.source_id = ?", [source_id])}


def found(path: Path, query: str, kind: str = "excerpt") -> list[str]:
    with db.open_case(path, read_only=True) as case:
        results = search(case, query, kinds=[kind], limit=50)
    return [hit.title for group in results.groups for hit in group.hits]


# -- a saved web page ------------------------------------------------------


def test_saved_article_keeps_the_article_and_drops_the_page(seed_case_copy: Path):
    result = run_cli("add-source", seed_case_copy, ARTICLE)
    assert result.returncode == 0, result.stderr
    assert "as source 3" in result.stdout and "8 paragraphs" in result.stdout
    source = sources_by_title(seed_case_copy)[
        "Brussels remains a hub for Russian espionage, investigation finds"]
    assert (source.author, source.publisher, source.published) == (
        "Jana Nováková", "The Brussels Observer", "2023-10-26")
    assert source.url == "https://www.brussels-observer.example/europe/2023/10/26/brussels-remains-espionage-hub"
    text = paragraphs(seed_case_copy, source.id)
    assert text[0].startswith("Before Russia's full-scale invasion of Ukraine")
    assert text[-1].startswith("The investigation was carried out by VSquare")
    assert "“Not a diplomatic question”" in text
    page_furniture = [
        "Accept all", "Skip to main content", "Podcasts", "Subscribe from", "Škoda",  # nav, ads
        "googletag", "dataLayer", "font-family",  # scripts and styles
        "Sign up", "Most read", "Fly to Vienna", "Luxury apartments", "All rights reserved",
        "EuroWatcher72", "fearmongering", "Expel them all", "Join the discussion",  # comments
    ]
    whole = "\n".join(text)
    assert [junk for junk in page_furniture if junk in whole] == []
    assert mentioned(seed_case_copy, source.id) >= {
        "Kirill Logvinov", "Petras Auštrevičius", "Milan Uhrík", "Roberta Metsola",
        "Belgian State Security Service", "European Commission", "VSquare", "Regentlaan",
    }
    # Found by folded search, the new paragraph among the seed's.
    assert any("Lithuanian MEP" in hit for hit in found(seed_case_copy, "Austrevicius Lithuanian"))
    assert any("Nous suivons" in hit for hit in found(seed_case_copy, "tres pres"))


def test_metadata_options_override_the_page(seed_case_copy: Path):
    result = run_cli("add-source", seed_case_copy, ARTICLE, "--title", "Observer piece",
                     "--publisher", "Brussels Observer SA", "--published", "2023-10",
                     "--author", "J. Nováková", "--url", "https://example.org/a")
    assert result.returncode == 0, result.stderr
    source = sources_by_title(seed_case_copy)["Observer piece"]
    assert (source.publisher, source.published, source.author, source.url) == (
        "Brussels Observer SA", "2023-10", "J. Nováková", "https://example.org/a")


def test_a_bad_published_option_is_one_line(seed_case_copy: Path):
    result = run_cli("add-source", seed_case_copy, ARTICLE, "--published", "26/10/2023")
    assert_one_line_error(result, "published must be YYYY, YYYY-MM or YYYY-MM-DD")
    assert len(sources_by_title(seed_case_copy)) == 2


def test_title_and_url_name_one_document(seed_case_copy: Path):
    assert_one_line_error(run_cli("add-source", seed_case_copy, MIXED, "--title", "All"),
                          "--title and --url describe one document")


def test_the_same_document_twice_is_reported_not_duplicated(seed_case_copy: Path):
    assert run_cli("add-source", seed_case_copy, ARTICLE).returncode == 0
    again = run_cli("add-source", seed_case_copy, ARTICLE)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert "skipped" in again.stderr and "already in the case as source 3" in again.stderr
    assert len(sources_by_title(seed_case_copy)) == 3


def test_a_seed_document_added_again_is_a_duplicate(seed_case_copy: Path):
    result = run_cli("add-source", seed_case_copy, ROOT / "seed" / "sources" / "003_37048b06751c40a7.txt")
    assert result.returncode == 0
    assert "already in the case as source 2" in result.stderr


# -- Markdown and other languages -------------------------------------------


def test_markdown_front_matter_paragraphs_and_french_accents(seed_case_copy: Path):
    result = run_cli("add-source", seed_case_copy, MIXED / "notes-bruxelles.md")
    assert result.returncode == 0, result.stderr
    source = sources_by_title(seed_case_copy)["Notes d'enquête : la Sûreté de l'État et la mission russe"]
    assert (source.author, source.published, source.publisher) == (
        "Élodie Marchand", "2023-11-14", "Cellule enquêtes")
    assert not source.text.startswith("---")  # front matter is metadata, not text
    text = paragraphs(seed_case_copy, source.id)
    # Hard-wrapped paragraphs are joined between blank lines; a list is one block.
    assert text[1].startswith("La **Sûreté de l'État** (VSSE)") and text[1].endswith("a refusé de commenter.")
    assert text[4].startswith("- la liste") and "juin 2023." in text[4]
    assert len(text) == 6
    assert any("Sûreté" in hit for hit in found(seed_case_copy, "surete de l'etat"))
    assert mentioned(seed_case_copy, source.id) >= {
        "Kirill Logvinov", "Belgian State Security Service", "Vincent Van Quickenborne",
        "Milan Uhrík", "Republika", "Euromaidan Press", "Regentlaan",
    }


def test_slovak_czech_and_lithuanian_are_found_without_diacritics(seed_case_copy: Path):
    for name in ("sprava-sk.txt", "zprava-cz.txt", "lt-tinklarastis.html"):
        assert run_cli("add-source", seed_case_copy, MIXED / name).returncode == 0
    assert any("predseda strany Republika" in hit for hit in found(seed_case_copy, "Slovensky europoslanec"))
    assert any("kontrarozvědka" in hit for hit in found(seed_case_copy, "Belgicka kontrarozvedka"))
    assert any("žurnalistams pabrėžė" in hit for hit in found(seed_case_copy, "zurnalistams pabreze"))
    sources = sources_by_title(seed_case_copy)
    slovak = sources["sprava-sk"]
    # Hard-wrapped Slovak: three paragraphs; one-per-line Czech: three lines.
    assert len(paragraphs(seed_case_copy, slovak.id)) == 3
    assert len(paragraphs(seed_case_copy, sources["zprava-cz"].id)) == 3
    assert mentioned(seed_case_copy, slovak.id) >= {"Milan Uhrík", "Republika", "Kirill Logvinov", "VSquare"}
    lithuanian = sources["Europos Parlamento narys: Rusijos diplomatas Briuselyje akivaizdžiai aktyvus"]
    assert lithuanian.author == "Rūta Žemaitytė" and lithuanian.publisher == "Vilniaus užrašai"
    assert "Petras Auštrevičius" in mentioned(seed_case_copy, lithuanian.id)
    assert "Nesutinku" not in lithuanian.text  # a comment


def test_text_is_stored_nfc(seed_case_copy: Path, tmp_path: Path):
    decomposed = tmp_path / "nfd.txt"
    decomposed.write_text("Milan Uhri\u0301k navs\u030cti\u0301vil Brusel.\n", encoding="utf-8")
    assert run_cli("add-source", seed_case_copy, decomposed).returncode == 0
    source = sources_by_title(seed_case_copy)["nfd"]
    assert source.text == "Milan Uhrík navštívil Brusel.\n"
    assert "Milan Uhrík" in mentioned(seed_case_copy, source.id)


def test_marks_wait_only_while_a_document_is_written(seed_case_copy: Path):
    """Mentions are found before the write lock is taken: another annotator
    can mark a claim then, and is held off only while the rows are written."""
    document = read_document(ARTICLE)
    attempts: dict[str, bool] = {}

    def try_to_write(phase: str) -> None:
        other = sqlite3.connect(seed_case_copy, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            attempts[phase] = True
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            attempts[phase] = False
        finally:
            other.close()

    def progress(fraction: float) -> None:
        if fraction < 0.45 and "finding" not in attempts:
            try_to_write("finding")
        elif 0.45 < fraction < 1 and "writing" not in attempts:
            try_to_write("writing")

    with db.open_case(seed_case_copy) as case:
        import_document(case, document, progress=progress)
    assert attempts == {"finding": True, "writing": False}


# -- a directory ------------------------------------------------------------


def test_a_directory_adds_its_documents_and_says_what_it_skipped(seed_case_copy: Path, tmp_path: Path):
    folder = tmp_path / "inbox"
    shutil.copytree(MIXED, folder)
    shutil.copy(ARTICLE, folder / "observer.htm")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (folder / "observer_files").mkdir()
    (folder / "observer_files" / "main.js").write_text("var x = 1;")
    result = run_cli("add-source", seed_case_copy, folder)
    assert result.returncode == 0, result.stderr
    assert "added 5 of 5 documents" in result.stdout
    skipped = result.stderr.splitlines()
    assert len(skipped) == 3
    assert any(".DS_Store: hidden file" in line for line in skipped)
    assert any("photo.jpg: not a document type casebook reads (.jpg" in line for line in skipped)
    assert any("observer_files: a directory" in line for line in skipped)
    assert len(sources_by_title(seed_case_copy)) == 7
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert check_case(case).ok


def test_documents_named_directly_are_read_whatever_their_name(seed_case_copy: Path, tmp_path: Path):
    notes = tmp_path / "NOTES"
    notes.write_text("Logvinov hosted a dinner.\n", encoding="utf-8")
    saved = tmp_path / "page.php"
    saved.write_bytes(ARTICLE.read_bytes())
    result = run_cli("add-source", seed_case_copy, notes, saved)
    assert result.returncode == 0, result.stderr
    titles = sources_by_title(seed_case_copy)
    assert "NOTES" in titles
    assert "Brussels remains a hub for Russian espionage, investigation finds" in titles


def test_an_empty_directory_is_one_line(seed_case_copy: Path, tmp_path: Path):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("add-source", seed_case_copy, tmp_path / "empty"), "no documents to add")


# -- reading rules ----------------------------------------------------------


def test_paragraph_split_is_chosen_per_document():
    assert choose_split("One paragraph per line.\nAnother one.\n") == "lines"
    wrapped = "A paragraph that is\nhard-wrapped here.\n\nAnother\nparagraph.\n"
    assert choose_split(wrapped) == "blocks"
    long_line = "x" * 300
    web = f"Title\n\n{long_line}\n{long_line}\nUpdated:\n0:00\n\n{long_line}\n"
    assert choose_split(web) == "lines"
    # Both seed sources are one paragraph per line, one with blank lines between some.
    for name in ("000_316e2e01f824b1a7.txt", "003_37048b06751c40a7.txt"):
        assert read_document(ROOT / "seed" / "sources" / name).split == "lines"


def test_front_matter_and_dates():
    meta, rest = split_front_matter("---\ntitle: 'A: B'\nauthors: [Ana, Bruno]\ndate: 2023-06-01T10:00\n"
                                    "tags:\n  - x\n---\n\nBody\n")
    assert meta == {"title": "A: B", "author": "Ana", "published": "2023-06-01T10:00"}
    assert rest == "Body\n"
    assert split_front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n")
    assert [partial_date(v) for v in ("2023", "2023-6", "2023/06/05", "2023-13-01", "June 2023", "")] == [
        "2023", "2023-06", "2023-06-05", "2023", "", ""]


def test_crlf_and_bom_are_normalised(tmp_path: Path):
    path = tmp_path / "win.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line\r\nSecond line\r\n")
    document = read_document(path)
    assert document.text == "First line\nSecond line\n"


def test_a_page_in_a_legacy_charset_is_decoded_as_it_declares(tmp_path: Path):
    path = tmp_path / "old.html"
    body = ("<p>Le ministre a déclaré que la Sûreté de l'État suivait l'affaire de très près, "
            "et que les diplomates concernés étaient connus des services depuis des années.</p>") * 3
    path.write_bytes(("<html><head><meta charset=\"windows-1252\"><title>Vieux</title></head><body>"
                      f"<article><h1>Vieux</h1>{body}</article></body></html>").encode("cp1252"))
    document = read_document(path)
    assert "Sûreté de l'État" in document.text
    # Saved as UTF-8 but still declaring the old charset: UTF-8 wins.
    path.write_bytes(path.read_bytes().decode("cp1252").encode("utf-8"))
    assert "Sûreté de l'État" in read_document(path).text


# -- never the network --------------------------------------------------------

_NO_NETWORK = """
import sys
def refuse(event, args):
    # Connections and name lookups. (urllib3, which trafilatura imports, binds a
    # socket to ::1 once at import to learn whether IPv6 exists: no traffic.)
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                 "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg",
                 "http.client.connect", "urllib.Request"):
        with open({log!r}, "a") as log:
            log.write(event + "\\n")
        raise RuntimeError("casebook opened a network connection: " + event)
sys.addaudithook(refuse)
"""


def run_offline(log: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    code = _NO_NETWORK.format(log=str(log)) + (
        "from casebook.cli import main\n"
        f"main({[str(arg) for arg in args]!r})\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_adding_and_exporting_never_touch_the_network(seed_case_copy: Path, tmp_path: Path):
    log = tmp_path / "network.log"
    control = subprocess.run(
        [sys.executable, "-c",
         _NO_NETWORK.format(log=str(log)) + "import socket\nsocket.socket().connect(('127.0.0.1', 9))\n"],
        capture_output=True, text=True)
    assert control.returncode != 0 and log.read_text() == "socket.connect\n"  # the guard works
    log.unlink()
    result = run_offline(log, "add-source", seed_case_copy, ARTICLE, MIXED)
    assert result.returncode == 0, result.stderr
    for fmt in ("json", "markdown", "ftm", "w3c", "stix"):
        exported = run_offline(log, "export", seed_case_copy, "--format", fmt, "-o", tmp_path / f"out.{fmt}")
        assert exported.returncode == 0, exported.stderr
    assert not log.exists()


@pytest.mark.parametrize("name", ["brussels-observer-article.html", "mixed/lt-tinklarastis.html"])
def test_no_page_text_leaks_from_comments(name: str):
    document = read_document(DATA / name)
    assert document.kind == "html" and document.split == "lines"
    assert not any(word in document.text for word in ("Reply", "Atsakyti", "likes", "rašo:"))


def test_file_names_cannot_drive_the_terminal(seed_case_copy: Path, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "evil\x1b]0;pwned\x07.txt").write_text("Logvinov hosted a dinner.\n", encoding="utf-8")
    (folder / "also\x1b[31m.exe").write_bytes(b"MZ\x00")
    result = run_cli("add-source", seed_case_copy, folder)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "evil␛]0;pwned␇.txt" in result.stdout and "also␛[31m.exe" in result.stderr
