"""Word and OpenDocument files in: paragraphs, headings, tables; comments and
tracked changes never silently mixed in; ZIP bombs and impostors refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import made_documents as made
from conftest import assert_one_line_error, found_in, linked_entities, run_cli
from test_bad_documents import case_state

import db
from db.check import check_case
from db.documents import read_document
from db.search import search
from db.source_details import source_meta
from db.sources import get_source


def excerpts_of(path: Path, title: str) -> tuple[int, list[str]]:
    with db.open_case(path, read_only=True) as case:
        source_id = case.scalar("SELECT id FROM sources WHERE title = ?", [title])
        return source_id, [row[0] for row in case.rows(
            "SELECT text FROM excerpts WHERE source_id = ? ORDER BY start", [source_id])]


def test_a_word_file_with_a_table_a_comment_and_tracked_changes(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "memo.docx"
    made.word_docx(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    assert "memo.docx: 1 comment left out of the text" in result.stderr
    assert "tracked changes accepted: 1 insertion in the text, 1 deletion left out" in result.stderr
    source_id, paragraphs = excerpts_of(seed_case_copy, "Meetings at the Regentlaan (draft)")
    assert paragraphs == [
        "Meetings at the Regentlaan", "Background",
        "Kirill Logvinov hosted a dinner for officials of the European Commission.",
        "The Belgian State Security Service was informed in March 2023.",
        "The second meeting took place in Brussels.",  # the insertion in, the deletion out
        "Payments", "Date | Amount | From", "2021-06-03 | € 12,000 | Baltic Trade SIA",
        "Milan Uhrík denied any contact with the diplomats.",
    ]
    whole = "\n".join(paragraphs)
    assert "Antwerp" not in whole and "second confirmation" not in whole
    with db.open_case(seed_case_copy, read_only=True) as case:
        source = get_source(case, source_id)
        assert (source.author, source.published) == ("Élodie Marchand", "2023-05-01")
        meta = source_meta(case, source_id)
        assert meta["comment 1"] == "Bruno, 2023-05-02: Source? This needs a second confirmation."
        assert meta["format"] == "docx" and meta["tracked_changes"] == "1 insertion, 1 deletion (accepted)"
        hits = search(case, "Baltic Trade", kinds=["excerpt"])
        assert any("12,000" in hit.title for group in hits.groups for hit in group.hits)
        names = {row[0] for row in case.rows(
            "SELECT DISTINCT e.name FROM excerpt_entities m JOIN excerpts x ON x.id = m.excerpt_id "
            "JOIN entities e ON e.id = m.entity_id WHERE x.source_id = ?", [source_id])}
        assert names >= {"Kirill Logvinov", "Milan Uhrík", "European Commission", "Regentlaan"}
        assert check_case(case).ok


def test_an_opendocument_text(tmp_path: Path):
    path = tmp_path / "note.odt"
    made.writer_odt(path)
    document = read_document(path)
    assert document.text.split("\n") == [
        "Note on the Permanent Mission", "Kirill Logvinov leads the mission's political section.",
        "Staff met Petras Auštrevičius twice.", "First contact: 2021", "Name | Role"]
    assert (document.title, document.author, document.published) == (
        "Mission note", "Rūta Žemaitytė", "2022-11-03")
    assert document.notices == ("1 comment left out of the text (kept in the source's metadata)",)


def test_an_opendocument_text_is_found_by_search_with_its_mentions(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "note.odt"
    made.writer_odt(path)
    result = run_cli("add-source", seed_case_copy, path)
    assert result.returncode == 0, result.stderr
    (hit,) = found_in(seed_case_copy, "Austrevicius twice", "Mission note")
    assert hit["title"] == "Staff met Petras Auštrevičius twice."
    assert linked_entities(seed_case_copy, hit["id"]) == {"Petras Auštrevičius"}
    (hit,) = found_in(seed_case_copy, "political section", "Mission note")
    assert "Kirill Logvinov" in linked_entities(seed_case_copy, hit["id"])
    assert found_in(seed_case_copy, "check the dates", "Mission note") == []   # the comment is not text


def test_a_zip_bomb_named_docx_is_refused_before_it_inflates(seed_case_copy: Path, tmp_path: Path):
    path = tmp_path / "bomb.docx"
    made.docx_bomb(path, inflated_mib=400)
    assert path.stat().st_size < 2 * 1024 * 1024
    before = case_state(seed_case_copy)
    assert_one_line_error(run_cli("add-source", seed_case_copy, path),
                          "bomb.docx: unpacks to 400 MiB, past the 256 MiB limit (a decompression bomb?)")
    assert case_state(seed_case_copy) == before


def test_broken_and_other_office_files_are_one_line(seed_case_copy: Path, tmp_path: Path):
    made.word_docx(tmp_path / "whole.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes((tmp_path / "whole.docx").read_bytes()[:700])
    sheet = tmp_path / "figures.xlsx"
    with zipfile.ZipFile(sheet, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
    plain = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain, "w") as package:
        package.writestr("a.jpg", b"\xff\xd8\xff")
    broken_xml = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken_xml, "w") as package:
        package.writestr("word/document.xml", "<w:document><w:body>")
    before = case_state(seed_case_copy)
    for path, says in ((cut, "cut.docx: is a damaged or truncated ZIP archive"),
                       (sheet, "figures.xlsx: is an Excel workbook (.xlsx)"),
                       (plain, "photos.zip: is a ZIP archive, not a document"),
                       (broken_xml, "broken.docx: is damaged (word/document.xml is not well-formed XML)")):
        assert_one_line_error(run_cli("add-source", seed_case_copy, path), says)
    assert case_state(seed_case_copy) == before


def test_password_protected_office_files_say_so(seed_case_copy: Path, tmp_path: Path):
    locked = tmp_path / "locked.docx"
    made.encrypted_office(locked)
    assert_one_line_error(run_cli("add-source", seed_case_copy, locked),
                          "locked.docx: is a password-protected Office document: casebook cannot decrypt it")
    old = tmp_path / "old.doc.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    assert_one_line_error(run_cli("add-source", seed_case_copy, old),
                          "is an old Office document (.doc, .xls)")
