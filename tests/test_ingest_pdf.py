"""PDF in: reading order, pages, line boxes, metadata; and every bad PDF as one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import made_documents as made
import pytest
from conftest import assert_one_line_error, run_cli
from test_bad_documents import case_state

import db
from db.check import check_case
from db.claims import add_claim
from db.documents import read_document
from db.readers.pdf import MAX_PDF_PAGES
from db.search import search
from db.source_details import excerpt_place, page_place, source_meta, source_pages
from db.sources import add_quote, get_source


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    made_files = {name: folder / f"{name}.pdf" for name in ("report", "one-column", "scan", "locked")}
    made.report_pdf(made_files["report"])
    made.report_pdf(made_files["one-column"], columns=1, paragraph_count=12, title="Field notes", seed=4)
    made.scanned_pdf(made_files["scan"])
    made.report_pdf(made_files["locked"], encrypt="s3cret", paragraph_count=6, title="Restricted annex")
    return made_files


def added_source(path: Path, title: str) -> db.Source:
    with db.open_case(path, read_only=True) as case:
        source_id = case.scalar("SELECT id FROM sources WHERE title = ?", [title])
        return get_source(case, source_id)


def test_two_columns_read_in_order_without_headers(seed_case_copy: Path, pdfs: dict[str, Path]):
    written = made.report_pdf(pdfs["report"].with_name("again.pdf"))  # the same text as "report"
    result = run_cli("add-source", seed_case_copy, pdfs["report"])
    assert result.returncode == 0, result.stderr
    assert "as source 3: Annual Report 2023" in result.stdout and "4 pages" in result.stdout
    source = added_source(seed_case_copy, "Annual Report 2023")
    paragraphs = source.text.split("\n")
    # Every word in reading order: down the left column, then the right, page after page.
    assert " ".join(paragraphs) == " ".join(written)
    # Paragraph breaks too, except where a column ends with a full sentence (as a reader would).
    assert len(set(paragraphs) & set(written)) >= len(written) - 3
    # Running headers, footers and page numbers are gone; hyphenated words are whole.
    assert made.HEADER not in source.text and "Unclassified" not in source.text
    assert "Page 1 of" not in source.text
    assert source.text.count(made.LONG_WORD) == sum(p.count(made.LONG_WORD) for p in written)
    assert "internation-" not in source.text and "interna-" not in source.text
    assert (source.author, source.title) == ("Belgian State Security Service", "Annual Report 2023")
    with db.open_case(seed_case_copy, read_only=True) as case:
        meta = source_meta(case, source.id)
        assert meta["format"] == "pdf" and meta["pages"] == "4" and meta["subject"] == "Threat assessment"
        assert meta["file_name"] == "report.pdf" and len(meta["file_sha256"]) == 64
        pages = source_pages(case, source.id)
        assert [p.number for p in pages] == [1, 2, 3, 4]
        assert pages[0].start == 0 and pages[-1].end == len(source.text)
        assert all(a.end == b.start for a, b in zip(pages, pages[1:], strict=False))
        assert check_case(case).ok
        hits = search(case, "Austrevicius counterintelligence", kinds=["excerpt"], limit=50)
        assert any("Auštrevičius" in hit.title for group in hits.groups for hit in group.hits)
        mentioned = {row[0] for row in case.rows(
            "SELECT DISTINCT e.name FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
            "JOIN entities e ON e.id = m.entity_id WHERE x.source_id = ?", [source.id])}
    assert mentioned >= {"Kirill Logvinov", "Petras Auštrevičius", "Milan Uhrík", "European Commission",
                         "Belgian State Security Service", "Regentlaan"}


def test_an_excerpt_knows_its_page_and_where_on_it(seed_case_copy: Path, pdfs: dict[str, Path]):
    assert run_cli("add-source", seed_case_copy, pdfs["report"]).returncode == 0
    with db.open_case(seed_case_copy) as case:
        source = get_source(case, case.scalar("SELECT max(id) FROM sources"))
        pages = source_pages(case, source.id)
        last_paragraph = case.row('SELECT id, start, "end" FROM excerpts WHERE source_id = ? '
                                  "ORDER BY start DESC LIMIT 1", [source.id])
        place = excerpt_place(case, last_paragraph["id"])
        assert place is not None and place.label == f"p. {pages[-1].number}"
        # A quote chosen later, anywhere: its page comes from its span.
        second_page_text = source.text[pages[1].start:pages[1].end]
        words = second_page_text.split(". ")[1][:60]
        quote = add_quote(case, source.id, words) if source.text.count(words) == 1 else None
        if quote is not None:
            assert excerpt_place(case, quote).label == "p. 2"
        # A paragraph running across a page break is on both pages.
        across = page_place(case, source.id, pages[1].end - 5, pages[1].end + 5)
        assert across.label == "pp. 2–3"
        # And on the page, its lines' box, in points from the top-left corner.
        box = place.box
        assert box is not None and 0 < box.x0 < box.x1 <= pages[-1].width
        assert 0 < box.y0 < box.y1 <= pages[-1].height
        claim = add_claim(case, statement="The report names Logvinov",
                          evidence=[(last_paragraph["id"], "supports")])
        assert claim.id
    exported = run_cli("export", seed_case_copy, "--format", "w3c")
    assert exported.returncode == 0, exported.stderr
    targets = [item["target"] for item in json.loads(exported.stdout)["first"]["items"]
               if isinstance(item["target"], dict)]
    fragments = [s for t in targets for s in t["selector"] if s["type"] == "FragmentSelector"]
    assert {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
            "value": f"page={pages[-1].number}"} in fragments
    report = run_cli("export", seed_case_copy, "--format", "markdown")
    assert f"p. {pages[-1].number}, characters {last_paragraph['start']}" in report.stdout


def test_show_and_search_name_the_page_of_a_pdf_excerpt(seed_case_copy: Path, pdfs: dict[str, Path]):
    assert run_cli("add-source", seed_case_copy, pdfs["report"]).returncode == 0
    with db.open_case(seed_case_copy, read_only=True) as case:
        source_id = case.scalar("SELECT max(id) FROM sources")
        pages = source_pages(case, source_id)
        last = case.row('SELECT id, text FROM excerpts WHERE source_id = ? ORDER BY start DESC LIMIT 1',
                        [source_id])
        seed_excerpt = case.scalar("SELECT min(id) FROM excerpts")  # a web page: no pages
    label = f"p. {pages[-1].number}"
    shown = run_cli("show", seed_case_copy, "excerpt", last["id"])
    assert shown.returncode == 0, shown.stderr
    assert f"  page: {label} (x " in shown.stdout
    as_json = json.loads(run_cli("show", seed_case_copy, "excerpt", last["id"], "--json").stdout)
    assert as_json["page"]["label"] == label and as_json["page"]["box"]["page"] == pages[-1].number
    plain = run_cli("show", seed_case_copy, "excerpt", seed_excerpt)
    assert plain.returncode == 0 and "page:" not in plain.stdout
    assert "page" not in json.loads(run_cli("show", seed_case_copy, "excerpt", seed_excerpt, "--json").stdout)
    words = " ".join(last["text"].split()[:6])
    found = run_cli("search", seed_case_copy, words, "--kind", "excerpt", "--limit", "1000")
    assert found.returncode == 0, found.stderr
    hit = found.stdout.split(f"#{last['id']} ")[1].split("\n")[1]
    assert hit.strip().startswith("Annual Report 2023 ·") and hit.endswith(f" · {label}")


def test_pages_and_boxes_survive_the_json_round_trip(seed_case_copy: Path, pdfs: dict[str, Path],
                                                     tmp_path: Path):
    assert run_cli("add-source", seed_case_copy, pdfs["one-column"]).returncode == 0
    exported, rebuilt = tmp_path / "case.json", tmp_path / "rebuilt.casebook"
    assert run_cli("export", seed_case_copy, "-f", "json", "-o", exported).returncode == 0
    assert run_cli("import", exported, rebuilt).returncode == 0
    tables = ("source_meta", "source_pages", "source_boxes", "source_attachments")
    with db.open_case(seed_case_copy, read_only=True) as a, db.open_case(rebuilt, read_only=True) as b:
        for table in tables:
            query = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert a.rows(query) == b.rows(query)
        assert a.scalar("SELECT count(*) FROM source_boxes") > 10
        assert check_case(b).ok


def test_one_column_field_notes(pdfs: dict[str, Path]):
    document = read_document(pdfs["one-column"])
    written = made.report_pdf(pdfs["one-column"].with_name("notes-again.pdf"), columns=1, paragraph_count=12,
                              title="Field notes", seed=4)
    assert document.text.split("\n") == written
    assert document.kind == "pdf" and len(document.pages) == len({box.page for box in document.boxes})


def test_a_scan_without_text_says_how_to_add_a_text_layer(seed_case_copy: Path, pdfs: dict[str, Path]):
    before = case_state(seed_case_copy)
    result = run_cli("add-source", seed_case_copy, pdfs["scan"])
    assert_one_line_error(result, "scan.pdf: has no text layer", "ocrmypdf in.pdf out.pdf")
    assert case_state(seed_case_copy) == before


def test_an_encrypted_pdf_needs_its_password(seed_case_copy: Path, pdfs: dict[str, Path]):
    before = case_state(seed_case_copy)
    assert_one_line_error(run_cli("add-source", seed_case_copy, pdfs["locked"]),
                          "locked.pdf: is an encrypted PDF: give its password with --password")
    assert_one_line_error(run_cli("add-source", seed_case_copy, pdfs["locked"], "--password", "guess"),
                          "the password given does not open it")
    assert case_state(seed_case_copy) == before
    result = run_cli("add-source", seed_case_copy, pdfs["locked"], "--password", "s3cret")
    assert result.returncode == 0, result.stderr
    source = added_source(seed_case_copy, "Restricted annex")
    assert "Kirill Logvinov" in source.text or "Auštrevičius" in source.text
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert source_meta(case, source.id)["encrypted"].startswith("yes")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty pages tree"])
def test_damaged_pdfs_are_one_line(seed_case_copy: Path, pdfs: dict[str, Path], tmp_path: Path, damage: str):
    path = tmp_path / "broken.pdf"
    data = pdfs["report"].read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 3],
                      "garbage": b"%PDF-1.4\n" + bytes(range(256)) * 40,
                      "empty pages tree": made._raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                                          b"<< /Type /Pages /Count 0 /Kids [] >>"])}[damage])
    before = case_state(seed_case_copy)
    result = run_cli("add-source", seed_case_copy, path)
    assert_one_line_error(result, "broken.pdf: ")
    assert any(word in result.stderr for word in ("damaged or truncated", "no pages", "no text layer"))
    assert case_state(seed_case_copy) == before


def test_a_pdf_of_five_thousand_pages_is_refused_at_once(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "register.pdf"
    made.many_pages_pdf(path, 5000)
    result = run_cli("add-source", seed_case_copy, path)
    assert_one_line_error(result, f"has 5,000 pages; casebook reads at most {MAX_PDF_PAGES:,} pages")


def test_a_decompression_bomb_stops_at_the_memory_limit(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "bomb.pdf"
    made.bomb_pdf(path, inflated_mib=1500)
    assert path.stat().st_size < 3 * 1024 * 1024
    before = case_state(seed_case_copy)
    result = run_cli("add-source", seed_case_copy, path)
    assert_one_line_error(result, "bomb.pdf: ")
    assert any(word in result.stderr for word in ("memory", "no text layer")), result.stderr
    assert case_state(seed_case_copy) == before


def test_a_pdf_named_as_text_is_read_as_a_pdf(seed_case_copy: Path, pdfs: dict[str, Path], tmp_path: Path):
    lying = tmp_path / "notes.txt"
    shutil.copy(pdfs["one-column"], lying)
    result = run_cli("add-source", seed_case_copy, lying)
    assert result.returncode == 0, result.stderr
    assert "is a PDF, though its name says a text file: read as a PDF" in result.stderr
    assert "Field notes" in result.stdout


def test_a_page_named_as_a_pdf_is_refused(seed_case_copy: Path, tmp_path: Path):
    fake = tmp_path / "report.pdf"
    fake.write_text("<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>", encoding="utf-8")
    assert_one_line_error(run_cli("add-source", seed_case_copy, fake),
                          "report.pdf: is named as a PDF but is an HTML page (a download that failed?)")


def test_printed_page_numbers_and_xmp_metadata(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "assessment.pdf"
    made.labelled_pdf(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    source = added_source(seed_case_copy, "Hybrid threats to the EU institutions")  # XMP's, not Info's
    assert (source.author, source.published) == ("Analysis Unit, J. Peeters", "2023-04-18")
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert [(p.number, p.label) for p in source_pages(case, source.id)] == [
            (1, "i"), (2, "ii"), (3, "1"), (4, "2")]
        logvinov = case.scalar("SELECT id FROM excerpts WHERE source_id = ? AND text LIKE 'Kirill%'",
                               [source.id])
        assert excerpt_place(case, logvinov).label == "p. 1"  # as printed: the third page is page 1


def test_an_export_whose_pages_contradict_the_text_is_refused(seed_case_copy: Path, pdfs: dict[str, Path],
                                                              tmp_path: Path):
    assert run_cli("add-source", seed_case_copy, pdfs["one-column"]).returncode == 0
    exported = tmp_path / "case.json"
    assert run_cli("export", seed_case_copy, "-f", "json", "-o", exported).returncode == 0
    text = exported.read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.json"
    damaged.write_text(text.replace('"pages": [{"number": 1, "label": "", "start": 0,',
                                    '"pages": [{"number": 1, "label": "", "start": 7,', 1), encoding="utf-8")
    assert damaged.read_text(encoding="utf-8") != text
    result = run_cli("import", damaged, tmp_path / "rebuilt.casebook")
    assert_one_line_error(result, "inconsistent export", "page 1")
    assert not (tmp_path / "rebuilt.casebook").exists()
